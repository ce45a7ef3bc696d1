//! The memory an RTM connection holds for a consumer that stopped reading, measured with a
//! counting allocator (this file's only test, so nothing else allocates meanwhile).
//!
//! A scripted server sends 32 MiB of events (1,024 events of 32 KiB, each an array of
//! 16,000 small numbers: the shape that costs the most once parsed into a JSON tree) to a
//! client with the default settings whose consumer reads nothing. What the process holds at
//! the end, over what it held before connecting, must stay near the byte limit of the
//! buffer (8 MiB by default) plus one message: waiting events are kept as their text, and
//! the oldest are dropped past the limit. Before, the queue was bounded in events only and
//! held parsed trees: 32 MiB received became ~514 MiB held.
//!
//! `cargo test -p crisp-wire-tests --test realtime_memory -- --nocapture` prints the figure.

mod scripted_socketio;

use scripted_socketio::{accept_and_handshake, drain, serve, text};
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};
use std::alloc::System;
use std::time::Duration;
use tokio::io::AsyncWriteExt as _;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const EVENTS: u64 = 1024;
const EVENT_BYTES: usize = 32 * 1024;

fn live(region: &Region<System>) -> isize {
    let change = region.change();
    change.bytes_allocated as isize - change.bytes_deallocated as isize + change.bytes_reallocated
}

#[test]
fn a_stalled_consumer_holds_a_bounded_number_of_bytes() {
    // The frame is built before measuring and reused for every event.
    let numbers = vec!["1"; (EVENT_BYTES - 40) / 2].join(",");
    let event = text(&format!(r#"42["message:send",[{numbers}]]"#));
    assert!(event.len() <= EVENT_BYTES + 16);
    let addr = serve(move |mut stream, _| {
        let event = event.clone();
        async move {
            accept_and_handshake(&mut stream).await;
            for _ in 0..EVENTS {
                if stream.write_all(&event).await.is_err() {
                    return;
                }
            }
            drain(stream).await;
        }
    });

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let region = Region::new(GLOBAL);
    let held = runtime.block_on(async {
        let client = crisp_api::Client::builder()
            .credentials("identifier", "key")
            .tier(crisp_api::Tier::Plugin)
            .build()
            .unwrap();
        let events = client
            .rtm()
            .events(["message:send"])
            .host(format!("http://{addr}/"))
            .connect()
            .await
            .unwrap();
        // The consumer reads nothing; wait until every event reached the client.
        tokio::time::timeout(Duration::from_secs(60), async {
            while events.dropped() + events.queued() as u64 != EVENTS {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await
        .expect("every event reached the client within 60 s");
        // Let the connection task settle (nothing more arrives).
        tokio::time::sleep(Duration::from_millis(200)).await;
        let held = live(&region);
        println!(
            "received {} MiB of events; held {:.1} MiB ({held} bytes) for a stalled consumer: \
             {} events queued, {} dropped",
            (EVENTS as usize * EVENT_BYTES) >> 20,
            held as f64 / (1024.0 * 1024.0),
            events.queued(),
            events.dropped(),
        );
        drop(events);
        held
    });
    // The buffer's 8 MiB, one message's read buffer (at most the 1 MiB limit) and the
    // connection's own state.
    assert!(held < 12 * 1024 * 1024, "{held} bytes held");
    assert!(held > 0);
}
