//! # crisp-api
//!
#![doc = include_str!("front_page.md")]
#![doc = include_str!("generated/api_groups.md")]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs)]

mod auth;
mod bodies;
mod config;
mod error;
mod hmac_signature;
mod retry;
#[cfg(feature = "rtm")]
pub mod rtm;
// The generated methods of the API groups use these; with only some groups enabled (Cargo
// features), some of their items have no caller.
#[cfg_attr(not(feature = "all-groups"), allow(dead_code))]
mod de;
#[cfg_attr(not(feature = "all-groups"), allow(dead_code))]
mod envelope;
#[cfg_attr(not(feature = "all-groups"), allow(dead_code))]
mod pagination;
#[cfg_attr(not(feature = "all-groups"), allow(dead_code))]
mod path;
pub mod raw;
mod secret;
mod server_text;
pub mod signed_request;
pub mod tls;
#[cfg_attr(not(feature = "all-groups"), allow(dead_code))]
mod transport;
mod usage;
pub mod webhook;

#[rustfmt::skip]
#[allow(missing_docs, unused, clippy::all, clippy::pedantic)]
mod generated;

pub use auth::{Credentials, Tier};
pub use config::{ClientBuilder, Config, DEFAULT_BASE_URL};
pub use envelope::Envelope;
pub use error::{Error, ErrorKind};
/// The traits to consume the `.stream()` of paged lists (`try_next`, `try_collect`, …).
pub use futures::{Stream, StreamExt, TryStreamExt};
pub use generated::{builder, events, types, Client};
/// The error of a builder's `send_raw` (progenitor's, unmapped); `send` returns [`Error`].
pub use progenitor_client::Error as RawError;
pub use progenitor_client::ResponseValue;
pub use retry::RetryPolicy;
pub use secret::Secret;
/// `serde_json`, for free-form JSON fields (`json!({..})`) and [`serde_json::Value`].
pub use serde_json;
pub use usage::Usage;

/// What a typical program names, in one import: `use crisp_api::prelude::*;`.
///
/// The client and its configuration ([`Client`], [`Tier`]), the error ([`Error`],
/// [`ErrorKind`]), the traits that read a paged list's `.stream()` ([`TryStreamExt`],
/// [`StreamExt`]), and the body and enum types of the everyday jobs: messages, conversation
/// states, read marks and people profiles.
///
/// ```no_run
/// use crisp_api::prelude::*;
///
/// # async fn run() -> crisp_api::Result<()> {
/// let client = Client::from_env()?;
/// let website_id = "8c842203-7ed8-4e29-a608-7cf78a7d2fcc";
/// let mut open = client.list_conversations(website_id, 1).filter_not_resolved(true).stream();
/// while let Some(conversation) = open.try_next().await? {
///     match client.get_messages_in_conversation(website_id, &conversation.session_id).await {
///         Ok(messages) => println!("{} messages", messages.len()),
///         Err(e) if e.kind() == ErrorKind::NotFound => continue,
///         Err(e) => return Err(e),
///     }
/// }
/// # Ok(())
/// # }
/// ```
pub mod prelude {
    pub use crate::{Client, Error, ErrorKind, Tier};
    pub use futures::{Stream, StreamExt as _, TryStreamExt as _};

    #[cfg(feature = "website-conversation")]
    pub use crate::types::{
        Conversation, ConversationState, ConversationStateUpdate, Message, MessageNew,
        MessagesReadMark,
    };
    pub use crate::types::{MessageContent, MessageFrom, MessageOrigin};
    #[cfg(feature = "website-people")]
    pub use crate::types::{PeopleProfile, PeopleProfileCard, PeopleProfileUpdate};
}

/// A `Result` whose error is this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The README's examples, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
