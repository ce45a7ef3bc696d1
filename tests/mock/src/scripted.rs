//! A scripted server for fault injection: each request gets the next scripted [`Reply`]
//! (the last one repeats), whatever its path. It records requests like the mock, with the
//! connection each came on and the reply it got.

use crate::recorded::Recorded;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use futures_util::StreamExt as _;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One scripted answer.
#[derive(Debug, Clone)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    pub body: Bytes,
    /// Wait before answering (before the status line: a server slow to answer).
    pub delay: Duration,
    /// Send this many body bytes, then stall (never finish) — a server that hangs mid-body.
    pub stall_after: Option<usize>,
    /// Announce the whole body's `Content-Length`, send this many bytes, then close the
    /// connection — a truncated answer.
    pub truncate_after: Option<usize>,
    /// Send the body in chunks without `Content-Length` (chunked transfer encoding).
    pub chunked: bool,
    /// Close the connection without answering.
    pub disconnect: bool,
}

impl Reply {
    /// A JSON answer.
    pub fn json(status: u16, body: serde_json::Value) -> Reply {
        Reply::raw(status, body.to_string()).header("content-type", "application/json")
    }

    /// An answer with this body and no content type.
    pub fn raw(status: u16, body: impl Into<Bytes>) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: body.into(),
            delay: Duration::ZERO,
            stall_after: None,
            truncate_after: None,
            chunked: false,
            disconnect: false,
        }
    }

    /// A Crisp success envelope around `data`.
    pub fn ok(data: serde_json::Value) -> Reply {
        Reply::json(
            200,
            serde_json::json!({"error": false, "reason": "resolved", "data": data}),
        )
    }

    /// A Crisp error envelope.
    pub fn error(status: u16, reason: &str) -> Reply {
        Reply::json(
            status,
            serde_json::json!({"error": true, "reason": reason, "data": {"message": reason}}),
        )
    }

    /// Closes the connection without an answer.
    pub fn disconnect() -> Reply {
        Reply {
            disconnect: true,
            ..Reply::raw(200, "")
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Waits before answering.
    pub fn delay(mut self, delay: Duration) -> Reply {
        self.delay = delay;
        self
    }

    /// Stalls after sending `bytes` bytes of the body.
    pub fn stall_after(mut self, bytes: usize) -> Reply {
        self.stall_after = Some(bytes);
        self
    }

    /// Announces the whole body, sends `bytes` bytes of it, then closes the connection.
    pub fn truncate_after(mut self, bytes: usize) -> Reply {
        self.truncate_after = Some(bytes);
        self
    }

    /// Sends the body chunked, without `Content-Length`.
    pub fn chunked(mut self) -> Reply {
        self.chunked = true;
        self
    }

    /// True unless this reply tells the client its request was not processed (420 and 429,
    /// Crisp's rate limits). A non-idempotent request sent again after such a reply is a
    /// duplicate.
    pub fn may_have_processed(&self) -> bool {
        !matches!(self.status, 420 | 429) || self.disconnect
    }
}

/// A request the scripted server received, with the connection it came on and the reply it
/// got.
#[derive(Debug, Clone)]
pub struct Served {
    /// The request.
    pub request: Recorded,
    /// The client's address: one per connection, so equal peers mean a reused connection.
    pub peer: SocketAddr,
    /// The reply it was given.
    pub reply: Reply,
}

struct Script {
    replies: Mutex<(Vec<Reply>, usize)>,
    served: Mutex<Vec<Served>>,
}

/// A running scripted server; stops when dropped.
pub struct ScriptedServer {
    addr: SocketAddr,
    script: Arc<Script>,
    task: tokio::task::JoinHandle<()>,
}

impl ScriptedServer {
    /// Starts on a free loopback port, answering with `replies` in order.
    pub async fn start(replies: Vec<Reply>) -> ScriptedServer {
        Self::start_at("127.0.0.1:0".parse().unwrap(), replies)
            .await
            .expect("bind")
    }

    /// Starts on this address (e.g. a port a client is already trying to reach).
    pub async fn start_at(
        addr: SocketAddr,
        replies: Vec<Reply>,
    ) -> std::io::Result<ScriptedServer> {
        assert!(!replies.is_empty(), "script at least one reply");
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let script = Arc::new(Script {
            replies: Mutex::new((replies, 0)),
            served: Mutex::new(Vec::new()),
        });
        let app = axum::Router::new()
            .fallback(answer)
            .with_state(script.clone());
        let task = tokio::spawn(async move {
            let service = app.into_make_service_with_connect_info::<SocketAddr>();
            let _ = axum::serve(listener, service).await;
        });
        Ok(ScriptedServer { addr, script, task })
    }

    /// The base URL: `http://127.0.0.1:<port>/v1`.
    pub fn url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// The socket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The requests received, oldest first.
    pub fn requests(&self) -> Vec<Recorded> {
        self.served().into_iter().map(|s| s.request).collect()
    }

    /// The requests received with their connections and replies, oldest first.
    pub fn served(&self) -> Vec<Served> {
        self.script.served.lock().unwrap().clone()
    }

    /// Starts over with a new script and no recorded requests (the listener stays).
    pub fn reset(&self, replies: Vec<Reply>) {
        assert!(!replies.is_empty(), "script at least one reply");
        *self.script.replies.lock().unwrap() = (replies, 0);
        self.script.served.lock().unwrap().clear();
    }

    /// Non-idempotent requests (POST, PATCH) received again for the same method and path
    /// after a reply that may have processed them: what a client must never send.
    pub fn duplicate_non_idempotent(&self) -> usize {
        self.duplicates_since(0)
    }

    /// [`duplicate_non_idempotent`](Self::duplicate_non_idempotent) among the requests
    /// received from the `from`-th on (0-based), e.g. during one call.
    pub fn duplicates_since(&self, from: usize) -> usize {
        let all = self.served();
        let served = &all[from.min(all.len())..];
        served
            .iter()
            .enumerate()
            .filter(|(i, s)| {
                matches!(s.request.method.as_str(), "POST" | "PATCH")
                    && served[..*i].iter().any(|earlier| {
                        earlier.request.method == s.request.method
                            && earlier.request.path == s.request.path
                            && earlier.reply.may_have_processed()
                    })
            })
            .count()
    }
}

impl Drop for ScriptedServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn answer(
    State(script): State<Arc<Script>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let reply = {
        let mut guard = script.replies.lock().unwrap();
        let (replies, next) = &mut *guard;
        let reply = replies[(*next).min(replies.len() - 1)].clone();
        *next += 1;
        reply
    };
    script.served.lock().unwrap().push(Served {
        request: Recorded {
            method: parts.method.to_string(),
            path: parts.uri.path().to_string(),
            query: parts.uri.query().map(str::to_string),
            headers: parts.headers.clone(),
            body: bytes,
            // A script answers whatever the path: it matches no operation.
            operation: None,
        },
        peer,
        reply: reply.clone(),
    });
    tokio::time::sleep(reply.delay).await;
    if reply.disconnect {
        // A body that fails makes hyper drop the connection without a complete answer.
        return Response::builder()
            .status(200)
            .header("content-length", "100")
            .body(failing_after(Bytes::new()))
            .unwrap();
    }
    let mut response = if let Some(n) = reply.truncate_after {
        let head = reply.body.slice(..n.min(reply.body.len()));
        let mut response = Response::new(failing_after(head));
        response.headers_mut().insert(
            "content-length",
            HeaderValue::from(reply.body.len().max(n + 1)),
        );
        response
    } else if let Some(n) = reply.stall_after {
        let head = reply.body.slice(..n.min(reply.body.len()));
        let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(head) })
            .chain(futures_util::stream::pending());
        Response::new(Body::from_stream(stream))
    } else if reply.chunked {
        let chunks: Vec<Result<Bytes, std::io::Error>> = reply
            .body
            .chunks(8 * 1024)
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect();
        Response::new(Body::from_stream(futures_util::stream::iter(chunks)))
    } else {
        Response::new(Body::from(reply.body.clone()))
    };
    *response.status_mut() = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::OK);
    for (name, value) in &reply.headers {
        if let (Ok(n), Ok(v)) = (
            HeaderName::try_from(name.as_str()),
            HeaderValue::from_str(value),
        ) {
            response.headers_mut().append(n, v);
        }
    }
    response
}

/// A body that sends `head`, then fails: hyper closes the connection mid-answer.
fn failing_after(head: Bytes) -> Body {
    let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(head) }).chain(
        futures_util::stream::once(async {
            // Let the head reach the client before the connection drops.
            tokio::time::sleep(Duration::from_millis(5)).await;
            Err(std::io::Error::other("scripted disconnect"))
        }),
    );
    Body::from_stream(stream)
}
