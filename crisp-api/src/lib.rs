//! # crisp-api
//!
//! A typed, async Rust client for the [Crisp](https://crisp.chat) REST API (V1).
//!
//! Every operation of the API is a method on [`Client`] named as in Crisp's official
//! wrappers (`list_conversations`, `send_message_in_conversation`, …). Each returns a builder;
//! `send()` returns the typed `data` of Crisp's answer, or an [`Error`] carrying the HTTP
//! status and Crisp's `reason`.
//!
//! ```no_run
//! use crisp_api::{Client, Tier};
//!
//! # async fn run() -> Result<(), crisp_api::Error> {
//! let client = Client::builder()
//!     .tier(Tier::Plugin)
//!     .credentials("identifier", "key")
//!     .build()?;
//!
//! let page = client
//!     .list_conversations()
//!     .website_id("8c842203-7ed8-4e29-a608-7cf78a7d2fcc")
//!     .page_number(1)
//!     .send()
//!     .await?;
//! for conversation in page {
//!     println!("{} {:?}", conversation.session_id, conversation.state);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! The client and its generated code come from `spec/crisp-rest-v1.yaml` (OpenAPI 3.0.3);
//! retries, timeouts, authentication and error mapping are configured once on the
//! [`ClientBuilder`] and apply to every call.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod auth;
mod config;
mod envelope;
mod error;
mod pagination;
mod path;
mod retry;
#[cfg(feature = "rtm")]
pub mod rtm;
mod secret;
mod server_text;
mod transport;
pub mod webhook;

#[rustfmt::skip]
#[allow(missing_docs, unused, clippy::all, clippy::pedantic)]
mod generated;

pub use auth::{Credentials, Tier};
pub use config::{ClientBuilder, Config, DEFAULT_BASE_URL};
pub use envelope::Envelope;
pub use error::{Error, ErrorKind};
pub use generated::{builder, types, Client};
pub use progenitor_client::ResponseValue;
pub use retry::RetryPolicy;
pub use secret::Secret;

/// A `Result` whose error is this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<bool> for types::SearchFlag {
    /// `true` is sent as `1`, `false` as `0`.
    ///
    /// ```
    /// assert_eq!(crisp_api::types::SearchFlag::from(true).to_string(), "1");
    /// ```
    fn from(yes: bool) -> Self {
        if yes {
            types::SearchFlag::X1
        } else {
            types::SearchFlag::X0
        }
    }
}

/// The README's examples, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
