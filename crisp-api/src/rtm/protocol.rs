//! The two layers of the socket.io wire format that Crisp's RTM API speaks, as text
//! WebSocket frames: Engine.IO v4 packets (open, close, ping, pong, message) and, inside a
//! message packet, socket.io v5 packets (connect, disconnect, event, …) with JSON payloads.
//!
//! Over WebSocket, Engine.IO sends one packet per frame: a digit for the type and then the
//! data. Binary attachments (socket.io's binary event and binary ack) are not decoded:
//! Crisp sends JSON only, and such a packet is reported as [`SocketPacket::Binary`] for the
//! caller to skip.

use serde::Deserialize;
use serde_json::Value;
use std::fmt;
use std::time::Duration;

/// The Engine.IO protocol version sent as `EIO=` in the URL.
pub(crate) const ENGINE_IO_VERSION: &str = "4";

/// An Engine.IO packet received in a text frame.
#[derive(Debug, PartialEq)]
pub(crate) enum EnginePacket<'a> {
    /// `0{…}`: the session parameters, first thing the server sends.
    Open(Handshake),
    /// `1`: the server ends the session.
    Close,
    /// `2…`: a heartbeat, to be answered with a pong carrying the same data.
    Ping(&'a str),
    /// `3…`: an answer to a ping (servers of v4 do not send them, but it is harmless).
    Pong(&'a str),
    /// `4…`: a socket.io packet.
    Message(&'a str),
    /// `5`: a transport upgrade (meaningless on a WebSocket opened directly).
    Upgrade,
    /// `6`: nothing; used during upgrades.
    Noop,
}

/// The open packet's parameters.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub(crate) struct Handshake {
    /// The Engine.IO session id.
    pub(crate) sid: String,
    /// How often the server sends a ping, in milliseconds.
    #[serde(rename = "pingInterval")]
    pub(crate) ping_interval: u64,
    /// How long the server waits for the pong, in milliseconds.
    #[serde(rename = "pingTimeout")]
    pub(crate) ping_timeout: u64,
}

impl Handshake {
    /// How long to wait for the next ping before taking the connection for dead: the
    /// interval plus the timeout, as Engine.IO's own client does.
    pub(crate) fn heartbeat_deadline(&self) -> Duration {
        Duration::from_millis(self.ping_interval.saturating_add(self.ping_timeout))
    }
}

/// A socket.io packet of the default namespace `/`.
#[derive(Debug, PartialEq)]
pub(crate) enum SocketPacket {
    /// `0{"sid":…}`: the server accepted the namespace connection.
    Connect,
    /// `1`: the server disconnected the socket from the namespace.
    Disconnect,
    /// `2["name", data…]`: an event; `data` is its argument (see [`parse_socket`]).
    Event { name: String, data: Value },
    /// `3…`: an acknowledgement (this client never asks for one).
    Ack,
    /// `4{"message":…}`: the server refused the namespace connection.
    ConnectError { message: String },
    /// `5…` or `6…`: a packet with binary attachments, not supported.
    Binary { attachments: usize },
    /// A packet for another namespace, which this client never joins.
    OtherNamespace,
}

/// A packet that does not follow the protocol. Its text says what was wrong, with a short
/// excerpt of the packet made safe to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParseError(String);

impl ParseError {
    fn new(what: &str, packet: &str) -> Self {
        ParseError(format!("{what}: {}", excerpt(packet)))
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ParseError {}

/// Reads an Engine.IO packet from a text frame.
pub(crate) fn parse_engine(frame: &str) -> Result<EnginePacket<'_>, ParseError> {
    let mut chars = frame.chars();
    let kind = chars
        .next()
        .ok_or_else(|| ParseError::new("empty Engine.IO packet", frame))?;
    let rest = chars.as_str();
    match kind {
        '0' => serde_json::from_str(rest)
            .map(EnginePacket::Open)
            .map_err(|_| ParseError::new("Engine.IO open packet is not the expected JSON", frame)),
        '1' => Ok(EnginePacket::Close),
        '2' => Ok(EnginePacket::Ping(rest)),
        '3' => Ok(EnginePacket::Pong(rest)),
        '4' => Ok(EnginePacket::Message(rest)),
        '5' => Ok(EnginePacket::Upgrade),
        '6' => Ok(EnginePacket::Noop),
        _ => Err(ParseError::new("unknown Engine.IO packet type", frame)),
    }
}

/// Reads a socket.io packet from the data of an Engine.IO message packet.
///
/// An event's data is its first argument; an event sent with no argument has `null`, and
/// one sent with several has them all as an array, so that nothing is lost.
pub(crate) fn parse_socket(packet: &str) -> Result<SocketPacket, ParseError> {
    let bytes = packet.as_bytes();
    let Some(&kind) = bytes.first() else {
        return Err(ParseError::new("empty socket.io packet", packet));
    };
    let mut at = 1;
    // Binary packets: `5<attachments>-…`.
    if kind == b'5' || kind == b'6' {
        let digits = bytes[at..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        let attachments = packet[at..at + digits]
            .parse()
            .map_err(|_| ParseError::new("binary socket.io packet without a count", packet))?;
        return Ok(SocketPacket::Binary { attachments });
    }
    // The namespace, when it is not the default: `/name,`.
    if bytes.get(at) == Some(&b'/') {
        let end = packet[at..]
            .find(',')
            .map(|i| at + i)
            .unwrap_or(packet.len());
        if &packet[at..end] != "/" {
            return Ok(SocketPacket::OtherNamespace);
        }
        at = (end + 1).min(packet.len());
    }
    // An acknowledgement id: digits before the payload.
    at += bytes[at..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    let payload = &packet[at..];
    match kind {
        b'0' => Ok(SocketPacket::Connect),
        b'1' => Ok(SocketPacket::Disconnect),
        b'2' => parse_event(payload).ok_or_else(|| {
            ParseError::new(
                "socket.io event is not a JSON array starting with a name",
                packet,
            )
        }),
        b'3' => Ok(SocketPacket::Ack),
        b'4' => {
            // v5 sends `{"message": …}`; v4 servers sent a bare string.
            let message = match serde_json::from_str::<Value>(payload) {
                Ok(Value::Object(map)) => map
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                Ok(Value::String(text)) => text,
                _ => payload.to_string(),
            };
            Ok(SocketPacket::ConnectError { message })
        }
        _ => Err(ParseError::new("unknown socket.io packet type", packet)),
    }
}

fn parse_event(payload: &str) -> Option<SocketPacket> {
    let Value::Array(mut items) = serde_json::from_str::<Value>(payload).ok()? else {
        return None;
    };
    if items.is_empty() {
        return None;
    }
    let Value::String(name) = items.remove(0) else {
        return None;
    };
    let data = match items.len() {
        0 => Value::Null,
        1 => items.pop().unwrap_or(Value::Null),
        _ => Value::Array(items),
    };
    Some(SocketPacket::Event { name, data })
}

/// The client's socket.io CONNECT to the default namespace, in an Engine.IO message.
pub(crate) fn connect() -> &'static str {
    "40"
}

/// The client's socket.io DISCONNECT from the default namespace, in an Engine.IO message.
pub(crate) fn disconnect() -> &'static str {
    "41"
}

/// The Engine.IO pong answering a ping that carried `data`.
pub(crate) fn pong(data: &str) -> String {
    format!("3{data}")
}

/// A socket.io event `name` with one argument, in an Engine.IO message.
pub(crate) fn event(name: &str, data: &Value) -> String {
    let packet = Value::Array(vec![Value::String(name.to_string()), data.clone()]);
    format!("42{packet}")
}

/// The start of a packet, made safe to print: control characters become spaces and it is
/// cut at 80 characters.
fn excerpt(packet: &str) -> String {
    const MAX: usize = 80;
    let mut out: String = packet
        .chars()
        .take(MAX)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if packet.chars().nth(MAX).is_some() {
        out.push('…');
    }
    format!("{out:?}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn engine_open_packet() {
        let open = r#"0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#;
        let EnginePacket::Open(handshake) = parse_engine(open).unwrap() else {
            panic!("not an open packet");
        };
        assert_eq!(handshake.sid, "lv_VI97HAXpY6yYWAAAC");
        assert_eq!(handshake.heartbeat_deadline(), Duration::from_secs(45));
    }

    #[test]
    fn engine_packets() {
        assert_eq!(parse_engine("1").unwrap(), EnginePacket::Close);
        assert_eq!(parse_engine("2").unwrap(), EnginePacket::Ping(""));
        assert_eq!(parse_engine("2probe").unwrap(), EnginePacket::Ping("probe"));
        assert_eq!(parse_engine("3").unwrap(), EnginePacket::Pong(""));
        assert_eq!(
            parse_engine("42[\"a\"]").unwrap(),
            EnginePacket::Message("2[\"a\"]")
        );
        assert_eq!(parse_engine("5").unwrap(), EnginePacket::Upgrade);
        assert_eq!(parse_engine("6").unwrap(), EnginePacket::Noop);
    }

    #[test]
    fn engine_errors() {
        assert!(parse_engine("").is_err());
        assert!(parse_engine("7").is_err());
        assert!(parse_engine("x").is_err());
        assert!(parse_engine("0{\"sid\":1}").is_err());
        assert!(parse_engine("0not json").is_err());
        // A multi-byte first character is an error, not a panic on a char boundary.
        assert!(parse_engine("é2").is_err());
    }

    #[test]
    fn socket_connect_disconnect_and_errors() {
        assert_eq!(
            parse_socket(r#"0{"sid":"wZX3oN0bSVIhsaknAAAI"}"#).unwrap(),
            SocketPacket::Connect
        );
        assert_eq!(parse_socket("0").unwrap(), SocketPacket::Connect);
        assert_eq!(parse_socket("1").unwrap(), SocketPacket::Disconnect);
        assert_eq!(
            parse_socket(r#"4{"message":"Not authorized"}"#).unwrap(),
            SocketPacket::ConnectError {
                message: "Not authorized".into()
            }
        );
        assert_eq!(
            parse_socket(r#"4"Invalid namespace""#).unwrap(),
            SocketPacket::ConnectError {
                message: "Invalid namespace".into()
            }
        );
    }

    #[test]
    fn socket_events() {
        assert_eq!(
            parse_socket(r#"2["message:send",{"website_id":"w","content":"hi"}]"#).unwrap(),
            SocketPacket::Event {
                name: "message:send".into(),
                data: json!({"website_id": "w", "content": "hi"}),
            }
        );
        // With an acknowledgement id, and with the default namespace written out.
        assert_eq!(
            parse_socket(r#"213["authenticated",true]"#).unwrap(),
            SocketPacket::Event {
                name: "authenticated".into(),
                data: json!(true)
            }
        );
        assert_eq!(
            parse_socket(r#"2/,["a",1]"#).unwrap(),
            SocketPacket::Event {
                name: "a".into(),
                data: json!(1)
            }
        );
        // No argument, several arguments.
        assert_eq!(
            parse_socket(r#"2["ping"]"#).unwrap(),
            SocketPacket::Event {
                name: "ping".into(),
                data: Value::Null
            }
        );
        assert_eq!(
            parse_socket(r#"2["pair",1,"two"]"#).unwrap(),
            SocketPacket::Event {
                name: "pair".into(),
                data: json!([1, "two"])
            }
        );
    }

    #[test]
    fn socket_other_namespaces_and_binary() {
        assert_eq!(
            parse_socket(r#"2/admin,["a",1]"#).unwrap(),
            SocketPacket::OtherNamespace
        );
        assert_eq!(
            parse_socket("0/admin,").unwrap(),
            SocketPacket::OtherNamespace
        );
        assert_eq!(
            parse_socket(r#"51-["file",{"_placeholder":true,"num":0}]"#).unwrap(),
            SocketPacket::Binary { attachments: 1 }
        );
    }

    #[test]
    fn socket_errors() {
        for bad in [
            "",
            "9",
            "2",
            "2{}",
            "2[]",
            "2[1,2]",
            "2[\"unterminated",
            "5-[]",
            "2é",
        ] {
            assert!(parse_socket(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn encoding() {
        assert_eq!(connect(), "40");
        assert_eq!(disconnect(), "41");
        assert_eq!(pong(""), "3");
        assert_eq!(pong("probe"), "3probe");
        let auth = event(
            "authentication",
            &json!({"username": "id", "tier": "plugin", "events": ["message:send"]}),
        );
        // The key order inside the object is serde_json's; the framing is fixed.
        assert!(auth.starts_with(r#"42["authentication",{"#), "{auth}");
        assert!(auth.ends_with("}]"), "{auth}");
        // What is encoded reads back the same.
        let EnginePacket::Message(inner) = parse_engine(&auth).unwrap() else {
            panic!("not a message");
        };
        assert_eq!(
            parse_socket(inner).unwrap(),
            SocketPacket::Event {
                name: "authentication".into(),
                data: json!({"username": "id", "tier": "plugin", "events": ["message:send"]}),
            }
        );
    }

    #[test]
    fn errors_print_a_safe_excerpt() {
        let long = format!("9\u{1b}[31m{}", "x".repeat(200));
        let message = parse_socket(&long).unwrap_err().to_string();
        assert!(!message.contains('\u{1b}'), "{message}");
        assert!(message.len() < 140, "{message}");
    }
}
