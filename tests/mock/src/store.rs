//! The mock's state: websites and their conversations, messages, people, settings.

use crisp_api::types::{Conversation, Message};
use serde_json::json;
use std::collections::BTreeMap;

/// Everything the mock remembers.
#[derive(Debug, Default)]
pub struct Store {
    /// Websites by id; any website id is accepted and starts empty.
    pub websites: BTreeMap<String, Website>,
    clock: i64,
    ids: u64,
}

/// One website's data.
#[derive(Debug, Default)]
pub struct Website {
    /// Conversations by session id.
    pub conversations: BTreeMap<String, ConversationRecord>,
    /// People profiles and what hangs off them.
    pub people: crate::people::People,
    /// The website itself: settings, operators, visitors, …
    pub site: crate::website::Site,
}

/// A conversation and what hangs off it.
#[derive(Debug, Clone)]
pub struct ConversationRecord {
    /// What `get_conversation` answers.
    pub conversation: Conversation,
    /// Messages, oldest first.
    pub messages: Vec<Message>,
    /// The rest of the conversation's state (pages, events, files, …).
    pub extra: crate::conversation::Extra,
}

/// The epoch milliseconds the mock's clock starts at (2023-06-29).
const EPOCH_MS: i64 = 1_688_040_000_000;

impl Store {
    /// The website, created empty if unknown.
    pub fn website(&mut self, website_id: &str) -> &mut Website {
        self.websites.entry(website_id.to_string()).or_default()
    }

    /// A strictly increasing timestamp in epoch milliseconds.
    pub fn now(&mut self) -> i64 {
        self.clock += 1;
        EPOCH_MS + self.clock
    }

    /// A fresh UUID-shaped id (deterministic).
    pub fn uuid(&mut self) -> String {
        self.ids += 1;
        format!("{:08x}-0000-4000-8000-{:012x}", self.ids as u32, self.ids)
    }

    /// Creates a conversation and returns its session id.
    pub fn create_conversation(&mut self, website_id: &str) -> String {
        let session_id = format!("session_{}", self.uuid());
        let now = self.now();
        let conversation: Conversation = serde_json::from_value(json!({
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
        }))
        .expect("a valid Conversation");
        self.website(website_id).conversations.insert(
            session_id.clone(),
            ConversationRecord {
                conversation,
                messages: Vec::new(),
                extra: Default::default(),
            },
        );
        session_id
    }

    /// Adds `count` conversations to a website (for pagination tests and benchmarks).
    pub fn seed_conversations(&mut self, website_id: &str, count: usize) -> Vec<String> {
        (0..count)
            .map(|_| self.create_conversation(website_id))
            .collect()
    }

    /// The conversation, if it exists.
    pub fn conversation(
        &mut self,
        website_id: &str,
        session_id: &str,
    ) -> Option<&mut ConversationRecord> {
        self.website(website_id).conversations.get_mut(session_id)
    }
}
