//! Conversations: the conversation, its messages and what hangs off it (state, metas,
//! routing, block status, browsed pages, events, files, transcripts).
//!
//! Where the mock chooses, it says so:
//! - `list_conversations` hides conversations without messages unless `include_empty=1`,
//!   lists the most recently updated first (`order_date_created=1`: most recently created;
//!   `order_date_waiting=1`: those waiting for an answer, longest first), searches
//!   `last_message`, `meta.nickname` and `meta.email` (substring, no case) or a segment, and
//!   applies every `filter_*`. `search_type=filter` needs `search_query` to be a JSON array
//!   of filter objects but does not apply it; `filter_mention` keeps conversations with any
//!   mention (the mock does not know who calls).
//! - Messages come 20 at a time (`get_messages_in_conversation`); pages, events and files
//!   20 a page. As Crisp does, a page (or a batch read backwards) answers
//!   `206 Partial Content` while more items follow it, and `200` when it is the last.
//! - A blocked conversation drops what the visitor sends, silently, as Crisp does.

use super::{ok, page_of, paged, Handler};
use crate::answer::Answer;
use crate::engine::Validated;
use crate::store::{message_event, ConversationRecord, Events, Store};
use serde_json::{json, Value};

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    ("get_message_in_conversation", get_message_in_conversation),
    (
        "remove_message_in_conversation",
        remove_message_in_conversation,
    ),
    ("mark_conversation_as_unread", mark_conversation_as_unread),
    ("update_conversation_inbox", update_conversation_inbox),
    (
        "get_conversation_participants",
        get_conversation_participants,
    ),
    (
        "save_conversation_participants",
        save_conversation_participants,
    ),
    ("list_conversations", list_conversations),
    ("create_new_conversation", create_new_conversation),
    ("check_conversation_exists", check_conversation_exists),
    ("get_conversation", get_conversation),
    ("remove_conversation", remove_conversation),
    (
        "initiate_conversation_with_existing_session",
        initiate_conversation_with_existing_session,
    ),
    ("send_message_in_conversation", send_message_in_conversation),
    (
        "update_message_in_conversation",
        update_message_in_conversation,
    ),
    ("get_messages_in_conversation", get_messages_in_conversation),
    (
        "compose_message_in_conversation",
        compose_message_in_conversation,
    ),
    (
        "mark_messages_read_in_conversation",
        mark_messages_read_in_conversation,
    ),
    (
        "mark_messages_delivered_in_conversation",
        mark_messages_delivered_in_conversation,
    ),
    (
        "get_conversation_routing_assign",
        get_conversation_routing_assign,
    ),
    ("assign_conversation_routing", assign_conversation_routing),
    ("get_conversation_metas", get_conversation_metas),
    ("update_conversation_metas", update_conversation_metas),
    ("list_conversation_pages", list_conversation_pages),
    ("list_conversation_events", list_conversation_events),
    ("list_conversation_files", list_conversation_files),
    ("get_conversation_state", get_conversation_state),
    ("change_conversation_state", change_conversation_state),
    (
        "get_block_status_for_conversation",
        get_block_status_for_conversation,
    ),
    (
        "block_incoming_messages_for_conversation",
        block_incoming_messages_for_conversation,
    ),
    (
        "request_email_transcript_for_conversation",
        request_email_transcript_for_conversation,
    ),
];

/// Items per page of a conversation's pages, events and files, and per batch of messages.
const PAGE: usize = 20;

/// The Message fields a sent message keeps (the rest of `MessageNew` steers the sending).
const MESSAGE_FIELDS: &[&str] = &[
    "type",
    "from",
    "origin",
    "content",
    "mentions",
    "user",
    "references",
    "properties",
    "translated",
    "automated",
    "fingerprint",
    "timestamp",
];

/// The conversation the request names, or 404.
fn read<'a>(store: &'a Store, request: &Validated) -> Result<&'a ConversationRecord, Answer> {
    store
        .conversation(request.path("website_id"), request.path("session_id"))
        .ok_or_else(|| Answer::not_found("conversation"))
}

/// Runs `change` on the conversation the request names (with a fresh timestamp) and
/// publishes its events, or answers 404.
fn change(
    store: &mut Store,
    request: &Validated,
    change: impl FnOnce(&mut ConversationRecord, i64) -> (Result<Answer, Answer>, Events),
) -> Result<Answer, Answer> {
    store
        .change_conversation(
            request.path("website_id"),
            request.path("session_id"),
            change,
        )
        .unwrap_or_else(|| Err(Answer::not_found("conversation")))
}

/// `{"session_id": ..., more}` for an event payload.
fn about(request: &Validated, mut more: Value) -> Value {
    more["session_id"] = json!(request.path("session_id"));
    more
}

// ---- list -----------------------------------------------------------------------------

fn list_conversations(store: &mut Store, request: &Validated) -> Result<Answer, Answer> {
    let per_page = request.query_i64("per_page").unwrap_or(20) as usize;
    let date = |name: &str| {
        request
            .query(name)
            .map(|d| {
                iso_to_ms(d).ok_or_else(|| {
                    Answer::invalid(&format!("query.{name}: {d:?} is not an ISO 8601 date"))
                })
            })
            .transpose()
    };
    let (date_start, date_end) = (date("filter_date_start")?, date("filter_date_end")?);
    let search_type = request.query("search_type").unwrap_or("text");
    let text = request.query("search_query").filter(|s| !s.is_empty());
    if let ("filter", Some(filters)) = (search_type, text) {
        let parsed: Result<Vec<serde_json::Map<String, Value>>, _> = serde_json::from_str(filters);
        if parsed.is_err() {
            return Err(Answer::invalid(
                "query.search_query: with search_type=filter, a JSON array of filter objects",
            ));
        }
    }
    // Flags and filters read once: a list may hold thousands of conversations.
    let flag = |name: &str| request.flag(name);
    let (by_created, by_waiting) = (flag("order_date_created"), flag("order_date_waiting"));
    let (include_empty, unread) = (flag("include_empty"), flag("filter_unread"));
    let (resolved, not_resolved) = (flag("filter_resolved"), flag("filter_not_resolved"));
    let (mention, unassigned) = (flag("filter_mention"), flag("filter_unassigned"));
    let assigned = request.query("filter_assigned");
    let inbox = request.query("filter_inbox_id");
    let text = text.map(|s| (s, s.to_lowercase()));
    let Some(website) = store.website(request.path("website_id")) else {
        return ok(request, json!([]));
    };
    let found = website.conversations.iter().filter(|(_, r)| {
        let c = &r.conversation;
        let meta = || &c["meta"];
        let state_is_resolved = || c["state"] == "resolved";
        let assignee = || c["assigned"]["user_id"].as_str();
        let updated = || c["updated_at"].as_i64().unwrap_or(0);
        (include_empty || !r.messages.is_empty())
            && match (search_type, &text) {
                (_, None) | ("filter", _) => true,
                ("segment", Some((s, _))) => meta()["segments"]
                    .as_array()
                    .is_some_and(|list| list.iter().any(|x| x == s)),
                (_, Some((_, lower))) => {
                    [&c["last_message"], &meta()["nickname"], &meta()["email"]]
                        .into_iter()
                        .filter_map(Value::as_str)
                        .any(|field| field.to_lowercase().contains(lower.as_str()))
                }
            }
            && (!unread || c["unread"]["operator"].as_u64().unwrap_or(0) > 0)
            && (!resolved || state_is_resolved())
            && (!not_resolved || !state_is_resolved())
            && (!mention || c["mentions"].as_array().is_some_and(|m| !m.is_empty()))
            && (!unassigned || assignee().is_none())
            && assigned.is_none_or(|u| assignee() == Some(u))
            && inbox.is_none_or(|i| c["inbox_id"].as_str() == Some(i))
            && date_start.is_none_or(|d| updated() >= d)
            && date_end.is_none_or(|d| updated() <= d)
            && (!by_waiting || !c["waiting_since"].is_null())
    });
    // Sort keys read once per conversation (the store keeps the dates at hand: a list may
    // hold thousands), then the session id so that equal times keep a stable order.
    let mut keyed: Vec<(i64, &str, &ConversationRecord)> = found
        .map(|(session_id, r)| {
            let (created_at, updated_at) = r.order;
            let key = if by_waiting {
                r.conversation["waiting_since"].as_i64().unwrap_or(0)
            } else if by_created {
                -created_at
            } else {
                -updated_at
            };
            (key, session_id.as_str(), r)
        })
        .collect();
    keyed.sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    let found = keyed.into_iter().map(|(_, _, r)| r);
    let (page, more) = page_of(found, request.path_i64("page_number"), per_page);
    let data: Vec<Value> = page.into_iter().map(|r| r.conversation.clone()).collect();
    paged(request, Value::Array(data), more)
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
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(((days * 24 + h) * 60 + min) * 60_000 + s * 1000 + millis)
}

// ---- the conversation -----------------------------------------------------------------

fn create_new_conversation(store: &mut Store, request: &Validated) -> Result<Answer, Answer> {
    let session_id = store.create_conversation(request.path("website_id"));
    ok(request, json!({ "session_id": session_id }))
}

fn check_conversation_exists(store: &mut Store, request: &Validated) -> Result<Answer, Answer> {
    read(store, request).map(|_| Answer::empty())
}

fn get_conversation(store: &mut Store, request: &Validated) -> Result<Answer, Answer> {
    let record = read(store, request)?;
    ok(request, record.conversation.clone())
}

fn remove_conversation(store: &mut Store, request: &Validated) -> Result<Answer, Answer> {
    if store.remove_conversation(request.path("website_id"), request.path("session_id")) {
        ok(request, json!({}))
    } else {
        Err(Answer::not_found("conversation"))
    }
}

fn initiate_conversation_with_existing_session(
    store: &mut Store,
    request: &Validated,
) -> Result<Answer, Answer> {
    change(store, request, |record, _| {
        record.initiated = true;
        let event = ("session:request:initiated", about(request, json!({})));
        (ok(request, json!({})), vec![event])
    })
}

// ---- messages -------------------------------------------------------------------------

fn send_message_in_conversation(store: &mut Store, request: &Validated) -> Result<Answer, Answer> {
    let (website_id, session_id) = (request.path("website_id"), request.path("session_id"));
    let mut new = json!({});
    for field in MESSAGE_FIELDS {
        if let Some(value) = request.body.get(*field) {
            new[*field] = value.clone();
        }
    }
    change(store, request, |record, now| {
        let from = new["from"].as_str().unwrap_or("user");
        if record.conversation["is_blocked"] == true && from == "user" {
            // Crisp drops what a blocked visitor sends, silently.
            let fingerprint = new["fingerprint"].as_i64().unwrap_or(now * 1000 + 7);
            return (ok(request, json!({ "fingerprint": fingerprint })), vec![]);
        }
        let fingerprint = record.push_message(website_id, session_id, &new, now);
        let message = record.messages.last().cloned().unwrap_or_default();
        let answer = ok(request, json!({ "fingerprint": fingerprint }));
        (answer, vec![(message_event(from), message)])
    })
}

fn update_message_in_conversation(
    store: &mut Store,
    request: &Validated,
) -> Result<Answer, Answer> {
    let fingerprint = request.path_i64("fingerprint");
    let content = request.body["content"].clone();
    change(store, request, |record, now| {
        let last = record.messages.last().map(|m| m["fingerprint"].clone());
        let Some(message) = record
            .messages
            .iter_mut()
            .find(|m| m["fingerprint"] == fingerprint)
        else {
            return (Err(Answer::not_found("message")), vec![]);
        };
        message["content"] = content.clone();
        message["edited"] = json!(true);
        let c = &mut record.conversation;
        c["updated_at"] = json!(now);
        if let (Some(true), Some(text)) = (last.map(|l| l == fingerprint), content.as_str()) {
            c["last_message"] = json!(text);
        }
        let payload = about(
            request,
            json!({"fingerprint": fingerprint, "content": content}),
        );
        (ok(request, json!({})), vec![("message:updated", payload)])
    })
}

fn get_messages_in_conversation(store: &mut Store, request: &Validated) -> Result<Answer, Answer> {
    let messages = &read(store, request)?.messages;
    let at = |m: &Value| m["timestamp"].as_i64().unwrap_or(0);
    let before = request.query_i64("timestamp_before");
    let after = request.query_i64("timestamp_after");
    let around = request.query_i64("timestamp_around");
    // Paging backwards (`timestamp_before`, or the latest batch): 206 Partial Content while
    // older messages remain, 200 with the oldest batch, as Crisp answers.
    let mut older_remain = false;
    let batch: Vec<&Value> = match (after, around) {
        (Some(after), _) => messages
            .iter()
            .filter(|m| at(m) > after)
            .take(PAGE)
            .collect(),
        (None, Some(around)) => {
            let pivot = messages
                .iter()
                .position(|m| at(m) >= around)
                .unwrap_or(messages.len());
            let start = pivot.saturating_sub(PAGE / 2);
            messages.iter().skip(start).take(PAGE).collect()
        }
        (None, None) => {
            let older: Vec<&Value> = messages
                .iter()
                .filter(|m| before.is_none_or(|limit| at(m) < limit))
                .collect();
            let start = older.len().saturating_sub(PAGE);
            older_remain = start > 0;
            older[start..].to_vec()
        }
    };
    paged(request, json!(batch), older_remain)
}

fn compose_message_in_conversation(
    store: &mut Store,
    request: &Validated,
) -> Result<Answer, Answer> {
    let body = &request.body;
    let from = body["from"].as_str().unwrap_or("user");
    let start = body["type"] == "start";
    change(store, request, |record, now| {
        let side = if from == "operator" {
            "operator"
        } else {
            "visitor"
        };
        let compose = &mut record.conversation["compose"];
        if compose.is_null() {
            *compose = json!({});
        }
        if start {
            let mut atom = json!({"type": "start", "timestamp": now});
            for field in ["excerpt", "automated"] {
                if let Some(value) = body.get(field) {
                    atom[field] = value.clone();
                }
            }
            compose[side] = atom;
        } else if let Some(map) = compose.as_object_mut() {
            map.remove(side);
        }
        if compose.as_object().is_some_and(|m| m.is_empty()) {
            if let Some(c) = record.conversation.as_object_mut() {
                c.remove("compose");
            }
        }
        let name = if from == "user" {
            "message:compose:send"
        } else {
            "message:compose:receive"
        };
        let payload = about(
            request,
            json!({"type": body["type"], "excerpt": body.get("excerpt"), "timestamp": now}),
        );
        (ok(request, json!({})), vec![(name, payload)])
    })
}

/// Sets `field` (`read` or `delivered`) to `origin` on the messages the other party sent,
/// all of them or those in `fingerprints`.
fn mark(record: &mut ConversationRecord, request: &Validated, field: &str) -> Value {
    let reader = request.body["from"].as_str().unwrap_or("user");
    let origin = request.body["origin"].clone();
    let fingerprints = request.body["fingerprints"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for m in &mut record.messages {
        let theirs = m["from"] != reader;
        let listed = fingerprints.is_empty() || fingerprints.contains(&m["fingerprint"]);
        if theirs && listed {
            m[field] = origin.clone();
        }
    }
    about(
        request,
        json!({"from": reader, "origin": origin, "fingerprints": fingerprints}),
    )
}

fn mark_messages_read_in_conversation(
    store: &mut Store,
    request: &Validated,
) -> Result<Answer, Answer> {
    change(store, request, |record, _| {
        let payload = mark(record, request, "read");
        record.refresh_unread();
        let name = if request.body["from"] == "user" {
            "message:acknowledge:read:send"
        } else {
            "message:acknowledge:read:received"
        };
        (ok(request, json!({})), vec![(name, payload)])
    })
}

fn mark_messages_delivered_in_conversation(
    store: &mut Store,
    request: &Validated,
) -> Result<Answer, Answer> {
    change(store, request, |record, _| {
        let payload = mark(record, request, "delivered");
        let event = ("message:acknowledge:delivered", payload);
        (ok(request, json!({})), vec![event])
    })
}

// ---- routing, metas, state, block -----------------------------------------------------

fn get_conversation_routing_assign(
    store: &mut Store,
    request: &Validated,
) -> Result<Answer, Answer> {
    let record = read(store, request)?;
    let assigned = &record.conversation["assigned"];
    let data = if assigned.is_null() {
        json!({})
    } else {
        json!({ "assigned": assigned })
    };
    ok(request, data)
}

fn assign_conversation_routing(store: &mut Store, request: &Validated) -> Result<Answer, Answer> {
    // `null` or a blank user id unassigns.
    let user_id = request.body["assigned"]["user_id"]
        .as_str()
        .filter(|id| !id.is_empty())
        .map(str::to_string);
    change(store, request, |record, now| {
        let c = &mut record.conversation;
        match &user_id {
            Some(id) => c["assigned"] = json!({ "user_id": id }),
            None => {
                if let Some(map) = c.as_object_mut() {
                    map.remove("assigned");
                }
            }
        }
        c["updated_at"] = json!(now);
        let payload = about(request, json!({"assigned": {"user_id": user_id}}));
        (
            ok(request, json!({})),
            vec![("session:set_routing", payload)],
        )
    })
}

fn get_conversation_metas(store: &mut Store, request: &Validated) -> Result<Answer, Answer> {
    let record = read(store, request)?;
    ok(request, record.conversation["meta"].clone())
}

/// The metas Crisp reports one event each for, and the event's name.
const META_EVENTS: &[(&str, &str)] = &[
    ("nickname", "session:set_nickname"),
    ("email", "session:set_email"),
    ("phone", "session:set_phone"),
    ("address", "session:set_address"),
    ("subject", "session:set_subject"),
    ("avatar", "session:set_avatar"),
    ("origin", "session:set_origin"),
    ("segments", "session:set_segments"),
    ("data", "session:set_data"),
];

/// Fields given replace the stored ones (`segments: null` clears them); `data` keys are
/// merged into the stored data.
fn update_conversation_metas(store: &mut Store, request: &Validated) -> Result<Answer, Answer> {
    let update = request.body.as_object().cloned().unwrap_or_default();
    change(store, request, |record, now| {
        let meta = &mut record.conversation["meta"];
        let mut events = Events::new();
        for (key, value) in &update {
            match (key.as_str(), value) {
                ("data", Value::Object(data)) => {
                    let stored = &mut meta["data"];
                    if !stored.is_object() {
                        *stored = json!({});
                    }
                    for (k, v) in data {
                        stored[k] = v.clone();
                    }
                }
                ("segments", Value::Null) => meta["segments"] = json!([]),
                (key, value) => meta[key] = value.clone(),
            }
            if let Some((_, name)) = META_EVENTS.iter().find(|(field, _)| field == key) {
                events.push((name, about(request, json!({ key: meta[key] }))));
            }
        }
        record.conversation["updated_at"] = json!(now);
        (ok(request, json!({})), events)
    })
}

fn get_conversation_state(store: &mut Store, request: &Validated) -> Result<Answer, Answer> {
    let record = read(store, request)?;
    ok(request, json!({ "state": record.conversation["state"] }))
}

fn change_conversation_state(store: &mut Store, request: &Validated) -> Result<Answer, Answer> {
    let state = request.body["state"].clone();
    change(store, request, |record, now| {
        record.conversation["state"] = state.clone();
        record.conversation["updated_at"] = json!(now);
        let payload = about(request, json!({ "state": state }));
        (ok(request, json!({})), vec![("session:set_state", payload)])
    })
}

fn get_block_status_for_conversation(
    store: &mut Store,
    request: &Validated,
) -> Result<Answer, Answer> {
    let record = read(store, request)?;
    let blocked = record.conversation["is_blocked"] == true;
    ok(request, json!({ "blocked": blocked }))
}

fn block_incoming_messages_for_conversation(
    store: &mut Store,
    request: &Validated,
) -> Result<Answer, Answer> {
    let blocked = request.body["blocked"] == true;
    change(store, request, |record, _| {
        record.conversation["is_blocked"] = json!(blocked);
        let payload = about(request, json!({ "is_blocked": blocked }));
        (ok(request, json!({})), vec![("session:set_block", payload)])
    })
}

// ---- pages, events, files, transcript -------------------------------------------------

fn list_conversation_pages(store: &mut Store, request: &Validated) -> Result<Answer, Answer> {
    let items = &read(store, request)?.pages;
    let (page, more) = page_of(items, request.path_i64("page_number"), PAGE);
    paged(request, json!(page), more)
}

fn list_conversation_events(store: &mut Store, request: &Validated) -> Result<Answer, Answer> {
    let items = &read(store, request)?.events;
    let (page, more) = page_of(items, request.path_i64("page_number"), PAGE);
    paged(request, json!(page), more)
}

fn list_conversation_files(store: &mut Store, request: &Validated) -> Result<Answer, Answer> {
    let items = &read(store, request)?.files;
    let (page, more) = page_of(items, request.path_i64("page_number"), PAGE);
    paged(request, json!(page), more)
}

fn request_email_transcript_for_conversation(
    store: &mut Store,
    request: &Validated,
) -> Result<Answer, Answer> {
    change(store, request, |record, _| {
        record.transcripts.push(request.body.clone());
        (ok(request, json!({})), vec![])
    })
}

// ---- one message, unread marks, inbox, participants ---------------------------------------

fn get_message_in_conversation(store: &mut Store, request: &Validated) -> Result<Answer, Answer> {
    let fingerprint = request.path_i64("fingerprint");
    let record = read(store, request)?;
    match record
        .messages
        .iter()
        .find(|m| m["fingerprint"] == fingerprint)
    {
        Some(message) => ok(request, message.clone()),
        None => Err(Answer::not_found("message")),
    }
}

/// The message is gone from the conversation's messages (and from its unread counts and last
/// message).
fn remove_message_in_conversation(
    store: &mut Store,
    request: &Validated,
) -> Result<Answer, Answer> {
    let fingerprint = request.path_i64("fingerprint");
    change(store, request, |record, now| {
        let Some(at) = record
            .messages
            .iter()
            .position(|m| m["fingerprint"] == fingerprint)
        else {
            return (Err(Answer::not_found("message")), vec![]);
        };
        record.messages.remove(at);
        record.refresh_unread();
        let last = record.messages.last().map(|m| m["content"].clone());
        let c = &mut record.conversation;
        c["updated_at"] = json!(now);
        match last {
            Some(Value::String(text)) => c["last_message"] = json!(text),
            Some(_) => {}
            None => {
                c.as_object_mut().map(|c| c.remove("last_message"));
            }
        }
        let payload = about(request, json!({"fingerprint": fingerprint}));
        (ok(request, json!({})), vec![("message:removed", payload)])
    })
}

/// `from` marks the other party's last message unread again: it counts in the
/// conversation's unread counts until read.
fn mark_conversation_as_unread(store: &mut Store, request: &Validated) -> Result<Answer, Answer> {
    let reader = request.body["from"]
        .as_str()
        .unwrap_or("operator")
        .to_string();
    change(store, request, |record, _| {
        if let Some(message) = record
            .messages
            .iter_mut()
            .rev()
            .find(|m| m["from"] != reader.as_str() && m["type"] != "note")
        {
            message.as_object_mut().map(|m| m.remove("read"));
        }
        record.refresh_unread();
        let payload = about(request, json!({"from": reader}));
        (
            ok(request, json!({})),
            vec![("message:acknowledge:unread:send", payload)],
        )
    })
}

/// The conversation's `inbox_id` (`null`: no inbox), as `get_conversation` reads it back.
fn update_conversation_inbox(store: &mut Store, request: &Validated) -> Result<Answer, Answer> {
    let inbox_id = request.body["inbox_id"].clone();
    change(store, request, |record, now| {
        record.conversation["inbox_id"] = inbox_id.clone();
        record.conversation["updated_at"] = json!(now);
        let payload = about(request, json!({"inbox_id": inbox_id}));
        (ok(request, json!({})), vec![("session:set_inbox", payload)])
    })
}

fn get_conversation_participants(store: &mut Store, request: &Validated) -> Result<Answer, Answer> {
    let record = read(store, request)?;
    let participants = record.conversation["participants"].clone();
    ok(request, json!({ "participants": participants }))
}

/// Replaces the external participants (an empty list removes them all).
fn save_conversation_participants(
    store: &mut Store,
    request: &Validated,
) -> Result<Answer, Answer> {
    let participants = request.body["participants"].clone();
    change(store, request, |record, now| {
        record.conversation["participants"] = participants.clone();
        record.conversation["updated_at"] = json!(now);
        let payload = about(request, json!({"participants": participants}));
        (
            ok(request, json!({})),
            vec![("session:set_participants", payload)],
        )
    })
}
