//! A fixed-response Crisp server for benchmarks: it answers the same prepared bytes to every
//! request, so that a benchmark measures the client rather than the mock's state.
//!
//! It serves
//! - `GET /v1/website/{website_id}/conversations/1`: a realistic `list_conversations` page,
//!   20 conversations with full metas, about 25 KB of JSON in Crisp's field order
//!   (`error`, `reason`, `data`); other pages are empty (the end of the list);
//! - `GET /v1/website/{website_id}/conversation/{session_id}`: a small `get_conversation`
//!   answer (a few hundred bytes);
//! - `GET /v1/website/{website_id}/conversation/{session_id}/state`: a tiny
//!   `get_conversation_state` answer.
//!
//! Like the stateful mock it refuses wrong credentials or a missing tier with 401 (one
//! comparison of prepared bytes), and answers unknown routes with 404 `not_found`. It keeps
//! no state and records nothing but a request count.
//!
//! ```no_run
//! # async fn run() {
//! let server = crisp_mock::fixed::FixedServer::start().await;
//! let client = crisp_api::Client::builder()
//!     .base_url(server.url())
//!     .credentials(server.identifier(), server.key())
//!     .build()
//!     .unwrap();
//! let page = client
//!     .list_conversations()
//!     .website_id(crisp_mock::fixed::WEBSITE)
//!     .page_number(1)
//!     .send()
//!     .await
//!     .unwrap();
//! assert_eq!(page.len(), 20);
//! # }
//! ```

use crate::{DEFAULT_IDENTIFIER, DEFAULT_KEY};
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use base64::Engine as _;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// The website id the fixed answers are about (any id is accepted).
pub const WEBSITE: &str = "8c842203-7ed8-4e29-a608-7cf78a7d2fcc";
/// The session id of the small answer (any id is accepted).
pub const SESSION: &str = "session_700c65e1-85e2-465a-b9ac-ecb5ec2c9881";

/// The 20 conversations of the benchmark page (`Conversation`s of the spec).
pub fn conversation_page() -> Vec<Value> {
    (0..20).map(conversation).collect()
}

/// The body of the `list_conversations` answer: `{"error":false,"reason":"listed","data":[…]}`.
pub fn list_conversations_body() -> Bytes {
    envelope("listed", &Value::Array(conversation_page()))
}

/// The body of the small `get_conversation` answer.
pub fn small_conversation_body() -> Bytes {
    let conversation = json!({
        "session_id": SESSION,
        "website_id": WEBSITE,
        "state": "pending",
        "status": 0,
        "created_at": 1_688_040_000_000_i64,
        "updated_at": 1_688_040_100_000_i64,
        "meta": {"nickname": "John Doe"},
    });
    envelope("resolved", &conversation)
}

/// The body of the `get_conversation_state` answer.
pub fn conversation_state_body() -> Bytes {
    envelope("resolved", &serde_json::json!({"state": "unresolved"}))
}

/// Crisp's envelope, fields in Crisp's order (`serde_json::json!` would sort them).
fn envelope(reason: &str, data: &Value) -> Bytes {
    let mut body = format!(r#"{{"error":false,"reason":"{reason}","data":"#).into_bytes();
    serde_json::to_writer(&mut body, data).expect("serializing a fixed answer");
    body.push(b'}');
    body.into()
}

fn conversation(i: usize) -> Value {
    const FIRST: [&str; 5] = ["John", "Valerie", "Baptiste", "Aiko", "Mateo"];
    const LAST: [&str; 4] = ["Doe", "Martin", "Nakamura", "Silva"];
    const STATES: [&str; 3] = ["pending", "unresolved", "resolved"];
    let first = FIRST[i % FIRST.len()];
    let last = LAST[i % LAST.len()];
    // Deterministic UUID-shaped ids (splitmix64).
    let id = |salt: u64| {
        let mix = |mut z: u64| {
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        let a = mix((i as u64) << 16 ^ salt);
        let b = mix(a);
        format!(
            "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            b >> 52,
            b & 0xffff_ffff_ffff
        )
    };
    let email = format!("{first}.{last}{i}@example.com").to_lowercase();
    let updated = 1_688_040_100_000 + i as i64 * 61_000;
    let order = 40_000 + i * 7;
    let message = format!(
        "Hi, my invoice for order #{order} shows the monthly price, not the annual plan. \
         Can you fix it? {first}"
    );
    let excerpt: String = message.chars().take(64).collect();
    json!({
        "session_id": format!("session_{}", id(0x5e5)),
        "website_id": WEBSITE,
        "people_id": id(0x9e0),
        "state": STATES[i % STATES.len()],
        "status": i % 3,
        "is_verified": i.is_multiple_of(4),
        "is_blocked": false,
        "availability": if i.is_multiple_of(3) { "online" } else { "offline" },
        "active": {"now": i.is_multiple_of(3), "last": updated + 5_000},
        "last_message": message,
        "preview_message": {
            "type": "text",
            "from": "user",
            "excerpt": excerpt,
            "fingerprint": 163_408_412_000_000_i64 + i as i64 * 1_337,
        },
        "topic": "Invoice shows the wrong plan",
        "participants": [{"type": "email", "target": email}],
        "unread": {"operator": 0, "visitor": i % 4},
        "assigned": {"user_id": id(0xa55)},
        "meta": {
            "nickname": format!("{first} {last}"),
            "email": email,
            "phone": format!("+33 6 12 34 {:02} {:02}", i, 99 - i),
            "address": format!("{} rue de la République, Lyon", 10 + i),
            "subject": format!("Invoice for order #{order}"),
            "ip": format!("203.0.113.{}", 10 + i),
            "avatar": format!("https://avatars.example.com/{}.png", id(0xa7a)),
            "origin": "chat",
            "segments": ["customer", "annual-plan", "billing", format!("cohort-2023-{:02}", 1 + i % 12)],
            "data": {
                "plan": "business",
                "seats": 5 + i,
                "mrr": 95.0 + i as f64 * 2.5,
                "signed_up": i.is_multiple_of(2),
                "company": format!("{last} & Co"),
            },
        },
        "created_at": updated - 3_600_000,
        "updated_at": updated,
        "waiting_since": updated - 60_000,
    })
}

struct Fixed {
    authorization: HeaderValue,
    list: Bytes,
    empty_list: Bytes,
    small: Bytes,
    state: Bytes,
    served: AtomicU64,
}

/// A running fixed-response server; it stops when dropped.
pub struct FixedServer {
    addr: SocketAddr,
    fixed: Arc<Fixed>,
    task: tokio::task::JoinHandle<()>,
}

impl FixedServer {
    /// Starts on a free loopback port, accepting the mock's default credentials.
    pub async fn start() -> FixedServer {
        Self::start_on(0).await.expect("binding 127.0.0.1:0")
    }

    /// Starts on this loopback port (0 picks a free one).
    pub async fn start_on(port: u16) -> std::io::Result<FixedServer> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        let addr = listener.local_addr()?;
        let token = base64::engine::general_purpose::STANDARD
            .encode(format!("{DEFAULT_IDENTIFIER}:{DEFAULT_KEY}"));
        let fixed = Arc::new(Fixed {
            authorization: HeaderValue::from_str(&format!("Basic {token}")).expect("header"),
            list: list_conversations_body(),
            empty_list: Bytes::from_static(br#"{"error":false,"reason":"listed","data":[]}"#),
            small: small_conversation_body(),
            state: conversation_state_body(),
            served: AtomicU64::new(0),
        });
        let app = Router::new()
            .route(
                "/v1/website/{website_id}/conversations/{page_number}",
                get(list),
            )
            .route(
                "/v1/website/{website_id}/conversation/{session_id}",
                get(small),
            )
            .route(
                "/v1/website/{website_id}/conversation/{session_id}/state",
                get(state),
            )
            .fallback(|| async {
                reply(
                    StatusCode::NOT_FOUND,
                    Bytes::from_static(
                        br#"{"error":true,"reason":"not_found","data":{"message":"the route does not exist"}}"#,
                    ),
                )
            })
            .with_state(fixed.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(FixedServer { addr, fixed, task })
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
        DEFAULT_IDENTIFIER
    }

    /// The accepted token key.
    pub fn key(&self) -> &str {
        DEFAULT_KEY
    }

    /// The exact bytes of the `list_conversations` page answer.
    pub fn list_body(&self) -> Bytes {
        self.fixed.list.clone()
    }

    /// The exact bytes of the small answer.
    pub fn small_body(&self) -> Bytes {
        self.fixed.small.clone()
    }

    /// How many requests were answered with success.
    pub fn served(&self) -> u64 {
        self.fixed.served.load(Ordering::Relaxed)
    }

    /// Runs until the process is stopped (for the binary).
    pub async fn wait(self) {
        let _ = (&mut { self }.task).await;
    }
}

impl Drop for FixedServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

type S = State<Arc<Fixed>>;

async fn list(
    State(fixed): S,
    Path((_website, page)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let body = if page == "1" {
        fixed.list.clone()
    } else {
        fixed.empty_list.clone()
    };
    answer(&fixed, &headers, body)
}

async fn small(State(fixed): S, headers: HeaderMap) -> Response {
    answer(&fixed, &headers, fixed.small.clone())
}

async fn state(State(fixed): S, headers: HeaderMap) -> Response {
    answer(&fixed, &headers, fixed.state.clone())
}

fn answer(fixed: &Fixed, headers: &HeaderMap, body: Bytes) -> Response {
    let authorized = headers.get(header::AUTHORIZATION) == Some(&fixed.authorization);
    let tier = headers.get("x-crisp-tier").map(HeaderValue::as_bytes);
    if !authorized || !matches!(tier, Some(b"user" | b"plugin" | b"website")) {
        return reply(
            StatusCode::UNAUTHORIZED,
            Bytes::from_static(
                br#"{"error":true,"reason":"unauthorized","data":{"message":"the token identifier or key is wrong, or X-Crisp-Tier is missing"}}"#,
            ),
        );
    }
    fixed.served.fetch_add(1, Ordering::Relaxed);
    reply(StatusCode::OK, body)
}

fn reply(status: StatusCode, body: Bytes) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fixed answers are answers of the spec's operations, so that a benchmark decodes
    /// what Crisp would send.
    #[test]
    fn the_fixed_answers_match_the_spec() {
        let spec = crate::spec::spec().unwrap();
        for (operation, body) in [
            ("list_conversations", list_conversations_body()),
            ("get_conversation", small_conversation_body()),
            ("get_conversation_state", conversation_state_body()),
        ] {
            let body: Value = serde_json::from_slice(&body).unwrap();
            let operation = spec.operation(operation).unwrap();
            assert_eq!(
                operation.check_answer(spec, &body),
                Ok(()),
                "{}",
                operation.id
            );
        }
    }
}
