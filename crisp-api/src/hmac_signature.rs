//! What [`crate::webhook`] and [`crate::signed_request`] share to check an HMAC-SHA256
//! signature: a keyed MAC that never shows its secret, the lowercase hex of a MAC over a
//! message given in parts, a constant-time comparison with a (prefixed) hex signature, a
//! window of tolerance around a replaceable clock, and reading a header value. Each module
//! keeps its own message layout, timestamp unit, headers and error type.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync + 'static>;

/// The lowercase hex of `HMAC-SHA256(secret, parts concatenated)`.
pub(crate) fn sign_hex(secret: &[u8], parts: &[&[u8]]) -> String {
    finish_hex(keyed(secret), parts)
}

fn keyed(secret: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length: longer ones are hashed, shorter ones padded.
    <HmacSha256 as Mac>::new_from_slice(secret).expect("HMAC accepts keys of any length")
}

fn fed(mut mac: HmacSha256, parts: &[&[u8]]) -> HmacSha256 {
    for part in parts {
        mac.update(part);
    }
    mac
}

fn finish_hex(mac: HmacSha256, parts: &[&[u8]]) -> String {
    hex::encode(fed(mac, parts).finalize().into_bytes())
}

/// The key of one signing secret, with the tolerance and clock that freshness is checked
/// against. Its `Debug` output (named `Verifier`, as the public types that hold it) shows the
/// tolerance, never the secret.
#[derive(Clone)]
pub(crate) struct SignatureKey {
    mac: HmacSha256,
    empty_secret: bool,
    tolerance: Duration,
    clock: Clock,
}

impl fmt::Debug for SignatureKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("secret", &"<redacted>")
            .field("tolerance", &self.tolerance)
            .finish_non_exhaustive()
    }
}

/// Why a correctly signed timestamp is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Skew {
    /// Older than the tolerance by this age.
    Stale(Duration),
    /// Further ahead of the clock than the tolerance, by this much.
    Future(Duration),
}

impl SignatureKey {
    /// A key for `secret` with `tolerance` and the system clock.
    pub(crate) fn new(secret: &[u8], tolerance: Duration) -> Self {
        Self {
            mac: keyed(secret),
            empty_secret: secret.is_empty(),
            tolerance,
            clock: Arc::new(SystemTime::now),
        }
    }

    /// Whether the secret was empty (anyone could then forge a signature).
    pub(crate) fn secret_is_empty(&self) -> bool {
        self.empty_secret
    }

    pub(crate) fn set_tolerance(&mut self, tolerance: Duration) {
        self.tolerance = tolerance;
    }

    pub(crate) fn set_clock(&mut self, clock: impl Fn() -> SystemTime + Send + Sync + 'static) {
        self.clock = Arc::new(clock);
    }

    /// The clock's time since the epoch (zero for a time before it).
    pub(crate) fn since_epoch(&self) -> Duration {
        (self.clock)()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
    }

    /// The lowercase hex of the MAC of `parts` concatenated.
    pub(crate) fn sign_hex(&self, parts: &[&[u8]]) -> String {
        finish_hex(self.mac.clone(), parts)
    }

    /// Whether `expected` is the MAC of `parts` concatenated, compared in constant time.
    pub(crate) fn matches(&self, parts: &[&[u8]], expected: &[u8]) -> bool {
        // `verify_slice` compares in constant time (and rejects a wrong length).
        fed(self.mac.clone(), parts).verify_slice(expected).is_ok()
    }

    /// Whether a timestamp `at` (since the epoch) is within the tolerance of `now` (since
    /// the epoch, in the unit the caller reads its clock in), either way.
    pub(crate) fn check_freshness(&self, at: Duration, now: Duration) -> Result<(), Skew> {
        if at > now {
            let ahead = at - now;
            if ahead > self.tolerance {
                return Err(Skew::Future(ahead));
            }
        } else {
            let age = now - at;
            if age > self.tolerance {
                return Err(Skew::Stale(age));
            }
        }
        Ok(())
    }
}

/// The bytes of a signature header value: surrounding white space trimmed, `prefix` (which
/// may be empty) removed, then hex digits of either case. `None` when it is not that shape.
pub(crate) fn decode_signature(value: &str, prefix: &str) -> Option<Vec<u8>> {
    value
        .trim()
        .strip_prefix(prefix)
        .and_then(|hex_digits| hex::decode(hex_digits).ok())
}

/// A timestamp header value: 1 to `max_digits` decimal digits, nothing else (no sign, no
/// spaces); `None` otherwise, or when it does not fit a `u64`.
pub(crate) fn parse_decimal(value: &str, max_digits: usize) -> Option<u64> {
    if value.is_empty() || value.len() > max_digits || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value.parse().ok()
}

/// The value of the header `name`, `None` when absent, or `malformed` when it is not visible
/// ASCII.
pub(crate) fn header<'a, E>(
    headers: &'a http::HeaderMap,
    name: &'static str,
    malformed: E,
) -> Result<Option<&'a str>, E> {
    match headers.get(name) {
        None => Ok(None),
        Some(value) => value.to_str().map(Some).map_err(|_| malformed),
    }
}

/// A header map of the `(name, value)` pairs; a value that cannot be a header value is left
/// out.
pub(crate) fn header_map(pairs: &[(&'static str, &str)]) -> http::HeaderMap {
    let mut headers = http::HeaderMap::new();
    for (name, value) in pairs {
        if let Ok(value) = http::HeaderValue::from_str(value) {
            headers.insert(*name, value);
        }
    }
    headers
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_holds_its_edges_and_names_the_side() {
        let key = SignatureKey::new(b"k", Duration::from_secs(300));
        let now = Duration::from_secs(1_800_000_000);
        let s = Duration::from_secs;
        assert_eq!(key.check_freshness(now, now), Ok(()));
        assert_eq!(key.check_freshness(now - s(300), now), Ok(()));
        assert_eq!(key.check_freshness(now + s(300), now), Ok(()));
        assert_eq!(
            key.check_freshness(now - s(301), now),
            Err(Skew::Stale(s(301)))
        );
        assert_eq!(
            key.check_freshness(now + s(301), now),
            Err(Skew::Future(s(301)))
        );
    }

    #[test]
    fn the_key_and_the_free_function_agree_and_compare_exactly() {
        let key = SignatureKey::new(b"hush-hush", Duration::ZERO);
        let parts: &[&[u8]] = &[b"[", b"1", b";", b"{}", b"]"];
        let hex_mac = key.sign_hex(parts);
        assert_eq!(hex_mac, sign_hex(b"hush-hush", parts));
        let bytes = hex::decode(&hex_mac).unwrap();
        assert!(key.matches(parts, &bytes));
        assert!(!key.matches(&[b"[", b"2", b";", b"{}", b"]"], &bytes));
        assert!(!key.matches(parts, &bytes[..31]));
        assert!(!format!("{key:?}").contains("hush"));
        assert!(!SignatureKey::new(b"", Duration::ZERO).matches(parts, &bytes));
        assert!(SignatureKey::new(b"", Duration::ZERO).secret_is_empty());
    }

    #[test]
    fn signatures_and_timestamps_have_one_shape() {
        assert_eq!(decode_signature(" sha256=0A ", "sha256="), Some(vec![10]));
        assert_eq!(decode_signature("0a", "sha256="), None);
        assert_eq!(decode_signature("0a", ""), Some(vec![10]));
        assert_eq!(decode_signature("zz", ""), None);
        assert_eq!(parse_decimal("12", 2), Some(12));
        assert_eq!(parse_decimal("123", 2), None);
        assert_eq!(parse_decimal("", 2), None);
        assert_eq!(parse_decimal("+1", 2), None);
        assert_eq!(parse_decimal("99999999999999999999", 20), None);
    }
}
