//! RTM against hostile scripted servers: a raw TCP server on 127.0.0.1 (on a thread and
//! runtime of its own) that writes WebSocket frames byte by byte, so it can do what no
//! well-behaved server does: stop reading, flood small frames after a large message, mask
//! its frames, answer the upgrade without its headers, echo the token key back, send a
//! Close, drop every connection at once.
//!
//! Each case failed on the hand-written framing this crate had before tokio-websockets (the
//! test name says what must hold); they use only the API that existed then.

mod log_capture;
mod scripted_socketio;

use crisp_api::rtm::{EventStream, Reconnect, RtmBuilder, RtmError, RtmErrorKind};
use crisp_api::{Client, Tier};
use futures::StreamExt as _;
use scripted_socketio::{
    accept, accept_and_handshake, accept_with, drain, frame, handshake, read_frame, read_text,
    serve, text, OP_CLOSE, OP_PONG, OP_TEXT,
};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt as _;
use tokio::net::TcpStream;

const IDENTIFIER: &str = "hostile-identifier";
const KEY: &str = "4f2a9c81d7e6b3a05c9e8d7f6a1b2c3d4e5f60718293a4b5c6d7e8f901a2b3c4";

fn client() -> Client {
    Client::builder()
        .credentials(IDENTIFIER, KEY)
        .tier(Tier::Plugin)
        .build()
        .unwrap()
}

/// RTM for `message:send` events from the scripted server at `addr`.
fn rtm(addr: SocketAddr) -> RtmBuilder {
    client()
        .rtm()
        .events(["message:send"])
        .host(format!("http://{addr}/"))
}

/// Connects to the scripted server at `addr`, never reconnecting.
async fn connect_once(addr: SocketAddr) -> EventStream {
    rtm(addr)
        .reconnect(Reconnect::never())
        .connect()
        .await
        .unwrap()
}

/// An Engine.IO open packet without `maxPayload`.
const OPEN: &str = r#"0{"sid":"h","upgrades":[],"pingInterval":25000,"pingTimeout":20000}"#;

/// Fails the test instead of hanging it.
async fn within<T>(limit: Duration, what: &str, future: impl Future<Output = T>) -> T {
    tokio::time::timeout(limit, future)
        .await
        .unwrap_or_else(|_| panic!("timed out after {limit:?} waiting for {what}"))
}

/// The error that ends the stream (skipping nothing: it must be the next item).
async fn final_error(events: &mut EventStream) -> RtmError {
    match within(Duration::from_secs(20), "the error", events.next()).await {
        Some(Err(error)) => {
            assert!(error.is_fatal(), "{error}");
            error
        }
        other => panic!("expected an error, got {other:?}"),
    }
}

/// Pings whose pongs are 60 kB each, sent forever; the server never reads again.
async fn flood_pings_never_read(mut stream: TcpStream) {
    accept_and_handshake(&mut stream).await;
    let ping = text(&format!("2{}", "p".repeat(60_000)));
    while stream.write_all(&ping).await.is_ok() {}
}

#[tokio::test(flavor = "current_thread")]
async fn a_server_that_stops_reading_loses_the_connection_within_the_write_deadline() {
    let addr = serve(|stream, _| flood_pings_never_read(stream));
    let mut events = rtm(addr)
        .timeout(Duration::from_millis(500))
        .reconnect(Reconnect::never())
        .connect()
        .await
        .unwrap();
    let started = Instant::now();
    let error = final_error(&mut events).await;
    assert_eq!(error.kind(), RtmErrorKind::Timeout, "{error}");
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(within(Duration::from_secs(5), "the end", events.next())
        .await
        .is_none());
}

#[tokio::test(flavor = "current_thread")]
async fn close_returns_at_once_while_a_server_is_not_reading() {
    let addr = serve(|stream, _| flood_pings_never_read(stream));
    let events = rtm(addr).connect().await.unwrap();
    // Time for the pongs to fill the socket buffers: the client is now stuck writing.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let started = Instant::now();
    within(Duration::from_secs(5), "close()", events.close()).await;
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test(flavor = "current_thread")]
async fn small_frames_after_a_large_message_are_read_in_linear_time_and_the_task_yields() {
    const PONGS: usize = 300_000;
    let addr = serve(|mut stream, _| async move {
        accept_and_handshake(&mut stream).await;
        // One valid message just under the 1 MiB limit, then many 2-byte pongs, then a
        // last event.
        let big = format!(
            r#"42["message:send",{{"n":"big","pad":"{}"}}]"#,
            "x".repeat(1_000_000)
        );
        stream.write_all(&text(&big)).await.unwrap();
        let pongs: Vec<u8> = frame(OP_PONG, b"", None).repeat(PONGS);
        stream.write_all(&pongs).await.unwrap();
        stream
            .write_all(&text(r#"42["message:send",{"n":"last"}]"#))
            .await
            .unwrap();
        drain(stream).await;
    });
    let mut events = connect_once(addr).await;

    // A timer of the consumer's, on the same thread as the connection task: how late does
    // it fire while the task reads?
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let ticker = tokio::spawn({
        let done = done.clone();
        async move {
            let mut latest = Duration::ZERO;
            while !done.load(Ordering::SeqCst) {
                let asked = Instant::now();
                tokio::time::sleep(Duration::from_millis(5)).await;
                latest = latest.max(asked.elapsed().saturating_sub(Duration::from_millis(5)));
            }
            latest
        }
    });

    let started = Instant::now();
    let mut seen = Vec::new();
    while seen.len() < 2 {
        match within(Duration::from_secs(30), "the events", events.next()).await {
            Some(Ok(crisp_api::events::Event::Other { data, .. })) => {
                seen.push(data["n"].as_str().unwrap_or_default().to_string())
            }
            other => panic!("expected an event, got {other:?}"),
        }
    }
    let elapsed = started.elapsed();
    done.store(true, Ordering::SeqCst);
    let latest = ticker.await.unwrap();
    println!("{PONGS} pongs after 1 MB read in {elapsed:?}; the consumer's timer was at most {latest:?} late");
    assert_eq!(seen, ["big", "last"]);
    assert!(elapsed < Duration::from_secs(15), "{elapsed:?}");
    assert!(latest < Duration::from_millis(500), "{latest:?}");
}

#[tokio::test]
async fn a_masked_server_frame_fails_the_connection() {
    let addr = serve(|mut stream, _| async move {
        accept_and_handshake(&mut stream).await;
        let event = br#"42["message:send",{"n":"masked"}]"#;
        stream
            .write_all(&frame(OP_TEXT, event, Some([7, 1, 9, 3])))
            .await
            .unwrap();
        drain(stream).await;
    });
    let mut events = connect_once(addr).await;
    let error = final_error(&mut events).await;
    assert_eq!(error.kind(), RtmErrorKind::Protocol, "{error}");
}

#[tokio::test]
async fn a_message_over_the_rtm_limit_fails_the_connection() {
    let addr = serve(|mut stream, _| async move {
        accept_and_handshake(&mut stream).await;
        // 2 MiB: over RTM's own 1 MiB limit (far under the 16 MiB REST body limit).
        let big = format!(r#"42["message:send",{{"pad":"{}"}}]"#, "x".repeat(2 << 20));
        let _ = stream.write_all(&text(&big)).await;
        drain(stream).await;
    });
    let mut events = connect_once(addr).await;
    let error = final_error(&mut events).await;
    assert_eq!(error.kind(), RtmErrorKind::Protocol, "{error}");
}

#[tokio::test]
async fn a_server_close_is_answered() {
    let (sender, answer) = tokio::sync::oneshot::channel();
    let sender = std::sync::Mutex::new(Some(sender));
    let addr = serve(move |mut stream, _| {
        let sender = sender.lock().unwrap().take();
        async move {
            accept_and_handshake(&mut stream).await;
            let mut close = 1000u16.to_be_bytes().to_vec();
            close.extend_from_slice(b"bye");
            stream
                .write_all(&frame(OP_CLOSE, &close, None))
                .await
                .unwrap();
            // What the client sends next, up to its close.
            let mut answered = None;
            while let Some((opcode, payload)) = read_frame(&mut stream).await {
                if opcode == OP_CLOSE {
                    answered = Some(payload);
                    break;
                }
            }
            if let Some(sender) = sender {
                let _ = sender.send(answered);
            }
        }
    });
    let _events = connect_once(addr).await;
    let answered = within(Duration::from_secs(10), "the client's close", answer)
        .await
        .unwrap();
    let payload = answered.expect("the client answered the close with a close");
    assert_eq!(&payload[..2], 1000u16.to_be_bytes());
}

#[tokio::test]
async fn a_switch_without_upgrade_and_connection_headers_is_refused() {
    let addr = serve(|mut stream, _| async move {
        accept_with(&mut stream, false).await;
        // The handshake, for a client that goes on (this crate's did, before).
        let _ = stream.write_all(&text(OPEN)).await;
        if read_frame(&mut stream).await.is_some() {
            let _ = stream.write_all(&text(r#"40{"sid":"s"}"#)).await;
        }
        drain(stream).await;
    });
    let error = rtm(addr)
        .timeout(Duration::from_secs(5))
        .connect()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), RtmErrorKind::Protocol, "{error}");
    assert!(error.to_string().contains("Upgrade"), "{error}");
}

#[tokio::test]
async fn a_server_that_accepts_and_drops_at_once_uses_up_the_attempts() {
    let connections = Arc::new(AtomicUsize::new(0));
    let counted = connections.clone();
    let addr = serve(move |mut stream, _| {
        counted.fetch_add(1, Ordering::SeqCst);
        async move {
            accept_and_handshake(&mut stream).await;
            // Even with the authentication confirmed, a connection that ends at once
            // does not count as established.
            let _ = stream.write_all(&text(r#"42["authenticated",true]"#)).await;
            drop(stream);
        }
    });
    let mut events = rtm(addr)
        .reconnect(
            Reconnect::default()
                .initial_delay(Duration::from_millis(10))
                .max_delay(Duration::from_millis(40))
                .max_attempts(3),
        )
        .connect()
        .await
        .unwrap();
    let mut notices = 0;
    let error = loop {
        match within(Duration::from_secs(20), "the end", events.next()).await {
            Some(Err(e)) if !e.is_fatal() => notices += 1,
            Some(Err(e)) => break e,
            other => panic!("expected the final error, got {other:?}"),
        }
    };
    assert_eq!(error.kind(), RtmErrorKind::Transport, "{error}");
    assert!(within(Duration::from_secs(5), "the end", events.next())
        .await
        .is_none());
    // The first connection and 3 attempts, each accepted and dropped.
    assert_eq!(connections.load(Ordering::SeqCst), 4);
    assert!(notices <= 3, "{notices}");
}

/// What a server echoing the key may send, in every form the client must never show: the
/// key, its base64, the Basic credentials, and parts of each.
fn echoes() -> Vec<String> {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    vec![
        KEY.to_string(),
        b64.encode(KEY),
        b64.encode(format!("{IDENTIFIER}:{KEY}")),
        KEY[7..19].to_string(),
        KEY[40..60].to_string(),
        b64.encode(KEY)[9..30].to_string(),
    ]
}

/// True when `text` shows the key, its base64 form or a 12-character part of either.
fn shows_the_key(text: &str) -> Option<String> {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let forms = [
        KEY.to_string(),
        b64.encode(KEY),
        b64.encode(format!("{IDENTIFIER}:{KEY}")),
    ];
    for form in &forms {
        let chars: Vec<char> = form.chars().collect();
        for part in chars.windows(12) {
            let part: String = part.iter().collect();
            // The identifier's own base64 is no secret.
            if b64.encode(IDENTIFIER).contains(&part) {
                continue;
            }
            if text.contains(&part) {
                return Some(part);
            }
        }
    }
    None
}

/// The Engine.IO open, then a socket.io connect error whose message quotes [`echoes`].
async fn refuse_the_namespace_quoting_the_key(mut stream: TcpStream) {
    stream.write_all(&text(OPEN)).await.unwrap();
    let _ = read_text(&mut stream).await;
    let message = serde_json::json!({ "message": echoes().join(" ") });
    let _ = stream.write_all(&text(&format!("44{message}"))).await;
    drain(stream).await;
}

#[tokio::test(flavor = "current_thread")]
async fn a_key_echoed_by_the_server_never_reaches_an_error_or_a_log_record() {
    // The connection task runs on this thread (current-thread runtime), under this
    // capture; the server runs on its own thread, outside it.
    let captured = log_capture::capture();
    let mut shown = Vec::new();

    // 1. Everything the read loop logs, then an `unauthorized` quoting the key.
    let addr = serve(|mut stream, _| async move {
        accept(&mut stream).await;
        let auth = handshake(&mut stream).await;
        let mut frames = Vec::new();
        for echo in echoes() {
            // An event named after the key (not subscribed to: logged at TRACE).
            frames.push(format!(r#"42["{echo}",{{}}]"#));
            // Not Engine.IO, not socket.io: logged at WARN with an excerpt.
            frames.push(format!("9{echo}"));
            frames.push(format!("4x{echo}"));
            frames.push(format!("42{{\"{echo}\"}}"));
        }
        // A malformed copy of the client's own authentication packet.
        frames.push(auth[..auth.len() - 2].to_string());
        frames.push(format!("9{}", &auth[2..]));
        frames.push(format!(
            r#"42["unauthorized",{{"message":"refused {}"}}]"#,
            echoes().join(" ")
        ));
        for f in frames {
            stream.write_all(&text(&f)).await.unwrap();
        }
        drain(stream).await;
    });
    let mut events = rtm(addr).connect().await.unwrap();
    let refused = final_error(&mut events).await;
    assert_eq!(refused.kind(), RtmErrorKind::Authentication, "{refused}");
    shown.push(format!("{refused} {refused:?}"));

    // 2. A namespace refusal quoting the key, during the handshake.
    let addr = serve(|mut stream, _| async move {
        accept(&mut stream).await;
        refuse_the_namespace_quoting_the_key(stream).await;
    });
    let error = rtm(addr).connect().await.unwrap_err();
    assert_eq!(error.kind(), RtmErrorKind::Protocol, "{error}");
    shown.push(format!("{error} {error:?}"));

    // 3. A bad Engine.IO open packet quoting the key.
    let addr = serve(|mut stream, _| async move {
        accept(&mut stream).await;
        let bad = format!(r#"0{{"sid":"{}"}}"#, echoes().join(" "));
        stream.write_all(&text(&bad)).await.unwrap();
        drain(stream).await;
    });
    let error = rtm(addr).connect().await.unwrap_err();
    shown.push(format!("{error} {error:?}"));

    // 4. The same in a reconnection: the handshake's error goes to a WARN record.
    let addr = serve(|mut stream, n| async move {
        accept(&mut stream).await;
        if n == 0 {
            handshake(&mut stream).await;
            return;
        }
        refuse_the_namespace_quoting_the_key(stream).await;
    });
    let mut events = rtm(addr)
        .reconnect(
            Reconnect::default()
                .initial_delay(Duration::from_millis(10))
                .max_delay(Duration::from_millis(20))
                .max_attempts(2),
        )
        .connect()
        .await
        .unwrap();
    let error = loop {
        match within(Duration::from_secs(20), "the end", events.next()).await {
            Some(Err(e)) if e.is_fatal() => break e,
            Some(_) => continue,
            None => panic!("ended without an error"),
        }
    };
    shown.push(format!("{error} {error:?}"));
    tokio::time::sleep(Duration::from_millis(50)).await;

    let logs = captured.text();
    assert!(
        logs.contains("crisp rtm: skipped"),
        "no RTM records:\n{logs}"
    );
    assert!(logs.contains("authentication refused"), "{logs}");
    assert!(logs.contains("TRACE"), "no TRACE records:\n{logs}");
    for text in shown.iter().chain([&logs]) {
        if let Some(part) = shows_the_key(text) {
            panic!("`{part}` (from the key) shows in:\n{text}");
        }
    }
}
