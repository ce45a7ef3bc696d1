//! A scripted socket.io server for the RTM tests: raw TCP on 127.0.0.1, on a thread and
//! runtime of its own, writing WebSocket frames byte by byte (so it can break every rule)
//! and reading the client's frames. Shared by `realtime_hostile_server.rs` and
//! `realtime_memory.rs`.

#![allow(dead_code)] // each test file uses its own share of it

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

pub const OP_TEXT: u8 = 0x1;
pub const OP_CLOSE: u8 = 0x8;
pub const OP_PONG: u8 = 0xA;

/// Starts a scripted server: each connection runs `script(stream, n)` (`n` counts
/// connections from 0) on the server's own thread and runtime, so that a client that hogs
/// its thread cannot slow the server down, and the other way round.
pub fn serve<F, Fut>(script: F) -> SocketAddr
where
    F: Fn(TcpStream, usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            sender.send(listener.local_addr().unwrap()).unwrap();
            let script = Arc::new(script);
            let mut count = 0;
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(script(stream, count));
                count += 1;
            }
        });
    });
    receiver.recv().unwrap()
}

/// Reads the client's upgrade request; returns its `Sec-WebSocket-Key`.
pub async fn read_request(stream: &mut TcpStream) -> String {
    let mut request = Vec::new();
    let mut byte = [0u8; 1];
    while !request.ends_with(b"\r\n\r\n") {
        stream.read_exact(&mut byte).await.unwrap();
        request.push(byte[0]);
    }
    let request = String::from_utf8(request).unwrap();
    request
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("sec-websocket-key")
                .then(|| value.trim().to_string())
        })
        .expect("a Sec-WebSocket-Key")
}

/// Switches to WebSocket properly.
pub async fn accept(stream: &mut TcpStream) {
    accept_with(stream, true).await;
}

/// Answers the upgrade with a 101 and the right accept key; with or without the `Upgrade`
/// and `Connection` headers RFC 6455 requires.
pub async fn accept_with(stream: &mut TcpStream, upgrade_headers: bool) {
    let key = read_request(stream).await;
    let accept = tokio_tungstenite::tungstenite::handshake::derive_accept_key(key.as_bytes());
    let headers = if upgrade_headers {
        "Upgrade: websocket\r\nConnection: Upgrade\r\n"
    } else {
        ""
    };
    let answer = format!(
        "HTTP/1.1 101 Switching Protocols\r\n{headers}Sec-WebSocket-Accept: {accept}\r\n\r\n"
    );
    stream.write_all(answer.as_bytes()).await.unwrap();
}

/// A server frame, final, unmasked unless `mask` is given.
pub fn frame(opcode: u8, payload: &[u8], mask: Option<[u8; 4]>) -> Vec<u8> {
    let mut out = vec![0x80 | opcode];
    let bit = if mask.is_some() { 0x80 } else { 0 };
    match payload.len() {
        n @ 0..=125 => out.push(bit | n as u8),
        n @ 126..=0xFFFF => {
            out.push(bit | 126);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            out.push(bit | 127);
            out.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    let mut payload = payload.to_vec();
    if let Some(mask) = mask {
        out.extend_from_slice(&mask);
        for (i, b) in payload.iter_mut().enumerate() {
            *b ^= mask[i % 4];
        }
    }
    out.extend_from_slice(&payload);
    out
}

pub fn text(payload: &str) -> Vec<u8> {
    frame(OP_TEXT, payload.as_bytes(), None)
}

/// Reads one client frame (clients mask theirs); `None` at the end of the connection.
pub async fn read_frame(stream: &mut TcpStream) -> Option<(u8, Vec<u8>)> {
    let mut head = [0u8; 2];
    stream.read_exact(&mut head).await.ok()?;
    let length = match head[1] & 0x7F {
        126 => {
            let mut b = [0u8; 2];
            stream.read_exact(&mut b).await.ok()?;
            u16::from_be_bytes(b) as usize
        }
        127 => {
            let mut b = [0u8; 8];
            stream.read_exact(&mut b).await.ok()?;
            u64::from_be_bytes(b) as usize
        }
        n => n as usize,
    };
    let mut mask = [0u8; 4];
    if head[1] & 0x80 != 0 {
        stream.read_exact(&mut mask).await.ok()?;
    }
    let mut payload = vec![0u8; length];
    stream.read_exact(&mut payload).await.ok()?;
    for (i, b) in payload.iter_mut().enumerate() {
        *b ^= mask[i % 4];
    }
    Some((head[0] & 0x0F, payload))
}

pub async fn read_text(stream: &mut TcpStream) -> String {
    let (opcode, payload) = read_frame(stream).await.expect("a client frame");
    assert_eq!(opcode, OP_TEXT);
    String::from_utf8(payload).unwrap()
}

/// The Engine.IO open and socket.io connect; returns the client's authentication packet.
pub async fn handshake(stream: &mut TcpStream) -> String {
    let open = r#"0{"sid":"hostile","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#;
    stream.write_all(&text(open)).await.unwrap();
    assert_eq!(read_text(stream).await, "40");
    stream
        .write_all(&text(r#"40{"sid":"hostile-socket"}"#))
        .await
        .unwrap();
    read_text(stream).await
}

/// [`accept`], then the [`handshake`]; returns the client's authentication packet.
pub async fn accept_and_handshake(stream: &mut TcpStream) -> String {
    accept(stream).await;
    handshake(stream).await
}

/// Keeps the connection open, reading (and dropping) whatever the client sends.
pub async fn drain(mut stream: TcpStream) {
    while read_frame(&mut stream).await.is_some() {}
}
