//! Crisp's answers: a JSON envelope `{"error", "reason", "data"}` with a status.

use axum::body::Body;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};

/// One answer of the mock, before it is written.
#[derive(Debug, Clone)]
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    /// The envelope; `None` for an answer without a body (HEAD).
    pub(crate) body: Option<Value>,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
}

impl Answer {
    /// A success envelope around `data`, with status 200.
    pub(crate) fn ok(reason: &str, data: Value) -> Answer {
        Answer::envelope(
            StatusCode::OK,
            json!({"error": false, "reason": reason, "data": data}),
        )
    }

    /// A success without a body (what a HEAD check answers when the resource exists).
    pub(crate) fn empty() -> Answer {
        Answer {
            status: StatusCode::OK,
            body: None,
            headers: Vec::new(),
        }
    }

    /// An error envelope: `data.message` says what went wrong.
    pub(crate) fn error(status: StatusCode, reason: &str, message: &str) -> Answer {
        Answer::envelope(
            status,
            json!({"error": true, "reason": reason, "data": {"message": message}}),
        )
    }

    /// 400 `invalid_data`, as Crisp answers a request that fails its checks.
    pub(crate) fn invalid(message: &str) -> Answer {
        Answer::error(StatusCode::BAD_REQUEST, "invalid_data", message)
    }

    /// 404 `not_found` for an unknown `what` (`"conversation not found"`).
    pub(crate) fn not_found(what: &str) -> Answer {
        Answer::error(
            StatusCode::NOT_FOUND,
            "not_found",
            &format!("{what} not found"),
        )
    }

    /// Any envelope with a status.
    pub(crate) fn envelope(status: StatusCode, body: Value) -> Answer {
        Answer {
            status,
            body: Some(body),
            headers: Vec::new(),
        }
    }

    /// Adds a header.
    pub(crate) fn header(mut self, name: HeaderName, value: HeaderValue) -> Answer {
        self.headers.push((name, value));
        self
    }

    /// The HTTP response; `head` drops the body (a HEAD answer has none, errors included).
    pub(crate) fn into_response(self, head: bool) -> Response {
        let mut response = match (&self.body, head) {
            (Some(body), false) => {
                let mut response = Response::new(Body::from(body.to_string()));
                response.headers_mut().insert(
                    CONTENT_TYPE,
                    HeaderValue::from_static("application/json; charset=utf-8"),
                );
                response
            }
            _ => Response::new(Body::empty()),
        };
        *response.status_mut() = self.status;
        for (name, value) in self.headers {
            response.headers_mut().insert(name, value);
        }
        response
    }
}
