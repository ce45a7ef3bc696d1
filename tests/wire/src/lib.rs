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

/// A client for the embedded mock with `tier`, the mock's credentials and nothing else set.
pub fn mock_client(server: &crisp_mock::MockServer, tier: crisp_api::Tier) -> Client {
    Client::builder()
        .base_url(server.url())
        .credentials(server.identifier(), server.key())
        .tier(tier)
        .build()
        .unwrap()
}

/// Sends `text` as a chat message from `from` in the conversation `session` of `website`;
/// panics on an error.
pub async fn send_text(
    client: &Client,
    website: &str,
    session: &str,
    from: crisp_api::types::MessageFrom,
    text: &str,
) -> crisp_api::types::MessageSent {
    use crisp_api::types::{MessageContent, MessageNew};
    client
        .send_message_in_conversation(
            website,
            session,
            MessageNew::new(from, "chat", MessageContent::text(text)),
        )
        .await
        .unwrap()
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

/// A plain reqwest client for requests past the SDK. With crisp-api's default TLS feature
/// (rustls with ring, set per client), reqwest has no crypto provider of its own, and
/// `reqwest::Client::new()` would panic: this one starts from the SDK's TLS setup.
pub fn http_client() -> reqwest::Client {
    crisp_api::tls::client_builder()
        .expect("the SDK's TLS setup")
        .build()
        .expect("a reqwest client")
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
    let mut request = http_client()
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

/// The bundled spec the mock serves, as JSON.
pub fn spec() -> serde_json::Value {
    serde_json::from_str(include_str!("../../mock/src/crisp-rest-v1.json")).expect("the spec")
}

/// One operation of the spec with its example request: for tests that walk every operation.
#[derive(Debug, Clone)]
pub struct SpecOperation {
    /// Its operationId.
    pub id: String,
    /// Its method.
    pub method: reqwest::Method,
    /// Its path template (`/website/{website_id}/conversation/{session_id}`).
    pub template: String,
    /// Its `x-crisp-tiers`.
    pub tiers: Vec<String>,
    /// The example of each path parameter, by name.
    pub path_examples: Vec<(String, String)>,
    /// The example of each required query parameter, by name.
    pub query_examples: Vec<(String, String)>,
    /// The request body's example, if it takes one.
    pub body: Option<serde_json::Value>,
    /// The 2XX answer's example (`None` for HEAD).
    pub answer: Option<serde_json::Value>,
}

impl SpecOperation {
    /// A tier the operation allows (`user` when it may, else its first).
    pub fn tier(&self) -> &str {
        if self.tiers.iter().any(|t| t == "user") {
            "user"
        } else {
            &self.tiers[0]
        }
    }

    /// The path with every parameter set to its example, except those in `overrides`, each
    /// percent-encoded as one segment as the SDK sends it (a helpdesk tree path holds `/`),
    /// and the required query parameters' examples (not percent-encoded: the spec's query
    /// examples need no escaping).
    pub fn path(&self, overrides: &[(&str, &str)]) -> String {
        let mut path = self.template.clone();
        for (name, example) in &self.path_examples {
            let value = overrides
                .iter()
                .find(|(n, _)| n == name)
                .map_or(example.as_str(), |(_, v)| v);
            path = path.replace(&format!("{{{name}}}"), &segment(value));
        }
        let query: Vec<String> = self
            .query_examples
            .iter()
            .map(|(name, example)| format!("{name}={example}"))
            .collect();
        if !query.is_empty() {
            path = format!("{path}?{}", query.join("&"));
        }
        path
    }
}

/// `value` as exactly one path segment: every byte but RFC 3986's unreserved characters
/// percent-encoded, as the SDK encodes path parameters.
fn segment(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Every operation of the spec, in its order.
pub fn spec_operations() -> Vec<SpecOperation> {
    let spec = spec();
    let resolve = |value: &serde_json::Value| -> serde_json::Value {
        match value["$ref"].as_str() {
            Some(r) => spec.pointer(r.trim_start_matches('#')).unwrap().clone(),
            None => value.clone(),
        }
    };
    let mut operations = Vec::new();
    for (template, item) in spec["paths"].as_object().unwrap() {
        for method in ["get", "put", "post", "delete", "head", "patch"] {
            let Some(op) = item.get(method) else { continue };
            let mut path_examples = Vec::new();
            let mut query_examples = Vec::new();
            for list in [&item["parameters"], &op["parameters"]] {
                for p in list.as_array().into_iter().flatten() {
                    let p = resolve(p);
                    let example = match &p["example"] {
                        serde_json::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    let name = p["name"].as_str().unwrap().to_string();
                    if p["in"] == "path" {
                        path_examples.push((name, example));
                    } else if p["in"] == "query" && p["required"] == true {
                        query_examples.push((name, example));
                    }
                }
            }
            let body = op
                .get("requestBody")
                .map(|b| resolve(b)["content"]["application/json"]["example"].clone());
            let answer = op["responses"]
                .as_object()
                .unwrap()
                .iter()
                .find(|(status, _)| status.starts_with('2'))
                .and_then(|(_, r)| r["content"]["application/json"].get("example").cloned());
            operations.push(SpecOperation {
                id: op["operationId"].as_str().unwrap().to_string(),
                method: method.to_uppercase().parse().unwrap(),
                template: template.clone(),
                tiers: op["x-crisp-tiers"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|t| t.as_str().unwrap().to_string())
                    .collect(),
                path_examples,
                query_examples,
                body,
                answer,
            });
        }
    }
    operations
}
