//! Bulk export: every conversation of a website with all its messages, one JSON object per
//! line (JSON Lines), with a progress bar. Conversations stream page by page; their messages
//! are fetched a few conversations at a time (bounded concurrency), and every page of
//! messages is read back in time.
//!
//! ```text
//! cargo run -p crisp-api --example export_jsonl -- [output.jsonl]   # the mock without CRISP_*
//! ```

mod common;

use crisp_api::types::{Conversation, Message};
use crisp_api::{serde_json, Client, TryStreamExt as _};
use std::io::Write as _;

/// Conversations whose messages are fetched at the same time.
const CONCURRENCY: usize = 4;

#[tokio::main]
async fn main() -> Result<(), common::Failure> {
    let common::Playground {
        client,
        website_id,
        mock,
    } = common::playground(|store, w| {
        store.seed_conversations(w, 120);
    })
    .await?;
    let path = std::env::args()
        .nth(1)
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("crisp-conversations.jsonl"));
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path)?);

    let progress =
        indicatif::ProgressBar::new_spinner().with_style(indicatif::ProgressStyle::with_template(
            "{spinner} {pos} conversations, {msg} ({elapsed})",
        )?);
    progress.set_message("0 messages");
    let mut messages_written = 0;
    let mut exports = client
        .list_conversations(&website_id, 1)
        .per_page(50)
        .stream()
        .map_ok(|conversation| export(client.clone(), website_id.clone(), conversation))
        .try_buffered(CONCURRENCY);
    while let Some((conversation, messages)) = exports.try_next().await? {
        messages_written += messages.len();
        let line = serde_json::json!({"conversation": conversation, "messages": messages});
        writeln!(out, "{line}")?;
        progress.inc(1);
        progress.set_message(format!("{messages_written} messages"));
    }
    out.flush()?;
    progress.finish();
    println!(
        "wrote {} conversations to {}",
        progress.position(),
        path.display()
    );
    if mock.is_some() && (progress.position(), messages_written) != (120, 120) {
        return Err("the mock's 120 conversations (one message each) were not all exported".into());
    }
    Ok(())
}

/// One conversation and all its messages, oldest first.
async fn export(
    client: Client,
    website_id: String,
    conversation: Conversation,
) -> Result<(Conversation, Vec<Message>), crisp_api::Error> {
    let mut messages: Vec<Message> = client
        .get_messages_in_conversation(website_id, &conversation.session_id)
        .stream()
        .try_collect()
        .await?;
    messages.sort_by_key(|m| m.timestamp);
    Ok((conversation, messages))
}
