//! The two layers of the socket.io wire format that Crisp's RTM API speaks, as text
//! WebSocket frames: Engine.IO v4 packets (open, close, ping, pong, message) and, inside a
//! message packet, socket.io v5 packets (connect, disconnect, event, …) with JSON payloads.
//!
//! Over WebSocket, Engine.IO sends one packet per frame: a digit for the type and then the
//! data. Binary attachments (socket.io's binary event and binary ack) are not decoded:
//! Crisp sends JSON only, and such a packet is reported as [`SocketPacket::Binary`] for the
//! caller to skip.

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;
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
#[derive(Debug)]
pub(crate) enum SocketPacket {
    /// `0{"sid":…}`: the server accepted the namespace connection.
    Connect,
    /// `1`: the server disconnected the socket from the namespace.
    Disconnect,
    /// `2["name", data…]`: an event; `data` is its argument as JSON text, checked but not
    /// parsed into a tree (see [`parse_socket`]).
    Event { name: String, data: Box<RawValue> },
    /// `3…`: an acknowledgement (this client never asks for one).
    Ack,
    /// `4{"message":…}`: the server refused the namespace connection.
    ConnectError { message: String },
    /// `5…` or `6…`: a packet with binary attachments, not supported.
    Binary { attachments: usize },
    /// A packet for another namespace, which this client never joins.
    OtherNamespace,
}

/// A packet that does not follow the protocol: what was wrong, and the start of the packet.
///
/// It has no `Display`: the packet is server text, which may quote the token key (a server
/// echoing the `authentication` packet), so it is shown only through
/// [`describe`](Self::describe) with the connection's credential scrubber.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParseError {
    what: &'static str,
    /// The packet's first [`EXCERPT_SOURCE_CHARS`] characters, unprocessed.
    start: String,
}

/// The most characters of a bad packet shown in a message.
const EXCERPT_CHARS: usize = 80;
/// The most characters of a bad packet kept in a [`ParseError`]: the excerpt and enough
/// after it for the scrubber to recognise a credential across the cut.
const EXCERPT_SOURCE_CHARS: usize = 1024;

impl ParseError {
    fn new(what: &'static str, packet: &str) -> Self {
        let start = match packet.char_indices().nth(EXCERPT_SOURCE_CHARS) {
            Some((at, _)) => &packet[..at],
            None => packet,
        };
        ParseError {
            what,
            start: start.to_string(),
        }
    }

    /// What was wrong, and a short excerpt of the packet with the credentials removed,
    /// control characters replaced and cut at 80 characters.
    pub(crate) fn describe(&self, scrubber: &crate::server_text::Scrubber) -> String {
        let mut excerpt = scrubber.clean_to(&self.start, EXCERPT_CHARS);
        if self.start.chars().count() >= EXCERPT_SOURCE_CHARS && !excerpt.ends_with('…') {
            excerpt.push('…');
        }
        format!("{}: {excerpt:?}", self.what)
    }
}

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

/// An event's array, `["name", arguments…]`: the JSON is checked in one pass but only the
/// name is decoded; the arguments stay JSON text (nothing is built that the consumer may
/// never read, and the work is linear in the packet's length).
fn parse_event(payload: &str) -> Option<SocketPacket> {
    let items: Vec<&RawValue> = serde_json::from_str(payload).ok()?;
    let (first, arguments) = items.split_first()?;
    let name: String = serde_json::from_str(first.get()).ok()?;
    let data = match arguments {
        [] => RawValue::from_string("null".to_string()).ok()?,
        [one] => (*one).to_owned(),
        several => {
            let mut array =
                String::with_capacity(several.iter().map(|a| a.get().len() + 1).sum::<usize>() + 1);
            array.push('[');
            for (i, argument) in several.iter().enumerate() {
                if i > 0 {
                    array.push(',');
                }
                array.push_str(argument.get());
            }
            array.push(']');
            RawValue::from_string(array).ok()?
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The name and the parsed data of an event packet.
    fn event_of(packet: &str) -> (String, Value) {
        match parse_socket(packet).unwrap() {
            SocketPacket::Event { name, data } => (name, serde_json::from_str(data.get()).unwrap()),
            other => panic!("not an event: {other:?}"),
        }
    }

    fn same(a: &SocketPacket, b: &SocketPacket) -> bool {
        format!("{a:?}") == format!("{b:?}")
    }

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
        assert!(same(
            &parse_socket(r#"0{"sid":"wZX3oN0bSVIhsaknAAAI"}"#).unwrap(),
            &SocketPacket::Connect
        ));
        assert!(same(&parse_socket("0").unwrap(), &SocketPacket::Connect));
        assert!(same(&parse_socket("1").unwrap(), &SocketPacket::Disconnect));
        assert!(same(
            &parse_socket(r#"4{"message":"Not authorized"}"#).unwrap(),
            &SocketPacket::ConnectError {
                message: "Not authorized".into()
            }
        ));
        assert!(same(
            &parse_socket(r#"4"Invalid namespace""#).unwrap(),
            &SocketPacket::ConnectError {
                message: "Invalid namespace".into()
            }
        ));
    }

    #[test]
    fn socket_events() {
        assert_eq!(
            event_of(r#"2["message:send",{"website_id":"w","content":"hi"}]"#),
            (
                "message:send".to_string(),
                json!({"website_id": "w", "content": "hi"})
            )
        );
        // With an acknowledgement id, and with the default namespace written out.
        assert_eq!(
            event_of(r#"213["authenticated",true]"#),
            ("authenticated".to_string(), json!(true))
        );
        assert_eq!(event_of(r#"2/,["a",1]"#), ("a".to_string(), json!(1)));
        // No argument, several arguments.
        assert_eq!(event_of(r#"2["ping"]"#), ("ping".to_string(), Value::Null));
        assert_eq!(
            event_of(r#"2["pair",1,"two"]"#),
            ("pair".to_string(), json!([1, "two"]))
        );
    }

    #[test]
    fn socket_other_namespaces_and_binary() {
        assert!(same(
            &parse_socket(r#"2/admin,["a",1]"#).unwrap(),
            &SocketPacket::OtherNamespace
        ));
        assert!(same(
            &parse_socket("0/admin,").unwrap(),
            &SocketPacket::OtherNamespace
        ));
        assert!(same(
            &parse_socket(r#"51-["file",{"_placeholder":true,"num":0}]"#).unwrap(),
            &SocketPacket::Binary { attachments: 1 }
        ));
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
            event_of(inner),
            (
                "authentication".to_string(),
                json!({"username": "id", "tier": "plugin", "events": ["message:send"]})
            )
        );
    }

    #[test]
    fn errors_print_a_safe_excerpt() {
        let long = format!("9\u{1b}[31m{}", "x".repeat(200));
        let message = parse_socket(&long)
            .unwrap_err()
            .describe(&crate::server_text::Scrubber::default());
        assert!(!message.contains('\u{1b}'), "{message}");
        assert!(message.len() < 140, "{message}");
    }

    #[test]
    fn excerpts_never_show_the_key_even_cut() {
        let key = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        let scrubber =
            crate::server_text::Scrubber::new(&crate::Credentials::new("identifier", key));
        // The key starts before the 80-character cut and ends after it: the part that
        // would show before the cut is removed too.
        let packet =
            format!(r#"42["authentication",{{"username":"identifier","password":"{key}"]"#);
        let message = parse_socket(&packet[1..]).unwrap_err().describe(&scrubber);
        assert!(!message.contains("0123456789ab"), "{message}");
        assert!(!message.contains("456789abcdef"), "{message}");
    }

    #[test]
    fn parsing_is_linear_in_the_packet() {
        // A 4 MiB event with a million arguments: one pass, no tree.
        let packet = format!("2[\"big\"{}]", ",1".repeat(2_000_000));
        let started = std::time::Instant::now();
        let (name, data) = match parse_socket(&packet).unwrap() {
            SocketPacket::Event { name, data } => (name, data),
            other => panic!("{other:?}"),
        };
        assert_eq!(name, "big");
        assert_eq!(data.get().len(), 2 * 2_000_000 + 1);
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }
}
