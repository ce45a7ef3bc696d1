//! Support for the generated per-operation wire tests (`tests/operations.rs`, written by
//! `cargo xtask regen` from the spec's examples): where a test sends its call, and the checks
//! it makes on the request the server saw and on the data the SDK decoded.
//!
//! By default a test talks to the embedded mock in examples mode ([`MockServer::examples`]),
//! which records every request. With `CRISP_CONFORMANCE_URL` set (CI sets it to Stoplight
//! Prism serving the spec), the same tests talk to that server instead: Prism answers 422 when
//! a request does not match the spec, and the request checks are left to it.

use base64::Engine as _;
use crisp_api::{Client, RetryPolicy, Tier};
use crisp_mock::{MockServer, Recorded};
use serde_json::Value;

/// The environment variable naming an outside server to test against instead of the mock.
pub const CONFORMANCE_URL: &str = "CRISP_CONFORMANCE_URL";

/// Where a generated test sends its call.
pub struct Target {
    mock: Option<MockServer>,
    client: Client,
}

impl Target {
    /// The embedded mock in examples mode, or the server named by `CRISP_CONFORMANCE_URL`.
    pub async fn new(tier: Tier) -> Target {
        let (mock, url, identifier, key) = match std::env::var(CONFORMANCE_URL) {
            Ok(url) => (
                None,
                url,
                "conformance-identifier".into(),
                "conformance-key".into(),
            ),
            Err(_) => {
                let mock = MockServer::examples().await;
                let url = mock.url();
                let (identifier, key) = (mock.identifier().to_string(), mock.key().to_string());
                (Some(mock), url, identifier, key)
            }
        };
        let client = Client::builder()
            .base_url(url)
            .credentials(identifier, key)
            .tier(tier)
            .retry_policy(RetryPolicy::none())
            .build()
            .expect("a client for the test server");
        Target { mock, client }
    }

    /// The client to call through.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The one request the mock received (`None` against an outside server, which checks
    /// requests itself).
    pub fn request(&self, operation: &str) -> Option<Recorded> {
        let mock = self.mock.as_ref()?;
        let requests = mock.requests();
        assert_eq!(
            requests.len(),
            1,
            "{operation}: the mock should have received exactly one request, got {requests:#?}"
        );
        requests.into_iter().next()
    }
}

/// What the spec says the request of an operation, built from its examples, looks like.
pub struct Expected<'a> {
    /// The operation (or alias) called.
    pub operation: &'a str,
    /// The operationId the mock must have matched (the operation an alias stands for).
    pub operation_id: &'a str,
    /// `GET`, `POST`, …
    pub method: &'a str,
    /// The exact path, percent-encoded, base path included (`/v1/website/…`).
    pub path: &'a str,
    /// The query pairs, decoded, in any order.
    pub query: &'a [(&'a str, &'a str)],
    /// The JSON body (the spec's request example), if the operation sends one.
    pub body: Option<&'a str>,
    /// The tier the call was made with.
    pub tier: &'a str,
}

/// Checks what the mock received against what the spec's examples say was sent.
pub fn check_request(request: &Recorded, expected: &Expected<'_>) {
    let op = expected.operation;
    assert_eq!(request.method, expected.method, "{op}: method");
    assert_eq!(request.path, expected.path, "{op}: percent-encoded path");
    assert_eq!(
        request.operation.as_deref(),
        Some(expected.operation_id),
        "{op}: the operation the mock matched"
    );
    let mut query = request.query_pairs();
    query.sort();
    let mut want: Vec<(String, String)> = expected
        .query
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    want.sort();
    assert_eq!(query, want, "{op}: query pairs");
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            crisp_mock::DEFAULT_IDENTIFIER,
            crisp_mock::DEFAULT_KEY
        ))
    );
    assert_eq!(
        request.header("authorization"),
        Some(basic.as_str()),
        "{op}: Basic auth"
    );
    assert_eq!(
        request.header("x-crisp-tier"),
        Some(expected.tier),
        "{op}: tier header"
    );
    assert!(
        request
            .header("user-agent")
            .is_some_and(|ua| ua.starts_with("crisp-api-rust/")),
        "{op}: user agent"
    );
    assert!(
        request.header("api-version").is_none(),
        "{op}: no api-version header"
    );
    match expected.body {
        Some(body) => {
            assert_eq!(
                request.header("content-type"),
                Some("application/json"),
                "{op}: content type"
            );
            let want: Value = serde_json::from_str(body).expect("the spec's example is JSON");
            let got: Value = serde_json::from_slice(&request.body).unwrap_or_else(|e| {
                panic!("{op}: the body sent is not JSON ({e}): {:?}", request.body)
            });
            let mut errors = Vec::new();
            same(&got, &want, "body", &mut errors);
            assert!(
                errors.is_empty(),
                "{op}: the body sent differs from the spec's request example:\n{}\nsent: {got}\nexample: {want}",
                errors.join("\n")
            );
        }
        None => assert!(
            request.body.is_empty(),
            "{op}: no body expected, got {:?}",
            request.body
        ),
    }
}

/// Decodes the spec's request body example into the SDK's body type.
pub fn body_from_example<T: serde::de::DeserializeOwned>(operation: &str, example: &str) -> T {
    serde_json::from_str(example).unwrap_or_else(|e| {
        panic!(
            "{operation}: the spec's request body example does not decode into the SDK's type: {e}"
        )
    })
}

/// Unwraps the SDK's answer, explaining the statuses an outside server (Prism) uses.
pub fn sent<T>(operation: &str, result: Result<T, crisp_api::Error>) -> T {
    result.unwrap_or_else(|e| {
        let hint = match e.status() {
            Some(422) => {
                " (Prism: the request does not match the spec; its log names the violations)"
            }
            Some(500) => " (Prism --errors: the spec's response example does not match its schema)",
            _ => "",
        };
        panic!("{operation}: {e}{hint}")
    })
}

/// Checks that the decoded `data`, serialized again, still holds everything the spec's 2XX
/// example holds: a field the SDK's type dropped or changed is a mismatch between the example
/// and the schema.
pub fn check_data<T: serde::Serialize>(operation: &str, data: &T, example: &str) {
    let decoded = serde_json::to_value(data).expect("the SDK's types serialize");
    let example: Value = serde_json::from_str(example).expect("the example is JSON");
    let mut errors = Vec::new();
    covers(&decoded, &example, "data", &mut errors);
    assert!(
        errors.is_empty(),
        "{operation}: the decoded data differs from the spec's example:\n{}",
        errors.join("\n")
    );
}

/// `decoded` holds everything `example` holds (empty values may be left out).
fn covers(decoded: &Value, example: &Value, at: &str, errors: &mut Vec<String>) {
    match (decoded, example) {
        (Value::Object(got), Value::Object(want)) => {
            for (key, value) in want {
                match got.get(key) {
                    Some(g) => covers(g, value, &format!("{at}.{key}"), errors),
                    None if is_empty(value) => {}
                    None => errors.push(format!(
                        "{at}.{key}: in the example, lost by the SDK's type"
                    )),
                }
            }
        }
        (Value::Array(got), Value::Array(want)) if got.len() == want.len() => {
            for (i, (g, w)) in got.iter().zip(want).enumerate() {
                covers(g, w, &format!("{at}[{i}]"), errors);
            }
        }
        (Value::Number(got), Value::Number(want)) if got.as_f64() == want.as_f64() => {}
        (got, want) if got == want => {}
        (got, want) => errors.push(format!("{at}: example {want}, decoded {got}")),
    }
}

/// `got` and `want` are the same JSON (numbers compared by value).
fn same(got: &Value, want: &Value, at: &str, errors: &mut Vec<String>) {
    match (got, want) {
        (Value::Object(g), Value::Object(w)) => {
            for (key, value) in w {
                match g.get(key) {
                    Some(v) => same(v, value, &format!("{at}.{key}"), errors),
                    None => errors.push(format!("{at}.{key}: in the example, not sent")),
                }
            }
            for key in g.keys().filter(|k| !w.contains_key(*k)) {
                errors.push(format!("{at}.{key}: sent, not in the example"));
            }
        }
        (Value::Array(g), Value::Array(w)) if g.len() == w.len() => {
            for (i, (a, b)) in g.iter().zip(w).enumerate() {
                same(a, b, &format!("{at}[{i}]"), errors);
            }
        }
        (Value::Number(g), Value::Number(w)) if g.as_f64() == w.as_f64() => {}
        (g, w) if g == w => {}
        (g, w) => errors.push(format!("{at}: example {w}, sent {g}")),
    }
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}
