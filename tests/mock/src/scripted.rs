//! A scripted server for fault injection: each request gets the next scripted [`Reply`]
//! (the last one repeats), whatever its path. It records requests like the mock.

use crate::http::Recorded;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
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
    /// Wait before answering.
    pub delay: Duration,
    /// Send this many body bytes, then stall (never finish) — a server that hangs mid-body.
    pub stall_after: Option<usize>,
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
}

struct Script {
    replies: Mutex<(Vec<Reply>, usize)>,
    requests: Mutex<Vec<Recorded>>,
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
        assert!(!replies.is_empty(), "script at least one reply");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let script = Arc::new(Script {
            replies: Mutex::new((replies, 0)),
            requests: Mutex::new(Vec::new()),
        });
        let app = axum::Router::new()
            .fallback(answer)
            .with_state(script.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        ScriptedServer { addr, script, task }
    }

    /// The base URL: `http://127.0.0.1:<port>/v1`.
    pub fn url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// The requests received, oldest first.
    pub fn requests(&self) -> Vec<Recorded> {
        self.script.requests.lock().unwrap().clone()
    }
}

impl Drop for ScriptedServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn answer(State(script): State<Arc<Script>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    script.requests.lock().unwrap().push(Recorded {
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().map(str::to_string),
        headers: parts.headers.clone(),
        body: bytes,
    });
    let reply = {
        let mut guard = script.replies.lock().unwrap();
        let (replies, next) = &mut *guard;
        let reply = replies[(*next).min(replies.len() - 1)].clone();
        *next += 1;
        reply
    };
    tokio::time::sleep(reply.delay).await;
    if reply.disconnect {
        // A body that fails makes hyper drop the connection without a complete answer.
        let failing = futures_util::stream::once(async {
            Err::<Bytes, std::io::Error>(std::io::Error::other("scripted disconnect"))
        });
        return Response::builder()
            .status(200)
            .header("content-length", "100")
            .body(Body::from_stream(failing))
            .unwrap();
    }
    let body = match reply.stall_after {
        Some(n) => {
            let head = reply.body.slice(..n.min(reply.body.len()));
            let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(head) })
                .chain(futures_util::stream::pending());
            Body::from_stream(stream)
        }
        None => Body::from(reply.body.clone()),
    };
    let mut response = Response::new(body);
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

use futures_util::StreamExt as _;
