//! What the mock received: every request, as it came, for tests to assert on.

use axum::body::Bytes;
use axum::http::HeaderMap;
use serde_json::Value;

/// One request as the mock received it.
///
/// ```no_run
/// # async fn run(server: crisp_mock::MockServer) {
/// let request = server.last_request().expect("a request");
/// assert_eq!(request.method, "POST");
/// assert_eq!(request.operation.as_deref(), Some("send_message_in_conversation"));
/// assert_eq!(request.json()["from"], "operator");
/// # }
/// ```
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
    /// The operationId of the spec operation the method and path matched, if any (also for a
    /// request then refused, e.g. for its credentials or its body).
    pub operation: Option<String>,
}

impl Recorded {
    /// A header's value as text.
    ///
    /// ```
    /// # let request = crisp_mock::Recorded {
    /// #     method: "GET".into(), path: "/v1/website/w".into(), query: None,
    /// #     headers: Default::default(), body: Default::default(), operation: None,
    /// # };
    /// assert_eq!(request.header("x-crisp-tier"), None);
    /// ```
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body parsed as JSON (`Null` when empty or not JSON).
    ///
    /// ```
    /// # let request = crisp_mock::Recorded {
    /// #     method: "PATCH".into(), path: "/v1/website/w/conversation/s/state".into(),
    /// #     query: None, headers: Default::default(),
    /// #     body: r#"{"state":"resolved"}"#.into(), operation: None,
    /// # };
    /// assert_eq!(request.json(), serde_json::json!({"state": "resolved"}));
    /// ```
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// The query parameters, decoded (`+` is a space), in order.
    ///
    /// ```
    /// # let request = crisp_mock::Recorded {
    /// #     method: "GET".into(), path: "/v1/website/w/conversations/1".into(),
    /// #     query: Some("search_query=need%20help&per_page=20".into()),
    /// #     headers: Default::default(), body: Default::default(), operation: None,
    /// # };
    /// assert_eq!(
    ///     request.query_pairs(),
    ///     [("search_query".into(), "need help".into()), ("per_page".into(), "20".into())]
    /// );
    /// ```
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        query_pairs(self.query.as_deref())
    }
}

/// The pairs of a raw query string, decoded.
pub(crate) fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    query
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

fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(&s.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}
