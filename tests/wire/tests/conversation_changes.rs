//! State across calls on the conversation routes added with the full API: a removed message
//! is gone from the list, an unread mark shows in the conversation's unread counts, and the
//! inbox and the participants read back what was saved.

use crisp_api::types::{
    ConversationInboxUpdate, ConversationParticipantNew, ConversationParticipantsSave,
    ConversationUnreadMark, MessageContent, MessageFrom, MessagesReadMark,
};
use crisp_api::{Client, ErrorKind, Tier};
use crisp_mock::MockServer;

const WEBSITE: &str = crisp_mock::README_WEBSITE_ID;

async fn setup() -> (MockServer, Client, String) {
    let mock = MockServer::start().await;
    let client = crisp_wire_tests::mock_client(&mock, Tier::Plugin);
    let session = client
        .create_new_conversation(WEBSITE)
        .await
        .unwrap()
        .session_id;
    (mock, client, session)
}

async fn send(client: &Client, session: &str, from: MessageFrom, text: &str) -> i64 {
    crisp_wire_tests::send_text(client, WEBSITE, session, from, text)
        .await
        .fingerprint
        .expect("the mock gives the fingerprint")
}

async fn unread_by_operators(client: &Client, session: &str) -> Option<u32> {
    let conversation = client.get_conversation(WEBSITE, session).await.unwrap();
    conversation.unread.and_then(|u| u.operator)
}

#[tokio::test]
async fn a_removed_message_is_gone() {
    let (_mock, client, session) = setup().await;
    let first = send(&client, &session, MessageFrom::User, "first").await;
    let second = send(&client, &session, MessageFrom::User, "second").await;
    let one = client
        .get_message_in_conversation(WEBSITE, &session, first)
        .await
        .unwrap();
    assert_eq!(one.content, MessageContent::text("first"));
    client
        .remove_message_in_conversation(WEBSITE, &session, first)
        .await
        .unwrap();
    let messages = client
        .get_messages_in_conversation(WEBSITE, &session)
        .await
        .unwrap();
    let left: Vec<i64> = messages.iter().map(|m| m.fingerprint).collect();
    assert_eq!(left, [second]);
    let gone = client
        .get_message_in_conversation(WEBSITE, &session, first)
        .await
        .unwrap_err();
    assert_eq!(gone.kind(), ErrorKind::NotFound);
    assert_eq!(unread_by_operators(&client, &session).await, Some(1));
}

#[tokio::test]
async fn an_unread_mark_shows_in_the_unread_counts() {
    let (_mock, client, session) = setup().await;
    send(&client, &session, MessageFrom::User, "hello?").await;
    client
        .mark_messages_read_in_conversation(
            WEBSITE,
            &session,
            MessagesReadMark::new(MessageFrom::Operator, "chat"),
        )
        .await
        .unwrap();
    assert_eq!(unread_by_operators(&client, &session).await, Some(0));
    client
        .mark_conversation_as_unread(
            WEBSITE,
            &session,
            ConversationUnreadMark::new(MessageFrom::Operator),
        )
        .await
        .unwrap();
    assert_eq!(unread_by_operators(&client, &session).await, Some(1));
}

#[tokio::test]
async fn inbox_and_participants_read_back_what_was_saved() {
    let (_mock, client, session) = setup().await;
    client
        .update_conversation_inbox(
            WEBSITE,
            &session,
            ConversationInboxUpdate::new().inbox_id("bf6935c9-43b3-4f8e-87ea-175c1e1ed1a9"),
        )
        .await
        .unwrap();
    let conversation = client.get_conversation(WEBSITE, &session).await.unwrap();
    assert_eq!(
        conversation.inbox_id.as_deref(),
        Some("bf6935c9-43b3-4f8e-87ea-175c1e1ed1a9")
    );
    // `None` files it under no inbox again (`inbox_id: null` on the wire).
    client
        .update_conversation_inbox(WEBSITE, &session, ConversationInboxUpdate::new())
        .await
        .unwrap();
    let conversation = client.get_conversation(WEBSITE, &session).await.unwrap();
    assert_eq!(conversation.inbox_id, None);

    client
        .save_conversation_participants(
            WEBSITE,
            &session,
            ConversationParticipantsSave::new([ConversationParticipantNew::new(
                "email",
                "jane.doe@acme-inc.com",
            )]),
        )
        .await
        .unwrap();
    let saved = client
        .get_conversation_participants(WEBSITE, &session)
        .await
        .unwrap();
    let targets: Vec<_> = saved
        .participants
        .iter()
        .filter_map(|p| p.target.as_deref())
        .collect();
    assert_eq!(targets, ["jane.doe@acme-inc.com"]);
}
