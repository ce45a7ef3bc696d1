//! Helpers shared by the wire tests in `tests/`.

pub mod answers;
pub mod operations;

use crisp_api::{Client, RetryPolicy};

/// The website id the tests use.
pub const WEBSITE: &str = "8c842203-7ed8-4e29-a608-7cf78a7d2fcc";

/// A client for the embedded mock.
pub fn client_for(server: &crisp_mock::MockServer) -> Client {
    Client::builder()
        .base_url(server.url())
        .credentials(server.identifier(), server.key())
        .tier(crisp_api::Tier::Plugin)
        .user_agent("crisp-wire-tests/1")
        .build()
        .expect("client")
}

/// A client for a scripted server, with no retries unless the test asks for them.
pub fn client_at(url: &str) -> Client {
    Client::builder()
        .base_url(url)
        .credentials(crisp_mock::DEFAULT_IDENTIFIER, crisp_mock::DEFAULT_KEY)
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client")
}

/// Asserts the headers every request must carry.
pub fn assert_common_headers(request: &crisp_mock::Recorded, tier: &str) {
    // base64("mock-identifier:mock-key")
    assert_eq!(
        request.header("authorization"),
        Some("Basic bW9jay1pZGVudGlmaWVyOm1vY2sta2V5"),
        "Basic auth"
    );
    assert_eq!(request.header("x-crisp-tier"), Some(tier), "tier header");
    assert_eq!(request.header("accept"), Some("application/json"));
    assert!(
        request.header("api-version").is_none(),
        "progenitor's api-version is removed"
    );
    if matches!(request.method.as_str(), "POST" | "PUT" | "PATCH") {
        assert_eq!(request.header("content-type"), Some("application/json"));
    }
}

/// Sends a request past the typed builders, as a buggy client (or another language's) would:
/// Basic auth and `X-Crisp-Tier` are set, `body` goes as JSON. `path` follows the base URL
/// (`/website/...`). Returns the status and the JSON answer (`Null` when it is not JSON).
pub async fn raw_request(
    server: &crisp_mock::MockServer,
    method: reqwest::Method,
    path: &str,
    tier: &str,
    body: Option<serde_json::Value>,
) -> (u16, serde_json::Value) {
    let mut request = reqwest::Client::new()
        .request(method, format!("{}{path}", server.url()))
        .basic_auth(server.identifier(), Some(server.key()))
        .header("x-crisp-tier", tier);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("the mock answers");
    let status = response.status().as_u16();
    let bytes = response.bytes().await.expect("a body");
    (status, serde_json::from_slice(&bytes).unwrap_or_default())
}
