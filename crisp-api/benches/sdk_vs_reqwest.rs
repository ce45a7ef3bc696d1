//! The SDK against a hand-written reqwest + serde_json client doing the same requests and
//! decoding into the same types, over loopback against the fixed-response server.
//!
//! ```text
//! cargo bench -p crisp-api --bench sdk_vs_reqwest                 # criterion, then the ratio table
//! CRISP_BENCH_CRITERION=0 cargo bench -p crisp-api --bench sdk_vs_reqwest   # the ratio table only
//! ```
//!
//! Environment: `CRISP_BENCH_ROUNDS` (interleaved rounds per ratio, default 101),
//! `CRISP_BENCH_SCALE` (multiplies the operations per round, default 1).
//!
//! See `crisp-api/BENCHMARKS.md` for results and how to read them.

mod common;

use common::*;
use crisp_api::types::Conversation;
use crisp_api::Envelope;
use criterion::{BenchmarkId, Criterion, Throughput};
use std::hint::black_box;
use std::time::{Duration, Instant};

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const IN_FLIGHT: usize = 64;

/// The SDK's decoding of a 2xx body: what `ResponseValue::from_response` (progenitor) does
/// with the bytes, `serde_json::from_slice::<Envelope<T>>`, then the envelope unwrap of
/// `Payload::into_data` (error flag, then `data`).
fn sdk_decode(body: &[u8]) -> Vec<Conversation> {
    let envelope: Envelope<Vec<Conversation>> = serde_json::from_slice(body).expect("decode");
    assert!(!envelope.error);
    envelope.data.expect("data")
}

/// The plain serde way: a derived envelope struct.
fn plain_decode(body: &[u8]) -> Vec<Conversation> {
    let envelope: PlainEnvelope<Vec<Conversation>> = serde_json::from_slice(body).expect("decode");
    assert!(!envelope.error);
    envelope.data.expect("data")
}

/// The lower bound: the `data` array alone, no envelope at all.
fn data_only_decode(data: &[u8]) -> Vec<Conversation> {
    serde_json::from_slice(data).expect("decode")
}

/// The bytes of `data` inside the fixed page answer.
fn data_slice(body: &[u8]) -> &[u8] {
    const PREFIX: &[u8] = br#"{"error":false,"reason":"listed","data":"#;
    assert!(body.starts_with(PREFIX) && body.ends_with(b"}"));
    &body[PREFIX.len()..body.len() - 1]
}

fn main() {
    let server = Server::start();
    let rt = client_runtime();
    let url = server.url();
    let sdk = sdk(&url);
    let baseline = Baseline::new(&url);
    let body = server.server.list_body();
    let data = data_slice(&body).to_vec();

    // Both sides must produce the same value, or the comparison means nothing.
    let from_sdk = rt.block_on(sdk.list_conversations(crisp_mock::fixed::WEBSITE, 1).send());
    let from_baseline = rt.block_on(baseline.list_conversations(1));
    assert_eq!(from_sdk.unwrap(), from_baseline.unwrap());
    assert_eq!(sdk_decode(&body), plain_decode(&body));
    assert_eq!(sdk_decode(&body), data_only_decode(&data));

    // As criterion decides: `cargo test --benches` (no `--bench`) or `cargo bench -- --test`
    // run each benchmark once, as a smoke test.
    let args: Vec<String> = std::env::args().collect();
    let test_mode = !args.iter().any(|a| a == "--bench") || args.iter().any(|a| a == "--test");
    if std::env::var("CRISP_BENCH_CRITERION").as_deref() != Ok("0") {
        run_criterion(&rt, &sdk, &baseline, &body, &data);
    }
    if test_mode {
        println!("sdk_vs_reqwest: smoke run done (each benchmark once; no ratio table)");
        return;
    }
    ratio_tables(&rt, &sdk, &baseline, &body, &data, body.len());
}

fn run_criterion(
    rt: &tokio::runtime::Runtime,
    sdk: &crisp_api::Client,
    baseline: &Baseline,
    body: &[u8],
    data: &[u8],
) {
    let mut c = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    for op in [Op::List, Op::Small] {
        let key = match op {
            Op::List => "list_conversations",
            Op::Small => "get_conversation",
        };
        let mut group = c.benchmark_group(format!("{key}/sequential"));
        group.throughput(Throughput::Elements(1));
        group.bench_function("sdk", |b| {
            b.iter_custom(|n| rt.block_on(sequential(n as usize, || sdk_call(sdk, op))))
        });
        group.bench_function("reqwest", |b| {
            b.iter_custom(|n| rt.block_on(sequential(n as usize, || baseline_call(baseline, op))))
        });
        group.finish();

        let mut group = c.benchmark_group(format!("{key}/{IN_FLIGHT}-in-flight"));
        group.throughput(Throughput::Elements(IN_FLIGHT as u64));
        group.bench_function("sdk", |b| {
            b.iter_custom(|n| {
                rt.block_on(concurrent(n as usize * IN_FLIGHT, IN_FLIGHT, || {
                    sdk_call(sdk, op)
                }))
            })
        });
        group.bench_function("reqwest", |b| {
            b.iter_custom(|n| {
                rt.block_on(concurrent(n as usize * IN_FLIGHT, IN_FLIGHT, || {
                    baseline_call(baseline, op)
                }))
            })
        });
        group.finish();
    }
    let mut group = c.benchmark_group("decode/list_page");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function(BenchmarkId::new("sdk_envelope", body.len()), |b| {
        b.iter(|| sdk_decode(black_box(body)))
    });
    group.bench_function(BenchmarkId::new("derived_envelope", body.len()), |b| {
        b.iter(|| plain_decode(black_box(body)))
    });
    group.bench_function(BenchmarkId::new("data_only", data.len()), |b| {
        b.iter(|| data_only_decode(black_box(data)))
    });
    group.finish();
    c.final_summary();
}

fn decode_loop(n: usize, f: impl Fn(&[u8]) -> Vec<Conversation>, input: &[u8]) -> Duration {
    let started = Instant::now();
    for _ in 0..n {
        black_box(f(black_box(input)));
    }
    started.elapsed()
}

fn ratio_tables(
    rt: &tokio::runtime::Runtime,
    sdk: &crisp_api::Client,
    baseline: &Baseline,
    body: &[u8],
    data: &[u8],
    body_len: usize,
) {
    let rounds = env_usize("CRISP_BENCH_ROUNDS", 101);
    let scale = env_usize("CRISP_BENCH_SCALE", 1);
    let mut rows = Vec::new();
    for op in [Op::List, Op::Small] {
        let n = scale
            * match op {
                Op::List => 30,
                Op::Small => 100,
            };
        rows.push((
            interleaved(
                format!("{} sequential", op.name()),
                rounds,
                n,
                || rt.block_on(sequential(n, || sdk_call(sdk, op))),
                || rt.block_on(sequential(n, || baseline_call(baseline, op))),
            ),
            Some(0.95),
        ));
        let n = n * 8;
        rows.push((
            interleaved(
                format!("{} {IN_FLIGHT} in flight", op.name()),
                rounds,
                n,
                || rt.block_on(concurrent(n, IN_FLIGHT, || sdk_call(sdk, op))),
                || rt.block_on(concurrent(n, IN_FLIGHT, || baseline_call(baseline, op))),
            ),
            Some(0.95),
        ));
    }
    let n = scale * 100;
    rows.push((
        interleaved(
            "decode 26 KB page: SDK envelope vs derived envelope",
            rounds,
            n,
            || decode_loop(n, sdk_decode, body),
            || decode_loop(n, plain_decode, body),
        ),
        Some(0.95),
    ));
    rows.push((
        interleaved(
            "decode 26 KB page: SDK envelope vs data array only",
            rounds,
            n,
            || decode_loop(n, sdk_decode, body),
            || decode_loop(n, data_only_decode, data),
        ),
        Some(0.95),
    ));
    print_table(
        "SDK throughput / baseline throughput (same run, same server)",
        &rows,
    );

    // Allocations, counted on the client's threads only.
    let n = 200;
    let measure = |op: Op, use_sdk: bool| {
        count_allocations(n, |n| {
            rt.block_on(async {
                for _ in 0..n {
                    if use_sdk {
                        black_box(sdk_call(sdk, op).await);
                    } else {
                        black_box(baseline_call(baseline, op).await);
                    }
                }
            })
        })
    };
    println!();
    println!(
        "Allocations per call (client threads; 'large' = blocks of ≥ {} KiB; body = {body_len} B)",
        LARGE / 1024
    );
    println!(
        "| {:<44} | {:>8} | {:>10} | {:>6} |",
        "call", "allocs", "KiB alloc", "large"
    );
    println!("|{:-<46}|{:->10}|{:->12}|{:->8}|", "", "", "", "");
    let line = |name: String, s: AllocStats| {
        println!(
            "| {:<44} | {:>8.1} | {:>10.1} | {:>6.2} |",
            name,
            s.count,
            s.bytes / 1024.0,
            s.large
        )
    };
    for op in [Op::List, Op::Small] {
        line(format!("sdk {}", op.name()), measure(op, true));
        line(format!("reqwest {}", op.name()), measure(op, false));
    }
    // The state each call keeps while in flight (64 of them at once in the concurrent case).
    let sdk_future = std::mem::size_of_val(&sdk_call(sdk, Op::Small));
    let baseline_future = std::mem::size_of_val(&baseline_call(baseline, Op::Small));
    let decode = |f: fn(&[u8]) -> Vec<Conversation>, input: &[u8]| {
        count_allocations(n, |n| {
            for _ in 0..n {
                black_box(f(black_box(input)));
            }
        })
    };
    line("decode: SDK envelope".into(), decode(sdk_decode, body));
    line(
        "decode: derived envelope".into(),
        decode(plain_decode, body),
    );
    line(
        "decode: data array only".into(),
        decode(data_only_decode, data),
    );
    println!();
    println!("Size of one call's future: sdk {sdk_future} B, reqwest baseline {baseline_future} B");
}
