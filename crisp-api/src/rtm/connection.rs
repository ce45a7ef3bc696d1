//! One RTM connection and the task that keeps one open: the WebSocket upgrade over
//! reqwest, the Engine.IO and socket.io handshakes, authentication, the read loop, and
//! reconnection with backoff after a drop.
//!
//! The WebSocket protocol itself is tokio-websockets', over the connection reqwest upgraded.
//! Nothing here logs a frame (the authentication frame holds the token key), and every text
//! that came from the server goes through the client's credential scrubber before it reaches
//! an error or a log record.
//!
//! No write can hang the task: each one (a pong, `socket:bind`, the authentication) has a
//! deadline, the builder's timeout, and races the consumer's close; a server that stops
//! reading loses the connection (a [`RtmErrorKind::Timeout`]), and `close()` returns at once.

use super::buffer::Buffer;
use super::protocol::{self, EnginePacket, Handshake, SocketPacket};
use super::{RawEvent, Reconnect, RtmError, RtmErrorKind, REBIND_INTERVAL};
use crate::server_text::Scrubber;
use base64::Engine as _;
use futures::{SinkExt as _, StreamExt as _};
use reqwest::header::{
    HeaderMap, HeaderValue, CONNECTION, SEC_WEBSOCKET_ACCEPT, SEC_WEBSOCKET_KEY,
    SEC_WEBSOCKET_VERSION, UPGRADE, USER_AGENT,
};
use std::collections::HashSet;
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tokio::sync::{oneshot, Notify};
use tokio::time::Instant;
use tokio_websockets::{Limits, Message};

type Socket = tokio_websockets::WebSocketStream<reqwest::Upgraded>;

/// The event after which the connection is bound again, with the `rebind_on_change` option.
pub(crate) const SUBSCRIPTION_UPDATED: &str = "plugin:subscription:updated";

/// How long a connection must stay up after Crisp confirmed the authentication before the
/// count of failed attempts starts again: a server that accepts and drops at once does not
/// reset it, so [`Reconnect::max_attempts`] is reached.
const STABLE_AFTER: Duration = Duration::from_secs(1);

/// How long leaving politely (or answering a server's close) may take.
const GOODBYE: Duration = Duration::from_secs(1);

/// Where the socket.io endpoint is: the `http(s)` URL of its WebSocket transport.
#[derive(Clone)]
pub(crate) struct Target {
    url: reqwest::Url,
    /// Origin and path, as shown in errors and logs: the URL came from a server
    /// (`connect/endpoints`), so it is scrubbed like any server text.
    shown: String,
}

impl Target {
    /// The endpoint of a socket URL such as Crisp's `socket.app`: its origin, and its path
    /// as socket.io's `path` (Crisp's wrappers do the same), with the trailing slash
    /// socket.io adds. `ws` and `wss` mean `http` and `https`.
    pub(crate) fn parse(socket_url: &str, scrubber: &Scrubber) -> Result<Target, RtmError> {
        let invalid = |why: &str| {
            RtmError::new(
                RtmErrorKind::Configuration,
                scrubber.clean(&format!(
                    "invalid socket URL `{}`: {why}",
                    socket_url.trim()
                )),
            )
        };
        let mut url =
            reqwest::Url::parse(socket_url.trim()).map_err(|e| invalid(&e.to_string()))?;
        let scheme = match url.scheme() {
            "https" | "wss" => "https",
            "http" | "ws" => "http",
            _ => return Err(invalid("the scheme must be http, https, ws or wss")),
        };
        if url.host_str().is_none_or(str::is_empty) {
            return Err(invalid("it has no host"));
        }
        // Between these special schemes the change is always allowed.
        url.set_scheme(scheme).map_err(|()| invalid("bad scheme"))?;
        let _ = url.set_username("");
        let _ = url.set_password(None);
        let mut path = url.path().to_string();
        if !path.ends_with('/') {
            path.push('/');
        }
        url.set_path(&path);
        url.set_query(Some(&format!(
            "EIO={}&transport=websocket",
            protocol::ENGINE_IO_VERSION
        )));
        url.set_fragment(None);
        let shown = scrubber.clean(&format!(
            "{}{}",
            url.origin().ascii_serialization(),
            url.path()
        ));
        Ok(Target { url, shown })
    }

    /// The URL of the WebSocket transport.
    #[cfg(test)]
    pub(crate) fn url(&self) -> &str {
        self.url.as_str()
    }
}

impl fmt::Display for Target {
    /// The origin and path, without the protocol's query.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown)
    }
}

/// The `authentication` message, which holds the token key: `Debug` never shows it, and it
/// is never logged.
pub(crate) struct Authentication(String);

impl Authentication {
    pub(crate) fn new(identifier: &str, key: &str, tier: &str, events: &[String]) -> Self {
        let data = serde_json::json!({
            "username": identifier,
            "password": key,
            "tier": tier,
            "events": events,
        });
        Authentication(protocol::event("authentication", &data))
    }
}

impl fmt::Debug for Authentication {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Authentication(<redacted>)")
    }
}

/// What the connection task needs; shared with the stream for `rebind`.
pub(crate) struct Context {
    pub(crate) target: Target,
    pub(crate) http: reqwest::Client,
    pub(crate) user_agent: HeaderValue,
    pub(crate) authentication: Authentication,
    /// The events the consumer asked for: only these reach the stream.
    pub(crate) subscribed: HashSet<String>,
    /// Opening a connection, and each write, must end within this.
    pub(crate) timeout: Duration,
    pub(crate) max_message_bytes: usize,
    pub(crate) reconnect: Reconnect,
    pub(crate) buffer: Arc<Buffer>,
    pub(crate) rebind: Notify,
    /// Bind again when `plugin:subscription:updated` arrives.
    pub(crate) rebind_on_change: bool,
    /// Removes the credentials from server text.
    pub(crate) scrubber: Scrubber,
}

/// An open, authenticating connection.
pub(crate) struct Connection {
    socket: Socket,
    handshake: Handshake,
}

/// Opens a connection: upgrade, Engine.IO open, socket.io connect, then the
/// `authentication` message; all within the timeout.
pub(crate) async fn open(ctx: &Context) -> Result<Connection, RtmError> {
    match tokio::time::timeout(ctx.timeout, open_within(ctx)).await {
        Ok(result) => result,
        Err(_) => Err(RtmError::new(
            RtmErrorKind::Timeout,
            format!(
                "no socket.io session with {} within {:?}",
                ctx.target, ctx.timeout
            ),
        )),
    }
}

async fn open_within(ctx: &Context) -> Result<Connection, RtmError> {
    let mut socket = upgrade(ctx).await?;
    let handshake = loop {
        let text = next_text(ctx, &mut socket).await?;
        match protocol::parse_engine(&text) {
            Ok(EnginePacket::Open(handshake)) => break handshake,
            Ok(EnginePacket::Noop) => continue,
            Ok(other) => {
                return Err(protocol_error(ctx.scrubber.clean(&format!(
                    "expected the Engine.IO open packet, got {other:?}"
                ))))
            }
            Err(e) => return Err(protocol_error(e.describe(&ctx.scrubber))),
        }
    };
    send(ctx, &mut socket, protocol::connect().to_string()).await?;
    loop {
        let text = next_text(ctx, &mut socket).await?;
        match protocol::parse_engine(&text) {
            Ok(EnginePacket::Ping(data)) => send(ctx, &mut socket, protocol::pong(data)).await?,
            Ok(EnginePacket::Close) => {
                return Err(RtmError::new(
                    RtmErrorKind::Transport,
                    "the server closed the session during the handshake",
                ))
            }
            Ok(EnginePacket::Message(packet)) => match protocol::parse_socket(packet) {
                Ok(SocketPacket::Connect) => break,
                Ok(SocketPacket::ConnectError { message }) => {
                    return Err(protocol_error(format!(
                        "the server refused the namespace connection: {}",
                        ctx.scrubber.clean(&message)
                    )))
                }
                // Nothing else is expected before the connect; nothing else matters.
                Ok(_) => {}
                Err(e) => return Err(protocol_error(e.describe(&ctx.scrubber))),
            },
            Ok(_) => {}
            Err(e) => return Err(protocol_error(e.describe(&ctx.scrubber))),
        }
    }
    send(ctx, &mut socket, ctx.authentication.0.clone()).await?;
    Ok(Connection { socket, handshake })
}

/// A fresh `Sec-WebSocket-Key`: 16 random bytes in base64, from the operating system's
/// generator (RFC 6455: "a strong source of entropy"); should it refuse (it does not on the
/// platforms Rust supports), `fastrand`'s rather than failing the connection.
fn new_key() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        bytes = std::array::from_fn(|_| fastrand::u8(..));
    }
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The `Sec-WebSocket-Accept` a server must answer to `key` (RFC 6455, section 4.2.2).
fn accept_for(key: &str) -> String {
    let mut sha1 = sha1_smol::Sha1::new();
    sha1.update(key.as_bytes());
    sha1.update(b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    base64::engine::general_purpose::STANDARD.encode(sha1.digest().bytes())
}

/// What RFC 6455 (section 4.1) asks of the server's 101 answer beyond the status: an
/// `Upgrade: websocket` header, a `Connection` header with the `Upgrade` token (both
/// case-insensitive), and the `Sec-WebSocket-Accept` matching the key sent.
fn check_switch(headers: &HeaderMap, key: &str) -> Result<(), &'static str> {
    let upgrade = headers
        .get(UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("websocket"));
    if !upgrade {
        return Err("the WebSocket upgrade has no `Upgrade: websocket` header");
    }
    let connection = headers.get_all(CONNECTION).iter().any(|v| {
        v.to_str().is_ok_and(|v| {
            v.split(',')
                .any(|t| t.trim().eq_ignore_ascii_case("upgrade"))
        })
    });
    if !connection {
        return Err("the WebSocket upgrade has no `Connection: Upgrade` header");
    }
    let accepted = headers
        .get(SEC_WEBSOCKET_ACCEPT)
        .is_some_and(|v| v.as_bytes() == accept_for(key).as_bytes());
    if !accepted {
        return Err("the WebSocket upgrade has no valid Sec-WebSocket-Accept");
    }
    Ok(())
}

/// The WebSocket upgrade, through reqwest so that TLS, proxies and DNS are the HTTP
/// client's, then handed to tokio-websockets. The client must speak HTTP/1.1 to this host:
/// an upgrade cannot go over HTTP/2.
async fn upgrade(ctx: &Context) -> Result<Socket, RtmError> {
    let key = new_key();
    let response = ctx
        .http
        .get(ctx.target.url.clone())
        .version(reqwest::Version::HTTP_11)
        .header(CONNECTION, "Upgrade")
        .header(UPGRADE, "websocket")
        .header(SEC_WEBSOCKET_VERSION, "13")
        .header(SEC_WEBSOCKET_KEY, &key)
        .header(USER_AGENT, ctx.user_agent.clone())
        .send()
        .await
        .map_err(|e| {
            let kind = if e.is_timeout() {
                RtmErrorKind::Timeout
            } else {
                RtmErrorKind::Transport
            };
            RtmError::new(kind, format!("cannot reach {}", ctx.target))
                .with_source(e.without_url(), &ctx.scrubber)
        })?;
    let status = response.status();
    if status != reqwest::StatusCode::SWITCHING_PROTOCOLS {
        return Err(RtmError::new(
            RtmErrorKind::Transport,
            format!(
                "{} answered HTTP {} instead of switching to WebSocket",
                ctx.target,
                status.as_u16()
            ),
        ));
    }
    check_switch(response.headers(), &key).map_err(protocol_error)?;
    let upgraded = response.upgrade().await.map_err(|e| {
        RtmError::new(RtmErrorKind::Transport, "the WebSocket upgrade failed")
            .with_source(e.without_url(), &ctx.scrubber)
    })?;
    let limits = Limits::default().max_payload_len(Some(ctx.max_message_bytes));
    Ok(tokio_websockets::ClientBuilder::new()
        .limits(limits)
        .take_over(upgraded))
}

/// The next text message, during the handshake (which the caller bounds in time).
async fn next_text(ctx: &Context, socket: &mut Socket) -> Result<String, RtmError> {
    loop {
        match socket.next().await {
            Some(Ok(message)) if message.is_text() => {
                return Ok(message.as_text().unwrap_or_default().to_string())
            }
            // tokio-websockets queued the pong; send it now.
            Some(Ok(message)) if message.is_ping() => {
                socket.flush().await.map_err(|e| socket_error(ctx, e))?
            }
            Some(Ok(message)) if message.is_close() => {
                let _ = tokio::time::timeout(GOODBYE, socket.next()).await;
                return Err(RtmError::new(
                    RtmErrorKind::Transport,
                    "the server closed the connection during the handshake",
                ));
            }
            Some(Ok(_)) => continue,
            None => {
                return Err(RtmError::new(
                    RtmErrorKind::Transport,
                    "the server closed the connection during the handshake",
                ))
            }
            Some(Err(e)) => return Err(socket_error(ctx, e)),
        }
    }
}

/// Sends a text message, within the timeout (used during the handshake).
async fn send(ctx: &Context, socket: &mut Socket, text: String) -> Result<(), RtmError> {
    match tokio::time::timeout(ctx.timeout, socket.send(Message::text(text))).await {
        Ok(result) => result.map_err(|e| socket_error(ctx, e)),
        Err(_) => Err(stopped_reading(ctx)),
    }
}

fn stopped_reading(ctx: &Context) -> RtmError {
    RtmError::new(
        RtmErrorKind::Timeout,
        format!(
            "the server has not read what was sent within {:?}",
            ctx.timeout
        ),
    )
}

fn socket_error(ctx: &Context, e: tokio_websockets::Error) -> RtmError {
    use tokio_websockets::Error as E;
    let (kind, what) = match &e {
        E::Protocol(_) => (
            RtmErrorKind::Protocol,
            "the server broke the WebSocket protocol".to_string(),
        ),
        E::PayloadTooLong { max_len, .. } => (
            RtmErrorKind::Protocol,
            format!("the server sent a message larger than the limit of {max_len} bytes"),
        ),
        _ => (RtmErrorKind::Transport, "the WebSocket failed".to_string()),
    };
    RtmError::new(kind, what).with_source(e, &ctx.scrubber)
}

fn protocol_error(message: impl Into<String>) -> RtmError {
    RtmError::new(RtmErrorKind::Protocol, message)
}

/// How a connection ended.
enum Ended {
    /// The consumer dropped the stream.
    Closed,
    /// The server answered `unauthorized`.
    Unauthorized(String),
    /// The connection was lost; reconnect.
    Lost(RtmError),
}

/// When to send `socket:bind`: never twice within [`REBIND_INTERVAL`], whoever asks (the
/// consumer's [`rebind`](super::EventStream::rebind) or a subscription change); a request
/// that comes sooner waits, and requests that wait together are sent once.
#[derive(Default)]
struct Binder {
    last: Option<Instant>,
    pending: Option<Instant>,
}

impl Binder {
    fn request(&mut self, now: Instant) {
        if self.pending.is_none() {
            let earliest = self.last.map_or(now, |last| last + REBIND_INTERVAL);
            self.pending = Some(earliest.max(now));
        }
    }
}

/// Keeps a connection open until the consumer drops the stream or authentication is
/// refused: reads the first connection, then reconnects after every drop (authenticating
/// again with the same events) with the backoff of [`Reconnect`], and tells the consumer of
/// each reconnection ([`RtmErrorKind::Reconnected`]).
pub(crate) async fn run(ctx: Arc<Context>, first: Connection, mut closed: oneshot::Receiver<()>) {
    // Whatever way this task ends (even a panic or an abort), the stream ends too.
    let _finish = FinishOnDrop(ctx.buffer.clone());
    let mut connection = first;
    let mut binder = Binder::default();
    // Failed attempts in a row: only an established connection starts the count again.
    let mut failures: u32 = 0;
    loop {
        tracing::info!(target: "crisp_api::rtm", socket = %ctx.target, "crisp rtm: connected");
        let (ended, established) = read(&ctx, connection, &mut closed, &mut binder).await;
        let mut error = match ended {
            Ended::Closed => return,
            Ended::Unauthorized(message) => {
                tracing::warn!(target: "crisp_api::rtm", socket = %ctx.target, %message, "crisp rtm: authentication refused");
                ctx.buffer.finish(Some(RtmError::new(
                    RtmErrorKind::Authentication,
                    format!("the server answered `unauthorized`: {message}"),
                )));
                return;
            }
            Ended::Lost(error) => error,
        };
        let lost_at = SystemTime::now();
        if established {
            failures = 0;
        }
        connection = loop {
            if ctx
                .reconnect
                .max_attempts
                .is_some_and(|max| failures >= max)
            {
                tracing::warn!(target: "crisp_api::rtm", socket = %ctx.target, %error, "crisp rtm: giving up");
                ctx.buffer.finish(Some(error));
                return;
            }
            let wait = ctx.reconnect.delay(failures);
            failures = failures.saturating_add(1);
            tracing::warn!(target: "crisp_api::rtm", socket = %ctx.target, %error, attempt = failures, ?wait, "crisp rtm: connection lost; reconnecting");
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = &mut closed => return,
            }
            let attempt = tokio::select! {
                attempt = open(&ctx) => attempt,
                _ = &mut closed => return,
            };
            match attempt {
                Ok(connection) => break connection,
                Err(e) => error = e,
            }
        };
        ctx.buffer.reconnected(lost_at);
    }
}

/// Runs a write (or a flush) with the deadline, unless the consumer closes first.
async fn bounded<F>(ctx: &Context, closed: &mut oneshot::Receiver<()>, write: F) -> Option<Ended>
where
    F: Future<Output = Result<(), tokio_websockets::Error>>,
{
    tokio::select! {
        _ = &mut *closed => Some(Ended::Closed),
        result = tokio::time::timeout(ctx.timeout, write) => match result {
            Ok(Ok(())) => None,
            Ok(Err(e)) => Some(Ended::Lost(socket_error(ctx, e))),
            Err(_) => Some(Ended::Lost(stopped_reading(ctx))),
        },
    }
}

/// Reads one connection until it ends; says too whether it was established (see
/// [`STABLE_AFTER`]).
async fn read(
    ctx: &Context,
    connection: Connection,
    closed: &mut oneshot::Receiver<()>,
    binder: &mut Binder,
) -> (Ended, bool) {
    let Connection {
        mut socket,
        handshake,
    } = connection;
    let mut authenticated_at: Option<Instant> = None;
    let ended = read_until_end(
        ctx,
        &mut socket,
        &handshake,
        closed,
        binder,
        &mut authenticated_at,
    )
    .await;
    let established = authenticated_at.is_some_and(|at| at.elapsed() >= STABLE_AFTER);
    (ended, established)
}

async fn read_until_end(
    ctx: &Context,
    socket: &mut Socket,
    handshake: &Handshake,
    closed: &mut oneshot::Receiver<()>,
    binder: &mut Binder,
    authenticated_at: &mut Option<Instant>,
) -> Ended {
    let heartbeat = handshake.heartbeat_deadline();
    let mut alive_until = Instant::now() + heartbeat;
    loop {
        let bind_at = binder.pending;
        let frame = tokio::select! {
            _ = &mut *closed => {
                goodbye(socket).await;
                return Ended::Closed;
            }
            _ = ctx.rebind.notified() => {
                binder.request(Instant::now());
                continue;
            }
            _ = tokio::time::sleep_until(bind_at.unwrap_or(alive_until)), if bind_at.is_some() => {
                binder.pending = None;
                binder.last = Some(Instant::now());
                let bind = protocol::event("socket:bind", &serde_json::json!({}));
                if let Some(ended) = bounded(ctx, closed, socket.send(Message::text(bind))).await {
                    return ended;
                }
                continue;
            }
            _ = tokio::time::sleep_until(alive_until) => {
                return Ended::Lost(RtmError::new(
                    RtmErrorKind::Timeout,
                    format!("no heartbeat from the server in {heartbeat:?}"),
                ));
            }
            frame = socket.next() => frame,
        };
        // However fast the server sends, the task gives the runtime back its turn (every
        // 128 messages, tokio's budget), so the consumer's own tasks and timers run.
        tokio::task::consume_budget().await;
        // Anything the server sends shows it is alive, not only its Engine.IO pings.
        alive_until = Instant::now() + heartbeat;
        let message = match frame {
            Some(Ok(message)) => message,
            Some(Err(e)) => return Ended::Lost(socket_error(ctx, e)),
            None => {
                return Ended::Lost(RtmError::new(
                    RtmErrorKind::Transport,
                    "the server closed the connection",
                ))
            }
        };
        if message.is_ping() {
            // tokio-websockets queued the pong: send it now, within the deadline, so that
            // pongs cannot pile up for a server that does not read.
            if let Some(ended) = bounded(ctx, closed, socket.flush()).await {
                return ended;
            }
            continue;
        }
        if message.is_close() {
            // RFC 6455, section 5.5.1: answer the close. tokio-websockets queued the
            // answer; reading on sends it and ends the stream.
            let code = message.as_close().map(|(code, _)| u16::from(code));
            let _ = tokio::time::timeout(GOODBYE, socket.next()).await;
            return Ended::Lost(RtmError::new(
                RtmErrorKind::Transport,
                match code {
                    Some(code) => format!("the server closed the WebSocket (code {code})"),
                    None => "the server closed the WebSocket".to_string(),
                },
            ));
        }
        // Binary messages are attachments of binary packets, which are skipped.
        let Some(text) = message.as_text() else {
            continue;
        };
        let packet = match protocol::parse_engine(text) {
            Ok(EnginePacket::Ping(data)) => {
                let pong = Message::text(protocol::pong(data));
                if let Some(ended) = bounded(ctx, closed, socket.send(pong)).await {
                    return ended;
                }
                continue;
            }
            Ok(EnginePacket::Close) => {
                return Ended::Lost(RtmError::new(
                    RtmErrorKind::Transport,
                    "the server ended the session",
                ))
            }
            Ok(EnginePacket::Message(packet)) => packet,
            Ok(_) => continue,
            Err(e) => {
                tracing::warn!(target: "crisp_api::rtm", error = %e.describe(&ctx.scrubber), "crisp rtm: skipped a packet that is not Engine.IO");
                continue;
            }
        };
        match protocol::parse_socket(packet) {
            Ok(SocketPacket::Event { name, data }) => match name.as_str() {
                "unauthorized" => return Ended::Unauthorized(refusal(&ctx.scrubber, &data)),
                "authenticated" => {
                    authenticated_at.get_or_insert_with(Instant::now);
                    tracing::debug!(target: "crisp_api::rtm", socket = %ctx.target, "crisp rtm: authenticated");
                }
                _ => {
                    if ctx.rebind_on_change && name == SUBSCRIPTION_UPDATED {
                        binder.request(Instant::now());
                    }
                    if ctx.subscribed.contains(&name) {
                        ctx.buffer.push(RawEvent { name, data });
                    } else {
                        tracing::trace!(target: "crisp_api::rtm", event = %ctx.scrubber.clean(&name), "crisp rtm: skipped an event not subscribed to");
                    }
                }
            },
            Ok(SocketPacket::Disconnect) => {
                return Ended::Lost(RtmError::new(
                    RtmErrorKind::Transport,
                    "the server disconnected the socket",
                ))
            }
            Ok(SocketPacket::Binary { attachments }) => {
                tracing::warn!(target: "crisp_api::rtm", attachments, "crisp rtm: skipped a binary packet (not supported)");
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(target: "crisp_api::rtm", error = %e.describe(&ctx.scrubber), "crisp rtm: skipped a malformed socket.io packet");
            }
        }
    }
}

/// The server's words in an `unauthorized` event (`{"message": …}` or a string), with the
/// credentials removed (a server may quote the authentication it refused).
fn refusal(scrubber: &Scrubber, data: &serde_json::value::RawValue) -> String {
    let data: serde_json::Value = serde_json::from_str(data.get()).unwrap_or_default();
    let message = match &data {
        serde_json::Value::String(text) => text.as_str(),
        other => other
            .get("message")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("no reason given"),
    };
    scrubber.clean(message)
}

/// Leaves politely: a socket.io disconnect, then a WebSocket close, without waiting long
/// for a server that does not read.
async fn goodbye(socket: &mut Socket) {
    let polite = async {
        let _ = socket
            .send(Message::text(protocol::disconnect().to_string()))
            .await;
        let _ = socket.close().await;
    };
    let _ = tokio::time::timeout(GOODBYE, polite).await;
}

struct FinishOnDrop(Arc<Buffer>);

impl Drop for FinishOnDrop {
    fn drop(&mut self) {
        self.0.finish(None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(url: &str) -> Result<Target, RtmError> {
        Target::parse(url, &Scrubber::default())
    }

    #[test]
    fn targets_follow_the_socket_url() {
        let t = target("https://app.relay.crisp.chat/").unwrap();
        assert_eq!(
            t.url(),
            "https://app.relay.crisp.chat/?EIO=4&transport=websocket"
        );
        assert_eq!(t.to_string(), "https://app.relay.crisp.chat/");
        // No path is the root, as socket.io's `path: "/"`.
        let t = target("https://app.relay.crisp.chat").unwrap();
        assert_eq!(
            t.url(),
            "https://app.relay.crisp.chat/?EIO=4&transport=websocket"
        );
        // A path gets socket.io's trailing slash; a query, fragment and user info go.
        let t = target("wss://user:pw@relay.example:8443/rtm?x=1#f").unwrap();
        assert_eq!(
            t.url(),
            "https://relay.example:8443/rtm/?EIO=4&transport=websocket"
        );
        let t = target(" ws://127.0.0.1:9000/rtm/ ").unwrap();
        assert_eq!(
            t.url(),
            "http://127.0.0.1:9000/rtm/?EIO=4&transport=websocket"
        );
    }

    #[test]
    fn bad_socket_urls_are_configuration_errors() {
        for bad in [
            "",
            "relay.crisp.chat",
            "ftp://relay.crisp.chat/",
            "file:///tmp/x",
        ] {
            let e = target(bad).err().unwrap();
            assert_eq!(e.kind(), RtmErrorKind::Configuration, "{bad:?}");
        }
    }

    #[test]
    fn a_socket_url_holding_the_key_is_shown_without_it() {
        let key = "0123456789abcdef0123456789abcdef";
        let scrubber = Scrubber::new(&crate::Credentials::new("id", key));
        let t = Target::parse(&format!("https://relay.example/{key}/"), &scrubber).unwrap();
        assert!(!t.to_string().contains("0123456789ab"), "{t}");
        let e = Target::parse(&format!("ftp://relay.example/{key}"), &scrubber)
            .err()
            .unwrap();
        assert!(!format!("{e} {e:?}").contains("0123456789ab"), "{e}");
    }

    #[test]
    fn the_authentication_message_is_redacted() {
        let auth = Authentication::new("id", "the-secret-key", "plugin", &["message:send".into()]);
        assert!(auth.0.contains("the-secret-key"));
        assert!(!format!("{auth:?}").contains("the-secret-key"));
    }

    #[test]
    fn the_accept_key_is_rfc_6455s() {
        // The example of RFC 6455, section 1.3.
        assert_eq!(
            accept_for("dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
        let key = new_key();
        assert_eq!(key.len(), 24);
        assert_ne!(key, new_key());
    }

    #[test]
    fn a_switch_needs_upgrade_connection_and_accept() {
        let key = "dGhlIHNhbXBsZSBub25jZQ==";
        let headers = |pairs: &[(&'static str, &'static str)]| {
            let mut map = HeaderMap::new();
            for (name, value) in pairs {
                map.append(*name, HeaderValue::from_static(value));
            }
            map
        };
        let accept = ("sec-websocket-accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        assert!(check_switch(
            &headers(&[
                ("upgrade", "WebSocket"),
                ("connection", "keep-alive, Upgrade"),
                accept
            ]),
            key
        )
        .is_ok());
        for bad in [
            headers(&[("connection", "Upgrade"), accept]),
            headers(&[("upgrade", "h2c"), ("connection", "Upgrade"), accept]),
            headers(&[("upgrade", "websocket"), accept]),
            headers(&[("upgrade", "websocket"), ("connection", "close"), accept]),
            headers(&[("upgrade", "websocket"), ("connection", "Upgrade")]),
        ] {
            assert!(check_switch(&bad, key).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn refusals_are_printable_and_scrubbed() {
        let raw =
            |v: serde_json::Value| serde_json::value::RawValue::from_string(v.to_string()).unwrap();
        let none = Scrubber::default();
        assert_eq!(
            refusal(&none, &raw(serde_json::json!({"message": "bad\nkey"}))),
            "bad key"
        );
        assert_eq!(refusal(&none, &raw(serde_json::json!("nope"))), "nope");
        assert_eq!(
            refusal(&none, &raw(serde_json::json!(3))),
            "no reason given"
        );
        let key = "0123456789abcdef0123456789abcdef";
        let scrubber = Scrubber::new(&crate::Credentials::new("id", key));
        let shown = refusal(
            &scrubber,
            &raw(serde_json::json!({"message": format!("bad key {}", &key[3..20])})),
        );
        assert!(!shown.contains(&key[3..15]), "{shown}");
    }

    #[test]
    fn binds_are_spaced_by_the_interval() {
        let start = Instant::now();
        let mut binder = Binder::default();
        binder.request(start);
        assert_eq!(binder.pending, Some(start));
        binder.pending = None;
        binder.last = Some(start);
        // Asked again 1 s later: waits for the interval, and a third request joins it.
        binder.request(start + Duration::from_secs(1));
        assert_eq!(binder.pending, Some(start + REBIND_INTERVAL));
        binder.request(start + Duration::from_secs(2));
        assert_eq!(binder.pending, Some(start + REBIND_INTERVAL));
    }
}
