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
//! default) in the past or in the future. [`Verifier::parse`] then decodes the body into a
//! typed [`Event`]; an event this crate has no type for becomes [`EventKind::Other`], so a
//! new Crisp event never makes parsing fail.
//!
//! ```
//! use crisp_api::webhook::{EventKind, Verifier};
//!
//! # fn main() -> Result<(), crisp_api::webhook::WebhookError> {
//! let verifier = Verifier::new("plugin-signing-secret");
//!
//! // In a real handler: the request's headers and its raw, unparsed body.
//! let body = br#"{"website_id":"8c842203-7ed8-4e29-a608-7cf78a7d2fcc","event":"session:set_state","data":{"session_id":"session_700c65e1-85e2-465a-b9ac-ecb5ec2c9881","state":"resolved"},"timestamp":1700000000000}"#;
//! let headers = verifier.sign_now(body).to_header_map();
//!
//! let event = verifier.parse(&headers, body)?;
//! match &event.kind {
//!     EventKind::SessionSetState(state) => println!("{} is now {}", state.session_id, state.state),
//!     other => println!("ignored {}", other.name()),
//! }
//! # Ok(())
//! # }
//! ```

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::server_text::printable;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Deserializer};
use sha2::Sha256;

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

type HmacSha256 = Hmac<Sha256>;

type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync + 'static>;

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
    let mut mac = keyed(secret.as_ref());
    feed(&mut mac, &timestamp.to_string(), body);
    hex::encode(mac.finalize().into_bytes())
}

fn keyed(secret: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length: longer ones are hashed, shorter ones padded.
    <HmacSha256 as Mac>::new_from_slice(secret).expect("HMAC accepts keys of any length")
}

fn feed(mac: &mut HmacSha256, timestamp: &str, body: &[u8]) {
    mac.update(b"[");
    mac.update(timestamp.as_bytes());
    mac.update(b";");
    mac.update(body);
    mac.update(b"]");
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
    mac: HmacSha256,
    empty_secret: bool,
    tolerance: Duration,
    clock: Clock,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("secret", &"<redacted>")
            .field("tolerance", &self.tolerance)
            .finish_non_exhaustive()
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
        let secret = secret.as_ref();
        Self {
            mac: keyed(secret),
            empty_secret: secret.is_empty(),
            tolerance: DEFAULT_TOLERANCE,
            clock: Arc::new(SystemTime::now),
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
        self.tolerance = tolerance;
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
        self.clock = Arc::new(clock);
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
        if self.empty_secret {
            return Err(WebhookError::EmptySecret);
        }
        let timestamp = timestamp_header.ok_or(WebhookError::MissingHeader(TIMESTAMP_HEADER))?;
        let signature = signature_header.ok_or(WebhookError::MissingHeader(SIGNATURE_HEADER))?;
        let timestamp_ms = parse_timestamp(timestamp)?;
        let expected = hex::decode(signature.trim()).map_err(|_| WebhookError::InvalidHex)?;

        let mut mac = self.mac.clone();
        feed(&mut mac, timestamp, body);
        // `verify_slice` compares in constant time (and rejects a wrong length).
        mac.verify_slice(&expected)
            .map_err(|_| WebhookError::SignatureMismatch)?;

        self.check_freshness(timestamp_ms)
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
        let timestamp = header(headers, TIMESTAMP_HEADER, WebhookError::InvalidTimestamp)?;
        let signature = header(headers, SIGNATURE_HEADER, WebhookError::InvalidHex)?;
        self.verify(timestamp, signature, body)
    }

    /// Verifies a request with [`verify_headers`](Self::verify_headers), then decodes its
    /// body with [`Event::from_slice`].
    ///
    /// ```
    /// use crisp_api::webhook::{EventKind, Verifier};
    ///
    /// let verifier = Verifier::new("secret");
    /// let body = br#"{"website_id":"w","event":"session:removed","data":{"session_id":"s"},"timestamp":1}"#;
    /// let headers = verifier.sign_now(body).to_header_map();
    /// let event = verifier.parse(&headers, body).unwrap();
    /// assert!(matches!(event.kind, EventKind::SessionRemoved(_)));
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
        let timestamp = millis_since_epoch((self.clock)()).to_string();
        let mut mac = self.mac.clone();
        feed(&mut mac, &timestamp, body);
        SignedHeaders {
            timestamp,
            signature: hex::encode(mac.finalize().into_bytes()),
        }
    }

    fn check_freshness(&self, timestamp_ms: u64) -> Result<(), WebhookError> {
        let now_ms = millis_since_epoch((self.clock)());
        if timestamp_ms > now_ms {
            let ahead = Duration::from_millis(timestamp_ms - now_ms);
            if ahead > self.tolerance {
                return Err(WebhookError::Future { ahead });
            }
        } else {
            let age = Duration::from_millis(now_ms - timestamp_ms);
            if age > self.tolerance {
                return Err(WebhookError::Stale { age });
            }
        }
        Ok(())
    }
}

fn header<'a>(
    headers: &'a http::HeaderMap,
    name: &'static str,
    malformed: WebhookError,
) -> Result<Option<&'a str>, WebhookError> {
    match headers.get(name) {
        None => Ok(None),
        Some(value) => value.to_str().map(Some).map_err(|_| malformed),
    }
}

/// Milliseconds since the epoch of a header value (see [`MILLIS_THRESHOLD`]).
fn parse_timestamp(value: &str) -> Result<u64, WebhookError> {
    if value.is_empty() || value.len() > 20 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(WebhookError::InvalidTimestamp);
    }
    let number: u64 = value.parse().map_err(|_| WebhookError::InvalidTimestamp)?;
    if number >= MILLIS_THRESHOLD {
        Ok(number)
    } else {
        // Below the threshold the value is seconds, so this cannot overflow.
        Ok(number * 1000)
    }
}

fn millis_since_epoch(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
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
        let mut headers = http::HeaderMap::new();
        // Both values are ASCII digits or hex digits, always valid header values.
        for (name, value) in [
            (TIMESTAMP_HEADER, &self.timestamp),
            (SIGNATURE_HEADER, &self.signature),
        ] {
            if let Ok(value) = http::HeaderValue::from_str(value) {
                headers.insert(name, value);
            }
        }
        headers
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
// Events
// ---------------------------------------------------------------------------------------

/// A decoded web hook: the envelope's website and timestamp, and the typed event.
///
/// Decode with [`Verifier::parse`] (plugin hooks), [`Event::from_slice`] (unsigned website
/// hooks) or through `serde`: `Event` implements `Deserialize`.
///
/// ```
/// use crisp_api::webhook::{Event, EventKind};
///
/// let event = Event::from_slice(br#"{
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
/// assert_eq!(event.website_id, "8c842203-7ed8-4e29-a608-7cf78a7d2fcc");
/// if let EventKind::MessageSend(message) = &event.kind {
///     assert_eq!(message.text(), Some("Hello!"));
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
    pub kind: EventKind,
}

impl Event {
    /// Decodes a web hook body. Does not verify anything: use [`Verifier::parse`] for
    /// plugin hooks.
    ///
    /// Unknown event names become [`EventKind::Other`]; unknown fields are ignored.
    ///
    /// ```
    /// use crisp_api::webhook::{Event, EventKind};
    ///
    /// let event = Event::from_slice(br#"{"website_id":"w","event":"brand:new","data":{"a":1}}"#).unwrap();
    /// assert_eq!(event.kind.name(), "brand:new");
    /// assert!(matches!(event.kind, EventKind::Other { .. }));
    /// ```
    pub fn from_slice(body: &[u8]) -> Result<Self, WebhookError> {
        serde_json::from_slice(body).map_err(WebhookError::InvalidPayload)
    }

    fn from_envelope(raw: RawEnvelope) -> Result<Self, serde_json::Error> {
        let RawEnvelope {
            website_id,
            event,
            data,
            timestamp,
        } = raw;
        let kind = EventKind::decode(event, data)?;
        Ok(Self {
            website_id,
            timestamp,
            kind,
        })
    }
}

impl<'de> Deserialize<'de> for Event {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = RawEnvelope::deserialize(deserializer)?;
        Event::from_envelope(raw).map_err(serde::de::Error::custom)
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

/// A web hook event, by name. Names and fields follow Crisp's RTM API (the same events
/// reach web hooks).
///
/// New typed variants may be added in minor versions: an event that is
/// [`Other`](EventKind::Other) today may get its own variant later, so match on the
/// variant rather than on [`name`](EventKind::name) where one exists.
///
/// ```
/// use crisp_api::webhook::{Event, EventKind};
///
/// let event = Event::from_slice(br#"{"website_id":"w","event":"session:set_email","data":{"session_id":"s","email":"a@example.com"}}"#).unwrap();
/// match event.kind {
///     EventKind::SessionSetEmail(e) => assert_eq!(e.email.as_deref(), Some("a@example.com")),
///     other => panic!("unexpected {}", other.name()),
/// }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum EventKind {
    /// `message:send`: a visitor (or a plugin acting as one) sent a message.
    MessageSend(Message),
    /// `message:received`: an operator (or a plugin or bot) sent a message.
    MessageReceived(Message),
    /// `message:updated`: a message's content was edited.
    MessageUpdated(MessageUpdated),
    /// `message:removed`: a message was deleted.
    MessageRemoved(MessageRemoved),
    /// `session:set_state`: a conversation's state changed (`pending`, `unresolved`,
    /// `resolved`, …).
    SessionSetState(SessionSetState),
    /// `session:set_email`: a conversation's email changed.
    SessionSetEmail(SessionSetEmail),
    /// `session:set_phone`: a conversation's phone number changed.
    SessionSetPhone(SessionSetPhone),
    /// `session:set_nickname`: a conversation's nickname changed.
    SessionSetNickname(SessionSetNickname),
    /// `session:set_segments`: a conversation's segments changed.
    SessionSetSegments(SessionSetSegments),
    /// `session:set_block`: a conversation was blocked or unblocked.
    SessionSetBlock(SessionSetBlock),
    /// `session:removed`: a conversation was deleted.
    SessionRemoved(SessionRemoved),
    /// `people:profile:created`: a contact profile was created.
    PeopleProfileCreated(PeopleProfile),
    /// `people:profile:updated`: a contact profile changed.
    PeopleProfileUpdated(PeopleProfileUpdated),
    /// `people:profile:removed`: a contact profile was deleted.
    PeopleProfileRemoved(PeopleProfile),
    /// Any other event, with its name and its `data` untouched.
    Other {
        /// The event name, e.g. `message:compose:send`.
        name: String,
        /// The event's `data`, as sent.
        data: serde_json::Value,
    },
}

impl EventKind {
    /// The event's wire name, e.g. `message:send`.
    ///
    /// ```
    /// use crisp_api::webhook::Event;
    /// let event = Event::from_slice(br#"{"website_id":"w","event":"session:removed","data":{"session_id":"s"}}"#).unwrap();
    /// assert_eq!(event.kind.name(), "session:removed");
    /// ```
    pub fn name(&self) -> &str {
        match self {
            Self::MessageSend(_) => "message:send",
            Self::MessageReceived(_) => "message:received",
            Self::MessageUpdated(_) => "message:updated",
            Self::MessageRemoved(_) => "message:removed",
            Self::SessionSetState(_) => "session:set_state",
            Self::SessionSetEmail(_) => "session:set_email",
            Self::SessionSetPhone(_) => "session:set_phone",
            Self::SessionSetNickname(_) => "session:set_nickname",
            Self::SessionSetSegments(_) => "session:set_segments",
            Self::SessionSetBlock(_) => "session:set_block",
            Self::SessionRemoved(_) => "session:removed",
            Self::PeopleProfileCreated(_) => "people:profile:created",
            Self::PeopleProfileUpdated(_) => "people:profile:updated",
            Self::PeopleProfileRemoved(_) => "people:profile:removed",
            Self::Other { name, .. } => name,
        }
    }

    /// The conversation the event is about, for the typed conversation events (`None` for
    /// people events and [`Other`](EventKind::Other)).
    ///
    /// ```
    /// use crisp_api::webhook::Event;
    /// let event = Event::from_slice(br#"{"website_id":"w","event":"session:removed","data":{"session_id":"s"}}"#).unwrap();
    /// assert_eq!(event.kind.session_id(), Some("s"));
    /// ```
    pub fn session_id(&self) -> Option<&str> {
        match self {
            Self::MessageSend(m) | Self::MessageReceived(m) => Some(&m.session_id),
            Self::MessageUpdated(e) => Some(&e.session_id),
            Self::MessageRemoved(e) => Some(&e.session_id),
            Self::SessionSetState(e) => Some(&e.session_id),
            Self::SessionSetEmail(e) => Some(&e.session_id),
            Self::SessionSetPhone(e) => Some(&e.session_id),
            Self::SessionSetNickname(e) => Some(&e.session_id),
            Self::SessionSetSegments(e) => Some(&e.session_id),
            Self::SessionSetBlock(e) => Some(&e.session_id),
            Self::SessionRemoved(e) => Some(&e.session_id),
            Self::PeopleProfileCreated(_)
            | Self::PeopleProfileUpdated(_)
            | Self::PeopleProfileRemoved(_)
            | Self::Other { .. } => None,
        }
    }

    fn decode(name: String, data: serde_json::Value) -> Result<Self, serde_json::Error> {
        fn typed<T: serde::de::DeserializeOwned>(
            name: &str,
            data: serde_json::Value,
        ) -> Result<T, serde_json::Error> {
            serde_json::from_value(data).map_err(|e| {
                <serde_json::Error as serde::de::Error>::custom(format!("event `{name}`: {e}"))
            })
        }
        let kind = match name.as_str() {
            "message:send" => Self::MessageSend(typed(&name, data)?),
            "message:received" => Self::MessageReceived(typed(&name, data)?),
            "message:updated" => Self::MessageUpdated(typed(&name, data)?),
            "message:removed" => Self::MessageRemoved(typed(&name, data)?),
            "session:set_state" => Self::SessionSetState(typed(&name, data)?),
            "session:set_email" => Self::SessionSetEmail(typed(&name, data)?),
            "session:set_phone" => Self::SessionSetPhone(typed(&name, data)?),
            "session:set_nickname" => Self::SessionSetNickname(typed(&name, data)?),
            "session:set_segments" => Self::SessionSetSegments(typed(&name, data)?),
            "session:set_block" => Self::SessionSetBlock(typed(&name, data)?),
            "session:removed" => Self::SessionRemoved(typed(&name, data)?),
            "people:profile:created" => Self::PeopleProfileCreated(typed(&name, data)?),
            "people:profile:updated" => Self::PeopleProfileUpdated(typed(&name, data)?),
            "people:profile:removed" => Self::PeopleProfileRemoved(typed(&name, data)?),
            _ => Self::Other { name, data },
        };
        Ok(kind)
    }
}

/// A message, from `message:send` or `message:received`.
///
/// `content` is a string for `text` and `note` messages and an object for the others
/// (`file`, `picker`, `field`, `carousel`, `event`, …); [`text`](Message::text) reads the
/// former.
///
/// ```
/// use crisp_api::webhook::{Event, EventKind};
///
/// let event = Event::from_slice(br#"{"website_id":"w","event":"message:received","data":{
///     "session_id":"s","type":"file","from":"operator","origin":"chat","fingerprint":1,
///     "content":{"name":"a.png","url":"https://example.com/a.png","type":"image/png"}}}"#).unwrap();
/// let EventKind::MessageReceived(message) = event.kind else { unreachable!() };
/// assert_eq!(message.message_type, "file");
/// assert_eq!(message.text(), None);
/// assert_eq!(message.content["url"], "https://example.com/a.png");
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct Message {
    /// The conversation.
    pub session_id: String,
    /// The inbox the conversation is in, if any.
    #[serde(default)]
    pub inbox_id: Option<String>,
    /// The message type: `text`, `note`, `file`, `animation`, `audio`, `picker`, `field`,
    /// `carousel`, `event`, … (a string: Crisp adds types).
    #[serde(rename = "type")]
    pub message_type: String,
    /// Who sent it: `user` (the visitor) or `operator`.
    pub from: String,
    /// Where it came from: `chat`, `email`, `urn:…` for plugins, … (a string: Crisp adds
    /// origins).
    pub origin: String,
    /// The content: a JSON string for text-like types, an object otherwise.
    #[serde(default)]
    pub content: serde_json::Value,
    /// The message's unique number within the conversation.
    pub fingerprint: i64,
    /// When it was sent, in milliseconds since the epoch.
    #[serde(default)]
    pub timestamp: Option<i64>,
    /// Whether Crisp stamped it as delivered.
    #[serde(default)]
    pub stamped: Option<bool>,
    /// The user ids mentioned in it.
    #[serde(default)]
    pub mentions: Vec<String>,
    /// The sender, when known.
    #[serde(default)]
    pub user: Option<MessageUser>,
    /// Whether it was edited.
    #[serde(default)]
    pub edited: Option<bool>,
    /// Whether it was translated.
    #[serde(default)]
    pub translated: Option<bool>,
    /// Whether it was sent by an automation (a bot or a campaign).
    #[serde(default)]
    pub automated: Option<bool>,
}

impl Message {
    /// The content when it is a plain string (`text` and `note` messages).
    ///
    /// ```
    /// use crisp_api::webhook::{Event, EventKind};
    /// let event = Event::from_slice(br#"{"website_id":"w","event":"message:send","data":{
    ///     "session_id":"s","type":"text","from":"user","origin":"chat","fingerprint":1,"content":"Hi"}}"#).unwrap();
    /// let EventKind::MessageSend(message) = event.kind else { unreachable!() };
    /// assert_eq!(message.text(), Some("Hi"));
    /// ```
    pub fn text(&self) -> Option<&str> {
        self.content.as_str()
    }
}

/// The sender of a [`Message`].
///
/// ```
/// use crisp_api::webhook::{Event, EventKind};
/// let event = Event::from_slice(br#"{"website_id":"w","event":"message:send","data":{
///     "session_id":"s","type":"text","from":"user","origin":"chat","fingerprint":1,"content":"Hi",
///     "user":{"user_id":"session_x","nickname":"visitor1"}}}"#).unwrap();
/// let EventKind::MessageSend(message) = event.kind else { unreachable!() };
/// assert_eq!(message.user.unwrap().nickname.as_deref(), Some("visitor1"));
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct MessageUser {
    /// The kind of sender, when given (a string: Crisp adds kinds).
    #[serde(rename = "type", default)]
    pub user_type: Option<String>,
    /// The sender's user id (for a visitor, the session id).
    #[serde(default)]
    pub user_id: Option<String>,
    /// The sender's display name.
    #[serde(default)]
    pub nickname: Option<String>,
    /// The sender's avatar URL.
    #[serde(default)]
    pub avatar: Option<String>,
}

/// `message:updated`: a message's new content.
///
/// ```
/// use crisp_api::webhook::{Event, EventKind};
/// let event = Event::from_slice(br#"{"website_id":"w","event":"message:updated","data":{
///     "session_id":"s","fingerprint":42,"content":"Fixed typo"}}"#).unwrap();
/// let EventKind::MessageUpdated(update) = event.kind else { unreachable!() };
/// assert_eq!((update.fingerprint, update.content.as_str()), (42, Some("Fixed typo")));
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct MessageUpdated {
    /// The conversation.
    pub session_id: String,
    /// The inbox the conversation is in, if any.
    #[serde(default)]
    pub inbox_id: Option<String>,
    /// The fingerprint of the updated message.
    pub fingerprint: i64,
    /// The new content (string or object, as in [`Message::content`]).
    #[serde(default)]
    pub content: serde_json::Value,
}

/// `message:removed`: which message was deleted.
///
/// ```
/// use crisp_api::webhook::{Event, EventKind};
/// let event = Event::from_slice(br#"{"website_id":"w","event":"message:removed","data":{
///     "session_id":"s","fingerprint":42}}"#).unwrap();
/// let EventKind::MessageRemoved(removed) = event.kind else { unreachable!() };
/// assert_eq!(removed.fingerprint, 42);
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct MessageRemoved {
    /// The conversation.
    pub session_id: String,
    /// The inbox the conversation is in, if any.
    #[serde(default)]
    pub inbox_id: Option<String>,
    /// The fingerprint of the deleted message.
    pub fingerprint: i64,
}

/// `session:set_state`: a conversation's new state.
///
/// ```
/// use crisp_api::webhook::{Event, EventKind};
/// let event = Event::from_slice(br#"{"website_id":"w","event":"session:set_state","data":{
///     "session_id":"s","state":"resolved"}}"#).unwrap();
/// let EventKind::SessionSetState(e) = event.kind else { unreachable!() };
/// assert_eq!(e.state, "resolved");
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct SessionSetState {
    /// The conversation.
    pub session_id: String,
    /// The inbox the conversation is in, if any.
    #[serde(default)]
    pub inbox_id: Option<String>,
    /// The new state: `pending`, `unresolved`, `resolved`, … (a string: Crisp adds states).
    pub state: String,
}

/// `session:set_email`: a conversation's new email.
///
/// ```
/// use crisp_api::webhook::{Event, EventKind};
/// let event = Event::from_slice(br#"{"website_id":"w","event":"session:set_email","data":{
///     "session_id":"s","email":"jane@example.com"}}"#).unwrap();
/// let EventKind::SessionSetEmail(e) = event.kind else { unreachable!() };
/// assert_eq!(e.email.as_deref(), Some("jane@example.com"));
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct SessionSetEmail {
    /// The conversation.
    pub session_id: String,
    /// The inbox the conversation is in, if any.
    #[serde(default)]
    pub inbox_id: Option<String>,
    /// The new email (`None` if it was cleared).
    #[serde(default)]
    pub email: Option<String>,
}

/// `session:set_phone`: a conversation's new phone number.
///
/// ```
/// use crisp_api::webhook::{Event, EventKind};
/// let event = Event::from_slice(br#"{"website_id":"w","event":"session:set_phone","data":{
///     "session_id":"s","phone":"+33600000000"}}"#).unwrap();
/// let EventKind::SessionSetPhone(e) = event.kind else { unreachable!() };
/// assert_eq!(e.phone.as_deref(), Some("+33600000000"));
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct SessionSetPhone {
    /// The conversation.
    pub session_id: String,
    /// The inbox the conversation is in, if any.
    #[serde(default)]
    pub inbox_id: Option<String>,
    /// The new phone number (`None` if it was cleared).
    #[serde(default)]
    pub phone: Option<String>,
}

/// `session:set_nickname`: a conversation's new nickname.
///
/// ```
/// use crisp_api::webhook::{Event, EventKind};
/// let event = Event::from_slice(br#"{"website_id":"w","event":"session:set_nickname","data":{
///     "session_id":"s","nickname":"Jane"}}"#).unwrap();
/// let EventKind::SessionSetNickname(e) = event.kind else { unreachable!() };
/// assert_eq!(e.nickname.as_deref(), Some("Jane"));
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct SessionSetNickname {
    /// The conversation.
    pub session_id: String,
    /// The inbox the conversation is in, if any.
    #[serde(default)]
    pub inbox_id: Option<String>,
    /// The new nickname (`None` if it was cleared).
    #[serde(default)]
    pub nickname: Option<String>,
}

/// `session:set_segments`: a conversation's new segments.
///
/// ```
/// use crisp_api::webhook::{Event, EventKind};
/// let event = Event::from_slice(br#"{"website_id":"w","event":"session:set_segments","data":{
///     "session_id":"s","segments":["vip"]}}"#).unwrap();
/// let EventKind::SessionSetSegments(e) = event.kind else { unreachable!() };
/// assert_eq!(e.segments, ["vip"]);
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct SessionSetSegments {
    /// The conversation.
    pub session_id: String,
    /// The inbox the conversation is in, if any.
    #[serde(default)]
    pub inbox_id: Option<String>,
    /// The segments, all of them (not only the added ones).
    #[serde(default)]
    pub segments: Vec<String>,
}

/// `session:set_block`: whether a conversation is now blocked.
///
/// ```
/// use crisp_api::webhook::{Event, EventKind};
/// let event = Event::from_slice(br#"{"website_id":"w","event":"session:set_block","data":{
///     "session_id":"s","is_blocked":true}}"#).unwrap();
/// let EventKind::SessionSetBlock(e) = event.kind else { unreachable!() };
/// assert!(e.is_blocked);
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct SessionSetBlock {
    /// The conversation.
    pub session_id: String,
    /// The inbox the conversation is in, if any.
    #[serde(default)]
    pub inbox_id: Option<String>,
    /// Whether the visitor is now blocked.
    pub is_blocked: bool,
}

/// `session:removed`: which conversation was deleted.
///
/// ```
/// use crisp_api::webhook::{Event, EventKind};
/// let event = Event::from_slice(br#"{"website_id":"w","event":"session:removed","data":{
///     "session_id":"s"}}"#).unwrap();
/// let EventKind::SessionRemoved(e) = event.kind else { unreachable!() };
/// assert_eq!(e.session_id, "s");
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct SessionRemoved {
    /// The deleted conversation.
    pub session_id: String,
    /// The inbox the conversation was in, if any.
    #[serde(default)]
    pub inbox_id: Option<String>,
}

/// `people:profile:created` and `people:profile:removed`: which contact profile.
///
/// ```
/// use crisp_api::webhook::{Event, EventKind};
/// let event = Event::from_slice(br#"{"website_id":"w","event":"people:profile:removed","data":{
///     "people_id":"p","email":"jane@example.com"}}"#).unwrap();
/// let EventKind::PeopleProfileRemoved(e) = event.kind else { unreachable!() };
/// assert_eq!((e.people_id.as_str(), e.email.as_deref()), ("p", Some("jane@example.com")));
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct PeopleProfile {
    /// The contact profile.
    pub people_id: String,
    /// Its email, if it has one.
    #[serde(default)]
    pub email: Option<String>,
}

/// `people:profile:updated`: a contact profile and the part of it that changed.
///
/// ```
/// use crisp_api::webhook::{Event, EventKind};
/// let event = Event::from_slice(br#"{"website_id":"w","event":"people:profile:updated","data":{
///     "people_id":"p","email":"jane@example.com","update":{"person":{"nickname":"Jane"}}}}"#).unwrap();
/// let EventKind::PeopleProfileUpdated(e) = event.kind else { unreachable!() };
/// assert_eq!(e.update["person"]["nickname"], "Jane");
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct PeopleProfileUpdated {
    /// The contact profile.
    pub people_id: String,
    /// Its email, if it has one.
    #[serde(default)]
    pub email: Option<String>,
    /// The changed part of the profile, shaped like a profile (`email`, `person`,
    /// `company`, `segments`, …), as sent.
    #[serde(default)]
    pub update: serde_json::Value,
}
