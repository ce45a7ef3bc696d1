//! How the client reports what went wrong, against the mock and against scripted answers:
//! wrong credentials, unknown ids, `error: true` on a 200, bodies that are not JSON, ids it
//! refuses before sending; and secrets it decodes but never shows.

use crisp_api::ErrorKind;
use crisp_mock::{MockServer, Reply, ScriptedServer};
use crisp_wire_tests::{client_at, client_for, WEBSITE};
use serde_json::json;

#[tokio::test]
async fn wrong_credentials_give_an_authentication_error() {
    let server = MockServer::start().await;
    let client = crisp_api::Client::builder()
        .base_url(server.url())
        .credentials(server.identifier(), "not-the-key")
        .build()
        .unwrap();
    let err = client
        .get_conversation(WEBSITE, "session_x")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Authentication);
    assert_eq!(err.status(), Some(401));
    assert_eq!(err.reason(), Some("unauthorized"));
    assert_eq!(err.attempts(), 1, "401 is not retried");
    assert!(!format!("{err} {err:?}").contains("not-the-key"));
}

#[tokio::test]
async fn an_unknown_conversation_is_not_found_with_reason_and_operation() {
    let server = MockServer::start().await;
    let err = client_for(&server)
        .get_conversation(WEBSITE, "session_unknown")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.status(), Some(404));
    assert_eq!(err.reason(), Some("not_found"));
    assert_eq!(err.message(), Some("conversation not found"));
    assert_eq!(err.operation(), Some("get_conversation"));
}

#[tokio::test]
async fn a_request_the_mock_refuses_is_an_invalid_request_with_the_field() {
    let server = MockServer::start().await;
    let err = client_for(&server)
        .list_conversations(WEBSITE, 1)
        .per_page(100)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    assert_eq!(err.reason(), Some("invalid_data"));
    assert_eq!(
        err.message(),
        Some("query.per_page: 100 is greater than the maximum of 50")
    );
}

#[tokio::test]
async fn error_true_on_200_is_an_error() {
    // Crisp's field order: `error` first, so `data` is skipped, not decoded.
    let server = ScriptedServer::start(vec![Reply::raw(
        200,
        r#"{"error":true,"reason":"invalid_session","data":{}}"#,
    )
    .header("content-type", "application/json")])
    .await;
    let err = client_at(&server.url())
        .get_conversation(WEBSITE, "session_x")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Api);
    assert_eq!(err.status(), Some(200));
    assert_eq!(err.reason(), Some("invalid_session"));

    // `data` first and not a conversation: still the failure, with its reason.
    let server = ScriptedServer::start(vec![Reply::raw(
        200,
        r#"{"data":{"message":"gone"},"error":true,"reason":"not_found"}"#,
    )])
    .await;
    let err = client_at(&server.url())
        .get_conversation(WEBSITE, "session_x")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.reason(), Some("not_found"));
    assert_eq!(err.message(), Some("gone"));
}

#[tokio::test]
async fn non_json_bodies_are_invalid_responses() {
    let server = ScriptedServer::start(vec![Reply::raw(200, "<html>hello</html>")]).await;
    let err = client_at(&server.url())
        .get_conversation(WEBSITE, "session_x")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidResponse);
    assert!(err.to_string().contains("<html>hello</html>"), "{err}");

    let server = ScriptedServer::start(vec![
        Reply::raw(502, "<html>bad gateway</html>").header("content-type", "text/html")
    ])
    .await;
    let err = client_at(&server.url())
        .get_conversation(WEBSITE, "session_x")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server);
    assert_eq!(err.status(), Some(502));
    assert_eq!(err.reason(), None);
}

#[tokio::test]
async fn empty_ids_are_refused_before_sending() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let err = client.get_conversation(WEBSITE, "").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    assert!(err.to_string().contains("session_id"), "{err}");
    let err = client.get_people_profile(WEBSITE, "").await.unwrap_err();
    assert!(err.to_string().contains("people_id"), "{err}");
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn operator_token_secrets_decode_but_never_show_in_debug() {
    let operator = json!({"details": {
        "user_id": "a4c32c68-be91-4e29-8a05-976e93abbe3f",
        "role": "member",
        "has_token": true,
        "identifier": "op-token-identifier",
        "key": "op-token-key-9f8e7d"
    }});
    let server = ScriptedServer::start(vec![Reply::ok(json!([operator]))]).await;
    let operators = client_at(&server.url())
        .list_website_operators(WEBSITE)
        .await
        .unwrap();
    let details = operators[0].details.as_ref().unwrap();
    assert_eq!(
        details.key.as_ref().unwrap().expose(),
        "op-token-key-9f8e7d"
    );
    assert_eq!(
        details.identifier.as_ref().unwrap().expose(),
        "op-token-identifier"
    );
    let shown = format!("{operators:?}");
    assert!(!shown.contains("op-token-key-9f8e7d"), "{shown}");
    assert!(!shown.contains("op-token-identifier"), "{shown}");
}
