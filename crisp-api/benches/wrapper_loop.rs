//! The Rust side of `benches/python_wrapper.sh`: runs one operation N times against a
//! running server (`crisp-mock --fixed`) and prints the timing as one JSON line.
//!
//! ```text
//! cargo bench -p crisp-api --bench wrapper_loop -- --url http://127.0.0.1:8080/v1 --n 2000 --op list
//! ```
//!
//! `--client sdk` (default) uses the SDK; `--client reqwest` the hand-written baseline;
//! `--in-flight K` keeps K calls in flight instead of one; `--current-thread` runs on tokio's
//! current-thread runtime (steadier instruction counts, for `callgrind.sh`).

mod common;

use common::*;
use std::time::Duration;

fn main() {
    let mut url = None;
    let mut n = 1000usize;
    let mut op = Op::List;
    let mut use_sdk = true;
    let mut in_flight = 1usize;
    let mut current_thread = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--url" => url = args.next(),
            "--n" => n = args.next().and_then(|v| v.parse().ok()).expect("--n N"),
            "--op" => {
                op = match args.next().as_deref() {
                    Some("list") => Op::List,
                    Some("small") => Op::Small,
                    other => panic!("--op list|small, got {other:?}"),
                }
            }
            "--client" => use_sdk = args.next().as_deref() != Some("reqwest"),
            "--current-thread" => current_thread = true,
            "--in-flight" => {
                in_flight = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("--in-flight K")
            }
            // cargo bench adds --bench; `cargo bench --no-run` never runs it.
            _ => {}
        }
    }
    let Some(url) = url else {
        if !std::env::args().any(|a| a == "--bench") {
            // `cargo test --benches`: nothing to run without a server.
            println!("wrapper_loop: no --url, nothing to do (run by benches/python_wrapper.sh)");
            return;
        }
        eprintln!("wrapper_loop: --url is required (the base URL of `crisp-mock --fixed`)");
        std::process::exit(2)
    };
    // As an application: a multi-thread runtime (unless asked otherwise) and one client.
    let rt = if current_thread {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Runtime::new()
    }
    .expect("runtime");
    let elapsed: Duration = if use_sdk {
        let client = sdk(&url);
        rt.block_on(async {
            // Connect and warm (as many connections as calls in flight).
            concurrent(in_flight, in_flight, || sdk_call(&client, op)).await;
            concurrent(n, in_flight, || sdk_call(&client, op)).await
        })
    } else {
        let client = Baseline::new(&url);
        rt.block_on(async {
            concurrent(in_flight, in_flight, || baseline_call(&client, op)).await;
            concurrent(n, in_flight, || baseline_call(&client, op)).await
        })
    };
    println!(
        "{{\"client\":\"{}\",\"op\":\"{:?}\",\"n\":{n},\"in_flight\":{in_flight},\"seconds\":{:.6}}}",
        if use_sdk { "rust-sdk" } else { "rust-reqwest" },
        op,
        elapsed.as_secs_f64()
    );
}
