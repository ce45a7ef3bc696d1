//! One RTM connection and the task that keeps one open: the WebSocket upgrade over
//! reqwest, the Engine.IO and socket.io handshakes, authentication, the read loop, and
//! reconnection with backoff after a drop. Nothing here logs a frame: the authentication
//! frame holds the token key.

use super::buffer::Buffer;
use super::protocol::{self, EnginePacket, Handshake, SocketPacket};
use super::websocket::{self, Incoming, WebSocket, WsError};
use super::{RawEvent, Reconnect, RtmError, RtmErrorKind};
use reqwest::header::{
    HeaderValue, CONNECTION, SEC_WEBSOCKET_ACCEPT, SEC_WEBSOCKET_KEY, SEC_WEBSOCKET_VERSION,
    UPGRADE, USER_AGENT,
};
use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{oneshot, Notify};
use tokio::time::Instant;

type Socket = WebSocket<reqwest::Upgraded>;

/// Where the socket.io endpoint is: the `http(s)` URL of its WebSocket transport.
#[derive(Clone)]
pub(crate) struct Target {
    url: reqwest::Url,
}

impl Target {
    /// The endpoint of a socket URL such as Crisp's `socket.app`: its origin, and its path
    /// as socket.io's `path` (Crisp's wrappers do the same), with the trailing slash
    /// socket.io adds. `ws` and `wss` mean `http` and `https`.
    pub(crate) fn parse(socket_url: &str) -> Result<Target, RtmError> {
        let invalid = |why: &str| {
            RtmError::new(
                RtmErrorKind::Configuration,
                format!("invalid socket URL `{}`: {why}", socket_url.trim()),
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
        Ok(Target { url })
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
        write!(
            f,
            "{}{}",
            self.url.origin().ascii_serialization(),
            self.url.path()
        )
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
    pub(crate) subscribed: HashSet<String>,
    pub(crate) timeout: Duration,
    pub(crate) max_message_bytes: usize,
    pub(crate) reconnect: Reconnect,
    pub(crate) buffer: Arc<Buffer>,
    pub(crate) rebind: Notify,
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
        let text = next_text(&mut socket).await?;
        match protocol::parse_engine(&text) {
            Ok(EnginePacket::Open(handshake)) => break handshake,
            Ok(EnginePacket::Noop) => continue,
            Ok(other) => {
                return Err(protocol_error(format!(
                    "expected the Engine.IO open packet, got {other:?}"
                )))
            }
            Err(e) => return Err(protocol_error(e.to_string())),
        }
    };
    send(&mut socket, protocol::connect().to_string()).await?;
    loop {
        let text = next_text(&mut socket).await?;
        match protocol::parse_engine(&text) {
            Ok(EnginePacket::Ping(data)) => send(&mut socket, protocol::pong(data)).await?,
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
                        crate::server_text::printable(&message)
                    )))
                }
                // Nothing else is expected before the connect; nothing else matters.
                Ok(_) => {}
                Err(e) => return Err(protocol_error(e.to_string())),
            },
            Ok(_) => {}
            Err(e) => return Err(protocol_error(e.to_string())),
        }
    }
    send(&mut socket, ctx.authentication.0.clone()).await?;
    Ok(Connection { socket, handshake })
}

/// The WebSocket upgrade, through reqwest so that TLS, proxies and DNS are the HTTP
/// client's. The client must speak HTTP/1.1 to this host: an upgrade cannot go over HTTP/2.
async fn upgrade(ctx: &Context) -> Result<Socket, RtmError> {
    let key = websocket::new_key();
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
            RtmError::new(kind, format!("cannot reach {}", ctx.target)).with_source(e.without_url())
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
    let accepted = response
        .headers()
        .get(SEC_WEBSOCKET_ACCEPT)
        .is_some_and(|v| v.as_bytes() == websocket::accept_for(&key).as_bytes());
    if !accepted {
        return Err(protocol_error(
            "the WebSocket upgrade has no valid Sec-WebSocket-Accept",
        ));
    }
    let upgraded = response.upgrade().await.map_err(|e| {
        RtmError::new(RtmErrorKind::Transport, "the WebSocket upgrade failed")
            .with_source(e.without_url())
    })?;
    Ok(WebSocket::new(upgraded, ctx.max_message_bytes))
}

/// The next text frame, during the handshake.
async fn next_text(socket: &mut Socket) -> Result<String, RtmError> {
    loop {
        match socket.next_message().await {
            Ok(Incoming::Text(text)) => return Ok(text),
            Ok(Incoming::Ping(payload)) => socket.pong(&payload).await.map_err(socket_error)?,
            Ok(Incoming::Binary(_)) => continue,
            Ok(Incoming::Close) | Err(WsError::Eof) => {
                return Err(RtmError::new(
                    RtmErrorKind::Transport,
                    "the server closed the connection during the handshake",
                ))
            }
            Err(e) => return Err(socket_error(e)),
        }
    }
}

async fn send(socket: &mut Socket, text: String) -> Result<(), RtmError> {
    socket.send_text(&text).await.map_err(socket_error)
}

fn socket_error(e: WsError) -> RtmError {
    let kind = match e {
        WsError::Protocol(_) | WsError::TooLarge { .. } => RtmErrorKind::Protocol,
        WsError::Io(_) | WsError::Eof => RtmErrorKind::Transport,
    };
    RtmError::new(kind, "the WebSocket failed").with_source(e)
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

/// Keeps a connection open until the consumer drops the stream or authentication is
/// refused: reads the first connection, then reconnects after every drop (authenticating
/// again with the same events) with the backoff of [`Reconnect`].
pub(crate) async fn run(ctx: Arc<Context>, first: Connection, mut closed: oneshot::Receiver<()>) {
    // Whatever way this task ends (even a panic or an abort), the stream ends too.
    let _finish = FinishOnDrop(ctx.buffer.clone());
    let mut connection = first;
    loop {
        tracing::info!(target: "crisp_api::rtm", socket = %ctx.target, "crisp rtm: connected");
        let mut error = match read(&ctx, connection, &mut closed).await {
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
        let mut failures: u32 = 0;
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
            failures += 1;
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
    }
}

/// Reads one connection until it ends.
async fn read(ctx: &Context, connection: Connection, closed: &mut oneshot::Receiver<()>) -> Ended {
    let Connection {
        mut socket,
        handshake,
    } = connection;
    let heartbeat = handshake.heartbeat_deadline();
    let mut alive_until = Instant::now() + heartbeat;
    loop {
        let frame = tokio::select! {
            _ = &mut *closed => {
                goodbye(&mut socket).await;
                return Ended::Closed;
            }
            _ = ctx.rebind.notified() => {
                let bind = protocol::event("socket:bind", &serde_json::json!({}));
                if let Err(e) = send(&mut socket, bind).await {
                    return Ended::Lost(e);
                }
                continue;
            }
            _ = tokio::time::sleep_until(alive_until) => {
                return Ended::Lost(RtmError::new(
                    RtmErrorKind::Timeout,
                    format!("no heartbeat from the server in {heartbeat:?}"),
                ));
            }
            frame = socket.next_message() => frame,
        };
        // Anything the server sends shows it is alive, not only its Engine.IO pings.
        alive_until = Instant::now() + heartbeat;
        let text = match frame {
            Ok(Incoming::Text(text)) => text,
            // Binary messages are attachments of binary packets, which are skipped.
            Ok(Incoming::Binary(_)) => continue,
            Ok(Incoming::Ping(payload)) => {
                if let Err(e) = socket.pong(&payload).await {
                    return Ended::Lost(socket_error(e));
                }
                continue;
            }
            Ok(Incoming::Close) | Err(WsError::Eof) => {
                return Ended::Lost(RtmError::new(
                    RtmErrorKind::Transport,
                    "the server closed the connection",
                ))
            }
            Err(e) => return Ended::Lost(socket_error(e)),
        };
        let packet = match protocol::parse_engine(&text) {
            Ok(EnginePacket::Ping(data)) => {
                if let Err(e) = send(&mut socket, protocol::pong(data)).await {
                    return Ended::Lost(e);
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
                tracing::warn!(target: "crisp_api::rtm", error = %e, "crisp rtm: skipped a packet that is not Engine.IO");
                continue;
            }
        };
        match protocol::parse_socket(packet) {
            Ok(SocketPacket::Event { name, data }) => match name.as_str() {
                "unauthorized" => return Ended::Unauthorized(refusal(&data)),
                "authenticated" => {
                    tracing::debug!(target: "crisp_api::rtm", socket = %ctx.target, "crisp rtm: authenticated");
                }
                _ if ctx.subscribed.contains(&name) => ctx.buffer.push(RawEvent { name, data }),
                _ => {
                    tracing::trace!(target: "crisp_api::rtm", event = %crate::server_text::printable(&name), "crisp rtm: skipped an event not subscribed to");
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
                tracing::warn!(target: "crisp_api::rtm", error = %e, "crisp rtm: skipped a malformed socket.io packet");
            }
        }
    }
}

/// The server's words in an `unauthorized` event (`{"message": …}` or a string).
fn refusal(data: &serde_json::Value) -> String {
    let message = match data {
        serde_json::Value::String(text) => text.as_str(),
        other => other
            .get("message")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("no reason given"),
    };
    crate::server_text::printable(message)
}

/// Leaves politely: a socket.io disconnect, then a WebSocket close, without waiting long
/// for a server that does not read.
async fn goodbye(socket: &mut Socket) {
    let polite = async {
        let _ = send(socket, protocol::disconnect().to_string()).await;
        let _ = socket.close().await;
    };
    let _ = tokio::time::timeout(Duration::from_secs(1), polite).await;
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

    #[test]
    fn targets_follow_the_socket_url() {
        let t = Target::parse("https://app.relay.crisp.chat/").unwrap();
        assert_eq!(
            t.url(),
            "https://app.relay.crisp.chat/?EIO=4&transport=websocket"
        );
        assert_eq!(t.to_string(), "https://app.relay.crisp.chat/");
        // No path is the root, as socket.io's `path: "/"`.
        let t = Target::parse("https://app.relay.crisp.chat").unwrap();
        assert_eq!(
            t.url(),
            "https://app.relay.crisp.chat/?EIO=4&transport=websocket"
        );
        // A path gets socket.io's trailing slash; a query, fragment and user info go.
        let t = Target::parse("wss://user:pw@relay.example:8443/rtm?x=1#f").unwrap();
        assert_eq!(
            t.url(),
            "https://relay.example:8443/rtm/?EIO=4&transport=websocket"
        );
        let t = Target::parse(" ws://127.0.0.1:9000/rtm/ ").unwrap();
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
            let e = Target::parse(bad).err().unwrap();
            assert_eq!(e.kind(), RtmErrorKind::Configuration, "{bad:?}");
        }
    }

    #[test]
    fn the_authentication_message_is_redacted() {
        let auth = Authentication::new("id", "the-secret-key", "plugin", &["message:send".into()]);
        assert!(auth.0.contains("the-secret-key"));
        assert!(!format!("{auth:?}").contains("the-secret-key"));
    }

    #[test]
    fn refusals_are_printable() {
        assert_eq!(
            refusal(&serde_json::json!({"message": "bad\nkey"})),
            "bad key"
        );
        assert_eq!(refusal(&serde_json::json!("nope")), "nope");
        assert_eq!(refusal(&serde_json::json!(3)), "no reason given");
    }
}
