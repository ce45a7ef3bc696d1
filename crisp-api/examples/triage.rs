//! Support triage: stream the unresolved conversations, read each one's messages, and where
//! the visitor spoke last, reply, mark their messages read, leave a note for the team and
//! resolve the conversation.
//!
//! ```text
//! cargo run -p crisp-api --example triage   # the embedded mock without CRISP_* credentials
//! ```

mod common;

use crisp_api::prelude::*;

#[tokio::main]
async fn main() -> Result<(), common::Failure> {
    // setup:start (the client, and the mock's data when run without credentials)
    let common::Playground {
        client,
        website_id: website,
        mock: _mock,
    } = common::playground(|store, w| {
        for question in ["Where is my order?", "Can I change my plan?"] {
            let session = store.create_conversation(w);
            store.seed_message(w, &session, "user", question);
        }
    })
    .await?;
    // setup:end

    // Collect first: resolving a conversation moves it out of the pages being read.
    let unresolved: Vec<Conversation> = client
        .list_conversations(&website, 1)
        .filter_not_resolved(true)
        .stream()
        .try_collect()
        .await?;
    for conversation in unresolved {
        let session = conversation.session_id;
        let messages = client
            .get_messages_in_conversation(&website, &session)
            .await?;
        let Some(last) = messages
            .last()
            .filter(|m| m.from == Some(MessageFrom::User))
        else {
            continue;
        };
        println!(
            "{session}: the visitor wrote {:?}",
            last.content.to_string()
        );

        let reply = MessageNew::operator_text("Thanks for your message: we are on it!");
        client
            .send_message_in_conversation(&website, &session, reply)
            .await?;
        let read = MessagesReadMark::new(MessageFrom::Operator, MessageOrigin::Chat)
            .fingerprints([last.fingerprint]);
        client
            .mark_messages_read_in_conversation(&website, &session, read)
            .await?;
        let note = MessageNew::operator_note("Triaged by the bot: answered and resolved.");
        client
            .send_message_in_conversation(&website, &session, note)
            .await?;
        client
            .change_conversation_state(&website, &session, ConversationState::Resolved)
            .await?;
        println!("{session}: replied, read, noted, resolved");
    }
    Ok(())
}
