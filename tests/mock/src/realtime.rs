//! The RTM API of the mock: Crisp's real-time events over socket.io (v5, Engine.IO v4),
//! served by [socketioxide](https://docs.rs/socketioxide) at [`SOCKET_PATH`].
//!
//! It behaves like Crisp's RTM endpoint as the official wrappers use it: a client connects
//! to the default namespace and emits `authentication` with
//! `{username: identifier, password: key, tier, events: [...]}`; the mock answers
//! `authenticated` (`true`) when the identifier and key are the accepted ones, the tier is
//! `user`, `plugin` or `website` and `events` is a non-empty list of names, and `unauthorized`
//! (`{"message": …}`) otherwise. From then on it emits to that socket every [`MockEvent`]
//! published on the broadcast channel whose name the socket subscribed to. Authenticating
//! again on the same socket replaces its subscription. `socket:bind` (the wrappers'
//! `rebindSocket`) is counted.
//!
//! The module is self-contained: [`router`] takes the accepted credentials and the channel
//! on which the REST side publishes its state changes, and returns an axum [`Router`] to
//! merge into the mock's app together with a [`RealtimeHandle`] for tests.
//!
//! ```no_run
//! # async fn run() {
//! use crisp_mock::realtime::{self, MockEvent};
//! use serde_json::json;
//!
//! let (events, _) = tokio::sync::broadcast::channel(1024);
//! let (app, rtm) = realtime::router("identifier", "key", events.clone());
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
//! let socket_url = format!("http://{}{}", listener.local_addr().unwrap(), realtime::SOCKET_PATH);
//! tokio::spawn(async move { axum::serve(listener, app).await });
//! // … connect a client to `socket_url`, then:
//! rtm.wait_for_authenticated(1).await;
//! events
//!     .send(MockEvent::new("website-1", "message:send", json!({"content": "hello"})))
//!     .unwrap();
//! # }
//! ```

use axum::Router;
use serde_json::Value;
use socketioxide::extract::{SocketRef, TryData};
use socketioxide::socket::Sid;
use socketioxide::{SendError, SocketError, SocketIo};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{broadcast, Notify};

/// The HTTP path of the socket.io endpoint (socket.io's `path` option, with its trailing
/// slash): the `socket.app` URL that discovery answers ends with it.
pub const SOCKET_PATH: &str = "/rtm/";

/// A state change published by the mock's REST side: which website it concerns, the RTM
/// event name (`message:send`, `session:set_state`, …) and its payload.
#[derive(Debug, Clone, PartialEq)]
pub struct MockEvent {
    /// The website the event belongs to.
    pub website_id: String,
    /// The RTM event name.
    pub name: String,
    /// The event's data, emitted as the event's argument.
    pub payload: Value,
}

impl MockEvent {
    /// A mock event.
    pub fn new(website_id: impl Into<String>, name: impl Into<String>, payload: Value) -> Self {
        Self {
            website_id: website_id.into(),
            name: name.into(),
            payload,
        }
    }

    /// The payload as Crisp sends it: every website-scoped RTM payload carries
    /// `website_id`, so an object without one gets it. Anything else is sent untouched,
    /// which lets tests send payloads that are not what a client expects.
    fn wire_payload(&self) -> Value {
        match &self.payload {
            Value::Object(map) if !map.contains_key("website_id") => {
                let mut map = map.clone();
                map.insert("website_id".into(), Value::String(self.website_id.clone()));
                Value::Object(map)
            }
            other => other.clone(),
        }
    }
}

/// One `authentication` message the mock received, accepted or not. The password is never
/// kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authentication {
    /// `username`, when it was a string.
    pub username: Option<String>,
    /// `tier`, when it was a string.
    pub tier: Option<String>,
    /// The event names asked for (the strings among `events`).
    pub events: Vec<String>,
    /// Whether the mock answered `authenticated`.
    pub accepted: bool,
}

/// What tests can see and do on the RTM side of a running mock. Cheap to clone.
#[derive(Clone)]
pub struct RealtimeHandle {
    io: SocketIo,
    state: Arc<State>,
}

struct State {
    identifier: String,
    key: String,
    events: broadcast::Sender<MockEvent>,
    sockets: Mutex<HashMap<Sid, Connected>>,
    authentications: Mutex<Vec<Authentication>>,
    emitted: AtomicU64,
    lagged: AtomicU64,
    rebinds: AtomicU64,
    changed: Notify,
}

/// A socket connected to the default namespace.
struct Connected {
    /// The task forwarding subscribed events, once authenticated.
    forwarder: Option<tokio::task::JoinHandle<()>>,
}

/// The RTM endpoint: an axum router serving socket.io at [`SOCKET_PATH`], accepting
/// `identifier` and `key`, and emitting what is published on `events`.
pub fn router(
    identifier: impl Into<String>,
    key: impl Into<String>,
    events: broadcast::Sender<MockEvent>,
) -> (Router, RealtimeHandle) {
    // Room for bursts: a test publishing many events at once waits on a full channel
    // (see `forward`) rather than losing them.
    let (service, io) = SocketIo::builder()
        .req_path(SOCKET_PATH)
        .max_buffer_size(4096)
        .build_svc();
    let state = Arc::new(State {
        identifier: identifier.into(),
        key: key.into(),
        events,
        sockets: Mutex::new(HashMap::new()),
        authentications: Mutex::new(Vec::new()),
        emitted: AtomicU64::new(0),
        lagged: AtomicU64::new(0),
        rebinds: AtomicU64::new(0),
        changed: Notify::new(),
    });
    register(&io, &state);
    let app = Router::new().route_service(SOCKET_PATH, service);
    (app, RealtimeHandle { io, state })
}

fn register(io: &SocketIo, state: &Arc<State>) {
    let state = state.clone();
    io.ns("/", move |socket: SocketRef| {
        let state = state.clone();
        async move { on_connect(socket, state) }
    });
}

fn on_connect(socket: SocketRef, state: Arc<State>) {
    state
        .sockets
        .lock()
        .unwrap()
        .insert(socket.id, Connected { forwarder: None });
    state.changed.notify_waiters();

    let on_auth = state.clone();
    socket.on(
        "authentication",
        move |socket: SocketRef, TryData(data): TryData<Value>| {
            let state = on_auth.clone();
            async move { authenticate(socket, state, data.unwrap_or(Value::Null)) }
        },
    );
    let on_bind = state.clone();
    socket.on("socket:bind", move || {
        let state = on_bind.clone();
        async move {
            state.rebinds.fetch_add(1, Ordering::SeqCst);
            state.changed.notify_waiters();
        }
    });
    socket.on_disconnect(move |socket: SocketRef| {
        let state = state.clone();
        async move {
            if let Some(connected) = state.sockets.lock().unwrap().remove(&socket.id) {
                if let Some(task) = connected.forwarder {
                    task.abort();
                }
            }
            state.changed.notify_waiters();
        }
    });
}

/// Checks an `authentication` message like Crisp and answers it.
fn authenticate(socket: SocketRef, state: Arc<State>, data: Value) {
    let text = |field: &str| data.get(field).and_then(Value::as_str).map(str::to_string);
    let username = text("username");
    let password = text("password");
    let tier = text("tier");
    let events: Vec<String> = data
        .get("events")
        .and_then(Value::as_array)
        .map(|names| {
            names
                .iter()
                .filter_map(|n| n.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let events_valid = data
        .get("events")
        .and_then(Value::as_array)
        .is_some_and(|names| !names.is_empty() && names.iter().all(Value::is_string));

    let refusal = if username.as_deref() != Some(state.identifier.as_str())
        || password.as_deref() != Some(state.key.as_str())
    {
        Some("invalid token identifier or key")
    } else if !matches!(tier.as_deref(), Some("user" | "plugin" | "website")) {
        Some("invalid tier: expected user, plugin or website")
    } else if !events_valid {
        Some("invalid events: expected a non-empty list of event names")
    } else {
        None
    };

    state.authentications.lock().unwrap().push(Authentication {
        username,
        tier,
        events: events.clone(),
        accepted: refusal.is_none(),
    });

    if let Some(message) = refusal {
        let _ = socket.emit("unauthorized", &serde_json::json!({ "message": message }));
        state.changed.notify_waiters();
        return;
    }

    // Subscribe before answering, so that whatever is published once the client has seen
    // `authenticated` reaches it.
    let receiver = state.events.subscribe();
    let subscribed: HashSet<String> = events.into_iter().collect();
    let task = tokio::spawn(forward(socket.clone(), receiver, subscribed, state.clone()));
    let previous = match state.sockets.lock().unwrap().get_mut(&socket.id) {
        Some(connected) => connected.forwarder.replace(task),
        // Disconnected meanwhile: nothing to forward to.
        None => {
            task.abort();
            None
        }
    };
    if let Some(previous) = previous {
        previous.abort();
    }
    let _ = socket.emit("authenticated", &true);
    state.changed.notify_waiters();
}

/// Emits to one socket the published events it subscribed to, until it disconnects.
async fn forward(
    socket: SocketRef,
    mut receiver: broadcast::Receiver<MockEvent>,
    subscribed: HashSet<String>,
    state: Arc<State>,
) {
    loop {
        let event = match receiver.recv().await {
            Ok(event) => event,
            Err(broadcast::error::RecvError::Lagged(missed)) => {
                state.lagged.fetch_add(missed, Ordering::SeqCst);
                continue;
            }
            Err(broadcast::error::RecvError::Closed) => return,
        };
        if !subscribed.contains(&event.name) {
            continue;
        }
        let payload = event.wire_payload();
        // A full socket channel means the client reads slower than we publish: wait for
        // room, as a TCP connection would, instead of dropping the event.
        loop {
            match socket.emit(&event.name, &payload) {
                Ok(()) => break,
                Err(SendError::Socket(SocketError::InternalChannelFull)) => {
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
                Err(_) => return,
            }
        }
        state.emitted.fetch_add(1, Ordering::SeqCst);
    }
}

impl RealtimeHandle {
    /// Sockets connected to the default namespace, authenticated or not.
    pub fn connected(&self) -> usize {
        self.state.sockets.lock().unwrap().len()
    }

    /// Connected sockets whose last `authentication` was accepted.
    pub fn authenticated(&self) -> usize {
        self.state
            .sockets
            .lock()
            .unwrap()
            .values()
            .filter(|s| s.forwarder.is_some())
            .count()
    }

    /// Every `authentication` message received so far, in order.
    pub fn authentications(&self) -> Vec<Authentication> {
        self.state.authentications.lock().unwrap().clone()
    }

    /// Events emitted to sockets so far (an event sent to two sockets counts twice).
    pub fn emitted(&self) -> u64 {
        self.state.emitted.load(Ordering::SeqCst)
    }

    /// Published events that a socket's forwarder missed because the broadcast channel
    /// overflowed (the channel's capacity is the publisher's choice).
    pub fn lagged(&self) -> u64 {
        self.state.lagged.load(Ordering::SeqCst)
    }

    /// `socket:bind` messages received so far.
    pub fn rebinds(&self) -> u64 {
        self.state.rebinds.load(Ordering::SeqCst)
    }

    /// Closes every connection at the transport level, as a network drop or a server
    /// restart would (clients see their connection lost, not a socket.io disconnect), and
    /// keeps accepting new ones.
    pub async fn drop_all_connections(&self) {
        self.io.close().await;
        let forwarders: Vec<_> = self
            .state
            .sockets
            .lock()
            .unwrap()
            .drain()
            .filter_map(|(_, connected)| connected.forwarder)
            .collect();
        for task in forwarders {
            task.abort();
        }
        // `close` removes the namespaces; serve the default one again for reconnections.
        register(&self.io, &self.state);
        self.state.changed.notify_waiters();
    }

    /// Waits until at least `count` sockets are authenticated.
    pub async fn wait_for_authenticated(&self, count: usize) {
        self.wait_until(|h| h.authenticated() >= count).await;
    }

    /// Waits until `done` holds; it is checked again after every connection,
    /// authentication, rebind or disconnection.
    pub async fn wait_until(&self, done: impl Fn(&RealtimeHandle) -> bool) {
        loop {
            let changed = self.state.changed.notified();
            if done(self) {
                return;
            }
            // Counters such as `emitted` change without a notification: look again soon.
            let _ = tokio::time::timeout(Duration::from_millis(20), changed).await;
        }
    }
}

impl std::fmt::Debug for RealtimeHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RealtimeHandle")
            .field("identifier", &self.state.identifier)
            .field("connected", &self.connected())
            .field("authenticated", &self.authenticated())
            .field("emitted", &self.emitted())
            .finish()
    }
}
