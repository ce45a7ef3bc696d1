//! The quickstart: create a conversation, send a message, list conversations, read the
//! messages back.
//!
//! With `CRISP_IDENTIFIER`, `CRISP_KEY` and `CRISP_WEBSITE_ID` set (and optionally
//! `CRISP_TIER`, `CRISP_API_URL`), it runs against the real Crisp API: a website token, made
//! in the Crisp app for your workspace, with `CRISP_TIER=website`, is the quickest start (see
//! the README). Without them it starts the embedded mock Crisp server on a loopback port and
//! runs the same flow against it.
//!
//! ```text
//! cargo run -p crisp-api --example quickstart
//! ```

mod common;

use crisp_api::prelude::*;

#[tokio::main]
async fn main() -> Result<(), common::Failure> {
    // The mock (without credentials, with a website token as Crisp recommends) lives until
    // `_mock` is dropped, at the end.
    let common::Playground {
        client,
        website_id,
        mock: _mock,
    } = common::playground_as(Tier::Website, |_, _| {}).await?;

    let created = client.create_new_conversation(&website_id).await?;
    let session = &created.session_id;
    println!("1. created conversation {session}");

    let message = MessageNew::operator_text("Hello from crisp-api (Rust)!");
    let sent = client
        .send_message_in_conversation(&website_id, session, message)
        .await?;
    let fingerprint = sent
        .fingerprint
        .ok_or("Crisp accepted the message without a fingerprint")?;
    println!("2. sent a message, fingerprint {fingerprint}");

    let page = client.list_conversations(&website_id, 1).await?;
    println!("3. listed {} conversation(s) on page 1", page.len());
    let listed = page.iter().any(|c| &c.session_id == session);
    println!("   the new conversation is listed: {listed}");

    let messages = client
        .get_messages_in_conversation(&website_id, session)
        .await?;
    println!("4. read {} message(s) back:", messages.len());
    for m in &messages {
        let from = m.from.as_ref().map_or("?", |f| f.as_str());
        let (fingerprint, kind) = (m.fingerprint, m.content.kind());
        println!("   [{fingerprint}] {kind} from {from}: {}", m.content);
    }
    if !listed || !messages.iter().any(|m| m.fingerprint == fingerprint) {
        return Err("the message or conversation did not come back".into());
    }
    println!("Done.");
    Ok(())
}
