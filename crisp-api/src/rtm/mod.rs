//! Crisp's real-time events (the RTM API), received over socket.io.
//!
//! Ask a [`Client`] for the events to listen to, connect, and read them from a
//! [`Stream`]:
//!
//! Events are typed ([`crate::events::Event`], the same type web hooks decode into); an event
//! this version does not type, or a payload of an unexpected shape, arrives as
//! [`Event::Other`](crate::events::Event::Other) with its JSON, never as an error.
//!
//! ```no_run
//! use crisp_api::events::Event;
//! use crisp_api::StreamExt as _;
//!
//! # async fn run(client: crisp_api::Client) -> Result<(), crisp_api::rtm::RtmError> {
//! let mut events = client
//!     .rtm()
//!     .events(["message:send", "session:set_state"])
//!     .connect()
//!     .await?;
//! while let Some(event) = events.next().await {
//!     match event {
//!         Ok(Event::MessageSend(message)) => println!("{}: {:?}", message.session_id, message.content),
//!         Ok(other) => println!("{}", other.name()),
//!         Err(e) if e.is_fatal() => return Err(e),
//!         Err(e) => eprintln!("{e}"), // events were dropped; the stream goes on
//!     }
//! }
//! # Ok(())
//! # }
//! ```
//!
//! How it talks to Crisp follows Crisp's Node wrapper (11.3.0, socket.io-client 4.8):
//! - the socket URL is `socket.app` in the answer of `GET /{tier}/connect/endpoints`
//!   (made with the client's credentials and tier; for a website token,
//!   `GET /website/{website_id}/connect/endpoints` with [`RtmBuilder::website_id`]), unless
//!   [`RtmBuilder::host`] gives one;
//! - socket.io v5 over Engine.IO v4, WebSocket transport only, socket.io `path` taken from
//!   the URL's path;
//! - on every connection, the first and each reconnection, it emits `authentication` with
//!   `{username: identifier, password: key, tier, events}`, so the subscription survives
//!   reconnections;
//! - `unauthorized` ends the stream with an [`RtmErrorKind::Authentication`] error;
//! - after a drop it reconnects with exponential backoff and jitter ([`Reconnect`], by
//!   default 5 s doubling up to 10 s, ±75 %, like the Node wrapper), forever unless told
//!   otherwise, and tells the consumer with an [`RtmErrorKind::Reconnected`] item (see
//!   [Reconnections](#reconnections));
//! - [`EventStream::rebind`] sends `socket:bind`, as the Node wrapper's `rebindSocket`,
//!   never twice within 2.5 s (the Node wrapper's minimum); [`RtmBuilder::rebind_on_change`]
//!   does it by itself when a plugin's subscriptions change.
//!
//! Only the events asked for reach the stream, even if the server sends others; Crisp's
//! own `authenticated` and `unauthorized` answers never do. Unlike socket.io-client, a
//! socket.io disconnect sent by the server is handled like a drop (reconnected): a stream
//! of events is meant to last, and only refused credentials or the consumer end it.
//! Packets that cannot be read (not socket.io, binary attachments, other namespaces) are
//! skipped with a `tracing` warning; they never end the stream.
//!
//! # The WebSocket
//!
//! reqwest opens the connection and makes the HTTP/1.1 upgrade (so TLS, proxies and DNS are
//! the HTTP client's, and the TLS backend is the crate's feature), this module checks the
//! `101` answer (`Upgrade: websocket`, `Connection: Upgrade` and `Sec-WebSocket-Accept`, RFC
//! 6455 section 4.1), then [tokio-websockets](https://docs.rs/tokio-websockets/0.12) takes
//! the upgraded connection over. It was chosen because it is maintained, tested against the
//! Autobahn suite and fuzzed, strict (it fails the connection on a masked server frame,
//! section 5.1, and answers a server's Close, section 5.5.1), and has no logging
//! dependency: nothing it does can write a frame, such as the `authentication` frame that
//! holds the token key, to a log (tungstenite logs every frame's payload at TRACE). Version
//! 0.12 builds with Rust 1.79 (0.13 needs 1.89, above this crate's 1.88). The socket.io and
//! Engine.IO layers are this crate's own.
//!
//! No server can hang the connection: every write (a pong, `socket:bind`, the
//! authentication) must complete within [`RtmBuilder::timeout`] or the connection is taken
//! for lost (an [`RtmErrorKind::Timeout`]), and races [`EventStream::close`], which
//! therefore returns at once even when the server stopped reading. Reading is linear in
//! what arrives, and the task gives its thread back to the runtime at least every 128
//! messages, so a server flooding small frames cannot starve the consumer's own tasks. A
//! message larger than [`RtmBuilder::max_message_bytes`] (1 MiB by default: Crisp's events
//! are kilobytes) fails the connection as soon as its header announces it.
//!
//! No text from the server (an `unauthorized` reason, a namespace refusal, an excerpt of a
//! packet that cannot be read, an event name, a cause chain, the socket URL that
//! `connect/endpoints` gave) reaches an error or a `tracing` record at any level before
//! the client's credential scrubber has removed the key, its base64 forms and any
//! 12-character part of them, as for REST errors.
//!
//! # A slow consumer
//!
//! Events wait for the consumer in a buffer bounded twice: [`RtmBuilder::buffer`] events
//! (1,024 by default) and [`RtmBuilder::buffer_bytes`] bytes (8 MiB by default). An event
//! waits as the JSON text it arrived as (checked, not parsed: it is parsed and typed when
//! the consumer reads it), and costs its name's and text's length plus 40 bytes. The
//! connection never waits for the consumer (it has to answer the server's heartbeats), so
//! when either bound is reached the **oldest** events are dropped, and the consumer is told
//! how many by an [`RtmErrorKind::Lagged`] error before the events that follow, as
//! `tokio::sync::broadcast` does.
//!
//! Memory therefore stays bounded in bytes however far behind the consumer falls: measured
//! (`tests/wire/tests/realtime_memory.rs`), a consumer that reads nothing while 32 MiB of
//! events arrive (1,024 events of 32 KiB, arrays of small numbers) leaves the process
//! holding 8.6 MiB more than before it connected: the 8 MiB buffer, the WebSocket's read
//! buffer and the connection's state. (When the buffer held parsed JSON trees and was
//! bounded in events only, the same run held 1,025 MiB.)
//!
//! # Reconnections
//!
//! Events Crisp sends while the connection is down are lost: Crisp does not replay them.
//! So when a connection is opened again, the stream yields an [`RtmErrorKind::Reconnected`]
//! item ([`RtmError::lost_at`] says when the connection was lost) before the events of the
//! new connection; a bot catches up through the REST API (the conversations changed since
//! then, for instance). It is not fatal: the stream goes on.
//!
//! [`Reconnect::max_attempts`] counts the attempts since the last *established*
//! connection: one that Crisp confirmed (`authenticated`) and that stayed open for at least
//! a second. A server that accepts connections and drops them at once therefore uses up
//! the attempts (and the backoff grows), instead of starting the count again each time.
//!
//! # Closing
//!
//! Dropping the [`EventStream`] closes the connection and ends its task;
//! [`EventStream::close`] does the same and waits for it (at most a second: a server that
//! does not read is not waited for).

mod buffer;
mod connection;
mod error;
mod protocol;

pub use error::{RtmError, RtmErrorKind};

use crate::Client;
use buffer::{Buffer, Next};
use connection::{Authentication, Context, Target};
use futures::Stream;
use serde::Deserialize;
use std::collections::HashSet;
use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Poll};
use std::time::{Duration, Instant};
use tokio::sync::{oneshot, Notify};

/// An event as it came over the socket: its name and its data as JSON text, checked but
/// not parsed (parsing waits for the consumer, so that events dropped for a slow one cost
/// nothing, and a waiting event holds its text, not a tree many times its size).
#[derive(Debug)]
pub(crate) struct RawEvent {
    /// The event name, such as `message:send`.
    pub(crate) name: String,
    /// The event's data; `null` when the server sent none.
    pub(crate) data: Box<serde_json::value::RawValue>,
}

/// What the stream yields for each event: decoded by name when the consumer reads it.
type Decoded = crate::events::Event;

/// Turns a raw event into what the stream yields. It runs in the consumer's `poll_next`,
/// so that events dropped for a slow consumer are never decoded.
fn decode(raw: RawEvent) -> Decoded {
    // The text was checked as JSON when it arrived; only a tree deeper than serde_json's
    // limit (128 levels) fails here, and arrives as `null` data.
    let data = serde_json::from_str(raw.data.get()).unwrap_or(serde_json::Value::Null);
    crate::events::Event::decode(&raw.name, data)
}

impl Client {
    /// Starts setting up a connection to Crisp's real-time events (the RTM API); see the
    /// [`rtm`](crate::rtm) module.
    ///
    /// ```no_run
    /// # async fn run(client: crisp_api::Client) -> Result<(), crisp_api::rtm::RtmError> {
    /// let events = client.rtm().events(["message:send"]).connect().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn rtm(&self) -> RtmBuilder {
        RtmBuilder {
            client: self.clone(),
            events: Vec::new(),
            host: None,
            website_id: None,
            reconnect: Reconnect::default(),
            buffer: DEFAULT_BUFFER,
            buffer_bytes: DEFAULT_BUFFER_BYTES,
            max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES,
            rebind_on_change: false,
            timeout: DEFAULT_TIMEOUT,
            http: None,
        }
    }
}

/// The default capacity of the buffer between the socket and the consumer, in events.
const DEFAULT_BUFFER: usize = 1024;
/// The default capacity of the buffer between the socket and the consumer, in bytes.
pub const DEFAULT_BUFFER_BYTES: usize = 8 * 1024 * 1024;
/// The fixed part of what a waiting event costs in the buffer (its queue entry), on 64-bit
/// targets; checked by a test.
#[cfg(test)]
const ENTRY_BYTES: usize = 40;
/// The default size limit of one message from the server: Crisp's events are kilobytes.
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 1024 * 1024;
/// The default timeout for opening a connection: the Node wrapper's.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// The shortest time between two [`EventStream::rebind`] calls: the Node wrapper's.
pub(crate) const REBIND_INTERVAL: Duration = Duration::from_millis(2500);

/// Sets up an RTM connection; made by [`Client::rtm`], opened by [`RtmBuilder::connect`].
///
/// `Debug` never shows the token key.
#[derive(Clone)]
pub struct RtmBuilder {
    client: Client,
    events: Vec<String>,
    host: Option<String>,
    website_id: Option<String>,
    reconnect: Reconnect,
    buffer: usize,
    buffer_bytes: usize,
    max_message_bytes: usize,
    rebind_on_change: bool,
    timeout: Duration,
    http: Option<reqwest::Client>,
}

impl RtmBuilder {
    /// Adds events to listen to, such as `message:send` (Crisp's names; see the Node
    /// wrapper's list). Names are not checked: an event unknown to this crate arrives like
    /// any other. Asking for a name twice is the same as asking once.
    ///
    /// ```
    /// # let client = crisp_api::Client::builder().credentials("i", "k").build().unwrap();
    /// let rtm = client
    ///     .rtm()
    ///     .events(["message:send", "message:received"])
    ///     .events(["session:set_state"]);
    /// # let _ = rtm;
    /// ```
    pub fn events<I, S>(mut self, events: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        for event in events {
            let event = event.into();
            if !self.events.contains(&event) {
                self.events.push(event);
            }
        }
        self
    }

    /// The socket URL to connect to, instead of asking Crisp's `connect/endpoints`: an
    /// `https`/`wss` (or `http`/`ws`) URL whose path is socket.io's path.
    ///
    /// ```
    /// # let client = crisp_api::Client::builder().credentials("i", "k").build().unwrap();
    /// let rtm = client.rtm().events(["message:send"]).host("http://127.0.0.1:8080/rtm/");
    /// # let _ = rtm;
    /// ```
    pub fn host(mut self, socket_url: impl Into<String>) -> Self {
        self.host = Some(socket_url.into());
        self
    }

    /// The website whose endpoints a [website token](crate::Tier::Website) asks for
    /// (`GET /website/{website_id}/connect/endpoints`); required with a website token unless
    /// [`host`](Self::host) gives the socket URL. Other tiers ignore it.
    ///
    /// ```
    /// # let client = crisp_api::Client::builder()
    /// #     .tier(crisp_api::Tier::Website)
    /// #     .credentials("i", "k")
    /// #     .build()
    /// #     .unwrap();
    /// let rtm = client
    ///     .rtm()
    ///     .events(["message:send"])
    ///     .website_id("8c842203-7ed8-4e29-a608-7cf78a7d2fcc");
    /// # let _ = rtm;
    /// ```
    pub fn website_id(mut self, website_id: impl Into<String>) -> Self {
        self.website_id = Some(website_id.into());
        self
    }

    /// When and how often to reconnect after a drop (default [`Reconnect::default`]).
    ///
    /// ```
    /// # let client = crisp_api::Client::builder().credentials("i", "k").build().unwrap();
    /// use crisp_api::rtm::Reconnect;
    /// use std::time::Duration;
    ///
    /// let rtm = client
    ///     .rtm()
    ///     .events(["message:send"])
    ///     .reconnect(Reconnect::default().max_delay(Duration::from_secs(60)).max_attempts(20));
    /// # let _ = rtm;
    /// ```
    pub fn reconnect(mut self, reconnect: Reconnect) -> Self {
        self.reconnect = reconnect;
        self
    }

    /// How many events may wait for the consumer before the oldest are dropped (default
    /// 1,024; at least 1). See [A slow consumer](crate::rtm#a-slow-consumer).
    ///
    /// ```
    /// # let client = crisp_api::Client::builder().credentials("i", "k").build().unwrap();
    /// let rtm = client.rtm().events(["message:send"]).buffer(10_000);
    /// # let _ = rtm;
    /// ```
    pub fn buffer(mut self, capacity: usize) -> Self {
        self.buffer = capacity.max(1);
        self
    }

    /// How many bytes of events may wait for the consumer before the oldest are dropped
    /// (default [`DEFAULT_BUFFER_BYTES`], 8 MiB): what an event costs is the length of its
    /// name and JSON text plus its queue entry (40 bytes on 64-bit targets). One event
    /// larger than this is still kept, alone. See [A slow consumer](crate::rtm#a-slow-consumer).
    ///
    /// ```
    /// # let client = crisp_api::Client::builder().credentials("i", "k").build().unwrap();
    /// let rtm = client.rtm().events(["message:send"]).buffer_bytes(64 * 1024 * 1024);
    /// # let _ = rtm;
    /// ```
    pub fn buffer_bytes(mut self, bytes: usize) -> Self {
        self.buffer_bytes = bytes;
        self
    }

    /// The largest message the server may send, in bytes (default
    /// [`DEFAULT_MAX_MESSAGE_BYTES`], 1 MiB: Crisp's events are kilobytes). A larger one is
    /// refused as soon as its header announces it: the connection fails with an
    /// [`RtmErrorKind::Protocol`] error and is opened again. It bounds the memory one
    /// message can take while it arrives; the client's `max_response_bytes` (REST bodies)
    /// does not apply here.
    ///
    /// ```
    /// # let client = crisp_api::Client::builder().credentials("i", "k").build().unwrap();
    /// let rtm = client.rtm().events(["message:send"]).max_message_bytes(4 * 1024 * 1024);
    /// # let _ = rtm;
    /// ```
    pub fn max_message_bytes(mut self, bytes: usize) -> Self {
        self.max_message_bytes = bytes.max(1);
        self
    }

    /// Binds the connection again (`socket:bind`, as [`EventStream::rebind`] does) each time
    /// Crisp says the plugin's subscriptions changed (`plugin:subscription:updated`: a
    /// website added or removed the plugin), so that the events of a newly subscribed
    /// website arrive without reconnecting (default: off). Binds are never closer than
    /// 2.5 s, the Node wrapper's minimum: changes that come sooner are bound together once
    /// the interval has passed. The client listens to `plugin:subscription:updated` for
    /// this; the event reaches the stream only if it was asked for with
    /// [`events`](Self::events) too. Only plugin tokens receive it: with another tier,
    /// [`connect`](Self::connect) refuses the option ([`RtmErrorKind::Configuration`]).
    ///
    /// ```
    /// # let client = crisp_api::Client::builder().credentials("i", "k").tier(crisp_api::Tier::Plugin).build().unwrap();
    /// let rtm = client.rtm().events(["message:send"]).rebind_on_change(true);
    /// # let _ = rtm;
    /// ```
    pub fn rebind_on_change(mut self, rebind: bool) -> Self {
        self.rebind_on_change = rebind;
        self
    }

    /// How long opening a connection may take, from the TCP connect to the socket.io
    /// handshake, and how long one write may wait for a server that does not read before
    /// the connection is taken for lost (default 10 s, the Node wrapper's connect timeout).
    ///
    /// ```
    /// # let client = crisp_api::Client::builder().credentials("i", "k").build().unwrap();
    /// let rtm = client.rtm().events(["message:send"]).timeout(std::time::Duration::from_secs(5));
    /// # let _ = rtm;
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Uses this `reqwest::Client` for the WebSocket connections (its TLS, proxy and DNS
    /// settings) instead of building one. It must be able to speak HTTP/1.1 to the socket
    /// host: a WebSocket upgrade cannot go over HTTP/2, so build it with
    /// [`http1_only`](reqwest::ClientBuilder::http1_only), or start from
    /// [`crate::tls::http1_client_builder`], which also sets this crate's TLS backend.
    ///
    /// ```
    /// # let client = crisp_api::Client::builder().credentials("i", "k").build().unwrap();
    /// let http = crisp_api::tls::http1_client_builder().unwrap().build().unwrap();
    /// let rtm = client.rtm().events(["message:send"]).http_client(http);
    /// # let _ = rtm;
    /// ```
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// Finds the socket URL, opens the first connection and authenticates, then returns
    /// the stream of events; the connection lives in a task of its own from then on.
    ///
    /// It fails when no event was asked for ([`RtmErrorKind::Configuration`]), the socket
    /// URL cannot be had ([`RtmErrorKind::Endpoint`]), or the first connection cannot be
    /// opened within the timeout ([`RtmErrorKind::Transport`], [`RtmErrorKind::Timeout`],
    /// [`RtmErrorKind::Protocol`]); later drops are reconnected. Refused credentials arrive
    /// on the stream as an [`RtmErrorKind::Authentication`] error, which ends it.
    ///
    /// ```no_run
    /// # async fn run(client: crisp_api::Client) -> Result<(), crisp_api::rtm::RtmError> {
    /// let events = client.rtm().events(["message:send"]).connect().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn connect(self) -> Result<EventStream, RtmError> {
        if self.events.is_empty() {
            return Err(RtmError::new(
                RtmErrorKind::Configuration,
                "no event to listen to: call .events([...]) first",
            ));
        }
        let socket_url = match &self.host {
            Some(host) => host.clone(),
            None => socket_url_from_crisp(&self.client, self.website_id.as_deref()).await?,
        };
        let settings = self.client.config().settings();
        let scrubber = settings.scrubber.clone();
        if self.rebind_on_change && settings.tier != crate::Tier::Plugin {
            return Err(RtmError::new(
                RtmErrorKind::Configuration,
                "rebind_on_change needs a plugin token (Tier::Plugin): only plugins receive \
                 plugin:subscription:updated",
            ));
        }
        let target = Target::parse(&socket_url, &scrubber)?;
        let http = match self.http {
            Some(http) => http,
            None => crate::tls::configure(
                reqwest::Client::builder().http1_only(),
                crate::tls::Alpn::Http1,
            )
            .map_err(|e| {
                RtmError::new(RtmErrorKind::Configuration, "cannot set up TLS")
                    .with_source(e, &scrubber)
            })?
            .connect_timeout(self.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| {
                RtmError::new(RtmErrorKind::Configuration, "cannot build the HTTP client")
                    .with_source(e, &scrubber)
            })?,
        };
        let buffer = Arc::new(Buffer::new(self.buffer, self.buffer_bytes));
        let events: Arc<[String]> = self.events.into();
        // With `rebind_on_change`, Crisp is asked for the subscription changes too.
        let mut asked = events.to_vec();
        if self.rebind_on_change && !asked.iter().any(|e| e == connection::SUBSCRIPTION_UPDATED) {
            asked.push(connection::SUBSCRIPTION_UPDATED.to_string());
        }
        let ctx = Arc::new(Context {
            authentication: Authentication::new(
                settings.credentials.identifier(),
                settings.credentials.key(),
                settings.tier.as_str(),
                &asked,
            ),
            subscribed: events.iter().cloned().collect::<HashSet<_>>(),
            target,
            http,
            user_agent: settings.user_agent.clone(),
            timeout: self.timeout,
            max_message_bytes: self.max_message_bytes,
            reconnect: self.reconnect,
            buffer: buffer.clone(),
            rebind: Notify::new(),
            rebind_on_change: self.rebind_on_change,
            scrubber,
        });
        let first = connection::open(&ctx).await?;
        let (close, closed) = oneshot::channel();
        let task = tokio::spawn(connection::run(ctx.clone(), first, closed));
        Ok(EventStream {
            buffer,
            ctx,
            events,
            close: Some(close),
            task: Some(task),
            last_rebind: None,
        })
    }
}

impl fmt::Debug for RtmBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let settings = self.client.config().settings();
        f.debug_struct("RtmBuilder")
            .field("credentials", &settings.credentials)
            .field("tier", &settings.tier)
            .field("events", &self.events)
            .field("host", &self.host)
            .field("website_id", &self.website_id)
            .field("reconnect", &self.reconnect)
            .field("buffer", &self.buffer)
            .field("buffer_bytes", &self.buffer_bytes)
            .field("max_message_bytes", &self.max_message_bytes)
            .field("rebind_on_change", &self.rebind_on_change)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// The socket URL Crisp gives this token: `data.socket.app` in the answer of
/// `GET {base URL}/{tier}/connect/endpoints` (`user`, `plugin`), or, for a website token,
/// `GET {base URL}/website/{website_id}/connect/endpoints` (the website given with
/// [`RtmBuilder::website_id`]). It is a [raw call](crate::raw), so it goes like any other
/// call: credentials, tier, default headers, retries, timeouts, the quota meter and budget.
async fn socket_url_from_crisp(
    client: &Client,
    website_id: Option<&str>,
) -> Result<String, RtmError> {
    #[derive(Deserialize)]
    struct Endpoints {
        socket: Option<Socket>,
    }
    #[derive(Deserialize)]
    struct Socket {
        app: Option<String>,
    }

    let tier = client.config().tier();
    let route = match (tier, website_id) {
        (crate::Tier::Website, Some(website_id)) => {
            vec!["website", website_id, "connect", "endpoints"]
        }
        (crate::Tier::Website, None) => {
            return Err(RtmError::new(
                RtmErrorKind::Configuration,
                "a website token's RTM endpoint is asked for its website: call \
                 .website_id(..) on the RTM builder (or give the socket URL with .host(..))",
            ))
        }
        (tier, _) => vec![tier.as_str(), "connect", "endpoints"],
    };
    let shown = match tier {
        crate::Tier::Website => "website/{website_id}".to_string(),
        tier => tier.to_string(),
    };
    let endpoints = client
        .get_raw(route)
        .decode::<Option<Endpoints>>()
        .await
        .map_err(|source| {
            RtmError::new(
                RtmErrorKind::Endpoint,
                format!("cannot get the socket URL from {shown}/connect/endpoints"),
            )
            .with_source(source, &client.config().settings().scrubber)
        })?;
    endpoints
        .and_then(|data| data.socket)
        .and_then(|socket| socket.app)
        .filter(|app| !app.trim().is_empty())
        .ok_or_else(|| {
            RtmError::new(
                RtmErrorKind::Endpoint,
                format!("the answer of {shown}/connect/endpoints has no socket.app"),
            )
        })
}

/// The events of an RTM connection, as a [`Stream`] of
/// `Result<`[`Event`](crate::events::Event)`, RtmError>`.
///
/// An `Err` is either a notice, after which the stream goes on ([`RtmErrorKind::Lagged`]:
/// events were dropped for a slow consumer; [`RtmErrorKind::Reconnected`]: the connection
/// was lost and opened again, events sent meanwhile were missed), or the error that ends
/// the stream ([`RtmError::is_fatal`]): refused authentication, or a connection lost for
/// good when [`Reconnect::max_attempts`] is set.
/// Dropping the stream closes the connection.
///
/// `Debug` shows the socket URL, the events and the buffer, never the token key.
///
/// Against the embedded mock's RTM endpoint:
///
/// ```
/// use crisp_mock::realtime::{self, MockEvent};
/// use futures::StreamExt as _;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), crisp_api::rtm::RtmError> {
/// let (publish, _) = tokio::sync::broadcast::channel(16);
/// let (app, mock) = realtime::router("identifier", "key", publish.clone());
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
/// let socket_url = format!("http://{}{}", listener.local_addr().unwrap(), realtime::SOCKET_PATH);
/// tokio::spawn(async move { axum::serve(listener, app).await });
///
/// let client = crisp_api::Client::builder().credentials("identifier", "key").build().unwrap();
/// let mut events = client
///     .rtm()
///     .events(["message:send"])
///     .host(socket_url.as_str())
///     .connect()
///     .await?;
/// assert_eq!(events.events(), ["message:send"]);
/// assert_eq!(events.socket_url(), socket_url);
///
/// mock.wait_for_authenticated(1).await;
/// let message = serde_json::json!({
///     "website_id": "w", "session_id": "s", "fingerprint": 1,
///     "type": "text", "from": "user", "content": "hello",
/// });
/// publish.send(MockEvent::new("w", "message:send", message)).unwrap();
/// let event = events.next().await.unwrap()?;
/// let crisp_api::events::Event::MessageSend(message) = event else { panic!("{event:?}") };
/// assert_eq!(message.content, crisp_api::types::MessageContent::text("hello"));
/// assert_eq!((events.queued(), events.dropped(), events.capacity()), (0, 0, 1024));
/// events.close().await;
/// # Ok(())
/// # }
/// ```
pub struct EventStream {
    buffer: Arc<Buffer>,
    ctx: Arc<Context>,
    events: Arc<[String]>,
    close: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
    last_rebind: Option<Instant>,
}

impl EventStream {
    /// The events listened to.
    ///
    /// ```no_run
    /// # fn run(events: crisp_api::rtm::EventStream) {
    /// println!("listening to {}", events.events().join(", "));
    /// # }
    /// ```
    pub fn events(&self) -> &[String] {
        &self.events
    }

    /// The socket URL connected to (origin and socket.io path).
    ///
    /// ```no_run
    /// # fn run(events: crisp_api::rtm::EventStream) {
    /// println!("connected to {}", events.socket_url());
    /// # }
    /// ```
    pub fn socket_url(&self) -> String {
        self.ctx.target.to_string()
    }

    /// Events received and waiting to be read; never more than [`capacity`](Self::capacity).
    ///
    /// (Not named `buffered`: that is `StreamExt::buffered`, which would take precedence.)
    ///
    /// ```no_run
    /// # fn run(events: crisp_api::rtm::EventStream) {
    /// if events.queued() > events.capacity() / 2 {
    ///     eprintln!("falling behind: {} events waiting", events.queued());
    /// }
    /// # }
    /// ```
    pub fn queued(&self) -> usize {
        self.buffer.len()
    }

    /// What the events waiting to be read cost, in bytes (their names and JSON text, plus 40
    /// bytes each on 64-bit targets); never more than [`RtmBuilder::buffer_bytes`] but for one event
    /// larger than that on its own.
    ///
    /// ```no_run
    /// # fn run(events: crisp_api::rtm::EventStream) {
    /// println!("{} bytes of events waiting", events.queued_bytes());
    /// # }
    /// ```
    pub fn queued_bytes(&self) -> usize {
        self.buffer.bytes()
    }

    /// How many bytes of events may wait before the oldest are dropped
    /// ([`RtmBuilder::buffer_bytes`]).
    ///
    /// ```no_run
    /// # fn run(events: crisp_api::rtm::EventStream) {
    /// assert!(events.queued_bytes() <= events.capacity_bytes());
    /// # }
    /// ```
    pub fn capacity_bytes(&self) -> usize {
        self.buffer.max_bytes()
    }

    /// Events dropped so far because the consumer was behind (each drop is also reported
    /// on the stream as an [`RtmErrorKind::Lagged`] error).
    ///
    /// ```no_run
    /// # fn run(events: crisp_api::rtm::EventStream) {
    /// println!("{} events missed so far", events.dropped());
    /// # }
    /// ```
    pub fn dropped(&self) -> u64 {
        self.buffer.dropped()
    }

    /// How many events may wait before the oldest are dropped ([`RtmBuilder::buffer`]).
    ///
    /// ```no_run
    /// # fn run(events: crisp_api::rtm::EventStream) {
    /// assert!(events.queued() <= events.capacity());
    /// # }
    /// ```
    pub fn capacity(&self) -> usize {
        self.buffer.capacity()
    }

    /// Asks Crisp to bind the connection again to the websites the token can see (the
    /// Node wrapper's `rebindSocket`, the `socket:bind` message), after the token gained
    /// access to another website. As in the Node wrapper, calls must be at least 2.5 s
    /// apart; a call sooner is refused with [`RtmErrorKind::Configuration`]. Binds sent by
    /// [`RtmBuilder::rebind_on_change`] share the spacing: a call less than 2.5 s after one
    /// of them is sent once the interval has passed.
    ///
    /// The message goes out on the current connection, or on the next one if the
    /// connection is being reopened.
    ///
    /// ```no_run
    /// # async fn run(mut events: crisp_api::rtm::EventStream) -> Result<(), crisp_api::rtm::RtmError> {
    /// events.rebind()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn rebind(&mut self) -> Result<(), RtmError> {
        let now = Instant::now();
        if self
            .last_rebind
            .is_some_and(|last| now.duration_since(last) < REBIND_INTERVAL)
        {
            return Err(RtmError::new(
                RtmErrorKind::Configuration,
                "rebind was called less than 2.5 s ago",
            ));
        }
        self.last_rebind = Some(now);
        self.ctx.rebind.notify_one();
        Ok(())
    }

    /// Closes the connection (a socket.io disconnect, then a WebSocket close) and waits
    /// for its task to end. Dropping the stream does the same without waiting.
    ///
    /// ```no_run
    /// # async fn run(events: crisp_api::rtm::EventStream) {
    /// events.close().await;
    /// # }
    /// ```
    pub async fn close(mut self) {
        self.close.take();
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Stream for EventStream {
    type Item = Result<Decoded, RtmError>;

    fn poll_next(
        self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> Poll<Option<Self::Item>> {
        Poll::Ready(match ready!(self.buffer.poll_next(cx)) {
            Next::Event(raw) => Some(Ok(decode(raw))),
            Next::Lagged(dropped) => Some(Err(RtmError::lagging(dropped))),
            Next::Reconnected(lost_at) => Some(Err(RtmError::reconnection(lost_at))),
            Next::Failed(error) => Some(Err(error)),
            Next::End => None,
        })
    }
}

impl Drop for EventStream {
    fn drop(&mut self) {
        // Dropping the sender wakes the task, which says goodbye to the server and ends.
        self.close.take();
    }
}

impl fmt::Debug for EventStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventStream")
            .field("socket_url", &self.ctx.target.to_string())
            .field("events", &self.events)
            .field("queued", &self.queued())
            .field("capacity", &self.capacity())
            .field("dropped", &self.dropped())
            .finish()
    }
}

/// When and how often to reconnect after a drop: exponential backoff with jitter, as
/// socket.io's client computes it.
///
/// The wait before attempt `n` (from 0) is `initial_delay × factor^n`, moved up or down at
/// random by up to `jitter` of itself, and at most `max_delay`. The count starts again
/// after every established connection (see [Reconnections](crate::rtm#reconnections)).
/// The default is the Node wrapper's: 5 s, doubling,
/// at most 10 s, jitter 0.75, and no limit on attempts.
///
/// ```
/// use crisp_api::rtm::Reconnect;
/// use std::time::Duration;
///
/// let patient = Reconnect::default()
///     .initial_delay(Duration::from_secs(1))
///     .max_delay(Duration::from_secs(120))
///     .factor(3.0)
///     .jitter(0.5)
///     .max_attempts(50);
/// # let _ = patient;
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Reconnect {
    initial_delay: Duration,
    max_delay: Duration,
    factor: f64,
    jitter: f64,
    max_attempts: Option<u32>,
}

impl Default for Reconnect {
    fn default() -> Self {
        Reconnect {
            initial_delay: Duration::from_secs(5),
            max_delay: Duration::from_secs(10),
            factor: 2.0,
            jitter: 0.75,
            max_attempts: None,
        }
    }
}

impl Reconnect {
    /// No reconnection: the first drop ends the stream with its error.
    ///
    /// ```
    /// let once = crisp_api::rtm::Reconnect::never();
    /// # let _ = once;
    /// ```
    pub fn never() -> Self {
        Reconnect::default().max_attempts(0)
    }

    /// The wait before the first attempt (default 5 s).
    ///
    /// ```
    /// # use std::time::Duration;
    /// let policy = crisp_api::rtm::Reconnect::default().initial_delay(Duration::from_secs(1));
    /// # let _ = policy;
    /// ```
    pub fn initial_delay(mut self, delay: Duration) -> Self {
        self.initial_delay = delay;
        self
    }

    /// The longest wait between attempts (default 10 s).
    ///
    /// ```
    /// # use std::time::Duration;
    /// let policy = crisp_api::rtm::Reconnect::default().max_delay(Duration::from_secs(60));
    /// # let _ = policy;
    /// ```
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// How much the wait grows after each failed attempt (default 2; at least 1).
    ///
    /// ```
    /// let policy = crisp_api::rtm::Reconnect::default().factor(1.5);
    /// # let _ = policy;
    /// ```
    pub fn factor(mut self, factor: f64) -> Self {
        self.factor = if factor.is_finite() {
            factor.max(1.0)
        } else {
            1.0
        };
        self
    }

    /// How much of the wait is random, from 0 (none) to 1 (default 0.75).
    ///
    /// ```
    /// let policy = crisp_api::rtm::Reconnect::default().jitter(0.0);
    /// # let _ = policy;
    /// ```
    pub fn jitter(mut self, jitter: f64) -> Self {
        self.jitter = if jitter.is_finite() {
            jitter.clamp(0.0, 1.0)
        } else {
            0.0
        };
        self
    }

    /// At most this many attempts since the last established connection (one Crisp
    /// confirmed and that stayed open a second; see
    /// [Reconnections](crate::rtm#reconnections)); when they all fail, the stream ends with
    /// the last error (default: no limit).
    ///
    /// ```
    /// let policy = crisp_api::rtm::Reconnect::default().max_attempts(10);
    /// # let _ = policy;
    /// ```
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = Some(attempts);
        self
    }

    /// The wait before attempt `attempt` (from 0).
    pub(crate) fn delay(&self, attempt: u32) -> Duration {
        // socket.io's Backoff: min × factor^attempt, ± a random part of itself, capped.
        let exponent = i32::try_from(attempt).unwrap_or(i32::MAX);
        let base = self.initial_delay.as_secs_f64() * self.factor.powi(exponent);
        // Past a day the exact value no longer matters, and infinity would not convert.
        let base = if base.is_finite() {
            base.min(86_400.0)
        } else {
            86_400.0
        };
        let deviation = fastrand::f64() * self.jitter * base;
        let wait = if fastrand::bool() {
            base - deviation
        } else {
            base + deviation
        };
        Duration::from_secs_f64(wait.clamp(0.0, self.max_delay.as_secs_f64()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_backoff_is_the_node_wrappers() {
        let policy = Reconnect::default();
        for _ in 0..1000 {
            let first = policy.delay(0);
            assert!(
                first >= Duration::from_millis(1250) && first <= Duration::from_millis(8750),
                "{first:?}"
            );
            let second = policy.delay(1);
            assert!(
                second >= Duration::from_millis(2500) && second <= Duration::from_secs(10),
                "{second:?}"
            );
            assert!(policy.delay(u32::MAX) <= Duration::from_secs(10));
        }
    }

    #[test]
    fn backoff_without_jitter_doubles_up_to_the_cap() {
        let policy = Reconnect::default()
            .initial_delay(Duration::from_millis(100))
            .max_delay(Duration::from_secs(1))
            .jitter(0.0);
        let waits: Vec<_> = (0..6).map(|n| policy.delay(n).as_millis()).collect();
        assert_eq!(waits, [100, 200, 400, 800, 1000, 1000]);
        // Out-of-range settings are brought back in range.
        let odd = Reconnect::default().factor(f64::NAN).jitter(7.0);
        assert_eq!(odd.factor, 1.0);
        assert_eq!(odd.jitter, 1.0);
    }

    #[test]
    fn debug_never_shows_the_key() {
        let client = Client::builder()
            .credentials("the-identifier", "the-secret-key")
            .build()
            .unwrap();
        let rtm = client.rtm().events(["message:send"]);
        let shown = format!("{rtm:?}");
        assert!(shown.contains("the-identifier"), "{shown}");
        assert!(!shown.contains("the-secret-key"), "{shown}");
    }

    #[tokio::test]
    async fn rebind_on_change_needs_a_plugin_token() {
        let client = Client::builder().credentials("i", "k").build().unwrap();
        let e = client
            .rtm()
            .events(["message:send"])
            .rebind_on_change(true)
            .host("http://127.0.0.1:9/")
            .connect()
            .await
            .unwrap_err();
        assert_eq!(e.kind(), RtmErrorKind::Configuration);
        assert!(e.to_string().contains("plugin"), "{e}");
    }

    #[tokio::test]
    async fn connecting_without_events_is_refused() {
        let client = Client::builder().credentials("i", "k").build().unwrap();
        let e = client
            .rtm()
            .host("http://127.0.0.1:9/")
            .connect()
            .await
            .unwrap_err();
        assert_eq!(e.kind(), RtmErrorKind::Configuration);
    }
}
