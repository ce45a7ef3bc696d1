//! The first slice over the wire: what the client sends, what it decodes, how it fails.

use crisp_api::types::{MessageContent, MessageFrom, MessageNew, MessageType};
use crisp_api::ErrorKind;
use crisp_mock::{MockServer, Reply, ScriptedServer};
use crisp_wire_tests::{assert_common_headers, client_at, client_for, raw_request, WEBSITE};
use serde_json::json;

fn text(content: &str) -> crisp_api::types::builder::MessageNew {
    MessageNew::builder()
        .type_(MessageType::Text)
        .from(MessageFrom::Operator)
        .origin("chat")
        .content(MessageContent::String(content.into()))
}

#[tokio::test]
async fn create_new_conversation_posts_an_empty_object() {
    let server = MockServer::start().await;
    let created = client_for(&server)
        .create_new_conversation()
        .website_id(WEBSITE)
        .send()
        .await
        .unwrap();
    let req = server.last_request().unwrap();
    assert_eq!(req.method, "POST");
    assert_eq!(req.path, format!("/v1/website/{WEBSITE}/conversation"));
    assert_eq!(req.query, None);
    assert_eq!(req.json(), json!({}));
    assert_common_headers(&req, "plugin");
    assert_eq!(req.header("user-agent"), Some("crisp-wire-tests/1"));
    assert!(created.session_id.starts_with("session_"));
    assert!(server.with_store(|s| s.conversation(WEBSITE, &created.session_id).is_some()));
}

#[tokio::test]
async fn send_message_then_read_it_back() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let session = server.with_store(|s| s.create_conversation(WEBSITE));
    let sent = client
        .send_message_in_conversation()
        .website_id(WEBSITE)
        .session_id(&session)
        .body(text("Hey there! Need help?").fingerprint(524_653_764_345_i64))
        .send()
        .await
        .unwrap();
    let req = server.last_request().unwrap();
    assert_eq!(req.method, "POST");
    assert_eq!(
        req.path,
        format!("/v1/website/{WEBSITE}/conversation/{session}/message")
    );
    assert_eq!(
        req.json(),
        json!({"type": "text", "from": "operator", "origin": "chat",
               "content": "Hey there! Need help?", "fingerprint": 524_653_764_345_i64})
    );
    assert_common_headers(&req, "plugin");
    // A fingerprint wider than 32 bits survives the round trip.
    assert_eq!(sent.fingerprint, 524_653_764_345);

    let messages = client
        .get_messages_in_conversation()
        .website_id(WEBSITE)
        .session_id(&session)
        .timestamp_before(9_999_999_999_999_i64)
        .send()
        .await
        .unwrap();
    let req = server.last_request().unwrap();
    assert_eq!(req.method, "GET");
    assert_eq!(
        req.path,
        format!("/v1/website/{WEBSITE}/conversation/{session}/messages")
    );
    assert_eq!(
        req.query_pairs(),
        vec![("timestamp_before".into(), "9999999999999".into())]
    );
    assert!(req.body.is_empty());
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].fingerprint, 524_653_764_345);
    assert_eq!(
        messages[0].content,
        Some(MessageContent::String("Hey there! Need help?".into()))
    );
    assert_eq!(messages[0].from.as_deref(), Some("operator"));
}

#[tokio::test]
async fn list_and_get_conversations() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let sessions = server.with_store(|s| s.seed_conversations(WEBSITE, 3));

    let page = client
        .list_conversations()
        .website_id(WEBSITE)
        .page_number(1)
        .per_page(20)
        .send()
        .await
        .unwrap();
    let req = server.last_request().unwrap();
    assert_eq!(req.method, "GET");
    assert_eq!(req.path, format!("/v1/website/{WEBSITE}/conversations/1"));
    assert_eq!(req.query_pairs(), vec![("per_page".into(), "20".into())]);
    assert_common_headers(&req, "plugin");
    assert_eq!(page.len(), 3);
    // Most recently updated first.
    assert_eq!(page[0].session_id, sessions[2]);
    assert_eq!(page[0].website_id, WEBSITE);
    assert_eq!(page[0].state.as_deref(), Some("pending"));

    let one = client
        .get_conversation()
        .website_id(WEBSITE)
        .session_id(&sessions[0])
        .send()
        .await
        .unwrap();
    let req = server.last_request().unwrap();
    assert_eq!(req.method, "GET");
    assert_eq!(
        req.path,
        format!("/v1/website/{WEBSITE}/conversation/{}", sessions[0])
    );
    assert_eq!(one.session_id, sessions[0]);

    let empty = client
        .list_conversations()
        .website_id(WEBSITE)
        .page_number(2)
        .send()
        .await
        .unwrap();
    assert!(empty.is_empty());
}

#[tokio::test]
async fn check_conversation_exists_is_a_head_request() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let session = server.with_store(|s| s.create_conversation(WEBSITE));
    let check = |id: String| {
        let client = client.clone();
        async move {
            client
                .check_conversation_exists()
                .website_id(WEBSITE)
                .session_id(id)
                .send()
                .await
        }
    };
    assert!(check(session.clone()).await.unwrap());
    let req = server.last_request().unwrap();
    assert_eq!(req.method, "HEAD");
    assert_eq!(
        req.path,
        format!("/v1/website/{WEBSITE}/conversation/{session}")
    );
    assert!(!check("session_missing".into()).await.unwrap());
}

#[tokio::test]
async fn wrong_credentials_give_an_authentication_error() {
    let server = MockServer::start().await;
    let client = crisp_api::Client::builder()
        .base_url(server.url())
        .credentials(server.identifier(), "not-the-key")
        .build()
        .unwrap();
    let err = client
        .get_conversation()
        .website_id(WEBSITE)
        .session_id("session_x")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Authentication);
    assert_eq!(err.status(), Some(401));
    assert_eq!(err.reason(), Some("unauthorized"));
    assert_eq!(err.attempts(), 1, "401 is not retried");
    assert!(!format!("{err} {err:?}").contains("not-the-key"));
}

#[tokio::test]
async fn unknown_conversation_is_not_found_with_reason() {
    let server = MockServer::start().await;
    let err = client_for(&server)
        .get_conversation()
        .website_id(WEBSITE)
        .session_id("session_unknown")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.status(), Some(404));
    assert_eq!(err.reason(), Some("not_found"));
    assert_eq!(err.message(), Some("conversation not found"));
    assert_eq!(err.operation(), Some("get_conversation"));
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
        .get_conversation()
        .website_id(WEBSITE)
        .session_id("session_x")
        .send()
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
        .get_conversation()
        .website_id(WEBSITE)
        .session_id("session_x")
        .send()
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
        .get_conversation()
        .website_id(WEBSITE)
        .session_id("session_x")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidResponse);
    assert!(err.to_string().contains("<html>hello</html>"), "{err}");

    let server = ScriptedServer::start(vec![
        Reply::raw(502, "<html>bad gateway</html>").header("content-type", "text/html")
    ])
    .await;
    let err = client_at(&server.url())
        .get_conversation()
        .website_id(WEBSITE)
        .session_id("session_x")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server);
    assert_eq!(err.status(), Some(502));
    assert_eq!(err.reason(), None);
}

#[tokio::test]
async fn invalid_bodies_are_refused_by_the_mock_with_invalid_data() {
    let server = MockServer::start().await;
    let session = server.with_store(|s| s.create_conversation(WEBSITE));
    // Bypass the typed builder: a raw request with a body that misses `content`.
    let (status, body) = raw_request(
        &server,
        reqwest::Method::POST,
        &format!("/website/{WEBSITE}/conversation/{session}/message"),
        "plugin",
        Some(json!({"type": "text", "from": "operator", "origin": "chat"})),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], true);
    assert_eq!(body["reason"], "invalid_data");
}

#[tokio::test]
async fn empty_ids_are_refused_before_sending() {
    let server = MockServer::start().await;
    let err = client_for(&server)
        .get_conversation()
        .website_id(WEBSITE)
        .session_id("")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    assert!(err.to_string().contains("session_id"), "{err}");
    assert!(server.requests().is_empty());
}
