//! A bot on Crisp's real-time events: it subscribes to `message:send` (a visitor wrote) over
//! the RTM API and answers each text message through the REST API.
//!
//! With `CRISP_IDENTIFIER`, `CRISP_KEY` and `CRISP_WEBSITE_ID` (a plugin token:
//! `CRISP_TIER=plugin`) it listens to the real API until stopped. Without them it starts the embedded mock Crisp server, writes
//! itself a visitor message, shows the bot's reply and exits.
//!
//! ```text
//! cargo run -p crisp-api --example rtm_bot
//! ```

mod common;

use crisp_api::events::Event;
use crisp_api::types::{MessageContent, MessageFrom, MessageNew};
use crisp_api::{Client, StreamExt as _};

use common::Failure;

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let common::Playground {
        client,
        website_id,
        mock,
    } = common::playground(|_, _| {}).await?;

    // The socket URL comes from Crisp (`connect/endpoints`), as the official wrappers do.
    let mut events = client.rtm().events(["message:send"]).connect().await?;
    println!("Listening for visitor messages on {}", events.socket_url());

    // Offline, play the visitor: write in a new conversation of the README's website.
    let demo = match &mock {
        Some(_) => Some(visit(&client, &website_id).await?),
        None => None,
    };

    while let Some(event) = events.next().await {
        let message = match event {
            Ok(Event::MessageSend(message)) => message,
            Ok(other) => {
                println!("(ignored {})", other.name());
                continue;
            }
            Err(e) if e.is_fatal() => return Err(e.into()),
            Err(e) => {
                eprintln!("{e}");
                continue;
            }
        };
        let MessageContent::Text(text) = &message.content else {
            continue;
        };
        println!("visitor in {}: {text}", message.session_id);
        client
            .send_message_in_conversation(
                &message.website_id,
                &message.session_id,
                MessageNew::new(
                    MessageFrom::Operator,
                    "chat",
                    MessageContent::text(format!(
                        "Hi! You said \"{text}\"; a human will follow up."
                    )),
                ),
            )
            .await?;
        if let Some((website_id, session_id)) = &demo {
            if *session_id == message.session_id {
                return show_reply(&client, website_id, session_id).await;
            }
        }
    }
    Err("the event stream ended".into())
}

/// Writes a visitor message in a new conversation; returns where.
async fn visit(client: &Client, website_id: &str) -> Result<(String, String), Failure> {
    let website_id = website_id.to_string();
    let session_id = client
        .create_new_conversation(&website_id)
        .await?
        .session_id;
    client
        .send_message_in_conversation(
            &website_id,
            &session_id,
            MessageNew::new(
                MessageFrom::User,
                "chat",
                MessageContent::text("Hello, is anyone there?"),
            ),
        )
        .await?;
    Ok((website_id, session_id))
}

/// Prints the conversation and checks that the bot answered.
async fn show_reply(client: &Client, website_id: &str, session_id: &str) -> Result<(), Failure> {
    let messages = client
        .get_messages_in_conversation(website_id, session_id)
        .await?;
    for m in &messages {
        let from = m.from.as_ref().map_or("?", |f| f.as_str());
        if let MessageContent::Text(text) = &m.content {
            println!("  {from}: {text}");
        }
    }
    if messages
        .iter()
        .any(|m| m.from == Some(MessageFrom::Operator))
    {
        println!("The bot replied.");
        Ok(())
    } else {
        Err("the bot's reply is not in the conversation".into())
    }
}
