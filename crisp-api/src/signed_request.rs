//! Verify the requests Crisp signs: the calls Hugo, Crisp's AI agent, makes to your MCP
//! server.
//!
//! Crisp's guide "Hugo MCP API: request signing" (docs.crisp.chat/guides/hugo/mcp-api/
//! request-signing): every request Hugo sends to an MCP integration carries
//! - [`WEBSITE_ID_HEADER`] (`X-Crisp-Website-Id`): the Crisp website it is made for;
//! - [`TIMESTAMP_HEADER`] (`X-Crisp-Timestamp`): when, in Unix seconds;
//! - [`SIGNATURE_HEADER`] (`X-Crisp-Signature`): `sha256=` and the lowercase hex of
//!   `HMAC-SHA256(secret, "{timestamp}.{website_id}.{raw body}")`, where `secret` is the
//!   integration's signing secret (`mcp_sec_…`, in Hugo > Integrations);
//! - and, when the call belongs to a conversation, [`SESSION_ID_HEADER`]
//!   (`X-Crisp-Session-Id`), which the signature does **not** cover.
//!
//! The header name `X-Crisp-Signature` is the one plugin web hooks use, with another scheme
//! ([`crate::webhook`] signs `[timestamp;body]` with the plugin's secret); the two verifiers
//! are not interchangeable.
//!
//! A [`Verifier`] checks a request as [`crate::webhook::Verifier`] checks web hooks: over
//! the raw bytes of the body, comparing in constant time, refusing a timestamp further than
//! its tolerance (300 s by default, as Crisp's guide) from its clock in either direction,
//! with a typed [`SignedRequestError`] for each reason; neither the verifier nor an error
//! ever shows the secret, and errors do not repeat the headers a client sent.
//!
//! ```
//! use crisp_api::signed_request::Verifier;
//!
//! # fn main() -> Result<(), crisp_api::signed_request::SignedRequestError> {
//! let verifier = Verifier::new("mcp_sec_your-integration-secret");
//!
//! // In a real handler: the request's headers and its raw, unparsed body.
//! let body = br#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#;
//! let headers = verifier
//!     .sign_now("8c842203-7ed8-4e29-a608-7cf78a7d2fcc", body)
//!     .to_header_map();
//!
//! let request = verifier.verify_headers(&headers, body)?;
//! assert_eq!(request.website_id, "8c842203-7ed8-4e29-a608-7cf78a7d2fcc");
//! assert_eq!(request.session_id, None);
//!
//! let forged = br#"{"jsonrpc":"2.0","id":1,"method":"tools/call"}"#;
//! assert!(verifier.verify_headers(&headers, forged).is_err());
//! # Ok(())
//! # }
//! ```

use std::fmt;
use std::time::{Duration, SystemTime};

use crate::hmac_signature::{self, SignatureKey, Skew};

/// The header naming the Crisp website the request is made for (covered by the signature).
///
/// ```
/// assert_eq!(crisp_api::signed_request::WEBSITE_ID_HEADER, "x-crisp-website-id");
/// ```
pub const WEBSITE_ID_HEADER: &str = "x-crisp-website-id";

/// The header carrying the request's time, Unix seconds in decimal (covered by the
/// signature).
///
/// ```
/// assert_eq!(crisp_api::signed_request::TIMESTAMP_HEADER, "x-crisp-timestamp");
/// ```
pub const TIMESTAMP_HEADER: &str = "x-crisp-timestamp";

/// The header carrying the signature, `sha256=` and 64 lowercase hex digits.
///
/// ```
/// assert_eq!(crisp_api::signed_request::SIGNATURE_HEADER, "x-crisp-signature");
/// ```
pub const SIGNATURE_HEADER: &str = "x-crisp-signature";

/// The header naming the conversation a request belongs to, when it belongs to one. The
/// signature does not cover it: treat it as a hint, not as proof.
///
/// ```
/// assert_eq!(crisp_api::signed_request::SESSION_ID_HEADER, "x-crisp-session-id");
/// ```
pub const SESSION_ID_HEADER: &str = "x-crisp-session-id";

/// How far a request's timestamp may be from the verifier's clock, either way, by default:
/// 300 s, as in Crisp's guide.
///
/// ```
/// use std::time::Duration;
/// assert_eq!(crisp_api::signed_request::DEFAULT_TOLERANCE, Duration::from_secs(300));
/// ```
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

/// What the signature header starts with.
const PREFIX: &str = "sha256=";

/// The value of [`SIGNATURE_HEADER`] for a request: `sha256=` and the lowercase hex of
/// `HMAC-SHA256(secret, "{timestamp}.{website_id}.{body}")`. `timestamp` is written with
/// its `Display` form: pass the exact header string, or the integer that produced it.
/// Useful to sign requests in tests.
///
/// ```
/// use crisp_api::signed_request::sign;
///
/// // The first of the test vectors computed with Python's `hmac`
/// // (tests/vectors/hugo_mcp_request_signing.json).
/// let body = br#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"lookup_order","arguments":{"order_id":"A-1042"}}}"#;
/// let signature = sign(
///     "mcp_sec_4b1d0c2e9f8a7b6c5d4e3f2a1b0c9d8e",
///     1_774_900_000_u64,
///     "8c842203-7ed8-4e29-a608-7cf78a7d2fcc",
///     body,
/// );
/// assert_eq!(signature, "sha256=a7092c95d8dbd4b294c55a8e8dbe9761100fbc5152eac560581da4edc69cc521");
/// ```
pub fn sign(
    secret: impl AsRef<[u8]>,
    timestamp: impl fmt::Display,
    website_id: &str,
    body: &[u8],
) -> String {
    let timestamp = timestamp.to_string();
    let message = message(&timestamp, website_id, body);
    format!(
        "{PREFIX}{}",
        hmac_signature::sign_hex(secret.as_ref(), &message)
    )
}

/// What is signed, in parts: the timestamp, `.`, the website id, `.`, the body.
fn message<'a>(timestamp: &'a str, website_id: &'a str, body: &'a [u8]) -> [&'a [u8]; 5] {
    [
        timestamp.as_bytes(),
        b".",
        website_id.as_bytes(),
        b".",
        body,
    ]
}

/// Checks the signature and freshness of the requests Crisp signs for one MCP integration.
///
/// Build one per signing secret and share it (it is `Clone`, `Send` and `Sync`). Its
/// `Debug` output never shows the secret.
///
/// ```
/// use crisp_api::signed_request::Verifier;
/// use std::time::Duration;
///
/// let verifier = Verifier::new("mcp_sec_secret").tolerance(Duration::from_secs(60));
/// assert!(!format!("{verifier:?}").contains("mcp_sec_secret"));
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

/// A verified request: who it is for, and when it was signed.
///
/// ```
/// use crisp_api::signed_request::Verifier;
///
/// let verifier = Verifier::new("mcp_sec_secret");
/// let mut headers = verifier.sign_now("website-1", b"{}").to_header_map();
/// headers.insert("x-crisp-session-id", "session_1".parse().unwrap());
/// let request = verifier.verify_headers(&headers, b"{}").unwrap();
/// assert_eq!(request.website_id, "website-1");
/// assert_eq!(request.session_id.as_deref(), Some("session_1"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignedRequest {
    /// The website the request is made for ([`WEBSITE_ID_HEADER`], covered by the
    /// signature).
    pub website_id: String,
    /// When it was signed, in Unix seconds ([`TIMESTAMP_HEADER`]).
    pub timestamp: u64,
    /// The conversation it belongs to, if any ([`SESSION_ID_HEADER`]): **not** covered by
    /// the signature.
    pub session_id: Option<String>,
}

impl Verifier {
    /// A verifier for `secret`, the MCP integration's signing secret, with a tolerance of
    /// [`DEFAULT_TOLERANCE`] and the system clock.
    ///
    /// An empty `secret` would let anyone forge signatures (and is almost always an unset
    /// configuration variable): every verification then fails with
    /// [`SignedRequestError::EmptySecret`].
    ///
    /// ```
    /// let verifier = crisp_api::signed_request::Verifier::new("mcp_sec_secret");
    /// # let _ = verifier;
    /// ```
    pub fn new(secret: impl AsRef<[u8]>) -> Self {
        Self {
            key: SignatureKey::new(secret.as_ref(), DEFAULT_TOLERANCE),
        }
    }

    /// How far a request's timestamp may be from the clock, in the past or in the future
    /// (default [`DEFAULT_TOLERANCE`], 300 s).
    ///
    /// ```
    /// use std::time::Duration;
    /// let verifier = crisp_api::signed_request::Verifier::new("s").tolerance(Duration::from_secs(30));
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
    /// use crisp_api::signed_request::{sign, SignedRequestError, Verifier};
    ///
    /// let verifier = Verifier::new("s").clock(|| UNIX_EPOCH + Duration::from_secs(1_700_000_400));
    /// let signature = sign("s", 1_700_000_000_u64, "w", b"{}");
    /// assert!(matches!(
    ///     verifier.verify(Some("w"), Some("1700000000"), Some(&signature), b"{}"),
    ///     Err(SignedRequestError::Stale { .. })
    /// ));
    /// ```
    #[must_use]
    pub fn clock(mut self, clock: impl Fn() -> SystemTime + Send + Sync + 'static) -> Self {
        self.key.set_clock(clock);
        self
    }

    /// Verifies a request from the values of its [`WEBSITE_ID_HEADER`],
    /// [`TIMESTAMP_HEADER`] and [`SIGNATURE_HEADER`] and its raw body, exactly as received.
    ///
    /// The checks, in order: the three headers are present (and the website id is not
    /// empty); the timestamp is a decimal integer (Unix seconds); the signature is
    /// `sha256=` and hex; it matches, compared in constant time; the timestamp is within the
    /// tolerance of the clock. [`SignedRequestError::Stale`] and
    /// [`SignedRequestError::Future`] are therefore only ever returned for correctly signed
    /// requests.
    ///
    /// ```
    /// use crisp_api::signed_request::{SignedRequestError, Verifier};
    ///
    /// let verifier = Verifier::new("mcp_sec_secret");
    /// let body = br#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#;
    /// let signed = verifier.sign_now("website-1", body);
    /// let verify = |website: &str, body: &[u8]| {
    ///     verifier.verify(Some(website), Some(&signed.timestamp), Some(&signed.signature), body)
    /// };
    /// assert!(verify("website-1", body).is_ok());
    /// // Another website, or another body: the signature no longer matches.
    /// assert!(matches!(verify("website-2", body), Err(SignedRequestError::SignatureMismatch)));
    /// assert!(matches!(verify("website-1", b"{}"), Err(SignedRequestError::SignatureMismatch)));
    /// ```
    pub fn verify(
        &self,
        website_id_header: Option<&str>,
        timestamp_header: Option<&str>,
        signature_header: Option<&str>,
        body: &[u8],
    ) -> Result<(), SignedRequestError> {
        self.check(website_id_header, timestamp_header, signature_header, body)
            .map(|_| ())
    }

    /// [`verify`](Self::verify) with the headers read from `headers`; returns what the
    /// request is for.
    ///
    /// A header whose value is not visible ASCII counts as malformed
    /// ([`SignedRequestError::MissingHeader`] for the website id,
    /// [`SignedRequestError::InvalidTimestamp`] or [`SignedRequestError::InvalidSignature`]).
    ///
    /// ```
    /// use crisp_api::signed_request::{SignedRequestError, Verifier};
    ///
    /// let verifier = Verifier::new("mcp_sec_secret");
    /// let headers = verifier.sign_now("website-1", b"{}").to_header_map();
    /// assert_eq!(verifier.verify_headers(&headers, b"{}").unwrap().website_id, "website-1");
    /// assert!(matches!(
    ///     verifier.verify_headers(&http::HeaderMap::new(), b"{}"),
    ///     Err(SignedRequestError::MissingHeader(_))
    /// ));
    /// ```
    pub fn verify_headers(
        &self,
        headers: &http::HeaderMap,
        body: &[u8],
    ) -> Result<SignedRequest, SignedRequestError> {
        let header = hmac_signature::header;
        let website_id = header(
            headers,
            WEBSITE_ID_HEADER,
            SignedRequestError::MissingHeader(WEBSITE_ID_HEADER),
        )?;
        let timestamp = header(
            headers,
            TIMESTAMP_HEADER,
            SignedRequestError::InvalidTimestamp,
        )?;
        let signature = header(
            headers,
            SIGNATURE_HEADER,
            SignedRequestError::InvalidSignature,
        )?;
        let timestamp = self.check(website_id, timestamp, signature, body)?;
        Ok(SignedRequest {
            website_id: website_id.unwrap_or_default().to_string(),
            timestamp,
            session_id: headers
                .get(SESSION_ID_HEADER)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
        })
    }

    /// Signs `body` for `website_id` as Crisp would, at the verifier's current clock time:
    /// the header values a test request needs.
    ///
    /// ```
    /// let verifier = crisp_api::signed_request::Verifier::new("mcp_sec_secret");
    /// let signed = verifier.sign_now("website-1", b"{}");
    /// assert!(signed.signature.starts_with("sha256="));
    /// assert!(verifier
    ///     .verify(Some("website-1"), Some(&signed.timestamp), Some(&signed.signature), b"{}")
    ///     .is_ok());
    /// ```
    pub fn sign_now(&self, website_id: &str, body: &[u8]) -> SignedHeaders {
        let timestamp = self.key.since_epoch().as_secs().to_string();
        let signature = self.key.sign_hex(&message(&timestamp, website_id, body));
        SignedHeaders {
            website_id: website_id.to_string(),
            timestamp,
            signature: format!("{PREFIX}{signature}"),
        }
    }

    /// The checks of [`verify`](Self::verify); returns the timestamp.
    fn check(
        &self,
        website_id: Option<&str>,
        timestamp: Option<&str>,
        signature: Option<&str>,
        body: &[u8],
    ) -> Result<u64, SignedRequestError> {
        if self.key.secret_is_empty() {
            return Err(SignedRequestError::EmptySecret);
        }
        let website_id = website_id
            .filter(|w| !w.is_empty())
            .ok_or(SignedRequestError::MissingHeader(WEBSITE_ID_HEADER))?;
        let timestamp = timestamp.ok_or(SignedRequestError::MissingHeader(TIMESTAMP_HEADER))?;
        let signature = signature.ok_or(SignedRequestError::MissingHeader(SIGNATURE_HEADER))?;
        let seconds = parse_timestamp(timestamp)?;
        let expected = hmac_signature::decode_signature(signature, PREFIX)
            .ok_or(SignedRequestError::InvalidSignature)?;
        if !self
            .key
            .matches(&message(timestamp, website_id, body), &expected)
        {
            return Err(SignedRequestError::SignatureMismatch);
        }

        self.key
            .check_freshness(Duration::from_secs(seconds), self.key.since_epoch())
            .map_err(|skew| match skew {
                Skew::Stale(age) => SignedRequestError::Stale { age },
                Skew::Future(ahead) => SignedRequestError::Future { ahead },
            })?;
        Ok(seconds)
    }
}

/// Unix seconds of a header value: decimal digits only, at most 11 of them (the year 5138).
fn parse_timestamp(value: &str) -> Result<u64, SignedRequestError> {
    hmac_signature::parse_decimal(value, 11).ok_or(SignedRequestError::InvalidTimestamp)
}

/// The header values of a signed request, as made by [`Verifier::sign_now`].
///
/// ```
/// let signed = crisp_api::signed_request::Verifier::new("s").sign_now("website-1", b"{}");
/// let headers = signed.to_header_map();
/// assert_eq!(headers[crisp_api::signed_request::SIGNATURE_HEADER], signed.signature.as_str());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedHeaders {
    /// The value of [`WEBSITE_ID_HEADER`].
    pub website_id: String,
    /// The value of [`TIMESTAMP_HEADER`]: Unix seconds, in decimal.
    pub timestamp: String,
    /// The value of [`SIGNATURE_HEADER`]: `sha256=` and 64 lowercase hex digits.
    pub signature: String,
}

impl SignedHeaders {
    /// A header map holding the three headers (a website id that cannot be a header value
    /// is left out).
    ///
    /// ```
    /// let headers = crisp_api::signed_request::Verifier::new("s")
    ///     .sign_now("website-1", b"{}")
    ///     .to_header_map();
    /// assert_eq!(headers.len(), 3);
    /// ```
    pub fn to_header_map(&self) -> http::HeaderMap {
        hmac_signature::header_map(&[
            (WEBSITE_ID_HEADER, &self.website_id),
            (TIMESTAMP_HEADER, &self.timestamp),
            (SIGNATURE_HEADER, &self.signature),
        ])
    }
}

/// Why a signed request was refused.
///
/// Neither `Display` nor `Debug` contains the secret, or repeats a header's value (the
/// sender chose it). [`status`](Self::status) gives the HTTP status to answer with.
///
/// ```
/// use crisp_api::signed_request::{SignedRequestError, Verifier};
///
/// let error = Verifier::new("s")
///     .verify(Some("w"), Some("1700000000"), Some("sha256=zz"), b"{}")
///     .unwrap_err();
/// assert!(matches!(error, SignedRequestError::InvalidSignature));
/// assert_eq!(error.status(), http::StatusCode::UNAUTHORIZED);
/// println!("refused: {error}");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignedRequestError {
    /// The verifier was built with an empty secret, so nothing can be trusted.
    EmptySecret,
    /// A required header is absent (or, for the website id, empty); holds its lowercase
    /// name.
    MissingHeader(&'static str),
    /// The timestamp header is not a decimal integer of at most 11 digits.
    InvalidTimestamp,
    /// The signature header is not `sha256=` followed by hex digits.
    InvalidSignature,
    /// The signature does not match the timestamp, website id, body and secret.
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
}

impl SignedRequestError {
    /// The HTTP status to answer with: `401 Unauthorized`.
    ///
    /// ```
    /// use crisp_api::signed_request::SignedRequestError;
    /// assert_eq!(SignedRequestError::SignatureMismatch.status(), http::StatusCode::UNAUTHORIZED);
    /// ```
    pub fn status(&self) -> http::StatusCode {
        http::StatusCode::UNAUTHORIZED
    }
}

impl fmt::Display for SignedRequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::EmptySecret => f.write_str("the request signing secret is empty"),
            Self::MissingHeader(name) => write!(f, "signed request header `{name}` is missing"),
            Self::InvalidTimestamp => {
                f.write_str("signed request timestamp is not a decimal number of seconds")
            }
            Self::InvalidSignature => {
                f.write_str("signed request signature is not `sha256=` and hex digits")
            }
            Self::SignatureMismatch => f.write_str("signed request signature does not match"),
            Self::Stale { age } => write!(
                f,
                "signed request timestamp is {} s old, beyond the tolerance",
                age.as_secs()
            ),
            Self::Future { ahead } => write!(
                f,
                "signed request timestamp is {} s in the future, beyond the tolerance",
                ahead.as_secs()
            ),
        }
    }
}

impl std::error::Error for SignedRequestError {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    const SECRET: &str = "mcp_sec_unit-test-secret";

    fn at(seconds: u64) -> Verifier {
        Verifier::new(SECRET).clock(move || UNIX_EPOCH + Duration::from_secs(seconds))
    }

    #[test]
    fn the_window_is_300_seconds_either_way() {
        let body = b"{}";
        let signed = |ts: u64| sign(SECRET, ts, "w", body);
        let verifier = at(1_800_000_000);
        for ts in [1_800_000_000 - 300, 1_800_000_000, 1_800_000_000 + 300] {
            assert_eq!(
                verifier.verify(Some("w"), Some(&ts.to_string()), Some(&signed(ts)), body),
                Ok(()),
                "{ts}"
            );
        }
        let stale = 1_800_000_000 - 301;
        assert_eq!(
            verifier.verify(
                Some("w"),
                Some(&stale.to_string()),
                Some(&signed(stale)),
                body
            ),
            Err(SignedRequestError::Stale {
                age: Duration::from_secs(301)
            })
        );
        let ahead = 1_800_000_000 + 301;
        assert_eq!(
            verifier.verify(
                Some("w"),
                Some(&ahead.to_string()),
                Some(&signed(ahead)),
                body
            ),
            Err(SignedRequestError::Future {
                ahead: Duration::from_secs(301)
            })
        );
    }

    #[test]
    fn each_malformed_header_has_its_error() {
        let v = at(1_800_000_000);
        let good = sign(SECRET, 1_800_000_000u64, "w", b"");
        let ts = Some("1800000000");
        type Case<'a> = (
            Option<&'a str>,
            Option<&'a str>,
            Option<&'a str>,
            SignedRequestError,
        );
        let cases: Vec<Case<'_>> = vec![
            (
                None,
                ts,
                Some(&good),
                SignedRequestError::MissingHeader(WEBSITE_ID_HEADER),
            ),
            (
                Some(""),
                ts,
                Some(&good),
                SignedRequestError::MissingHeader(WEBSITE_ID_HEADER),
            ),
            (
                Some("w"),
                None,
                Some(&good),
                SignedRequestError::MissingHeader(TIMESTAMP_HEADER),
            ),
            (
                Some("w"),
                ts,
                None,
                SignedRequestError::MissingHeader(SIGNATURE_HEADER),
            ),
            (
                Some("w"),
                Some("-1"),
                Some(&good),
                SignedRequestError::InvalidTimestamp,
            ),
            (
                Some("w"),
                Some("1.5"),
                Some(&good),
                SignedRequestError::InvalidTimestamp,
            ),
            (
                Some("w"),
                Some("99999999999999999999"),
                Some(&good),
                SignedRequestError::InvalidTimestamp,
            ),
            (
                Some("w"),
                ts,
                Some(&good[7..]),
                SignedRequestError::InvalidSignature,
            ),
            (
                Some("w"),
                ts,
                Some("sha256=xyz"),
                SignedRequestError::InvalidSignature,
            ),
            (
                Some("w"),
                ts,
                Some("sha1=00"),
                SignedRequestError::InvalidSignature,
            ),
            (
                Some("w"),
                ts,
                Some("sha256=00"),
                SignedRequestError::SignatureMismatch,
            ),
            (
                Some("w"),
                Some("1800000001"),
                Some(&good),
                SignedRequestError::SignatureMismatch,
            ),
        ];
        for (website, timestamp, signature, expected) in cases {
            assert_eq!(
                v.verify(website, timestamp, signature, b""),
                Err(expected.clone()),
                "{website:?} {timestamp:?} {signature:?}"
            );
        }
        // Upper-case hex and surrounding spaces are the same signature.
        let upper = format!(" sha256={} ", good[7..].to_uppercase());
        assert_eq!(v.verify(Some("w"), ts, Some(&upper), b""), Ok(()));
    }

    #[test]
    fn an_empty_secret_verifies_nothing() {
        let v = Verifier::new("");
        let signed = v.sign_now("w", b"{}");
        assert_eq!(
            v.verify(
                Some("w"),
                Some(&signed.timestamp),
                Some(&signed.signature),
                b"{}"
            ),
            Err(SignedRequestError::EmptySecret)
        );
    }

    #[test]
    fn nothing_shows_the_secret() {
        let v = at(1_800_000_000);
        assert!(!format!("{v:?}").contains(SECRET));
        let errors = [
            v.verify(Some("w"), Some("1800000000"), Some("sha256=00"), b"")
                .unwrap_err(),
            v.verify(Some("w"), Some("x"), Some(SECRET), b"")
                .unwrap_err(),
        ];
        for e in errors {
            assert!(!format!("{e} {e:?}").contains(SECRET));
        }
    }
}
