//! The HTTP side of the mock: routing, recording, authentication, Crisp's envelopes.

use crate::Shared;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use base64::Engine as _;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use std::sync::Arc;

/// One request as the mock received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// `GET`, `POST`, …
    pub method: String,
    /// The path as sent, still percent-encoded (`/v1/website/...`).
    pub path: String,
    /// The raw query string, if any.
    pub query: Option<String>,
    /// The headers.
    pub headers: HeaderMap,
    /// The body bytes.
    pub body: Bytes,
}

impl Recorded {
    /// A header's value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body parsed as JSON (`Null` when empty or not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// The query parameters, decoded, in order.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        self.query
            .as_deref()
            .map(|q| {
                q.split('&')
                    .filter(|p| !p.is_empty())
                    .map(|p| {
                        let (k, v) = p.split_once('=').unwrap_or((p, ""));
                        (decode(k), decode(v))
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(&s.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

/// Crisp's answer: an envelope with a status.
pub(crate) struct Answer {
    status: StatusCode,
    body: Value,
}

impl IntoResponse for Answer {
    fn into_response(self) -> Response {
        (self.status, axum::Json(self.body)).into_response()
    }
}

/// A 2xx envelope around `data`.
pub(crate) fn ok<T: Serialize>(reason: &str, data: T) -> Answer {
    Answer {
        status: StatusCode::OK,
        body: json!({"error": false, "reason": reason, "data": data}),
    }
}

/// An error envelope.
pub(crate) fn fail(status: StatusCode, reason: &str, message: &str) -> Answer {
    Answer {
        status,
        body: json!({"error": true, "reason": reason, "data": {"message": message}}),
    }
}

/// 400 `invalid_data`, as Crisp answers a request that fails its checks.
pub(crate) fn invalid(message: &str) -> Answer {
    fail(StatusCode::BAD_REQUEST, "invalid_data", message)
}

/// A `1`/`0` query flag (Crisp's yes/no); anything else is `invalid_data`.
pub(crate) fn flag(name: &str, value: &Option<String>) -> Result<bool, Answer> {
    match value.as_deref() {
        None | Some("0") => Ok(false),
        Some("1") => Ok(true),
        Some(_) => Err(invalid(&format!("query.{name} should be 1 or 0"))),
    }
}

/// 404 for an unknown id.
pub(crate) fn not_found(what: &str) -> Answer {
    fail(
        StatusCode::NOT_FOUND,
        "not_found",
        &format!("{what} not found"),
    )
}

/// Decodes a JSON body into the SDK's generated type for it, as Crisp validates bodies
/// against its schema: 400 `invalid_data` when it does not match.
pub(crate) fn body<T: DeserializeOwned>(headers: &HeaderMap, body: &Bytes) -> Result<T, Answer> {
    let json_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !json_type {
        return Err(fail(
            StatusCode::BAD_REQUEST,
            "invalid_data",
            "the body must be JSON (Content-Type: application/json)",
        ));
    }
    serde_json::from_slice(body).map_err(|e| {
        fail(
            StatusCode::BAD_REQUEST,
            "invalid_data",
            &format!("data {e}"),
        )
    })
}

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .nest(
            "/v1",
            crate::conversation::routes()
                .merge(crate::people::routes())
                .merge(crate::website::routes()),
        )
        .fallback(|| async {
            fail(
                StatusCode::NOT_FOUND,
                "not_found",
                "the route does not exist",
            )
        })
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            record_and_authenticate,
        ))
        .with_state(shared)
}

/// Records the request, then refuses it with 401 unless the credentials and tier are right.
async fn record_and_authenticate(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 8 * 1024 * 1024).await else {
        return fail(
            StatusCode::PAYLOAD_TOO_LARGE,
            "invalid_data",
            "body too large",
        )
        .into_response();
    };
    shared.requests.lock().unwrap().push(Recorded {
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().map(str::to_string),
        headers: parts.headers.clone(),
        body: bytes.clone(),
    });
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            shared.config.identifier, shared.config.key
        ))
    );
    let authorized = parts
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        == Some(expected.as_str());
    let tier = parts
        .headers
        .get("x-crisp-tier")
        .and_then(|v| v.to_str().ok());
    if !authorized || !matches!(tier, Some("user" | "plugin")) {
        let message = if authorized {
            "the X-Crisp-Tier header must be user or plugin"
        } else {
            "the token identifier or key is wrong"
        };
        let mut response = fail(StatusCode::UNAUTHORIZED, "unauthorized", message).into_response();
        if parts.method == Method::HEAD {
            *response.body_mut() = Body::empty();
        }
        return response;
    }
    let head = parts.method == Method::HEAD;
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let mut response = envelope_errors(response).await;
    if head {
        *response.body_mut() = Body::empty();
    }
    response
}

/// axum answers a path or query parameter that does not parse with a plain-text 400 (and a
/// method a route lacks with an empty 405); Crisp answers every error with its JSON envelope,
/// as the spec's `4XX`/`5XX` say. Rewrites such answers, keeping their status and headers.
async fn envelope_errors(response: Response) -> Response {
    let status = response.status();
    let json = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if json || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 64 * 1024)
        .await
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&text);
    let (reason, message) = match status {
        StatusCode::NOT_FOUND => ("not_found", "the route does not exist"),
        StatusCode::METHOD_NOT_ALLOWED => ("not_found", "the method is not allowed on this route"),
        _ => ("invalid_data", text.as_ref()),
    };
    let mut answer = fail(status, reason, message).into_response();
    for (name, value) in &parts.headers {
        if name != CONTENT_TYPE && name != CONTENT_LENGTH {
            answer.headers_mut().insert(name.clone(), value.clone());
        }
    }
    answer
}
