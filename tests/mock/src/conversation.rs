//! Conversation routes: the conversation, its messages and everything hanging off it
//! (state, metas, routing, block status, browsed pages, events, files, transcripts).

use crate::http::{body, flag, invalid, not_found, ok, Answer};
use crate::store::ConversationRecord;
use crate::Shared;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::routing::{get, patch, post};
use axum::Router;
use crisp_api::types::{
    Conversation, ConversationAssigned, ConversationBlock, ConversationBlockUpdate,
    ConversationCompose, ConversationComposeAtom, ConversationEvent, ConversationFile,
    ConversationMetaUpdate, ConversationPage, ConversationRoutingAssign,
    ConversationRoutingAssignUpdate, ConversationStateData, ConversationStateUpdate,
    ConversationTranscriptRequest, ConversationUnread, EmptyBody, Message, MessageCompose,
    MessageContent, MessageNew, MessageUpdate, MessagesDeliveredMark, MessagesReadMark,
};
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

type S = State<Arc<Shared>>;

/// Conversation state beyond the conversation object and its messages.
///
/// Tests seed `pages` and `events` directly (nothing in the API writes them: they come from
/// the visitor's browser and from integrations):
///
/// ```no_run
/// # async fn run(server: crisp_mock::MockServer, website: &str, session: &str) {
/// server.with_store(|s| {
///     let extra = &mut s.conversation(website, session).unwrap().extra;
///     extra.pages.push(serde_json::from_value(serde_json::json!({
///         "page_title": "Pricing", "page_url": "https://example.com/pricing",
///         "timestamp": 1688040050000_i64
///     })).unwrap());
/// });
/// # }
/// ```
#[derive(Debug, Clone, Default)]
pub struct Extra {
    /// Pages the visitor browsed, oldest first (`list_conversation_pages`).
    pub pages: Vec<ConversationPage>,
    /// Custom events stacked in the conversation, oldest first (`list_conversation_events`).
    pub events: Vec<ConversationEvent>,
    /// Files shared in the conversation's messages, oldest first (`list_conversation_files`);
    /// `send_message_in_conversation` adds one for every `file` message.
    pub files: Vec<ConversationFile>,
    /// Transcripts requested with `request_email_transcript_for_conversation`.
    pub transcripts: Vec<ConversationTranscriptRequest>,
    /// Whether `initiate_conversation_with_existing_session` was called.
    pub initiated: bool,
}

/// Items per page of the conversation's pages, events and files.
pub const SUB_PAGE_SIZE: usize = 20;

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
            get(get_conversation).delete(remove_conversation),
        )
        .route(
            "/website/{website_id}/conversation/{session_id}/initiate",
            post(initiate_conversation_with_existing_session),
        )
        .route(
            "/website/{website_id}/conversation/{session_id}/message",
            post(send_message_in_conversation),
        )
        .route(
            "/website/{website_id}/conversation/{session_id}/message/{fingerprint}",
            patch(update_message_in_conversation),
        )
        .route(
            "/website/{website_id}/conversation/{session_id}/messages",
            get(get_messages_in_conversation),
        )
        .route(
            "/website/{website_id}/conversation/{session_id}/compose",
            patch(compose_message_in_conversation),
        )
        .route(
            "/website/{website_id}/conversation/{session_id}/read",
            patch(mark_messages_read_in_conversation),
        )
        .route(
            "/website/{website_id}/conversation/{session_id}/delivered",
            patch(mark_messages_delivered_in_conversation),
        )
        .route(
            "/website/{website_id}/conversation/{session_id}/routing",
            get(get_conversation_routing_assign).patch(assign_conversation_routing),
        )
        .route(
            "/website/{website_id}/conversation/{session_id}/meta",
            get(get_conversation_metas).patch(update_conversation_metas),
        )
        .route(
            "/website/{website_id}/conversation/{session_id}/pages/{page_number}",
            get(list_conversation_pages),
        )
        .route(
            "/website/{website_id}/conversation/{session_id}/events/{page_number}",
            get(list_conversation_events),
        )
        .route(
            "/website/{website_id}/conversation/{session_id}/files/{page_number}",
            get(list_conversation_files),
        )
        .route(
            "/website/{website_id}/conversation/{session_id}/state",
            get(get_conversation_state).patch(change_conversation_state),
        )
        .route(
            "/website/{website_id}/conversation/{session_id}/block",
            get(get_block_status_for_conversation).patch(block_incoming_messages_for_conversation),
        )
        .route(
            "/website/{website_id}/conversation/{session_id}/transcript",
            post(request_email_transcript_for_conversation),
        )
}

/// Runs `f` on the conversation with the store's clock, or answers 404.
fn on_conversation<R>(
    shared: &Shared,
    website_id: &str,
    session_id: &str,
    f: impl FnOnce(&mut ConversationRecord, i64) -> Result<R, Answer>,
) -> Result<R, Answer> {
    let mut store = shared.store.lock().unwrap();
    let now = store.now();
    let record = store
        .conversation(website_id, session_id)
        .ok_or_else(|| not_found("conversation"))?;
    f(record, now)
}

/// Query strings that do not decode are `invalid_data`, as bodies are.
fn query<T>(q: Result<Query<T>, QueryRejection>) -> Result<T, Answer> {
    q.map(|Query(q)| q)
        .map_err(|e| invalid(&format!("query {}", e.body_text())))
}

/// One page (from 1) of `items`.
fn page_of<T: Clone>(items: &[T], page_number: usize, per_page: usize) -> Vec<T> {
    if page_number == 0 {
        return Vec::new();
    }
    items
        .iter()
        .skip((page_number - 1) * per_page)
        .take(per_page)
        .cloned()
        .collect()
}

/// Recomputes the unread counts from the messages: `operator` counts the user's messages
/// no operator has read, `visitor` the operator's (notes excluded) the user has not read.
fn refresh_unread(record: &mut ConversationRecord) {
    let count = |from: &str| {
        record
            .messages
            .iter()
            .filter(|m| m.from.as_deref() == Some(from) && m.read.is_none())
            .filter(|m| m.type_.as_deref() != Some("note"))
            .count() as u32
    };
    let unread = ConversationUnread {
        operator: Some(count("user")),
        visitor: Some(count("operator")),
    };
    record.conversation.unread = Some(unread);
}

// ---- list / search ----------------------------------------------------------------------

/// The query of `list_conversations` (alias `search_conversations`).
#[derive(Deserialize)]
struct ListQuery {
    per_page: Option<usize>,
    search_query: Option<String>,
    search_type: Option<String>,
    search_operator: Option<String>,
    include_empty: Option<String>,
    filter_inbox_id: Option<String>,
    filter_unread: Option<String>,
    filter_resolved: Option<String>,
    filter_not_resolved: Option<String>,
    filter_mention: Option<String>,
    filter_assigned: Option<String>,
    filter_unassigned: Option<String>,
    filter_date_start: Option<String>,
    filter_date_end: Option<String>,
    order_date_created: Option<String>,
    order_date_updated: Option<String>,
    order_date_waiting: Option<String>,
}

/// The search and filters the mock applies. `include_empty` is validated but the mock
/// always lists conversations without messages; `search_type=filter` checks that
/// `search_query` is a JSON array of filter objects but does not apply it; `filter_mention`
/// keeps conversations with any mention (the mock does not know who is calling).
async fn list_conversations(
    State(shared): S,
    Path((website_id, page_number)): Path<(String, usize)>,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Answer, Answer> {
    let q = query(q)?;
    let per_page = q.per_page.unwrap_or(20).clamp(1, 50);
    let _include_empty = flag("include_empty", &q.include_empty)?;
    let unread = flag("filter_unread", &q.filter_unread)?;
    let resolved = flag("filter_resolved", &q.filter_resolved)?;
    let not_resolved = flag("filter_not_resolved", &q.filter_not_resolved)?;
    let mention = flag("filter_mention", &q.filter_mention)?;
    let unassigned = flag("filter_unassigned", &q.filter_unassigned)?;
    let by_created = flag("order_date_created", &q.order_date_created)?;
    let _by_updated = flag("order_date_updated", &q.order_date_updated)?;
    let by_waiting = flag("order_date_waiting", &q.order_date_waiting)?;
    let date_start = q
        .filter_date_start
        .as_deref()
        .map(|d| iso_to_ms(d).ok_or_else(|| invalid("query.filter_date_start is not ISO 8601")))
        .transpose()?;
    let date_end = q
        .filter_date_end
        .as_deref()
        .map(|d| iso_to_ms(d).ok_or_else(|| invalid("query.filter_date_end is not ISO 8601")))
        .transpose()?;
    if !matches!(q.search_operator.as_deref(), None | Some("and" | "or")) {
        return Err(invalid("query.search_operator should be and or or"));
    }
    let search_type = q.search_type.as_deref().unwrap_or("text");
    let text = q.search_query.as_deref().filter(|s| !s.is_empty());
    match (search_type, text) {
        ("text" | "segment", _) | ("filter", None) => {}
        ("filter", Some(filters)) => {
            let parsed: Result<Vec<serde_json::Map<String, Value>>, _> =
                serde_json::from_str(filters);
            if parsed.is_err() {
                return Err(invalid(
                    "query.search_query should be a JSON array of filters",
                ));
            }
        }
        _ => {
            return Err(invalid(
                "query.search_type should be text, segment or filter",
            ))
        }
    }

    let mut store = shared.store.lock().unwrap();
    let mut all: Vec<&Conversation> = store
        .website(&website_id)
        .conversations
        .values()
        .map(|r| &r.conversation)
        .filter(|c| {
            let state = c.state.as_deref().unwrap_or("pending");
            let meta = c.meta.clone().unwrap_or_default();
            let matches_text = match (search_type, text) {
                (_, None) | ("filter", _) => true,
                ("segment", Some(s)) => meta.segments.iter().any(|x| x == s),
                (_, Some(s)) => {
                    let s = s.to_lowercase();
                    [&c.last_message, &meta.nickname, &meta.email]
                        .into_iter()
                        .flatten()
                        .any(|field| field.to_lowercase().contains(&s))
                }
            };
            let unread_count = c.unread.as_ref().and_then(|u| u.operator).unwrap_or(0);
            let assignee = c.assigned.as_ref().and_then(|a| a.user_id.as_deref());
            let updated = c.updated_at.unwrap_or(0);
            matches_text
                && (!unread || unread_count > 0)
                && (!resolved || state == "resolved")
                && (!not_resolved || state != "resolved")
                && (!mention || !c.mentions.is_empty())
                && (!unassigned || assignee.is_none())
                && q.filter_assigned
                    .as_deref()
                    .is_none_or(|u| assignee == Some(u))
                && q.filter_inbox_id
                    .as_deref()
                    .is_none_or(|i| c.inbox_id.as_deref() == Some(i))
                && date_start.is_none_or(|d| updated >= d)
                && date_end.is_none_or(|d| updated <= d)
                && (!by_waiting || c.waiting_since.is_some())
        })
        .collect();
    all.sort_by(|a, b| {
        let order = if by_waiting {
            a.waiting_since.cmp(&b.waiting_since)
        } else if by_created {
            b.created_at.cmp(&a.created_at)
        } else {
            b.updated_at.cmp(&a.updated_at)
        };
        order.then_with(|| a.session_id.cmp(&b.session_id))
    });
    Ok(ok("listed", page_of(&all, page_number, per_page)))
}

/// Epoch milliseconds of an ISO 8601 date-time in UTC (`2023-06-01T00:00:00.000Z`, the
/// fraction optional), or of a date (`2023-06-01`).
fn iso_to_ms(text: &str) -> Option<i64> {
    let (date, time) = text.split_once('T').unwrap_or((text, "00:00:00Z"));
    let mut d = date.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    if !(1..=12).contains(&m) || !(1..=31).contains(&day) {
        return None;
    }
    let time = time.strip_suffix('Z')?;
    let (hms, frac) = time.split_once('.').unwrap_or((time, "0"));
    let mut t = hms.splitn(3, ':').map(|p| p.parse::<i64>().ok());
    let (h, min, s) = (t.next()??, t.next()??, t.next()??);
    let millis: i64 = format!("{frac:0<3}").get(..3)?.parse().ok()?;
    // Days from civil (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(((days * 24 + h) * 60 + min) * 60_000 + s * 1000 + millis)
}

// ---- the conversation -------------------------------------------------------------------

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
) -> Result<Answer, Answer> {
    on_conversation(&shared, &website_id, &session_id, |record, _| {
        Ok(ok("resolved", &record.conversation))
    })
}

async fn remove_conversation(
    State(shared): S,
    Path((website_id, session_id)): Path<(String, String)>,
) -> Result<Answer, Answer> {
    let mut store = shared.store.lock().unwrap();
    match store.website(&website_id).conversations.remove(&session_id) {
        Some(_) => Ok(ok("deleted", json!({}))),
        None => Err(not_found("conversation")),
    }
}

async fn initiate_conversation_with_existing_session(
    State(shared): S,
    Path((website_id, session_id)): Path<(String, String)>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Answer, Answer> {
    let _: EmptyBody = body(&headers, &bytes)?;
    on_conversation(&shared, &website_id, &session_id, |record, _| {
        record.extra.initiated = true;
        Ok(ok("requested", json!({})))
    })
}

// ---- messages ---------------------------------------------------------------------------

async fn send_message_in_conversation(
    State(shared): S,
    Path((website_id, session_id)): Path<(String, String)>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Answer, Answer> {
    let new: MessageNew = body(&headers, &bytes)?;
    on_conversation(&shared, &website_id, &session_id, |record, now| {
        let fingerprint = new.fingerprint.unwrap_or(now * 1000 + 7);
        let timestamp = new.timestamp.unwrap_or(now);
        let from = new.from.to_string();
        let blocked = record.conversation.is_blocked == Some(true);
        if blocked && from == "user" {
            // Crisp drops what a blocked visitor sends, silently.
            return Ok(ok("dispatched", json!({ "fingerprint": fingerprint })));
        }
        let message: Message = serde_json::from_value(json!({
            "session_id": session_id,
            "website_id": website_id,
            "type": new.type_.to_string(),
            "from": from,
            "origin": new.origin,
            "content": new.content,
            "mentions": new.mentions,
            "references": new.references,
            "properties": new.properties,
            "automated": new.automated,
            "translated": new.translated,
            "fingerprint": fingerprint,
            "timestamp": timestamp,
            "user": new.user,
        }))
        .expect("a valid Message");
        if let MessageContent::Object(file) = &new.content {
            if new.type_.to_string() == "file" {
                let field = |k: &str| file.get(k).and_then(Value::as_str).map(str::to_string);
                record.extra.files.push(ConversationFile {
                    name: field("name"),
                    type_: field("type"),
                    url: field("url"),
                    fingerprint: Some(fingerprint),
                    timestamp: Some(timestamp),
                });
            }
        }
        let c = &mut record.conversation;
        c.updated_at = Some(now);
        if let MessageContent::String(text) = &new.content {
            c.last_message = Some(text.clone());
        }
        c.waiting_since = match from.as_str() {
            "user" => c.waiting_since.or(Some(now)),
            _ => None,
        };
        record.messages.push(message);
        refresh_unread(record);
        Ok(ok("dispatched", json!({ "fingerprint": fingerprint })))
    })
}

async fn update_message_in_conversation(
    State(shared): S,
    Path((website_id, session_id, fingerprint)): Path<(String, String, i64)>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Answer, Answer> {
    let update: MessageUpdate = body(&headers, &bytes)?;
    on_conversation(&shared, &website_id, &session_id, |record, now| {
        let last = record.messages.last().map(|m| m.fingerprint);
        let message = record
            .messages
            .iter_mut()
            .find(|m| m.fingerprint == fingerprint)
            .ok_or_else(|| not_found("message"))?;
        message.content = Some(update.content.clone());
        message.edited = Some(true);
        let c = &mut record.conversation;
        c.updated_at = Some(now);
        if let (Some(true), MessageContent::String(text)) =
            (last.map(|l| l == fingerprint), &update.content)
        {
            c.last_message = Some(text.clone());
        }
        Ok(ok("updated", json!({})))
    })
}

#[derive(Deserialize)]
struct MessagesQuery {
    timestamp_before: Option<i64>,
    timestamp_after: Option<i64>,
    timestamp_around: Option<i64>,
}

/// The batch size of `get_messages_in_conversation`.
const MESSAGE_BATCH: usize = 20;

async fn get_messages_in_conversation(
    State(shared): S,
    Path((website_id, session_id)): Path<(String, String)>,
    q: Result<Query<MessagesQuery>, QueryRejection>,
) -> Result<Answer, Answer> {
    let q = query(q)?;
    on_conversation(&shared, &website_id, &session_id, |record, _| {
        let at = |m: &Message| m.timestamp.unwrap_or(0);
        let messages = &record.messages;
        let batch: Vec<&Message> = match (q.timestamp_before, q.timestamp_after, q.timestamp_around)
        {
            (_, Some(after), _) => messages
                .iter()
                .filter(|m| at(m) > after)
                .take(MESSAGE_BATCH)
                .collect(),
            (_, None, Some(around)) => {
                let pivot = messages.iter().position(|m| at(m) >= around);
                let pivot = pivot.unwrap_or(messages.len());
                let start = pivot.saturating_sub(MESSAGE_BATCH / 2);
                messages.iter().skip(start).take(MESSAGE_BATCH).collect()
            }
            (before, None, None) => {
                let older: Vec<&Message> = messages
                    .iter()
                    .filter(|m| before.is_none_or(|limit| at(m) < limit))
                    .collect();
                let start = older.len().saturating_sub(MESSAGE_BATCH);
                older[start..].to_vec()
            }
        };
        Ok(ok("resolved", batch))
    })
}

async fn compose_message_in_conversation(
    State(shared): S,
    Path((website_id, session_id)): Path<(String, String)>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Answer, Answer> {
    let compose: MessageCompose = body(&headers, &bytes)?;
    on_conversation(&shared, &website_id, &session_id, |record, now| {
        let mut state = record.conversation.compose.take().unwrap_or_default();
        let atom = (compose.type_.to_string() == "start").then(|| ConversationComposeAtom {
            type_: Some("start".into()),
            excerpt: compose.excerpt.clone(),
            timestamp: Some(now),
            user: None,
            automated: compose.automated,
        });
        match compose.from.to_string().as_str() {
            "operator" => state.operator = atom,
            _ => state.visitor = atom,
        }
        record.conversation.compose = match state {
            ConversationCompose {
                operator: None,
                visitor: None,
            } => None,
            state => Some(state),
        };
        Ok(ok("dispatched", json!({})))
    })
}

/// Sets `field` (read or delivered) to `origin` on the messages the other party sent, all of
/// them or those in `fingerprints`.
fn mark(
    record: &mut ConversationRecord,
    reader: &str,
    origin: &str,
    fingerprints: &[i64],
    field: fn(&mut Message) -> &mut Option<String>,
) {
    for m in &mut record.messages {
        let theirs = m.from.as_deref() != Some(reader);
        let listed = fingerprints.is_empty() || fingerprints.contains(&m.fingerprint);
        if theirs && listed {
            *field(m) = Some(origin.to_string());
        }
    }
}

async fn mark_messages_read_in_conversation(
    State(shared): S,
    Path((website_id, session_id)): Path<(String, String)>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Answer, Answer> {
    let read: MessagesReadMark = body(&headers, &bytes)?;
    on_conversation(&shared, &website_id, &session_id, |record, _| {
        let reader = read.from.to_string();
        mark(record, &reader, &read.origin, &read.fingerprints, |m| {
            &mut m.read
        });
        refresh_unread(record);
        Ok(ok("updated", json!({})))
    })
}

async fn mark_messages_delivered_in_conversation(
    State(shared): S,
    Path((website_id, session_id)): Path<(String, String)>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Answer, Answer> {
    let delivered: MessagesDeliveredMark = body(&headers, &bytes)?;
    if delivered.fingerprints.is_empty() {
        return Err(invalid(
            "data.fingerprints should NOT have fewer than 1 items",
        ));
    }
    on_conversation(&shared, &website_id, &session_id, |record, _| {
        let to = delivered.from.to_string();
        mark(
            record,
            &to,
            &delivered.origin,
            &delivered.fingerprints,
            |m| &mut m.delivered,
        );
        Ok(ok("updated", json!({})))
    })
}

// ---- routing, metas, state, block -------------------------------------------------------

async fn get_conversation_routing_assign(
    State(shared): S,
    Path((website_id, session_id)): Path<(String, String)>,
) -> Result<Answer, Answer> {
    on_conversation(&shared, &website_id, &session_id, |record, _| {
        let routing = ConversationRoutingAssign {
            assigned: record.conversation.assigned.clone(),
        };
        Ok(ok("resolved", routing))
    })
}

async fn assign_conversation_routing(
    State(shared): S,
    Path((website_id, session_id)): Path<(String, String)>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Answer, Answer> {
    let update: ConversationRoutingAssignUpdate = body(&headers, &bytes)?;
    on_conversation(&shared, &website_id, &session_id, |record, now| {
        // `null` or a blank user id unassigns.
        record.conversation.assigned = update
            .assigned
            .as_ref()
            .filter(|a| !a.user_id.is_empty())
            .map(|a| ConversationAssigned {
                user_id: Some(a.user_id.clone()),
            });
        record.conversation.updated_at = Some(now);
        Ok(ok("updated", json!({})))
    })
}

async fn get_conversation_metas(
    State(shared): S,
    Path((website_id, session_id)): Path<(String, String)>,
) -> Result<Answer, Answer> {
    on_conversation(&shared, &website_id, &session_id, |record, _| {
        Ok(ok(
            "resolved",
            record.conversation.meta.clone().unwrap_or_default(),
        ))
    })
}

/// Fields given replace the stored ones; `data` keys are merged into the stored data.
async fn update_conversation_metas(
    State(shared): S,
    Path((website_id, session_id)): Path<(String, String)>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Answer, Answer> {
    let update: ConversationMetaUpdate = body(&headers, &bytes)?;
    if update.email.as_deref().is_some_and(|e| !e.contains('@')) {
        return Err(invalid("data.email should match format \"email\""));
    }
    on_conversation(&shared, &website_id, &session_id, |record, now| {
        let meta = record
            .conversation
            .meta
            .get_or_insert_with(Default::default);
        let ConversationMetaUpdate {
            address,
            avatar,
            data,
            device,
            email,
            ip,
            nickname,
            origin,
            phone,
            segments,
            subject,
        } = update;
        for (slot, value) in [
            (&mut meta.address, address),
            (&mut meta.avatar, avatar),
            (&mut meta.email, email),
            (&mut meta.ip, ip),
            (&mut meta.nickname, nickname),
            (&mut meta.origin, origin),
            (&mut meta.phone, phone),
            (&mut meta.subject, subject),
        ] {
            if value.is_some() {
                *slot = value;
            }
        }
        if let Some(segments) = segments {
            meta.segments = segments;
        }
        meta.data.extend(data);
        if device.is_some() {
            meta.device = device;
        }
        record.conversation.updated_at = Some(now);
        Ok(ok("updated", json!({})))
    })
}

async fn get_conversation_state(
    State(shared): S,
    Path((website_id, session_id)): Path<(String, String)>,
) -> Result<Answer, Answer> {
    on_conversation(&shared, &website_id, &session_id, |record, _| {
        let state = ConversationStateData {
            state: record.conversation.state.clone(),
        };
        Ok(ok("resolved", state))
    })
}

async fn change_conversation_state(
    State(shared): S,
    Path((website_id, session_id)): Path<(String, String)>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Answer, Answer> {
    let update: ConversationStateUpdate = body(&headers, &bytes)?;
    on_conversation(&shared, &website_id, &session_id, |record, now| {
        record.conversation.state = Some(update.state.to_string());
        record.conversation.updated_at = Some(now);
        Ok(ok("updated", json!({})))
    })
}

async fn get_block_status_for_conversation(
    State(shared): S,
    Path((website_id, session_id)): Path<(String, String)>,
) -> Result<Answer, Answer> {
    on_conversation(&shared, &website_id, &session_id, |record, _| {
        let block = ConversationBlock {
            blocked: Some(record.conversation.is_blocked.unwrap_or(false)),
        };
        Ok(ok("resolved", block))
    })
}

async fn block_incoming_messages_for_conversation(
    State(shared): S,
    Path((website_id, session_id)): Path<(String, String)>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Answer, Answer> {
    let update: ConversationBlockUpdate = body(&headers, &bytes)?;
    on_conversation(&shared, &website_id, &session_id, |record, _| {
        record.conversation.is_blocked = Some(update.blocked);
        Ok(ok("updated", json!({})))
    })
}

// ---- pages, events, files, transcript ---------------------------------------------------

async fn list_conversation_pages(
    State(shared): S,
    Path((website_id, session_id, page_number)): Path<(String, String, usize)>,
) -> Result<Answer, Answer> {
    on_conversation(&shared, &website_id, &session_id, |record, _| {
        let page = page_of(&record.extra.pages, page_number, SUB_PAGE_SIZE);
        Ok(ok("listed", page))
    })
}

async fn list_conversation_events(
    State(shared): S,
    Path((website_id, session_id, page_number)): Path<(String, String, usize)>,
) -> Result<Answer, Answer> {
    on_conversation(&shared, &website_id, &session_id, |record, _| {
        let page = page_of(&record.extra.events, page_number, SUB_PAGE_SIZE);
        Ok(ok("listed", page))
    })
}

async fn list_conversation_files(
    State(shared): S,
    Path((website_id, session_id, page_number)): Path<(String, String, usize)>,
) -> Result<Answer, Answer> {
    on_conversation(&shared, &website_id, &session_id, |record, _| {
        let page = page_of(&record.extra.files, page_number, SUB_PAGE_SIZE);
        Ok(ok("listed", page))
    })
}

async fn request_email_transcript_for_conversation(
    State(shared): S,
    Path((website_id, session_id)): Path<(String, String)>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Answer, Answer> {
    let request: ConversationTranscriptRequest = body(&headers, &bytes)?;
    if request.email.as_deref().is_some_and(|e| !e.contains('@')) {
        return Err(invalid("data.email should match format \"email\""));
    }
    on_conversation(&shared, &website_id, &session_id, |record, _| {
        record.extra.transcripts.push(request.clone());
        Ok(ok("requested", json!({})))
    })
}
