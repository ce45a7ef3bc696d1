//! Verify and decode Crisp web hooks.
//!
//! Crisp delivers real-time events to an HTTP endpoint as a `POST` whose JSON body is
//! `{"website_id", "event", "data", "timestamp"}`. *Plugin* hooks are signed: the
//! [`SIGNATURE_HEADER`] carries the lowercase hex of
//! `HMAC-SHA256(secret, "[" + timestamp + ";" + raw body + "]")`, where `timestamp` is the
//! verbatim value of the [`TIMESTAMP_HEADER`] and `secret` is the plugin's web hook signing
//! secret from the Crisp Marketplace. *Website* hooks (configured in a website's settings)
//! are not signed; decode those with [`Event::from_slice`] and protect the endpoint another
//! way (a secret query parameter, for instance).
//!
//! A [`Verifier`] checks the signature in constant time, over the raw bytes of the body,
//! and rejects requests whose timestamp is further than its tolerance (5 minutes by
//! default) in the past or in the future. [`Verifier::parse`] then decodes the body into an
//! [`Event`] whose `kind` is the typed [`crate::events::Event`] (the same type as the RTM
//! API's events); an event this crate has no type for is `Other`, so a new Crisp event never
//! makes parsing fail.
//!
//! ```
//! use crisp_api::events::Event as CrispEvent;
//! use crisp_api::webhook::Verifier;
//!
//! # fn main() -> Result<(), crisp_api::webhook::WebhookError> {
//! let verifier = Verifier::new("plugin-signing-secret");
//!
//! // In a real handler: the request's headers and its raw, unparsed body.
//! let body = br#"{"website_id":"8c842203-7ed8-4e29-a608-7cf78a7d2fcc","event":"session:set_state","data":{"session_id":"session_700c65e1-85e2-465a-b9ac-ecb5ec2c9881","state":"resolved"},"timestamp":1700000000000}"#;
//! let headers = verifier.sign_now(body).to_header_map();
//!
//! let hook = verifier.parse(&headers, body)?;
//! match &hook.kind {
//!     CrispEvent::SessionSetState(change) => println!("{} is now {:?}", change.session_id, change.state),
//!     other => println!("ignored {}", other.name()),
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # Widget signatures
//!
//! A plugin's widget (its action buttons and forms in the Crisp app) calls the plugin's
//! server with a signed payload. The signature is the web hooks' scheme: the Node wrapper's
//! `verifyWidget` and `verifyHook` are one function, the lowercase hex of
//! `HMAC-SHA256(secret, "[" + timestamp + ";" + JSON body + "]")`. So a [`Verifier`] made
//! with the plugin's secret verifies widget payloads too: pass the timestamp and the
//! signature that came with the payload to [`Verifier::verify`] with the body's raw bytes.
//! (Node computes it over `JSON.stringify` of the parsed body: the same bytes when the
//! payload came as compact JSON; the raw bytes are what was signed in any case.) Unlike
//! Node's, the check is in constant time and refuses a timestamp outside the
//! [tolerance](Verifier::tolerance).
//!
//! ```
//! use crisp_api::webhook::{sign, Verifier};
//!
//! # fn main() -> Result<(), crisp_api::webhook::WebhookError> {
//! let verifier = Verifier::new("plugin-secret");
//! // What a widget action sends: its JSON payload, a timestamp and the signature.
//! let payload = br#"{"website_id":"8c842203-7ed8-4e29-a608-7cf78a7d2fcc","session_id":"session_700c65e1","action":"refund"}"#;
//! let timestamp = std::time::SystemTime::now()
//!     .duration_since(std::time::UNIX_EPOCH)
//!     .unwrap()
//!     .as_millis()
//!     .to_string();
//! let signature = sign("plugin-secret", &timestamp, payload);
//!
//! verifier.verify(Some(&timestamp), Some(&signature), payload)?;
//! let forged = br#"{"website_id":"8c842203-7ed8-4e29-a608-7cf78a7d2fcc","session_id":"session_700c65e1","action":"refund-all"}"#;
//! assert!(verifier.verify(Some(&timestamp), Some(&signature), forged).is_err());
//! # Ok(())
//! # }
//! ```

use std::fmt;
use std::time::{Duration, SystemTime};

use crate::hmac_signature::{self, SignatureKey, Skew};
use crate::server_text::printable;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The header carrying the request timestamp that the signature covers (milliseconds
/// since the epoch, in decimal). Header names are case-insensitive.
///
/// ```
/// # let request_headers = http::HeaderMap::new();
/// let timestamp = request_headers
///     .get(crisp_api::webhook::TIMESTAMP_HEADER)
///     .and_then(|value| value.to_str().ok());
/// # assert!(timestamp.is_none());
/// ```
pub const TIMESTAMP_HEADER: &str = "x-crisp-request-timestamp";

/// The header carrying the hex HMAC-SHA256 signature of a plugin web hook.
///
/// ```
/// # let request_headers = http::HeaderMap::new();
/// let signature = request_headers
///     .get(crisp_api::webhook::SIGNATURE_HEADER)
///     .and_then(|value| value.to_str().ok());
/// # assert!(signature.is_none());
/// ```
pub const SIGNATURE_HEADER: &str = "x-crisp-signature";

/// The tolerance a new [`Verifier`] allows between a request's timestamp and its clock:
/// 5 minutes either way.
///
/// ```
/// use std::time::Duration;
/// assert_eq!(crisp_api::webhook::DEFAULT_TOLERANCE, Duration::from_secs(300));
/// ```
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(5 * 60);

/// Timestamp header values at or above this are milliseconds since the epoch; below it,
/// seconds. 10^11 seconds is in the year 5138, 10^11 milliseconds is in 1973: either reading
/// of a value on the wrong side of the line is far outside any tolerance, so the guess can
/// only turn a fresh request into a rejected one, never the other way round.
const MILLIS_THRESHOLD: u64 = 100_000_000_000;

/// Computes the signature Crisp sends for `body` at `timestamp`: the lowercase hex of
/// `HMAC-SHA256(secret, "[" + timestamp + ";" + body + "]")`.
///
/// `timestamp` is written with its `Display` form, so pass the exact header string (or the
/// integer that produced it). Useful to build signed requests in tests.
///
/// ```
/// use crisp_api::webhook::sign;
///
/// let signature = sign("secret", 1_700_000_000_000_u64, br#"{"event":"message:send"}"#);
/// assert_eq!(signature.len(), 64);
/// assert_eq!(signature, sign("secret", "1700000000000", br#"{"event":"message:send"}"#));
/// ```
pub fn sign(secret: impl AsRef<[u8]>, timestamp: impl fmt::Display, body: &[u8]) -> String {
    let timestamp = timestamp.to_string();
    hmac_signature::sign_hex(secret.as_ref(), &message(&timestamp, body))
}

/// What is signed, in parts: `[`, the timestamp, `;`, the body, `]`.
fn message<'a>(timestamp: &'a str, body: &'a [u8]) -> [&'a [u8]; 5] {
    [b"[", timestamp.as_bytes(), b";", body, b"]"]
}

/// Checks the signature and freshness of plugin web hooks, and decodes them.
///
/// Build one per signing secret and share it (it is `Clone`, `Send` and `Sync`). Its
/// `Debug` output never shows the secret.
///
/// ```
/// use std::time::Duration;
/// use crisp_api::webhook::Verifier;
///
/// let verifier = Verifier::new("plugin-signing-secret").tolerance(Duration::from_secs(60));
/// assert!(!format!("{verifier:?}").contains("plugin-signing-secret"));
/// ```
#[derive(Clone)]
pub struct Verifier {
    key: SignatureKey,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.key, f)
    }
}

impl Verifier {
    /// A verifier for `secret`, the plugin's web hook signing secret, with a tolerance of
    /// [`DEFAULT_TOLERANCE`] and the system clock.
    ///
    /// An empty `secret` would let anyone forge signatures (and is almost always an unset
    /// configuration variable): every verification then fails with
    /// [`WebhookError::EmptySecret`].
    ///
    /// ```
    /// let verifier = crisp_api::webhook::Verifier::new("plugin-signing-secret");
    /// # let _ = verifier;
    /// ```
    pub fn new(secret: impl AsRef<[u8]>) -> Self {
        Self {
            key: SignatureKey::new(secret.as_ref(), DEFAULT_TOLERANCE),
        }
    }

    /// How far a request's timestamp may be from the clock, in the past or in the future
    /// (default [`DEFAULT_TOLERANCE`], 5 minutes). Crisp retries failed deliveries with a
    /// new timestamp, so a short tolerance only costs a retry.
    ///
    /// ```
    /// use std::time::Duration;
    /// let verifier = crisp_api::webhook::Verifier::new("s").tolerance(Duration::from_secs(30));
    /// # let _ = verifier;
    /// ```
    #[must_use]
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.key.set_tolerance(tolerance);
        self
    }

    /// Replaces the clock that freshness is checked against (the system clock by default).
    /// Meant for tests.
    ///
    /// ```
    /// use std::time::{Duration, UNIX_EPOCH};
    /// use crisp_api::webhook::{sign, Verifier, WebhookError};
    ///
    /// let at = |ms: u64| UNIX_EPOCH + Duration::from_millis(ms);
    /// let verifier = Verifier::new("s").clock(move || at(1_700_000_600_000));
    ///
    /// let body = b"{}";
    /// let signature = sign("s", 1_700_000_000_000_u64, body);
    /// assert!(matches!(
    ///     verifier.verify(Some("1700000000000"), Some(&signature), body),
    ///     Err(WebhookError::Stale { .. })
    /// ));
    /// ```
    #[must_use]
    pub fn clock(mut self, clock: impl Fn() -> SystemTime + Send + Sync + 'static) -> Self {
        self.key.set_clock(clock);
        self
    }

    /// Verifies a request from the values of its [`TIMESTAMP_HEADER`] and
    /// [`SIGNATURE_HEADER`] and its raw body, exactly as received.
    ///
    /// The checks, in order: both headers are present; the timestamp is a decimal integer
    /// (milliseconds since the epoch; values below 10^11 are taken as seconds); the
    /// signature is hex; it matches, compared in constant time; the timestamp is within the
    /// tolerance of the clock. [`WebhookError::Stale`] and [`WebhookError::Future`] are
    /// therefore only ever returned for correctly signed requests.
    ///
    /// ```
    /// use crisp_api::webhook::{Verifier, WebhookError};
    ///
    /// let verifier = Verifier::new("secret");
    /// let body = br#"{"event":"message:send"}"#;
    /// let signed = verifier.sign_now(body);
    /// assert!(verifier.verify(Some(&signed.timestamp), Some(&signed.signature), body).is_ok());
    ///
    /// let tampered = br#"{"event":"message:SEND"}"#;
    /// assert!(matches!(
    ///     verifier.verify(Some(&signed.timestamp), Some(&signed.signature), tampered),
    ///     Err(WebhookError::SignatureMismatch)
    /// ));
    /// ```
    pub fn verify(
        &self,
        timestamp_header: Option<&str>,
        signature_header: Option<&str>,
        body: &[u8],
    ) -> Result<(), WebhookError> {
        if self.key.secret_is_empty() {
            return Err(WebhookError::EmptySecret);
        }
        let timestamp = timestamp_header.ok_or(WebhookError::MissingHeader(TIMESTAMP_HEADER))?;
        let signature = signature_header.ok_or(WebhookError::MissingHeader(SIGNATURE_HEADER))?;
        let timestamp_ms = parse_timestamp(timestamp)?;
        let expected =
            hmac_signature::decode_signature(signature, "").ok_or(WebhookError::InvalidHex)?;
        if !self.key.matches(&message(timestamp, body), &expected) {
            return Err(WebhookError::SignatureMismatch);
        }

        let now_ms = millis_since_epoch(self.key.since_epoch());
        self.key
            .check_freshness(
                Duration::from_millis(timestamp_ms),
                Duration::from_millis(now_ms),
            )
            .map_err(|skew| match skew {
                Skew::Stale(age) => WebhookError::Stale { age },
                Skew::Future(ahead) => WebhookError::Future { ahead },
            })
    }

    /// [`verify`](Self::verify) with the two headers read from `headers`.
    ///
    /// A header whose value is not visible ASCII counts as malformed
    /// ([`WebhookError::InvalidTimestamp`] or [`WebhookError::InvalidHex`]).
    ///
    /// ```
    /// use crisp_api::webhook::{Verifier, WebhookError};
    ///
    /// let verifier = Verifier::new("secret");
    /// let body = b"{}";
    /// let headers = verifier.sign_now(body).to_header_map();
    /// assert!(verifier.verify_headers(&headers, body).is_ok());
    /// assert!(matches!(
    ///     verifier.verify_headers(&http::HeaderMap::new(), body),
    ///     Err(WebhookError::MissingHeader(_))
    /// ));
    /// ```
    pub fn verify_headers(
        &self,
        headers: &http::HeaderMap,
        body: &[u8],
    ) -> Result<(), WebhookError> {
        let timestamp =
            hmac_signature::header(headers, TIMESTAMP_HEADER, WebhookError::InvalidTimestamp)?;
        let signature =
            hmac_signature::header(headers, SIGNATURE_HEADER, WebhookError::InvalidHex)?;
        self.verify(timestamp, signature, body)
    }

    /// Verifies a request with [`verify_headers`](Self::verify_headers), then decodes its
    /// body with [`Event::from_slice`].
    ///
    /// ```
    /// use crisp_api::events::Event;
    /// use crisp_api::webhook::Verifier;
    ///
    /// let verifier = Verifier::new("secret");
    /// let body = br#"{"website_id":"w","event":"session:removed","data":{"website_id":"w","session_id":"s"},"timestamp":1}"#;
    /// let headers = verifier.sign_now(body).to_header_map();
    /// let hook = verifier.parse(&headers, body).unwrap();
    /// assert!(matches!(hook.kind, Event::SessionRemoved(_)), "{:?}", hook.kind);
    /// ```
    pub fn parse(&self, headers: &http::HeaderMap, body: &[u8]) -> Result<Event, WebhookError> {
        self.verify_headers(headers, body)?;
        Event::from_slice(body)
    }

    /// Signs `body` as Crisp would, at the verifier's current clock time in milliseconds:
    /// the two header values a test request needs.
    ///
    /// ```
    /// let verifier = crisp_api::webhook::Verifier::new("secret");
    /// let signed = verifier.sign_now(b"{}");
    /// assert!(verifier.verify(Some(&signed.timestamp), Some(&signed.signature), b"{}").is_ok());
    /// ```
    pub fn sign_now(&self, body: &[u8]) -> SignedHeaders {
        let timestamp = millis_since_epoch(self.key.since_epoch()).to_string();
        SignedHeaders {
            signature: self.key.sign_hex(&message(&timestamp, body)),
            timestamp,
        }
    }
}

/// Milliseconds since the epoch of a header value (see [`MILLIS_THRESHOLD`]).
fn parse_timestamp(value: &str) -> Result<u64, WebhookError> {
    let number = hmac_signature::parse_decimal(value, 20).ok_or(WebhookError::InvalidTimestamp)?;
    if number >= MILLIS_THRESHOLD {
        Ok(number)
    } else {
        // Below the threshold the value is seconds, so this cannot overflow.
        Ok(number * 1000)
    }
}

fn millis_since_epoch(since_epoch: Duration) -> u64 {
    u64::try_from(since_epoch.as_millis()).unwrap_or(u64::MAX)
}

/// The two header values of a signed request, as made by [`Verifier::sign_now`].
///
/// ```
/// let signed = crisp_api::webhook::Verifier::new("secret").sign_now(b"{}");
/// let headers = signed.to_header_map();
/// assert_eq!(headers[crisp_api::webhook::SIGNATURE_HEADER], signed.signature.as_str());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedHeaders {
    /// The value of [`TIMESTAMP_HEADER`]: milliseconds since the epoch, in decimal.
    pub timestamp: String,
    /// The value of [`SIGNATURE_HEADER`]: 64 lowercase hex digits.
    pub signature: String,
}

impl SignedHeaders {
    /// A header map holding the two headers.
    ///
    /// ```
    /// let headers = crisp_api::webhook::Verifier::new("s").sign_now(b"{}").to_header_map();
    /// assert_eq!(headers.len(), 2);
    /// ```
    pub fn to_header_map(&self) -> http::HeaderMap {
        // Both values are ASCII digits or hex digits, always valid header values.
        hmac_signature::header_map(&[
            (TIMESTAMP_HEADER, &self.timestamp),
            (SIGNATURE_HEADER, &self.signature),
        ])
    }
}

/// Why a web hook was rejected.
///
/// Neither `Display` nor `Debug` contains the secret; text quoted from the body (in
/// [`InvalidPayload`](Self::InvalidPayload)) is shown without control characters and cut at
/// 500 characters. [`status`](Self::status) gives the HTTP status to answer with.
///
/// ```
/// use crisp_api::webhook::{Verifier, WebhookError};
///
/// let error = Verifier::new("secret").verify(Some("1700000000000"), Some("zz"), b"{}").unwrap_err();
/// assert!(matches!(error, WebhookError::InvalidHex));
/// assert_eq!(error.status(), http::StatusCode::UNAUTHORIZED);
/// println!("rejected: {error}");
/// ```
#[non_exhaustive]
pub enum WebhookError {
    /// The verifier was built with an empty secret, so nothing can be trusted.
    EmptySecret,
    /// A required header is absent; holds its (lowercase) name.
    MissingHeader(&'static str),
    /// The timestamp header is not a decimal integer.
    InvalidTimestamp,
    /// The signature header is not hexadecimal.
    InvalidHex,
    /// The signature does not match the body, timestamp and secret.
    SignatureMismatch,
    /// A correctly signed request whose timestamp is older than the tolerance.
    Stale {
        /// How old the timestamp is.
        age: Duration,
    },
    /// A correctly signed request whose timestamp is further in the future than the
    /// tolerance.
    Future {
        /// How far ahead of the clock the timestamp is.
        ahead: Duration,
    },
    /// The body is not a web hook envelope, or the `data` of a known event does not have
    /// the expected shape.
    InvalidPayload(serde_json::Error),
}

impl WebhookError {
    /// The HTTP status to answer with: `400 Bad Request` for [`InvalidPayload`], `401
    /// Unauthorized` for everything else.
    ///
    /// [`InvalidPayload`]: WebhookError::InvalidPayload
    ///
    /// ```
    /// use crisp_api::webhook::WebhookError;
    /// assert_eq!(WebhookError::SignatureMismatch.status(), http::StatusCode::UNAUTHORIZED);
    /// ```
    pub fn status(&self) -> http::StatusCode {
        match self {
            Self::InvalidPayload(_) => http::StatusCode::BAD_REQUEST,
            _ => http::StatusCode::UNAUTHORIZED,
        }
    }
}

impl fmt::Display for WebhookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::EmptySecret => f.write_str("the web hook signing secret is empty"),
            Self::MissingHeader(name) => write!(f, "web hook header `{name}` is missing"),
            Self::InvalidTimestamp => f.write_str("web hook timestamp is not a decimal integer"),
            Self::InvalidHex => f.write_str("web hook signature is not hexadecimal"),
            Self::SignatureMismatch => f.write_str("web hook signature does not match"),
            Self::Stale { age } => {
                write!(
                    f,
                    "web hook timestamp is {} ms old, beyond the tolerance",
                    age.as_millis()
                )
            }
            Self::Future { ahead } => write!(
                f,
                "web hook timestamp is {} ms in the future, beyond the tolerance",
                ahead.as_millis()
            ),
            // serde's message quotes the body's values, which anyone can send.
            Self::InvalidPayload(e) => {
                write!(f, "invalid web hook payload: {}", printable(&e.to_string()))
            }
        }
    }
}

impl fmt::Debug for WebhookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::EmptySecret => f.write_str("EmptySecret"),
            Self::MissingHeader(name) => f.debug_tuple("MissingHeader").field(name).finish(),
            Self::InvalidTimestamp => f.write_str("InvalidTimestamp"),
            Self::InvalidHex => f.write_str("InvalidHex"),
            Self::SignatureMismatch => f.write_str("SignatureMismatch"),
            Self::Stale { age } => f.debug_struct("Stale").field("age", age).finish(),
            Self::Future { ahead } => f.debug_struct("Future").field("ahead", ahead).finish(),
            Self::InvalidPayload(e) => f
                .debug_tuple("InvalidPayload")
                .field(&printable(&e.to_string()))
                .finish(),
        }
    }
}

impl std::error::Error for WebhookError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::InvalidPayload(e) => Some(e),
            _ => None,
        }
    }
}

// ---------------------------------------------------------------------------------------
// The envelope of a web hook
// ---------------------------------------------------------------------------------------

/// A decoded web hook: the envelope's website and timestamp, and the event, typed by its
/// name ([`crate::events::Event`], the same type the RTM API's events decode into).
///
/// Decode with [`Verifier::parse`] (plugin hooks), [`Event::from_slice`] (unsigned website
/// hooks) or through `serde`: `Event` implements `Deserialize`. Only a body that is not a
/// web hook envelope fails: an event this version does not type, or whose payload does not
/// have the expected shape, is [`crate::events::Event::Other`] with its JSON.
///
/// It serializes back into the same envelope (`website_id`, `event`, `data`, and
/// `timestamp` when there is one), to forward to a queue or a log: decoding that gives the
/// same value. [`Event::new`] builds one for your own tests.
///
/// ```
/// use crisp_api::events::Event as CrispEvent;
/// use crisp_api::types::MessageContent;
/// use crisp_api::webhook::Event;
///
/// let hook = Event::from_slice(br#"{
///     "website_id": "8c842203-7ed8-4e29-a608-7cf78a7d2fcc",
///     "event": "message:send",
///     "data": {
///         "website_id": "8c842203-7ed8-4e29-a608-7cf78a7d2fcc",
///         "session_id": "session_700c65e1-85e2-465a-b9ac-ecb5ec2c9881",
///         "type": "text", "from": "user", "origin": "chat", "content": "Hello!",
///         "timestamp": 1700000000000, "fingerprint": 170000000012345
///     },
///     "timestamp": 1700000000000
/// }"#).unwrap();
/// assert_eq!(hook.website_id, "8c842203-7ed8-4e29-a608-7cf78a7d2fcc");
/// if let CrispEvent::MessageSend(message) = &hook.kind {
///     assert_eq!(message.content, MessageContent::text("Hello!"));
/// }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Event {
    /// The website the event happened on (the envelope's `website_id`).
    pub website_id: String,
    /// When the event occurred, in milliseconds since the epoch (the envelope's
    /// `timestamp`), if present.
    pub timestamp: Option<i64>,
    /// The event, typed by its name.
    pub kind: crate::events::Event,
}

impl Event {
    /// A web hook of `website_id` carrying `kind`, without a timestamp; set one with
    /// [`Event::timestamp`]. For your own tests: a handler's input, built without JSON.
    ///
    /// ```
    /// use crisp_api::events::Event as CrispEvent;
    /// use crisp_api::webhook::Event;
    ///
    /// let kind = CrispEvent::decode("brand:new", serde_json::json!({"a": 1}));
    /// let hook = Event::new("8c842203-7ed8-4e29-a608-7cf78a7d2fcc", kind).timestamp(1700000000000);
    /// let body = serde_json::to_vec(&hook)?;
    /// assert_eq!(Event::from_slice(&body).unwrap(), hook);
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn new(website_id: impl Into<String>, kind: crate::events::Event) -> Self {
        Self {
            website_id: website_id.into(),
            timestamp: None,
            kind,
        }
    }

    /// Sets when the event occurred, in milliseconds since the epoch.
    ///
    /// ```
    /// # use crisp_api::webhook::Event;
    /// # let kind = crisp_api::events::Event::decode("brand:new", serde_json::json!({}));
    /// let hook = Event::new("w", kind).timestamp(1700000000000);
    /// assert_eq!(hook.timestamp, Some(1700000000000));
    /// ```
    pub fn timestamp(mut self, milliseconds: i64) -> Self {
        self.timestamp = Some(milliseconds);
        self
    }

    /// Decodes a web hook body. Does not verify anything: use [`Verifier::parse`] for
    /// plugin hooks.
    ///
    /// ```
    /// use crisp_api::webhook::Event;
    ///
    /// let hook = Event::from_slice(br#"{"website_id":"w","event":"brand:new","data":{"a":1}}"#).unwrap();
    /// assert_eq!(hook.kind.name(), "brand:new");
    /// assert!(!hook.kind.is_typed());
    /// ```
    pub fn from_slice(body: &[u8]) -> Result<Self, WebhookError> {
        serde_json::from_slice(body).map_err(WebhookError::InvalidPayload)
    }
}

impl<'de> Deserialize<'de> for Event {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let RawEnvelope {
            website_id,
            event,
            data,
            timestamp,
        } = RawEnvelope::deserialize(deserializer)?;
        Ok(Self {
            website_id,
            timestamp,
            kind: crate::events::Event::decode(&event, data),
        })
    }
}

impl Serialize for Event {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let fields = 3 + usize::from(self.timestamp.is_some());
        let mut envelope = serializer.serialize_struct("Event", fields)?;
        envelope.serialize_field("website_id", &self.website_id)?;
        envelope.serialize_field("event", self.kind.name())?;
        envelope.serialize_field("data", &self.kind.data())?;
        if let Some(timestamp) = self.timestamp {
            envelope.serialize_field("timestamp", &timestamp)?;
        } else {
            envelope.skip_field("timestamp")?;
        }
        envelope.end()
    }
}

#[derive(Deserialize)]
struct RawEnvelope {
    website_id: String,
    event: String,
    #[serde(default)]
    data: serde_json::Value,
    #[serde(default)]
    timestamp: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::Event;
    use crate::events::Event as CrispEvent;

    /// A web hook serialized, then decoded: the same value, typed or `Other`, with a
    /// timestamp or without; and the envelope Crisp sends, decoded then serialized, reads
    /// back as it was.
    #[test]
    fn a_web_hook_serializes_and_reads_back_as_the_same_value() {
        let body = serde_json::json!({
            "website_id": "8c842203-7ed8-4e29-a608-7cf78a7d2fcc",
            "event": "message:send",
            "data": {
                "website_id": "8c842203-7ed8-4e29-a608-7cf78a7d2fcc",
                "session_id": "session_700c65e1-85e2-465a-b9ac-ecb5ec2c9881",
                "type": "text", "from": "user", "origin": "chat", "content": "Hello!",
                "timestamp": 1700000000000_i64, "fingerprint": 170000000012345_i64
            },
            "timestamp": 1700000000000_i64
        });
        let typed = Event::from_slice(body.to_string().as_bytes()).unwrap();
        assert!(typed.kind.is_typed(), "{typed:?}");
        let hooks = [
            typed,
            Event::new(
                "w",
                CrispEvent::decode("not:typed:yet", serde_json::json!([1, {}])),
            ),
            Event::new(
                "w",
                CrispEvent::decode("message:send", serde_json::json!("a string")),
            )
            .timestamp(-1),
        ];
        for hook in hooks {
            let text = serde_json::to_string(&hook).unwrap();
            assert_eq!(Event::from_slice(text.as_bytes()).unwrap(), hook, "{text}");
            let value: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(value["event"], hook.kind.name());
            assert_eq!(value.get("timestamp").is_some(), hook.timestamp.is_some());
        }
        let typed = Event::from_slice(body.to_string().as_bytes()).unwrap();
        let again: serde_json::Value = serde_json::to_value(&typed).unwrap();
        assert_eq!(
            Event::from_slice(again.to_string().as_bytes()).unwrap(),
            typed
        );
        assert_eq!(again["data"]["content"], "Hello!");
        assert_eq!(again["data"]["type"], "text");
    }
}
