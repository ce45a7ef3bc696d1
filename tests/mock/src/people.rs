//! People routes: profiles, their data, events, subscription and conversations.
//!
//! What the mock does, where Crisp's behaviour is known and where it is the mock's choice:
//! - `people_id` in a path is a profile's `people_id` or its email (compared without case);
//!   an unknown one answers 404 `not_found`.
//! - Adding a profile whose email is already used creates a second profile: a 409 on
//!   duplicates is reported by third parties only, so the mock does not invent it. Looking a
//!   profile up by email then finds the oldest.
//! - PUT replaces the whole profile (fields not sent are lost; `people_id`, `created_at` and
//!   `score` stay), PATCH merges objects key by key; the request's `active` (a timestamp)
//!   becomes the answer's `active.last`.
//! - People data: PUT replaces every key, PATCH merges keys; GET answers `{"data": {...}}`.
//! - Subscription: new profiles are subscribed (`email: true`).
//! - Conversations of a person: the stored conversations whose `people_id` is the profile's,
//!   or whose `meta.email` is the profile's email; most recently updated first.
//! - Lists are pages of 20 (profiles: `per_page`, 1 to 50); events newest first; segments
//!   by count, then name; profiles in creation order unless `sort_field` says otherwise.
//! - `list_people_profiles`: `search_text` matches email or nickname (substring, no case);
//!   `search_filter` must be a JSON array of `PeopleFilter` (400 `invalid_data` otherwise) and
//!   its `eq`/`neq` filters on `email`, `segments` and `person.nickname` are applied, others
//!   are accepted and not applied; `filter_date_start`/`filter_date_end` are accepted and not
//!   applied.

use crate::http::{body, flag, invalid, not_found, ok, Answer};
use crate::{Shared, Store};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::Router;
use crisp_api::types::{
    Activity, PeopleData, PeopleEvent, PeopleEventNew, PeopleFilter, PeopleProfile,
    PeopleProfileCard, PeopleProfileNew, PeopleProfileUpdate, PeopleSegment, PeopleStatistics,
    PeopleSubscription,
};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

type S = State<Arc<Shared>>;

/// The people of a website.
#[derive(Debug, Clone, Default)]
pub struct People {
    /// Profiles, oldest first.
    pub profiles: Vec<Person>,
}

/// One people profile and what hangs off it.
#[derive(Debug, Clone)]
pub struct Person {
    /// What `get_people_profile` answers.
    pub profile: PeopleProfile,
    /// The custom data (`get_people_data`'s inner map).
    pub data: Map<String, Value>,
    /// Events, oldest first.
    pub events: Vec<PeopleEvent>,
    /// Subscribed to emails.
    pub subscribed: bool,
}

impl People {
    /// The profile whose `people_id` is `id`, or else the oldest whose email is `id`.
    pub fn find(&self, id: &str) -> Option<&Person> {
        self.position(id).map(|i| &self.profiles[i])
    }

    /// Like [`find`](Self::find), mutable.
    pub fn find_mut(&mut self, id: &str) -> Option<&mut Person> {
        self.position(id).map(|i| &mut self.profiles[i])
    }

    fn position(&self, id: &str) -> Option<usize> {
        self.profiles
            .iter()
            .position(|p| p.profile.people_id == id)
            .or_else(|| {
                self.profiles.iter().position(|p| {
                    p.profile
                        .email
                        .as_deref()
                        .is_some_and(|e| e.eq_ignore_ascii_case(id))
                })
            })
    }
}

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/website/{website_id}/people/stats",
            get(get_people_statistics),
        )
        .route(
            "/website/{website_id}/people/suggest/segments/{page_number}",
            get(list_people_segments),
        )
        .route(
            "/website/{website_id}/people/profiles/{page_number}",
            get(list_people_profiles),
        )
        .route(
            "/website/{website_id}/people/profile",
            post(add_new_people_profile),
        )
        // GET also answers HEAD (check_people_profile_exists); the body is dropped.
        .route(
            "/website/{website_id}/people/profile/{people_id}",
            get(get_people_profile)
                .put(save_people_profile)
                .patch(update_people_profile)
                .delete(remove_people_profile),
        )
        .route(
            "/website/{website_id}/people/conversations/{people_id}/list/{page_number}",
            get(list_people_conversations),
        )
        .route(
            "/website/{website_id}/people/events/{people_id}",
            post(add_people_event),
        )
        .route(
            "/website/{website_id}/people/events/{people_id}/list/{page_number}",
            get(list_people_events),
        )
        .route(
            "/website/{website_id}/people/data/{people_id}",
            get(get_people_data)
                .put(save_people_data)
                .patch(update_people_data),
        )
        .route(
            "/website/{website_id}/people/subscription/{people_id}",
            get(get_people_subscription_status).patch(update_people_subscription_status),
        )
}

/// The page size of people lists.
const PAGE: usize = 20;

/// Items of page `page_number` (from 1) of `per_page` items.
fn page<T>(items: impl IntoIterator<Item = T>, page_number: usize, per_page: usize) -> Vec<T> {
    if page_number == 0 {
        return Vec::new();
    }
    items
        .into_iter()
        .skip((page_number - 1) * per_page)
        .take(per_page)
        .collect()
}

fn missing() -> Answer {
    not_found("people profile")
}

/// The person `people_id` (a profile id or an email) of a website, or 404.
fn person<'a>(
    store: &'a mut Store,
    website_id: &str,
    people_id: &str,
) -> Result<&'a mut Person, Answer> {
    store
        .website(website_id)
        .people
        .find_mut(people_id)
        .ok_or_else(missing)
}

/// Merges `patch` into `target`: objects key by key, anything else replaced.
fn merge(target: &mut Value, patch: Value) {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            for (k, v) in p {
                merge(t.entry(k).or_insert(Value::Null), v);
            }
        }
        (t, p) => *t = p,
    }
}

fn activity(last: Option<i64>) -> Option<Activity> {
    last.map(|last| Activity {
        now: Some(false),
        last: Some(last),
    })
}

async fn get_people_statistics(State(shared): S, Path(website_id): Path<String>) -> Answer {
    let mut store = shared.store.lock().unwrap();
    let total = store.website(&website_id).people.profiles.len() as i64;
    ok("resolved", PeopleStatistics { total })
}

async fn list_people_segments(
    State(shared): S,
    Path((website_id, page_number)): Path<(String, usize)>,
) -> Answer {
    let mut store = shared.store.lock().unwrap();
    let mut counts: BTreeMap<String, i64> = BTreeMap::new();
    for person in &store.website(&website_id).people.profiles {
        for segment in &person.profile.segments {
            *counts.entry(segment.clone()).or_default() += 1;
        }
    }
    let mut segments: Vec<PeopleSegment> = counts
        .into_iter()
        .map(|(segment, count)| PeopleSegment { segment, count })
        .collect();
    // Most used first; the BTreeMap already ordered equal counts by name.
    segments.sort_by_key(|s| std::cmp::Reverse(s.count));
    ok("listed", page(segments, page_number, PAGE))
}

#[derive(Deserialize)]
struct ProfilesQuery {
    per_page: Option<usize>,
    sort_field: Option<String>,
    sort_order: Option<String>,
    search_operator: Option<String>,
    search_filter: Option<String>,
    search_text: Option<String>,
    #[allow(dead_code)]
    filter_date_start: Option<String>,
    #[allow(dead_code)]
    filter_date_end: Option<String>,
}

/// Whether `filter` holds for `profile`; `None` when the mock does not apply it.
fn filter_holds(filter: &PeopleFilter, profile: &PeopleProfile) -> Option<bool> {
    let values: Vec<&str> = match filter.criterion.as_str() {
        "email" => profile.email.iter().map(String::as_str).collect(),
        "segments" => profile.segments.iter().map(String::as_str).collect(),
        "person.nickname" => profile
            .person
            .as_ref()
            .and_then(|p| p.nickname.as_deref())
            .into_iter()
            .collect(),
        _ => return None,
    };
    let hit = values
        .iter()
        .any(|v| filter.query.iter().any(|q| q.eq_ignore_ascii_case(v)));
    match filter.operator.as_str() {
        "eq" => Some(hit),
        "neq" => Some(!hit),
        _ => None,
    }
}

async fn list_people_profiles(
    State(shared): S,
    Path((website_id, page_number)): Path<(String, usize)>,
    Query(query): Query<ProfilesQuery>,
) -> Result<Answer, Answer> {
    let per_page = query.per_page.unwrap_or(PAGE).clamp(1, 50);
    let descending = match query.sort_order.as_deref() {
        None | Some("ascending") => false,
        Some("descending") => true,
        Some(_) => return Err(invalid("sort_order must be ascending or descending")),
    };
    let any = match query.search_operator.as_deref() {
        None | Some("and") => false,
        Some("or") => true,
        Some(_) => return Err(invalid("search_operator must be and or or")),
    };
    let filters: Vec<PeopleFilter> = match query.search_filter.as_deref() {
        None | Some("") => Vec::new(),
        Some(text) => serde_json::from_str(text)
            .map_err(|e| invalid(&format!("search_filter is not a list of filters: {e}")))?,
    };
    let text = query.search_text.as_deref().map(str::to_lowercase);
    let mut store = shared.store.lock().unwrap();
    let mut found: Vec<&PeopleProfile> = store
        .website(&website_id)
        .people
        .profiles
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
            let nickname = p.person.as_ref().and_then(|x| x.nickname.as_deref());
            [p.email.as_deref(), nickname]
                .into_iter()
                .flatten()
                .any(|v| v.to_lowercase().contains(text.as_str()))
        })
        .collect();
    let key = |p: &PeopleProfile| -> (String, i64) {
        match query.sort_field.as_deref() {
            Some("email") => (p.email.clone().unwrap_or_default(), 0),
            Some("nickname") => (
                p.person
                    .as_ref()
                    .and_then(|x| x.nickname.clone())
                    .unwrap_or_default(),
                0,
            ),
            Some("updated_at") => (String::new(), p.updated_at.unwrap_or(0)),
            _ => (String::new(), p.created_at.unwrap_or(0)),
        }
    };
    found.sort_by_key(|p| key(p));
    if descending {
        found.reverse();
    }
    Ok(ok("listed", page(found, page_number, per_page)))
}

async fn add_new_people_profile(
    State(shared): S,
    Path(website_id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Answer, Answer> {
    let card: PeopleProfileCard = body(&headers, &bytes)?;
    let mut store = shared.store.lock().unwrap();
    let people_id = store.uuid();
    let now = store.now();
    let profile = PeopleProfile {
        people_id: people_id.clone(),
        email: Some(card.email),
        person: Some(card.person),
        company: card.company,
        segments: card.segments.unwrap_or_default(),
        notepad: card.notepad,
        active: activity(card.active),
        score: Some(0),
        created_at: Some(now),
        updated_at: Some(now),
    };
    store.website(&website_id).people.profiles.push(Person {
        profile,
        data: Map::new(),
        events: Vec::new(),
        subscribed: true,
    });
    Ok(ok("added", PeopleProfileNew { people_id }))
}

async fn get_people_profile(
    State(shared): S,
    Path((website_id, people_id)): Path<(String, String)>,
) -> Result<Answer, Answer> {
    let mut store = shared.store.lock().unwrap();
    Ok(ok(
        "resolved",
        &person(&mut store, &website_id, &people_id)?.profile,
    ))
}

async fn save_people_profile(
    State(shared): S,
    Path((website_id, people_id)): Path<(String, String)>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Answer, Answer> {
    let card: PeopleProfileCard = body(&headers, &bytes)?;
    let mut store = shared.store.lock().unwrap();
    let now = store.now();
    let person = person(&mut store, &website_id, &people_id)?;
    let old = &person.profile;
    person.profile = PeopleProfile {
        people_id: old.people_id.clone(),
        email: Some(card.email),
        person: Some(card.person),
        company: card.company,
        segments: card.segments.unwrap_or_default(),
        notepad: card.notepad,
        active: activity(card.active),
        score: old.score,
        created_at: old.created_at,
        updated_at: Some(now),
    };
    Ok(ok("updated", json!({})))
}

async fn update_people_profile(
    State(shared): S,
    Path((website_id, people_id)): Path<(String, String)>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Answer, Answer> {
    let update: PeopleProfileUpdate = body(&headers, &bytes)?;
    let mut store = shared.store.lock().unwrap();
    let now = store.now();
    let person = person(&mut store, &website_id, &people_id)?;
    let mut profile = serde_json::to_value(&person.profile).expect("a profile serializes");
    let mut patch = serde_json::to_value(&update).expect("an update serializes");
    if let Some(last) = patch.as_object_mut().and_then(|p| p.remove("active")) {
        patch["active"] = json!({"now": false, "last": last});
    }
    if let Some(segments) = patch.as_object_mut().and_then(|p| p.remove("segments")) {
        // A list is replaced, not merged.
        profile["segments"] = segments;
    }
    merge(&mut profile, patch);
    profile["updated_at"] = json!(now);
    person.profile = serde_json::from_value(profile)
        .map_err(|e| invalid(&format!("the merged profile is invalid: {e}")))?;
    Ok(ok("updated", json!({})))
}

async fn remove_people_profile(
    State(shared): S,
    Path((website_id, people_id)): Path<(String, String)>,
) -> Result<Answer, Answer> {
    let mut store = shared.store.lock().unwrap();
    let people = &mut store.website(&website_id).people;
    let index = people.position(&people_id).ok_or_else(missing)?;
    people.profiles.remove(index);
    Ok(ok("deleted", json!({})))
}

#[derive(Deserialize)]
struct ConversationsQuery {
    filter_unread: Option<String>,
    filter_resolved: Option<String>,
    filter_not_resolved: Option<String>,
}

async fn list_people_conversations(
    State(shared): S,
    Path((website_id, people_id, page_number)): Path<(String, String, usize)>,
    Query(query): Query<ConversationsQuery>,
) -> Result<Answer, Answer> {
    let unread = flag("filter_unread", &query.filter_unread)?;
    let resolved = flag("filter_resolved", &query.filter_resolved)?;
    let not_resolved = flag("filter_not_resolved", &query.filter_not_resolved)?;
    let mut store = shared.store.lock().unwrap();
    let website = store.website(&website_id);
    let profile = &website.people.find(&people_id).ok_or_else(missing)?.profile;
    let mut found: Vec<_> = website
        .conversations
        .values()
        .map(|r| &r.conversation)
        .filter(|c| {
            c.people_id.as_deref() == Some(profile.people_id.as_str())
                || matches!(
                    (c.meta.as_ref().and_then(|m| m.email.as_deref()), profile.email.as_deref()),
                    (Some(a), Some(b)) if a.eq_ignore_ascii_case(b)
                )
        })
        .filter(|c| !unread || c.unread.as_ref().and_then(|u| u.operator).unwrap_or(0) > 0)
        .filter(|c| !resolved || c.state.as_deref() == Some("resolved"))
        .filter(|c| !not_resolved || c.state.as_deref() != Some("resolved"))
        .collect();
    found.sort_by(|a, b| {
        b.updated_at
            .cmp(&a.updated_at)
            .then_with(|| a.session_id.cmp(&b.session_id))
    });
    let ids: Vec<&str> = found.iter().map(|c| c.session_id.as_str()).collect();
    Ok(ok("listed", page(ids, page_number, PAGE)))
}

async fn add_people_event(
    State(shared): S,
    Path((website_id, people_id)): Path<(String, String)>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Answer, Answer> {
    let new: PeopleEventNew = body(&headers, &bytes)?;
    let mut store = shared.store.lock().unwrap();
    let now = store.now();
    let person = person(&mut store, &website_id, &people_id)?;
    person.events.push(PeopleEvent {
        text: new.text,
        data: new.data,
        color: new.color.map(|c| c.to_string()),
        timestamp: Some(now),
    });
    Ok(ok("added", json!({})))
}

async fn list_people_events(
    State(shared): S,
    Path((website_id, people_id, page_number)): Path<(String, String, usize)>,
) -> Result<Answer, Answer> {
    let mut store = shared.store.lock().unwrap();
    let person = person(&mut store, &website_id, &people_id)?;
    Ok(ok(
        "listed",
        page(person.events.iter().rev(), page_number, PAGE),
    ))
}

async fn get_people_data(
    State(shared): S,
    Path((website_id, people_id)): Path<(String, String)>,
) -> Result<Answer, Answer> {
    let mut store = shared.store.lock().unwrap();
    let person = person(&mut store, &website_id, &people_id)?;
    Ok(ok(
        "resolved",
        PeopleData {
            data: person.data.clone(),
        },
    ))
}

async fn save_people_data(
    State(shared): S,
    Path((website_id, people_id)): Path<(String, String)>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Answer, Answer> {
    let new: PeopleData = body(&headers, &bytes)?;
    let mut store = shared.store.lock().unwrap();
    let person = person(&mut store, &website_id, &people_id)?;
    person.data = new.data;
    Ok(ok("updated", json!({})))
}

async fn update_people_data(
    State(shared): S,
    Path((website_id, people_id)): Path<(String, String)>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Answer, Answer> {
    let new: PeopleData = body(&headers, &bytes)?;
    let mut store = shared.store.lock().unwrap();
    let person = person(&mut store, &website_id, &people_id)?;
    person.data.extend(new.data);
    Ok(ok("updated", json!({})))
}

async fn get_people_subscription_status(
    State(shared): S,
    Path((website_id, people_id)): Path<(String, String)>,
) -> Result<Answer, Answer> {
    let mut store = shared.store.lock().unwrap();
    let person = person(&mut store, &website_id, &people_id)?;
    Ok(ok(
        "resolved",
        PeopleSubscription {
            email: person.subscribed,
        },
    ))
}

async fn update_people_subscription_status(
    State(shared): S,
    Path((website_id, people_id)): Path<(String, String)>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Answer, Answer> {
    let new: PeopleSubscription = body(&headers, &bytes)?;
    let mut store = shared.store.lock().unwrap();
    let person = person(&mut store, &website_id, &people_id)?;
    person.subscribed = new.email;
    Ok(ok("updated", json!({})))
}
