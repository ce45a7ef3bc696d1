//! Timeouts: per attempt on the builder and per call, connect timeout, slow headers and a
//! body that stalls.

use crate::support::*;
use crisp_api::{Client, ErrorKind, RetryPolicy};
use crisp_mock::{Reply, ScriptedServer};
use crisp_wire_tests::WEBSITE;
use std::time::{Duration, Instant};

/// Fails the case instead of hanging when the SDK does not give up by itself.
async fn bounded<F: std::future::Future>(fut: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(10), fut)
        .await
        .expect("the call hung: no timeout fired")
}

pub fn slow_headers_time_out_per_builder_setting() {
    block_on(async {
        let server = ScriptedServer::start(vec![
            Reply::ok(conversation("session_1")).delay(Duration::from_secs(3))
        ])
        .await;
        let client = builder(&server.url(), 1)
            .timeout(Duration::from_millis(200))
            .build()
            .unwrap();
        assert_eq!(client.config().timeout(), Some(Duration::from_millis(200)));
        let started = Instant::now();
        let e = expect_err(bounded(call_on(&server, get(&client))).await);
        let took = started.elapsed();
        assert_kind(&e, ErrorKind::Timeout);
        assert_eq!(e.status(), None);
        assert!(
            took >= Duration::from_millis(180) && took < Duration::from_secs(2),
            "{took:?}"
        );
    })
}

pub fn per_call_timeout_overrides_the_builder() {
    block_on(async {
        // Shorter per call.
        let server = ScriptedServer::start(vec![
            Reply::ok(conversation("session_1")).delay(Duration::from_millis(800))
        ])
        .await;
        let client = client(&server.url(), 1); // 5 s on the builder
        let started = Instant::now();
        let e = expect_err(
            bounded(call_on(
                &server,
                get(&client.with_timeout(Duration::from_millis(150))),
            ))
            .await,
        );
        assert_kind(&e, ErrorKind::Timeout);
        assert!(started.elapsed() < Duration::from_millis(700));

        // Longer per call than the builder's.
        let server = ScriptedServer::start(vec![
            Reply::ok(conversation("session_1")).delay(Duration::from_millis(300))
        ])
        .await;
        let client = builder(&server.url(), 1)
            .timeout(Duration::from_millis(100))
            .build()
            .unwrap();
        let e = expect_err(bounded(call_on(&server, get(&client))).await);
        assert_kind(&e, ErrorKind::Timeout);
        let patient = client.with_timeout(Duration::from_secs(3));
        let got = bounded(call_on(&server, get(&patient))).await.unwrap();
        assert_eq!(got.session_id, "session_1");
        // The override did not change the original client.
        assert_eq!(client.config().timeout(), Some(Duration::from_millis(100)));
    })
}

pub fn stalled_body_times_out_instead_of_hanging() {
    block_on(async {
        let body = serde_json::json!({"error": false, "reason": "resolved",
            "data": conversation("session_1")})
        .to_string();
        for reply in [
            // Chunked, stalls after 10 bytes.
            Reply::raw(200, body.clone()).stall_after(10),
            // A Content-Length that is never reached.
            Reply::raw(200, body.clone())
                .stall_after(10)
                .header("content-length", &body.len().to_string()),
        ] {
            let server = ScriptedServer::start(vec![reply]).await;
            let client = builder(&server.url(), 1)
                .timeout(Duration::from_millis(300))
                .build()
                .unwrap();
            let started = Instant::now();
            let e = expect_err(bounded(call_on(&server, get(&client))).await);
            assert_kind(&e, ErrorKind::Timeout);
            assert!(started.elapsed() < Duration::from_secs(2));
        }

        // A stalled error body keeps the status's kind: a stalled 429 is still a rate limit
        // (retried, even for POST), a stalled 503 a server error.
        let server = ScriptedServer::start(vec![
            Reply::raw(429, "{\"error\":true,").stall_after(5),
            Reply::ok(serde_json::json!({"fingerprint": 7})),
        ])
        .await;
        let client = builder(&server.url(), 3)
            .timeout(Duration::from_millis(200))
            .build()
            .unwrap();
        let sent = bounded(call_on(
            &server,
            client
                .send_message_in_conversation(WEBSITE, "session_1", text("hi"))
                .send(),
        ))
        .await
        .unwrap();
        assert_eq!(sent.fingerprint, Some(7));

        let server = ScriptedServer::start(vec![Reply::raw(503, "<html>").stall_after(3)]).await;
        let client = builder(&server.url(), 1)
            .timeout(Duration::from_millis(200))
            .build()
            .unwrap();
        let e = expect_err(bounded(call_on(&server, get(&client))).await);
        assert_kind(&e, ErrorKind::Server);
        assert_eq!(e.status(), Some(503));
    })
}

/// A listener whose accept queue is full: the kernel drops further SYNs, so a connect hangs
/// until the client gives up. The returned streams keep the queue full.
fn unconnectable() -> (String, tokio::net::TcpListener, Vec<std::net::TcpStream>) {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(1).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut fillers = Vec::new();
    for _ in 0..8 {
        match std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(100)) {
            Ok(s) => fillers.push(s),
            Err(_) => break,
        }
    }
    (format!("http://{addr}/v1"), listener, fillers)
}

pub fn connect_timeout_is_applied_and_retried() {
    block_on(async {
        let (url, _listener, _fillers) = unconnectable();
        let client = Client::builder()
            .base_url(&url)
            .credentials(IDENTIFIER, KEY)
            .connect_timeout(Duration::from_millis(150))
            .timeout(Duration::from_secs(5))
            .retry_policy(fast(2))
            .build()
            .unwrap();
        let started = Instant::now();
        // A POST: a connection never opened is safe to retry.
        let e = expect_err(
            bounded(call(
                client
                    .send_message_in_conversation(WEBSITE, "session_1", text("hi"))
                    .send(),
            ))
            .await,
        );
        let took = started.elapsed();
        assert_kind(&e, ErrorKind::Timeout);
        assert!(e.is_connect(), "{e:?}");
        assert_eq!(e.attempts(), 2, "{e}");
        assert!(
            took >= Duration::from_millis(280) && took < Duration::from_secs(3),
            "{took:?}"
        );

        let once = client.with_retry_policy(RetryPolicy::none());
        let e = expect_err(bounded(call(get(&once))).await);
        assert_kind(&e, ErrorKind::Timeout);
        assert_eq!(e.attempts(), 1);
    })
}
