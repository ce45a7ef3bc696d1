//! RTM (real-time events over socket.io) at the wire: `crisp_api::rtm` against the mock's
//! RTM router (`crisp_mock::realtime`, socketioxide) in a small axum app, and against a
//! hand-written socket.io server for what a well-behaved server never sends.

use crisp_api::events::Event;
mod log_capture;

use crisp_api::rtm::{EventStream, Reconnect, RtmBuilder, RtmErrorKind};
use crisp_api::{Client, Tier};
use crisp_mock::realtime::{self, MockEvent, RealtimeHandle};
use futures::{SinkExt as _, StreamExt as _};
use serde_json::{json, Value};
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::sync::broadcast;
use tokio_tungstenite::tungstenite::Message;

const IDENTIFIER: &str = "rtm-identifier";
const KEY: &str = "rtm-secret-key-0123456789";

/// A test app: the mock's RTM router and the broadcast channel that feeds it.
struct App {
    addr: SocketAddr,
    rtm: RealtimeHandle,
    events: broadcast::Sender<MockEvent>,
}

impl App {
    async fn start() -> App {
        App::start_with(1024, axum::Router::new()).await
    }

    /// With a channel of `capacity` events, and `extra` routes merged beside the RTM router.
    async fn start_with(capacity: usize, extra: axum::Router) -> App {
        let (events, _) = broadcast::channel(capacity);
        let (router, rtm) = realtime::router(IDENTIFIER, KEY, events.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = router.merge(extra);
        tokio::spawn(async move { axum::serve(listener, app).await });
        App { addr, rtm, events }
    }

    fn socket_url(&self) -> String {
        format!("http://{}{}", self.addr, realtime::SOCKET_PATH)
    }

    fn client(&self, key: &str) -> Client {
        Client::builder()
            .base_url(format!("http://{}/v1", self.addr))
            .tier(Tier::Plugin)
            .credentials(IDENTIFIER, key)
            .build()
            .unwrap()
    }

    /// RTM for `message:send` events from the mock, with the credentials of `key`.
    fn message_send(&self, key: &str) -> RtmBuilder {
        self.client(key)
            .rtm()
            .events(["message:send"])
            .host(self.socket_url())
    }

    async fn connect(&self, events: &[&str]) -> EventStream {
        self.client(KEY)
            .rtm()
            .events(events.iter().copied())
            .host(self.socket_url())
            .reconnect(fast_reconnect())
            .connect()
            .await
            .unwrap()
    }

    fn publish(&self, name: &str, payload: Value) {
        self.events
            .send(MockEvent::new("website-1", name, payload))
            .unwrap();
    }
}

fn fast_reconnect() -> Reconnect {
    Reconnect::default()
        .initial_delay(Duration::from_millis(20))
        .max_delay(Duration::from_millis(100))
}

/// Fails the test instead of hanging it.
async fn within<T>(what: &str, future: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(20), future)
        .await
        .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
}

/// The next event the stream yields.
async fn next(events: &mut EventStream) -> Event {
    match within("an event", events.next()).await {
        Some(Ok(event)) => event,
        other => panic!("expected an event, got {other:?}"),
    }
}

/// The next item, which must say that the connection was re-established (after events
/// may have been missed); returns when the connection was lost.
async fn reconnected(events: &mut EventStream) -> std::time::SystemTime {
    match within("the reconnection notice", events.next()).await {
        Some(Err(notice)) if notice.kind() == RtmErrorKind::Reconnected => {
            assert!(!notice.is_fatal());
            notice.lost_at().expect("when the connection was lost")
        }
        other => panic!("expected the reconnection notice, got {other:?}"),
    }
}

/// An event as a test published it: its name and its payload as sent.
#[derive(Debug)]
struct Raw {
    name: String,
    data: Value,
}

/// The next event, which must be untyped: these tests publish payloads that are not Crisp's
/// (`{"n": 1}`, a string, `null`, …), so the SDK yields each as [`Event::Other`], with its
/// name and its payload exactly as sent.
async fn next_event(events: &mut EventStream) -> Raw {
    match next(events).await {
        Event::Other { name, data } => Raw { name, data },
        typed => panic!("expected an untyped event, got {typed:?}"),
    }
}

#[tokio::test]
async fn a_subscribed_event_reaches_the_client() {
    let app = App::start().await;
    let mut events = app.connect(&["message:send"]).await;
    within("authentication", app.rtm.wait_for_authenticated(1)).await;

    app.publish(
        "message:send",
        json!({"session_id": "s1", "content": "hello"}),
    );
    let event = next_event(&mut events).await;
    assert_eq!(event.name, "message:send");
    // The mock adds `website_id`, as every website-scoped Crisp payload has it.
    assert_eq!(
        event.data,
        json!({"website_id": "website-1", "session_id": "s1", "content": "hello"})
    );

    // The server saw Crisp's authentication message.
    let authentications = app.rtm.authentications();
    assert_eq!(authentications.len(), 1);
    assert_eq!(authentications[0].username.as_deref(), Some(IDENTIFIER));
    assert_eq!(authentications[0].tier.as_deref(), Some("plugin"));
    assert_eq!(authentications[0].events, ["message:send"]);
    assert!(authentications[0].accepted);
}

#[tokio::test]
async fn events_not_subscribed_to_are_not_delivered() {
    let app = App::start().await;
    let mut events = app.connect(&["message:send"]).await;
    within("authentication", app.rtm.wait_for_authenticated(1)).await;

    app.publish("session:set_state", json!({"state": "resolved"}));
    app.publish("message:received", json!({"content": "no"}));
    app.publish("message:send", json!({"content": "yes"}));
    let event = next_event(&mut events).await;
    assert_eq!(event.name, "message:send");
    assert_eq!(event.data["content"], "yes");
    // Only that one went over the wire, and nothing else is waiting.
    assert_eq!(app.rtm.emitted(), 1);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(events.queued(), 0);
}

#[tokio::test]
async fn wrong_credentials_end_the_stream_with_an_authentication_error() {
    let app = App::start().await;
    let mut events = app
        .client("not-the-key")
        .rtm()
        .events(["message:send"])
        .host(app.socket_url())
        .reconnect(fast_reconnect())
        .connect()
        .await
        .unwrap();
    let error = match within("the refusal", events.next()).await {
        Some(Err(error)) => error,
        other => panic!("expected an error, got {other:?}"),
    };
    assert_eq!(error.kind(), RtmErrorKind::Authentication);
    assert!(error.is_fatal());
    assert!(error.to_string().contains("unauthorized"), "{error}");
    assert!(within("the end", events.next()).await.is_none());
    // It did not retry with the refused credentials.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let authentications = app.rtm.authentications();
    assert_eq!(authentications.len(), 1);
    assert!(!authentications[0].accepted);
}

#[tokio::test]
async fn after_a_drop_the_client_reconnects_authenticates_again_and_keeps_receiving() {
    let app = App::start().await;
    let mut events = app.connect(&["message:send", "session:set_state"]).await;
    within("authentication", app.rtm.wait_for_authenticated(1)).await;
    app.publish("message:send", json!({"n": 1}));
    assert_eq!(next_event(&mut events).await.data["n"], 1);

    app.rtm.drop_all_connections().await;
    within(
        "the second authentication",
        app.rtm
            .wait_until(|rtm| rtm.authentications().len() >= 2 && rtm.authenticated() == 1),
    )
    .await;
    let authentications = app.rtm.authentications();
    assert_eq!(authentications.len(), 2);
    assert_eq!(authentications[0], authentications[1]);
    assert_eq!(
        authentications[1].events,
        ["message:send", "session:set_state"]
    );

    // The consumer is told, in order, that the connection came back: events sent while it
    // was down are missed, and a bot catches up through the REST API.
    let dropped_at = std::time::SystemTime::now();
    let lost_at = reconnected(&mut events).await;
    assert!(lost_at <= dropped_at);
    app.publish("session:set_state", json!({"state": "resolved"}));
    let event = next_event(&mut events).await;
    assert_eq!(event.name, "session:set_state");
    assert_eq!(event.data["state"], "resolved");

    // And again: the subscription survives every reconnection.
    app.rtm.drop_all_connections().await;
    within(
        "the third authentication",
        app.rtm
            .wait_until(|rtm| rtm.authentications().len() >= 3 && rtm.authenticated() == 1),
    )
    .await;
    app.publish("message:send", json!({"n": 3}));
    reconnected(&mut events).await;
    assert_eq!(next_event(&mut events).await.data["n"], 3);
    assert_eq!(app.rtm.connected(), 1);
}

#[tokio::test]
async fn without_reconnection_a_drop_ends_the_stream_with_its_error() {
    let app = App::start().await;
    let mut events = app
        .message_send(KEY)
        .reconnect(Reconnect::never())
        .connect()
        .await
        .unwrap();
    within("authentication", app.rtm.wait_for_authenticated(1)).await;
    app.rtm.drop_all_connections().await;
    let error = match within("the error", events.next()).await {
        Some(Err(error)) => error,
        other => panic!("expected an error, got {other:?}"),
    };
    assert_eq!(error.kind(), RtmErrorKind::Transport, "{error}");
    assert!(within("the end", events.next()).await.is_none());
    assert_eq!(app.rtm.authentications().len(), 1);
}

#[tokio::test]
async fn unknown_event_names_and_unexpected_payloads_arrive_as_raw_events() {
    let app = App::start().await;
    let mut events = app.connect(&["x:not-a-crisp-event", "message:send"]).await;
    within("authentication", app.rtm.wait_for_authenticated(1)).await;

    app.publish("x:not-a-crisp-event", json!({"anything": [1, 2, 3]}));
    app.publish("message:send", json!("a string, not an object"));
    app.publish("message:send", json!([1, "two", null]));
    app.publish("message:send", Value::Null);

    let unknown = next_event(&mut events).await;
    assert_eq!(unknown.name, "x:not-a-crisp-event");
    assert_eq!(unknown.data["anything"], json!([1, 2, 3]));
    assert_eq!(
        next_event(&mut events).await.data,
        json!("a string, not an object")
    );
    assert_eq!(next_event(&mut events).await.data, json!([1, "two", null]));
    assert_eq!(next_event(&mut events).await.data, Value::Null);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_consumer_keeps_memory_bounded_and_is_told_what_it_missed() {
    const TOTAL: u64 = 100_000;
    const CAPACITY: usize = 64;
    // The channel holds every published event, so that the mock forwards them all.
    let app = App::start_with(TOTAL as usize + 16, axum::Router::new()).await;
    let mut events = app
        .message_send(KEY)
        .buffer(CAPACITY)
        .connect()
        .await
        .unwrap();
    within("authentication", app.rtm.wait_for_authenticated(1)).await;

    for n in 0..TOTAL {
        app.publish("message:send", json!({ "n": n }));
    }
    // The consumer reads nothing meanwhile; the buffer never holds more than its capacity.
    let mut highest = 0;
    within("every event to reach the client", async {
        loop {
            let queued = events.queued();
            highest = highest.max(queued);
            assert!(queued <= CAPACITY, "{queued} events queued");
            if app.rtm.emitted() == TOTAL && events.dropped() + queued as u64 == TOTAL {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    assert_eq!(events.queued(), CAPACITY);
    assert_eq!(highest, CAPACITY);
    assert_eq!(app.rtm.lagged(), 0, "the mock itself dropped events");

    // First what was missed, then the newest events in order.
    let lag = match events.next().await {
        Some(Err(error)) => error,
        other => panic!("expected the lag, got {other:?}"),
    };
    assert_eq!(lag.kind(), RtmErrorKind::Lagged);
    assert!(!lag.is_fatal());
    assert_eq!(lag.lagged(), Some(TOTAL - CAPACITY as u64));
    for n in TOTAL - CAPACITY as u64..TOTAL {
        assert_eq!(next_event(&mut events).await.data["n"], n);
    }
    assert_eq!(events.queued(), 0);

    // The stream goes on after the lag.
    app.publish("message:send", json!({"n": "after"}));
    assert_eq!(next_event(&mut events).await.data["n"], "after");
}

#[tokio::test]
async fn dropping_the_stream_closes_the_socket() {
    let app = App::start().await;
    let events = app.connect(&["message:send"]).await;
    within("authentication", app.rtm.wait_for_authenticated(1)).await;
    assert_eq!(app.rtm.connected(), 1);
    drop(events);
    within(
        "the disconnection",
        app.rtm.wait_until(|rtm| rtm.connected() == 0),
    )
    .await;

    let events = app.connect(&["message:send"]).await;
    within("authentication", app.rtm.wait_for_authenticated(1)).await;
    within("close", events.close()).await;
    within(
        "the disconnection",
        app.rtm.wait_until(|rtm| rtm.connected() == 0),
    )
    .await;
}

#[tokio::test]
async fn rebind_sends_socket_bind_at_most_every_two_and_a_half_seconds() {
    let app = App::start().await;
    let mut events = app.connect(&["message:send"]).await;
    within("authentication", app.rtm.wait_for_authenticated(1)).await;
    events.rebind().unwrap();
    within("socket:bind", app.rtm.wait_until(|rtm| rtm.rebinds() == 1)).await;
    let too_soon = events.rebind().unwrap_err();
    assert_eq!(too_soon.kind(), RtmErrorKind::Configuration);
    assert_eq!(app.rtm.rebinds(), 1);
}

#[tokio::test]
async fn a_subscription_change_rebinds_no_more_often_than_every_two_and_a_half_seconds() {
    let app = App::start().await;
    let mut events = app
        .message_send(KEY)
        .rebind_on_change(true)
        .connect()
        .await
        .unwrap();
    within("authentication", app.rtm.wait_for_authenticated(1)).await;
    // Crisp is asked for the subscription changes beside the events the consumer wants.
    assert_eq!(
        app.rtm.authentications()[0].events,
        ["message:send", "plugin:subscription:updated"]
    );
    let change = json!({"plugin_id": "p", "bound": true, "target": "website-2"});
    let started = std::time::Instant::now();
    app.publish("plugin:subscription:updated", change.clone());
    within(
        "the first bind",
        app.rtm.wait_until(|rtm| rtm.rebinds() == 1),
    )
    .await;
    // Two more changes at once: bound together, once 2.5 s have passed since the first.
    app.publish("plugin:subscription:updated", change.clone());
    app.publish("plugin:subscription:updated", change);
    within(
        "the second bind",
        app.rtm.wait_until(|rtm| rtm.rebinds() == 2),
    )
    .await;
    assert!(
        started.elapsed() >= Duration::from_millis(2500),
        "{:?}",
        started.elapsed()
    );
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(app.rtm.rebinds(), 2);
    // The change itself was not asked for: it never reaches the stream.
    app.publish("message:send", json!({"n": 1}));
    assert_eq!(next_event(&mut events).await.data["n"], 1);
    assert_eq!(events.queued(), 0);
}

#[tokio::test]
async fn without_the_option_a_subscription_change_is_only_an_event() {
    let app = App::start().await;
    let mut events = app
        .connect(&["plugin:subscription:updated", "message:send"])
        .await;
    within("authentication", app.rtm.wait_for_authenticated(1)).await;
    app.publish("plugin:subscription:updated", json!({"plugin_id": "p"}));
    assert_eq!(
        next(&mut events).await.name(),
        "plugin:subscription:updated"
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(app.rtm.rebinds(), 0);
}

/// `GET /v1/plugin/connect/endpoints`, answering like Crisp when the credentials and tier
/// are right.
fn endpoints(socket_app: String) -> axum::Router {
    use axum::http::{HeaderMap, StatusCode};
    use axum::routing::get;
    use base64::Engine as _;
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{IDENTIFIER}:{KEY}"))
    );
    axum::Router::new().route(
        "/v1/plugin/connect/endpoints",
        get(move |headers: HeaderMap| {
            let expected = expected.clone();
            let socket_app = socket_app.clone();
            async move {
                let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
                if header("authorization") != Some(expected.as_str())
                    || header("x-crisp-tier") != Some("plugin")
                {
                    return (
                        StatusCode::UNAUTHORIZED,
                        axum::Json(json!({"error": true, "reason": "invalid_session", "data": {}})),
                    );
                }
                (
                    StatusCode::OK,
                    axum::Json(json!({
                        "error": false,
                        "reason": "resolved",
                        "data": {"socket": {"app": socket_app}}
                    })),
                )
            }
        }),
    )
}

#[tokio::test]
async fn the_socket_url_comes_from_connect_endpoints() {
    // The endpoint's answer needs the app's address: bind first, then build the app.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (events_tx, _) = broadcast::channel(16);
    let (router, rtm) = realtime::router(IDENTIFIER, KEY, events_tx.clone());
    let socket_app = format!("http://{addr}{}", realtime::SOCKET_PATH);
    let app = router.merge(endpoints(socket_app.clone()));
    tokio::spawn(async move { axum::serve(listener, app).await });
    let client = |key: &str| {
        Client::builder()
            .base_url(format!("http://{addr}/v1"))
            .tier(Tier::Plugin)
            .credentials(IDENTIFIER, key)
            .build()
            .unwrap()
    };

    let mut events = client(KEY)
        .rtm()
        .events(["message:send"])
        .connect()
        .await
        .unwrap();
    assert_eq!(events.socket_url(), socket_app);
    within("authentication", rtm.wait_for_authenticated(1)).await;
    events_tx
        .send(MockEvent::new(
            "w",
            "message:send",
            json!({"content": "found"}),
        ))
        .unwrap();
    assert_eq!(next_event(&mut events).await.data["content"], "found");

    // Refused by the REST API: an endpoint error carrying the REST error.
    let error = client("wrong-key")
        .rtm()
        .events(["message:send"])
        .connect()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), RtmErrorKind::Endpoint);
    let rest = std::error::Error::source(&error)
        .and_then(|s| s.downcast_ref::<crisp_api::Error>())
        .expect("the REST error");
    assert_eq!(rest.kind(), crisp_api::ErrorKind::Authentication);
    assert_eq!(rest.status(), Some(401));
    assert!(!format!("{error} {error:?}").contains("wrong-key"));
}

#[tokio::test]
async fn the_first_connection_failing_is_an_error_of_connect() {
    // Nothing listens there.
    let closed = {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        listener.local_addr().unwrap()
    };
    let app = App::start().await;
    let refused = app
        .client(KEY)
        .rtm()
        .events(["message:send"])
        .host(format!("http://{closed}/rtm/"))
        .connect()
        .await
        .unwrap_err();
    assert_eq!(refused.kind(), RtmErrorKind::Transport, "{refused}");

    // Something that is not socket.io answers.
    let not_socketio = app
        .client(KEY)
        .rtm()
        .events(["message:send"])
        .host(format!("http://{}/elsewhere/", app.addr))
        .connect()
        .await
        .unwrap_err();
    assert_eq!(not_socketio.kind(), RtmErrorKind::Transport);
    assert!(
        not_socketio.to_string().contains("HTTP 404"),
        "{not_socketio}"
    );

    // Something that accepts the connection and never answers.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent_addr = silent.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = silent.accept().await {
            held.push(stream);
        }
    });
    let timed_out = app
        .client(KEY)
        .rtm()
        .events(["message:send"])
        .host(format!("http://{silent_addr}/"))
        .timeout(Duration::from_millis(300))
        .connect()
        .await
        .unwrap_err();
    assert_eq!(timed_out.kind(), RtmErrorKind::Timeout, "{timed_out}");
}

#[tokio::test(flavor = "current_thread")]
async fn debug_display_and_tracing_never_show_the_key() {
    // A current-thread runtime: the connection task runs on this thread, under this
    // capture. Records of the `log` crate (which dependencies such as a WebSocket library
    // may use) are captured too.
    let captured = log_capture::capture();
    let _ = tracing_log::LogTracer::init();

    // The server runs on a thread and runtime of its own, outside the subscriber: it
    // receives the key, and its libraries may log what they receive; only the client's
    // output is under test.
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            sender.send(App::start().await).unwrap();
            std::future::pending::<()>().await;
        });
    });
    let app = receiver.recv().unwrap();
    let mut shown = Vec::new();

    // A connection that works, is dropped and comes back.
    let rtm = app.message_send(KEY);
    shown.push(format!("{rtm:?}"));
    let mut events = rtm.reconnect(fast_reconnect()).connect().await.unwrap();
    within("authentication", app.rtm.wait_for_authenticated(1)).await;
    app.rtm.drop_all_connections().await;
    within(
        "reconnection",
        app.rtm
            .wait_until(|rtm| rtm.authentications().len() == 2 && rtm.authenticated() == 1),
    )
    .await;
    app.publish("message:send", json!({"content": "x"}));
    match within("the reconnection notice", events.next()).await {
        Some(Err(notice)) => shown.push(format!("{notice} {notice:?}")),
        other => panic!("expected the reconnection notice, got {other:?}"),
    }
    let event = next(&mut events).await;
    shown.push(format!("{event:?} {events:?}"));
    drop(events);

    // Refused credentials whose key is a secret too.
    let wrong = "wrong-secret-key-9876543210";
    let mut refused = app.message_send(wrong).connect().await.unwrap();
    shown.push(format!("{refused:?}"));
    if let Some(Err(error)) = within("the refusal", refused.next()).await {
        shown.push(format!("{error} {error:?}"));
    } else {
        panic!("expected the refusal");
    }

    // A connection that fails.
    let error = app
        .client(KEY)
        .rtm()
        .events(["message:send"])
        .host(format!("http://{}/elsewhere/", app.addr))
        .connect()
        .await
        .unwrap_err();
    shown.push(format!("{error} {error:?}"));
    tokio::time::sleep(Duration::from_millis(50)).await;

    let logs = captured.text();
    // Records of the `log` crate were captured too (reqwest's TLS set-up, hyper, …).
    assert!(
        logs.contains("log.target"),
        "no `log` records captured:\n{logs}"
    );
    assert!(
        logs.contains("crisp rtm: connected"),
        "no RTM logs captured:\n{logs}"
    );
    assert!(logs.contains("reconnecting"), "{logs}");
    for text in shown.iter().chain([&logs]) {
        assert!(!text.contains(KEY), "the key shows in: {text}");
        assert!(!text.contains(wrong), "the key shows in: {text}");
    }
}

/// A hand-written socket.io server: it accepts WebSocket connections, does the Engine.IO
/// and socket.io handshakes with the given heartbeat, hands the client's `authentication`
/// frame to the test, answers pings, then sends `frames` and waits for the client to leave.
struct RawServer {
    addr: SocketAddr,
    authentications: tokio::sync::mpsc::UnboundedReceiver<String>,
    pongs: tokio::sync::mpsc::UnboundedReceiver<String>,
}

impl RawServer {
    async fn start(ping_interval_ms: u64, ping: bool, frames: Vec<Message>) -> RawServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (auth_tx, authentications) = tokio::sync::mpsc::unbounded_channel();
        let (pong_tx, pongs) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let auth_tx = auth_tx.clone();
                let pong_tx = pong_tx.clone();
                let frames = frames.clone();
                tokio::spawn(async move {
                    let mut ws = tokio_tungstenite::accept_async(stream).await.unwrap();
                    let open = format!(
                        r#"0{{"sid":"raw","upgrades":[],"pingInterval":{ping_interval_ms},"pingTimeout":{ping_interval_ms},"maxPayload":1000000}}"#
                    );
                    ws.send(Message::text(open)).await.unwrap();
                    let connect = ws.next().await.unwrap().unwrap();
                    assert_eq!(connect.to_text().unwrap(), "40");
                    ws.send(Message::text(r#"40{"sid":"raw-socket"}"#))
                        .await
                        .unwrap();
                    let auth = ws.next().await.unwrap().unwrap();
                    auth_tx.send(auth.to_text().unwrap().to_string()).unwrap();
                    if ping {
                        ws.send(Message::text("2")).await.unwrap();
                    }
                    for frame in frames {
                        ws.send(frame).await.unwrap();
                    }
                    while let Some(Ok(message)) = ws.next().await {
                        if let Message::Text(text) = message {
                            pong_tx.send(text.as_str().to_string()).ok();
                        }
                    }
                });
            }
        });
        RawServer {
            addr,
            authentications,
            pongs,
        }
    }

    fn client() -> Client {
        Client::builder()
            .credentials(IDENTIFIER, KEY)
            .tier(Tier::User)
            .build()
            .unwrap()
    }
}

#[tokio::test]
async fn the_client_speaks_crisps_protocol_and_skips_what_it_cannot_read() {
    let text = |t: &str| Message::text(t.to_string());
    let frames = vec![
        // Not subscribed to: the client drops it even though the server sent it.
        text(r#"42["session:set_state",{"state":"resolved"}]"#),
        // Broken packets of each layer: skipped, the stream goes on.
        text("9"),
        text("4garbage"),
        text(r#"42{"not":"an array"}"#),
        text("42[42]"),
        // Another namespace, and a binary event with its attachment: skipped.
        text(r#"42/admin,["message:send",{"n":"admin"}]"#),
        text(r#"451-["message:send",{"_placeholder":true,"num":0}]"#),
        Message::binary(vec![1u8, 2, 3]),
        // What arrives.
        text(r#"42["message:send",{"n":1}]"#),
        text(r#"42["message:send"]"#),
        text(r#"42["message:send",{"n":3},"extra"]"#),
    ];
    let mut server = RawServer::start(25_000, true, frames).await;
    let mut events = RawServer::client()
        .rtm()
        .events(["message:send"])
        .host(format!("ws://{}/", server.addr))
        .connect()
        .await
        .unwrap();

    // The authentication message, as Crisp's wrappers send it.
    let auth = within("authentication", server.authentications.recv())
        .await
        .unwrap();
    let payload: Value = serde_json::from_str(auth.strip_prefix("42").unwrap()).unwrap();
    assert_eq!(
        payload,
        json!(["authentication", {
            "username": IDENTIFIER,
            "password": KEY,
            "tier": "user",
            "events": ["message:send"],
        }])
    );
    // The ping is answered.
    assert_eq!(within("the pong", server.pongs.recv()).await.unwrap(), "3");

    assert_eq!(next_event(&mut events).await.data, json!({"n": 1}));
    assert_eq!(next_event(&mut events).await.data, Value::Null);
    assert_eq!(
        next_event(&mut events).await.data,
        json!([{"n": 3}, "extra"])
    );
    assert_eq!(events.queued(), 0);

    // Leaving: a socket.io disconnect before the WebSocket closes.
    drop(events);
    assert_eq!(
        within("the disconnect", server.pongs.recv()).await.unwrap(),
        "41"
    );
}

#[tokio::test]
async fn a_server_whose_heartbeat_stops_is_left_and_reconnected() {
    // A heartbeat of 100 ms + 100 ms, and no ping ever: the client must give up on each
    // connection after about 200 ms, then reconnect and authenticate again.
    let mut server = RawServer::start(100, false, Vec::new()).await;
    let _events = RawServer::client()
        .rtm()
        .events(["message:send"])
        .host(format!("http://{}/", server.addr))
        .reconnect(fast_reconnect())
        .connect()
        .await
        .unwrap();
    let first = within("authentication", server.authentications.recv())
        .await
        .unwrap();
    let second = within("a second authentication", server.authentications.recv())
        .await
        .unwrap();
    assert_eq!(first, second);
}
