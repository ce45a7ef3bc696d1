//! The client side of WebSocket (RFC 6455), as much as socket.io needs: text and binary
//! messages, fragmented or not, ping, pong and close; no extension is ever negotiated.
//!
//! Written here rather than taken from tungstenite because tungstenite logs every frame it
//! sends, payload included, at the `log` crate's trace level, and the `authentication`
//! frame carries the token key: anyone running with `RUST_LOG=trace` would have written the
//! key to their logs. This module logs nothing.
//!
//! Reading is cancel-safe: [`WebSocket::next_message`] keeps whatever it has read in the
//! value itself, so dropping its future (in a `select!`) loses nothing. Pings are handed to
//! the caller, which answers them when it is not racing anything.

use base64::Engine as _;
use sha1::Digest as _;
use std::fmt;
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _};

const OP_CONTINUATION: u8 = 0x0;
const OP_TEXT: u8 = 0x1;
const OP_BINARY: u8 = 0x2;
const OP_CLOSE: u8 = 0x8;
const OP_PING: u8 = 0x9;
const OP_PONG: u8 = 0xA;

/// Random bytes from the operating system's generator, as RFC 6455 asks of keys and masks
/// ("derived from a strong source of entropy"); should the system refuse (it does not on the
/// platforms Rust supports), `fastrand`'s, rather than failing the connection.
fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    if getrandom::fill(&mut bytes).is_err() {
        bytes = std::array::from_fn(|_| fastrand::u8(..));
    }
    bytes
}

/// A fresh `Sec-WebSocket-Key`: 16 random bytes in base64.
pub(crate) fn new_key() -> String {
    base64::engine::general_purpose::STANDARD.encode(random_bytes::<16>())
}

/// The `Sec-WebSocket-Accept` a server must answer to `key`.
pub(crate) fn accept_for(key: &str) -> String {
    let mut sha1 = sha1::Sha1::new();
    sha1.update(key.as_bytes());
    sha1.update(b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    base64::engine::general_purpose::STANDARD.encode(sha1.finalize())
}

/// A message from the server.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Incoming {
    Text(String),
    /// A binary message, of this many bytes (socket.io attachments, which are skipped).
    Binary(usize),
    /// A ping, to be answered with [`WebSocket::pong`].
    Ping(Vec<u8>),
    /// The server closed the WebSocket.
    Close,
}

/// What went wrong on the WebSocket.
#[derive(Debug)]
pub(crate) enum WsError {
    Io(std::io::Error),
    /// The server broke RFC 6455; the text says how.
    Protocol(&'static str),
    /// A message larger than the limit.
    TooLarge {
        limit: usize,
    },
    /// The connection ended without a close frame.
    Eof,
}

impl fmt::Display for WsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WsError::Io(e) => write!(f, "{e}"),
            WsError::Protocol(what) => write!(f, "WebSocket protocol error: {what}"),
            WsError::TooLarge { limit } => {
                write!(f, "a WebSocket message is larger than {limit} bytes")
            }
            WsError::Eof => f.write_str("the connection ended without a WebSocket close"),
        }
    }
}

impl std::error::Error for WsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WsError::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<std::io::Error> for WsError {
    fn from(e: std::io::Error) -> Self {
        WsError::Io(e)
    }
}

/// One frame, read.
struct Frame {
    fin: bool,
    opcode: u8,
    payload: Vec<u8>,
}

/// A client WebSocket over an upgraded connection.
pub(crate) struct WebSocket<S> {
    io: S,
    /// Bytes read and not yet parsed.
    input: Vec<u8>,
    /// The message being assembled from fragments: its opcode and bytes so far.
    fragments: Option<(u8, Vec<u8>)>,
    max_message: usize,
}

impl<S: AsyncRead + AsyncWrite + Unpin> WebSocket<S> {
    /// A WebSocket over `io`, after a successful upgrade; messages over `max_message`
    /// bytes are an error.
    pub(crate) fn new(io: S, max_message: usize) -> Self {
        WebSocket {
            io,
            input: Vec::new(),
            fragments: None,
            max_message,
        }
    }

    /// The next message. Pongs are skipped; fragments are joined.
    pub(crate) async fn next_message(&mut self) -> Result<Incoming, WsError> {
        loop {
            let frame = self.next_frame().await?;
            match frame.opcode {
                OP_PING => return Ok(Incoming::Ping(frame.payload)),
                OP_PONG => continue,
                OP_CLOSE => return Ok(Incoming::Close),
                OP_TEXT | OP_BINARY if self.fragments.is_some() => {
                    return Err(WsError::Protocol(
                        "a new message began inside a fragmented one",
                    ))
                }
                OP_TEXT | OP_BINARY if frame.fin => return message(frame.opcode, frame.payload),
                OP_TEXT | OP_BINARY => self.fragments = Some((frame.opcode, frame.payload)),
                OP_CONTINUATION => {
                    let Some((opcode, mut bytes)) = self.fragments.take() else {
                        return Err(WsError::Protocol("a continuation frame without a message"));
                    };
                    if bytes.len() + frame.payload.len() > self.max_message {
                        return Err(WsError::TooLarge {
                            limit: self.max_message,
                        });
                    }
                    bytes.extend_from_slice(&frame.payload);
                    if frame.fin {
                        return message(opcode, bytes);
                    }
                    self.fragments = Some((opcode, bytes));
                }
                _ => return Err(WsError::Protocol("an unknown opcode")),
            }
        }
    }

    async fn next_frame(&mut self) -> Result<Frame, WsError> {
        loop {
            if let Some(frame) = self.parse_frame()? {
                return Ok(frame);
            }
            self.input.reserve(8192);
            // `read_buf` appends what it read before returning, and reads nothing if its
            // future is dropped first: this is what makes reading cancel-safe.
            if self.io.read_buf(&mut self.input).await? == 0 {
                return Err(WsError::Eof);
            }
        }
    }

    /// Takes one whole frame off the input, if it is all there.
    fn parse_frame(&mut self) -> Result<Option<Frame>, WsError> {
        let input = &self.input;
        if input.len() < 2 {
            return Ok(None);
        }
        let fin = input[0] & 0x80 != 0;
        if input[0] & 0x70 != 0 {
            return Err(WsError::Protocol(
                "reserved bits set, but no extension was negotiated",
            ));
        }
        let opcode = input[0] & 0x0F;
        let masked = input[1] & 0x80 != 0;
        let (length, mut at) = match input[1] & 0x7F {
            126 => {
                if input.len() < 4 {
                    return Ok(None);
                }
                (u64::from(u16::from_be_bytes([input[2], input[3]])), 4)
            }
            127 => {
                if input.len() < 10 {
                    return Ok(None);
                }
                let mut bytes = [0; 8];
                bytes.copy_from_slice(&input[2..10]);
                (u64::from_be_bytes(bytes), 10)
            }
            short => (u64::from(short), 2),
        };
        if opcode >= OP_CLOSE && (length > 125 || !fin) {
            return Err(WsError::Protocol(
                "a control frame longer than 125 bytes or fragmented",
            ));
        }
        let length = usize::try_from(length)
            .ok()
            .filter(|&n| n <= self.max_message)
            .ok_or(WsError::TooLarge {
                limit: self.max_message,
            })?;
        let mask = if masked {
            if input.len() < at + 4 {
                return Ok(None);
            }
            let mask = [input[at], input[at + 1], input[at + 2], input[at + 3]];
            at += 4;
            Some(mask)
        } else {
            None
        };
        if input.len() < at + length {
            return Ok(None);
        }
        let mut payload = input[at..at + length].to_vec();
        // Servers do not mask their frames; one that does is read all the same.
        if let Some(mask) = mask {
            apply_mask(&mut payload, mask);
        }
        self.input.drain(..at + length);
        Ok(Some(Frame {
            fin,
            opcode,
            payload,
        }))
    }

    /// Sends a text message in one frame.
    pub(crate) async fn send_text(&mut self, text: &str) -> Result<(), WsError> {
        self.send(OP_TEXT, text.as_bytes()).await
    }

    /// Answers a ping.
    pub(crate) async fn pong(&mut self, payload: &[u8]) -> Result<(), WsError> {
        self.send(OP_PONG, payload).await
    }

    /// Sends a close frame (status 1000, normal closure) and shuts the connection down,
    /// without waiting for the server's close.
    pub(crate) async fn close(&mut self) -> Result<(), WsError> {
        self.send(OP_CLOSE, &1000u16.to_be_bytes()).await?;
        self.io.shutdown().await?;
        Ok(())
    }

    async fn send(&mut self, opcode: u8, payload: &[u8]) -> Result<(), WsError> {
        self.io.write_all(&encode(opcode, payload)).await?;
        self.io.flush().await?;
        Ok(())
    }
}

fn message(opcode: u8, bytes: Vec<u8>) -> Result<Incoming, WsError> {
    if opcode == OP_BINARY {
        return Ok(Incoming::Binary(bytes.len()));
    }
    String::from_utf8(bytes)
        .map(Incoming::Text)
        .map_err(|_| WsError::Protocol("a text message that is not UTF-8"))
}

/// A final, masked client frame.
fn encode(opcode: u8, payload: &[u8]) -> Vec<u8> {
    let mut frame = Vec::with_capacity(payload.len() + 14);
    frame.push(0x80 | opcode);
    match payload.len() {
        n @ 0..=125 => frame.push(0x80 | n as u8),
        n @ 126..=0xFFFF => {
            frame.push(0x80 | 126);
            frame.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            frame.push(0x80 | 127);
            frame.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    // RFC 6455 asks for unpredictable masks so that a browser's script cannot choose the
    // bytes a proxy sees.
    let mask = random_bytes::<4>();
    frame.extend_from_slice(&mask);
    let start = frame.len();
    frame.extend_from_slice(payload);
    apply_mask(&mut frame[start..], mask);
    frame
}

fn apply_mask(bytes: &mut [u8], mask: [u8; 4]) {
    for (i, byte) in bytes.iter_mut().enumerate() {
        *byte ^= mask[i % 4];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{duplex, DuplexStream};

    /// A server frame: unmasked unless `mask` is given.
    fn server_frame(fin: bool, opcode: u8, payload: &[u8], mask: Option<[u8; 4]>) -> Vec<u8> {
        let mut frame = vec![if fin { 0x80 } else { 0 } | opcode];
        let bit = if mask.is_some() { 0x80 } else { 0 };
        match payload.len() {
            n @ 0..=125 => frame.push(bit | n as u8),
            n @ 126..=0xFFFF => {
                frame.push(bit | 126);
                frame.extend_from_slice(&(n as u16).to_be_bytes());
            }
            n => {
                frame.push(bit | 127);
                frame.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
        let mut payload = payload.to_vec();
        if let Some(mask) = mask {
            frame.extend_from_slice(&mask);
            apply_mask(&mut payload, mask);
        }
        frame.extend_from_slice(&payload);
        frame
    }

    fn pair(max: usize) -> (WebSocket<DuplexStream>, DuplexStream) {
        let (client, server) = duplex(1 << 20);
        (WebSocket::new(client, max), server)
    }

    /// Reads one client frame from the server side and unmasks it.
    async fn read_client_frame(server: &mut DuplexStream) -> (u8, Vec<u8>) {
        let mut head = [0u8; 2];
        server.read_exact(&mut head).await.unwrap();
        assert_eq!(head[0] & 0x80, 0x80, "client frames are final");
        assert_eq!(head[1] & 0x80, 0x80, "client frames are masked");
        let length = match head[1] & 0x7F {
            126 => {
                let mut b = [0u8; 2];
                server.read_exact(&mut b).await.unwrap();
                u16::from_be_bytes(b) as usize
            }
            127 => {
                let mut b = [0u8; 8];
                server.read_exact(&mut b).await.unwrap();
                u64::from_be_bytes(b) as usize
            }
            n => n as usize,
        };
        let mut mask = [0u8; 4];
        server.read_exact(&mut mask).await.unwrap();
        let mut payload = vec![0u8; length];
        server.read_exact(&mut payload).await.unwrap();
        apply_mask(&mut payload, mask);
        (head[0] & 0x0F, payload)
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

    #[tokio::test]
    async fn reads_messages_of_every_length_and_shape() {
        let (mut ws, mut server) = pair(1 << 20);
        let long = "x".repeat(70_000);
        let medium = "y".repeat(300);
        for frame in [
            server_frame(true, OP_TEXT, b"42[\"a\",1]", None),
            server_frame(true, OP_TEXT, medium.as_bytes(), None),
            server_frame(true, OP_TEXT, long.as_bytes(), None),
            server_frame(true, OP_TEXT, "masked é".as_bytes(), Some([1, 2, 3, 4])),
            server_frame(true, OP_BINARY, &[0, 1, 2], None),
            server_frame(true, OP_PONG, b"", None),
            server_frame(true, OP_PING, b"hi", None),
            // A fragmented text with a ping in the middle.
            server_frame(false, OP_TEXT, b"frag", None),
            server_frame(true, OP_PING, b"", None),
            server_frame(false, OP_CONTINUATION, b"men", None),
            server_frame(true, OP_CONTINUATION, b"ted", None),
            server_frame(true, OP_CLOSE, &1000u16.to_be_bytes(), None),
        ] {
            server.write_all(&frame).await.unwrap();
        }
        let expected = [
            Incoming::Text("42[\"a\",1]".into()),
            Incoming::Text(medium),
            Incoming::Text(long),
            Incoming::Text("masked é".into()),
            Incoming::Binary(3),
            Incoming::Ping(b"hi".to_vec()),
            Incoming::Ping(Vec::new()),
            Incoming::Text("fragmented".into()),
            Incoming::Close,
        ];
        for want in expected {
            assert_eq!(ws.next_message().await.unwrap(), want);
        }
        drop(server);
        assert!(matches!(ws.next_message().await, Err(WsError::Eof)));
    }

    #[tokio::test]
    async fn sends_masked_frames() {
        let (mut ws, mut server) = pair(1 << 20);
        ws.send_text("40").await.unwrap();
        assert_eq!(
            read_client_frame(&mut server).await,
            (OP_TEXT, b"40".to_vec())
        );
        let long = "z".repeat(70_000);
        ws.send_text(&long).await.unwrap();
        assert_eq!(
            read_client_frame(&mut server).await,
            (OP_TEXT, long.into_bytes())
        );
        let medium = "m".repeat(200);
        ws.send_text(&medium).await.unwrap();
        assert_eq!(
            read_client_frame(&mut server).await,
            (OP_TEXT, medium.into_bytes())
        );
        ws.pong(b"p").await.unwrap();
        assert_eq!(
            read_client_frame(&mut server).await,
            (OP_PONG, b"p".to_vec())
        );
        ws.close().await.unwrap();
        assert_eq!(
            read_client_frame(&mut server).await,
            (OP_CLOSE, 1000u16.to_be_bytes().to_vec())
        );
    }

    #[tokio::test]
    async fn reading_survives_cancellation_mid_frame() {
        let (mut ws, mut server) = pair(1 << 20);
        let frame = server_frame(true, OP_TEXT, b"42[\"split\",{}]", None);
        server.write_all(&frame[..5]).await.unwrap();
        // The read is abandoned with half a frame in.
        let abandoned =
            tokio::time::timeout(std::time::Duration::from_millis(50), ws.next_message()).await;
        assert!(abandoned.is_err());
        server.write_all(&frame[5..]).await.unwrap();
        assert_eq!(
            ws.next_message().await.unwrap(),
            Incoming::Text("42[\"split\",{}]".into())
        );
    }

    #[tokio::test]
    async fn protocol_violations_are_errors() {
        let cases: Vec<Vec<u8>> = vec![
            // Reserved bit.
            vec![0x80 | 0x40 | OP_TEXT, 0],
            // Unknown opcode.
            vec![0x80 | 0x3, 0],
            // Fragmented control frame, and one too long.
            vec![OP_PING, 0],
            server_frame(true, OP_PING, &[0; 126], None),
            // A continuation with nothing to continue.
            server_frame(true, OP_CONTINUATION, b"x", None),
            // A text that is not UTF-8.
            server_frame(true, OP_TEXT, &[0xff, 0xfe], None),
            // A new message inside a fragmented one.
            [
                server_frame(false, OP_TEXT, b"a", None),
                server_frame(true, OP_TEXT, b"b", None),
            ]
            .concat(),
        ];
        for bytes in cases {
            let (mut ws, mut server) = pair(1 << 20);
            server.write_all(&bytes).await.unwrap();
            let result = ws.next_message().await;
            assert!(
                matches!(result, Err(WsError::Protocol(_))),
                "{bytes:?}: {result:?}"
            );
        }
    }

    #[tokio::test]
    async fn messages_over_the_limit_are_refused_before_they_are_read() {
        let (mut ws, mut server) = pair(100);
        // The header alone announces 2^40 bytes: refused without waiting for them.
        let mut head = vec![0x80 | OP_TEXT, 127];
        head.extend_from_slice(&(1u64 << 40).to_be_bytes());
        server.write_all(&head).await.unwrap();
        assert!(matches!(
            ws.next_message().await,
            Err(WsError::TooLarge { limit: 100 })
        ));
        // Fragments that add up to too much.
        let (mut ws, mut server) = pair(100);
        server
            .write_all(&server_frame(false, OP_TEXT, &[b'a'; 60], None))
            .await
            .unwrap();
        server
            .write_all(&server_frame(true, OP_CONTINUATION, &[b'a'; 60], None))
            .await
            .unwrap();
        assert!(matches!(
            ws.next_message().await,
            Err(WsError::TooLarge { limit: 100 })
        ));
    }
}
