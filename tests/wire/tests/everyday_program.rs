//! The everyday program, written as a user would with `use crisp_api::prelude::*`: create a
//! conversation, send a message, read its text back, mark it read, resolve the conversation,
//! list the resolved conversations, and get `ErrorKind::NotFound` for one that does not
//! exist. Run against the mock, then checked on what the mock recorded.

use crisp_api::prelude::*;
use crisp_mock::MockServer;

async fn everyday(client: &Client, website_id: &str) -> crisp_api::Result<Vec<Conversation>> {
    let session = client.create_new_conversation(website_id).await?.session_id;
    let hello = MessageNew::operator_text("Hello! How can I help?");
    client
        .send_message_in_conversation(website_id, &session, hello)
        .await?;

    let messages = client
        .get_messages_in_conversation(website_id, &session)
        .await?;
    let last = messages.last().expect("the message sent");
    assert_eq!(last.content.as_text(), Some("Hello! How can I help?"));
    assert_eq!(last.content.to_string(), "Hello! How can I help?");

    let read = MessagesReadMark::new(MessageFrom::Operator, MessageOrigin::Chat)
        .fingerprints([last.fingerprint]);
    client
        .mark_messages_read_in_conversation(website_id, &session, read)
        .await?;
    client
        .change_conversation_state(website_id, &session, ConversationState::Resolved)
        .await?;

    let resolved: Vec<Conversation> = client
        .list_conversations(website_id, 1)
        .filter_resolved(true)
        .stream()
        .try_collect()
        .await?;
    match client.get_conversation(website_id, "session_missing").await {
        Err(e) if e.kind() == ErrorKind::NotFound => {}
        other => panic!("a missing conversation is NotFound: {other:?}"),
    }
    Ok(resolved)
}

#[tokio::test]
async fn the_everyday_program_runs_against_the_mock() {
    let mock = MockServer::start().await;
    let client = crisp_wire_tests::mock_client(&mock, Tier::Plugin);
    let website = crisp_mock::README_WEBSITE_ID;
    let resolved = everyday(&client, website).await.unwrap();
    assert_eq!(resolved.len(), 1, "the conversation just resolved");
    assert_eq!(resolved[0].state, Some(ConversationState::Resolved));

    let operations: Vec<String> = mock
        .requests()
        .iter()
        .filter_map(|r| r.operation.clone())
        .collect();
    assert_eq!(
        operations,
        [
            "create_new_conversation",
            "send_message_in_conversation",
            "get_messages_in_conversation",
            "mark_messages_read_in_conversation",
            "change_conversation_state",
            "list_conversations",
            // One page answered 200, with no 206 before it in this stream: it cannot be told
            // from a server that answers 200 to every page, so the stream reads page 2 (empty).
            "list_conversations",
            "get_conversation",
        ]
    );
    let state = mock
        .requests()
        .into_iter()
        .find(|r| r.operation.as_deref() == Some("change_conversation_state"))
        .unwrap();
    assert_eq!(state.method, "PATCH");
    assert_eq!(state.json(), serde_json::json!({ "state": "resolved" }));
}
