//! Support triage: stream the unresolved conversations, read each one's messages, and where
//! the visitor spoke last, reply, mark their messages read, leave a note for the team and
//! resolve the conversation.
//!
//! ```text
//! cargo run -p crisp-api --example triage   # the embedded mock without CRISP_* credentials
//! ```

mod common;

use crisp_api::types::{
    ConversationState, ConversationStateUpdate, MessageContent, MessageFrom, MessageNew,
    MessagesReadMark,
};
use crisp_api::TryStreamExt as _;

#[tokio::main]
async fn main() -> Result<(), common::Failure> {
    // The mock (without credentials) stops when `_mock` is dropped, at the end.
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

    // Collect first: resolving a conversation moves it out of the pages being read.
    let unresolved: Vec<_> = client
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
        println!("{session}: the visitor wrote {:?}", last.content);

        let reply = MessageContent::text("Thanks for your message: we are on it!");
        client
            .send_message_in_conversation(
                &website,
                &session,
                MessageNew::new(MessageFrom::Operator, "chat", reply),
            )
            .await?;
        client
            .mark_messages_read_in_conversation(
                &website,
                &session,
                MessagesReadMark::new(MessageFrom::Operator, "chat")
                    .fingerprints([last.fingerprint]),
            )
            .await?;
        let note = MessageContent::note("Triaged by the bot: answered and resolved.");
        client
            .send_message_in_conversation(
                &website,
                &session,
                MessageNew::new(MessageFrom::Operator, "chat", note),
            )
            .await?;
        client
            .change_conversation_state(
                &website,
                &session,
                ConversationStateUpdate::new(ConversationState::Resolved),
            )
            .await?;
        println!("{session}: replied, read, noted, resolved");
    }
    Ok(())
}
