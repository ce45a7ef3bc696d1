//! An embedded mock of the Crisp REST API V1, driven by the OpenAPI spec, for tests, examples
//! and other languages' clients.
//!
//! The bundled spec (`spec/crisp-rest-v1.yaml`, embedded as JSON) is the mock's input: it
//! serves every operation of the spec, with no code per operation. For each request it
//! - checks HTTP Basic authentication and `X-Crisp-Tier` (`user`, `website` or `plugin`): 401
//!   `unauthorized` otherwise;
//! - routes the path against the spec's templates: 404 `not_found` for an unknown route, 405
//!   for a known path without this method;
//! - checks the tier against the operation's `x-crisp-tiers`: 403 `not_allowed`;
//! - validates path and query parameters (coerced from text to their schema's type) and the
//!   JSON body against the spec's schemas, independently of the SDK's types: 400
//!   `invalid_data` with `data.message` naming the field, e.g.
//!   `body.from: "visitor" is not one of "user" or "operator"`;
//! - answers from state for the core resources (conversations and their messages, people
//!   profiles, websites) in [`Mode::Stateful`], and the operation's success example from the
//!   spec everywhere else (and everywhere in [`Mode::Examples`]); in [`Mode::Stateful`], what
//!   a DELETE of such an example-served resource removed answers 404 until a write makes it
//!   again ([`Store::is_removed`]);
//! - records every request ([`MockServer::requests`]).
//!
//! Every error is Crisp's envelope `{"error": true, "reason": ..., "data": {"message": ...}}`.
//!
//! ```no_run
//! # async fn run() {
//! let server = crisp_mock::MockServer::start().await;
//! let client = crisp_api::Client::builder()
//!     .base_url(server.url())
//!     .credentials(server.identifier(), server.key())
//!     .build()
//!     .unwrap();
//! let created = client
//!     .create_new_conversation(crisp_mock::README_WEBSITE_ID)
//!     .await
//!     .unwrap();
//! assert_eq!(
//!     server.last_request().unwrap().operation.as_deref(),
//!     Some("create_new_conversation")
//! );
//! # }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod answer;
mod engine;
pub mod fixed;
mod handlers;
pub mod realtime;
mod recorded;
mod schema;
mod scripted;
mod spec;
mod store;

pub use recorded::Recorded;
pub use scripted::{Reply, ScriptedServer, Served};
pub use store::{
    ConversationRecord, Events, MockEvent, Person, PersonRefused, Store, Website, README_WEBSITE_ID,
};

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::sync::broadcast;

/// Credentials the mock accepts unless told otherwise.
///
/// ```no_run
/// # async fn run() {
/// let server = crisp_mock::MockServer::start().await;
/// assert_eq!(server.identifier(), crisp_mock::DEFAULT_IDENTIFIER);
/// assert_eq!(server.key(), crisp_mock::DEFAULT_KEY);
/// # }
/// ```
pub const DEFAULT_IDENTIFIER: &str = "mock-identifier";
/// The key matching [`DEFAULT_IDENTIFIER`].
pub const DEFAULT_KEY: &str = "mock-key";

/// What the mock answers with.
///
/// ```no_run
/// # async fn run() {
/// let server = crisp_mock::MockServer::examples().await;
/// assert_eq!(server.mode(), crisp_mock::Mode::Examples);
/// assert_eq!(crisp_mock::MockConfig::default().mode, crisp_mock::Mode::Stateful);
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// State for the core resources (conversations, messages, people profiles, websites):
    /// what a call creates, a later call reads back, and an unknown id answers 404. Their
    /// paged lists answer as Crisp does: `206 Partial Content` while more items follow the
    /// page, `200` on the last. Every other operation answers its example.
    #[default]
    Stateful,
    /// Every operation answers its spec example (after the same checks): for per-operation
    /// tests and other languages' smoke tests. A paged list answers its example on page 1
    /// and an empty page after it.
    Examples,
}

/// How to start a [`MockServer`].
///
/// ```no_run
/// # async fn run() -> std::io::Result<()> {
/// let server = crisp_mock::MockServer::start_with(crisp_mock::MockConfig {
///     port: 8080,
///     mode: crisp_mock::Mode::Examples,
///     ..Default::default()
/// })
/// .await?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct MockConfig {
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// The token identifier accepted.
    pub identifier: String,
    /// The token key accepted.
    pub key: String,
    /// State for the core resources, or examples everywhere.
    pub mode: Mode,
}

impl Default for MockConfig {
    fn default() -> Self {
        Self {
            port: 0,
            identifier: DEFAULT_IDENTIFIER.into(),
            key: DEFAULT_KEY.into(),
            mode: Mode::Stateful,
        }
    }
}

/// The operations that keep state in [`Mode::Stateful`] (by operationId, sorted); every other
/// operation of the spec answers its example.
///
/// ```
/// let stateful = crisp_mock::stateful_operations();
/// assert!(stateful.contains(&"send_message_in_conversation"));
/// assert!(!stateful.contains(&"get_website_settings"));
/// ```
pub fn stateful_operations() -> Vec<&'static str> {
    handlers::names()
}

/// Shared by the engine and the [`MockServer`] handle.
pub(crate) struct Shared {
    pub(crate) config: MockConfig,
    pub(crate) spec: &'static spec::Spec,
    pub(crate) store: Mutex<Store>,
    pub(crate) requests: Mutex<Vec<Recorded>>,
}

/// A running mock on a loopback port; it stops when dropped.
///
/// The spec is parsed and its validators compiled once per process, by the first mock that
/// starts; starting another costs a socket and a task.
///
/// ```no_run
/// # async fn run() {
/// let server = crisp_mock::MockServer::start().await;
/// let answer = reqwest::Client::new()
///     .get(format!("{}/website/{}", server.url(), crisp_mock::README_WEBSITE_ID))
///     .basic_auth(server.identifier(), Some(server.key()))
///     .header("X-Crisp-Tier", "plugin")
///     .send()
///     .await
///     .unwrap();
/// assert_eq!(answer.status(), 200);
/// assert_eq!(server.requests().len(), 1);
/// # }
/// ```
pub struct MockServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    realtime: realtime::RealtimeHandle,
    task: tokio::task::JoinHandle<()>,
}

impl MockServer {
    /// Starts a stateful mock ([`Mode::Stateful`]) on a free loopback port with the default
    /// credentials.
    ///
    /// ```no_run
    /// # async fn run() {
    /// let server = crisp_mock::MockServer::start().await;
    /// println!("{}", server.url()); // http://127.0.0.1:PORT/v1
    /// # }
    /// ```
    ///
    /// # Panics
    ///
    /// If 127.0.0.1 has no free port, or the bundled spec cannot be served (a bug of the
    /// spec or of the mock; the message says which operation).
    pub async fn start() -> MockServer {
        Self::start_with(MockConfig::default())
            .await
            .unwrap_or_else(|e| panic!("crisp-mock cannot start: {e}"))
    }

    /// Starts a mock that answers every operation with its spec example ([`Mode::Examples`]).
    ///
    /// ```no_run
    /// # async fn run() {
    /// let server = crisp_mock::MockServer::examples().await;
    /// # }
    /// ```
    ///
    /// # Panics
    ///
    /// As [`start`](Self::start).
    pub async fn examples() -> MockServer {
        let config = MockConfig {
            mode: Mode::Examples,
            ..MockConfig::default()
        };
        Self::start_with(config)
            .await
            .unwrap_or_else(|e| panic!("crisp-mock cannot start: {e}"))
    }

    /// Starts a mock as configured.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let config = crisp_mock::MockConfig {
    ///     identifier: "my-identifier".into(),
    ///     key: "my-key".into(),
    ///     ..Default::default()
    /// };
    /// let server = crisp_mock::MockServer::start_with(config).await?;
    /// assert_eq!(server.key(), "my-key");
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// If the port cannot be bound, or the bundled spec cannot be served (the error says
    /// why: an operation without an example, a stateful handler registered for an
    /// operationId the spec does not have, …).
    pub async fn start_with(config: MockConfig) -> std::io::Result<MockServer> {
        let spec = engine::spec()?;
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", config.port)).await?;
        let addr = listener.local_addr()?;
        let mut store = Store::new();
        store.set_socket_url(format!("http://{addr}{}", realtime::SOCKET_PATH));
        // The RTM endpoint emits what the store publishes, to sockets that authenticated
        // with the same credentials as the REST side.
        let (rtm, realtime) = realtime::router(&config.identifier, &config.key, store.sender());
        let shared = Arc::new(Shared {
            config,
            spec,
            store: Mutex::new(store),
            requests: Mutex::new(Vec::new()),
        });
        let rest = axum::Router::new()
            .fallback(engine::handle)
            .with_state(shared.clone());
        let app = rtm.merge(rest);
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(MockServer {
            addr,
            shared,
            realtime,
            task,
        })
    }

    /// The base URL to give the client: `http://127.0.0.1:<port>/v1`.
    pub fn url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// The socket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The URL of the RTM endpoint (socket.io at [`realtime::SOCKET_PATH`]), which emits the
    /// store's changes ([`subscribe`](Self::subscribe)) to authenticated sockets.
    ///
    /// ```no_run
    /// # async fn run() {
    /// let server = crisp_mock::MockServer::start().await;
    /// assert!(server.socket_url().ends_with("/rtm/"));
    /// # }
    /// ```
    pub fn socket_url(&self) -> String {
        format!("http://{}{}", self.addr, realtime::SOCKET_PATH)
    }

    /// What tests can see of the RTM endpoint: connected and authenticated sockets, events
    /// emitted.
    ///
    /// ```no_run
    /// # async fn run() {
    /// let server = crisp_mock::MockServer::start().await;
    /// assert_eq!(server.realtime().connected(), 0);
    /// # }
    /// ```
    pub fn realtime(&self) -> &realtime::RealtimeHandle {
        &self.realtime
    }

    /// The accepted token identifier.
    pub fn identifier(&self) -> &str {
        &self.shared.config.identifier
    }

    /// The accepted token key.
    pub fn key(&self) -> &str {
        &self.shared.config.key
    }

    /// The mode it answers in.
    pub fn mode(&self) -> Mode {
        self.shared.config.mode
    }

    /// Every request received so far, oldest first.
    ///
    /// ```no_run
    /// # async fn run(server: crisp_mock::MockServer) {
    /// let sent: Vec<_> = server.requests().into_iter().filter_map(|r| r.operation).collect();
    /// assert_eq!(sent, ["create_new_conversation", "send_message_in_conversation"]);
    /// # }
    /// ```
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.requests.lock().unwrap().clone()
    }

    /// The last request received.
    pub fn last_request(&self) -> Option<Recorded> {
        self.shared.requests.lock().unwrap().last().cloned()
    }

    /// Forgets the recorded requests.
    ///
    /// ```no_run
    /// # async fn run(server: crisp_mock::MockServer) {
    /// server.clear_requests();
    /// assert!(server.last_request().is_none());
    /// # }
    /// ```
    pub fn clear_requests(&self) {
        self.shared.requests.lock().unwrap().clear();
    }

    /// Reads or changes the state, e.g. to seed data before the calls under test.
    ///
    /// ```no_run
    /// # async fn run() {
    /// let server = crisp_mock::MockServer::start().await;
    /// let w = crisp_mock::README_WEBSITE_ID;
    /// let sessions = server.with_store(|s| s.seed_conversations(w, 3));
    /// let jane = server.with_store(|s| s.seed_person(w, "jane@example.com", "Jane")).unwrap();
    /// # }
    /// ```
    pub fn with_store<R>(&self, f: impl FnOnce(&mut Store) -> R) -> R {
        f(&mut self.shared.store.lock().unwrap())
    }

    /// Subscribes to the state's changes from now on, as Crisp's realtime API names them
    /// ([`MockEvent`]).
    ///
    /// ```no_run
    /// # async fn run() {
    /// let server = crisp_mock::MockServer::start().await;
    /// let mut events = server.subscribe();
    /// // ... a client changes a conversation's state ...
    /// let event = events.recv().await.unwrap();
    /// assert_eq!(event.name, "session:set_state");
    /// # }
    /// ```
    pub fn subscribe(&self) -> broadcast::Receiver<MockEvent> {
        self.shared.store.lock().unwrap().subscribe()
    }

    /// Runs until the process is stopped (for the binary).
    pub async fn wait(self) {
        let _ = (&mut { self }.task).await;
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}
