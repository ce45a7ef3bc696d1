//! # crisp-api
//!
#![doc = include_str!("front_page.md")]
#![doc = include_str!("generated/api_groups.md")]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs)]

mod auth;
mod config;
mod error;
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
mod secret;
mod server_text;
pub mod signed_request;
pub mod tls;
#[cfg_attr(not(feature = "all-groups"), allow(dead_code))]
mod transport;
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

/// A `Result` whose error is this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The README's examples, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
