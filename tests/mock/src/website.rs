//! Website, batch, availability, operator, settings, visitor and bucket routes.
//!
//! A website exists for `get_website` / `delete_website` once it was created
//! (`POST /website`) or seeded ([`Site::seed_website`]); the other routes accept any website
//! id, like the rest of the mock. Once deleted, every route of this module answers 404 for
//! that website.

use crate::http::{body, fail, invalid, not_found, ok, Answer};
use crate::store::Website as WebsiteRecord;
use crate::Shared;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, patch, post};
use axum::Router;
use crisp_api::types::{
    BatchConversations, BatchPeople, BatchRemove, BucketUrlRequest, Visitor, VisitorCount,
    VisitorSession, Website, WebsiteAvailabilityStatus, WebsiteNew, WebsiteOperatorLastActive,
    WebsiteOperatorMember, WebsiteRemove, WebsiteSettings, WebsiteSettingsUpdate,
};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

type S = State<Arc<Shared>>;

/// Visitors per page of `list_visitors`.
pub const VISITORS_PER_PAGE: usize = 20;

/// This part of a website's state.
#[derive(Debug, Clone)]
pub struct Site {
    /// The website itself; `None` until created or seeded (then `get_website` answers 404).
    pub website: Option<Website>,
    /// Set by `delete_website`: every route of this module then answers 404.
    pub deleted: bool,
    /// The settings (`website_id` is filled in when answering; name, domain and logo follow
    /// the website).
    pub settings: WebsiteSettings,
    /// What `list_website_operators` answers.
    pub operators: Vec<WebsiteOperatorMember>,
    /// What `list_last_active_website_operators` answers, most recent first.
    pub last_active: Vec<WebsiteOperatorLastActive>,
    /// What `get_website_availability_status` answers; follows the operators' availability.
    pub availability: WebsiteAvailabilityStatus,
    /// The visitors on the website now.
    pub visitors: Vec<Visitor>,
    /// What `count_visitors` answers as `limited`.
    pub visitors_limited: bool,
    /// Chatbox tokens → session ids, for `get_session_id_by_token`.
    pub tokens: BTreeMap<String, String>,
    /// People-variant bodies of `batch_remove_items` (people profiles live in the people
    /// module; this records what was asked).
    pub people_removals: Vec<BatchPeople>,
}

impl Default for Site {
    fn default() -> Self {
        let settings = serde_json::from_value(json!({
            "audit": {"log": false},
            "contact": {},
            "inbox": {"lock_removal": false, "force_operator_token": false},
            "emails": {"rating": true, "transcript": true, "enrich": false, "junk_filter": true},
            "chatbox": {
                "tile": "default", "wait_game": true, "last_operator_face": true,
                "ongoing_operator_face": true, "activity_metrics": true, "hide_on_mobile": false,
                "file_transfer": true, "helpdesk_link": true, "color_theme": "default",
                "text_theme": "default", "welcome_message": "default",
                "allowed_pages": [], "blocked_pages": [], "blocked_countries": [],
                "blocked_locales": [], "blocked_ips": []
            }
        }))
        .expect("valid default settings");
        Self {
            website: None,
            deleted: false,
            settings,
            operators: Vec::new(),
            last_active: Vec::new(),
            availability: WebsiteAvailabilityStatus {
                status: "away".into(),
                since: None,
            },
            visitors: Vec::new(),
            visitors_limited: false,
            tokens: BTreeMap::new(),
            people_removals: Vec::new(),
        }
    }
}

impl Site {
    /// Makes the website exist (as `create_website` would), with an empty logo.
    pub fn seed_website(&mut self, website_id: &str, name: &str, domain: &str) {
        self.website = Some(Website {
            website_id: website_id.into(),
            name: name.into(),
            domain: domain.into(),
            logo: Some(String::new()),
            verified: None,
            institutional: None,
        });
        self.deleted = false;
        self.sync_settings_from_website();
    }

    /// Sets the operators. The availability status becomes `online` when one of them is
    /// `online`, `away` otherwise; `since` becomes `at` when the status changes.
    pub fn seed_operators(&mut self, operators: Vec<WebsiteOperatorMember>, at: i64) {
        self.operators = operators;
        let online = self
            .operators
            .iter()
            .any(|o| o.details.availability.as_deref() == Some("online"));
        let status = if online { "online" } else { "away" };
        if self.availability.status != status || self.availability.since.is_none() {
            self.availability = WebsiteAvailabilityStatus {
                status: status.into(),
                since: Some(at),
            };
        }
    }

    /// Records that an operator replied at `timestamp`: they move to the front of the
    /// last-active list.
    pub fn seed_last_active(&mut self, operator: WebsiteOperatorLastActive) {
        self.last_active.retain(|o| o.user_id != operator.user_id);
        self.last_active.insert(0, operator);
    }

    /// Sets the visitors on the website.
    pub fn seed_visitors(&mut self, visitors: Vec<Visitor>) {
        self.visitors = visitors;
    }

    /// Binds a chatbox token to a session.
    pub fn seed_token(&mut self, token_id: &str, session_id: &str) {
        self.tokens.insert(token_id.into(), session_id.into());
    }

    fn sync_settings_from_website(&mut self) {
        if let Some(w) = &self.website {
            self.settings.name = Some(w.name.clone());
            self.settings.domain = Some(w.domain.clone());
            self.settings.logo = w.logo.clone();
        }
    }

    fn sync_website_from_settings(&mut self) {
        if let Some(w) = &mut self.website {
            if let Some(name) = &self.settings.name {
                w.name = name.clone();
            }
            if let Some(domain) = &self.settings.domain {
                w.domain = domain.clone();
            }
            if self.settings.logo.is_some() {
                w.logo = self.settings.logo.clone();
            }
        }
    }
}

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/website", post(create_website))
        .route(
            "/website/{website_id}",
            get(get_website).delete(delete_website),
        )
        .route(
            "/website/{website_id}/batch/resolve",
            patch(batch_resolve_items),
        )
        .route("/website/{website_id}/batch/read", patch(batch_read_items))
        .route(
            "/website/{website_id}/batch/remove",
            patch(batch_remove_items),
        )
        .route(
            "/website/{website_id}/availability/status",
            get(get_website_availability_status),
        )
        .route(
            "/website/{website_id}/operators/list",
            get(list_website_operators),
        )
        .route(
            "/website/{website_id}/operators/active",
            get(list_last_active_website_operators),
        )
        .route(
            "/website/{website_id}/settings",
            get(get_website_settings).patch(update_website_settings),
        )
        .route("/website/{website_id}/visitors/count", get(count_visitors))
        .route(
            "/website/{website_id}/visitors/list/{page_number}",
            get(list_visitors),
        )
        .route(
            "/website/{website_id}/visitors/token/{token_id}",
            get(get_session_id_by_token),
        )
        .route("/bucket/url/generate", post(generate_bucket_url))
}

/// Routes the seed marks `[user]` refuse plugin tokens, as Crisp does (403).
fn require_user_tier(headers: &HeaderMap) -> Result<(), Answer> {
    match headers.get("x-crisp-tier").and_then(|v| v.to_str().ok()) {
        Some("user") => Ok(()),
        _ => Err(fail(
            StatusCode::FORBIDDEN,
            "not_allowed",
            "this route needs a user token",
        )),
    }
}

/// The website's record, unless it was deleted.
fn live<'a>(
    store: &'a mut crate::Store,
    website_id: &str,
) -> Result<&'a mut WebsiteRecord, Answer> {
    let website = store.website(website_id);
    if website.site.deleted {
        return Err(not_found("website"));
    }
    Ok(website)
}

/// A plausible domain: labels of letters, digits and dashes, at least one dot.
fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels
            .iter()
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
}

async fn create_website(
    State(shared): S,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Answer, Answer> {
    let new: WebsiteNew = body(&headers, &bytes)?;
    if new.name.trim().is_empty() {
        return Err(invalid("data.name must not be empty"));
    }
    if !valid_domain(&new.domain) {
        return Err(invalid("data.domain must be a domain name"));
    }
    let mut store = shared.store.lock().unwrap();
    let website_id = store.uuid();
    let site = &mut store.website(&website_id).site;
    site.seed_website(&website_id, &new.name, &new.domain);
    Ok(ok("added", site.website.as_ref()))
}

async fn get_website(State(shared): S, Path(website_id): Path<String>) -> Result<Answer, Answer> {
    let mut store = shared.store.lock().unwrap();
    let site = &live(&mut store, &website_id)?.site;
    match &site.website {
        Some(website) => Ok(ok("resolved", website)),
        None => Err(not_found("website")),
    }
}

async fn delete_website(
    State(shared): S,
    Path(website_id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Answer, Answer> {
    require_user_tier(&headers)?;
    let remove: WebsiteRemove = body(&headers, &bytes)?;
    if remove.verify.secret.is_empty() {
        return Err(invalid("data.verify.secret must not be empty"));
    }
    let mut store = shared.store.lock().unwrap();
    let site = &mut live(&mut store, &website_id)?.site;
    if site.website.is_none() {
        return Err(not_found("website"));
    }
    site.website = None;
    site.deleted = true;
    Ok(ok("deleted", json!({})))
}

/// The sessions a batch operation acts on: the listed ones (404 if one is unknown), or all
/// of them when none is listed; only those of `inbox_id` when given.
fn batch_targets(
    website: &WebsiteRecord,
    inbox_id: Option<&str>,
    sessions: &[String],
) -> Result<Vec<String>, Answer> {
    if let Some(unknown) = sessions
        .iter()
        .find(|s| !website.conversations.contains_key(*s))
    {
        return Err(not_found(&format!("conversation {unknown}")));
    }
    let in_inbox = |id: &String| match inbox_id {
        Some(inbox) => website.conversations[id].conversation.inbox_id.as_deref() == Some(inbox),
        None => true,
    };
    let listed: Vec<String> = if sessions.is_empty() {
        website.conversations.keys().cloned().collect()
    } else {
        sessions.to_vec()
    };
    Ok(listed.into_iter().filter(in_inbox).collect())
}

async fn batch_resolve_items(
    State(shared): S,
    Path(website_id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Answer, Answer> {
    require_user_tier(&headers)?;
    let batch: BatchConversations = body(&headers, &bytes)?;
    let mut store = shared.store.lock().unwrap();
    let now = store.now();
    let website = live(&mut store, &website_id)?;
    for id in batch_targets(website, batch.inbox_id.as_deref(), &batch.sessions)? {
        let c = &mut website
            .conversations
            .get_mut(&id)
            .expect("target")
            .conversation;
        c.state = Some("resolved".into());
        c.updated_at = Some(now);
    }
    Ok(ok("updated", json!({})))
}

async fn batch_read_items(
    State(shared): S,
    Path(website_id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Answer, Answer> {
    require_user_tier(&headers)?;
    let batch: BatchConversations = body(&headers, &bytes)?;
    let mut store = shared.store.lock().unwrap();
    let website = live(&mut store, &website_id)?;
    for id in batch_targets(website, batch.inbox_id.as_deref(), &batch.sessions)? {
        let c = &mut website
            .conversations
            .get_mut(&id)
            .expect("target")
            .conversation;
        // Read by the operators: what they had not read is now read.
        if let Some(unread) = c.unread.as_mut() {
            unread.operator = Some(0);
        }
    }
    Ok(ok("updated", json!({})))
}

async fn batch_remove_items(
    State(shared): S,
    Path(website_id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Answer, Answer> {
    require_user_tier(&headers)?;
    let batch: BatchRemove = body(&headers, &bytes)?;
    if batch.sessions.is_empty() && batch.people.is_none() {
        return Err(invalid("data.sessions or data.people is required"));
    }
    if !batch.sessions.is_empty() && batch.people.is_some() {
        return Err(invalid("send data.sessions or data.people, not both"));
    }
    let mut store = shared.store.lock().unwrap();
    let website = live(&mut store, &website_id)?;
    if let Some(people) = batch.people {
        website.site.people_removals.push(people);
    } else {
        for id in batch_targets(website, batch.inbox_id.as_deref(), &batch.sessions)? {
            website.conversations.remove(&id);
        }
    }
    Ok(ok("deleted", json!({})))
}

async fn get_website_availability_status(
    State(shared): S,
    Path(website_id): Path<String>,
) -> Result<Answer, Answer> {
    let mut store = shared.store.lock().unwrap();
    let site = &live(&mut store, &website_id)?.site;
    Ok(ok("resolved", &site.availability))
}

async fn list_website_operators(
    State(shared): S,
    Path(website_id): Path<String>,
) -> Result<Answer, Answer> {
    let mut store = shared.store.lock().unwrap();
    let site = &live(&mut store, &website_id)?.site;
    Ok(ok("listed", &site.operators))
}

async fn list_last_active_website_operators(
    State(shared): S,
    Path(website_id): Path<String>,
) -> Result<Answer, Answer> {
    let mut store = shared.store.lock().unwrap();
    let site = &live(&mut store, &website_id)?.site;
    Ok(ok("listed", &site.last_active))
}

async fn get_website_settings(
    State(shared): S,
    Path(website_id): Path<String>,
) -> Result<Answer, Answer> {
    let mut store = shared.store.lock().unwrap();
    let site = &live(&mut store, &website_id)?.site;
    let mut settings = site.settings.clone();
    settings.website_id = Some(website_id);
    Ok(ok("resolved", settings))
}

/// Merges `patch` into `base`: objects key by key, anything else replaced.
fn merge(base: &mut Value, patch: Value) {
    match (base, patch) {
        (Value::Object(base), Value::Object(patch)) => {
            for (key, value) in patch {
                match base.get_mut(&key) {
                    Some(slot) if slot.is_object() && value.is_object() => merge(slot, value),
                    _ => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (base, patch) => *base = patch,
    }
}

async fn update_website_settings(
    State(shared): S,
    Path(website_id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Answer, Answer> {
    let update: WebsiteSettingsUpdate = body(&headers, &bytes)?;
    if let Some(domain) = &update.domain {
        if !valid_domain(domain) {
            return Err(invalid("data.domain must be a domain name"));
        }
    }
    let mut store = shared.store.lock().unwrap();
    let site = &mut live(&mut store, &website_id)?.site;
    let mut merged = serde_json::to_value(&site.settings).expect("settings serialize");
    merge(
        &mut merged,
        serde_json::to_value(&update).expect("update serializes"),
    );
    site.settings = serde_json::from_value(merged).expect("merged settings stay valid");
    site.sync_website_from_settings();
    Ok(ok("updated", json!({})))
}

async fn count_visitors(
    State(shared): S,
    Path(website_id): Path<String>,
) -> Result<Answer, Answer> {
    let mut store = shared.store.lock().unwrap();
    let site = &live(&mut store, &website_id)?.site;
    let count = VisitorCount {
        count: site.visitors.len() as u32,
        active: site
            .visitors
            .iter()
            .filter(|v| v.active == Some(true))
            .count() as u32,
        limited: Some(site.visitors_limited),
    };
    Ok(ok("counted", count))
}

async fn list_visitors(
    State(shared): S,
    Path((website_id, page_number)): Path<(String, usize)>,
) -> Result<Answer, Answer> {
    let mut store = shared.store.lock().unwrap();
    let site = &live(&mut store, &website_id)?.site;
    let page: Vec<&Visitor> = site
        .visitors
        .iter()
        .skip(page_number.saturating_sub(1) * VISITORS_PER_PAGE)
        .take(if page_number == 0 {
            0
        } else {
            VISITORS_PER_PAGE
        })
        .collect();
    Ok(ok("listed", page))
}

async fn get_session_id_by_token(
    State(shared): S,
    Path((website_id, token_id)): Path<(String, String)>,
) -> Result<Answer, Answer> {
    let mut store = shared.store.lock().unwrap();
    let site = &live(&mut store, &website_id)?.site;
    match site.tokens.get(&token_id) {
        Some(session_id) => Ok(ok(
            "resolved",
            VisitorSession {
                session_id: session_id.clone(),
            },
        )),
        None => Err(not_found("session")),
    }
}

async fn generate_bucket_url(headers: HeaderMap, bytes: Bytes) -> Result<Answer, Answer> {
    let request: BucketUrlRequest = body(&headers, &bytes)?;
    if request.id.is_empty() {
        return Err(invalid("data.id must not be empty"));
    }
    if request.file.name.is_empty() {
        return Err(invalid("data.file.name must not be empty"));
    }
    let mime = request.file.type_.split_once('/');
    if !matches!(mime, Some((a, b)) if !a.is_empty() && !b.is_empty()) {
        return Err(invalid("data.file.type must be a MIME type"));
    }
    if let Some(resource) = &request.resource {
        if resource.type_.is_empty() || resource.id.is_empty() {
            return Err(invalid("data.resource needs a type and an id"));
        }
    }
    // Crisp answers at once without a URL; the signed URL comes later as the event
    // `bucket:url:<namespace>:generated`, which this mock does not emit.
    Ok(ok("requested", json!({})))
}
