//! The fixed-response server for benchmarks answers like Crisp, and the SDK reads it.

use crisp_api::types::Conversation;
use crisp_api::{Client, Envelope, ErrorKind, Tier};
use crisp_mock::fixed::{self, FixedServer, SESSION, WEBSITE};

#[test]
fn the_page_is_realistic_and_in_crisps_field_order() {
    let body = fixed::list_conversations_body();
    assert!(body.starts_with(br#"{"error":false,"reason":"listed","data":[{"#));
    assert!(
        (22_000..=28_000).contains(&body.len()),
        "about 25 KB, got {}",
        body.len()
    );
    let envelope: Envelope<Vec<Conversation>> = serde_json::from_slice(&body).unwrap();
    let page = envelope.data.unwrap();
    assert_eq!(page.len(), 20);
    let meta = page[3].meta.as_ref().unwrap();
    assert!(meta.email.is_some() && meta.phone.is_some() && meta.avatar.is_some());
    assert_eq!(meta.segments.len(), 4);
    assert_eq!(meta.data.as_object().map(|data| data.len()), Some(5));
    // Distinct sessions, as in a real page.
    let mut ids: Vec<_> = page.iter().map(|c| c.session_id.clone()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 20);
}

#[tokio::test]
async fn the_sdk_reads_the_fixed_answers() {
    let server = FixedServer::start().await;
    let client = Client::builder()
        .base_url(server.url())
        .tier(Tier::Plugin)
        .credentials(server.identifier(), server.key())
        .build()
        .unwrap();
    let page = client.list_conversations(WEBSITE, 1).await.unwrap();
    let expected: Vec<Conversation> =
        serde_json::from_value(serde_json::Value::Array(fixed::conversation_page())).unwrap();
    assert_eq!(page, expected);
    let next = client.list_conversations(WEBSITE, 2).await.unwrap();
    assert!(next.is_empty());
    let one = client.get_conversation(WEBSITE, SESSION).await.unwrap();
    assert_eq!(one.session_id, SESSION);
    assert!(server.small_body().len() < 400);
    assert_eq!(server.served(), 3);
}

#[tokio::test]
async fn wrong_credentials_are_refused() {
    let server = FixedServer::start().await;
    let client = Client::builder()
        .base_url(server.url())
        .credentials(server.identifier(), "wrong")
        .retry_policy(crisp_api::RetryPolicy::none())
        .build()
        .unwrap();
    let error = client.list_conversations(WEBSITE, 1).await.unwrap_err();
    assert_eq!(error.status(), Some(401));
    assert_eq!(error.reason(), Some("unauthorized"));
    assert_eq!(server.served(), 0);
    assert_eq!(error.kind(), ErrorKind::Authentication);
}
