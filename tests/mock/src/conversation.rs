//! Conversation routes.

use crate::http::{body, not_found, ok, Answer};
use crate::Shared;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::Router;
use crisp_api::types::{EmptyBody, Message, MessageNew};
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;

type S = State<Arc<Shared>>;

/// Conversation state beyond the conversation object and its messages.
#[derive(Debug, Clone, Default)]
pub struct Extra {}

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/website/{website_id}/conversations/{page_number}",
            get(list_conversations),
        )
        .route(
            "/website/{website_id}/conversation",
            post(create_new_conversation),
        )
        .route(
            "/website/{website_id}/conversation/{session_id}",
            get(get_conversation),
        )
        .route(
            "/website/{website_id}/conversation/{session_id}/message",
            post(send_message_in_conversation),
        )
        .route(
            "/website/{website_id}/conversation/{session_id}/messages",
            get(get_messages_in_conversation),
        )
}

#[derive(Deserialize)]
struct ListQuery {
    per_page: Option<usize>,
}

async fn list_conversations(
    State(shared): S,
    Path((website_id, page_number)): Path<(String, usize)>,
    Query(query): Query<ListQuery>,
) -> Answer {
    let per_page = query.per_page.unwrap_or(20).clamp(1, 50);
    let mut store = shared.store.lock().unwrap();
    let mut all: Vec<_> = store
        .website(&website_id)
        .conversations
        .values()
        .map(|r| &r.conversation)
        .collect();
    all.sort_by(|a, b| {
        b.updated_at
            .cmp(&a.updated_at)
            .then_with(|| a.session_id.cmp(&b.session_id))
    });
    let page: Vec<_> = all
        .into_iter()
        .skip(page_number.saturating_sub(1) * per_page)
        .take(if page_number == 0 { 0 } else { per_page })
        .collect();
    ok("listed", page)
}

async fn create_new_conversation(
    State(shared): S,
    Path(website_id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Answer, Answer> {
    let _: EmptyBody = body(&headers, &bytes)?;
    let session_id = shared
        .store
        .lock()
        .unwrap()
        .create_conversation(&website_id);
    Ok(ok("added", json!({ "session_id": session_id })))
}

async fn get_conversation(
    State(shared): S,
    Path((website_id, session_id)): Path<(String, String)>,
) -> Answer {
    let mut store = shared.store.lock().unwrap();
    match store.conversation(&website_id, &session_id) {
        Some(record) => ok("resolved", &record.conversation),
        None => not_found("conversation"),
    }
}

async fn send_message_in_conversation(
    State(shared): S,
    Path((website_id, session_id)): Path<(String, String)>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Answer, Answer> {
    let new: MessageNew = body(&headers, &bytes)?;
    let mut store = shared.store.lock().unwrap();
    let now = store.now();
    let fingerprint = new.fingerprint.unwrap_or(now * 1000 + 7);
    let record = store
        .conversation(&website_id, &session_id)
        .ok_or_else(|| not_found("conversation"))?;
    let message: Message = serde_json::from_value(json!({
        "session_id": session_id,
        "website_id": website_id,
        "type": new.type_.to_string(),
        "from": new.from.to_string(),
        "origin": new.origin,
        "content": new.content,
        "mentions": new.mentions,
        "fingerprint": fingerprint,
        "timestamp": now,
        "user": new.user,
    }))
    .expect("a valid Message");
    let c = &mut record.conversation;
    c.updated_at = Some(now);
    if let crisp_api::types::MessageContent::String(text) = &message
        .content
        .clone()
        .unwrap_or(crisp_api::types::MessageContent::String(String::new()))
    {
        c.last_message = Some(text.clone());
    }
    if message.from.as_deref() == Some("user") {
        if let Some(unread) = c.unread.as_mut() {
            unread.operator = Some(unread.operator.unwrap_or(0) + 1);
        }
    }
    record.messages.push(message);
    Ok(ok("dispatched", json!({ "fingerprint": fingerprint })))
}

#[derive(Deserialize)]
struct MessagesQuery {
    timestamp_before: Option<i64>,
}

/// The batch size of `get_messages_in_conversation`.
const MESSAGE_BATCH: usize = 20;

async fn get_messages_in_conversation(
    State(shared): S,
    Path((website_id, session_id)): Path<(String, String)>,
    Query(query): Query<MessagesQuery>,
) -> Answer {
    let mut store = shared.store.lock().unwrap();
    let Some(record) = store.conversation(&website_id, &session_id) else {
        return not_found("conversation");
    };
    let before: Vec<&Message> = record
        .messages
        .iter()
        .filter(|m| match (query.timestamp_before, m.timestamp) {
            (Some(limit), Some(t)) => t < limit,
            _ => true,
        })
        .collect();
    let start = before.len().saturating_sub(MESSAGE_BATCH);
    ok("resolved", &before[start..])
}
