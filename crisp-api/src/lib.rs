//! # crisp-api
//!
#![doc = include_str!("front_page.md")]
#![doc = include_str!("generated/api_groups.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod auth;
mod config;
mod de;
mod envelope;
mod error;
mod pagination;
mod path;
mod retry;
mod secret;
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
/// The error of a builder's `send_raw` (progenitor's, unmapped); `send` returns [`Error`].
pub use progenitor_client::Error as RawError;
/// The traits to consume the `.stream()` of paged lists (`try_next`, `try_collect`, …).
pub use futures::{Stream, StreamExt, TryStreamExt};
/// `serde_json`, for free-form JSON fields (`json!({..})`) and [`serde_json::Value`].
pub use serde_json;
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
            types::SearchFlag::Yes
        } else {
            types::SearchFlag::No
        }
    }
}

/// The README's examples, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
