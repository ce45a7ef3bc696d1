//! The mock answers every error with Crisp's JSON envelope, as the spec's `4XX` says, even
//! those axum produces before a handler runs (schemathesis checks this in .ci/spec-tools).

use crisp_mock::MockServer;
use crisp_wire_tests::WEBSITE;
use reqwest::Method;

async fn raw(server: &MockServer, method: Method, path: &str) -> reqwest::Response {
    reqwest::Client::new()
        .request(method, format!("{}{path}", server.url()))
        .basic_auth(server.identifier(), Some(server.key()))
        .header("x-crisp-tier", "plugin")
        .send()
        .await
        .unwrap()
}

async fn envelope(response: reqwest::Response) -> serde_json::Value {
    assert_eq!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/json")
    );
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"], true, "{body}");
    body
}

#[tokio::test]
async fn a_path_parameter_that_does_not_parse_is_invalid_data() {
    let server = MockServer::start().await;
    let response = raw(
        &server,
        Method::GET,
        &format!("/website/{WEBSITE}/conversations/-5"),
    )
    .await;
    assert_eq!(response.status(), 400);
    let body = envelope(response).await;
    assert_eq!(body["reason"], "invalid_data");
    assert!(body["data"]["message"].as_str().unwrap().contains("-5"));
}

#[tokio::test]
async fn a_query_parameter_that_does_not_parse_is_invalid_data() {
    let server = MockServer::start().await;
    let response = raw(
        &server,
        Method::GET,
        &format!("/website/{WEBSITE}/conversations/1?per_page=many"),
    )
    .await;
    assert_eq!(response.status(), 400);
    let body = envelope(response).await;
    assert_eq!(body["reason"], "invalid_data");
    assert!(body["data"]["message"]
        .as_str()
        .unwrap()
        .contains("per_page"));
}

#[tokio::test]
async fn a_method_the_route_lacks_is_405_with_the_envelope_and_allow() {
    let server = MockServer::start().await;
    let response = raw(
        &server,
        Method::DELETE,
        &format!("/website/{WEBSITE}/conversations/1"),
    )
    .await;
    assert_eq!(response.status(), 405);
    let allow = response.headers().get("allow").cloned();
    assert!(allow.is_some_and(|v| v.to_str().unwrap().contains("GET")));
    let body = envelope(response).await;
    assert_eq!(body["reason"], "not_found");
}

#[tokio::test]
async fn a_head_error_still_has_no_body() {
    let server = MockServer::start().await;
    let response = raw(
        &server,
        Method::HEAD,
        &format!("/website/{WEBSITE}/conversations/-5"),
    )
    .await;
    assert_eq!(response.status(), 400);
    assert!(response.bytes().await.unwrap().is_empty());
}
