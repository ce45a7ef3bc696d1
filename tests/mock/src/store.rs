//! The mock's state for the core resources: websites, their conversations (with messages and
//! what hangs off them) and people profiles. Everything else is answered from the spec's
//! examples and keeps no state.
//!
//! State is JSON (`serde_json::Value`) in the shapes the spec gives the answers, so the mock
//! does not depend on the SDK's types. Every change goes through one of a few methods
//! ([`Store::create_conversation`], [`Store::change_conversation`],
//! [`Store::remove_conversation`], [`Store::add_person`], [`Store::change_person`],
//! [`Store::remove_person`], [`Store::seed_website`], [`Store::delete_website`]), and the
//! changes Crisp's realtime API reports are published as [`MockEvent`]s.

use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use tokio::sync::broadcast;

/// The website id of the README's examples, known to every mock from the start.
///
/// ```
/// let store = crisp_mock::Store::new();
/// assert!(store.website(crisp_mock::README_WEBSITE_ID).unwrap().website.is_some());
/// ```
pub const README_WEBSITE_ID: &str = "8c842203-7ed8-4e29-a608-7cf78a7d2fcc";

/// The epoch milliseconds the mock's clock starts at (2023-06-29).
const EPOCH_MS: i64 = 1_688_040_000_000;

/// How many events a slow subscriber may fall behind before it misses some.
const EVENT_BACKLOG: usize = 1024;

/// A change of the mock's state, as Crisp's realtime API names it: the type the RTM endpoint
/// ([`realtime`](crate::realtime)) emits, published by the store on every change. Its
/// `name` is Crisp's RTM event name: `message:send` (from the visitor), `message:received`
/// (from an operator), `message:updated`, `message:compose:send`, `message:compose:receive`,
/// `message:acknowledge:read:send`, `message:acknowledge:read:received`,
/// `message:acknowledge:delivered`, `session:set_state`, `session:set_block`,
/// `session:set_routing`, `session:set_email`, `session:set_nickname`, … (one per meta
/// given), `session:removed`, `session:request:initiated`, `people:profile:created`,
/// `people:profile:updated`, `people:profile:removed`; its payload has `website_id` (and
/// `session_id` or `people_id`) in it.
///
/// ```no_run
/// # async fn run() {
/// let server = crisp_mock::MockServer::start().await;
/// let mut events = server.subscribe();
/// // ... a client sends a message in a conversation ...
/// let event = events.recv().await.unwrap();
/// assert_eq!(event.name, "message:received");
/// assert_eq!(event.payload["session_id"].as_str().is_some(), true);
/// # }
/// ```
pub use crate::realtime::MockEvent;

/// Events a change publishes: `(name, payload)`; the store adds `website_id` to each payload.
///
/// ```
/// let mut store = crisp_mock::Store::new();
/// let w = crisp_mock::README_WEBSITE_ID;
/// let session = store.create_conversation(w);
/// let mut events = store.subscribe();
/// store.change_conversation(w, &session, |record, _| {
///     record.conversation["topic"] = "Billing".into();
///     let event: crisp_mock::Events = vec![("session:sync:topic", serde_json::json!({"topic": "Billing"}))];
///     ((), event)
/// });
/// assert_eq!(events.try_recv().unwrap().payload["website_id"], w);
/// ```
pub type Events = Vec<(&'static str, Value)>;

/// Everything the mock remembers; a [`MockServer`](crate::MockServer) holds one, reached with
/// [`with_store`](crate::MockServer::with_store).
///
/// ```
/// let mut store = crisp_mock::Store::new();
/// let w = crisp_mock::README_WEBSITE_ID;
/// let sessions = store.seed_conversations(w, 2);
/// assert_eq!(store.website(w).unwrap().conversations.len(), 2);
/// assert!(store.conversation(w, &sessions[1]).is_some());
/// ```
#[derive(Debug)]
pub struct Store {
    websites: BTreeMap<String, Website>,
    clock: i64,
    ids: u64,
    events: broadcast::Sender<MockEvent>,
    socket_url: Option<String>,
    /// Paths that a DELETE without a stateful handler removed (see [`Store::is_removed`]).
    removed: BTreeSet<String>,
}

/// One website's state.
///
/// ```
/// let mut store = crisp_mock::Store::new();
/// store.seed_website("5a1e-site", "Acme", "acme.com");
/// store.seed_person("5a1e-site", "jane@acme.com", "Jane").unwrap();
/// let website = store.website("5a1e-site").unwrap();
/// assert_eq!(website.people.len(), 1);
/// assert!(!website.deleted);
/// ```
#[derive(Debug, Clone, Default)]
pub struct Website {
    /// What `get_website` answers; `None` for a website nobody created or seeded (its
    /// conversations and people are still served: any website id starts empty).
    pub website: Option<Value>,
    /// Set by `delete_website`: every operation on this website then answers 404.
    pub deleted: bool,
    /// Conversations by session id.
    pub conversations: BTreeMap<String, ConversationRecord>,
    /// People profiles, oldest first.
    pub people: Vec<Person>,
}

/// A conversation and what hangs off it.
///
/// ```
/// let mut store = crisp_mock::Store::new();
/// let w = crisp_mock::README_WEBSITE_ID;
/// let session = store.create_conversation(w);
/// store.seed_message(w, &session, "operator", "Hello!");
/// let record = store.conversation(w, &session).unwrap();
/// assert_eq!(record.messages[0]["content"], "Hello!");
/// assert_eq!(record.conversation["unread"]["visitor"], 1);
/// ```
#[derive(Debug, Clone)]
pub struct ConversationRecord {
    /// What `get_conversation` answers (a `Conversation` of the spec).
    pub conversation: Value,
    /// Messages, oldest first (`Message`s of the spec).
    pub messages: Vec<Value>,
    /// Pages the visitor browsed, oldest first (`list_conversation_pages`); nothing in the
    /// REST API writes them (they come from the visitor's browser): seed them.
    pub pages: Vec<Value>,
    /// Custom events stacked in the conversation, oldest first (`list_conversation_events`);
    /// seed them.
    pub events: Vec<Value>,
    /// Files shared in messages, oldest first (`list_conversation_files`): every `file`
    /// message adds one.
    pub files: Vec<Value>,
    /// Transcripts requested with `request_email_transcript_for_conversation`.
    pub transcripts: Vec<Value>,
    /// Whether `initiate_conversation_with_existing_session` was called.
    pub initiated: bool,
    /// `conversation.created_at` and `conversation.updated_at`, kept by the store after each
    /// change: a list sorts thousands of conversations by them on every page.
    pub(crate) order: (i64, i64),
}

/// One people profile and what hangs off it.
///
/// ```
/// let mut store = crisp_mock::Store::new();
/// let w = crisp_mock::README_WEBSITE_ID;
/// let profile = serde_json::json!({"email": "jane@example.com", "segments": ["vip"]});
/// let id = store.add_person(w, crisp_mock::Person::new(profile)).unwrap();
/// let person = store.person(w, &id).unwrap();
/// assert_eq!(person.email(), Some("jane@example.com"));
/// assert!(person.subscribed);
/// ```
#[derive(Debug, Clone)]
pub struct Person {
    /// What `get_people_profile` answers (a `PeopleProfile` of the spec).
    pub profile: Value,
    /// The custom data (`get_people_data`'s inner map).
    pub data: Map<String, Value>,
    /// Events, oldest first (`PeopleEvent`s).
    pub events: Vec<Value>,
    /// Subscribed to emails (new profiles are).
    pub subscribed: bool,
}

impl Person {
    /// A profile as `add_new_people_profile` would create it, from its `PeopleProfile`
    /// fields (`people_id` and the dates are set by [`Store::add_person`]); subscribed, with
    /// no data and no events.
    pub fn new(profile: Value) -> Person {
        Person {
            profile,
            data: Map::new(),
            events: Vec::new(),
            subscribed: true,
        }
    }

    /// Its `people_id`.
    pub fn id(&self) -> &str {
        self.profile["people_id"].as_str().unwrap_or_default()
    }

    /// Its email, if any.
    pub fn email(&self) -> Option<&str> {
        self.profile["email"].as_str()
    }
}

/// Why [`Store::add_person`] refused a profile.
///
/// ```
/// let mut store = crisp_mock::Store::new();
/// let w = crisp_mock::README_WEBSITE_ID;
/// store.seed_person(w, "jane@example.com", "Jane").unwrap();
/// let again = crisp_mock::Person::new(serde_json::json!({"email": "jane@example.com"}));
/// assert_eq!(store.add_person(w, again), Err(crisp_mock::PersonRefused::EmailTaken));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PersonRefused {
    /// The website has a profile with this email already (Crisp's `people_exists`).
    EmailTaken,
    /// The website was deleted.
    WebsiteDeleted,
}

impl Default for Store {
    fn default() -> Self {
        Store::new()
    }
}

impl Store {
    /// A store that knows the README's website ([`README_WEBSITE_ID`]) and nothing else.
    ///
    /// ```
    /// let store = crisp_mock::Store::new();
    /// let website = store.website(crisp_mock::README_WEBSITE_ID).unwrap();
    /// assert_eq!(website.website.as_ref().unwrap()["name"], "Crisp");
    /// ```
    pub fn new() -> Store {
        let (events, _) = broadcast::channel(EVENT_BACKLOG);
        let mut store = Store {
            websites: BTreeMap::new(),
            clock: 0,
            ids: 0,
            events,
            socket_url: None,
            removed: BTreeSet::new(),
        };
        store.seed_website(README_WEBSITE_ID, "Crisp", "crisp.chat");
        store
    }

    /// Whether `path` (below `/v1`) was removed by a DELETE of an operation that has no
    /// stateful handler (an example-served resource), or lies below such a path: the engine
    /// then answers 404, as Crisp does for a resource that is gone.
    ///
    /// ```
    /// let mut store = crisp_mock::Store::new();
    /// store.remove_path("/website/w/helpdesk/locale/fr");
    /// assert!(store.is_removed("/website/w/helpdesk/locale/fr"));
    /// assert!(store.is_removed("/website/w/helpdesk/locale/fr/articles/1"));
    /// assert!(!store.is_removed("/website/w/helpdesk/locale/de"));
    /// store.restore_paths("/website/w/helpdesk/locale", &serde_json::json!({"locale": "fr"}));
    /// assert!(!store.is_removed("/website/w/helpdesk/locale/fr"));
    /// ```
    pub fn is_removed(&self, path: &str) -> bool {
        // Most mocks never delete: no path to rewrite then.
        if self.removed.is_empty() {
            return false;
        }
        let path = canonical_path(path);
        self.removed.iter().any(|removed| {
            path == *removed
                || path
                    .strip_prefix(removed.as_str())
                    .is_some_and(|rest| rest.starts_with('/'))
        })
    }

    /// Records that a DELETE removed `path`.
    pub fn remove_path(&mut self, path: &str) {
        self.removed.insert(canonical_path(path));
    }

    /// A write to `path` (POST, PUT or PATCH) makes again what it names: `path` itself, and
    /// `path/{value}` for each top-level string of `body` (a POST to a collection names the
    /// new item in its body: `{"locale": "fr"}` to `…/helpdesk/locale`).
    pub fn restore_paths(&mut self, path: &str, body: &Value) {
        if self.removed.is_empty() {
            return;
        }
        let path = canonical_path(path);
        if let Some(fields) = body.as_object() {
            for value in fields.values().filter_map(Value::as_str) {
                self.removed
                    .remove(&format!("{path}/{}", encode_segment(value)));
            }
        }
        self.removed.remove(&path);
    }

    /// The URL of the RTM endpoint the `connect/endpoints` operations answer with (set by
    /// [`MockServer`](crate::MockServer) once it is listening).
    pub fn set_socket_url(&mut self, url: impl Into<String>) {
        self.socket_url = Some(url.into());
    }

    /// The URL of the RTM endpoint, if the store belongs to a running mock.
    pub fn socket_url(&self) -> Option<&str> {
        self.socket_url.as_deref()
    }

    /// The channel the changes are published on (for the RTM endpoint).
    pub(crate) fn sender(&self) -> broadcast::Sender<MockEvent> {
        self.events.clone()
    }

    /// Subscribes to the changes from now on.
    ///
    /// ```
    /// let mut store = crisp_mock::Store::new();
    /// let mut events = store.subscribe();
    /// store.seed_person(crisp_mock::README_WEBSITE_ID, "jane@example.com", "Jane").unwrap();
    /// assert_eq!(events.try_recv().unwrap().name, "people:profile:created");
    /// ```
    pub fn subscribe(&self) -> broadcast::Receiver<MockEvent> {
        self.events.subscribe()
    }

    /// A strictly increasing timestamp in epoch milliseconds (from 2023-06-29, so that
    /// answers are reproducible).
    ///
    /// ```
    /// let mut store = crisp_mock::Store::new();
    /// let (a, b) = (store.now(), store.now());
    /// assert!(b > a);
    /// ```
    pub fn now(&mut self) -> i64 {
        self.clock += 1;
        EPOCH_MS + self.clock
    }

    /// A fresh UUID-shaped id (deterministic).
    ///
    /// ```
    /// let mut store = crisp_mock::Store::new();
    /// assert_ne!(store.uuid(), store.uuid());
    /// ```
    pub fn uuid(&mut self) -> String {
        self.ids += 1;
        format!("{:08x}-0000-4000-8000-{:012x}", self.ids as u32, self.ids)
    }

    // ---- reading --------------------------------------------------------------------------

    /// A website's state, if anything was stored for it.
    ///
    /// ```
    /// let store = crisp_mock::Store::new();
    /// assert!(store.website("00000000-unknown").is_none());
    /// ```
    pub fn website(&self, website_id: &str) -> Option<&Website> {
        self.websites.get(website_id)
    }

    /// A conversation, if it exists.
    ///
    /// ```
    /// let mut store = crisp_mock::Store::new();
    /// let w = crisp_mock::README_WEBSITE_ID;
    /// let session = store.create_conversation(w);
    /// assert_eq!(store.conversation(w, &session).unwrap().conversation["state"], "pending");
    /// assert!(store.conversation(w, "session_unknown").is_none());
    /// ```
    pub fn conversation(&self, website_id: &str, session_id: &str) -> Option<&ConversationRecord> {
        self.website(website_id)?.conversations.get(session_id)
    }

    /// The person whose `people_id` is `id`, or else the oldest whose email is `id`
    /// (compared without case).
    ///
    /// ```
    /// let mut store = crisp_mock::Store::new();
    /// let w = crisp_mock::README_WEBSITE_ID;
    /// let id = store.seed_person(w, "Jane@Example.com", "Jane").unwrap();
    /// assert_eq!(store.person(w, "jane@example.com").unwrap().id(), id);
    /// ```
    pub fn person(&self, website_id: &str, id: &str) -> Option<&Person> {
        let people = &self.website(website_id)?.people;
        position(people, id).map(|i| &people[i])
    }

    // ---- websites -------------------------------------------------------------------------

    /// Makes the website exist (as `create_website` would), with an empty logo; a deleted
    /// website comes back, empty.
    ///
    /// ```
    /// let mut store = crisp_mock::Store::new();
    /// store.seed_website("5a1e-site", "Acme", "acme.com");
    /// assert_eq!(store.website("5a1e-site").unwrap().website.as_ref().unwrap()["domain"], "acme.com");
    /// ```
    pub fn seed_website(&mut self, website_id: &str, name: &str, domain: &str) {
        let website = self.websites.entry(website_id.to_string()).or_default();
        if website.deleted {
            *website = Website::default();
        }
        website.website = Some(json!({
            "website_id": website_id,
            "name": name,
            "domain": domain,
            "logo": "",
        }));
    }

    /// Deletes a website that exists: every operation on it then answers 404. `false` when
    /// there was no such website.
    ///
    /// ```
    /// let mut store = crisp_mock::Store::new();
    /// assert!(store.delete_website(crisp_mock::README_WEBSITE_ID));
    /// assert!(!store.delete_website(crisp_mock::README_WEBSITE_ID), "already gone");
    /// ```
    pub fn delete_website(&mut self, website_id: &str) -> bool {
        match self.websites.get_mut(website_id) {
            Some(website) if website.website.is_some() && !website.deleted => {
                *website = Website {
                    deleted: true,
                    ..Website::default()
                };
                true
            }
            _ => false,
        }
    }

    /// The website, created empty if unknown; `None` if it was deleted.
    fn live_website(&mut self, website_id: &str) -> Option<&mut Website> {
        let website = self.websites.entry(website_id.to_string()).or_default();
        (!website.deleted).then_some(website)
    }

    // ---- conversations --------------------------------------------------------------------

    /// Creates an empty conversation (as `create_new_conversation` does) and returns its
    /// session id.
    ///
    /// A conversation without messages is listed only with `include_empty=1`, as in Crisp;
    /// [`seed_conversations`](Self::seed_conversations) makes conversations with a message.
    ///
    /// # Panics
    ///
    /// If the website was deleted (the REST API answers 404 before this runs);
    /// [`seed_website`](Self::seed_website) brings a deleted website back.
    ///
    /// ```
    /// let mut store = crisp_mock::Store::new();
    /// let session = store.create_conversation(crisp_mock::README_WEBSITE_ID);
    /// assert!(session.starts_with("session_"));
    /// ```
    pub fn create_conversation(&mut self, website_id: &str) -> String {
        let session_id = format!("session_{}", self.uuid());
        let now = self.now();
        let conversation = json!({
            "session_id": session_id,
            "website_id": website_id,
            "state": "pending",
            "status": 0,
            "is_verified": false,
            "is_blocked": false,
            "availability": "offline",
            "unread": {"operator": 0, "visitor": 0},
            "meta": {"nickname": "visitor", "segments": [], "data": {}},
            "participants": [],
            "mentions": [],
            "created_at": now,
            "updated_at": now,
        });
        let website = self
            .live_website(website_id)
            .unwrap_or_else(|| panic!("website {website_id} was deleted"));
        website.conversations.insert(
            session_id.clone(),
            ConversationRecord {
                conversation,
                messages: Vec::new(),
                pages: Vec::new(),
                events: Vec::new(),
                files: Vec::new(),
                transcripts: Vec::new(),
                initiated: false,
                order: (now, now),
            },
        );
        session_id
    }

    /// Adds `count` conversations to a website, each with one text message from the visitor
    /// (`"message i"`), oldest first; returns their session ids. For pagination tests and
    /// benchmarks.
    ///
    /// ```
    /// let mut store = crisp_mock::Store::new();
    /// let ids = store.seed_conversations(crisp_mock::README_WEBSITE_ID, 3);
    /// let first = store.conversation(crisp_mock::README_WEBSITE_ID, &ids[0]).unwrap();
    /// assert_eq!(first.messages.len(), 1);
    /// assert_eq!(first.conversation["unread"]["operator"], 1);
    /// ```
    pub fn seed_conversations(&mut self, website_id: &str, count: usize) -> Vec<String> {
        (0..count)
            .map(|i| {
                let session_id = self.create_conversation(website_id);
                self.seed_message(website_id, &session_id, "user", &format!("message {i}"));
                session_id
            })
            .collect()
    }

    /// Adds a text message to a conversation, as `send_message_in_conversation` would (`from`
    /// is `user` or `operator`); returns its fingerprint, `None` if there is no such
    /// conversation.
    ///
    /// ```
    /// let mut store = crisp_mock::Store::new();
    /// let w = crisp_mock::README_WEBSITE_ID;
    /// let session = store.create_conversation(w);
    /// store.seed_message(w, &session, "user", "Hello?").unwrap();
    /// assert_eq!(store.conversation(w, &session).unwrap().conversation["last_message"], "Hello?");
    /// ```
    pub fn seed_message(
        &mut self,
        website_id: &str,
        session_id: &str,
        from: &str,
        text: &str,
    ) -> Option<i64> {
        let message = json!({"type": "text", "from": from, "origin": "chat", "content": text});
        self.change_conversation(website_id, session_id, |record, now| {
            let fingerprint = record.push_message(website_id, session_id, &message, now);
            let event = record
                .messages
                .last()
                .cloned()
                .map(|m| (message_event(from), m));
            (fingerprint, event.into_iter().collect())
        })
    }

    /// Runs `change` on a conversation with the store's clock (a fresh timestamp), then
    /// publishes the events it returns. `None` (and nothing runs) if there is no such
    /// conversation.
    ///
    /// ```
    /// let mut store = crisp_mock::Store::new();
    /// let w = crisp_mock::README_WEBSITE_ID;
    /// let session = store.create_conversation(w);
    /// store.change_conversation(w, &session, |record, _now| {
    ///     record.pages.push(serde_json::json!({
    ///         "page_title": "Pricing", "page_url": "https://example.com/pricing",
    ///         "timestamp": 1688040050000_i64
    ///     }));
    ///     ((), Vec::new())
    /// });
    /// assert_eq!(store.conversation(w, &session).unwrap().pages.len(), 1);
    /// ```
    pub fn change_conversation<R>(
        &mut self,
        website_id: &str,
        session_id: &str,
        change: impl FnOnce(&mut ConversationRecord, i64) -> (R, Events),
    ) -> Option<R> {
        let now = self.now();
        let record = self
            .live_website(website_id)?
            .conversations
            .get_mut(session_id)?;
        let (result, events) = change(record, now);
        let at = |field: &str| record.conversation[field].as_i64().unwrap_or(0);
        record.order = (at("created_at"), at("updated_at"));
        self.publish(website_id, events);
        Some(result)
    }

    /// Removes a conversation (`session:removed`); `false` if there was none.
    ///
    /// ```
    /// let mut store = crisp_mock::Store::new();
    /// let w = crisp_mock::README_WEBSITE_ID;
    /// let session = store.create_conversation(w);
    /// assert!(store.remove_conversation(w, &session));
    /// assert!(!store.remove_conversation(w, &session));
    /// ```
    pub fn remove_conversation(&mut self, website_id: &str, session_id: &str) -> bool {
        let removed = self
            .live_website(website_id)
            .and_then(|w| w.conversations.remove(session_id))
            .is_some();
        if removed {
            let payload = json!({"session_id": session_id});
            self.publish(website_id, vec![("session:removed", payload)]);
        }
        removed
    }

    // ---- people ---------------------------------------------------------------------------

    /// Adds a profile (`people:profile:created`): sets its `people_id`, `score` and dates,
    /// and answers the `people_id`. Refused when the website has a profile with the same
    /// email (compared without case), as Crisp refuses it (409 `people_exists`).
    ///
    /// ```
    /// let mut store = crisp_mock::Store::new();
    /// let w = crisp_mock::README_WEBSITE_ID;
    /// let profile = serde_json::json!({"email": "jane@example.com", "person": {"nickname": "Jane"}});
    /// let id = store.add_person(w, crisp_mock::Person::new(profile)).unwrap();
    /// assert_eq!(store.person(w, &id).unwrap().profile["score"], 0);
    /// ```
    pub fn add_person(
        &mut self,
        website_id: &str,
        mut person: Person,
    ) -> Result<String, PersonRefused> {
        let people_id = self.uuid();
        let now = self.now();
        let website = self
            .live_website(website_id)
            .ok_or(PersonRefused::WebsiteDeleted)?;
        if let Some(email) = person.email() {
            if website
                .people
                .iter()
                .any(|p| p.email().is_some_and(|e| e.eq_ignore_ascii_case(email)))
            {
                return Err(PersonRefused::EmailTaken);
            }
        }
        person.profile["people_id"] = json!(people_id);
        person.profile["created_at"] = json!(now);
        person.profile["updated_at"] = json!(now);
        if person.profile.get("score").is_none() {
            person.profile["score"] = json!(0);
        }
        let payload = json!({
            "people_id": people_id,
            "email": person.profile["email"],
        });
        website.people.push(person);
        self.publish(website_id, vec![("people:profile:created", payload)]);
        Ok(people_id)
    }

    /// Adds a profile with this email and nickname; answers its `people_id`.
    ///
    /// ```
    /// let mut store = crisp_mock::Store::new();
    /// let w = crisp_mock::README_WEBSITE_ID;
    /// store.seed_person(w, "jane@example.com", "Jane").unwrap();
    /// assert_eq!(
    ///     store.seed_person(w, "JANE@example.com", "Jane again"),
    ///     Err(crisp_mock::PersonRefused::EmailTaken)
    /// );
    /// ```
    pub fn seed_person(
        &mut self,
        website_id: &str,
        email: &str,
        nickname: &str,
    ) -> Result<String, PersonRefused> {
        let profile = json!({
            "email": email,
            "person": {"nickname": nickname},
            "segments": [],
        });
        self.add_person(website_id, Person::new(profile))
    }

    /// Runs `change` on a person (found as [`person`](Self::person) finds it) with a fresh
    /// timestamp, then publishes the events it returns. `None` if there is no such person.
    ///
    /// ```
    /// let mut store = crisp_mock::Store::new();
    /// let w = crisp_mock::README_WEBSITE_ID;
    /// let id = store.seed_person(w, "jane@example.com", "Jane").unwrap();
    /// store.change_person(w, "jane@example.com", |person, _now| {
    ///     person.data.insert("plan".into(), "unlimited".into());
    ///     ((), Vec::new())
    /// });
    /// assert_eq!(store.person(w, &id).unwrap().data["plan"], "unlimited");
    /// ```
    pub fn change_person<R>(
        &mut self,
        website_id: &str,
        id: &str,
        change: impl FnOnce(&mut Person, i64) -> (R, Events),
    ) -> Option<R> {
        let now = self.now();
        let people = &mut self.live_website(website_id)?.people;
        let index = position(people, id)?;
        let (result, events) = change(&mut people[index], now);
        self.publish(website_id, events);
        Some(result)
    }

    /// Removes a person (`people:profile:removed`); `false` if there was none.
    ///
    /// ```
    /// let mut store = crisp_mock::Store::new();
    /// let w = crisp_mock::README_WEBSITE_ID;
    /// store.seed_person(w, "jane@example.com", "Jane").unwrap();
    /// assert!(store.remove_person(w, "jane@example.com"));
    /// assert!(store.person(w, "jane@example.com").is_none());
    /// ```
    pub fn remove_person(&mut self, website_id: &str, id: &str) -> bool {
        let Some(people) = self.live_website(website_id).map(|w| &mut w.people) else {
            return false;
        };
        let Some(index) = position(people, id) else {
            return false;
        };
        let person = people.remove(index);
        let payload = json!({"people_id": person.id()});
        self.publish(website_id, vec![("people:profile:removed", payload)]);
        true
    }

    /// Sends `events` to the subscribers, with `website_id` in each payload.
    fn publish(&self, website_id: &str, events: Events) {
        for (name, mut payload) in events {
            if let Value::Object(map) = &mut payload {
                map.insert("website_id".into(), json!(website_id));
            }
            // No subscriber is not an error: nothing listens to most mocks.
            let _ = self.events.send(MockEvent {
                website_id: website_id.to_string(),
                name: name.to_string(),
                payload,
            });
        }
    }
}

impl ConversationRecord {
    /// Stores a message given as `send_message_in_conversation`'s body (`MessageNew`) and
    /// updates the conversation as Crisp does (last message, waiting time, unread counts,
    /// files); answers its fingerprint. Nothing checks the message: a test can store one of a
    /// type the spec does not know yet, as Crisp may send.
    ///
    /// ```
    /// let mut store = crisp_mock::Store::new();
    /// let w = crisp_mock::README_WEBSITE_ID;
    /// let session = store.create_conversation(w);
    /// let message = serde_json::json!({"type": "hologram", "from": "user", "content": {"beam": 1}});
    /// store.change_conversation(w, &session, |record, now| {
    ///     (record.push_message(w, &session, &message, now), Vec::new())
    /// });
    /// ```
    pub fn push_message(
        &mut self,
        website_id: &str,
        session_id: &str,
        new: &Value,
        now: i64,
    ) -> i64 {
        let fingerprint = new["fingerprint"].as_i64().unwrap_or(now * 1000 + 7);
        let timestamp = new["timestamp"].as_i64().unwrap_or(now);
        let mut message = new.clone();
        message["session_id"] = json!(session_id);
        message["website_id"] = json!(website_id);
        message["fingerprint"] = json!(fingerprint);
        message["timestamp"] = json!(timestamp);
        let from = new["from"].as_str().unwrap_or("user");
        if new["type"] == "file" {
            if let Some(file) = new["content"].as_object() {
                self.files.push(json!({
                    "name": file.get("name"),
                    "type": file.get("type"),
                    "url": file.get("url"),
                    "fingerprint": fingerprint,
                    "timestamp": timestamp,
                }));
            }
        }
        let c = &mut self.conversation;
        c["updated_at"] = json!(now);
        if let Some(text) = new["content"].as_str() {
            c["last_message"] = json!(text);
        }
        if from == "user" {
            if c["waiting_since"].is_null() {
                c["waiting_since"] = json!(now);
            }
        } else if let Some(map) = c.as_object_mut() {
            map.remove("waiting_since");
        }
        self.messages.push(message);
        self.refresh_unread();
        fingerprint
    }

    /// Recomputes the unread counts from the messages: `operator` counts the visitor's
    /// messages no operator has read, `visitor` the operators' (notes excluded) the visitor
    /// has not read.
    pub(crate) fn refresh_unread(&mut self) {
        let count = |from: &str| {
            self.messages
                .iter()
                .filter(|m| m["from"] == from && m["read"].is_null() && m["type"] != "note")
                .count()
        };
        let unread = json!({"operator": count("user"), "visitor": count("operator")});
        self.conversation["unread"] = unread;
    }
}

/// The event of a new message: `message:send` when the visitor sends it, `message:received`
/// when an operator does (what the visitor receives), as Crisp's RTM API names them.
pub(crate) fn message_event(from: &str) -> &'static str {
    if from == "user" {
        "message:send"
    } else {
        "message:received"
    }
}

fn position(people: &[Person], id: &str) -> Option<usize> {
    people.iter().position(|p| p.id() == id).or_else(|| {
        people
            .iter()
            .position(|p| p.email().is_some_and(|e| e.eq_ignore_ascii_case(id)))
    })
}

/// A request path with every segment percent-decoded and encoded again one way (only
/// RFC 3986's unreserved characters left as they are), so that two clients' spellings of one
/// path compare equal.
fn canonical_path(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            let decoded = percent_encoding::percent_decode_str(segment).decode_utf8_lossy();
            encode_segment(&decoded)
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn encode_segment(value: &str) -> String {
    const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(value, SEGMENT).to_string()
}
