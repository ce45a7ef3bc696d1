//! One `Client`, shared: `Clone + Send + Sync`, one connection pool, 1,000 calls at once.

use crate::support::*;
use crisp_api::{Client, Config, Error, RetryPolicy};
use crisp_mock::{MockServer, Reply, ScriptedServer};
use crisp_wire_tests::{client_for, WEBSITE};
use std::time::Duration;

// Compile-time: the client, its configuration and its errors cross threads, and so does the
// future of a call.
const _: fn() = || {
    fn shared<T: Clone + Send + Sync + 'static>() {}
    fn thread_safe<T: Send + Sync + 'static>() {}
    shared::<Client>();
    shared::<Config>();
    shared::<RetryPolicy>();
    thread_safe::<Error>();
};

#[allow(dead_code)]
fn calls_are_send(client: &Client) {
    fn send<T: Send>(_: T) {}
    send(client.get_conversation("w", "s").send());
    send(client.check_conversation_exists("w", "s").send());
    send(client.create_new_conversation("w").send());
}

pub fn clones_and_overrides_share_one_pool() {
    block_on(async {
        let server = ScriptedServer::start(vec![Reply::ok(conversation("session_1"))]).await;
        let client = client(&server.url(), 1);
        let variants = [
            client.clone(),
            client.clone(),
            client.with_timeout(Duration::from_secs(7)),
            client.with_retry_policy(RetryPolicy::none()),
            client.with_timeout(Duration::from_secs(9)).clone(),
        ];
        for c in &variants {
            call_on(&server, c.get_conversation(WEBSITE, "session_1").send())
                .await
                .unwrap();
        }
        let peers: Vec<_> = server.served().iter().map(|s| s.peer).collect();
        assert_eq!(peers.len(), variants.len());
        assert!(
            peers.iter().all(|p| *p == peers[0]),
            "every call reused the first connection: {peers:?}"
        );
    })
}

pub fn a_thousand_concurrent_calls() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let server = MockServer::start().await;
        let sessions = server.with_store(|s| s.seed_conversations(WEBSITE, 10));
        let client = client_for(&server);
        let started = std::time::Instant::now();
        let tasks: Vec<_> = (0..1000)
            .map(|i| {
                let client = client.clone();
                let session = sessions[i % sessions.len()].clone();
                tokio::spawn(async move {
                    match i % 4 {
                        0 => call(client.get_conversation(WEBSITE, &session).send())
                            .await
                            .map(|c| assert_eq!(c.session_id, session)),
                        1 => call(client.list_conversations(WEBSITE, 1).send())
                            .await
                            .map(|page| assert_eq!(page.len(), 10)),
                        2 => call(client.check_conversation_exists(WEBSITE, &session).send())
                            .await
                            .map(|exists| assert!(exists)),
                        _ => call(
                            client
                                .send_message_in_conversation(
                                    WEBSITE,
                                    &session,
                                    text(&format!("message {i}")),
                                )
                                .send(),
                        )
                        .await
                        .map(|_| ()),
                    }
                })
            })
            .collect();
        let mut failures = Vec::new();
        for (i, task) in futures::future::join_all(tasks)
            .await
            .into_iter()
            .enumerate()
        {
            match task.expect("no task panicked") {
                Ok(()) => {}
                Err(e) => failures.push(format!("call {i}: {e}")),
            }
        }
        assert!(
            failures.is_empty(),
            "{} failed: {:?}",
            failures.len(),
            &failures[..failures.len().min(5)]
        );
        assert_eq!(
            server.requests().len(),
            1000,
            "one request per call, no retries"
        );
        // The 250 messages are all there, once each.
        let posted = server
            .requests()
            .iter()
            .filter(|r| r.method == "POST")
            .count();
        assert_eq!(posted, 250);
        println!("    (1,000 concurrent calls in {:?})", started.elapsed());
    });
}
