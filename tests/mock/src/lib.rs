//! An embedded mock of the Crisp REST API V1, for tests, examples and other languages' clients.
//!
//! It binds `127.0.0.1`, checks HTTP Basic authentication and `X-Crisp-Tier` (401 with
//! Crisp's error envelope otherwise), decodes request bodies into the SDK's generated types
//! (400 `invalid_data` when they do not match the spec), keeps state (create → send →
//! list/get returns what was created), answers unknown ids with 404 `not_found`, and
//! records every request so that tests can assert what went over the wire.
//!
//! ```no_run
//! # async fn run() {
//! let server = crisp_mock::MockServer::start().await;
//! let client = crisp_api::Client::builder()
//!     .base_url(server.url())
//!     .credentials(server.identifier(), server.key())
//!     .build()
//!     .unwrap();
//! # }
//! ```

pub mod bench;
pub mod conversation;
mod http;
pub mod people;
pub mod realtime;
mod scripted;
mod store;
pub mod website;

pub use http::Recorded;
pub use scripted::{Reply, ScriptedServer, Served};
pub use store::Store;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

/// Credentials the mock accepts unless told otherwise.
pub const DEFAULT_IDENTIFIER: &str = "mock-identifier";
/// The key matching [`DEFAULT_IDENTIFIER`].
pub const DEFAULT_KEY: &str = "mock-key";

/// How to start a [`MockServer`].
#[derive(Debug, Clone)]
pub struct MockConfig {
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// The token identifier accepted.
    pub identifier: String,
    /// The token key accepted.
    pub key: String,
}

impl Default for MockConfig {
    fn default() -> Self {
        Self {
            port: 0,
            identifier: DEFAULT_IDENTIFIER.into(),
            key: DEFAULT_KEY.into(),
        }
    }
}

/// Shared by the handlers.
pub(crate) struct Shared {
    pub(crate) config: MockConfig,
    pub(crate) store: Mutex<Store>,
    pub(crate) requests: Mutex<Vec<Recorded>>,
}

/// A running mock; it stops when dropped.
pub struct MockServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl MockServer {
    /// Starts a mock on a free loopback port with the default credentials.
    pub async fn start() -> MockServer {
        Self::start_with(MockConfig::default())
            .await
            .expect("binding 127.0.0.1:0")
    }

    /// Starts a mock as configured.
    pub async fn start_with(config: MockConfig) -> std::io::Result<MockServer> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", config.port)).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            config,
            store: Mutex::new(Store::default()),
            requests: Mutex::new(Vec::new()),
        });
        let app = http::router(shared.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(MockServer { addr, shared, task })
    }

    /// The base URL to give the client: `http://127.0.0.1:<port>/v1`.
    pub fn url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// The socket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The accepted token identifier.
    pub fn identifier(&self) -> &str {
        &self.shared.config.identifier
    }

    /// The accepted token key.
    pub fn key(&self) -> &str {
        &self.shared.config.key
    }

    /// Every request received so far, oldest first.
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.requests.lock().unwrap().clone()
    }

    /// The last request received.
    pub fn last_request(&self) -> Option<Recorded> {
        self.shared.requests.lock().unwrap().last().cloned()
    }

    /// Forgets the recorded requests.
    pub fn clear_requests(&self) {
        self.shared.requests.lock().unwrap().clear();
    }

    /// Reads or changes the state, e.g. to seed data.
    pub fn with_store<R>(&self, f: impl FnOnce(&mut Store) -> R) -> R {
        f(&mut self.shared.store.lock().unwrap())
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
