//! People: profiles, their data, events, subscription and conversations.
//!
//! What the mock does, where Crisp's behaviour is known and where it is the mock's choice:
//! - `people_id` in a path is a profile's `people_id` or its email (compared without case);
//!   an unknown one answers 404 `not_found`.
//! - A profile's email must be an email (400 `invalid_data`) and unique on the website: a
//!   second profile with the same email is refused with 409 `people_exists`, as Crisp does.
//! - PUT replaces the whole profile (fields not sent are lost; `people_id`, `created_at` and
//!   `score` stay), PATCH merges objects key by key (a list is replaced); the request's
//!   `active` (a timestamp) becomes the answer's `active.last`.
//! - People data: PUT replaces every key, PATCH merges keys; GET answers `{"data": {...}}`.
//! - Conversations of a person: the website's conversations whose `people_id` is the
//!   profile's, or whose `meta.email` is the profile's email; most recently updated first.
//! - Lists are pages of 20 (profiles: `per_page`); events newest first; segments by count,
//!   then name; profiles in creation order unless `sort_field` says otherwise.
//! - `list_people_profiles`: `search_text` matches email or nickname (substring, no case);
//!   `search_filter` must be a JSON array of the spec's `PeopleFilter` (400 `invalid_data`
//!   otherwise) and its `eq` / `neq` filters on `email`, `segments` and `person.nickname`
//!   are applied, others accepted and not applied; `filter_date_start` / `filter_date_end`
//!   are accepted and not applied.

use super::{conflict, merge, ok, page_of, paged, Handler};
use crate::answer::Answer;
use crate::engine::Validated;
use crate::store::{Person, PersonRefused, Store};
use serde_json::{json, Value};
use std::collections::BTreeMap;

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    ("get_people_statistics", get_people_statistics),
    ("list_people_segments", list_people_segments),
    ("list_people_profiles", list_people_profiles),
    ("add_new_people_profile", add_new_people_profile),
    ("check_people_profile_exists", check_people_profile_exists),
    ("get_people_profile", get_people_profile),
    ("save_people_profile", save_people_profile),
    ("update_people_profile", update_people_profile),
    ("remove_people_profile", remove_people_profile),
    ("list_people_conversations", list_people_conversations),
    ("add_people_event", add_people_event),
    ("list_people_events", list_people_events),
    ("get_people_data", get_people_data),
    ("save_people_data", save_people_data),
    ("update_people_data", update_people_data),
    (
        "get_people_subscription_status",
        get_people_subscription_status,
    ),
    (
        "update_people_subscription_status",
        update_people_subscription_status,
    ),
];

/// The page size of people lists.
const PAGE: usize = 20;

fn missing() -> Answer {
    Answer::not_found("people profile")
}

/// The person the request's `people_id` names, or 404.
fn read<'a>(store: &'a Store, request: &Validated) -> Result<&'a Person, Answer> {
    store
        .person(request.path("website_id"), request.path("people_id"))
        .ok_or_else(missing)
}

/// Runs `edit` on the person the request names and publishes `people:profile:updated`
/// with its id, or answers 404.
fn change(
    store: &mut Store,
    request: &Validated,
    edit: impl FnOnce(&mut Person, i64),
) -> Result<Answer, Answer> {
    store
        .change_person(
            request.path("website_id"),
            request.path("people_id"),
            |person, now| {
                edit(person, now);
                let payload = json!({"people_id": person.id()});
                (
                    ok(request, json!({})),
                    vec![("people:profile:updated", payload)],
                )
            },
        )
        .unwrap_or_else(|| Err(missing()))
}

/// 400 unless `email` (when given) is an email. The spec's `PeopleProfileCard.email` is a
/// plain string today, so this is the mock's rule (Crisp refuses a malformed email).
fn check_email(email: &Value) -> Result<(), Answer> {
    if email.is_null() {
        return Ok(());
    }
    let spec = crate::spec::spec().map_err(Answer::invalid)?;
    spec.check(
        &json!({"type": "string", "format": "email"}),
        email,
        "body.email",
    )
    .map_err(|message| Answer::invalid(&message))
}

/// A `PeopleProfile` from a `PeopleProfileCard` (or an update): `active` becomes an
/// activity, `segments: null` none.
fn profile_fields(card: &Value) -> Value {
    let mut profile = card.clone();
    if let Some(last) = card["active"].as_i64() {
        profile["active"] = json!({"now": false, "last": last});
    }
    if card.get("segments").is_some_and(Value::is_null) {
        profile["segments"] = json!([]);
    }
    profile
}

/// 409 when another profile than `people_id` has this email.
fn email_taken(
    store: &Store,
    website_id: &str,
    people_id: &str,
    email: &Value,
) -> Result<(), Answer> {
    let Some(email) = email.as_str() else {
        return Ok(());
    };
    match store.person(website_id, email) {
        Some(other) if other.id() != people_id && other.email().is_some() => Err(conflict(
            &format!("a people profile with the email {email} exists"),
        )),
        _ => Ok(()),
    }
}

fn get_people_statistics(store: &mut Store, request: &Validated) -> Result<Answer, Answer> {
    let total = store
        .website(request.path("website_id"))
        .map_or(0, |w| w.people.len());
    ok(request, json!({ "total": total }))
}

fn list_people_segments(store: &mut Store, request: &Validated) -> Result<Answer, Answer> {
    let mut counts: BTreeMap<String, i64> = BTreeMap::new();
    let people = store
        .website(request.path("website_id"))
        .map(|w| w.people.as_slice())
        .unwrap_or_default();
    for person in people {
        for segment in person.profile["segments"].as_array().into_iter().flatten() {
            if let Some(segment) = segment.as_str() {
                *counts.entry(segment.to_string()).or_default() += 1;
            }
        }
    }
    let mut segments: Vec<(String, i64)> = counts.into_iter().collect();
    // Most used first; the BTreeMap already ordered equal counts by name.
    segments.sort_by_key(|(_, count)| std::cmp::Reverse(*count));
    let (page, more) = page_of(segments, request.path_i64("page_number"), PAGE);
    let page: Vec<Value> = page
        .into_iter()
        .map(|(segment, count)| json!({"segment": segment, "count": count}))
        .collect();
    paged(request, json!(page), more)
}

/// Whether `filter` (a `PeopleFilter`) holds for `profile`; `None` when the mock does not
/// apply it.
fn filter_holds(filter: &Value, profile: &Value) -> Option<bool> {
    let values: Vec<&str> = match filter["criterion"].as_str()? {
        "email" => profile["email"].as_str().into_iter().collect(),
        "segments" => profile["segments"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect(),
        "person.nickname" => profile["person"]["nickname"].as_str().into_iter().collect(),
        _ => return None,
    };
    let queries: Vec<&str> = filter["query"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let hit = values
        .iter()
        .any(|v| queries.iter().any(|q| q.eq_ignore_ascii_case(v)));
    match filter["operator"].as_str()? {
        "eq" => Some(hit),
        "neq" => Some(!hit),
        _ => None,
    }
}

fn list_people_profiles(store: &mut Store, request: &Validated) -> Result<Answer, Answer> {
    let per_page = request.query_i64("per_page").unwrap_or(PAGE as i64) as usize;
    let descending = request.query("sort_order") == Some("descending");
    let any = request.query("search_operator") == Some("or");
    let filters: Vec<Value> = match request.query("search_filter") {
        None | Some("") => Vec::new(),
        Some(text) => {
            let at = "query.search_filter";
            let parsed: Value = serde_json::from_str(text)
                .map_err(|e| Answer::invalid(&format!("{at}: not JSON ({e})")))?;
            let spec = crate::spec::spec().map_err(Answer::invalid)?;
            let schema =
                json!({"type": "array", "items": {"$ref": "#/components/schemas/PeopleFilter"}});
            spec.check(&schema, &parsed, at)
                .map_err(|message| Answer::invalid(&message))?;
            parsed.as_array().cloned().unwrap_or_default()
        }
    };
    let text = request.query("search_text").map(str::to_lowercase);
    let people = store
        .website(request.path("website_id"))
        .map(|w| w.people.as_slice())
        .unwrap_or_default();
    let mut found: Vec<&Value> = people
        .iter()
        .map(|p| &p.profile)
        .filter(|p| {
            let results: Vec<bool> = filters.iter().filter_map(|f| filter_holds(f, p)).collect();
            results.is_empty()
                || if any {
                    results.iter().any(|r| *r)
                } else {
                    results.iter().all(|r| *r)
                }
        })
        .filter(|p| {
            let Some(text) = &text else { return true };
            [&p["email"], &p["person"]["nickname"]]
                .into_iter()
                .filter_map(Value::as_str)
                .any(|v| v.to_lowercase().contains(text.as_str()))
        })
        .collect();
    let key = |p: &Value| -> (String, i64) {
        let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
        match request.query("sort_field") {
            Some("email") => (text(&p["email"]), 0),
            Some("nickname") => (text(&p["person"]["nickname"]), 0),
            Some("updated_at") => (String::new(), p["updated_at"].as_i64().unwrap_or(0)),
            _ => (String::new(), p["created_at"].as_i64().unwrap_or(0)),
        }
    };
    found.sort_by_key(|p| key(p));
    if descending {
        found.reverse();
    }
    let (page, more) = page_of(found, request.path_i64("page_number"), per_page);
    paged(request, json!(page), more)
}

fn add_new_people_profile(store: &mut Store, request: &Validated) -> Result<Answer, Answer> {
    check_email(&request.body["email"])?;
    let mut profile = profile_fields(&request.body);
    if profile.get("segments").is_none() {
        profile["segments"] = json!([]);
    }
    match store.add_person(request.path("website_id"), Person::new(profile)) {
        Ok(people_id) => ok(request, json!({ "people_id": people_id })),
        Err(PersonRefused::EmailTaken) => Err(conflict(&format!(
            "a people profile with the email {} exists",
            request.body["email"].as_str().unwrap_or_default()
        ))),
        Err(PersonRefused::WebsiteDeleted) => Err(Answer::not_found("website")),
    }
}

fn check_people_profile_exists(store: &mut Store, request: &Validated) -> Result<Answer, Answer> {
    read(store, request).map(|_| Answer::empty())
}

fn get_people_profile(store: &mut Store, request: &Validated) -> Result<Answer, Answer> {
    ok(request, read(store, request)?.profile.clone())
}

fn save_people_profile(store: &mut Store, request: &Validated) -> Result<Answer, Answer> {
    check_email(&request.body["email"])?;
    let people_id = read(store, request)?.id().to_string();
    email_taken(
        store,
        request.path("website_id"),
        &people_id,
        &request.body["email"],
    )?;
    let card = profile_fields(&request.body);
    change(store, request, |person, now| {
        let old = &person.profile;
        let mut profile = card;
        for kept in ["people_id", "created_at", "score"] {
            profile[kept] = old[kept].clone();
        }
        if profile.get("segments").is_none() {
            profile["segments"] = json!([]);
        }
        profile["updated_at"] = json!(now);
        person.profile = profile;
    })
}

fn update_people_profile(store: &mut Store, request: &Validated) -> Result<Answer, Answer> {
    check_email(&request.body["email"])?;
    let people_id = read(store, request)?.id().to_string();
    email_taken(
        store,
        request.path("website_id"),
        &people_id,
        &request.body["email"],
    )?;
    let mut patch = profile_fields(&request.body);
    change(store, request, |person, now| {
        if let Some(segments) = patch.as_object_mut().and_then(|p| p.remove("segments")) {
            // A list is replaced, not merged.
            person.profile["segments"] = segments;
        }
        merge(&mut person.profile, patch);
        person.profile["updated_at"] = json!(now);
    })
}

fn remove_people_profile(store: &mut Store, request: &Validated) -> Result<Answer, Answer> {
    if store.remove_person(request.path("website_id"), request.path("people_id")) {
        ok(request, json!({}))
    } else {
        Err(missing())
    }
}

fn list_people_conversations(store: &mut Store, request: &Validated) -> Result<Answer, Answer> {
    let profile = &read(store, request)?.profile;
    let Some(website) = store.website(request.path("website_id")) else {
        return Err(missing());
    };
    let email = profile["email"].as_str();
    let mut found: Vec<&Value> = website
        .conversations
        .values()
        .map(|r| &r.conversation)
        .filter(|c| {
            c["people_id"] == profile["people_id"]
                || matches!(
                    (c["meta"]["email"].as_str(), email),
                    (Some(a), Some(b)) if a.eq_ignore_ascii_case(b)
                )
        })
        .filter(|c| {
            !request.flag("filter_unread") || c["unread"]["operator"].as_u64().unwrap_or(0) > 0
        })
        .filter(|c| !request.flag("filter_resolved") || c["state"] == "resolved")
        .filter(|c| !request.flag("filter_not_resolved") || c["state"] != "resolved")
        .collect();
    found.sort_by(|a, b| {
        let updated = |c: &Value| c["updated_at"].as_i64().unwrap_or(0);
        updated(b)
            .cmp(&updated(a))
            .then_with(|| a["session_id"].as_str().cmp(&b["session_id"].as_str()))
    });
    let ids = found.iter().map(|c| c["session_id"].clone());
    let (page, more) = page_of(ids, request.path_i64("page_number"), PAGE);
    paged(request, json!(page), more)
}

fn add_people_event(store: &mut Store, request: &Validated) -> Result<Answer, Answer> {
    let body = &request.body;
    change(store, request, |person, now| {
        let mut event = json!({"text": body["text"], "timestamp": now});
        for field in ["data", "color"] {
            if let Some(value) = body.get(field) {
                event[field] = value.clone();
            }
        }
        person.events.push(event);
    })
}

fn list_people_events(store: &mut Store, request: &Validated) -> Result<Answer, Answer> {
    let events = &read(store, request)?.events;
    let (page, more) = page_of(events.iter().rev(), request.path_i64("page_number"), PAGE);
    paged(request, json!(page), more)
}

fn get_people_data(store: &mut Store, request: &Validated) -> Result<Answer, Answer> {
    let data = &read(store, request)?.data;
    ok(request, json!({ "data": data }))
}

fn save_people_data(store: &mut Store, request: &Validated) -> Result<Answer, Answer> {
    let data = request.body["data"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    change(store, request, |person, _| person.data = data)
}

fn update_people_data(store: &mut Store, request: &Validated) -> Result<Answer, Answer> {
    let data = request.body["data"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    change(store, request, |person, _| person.data.extend(data))
}

fn get_people_subscription_status(
    store: &mut Store,
    request: &Validated,
) -> Result<Answer, Answer> {
    let subscribed = read(store, request)?.subscribed;
    ok(request, json!({ "email": subscribed }))
}

fn update_people_subscription_status(
    store: &mut Store,
    request: &Validated,
) -> Result<Answer, Answer> {
    let subscribed = request.body["email"] == true;
    change(store, request, |person, _| person.subscribed = subscribed)
}
