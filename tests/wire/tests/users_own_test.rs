//! The user's test shown on the crate's front page ("Testing your code") and in crisp-mock's
//! README, run for real: a mock seeded with a conversation and a visitor's message, the code
//! under test run against it, and assertions on the recorded request.

use crisp_api::prelude::*;

/// The code under test: answers the visitor's last message.
async fn answer_last(client: &Client, website: &str, session: &str) -> crisp_api::Result<()> {
    let messages = client
        .get_messages_in_conversation(website, session)
        .await?;
    if let Some(question) = messages.last().and_then(|m| m.content.as_text()) {
        let reply = MessageNew::operator_text(format!("About \"{question}\": on it!"));
        client
            .send_message_in_conversation(website, session, reply)
            .await?;
    }
    Ok(())
}

#[tokio::test]
async fn answers_the_visitor() {
    let mock = crisp_mock::MockServer::start().await;
    let website = crisp_mock::README_WEBSITE_ID;
    // Seed a conversation with a visitor's message.
    let session = mock.with_store(|store| {
        let session = store.create_conversation(website);
        store.seed_message(website, &session, "user", "Where is my parcel?");
        session
    });
    let client = Client::builder()
        .base_url(mock.url())
        .credentials(mock.identifier(), mock.key())
        .build()
        .unwrap();

    answer_last(&client, website, &session).await.unwrap();

    let sent = mock.last_request().unwrap();
    assert_eq!(
        sent.operation.as_deref(),
        Some("send_message_in_conversation")
    );
    assert_eq!(
        sent.json()["content"],
        "About \"Where is my parcel?\": on it!"
    );
}
