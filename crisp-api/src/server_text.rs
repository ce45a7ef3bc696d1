//! Text that came from a server, made safe to keep in an [`Error`](crate::Error): every
//! reason, message, body excerpt and cause chain goes through [`Scrubber::clean`] (or
//! [`printable`] where no credentials are involved) before it is stored.

use crate::Credentials;
use base64::Engine as _;
use std::borrow::Cow;
use std::fmt;

/// The most characters of server text kept in one field.
pub(crate) const MAX_CHARS: usize = 500;

/// What replaces a credential found in server text.
const REDACTED: &str = "<redacted>";

/// Removes the client's credentials from server text: the key, the `Authorization` value
/// and its base64 part, and the base64 of the key alone. A server that echoes what it was
/// sent (a debugging proxy, a 401 page) must not put them into errors or log lines.
#[derive(Clone, Default)]
pub(crate) struct Scrubber {
    /// The forms the credentials can take in text, longest first, with control characters
    /// replaced as [`printable`] replaces them in the text.
    needles: Vec<String>,
}

impl Scrubber {
    /// A scrubber for these credentials.
    pub(crate) fn new(credentials: &Credentials) -> Self {
        let key = credentials.key();
        let pair = format!("{}:{key}", credentials.identifier());
        let padded = base64::engine::general_purpose::STANDARD;
        let unpadded = base64::engine::general_purpose::STANDARD_NO_PAD;
        // Padded and unpadded: the padded form (longer) is removed first, the unpadded one
        // catches a token whose padding was dropped or cut.
        let needles = [
            padded.encode(&pair),
            unpadded.encode(&pair),
            padded.encode(key),
            unpadded.encode(key),
            key.to_string(),
            // As Rust's `Debug` and JSON quote it (serde's errors quote values that way).
            key.escape_debug().to_string(),
        ];
        let mut needles: Vec<String> = needles
            .iter()
            .filter(|n| !n.is_empty())
            .map(|n| replace_controls(n).into_owned())
            .collect();
        needles.sort_by_key(|n| std::cmp::Reverse(n.len()));
        needles.dedup();
        Self { needles }
    }

    /// The one gate for server text: control characters replaced, the credentials removed,
    /// then cut at [`MAX_CHARS`] characters (marked `…`).
    pub(crate) fn clean(&self, text: &str) -> String {
        self.clean_to(text, MAX_CHARS)
    }

    /// [`clean`](Self::clean), cut at `max` characters.
    pub(crate) fn clean_to(&self, text: &str, max: usize) -> String {
        // Scrubbing before cutting: a key across the cut is removed whole, not halved.
        let text = replace_controls(text);
        cut(&self.scrub(&text), max)
    }

    /// The start of a body, at most `max` characters, cleaned: only the bytes that can
    /// reach the excerpt are read (a credential that begins inside it included).
    pub(crate) fn excerpt(&self, body: &[u8], max: usize) -> String {
        let longest = self.needles.first().map_or(0, String::len);
        // A character is at most 4 bytes.
        let window = &body[..body.len().min(max * 4 + longest)];
        let text = String::from_utf8_lossy(window);
        let clean = self.clean_to(&text, max);
        if window.len() < body.len() && !clean.ends_with('…') {
            format!("{clean}…")
        } else {
            clean
        }
    }

    /// True when `text` holds a credential.
    pub(crate) fn finds(&self, text: &str) -> bool {
        let text = replace_controls(text);
        self.needles.iter().any(|n| text.contains(n.as_str()))
    }

    fn scrub<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut text = Cow::Borrowed(text);
        for needle in &self.needles {
            if text.contains(needle.as_str()) {
                text = Cow::Owned(text.replace(needle.as_str(), REDACTED));
            }
        }
        text
    }
}

impl fmt::Debug for Scrubber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Scrubber(<redacted>)")
    }
}

/// Text from a server, made safe to print where no credentials are involved (web hooks):
/// control characters (terminal escapes, line breaks that would forge log lines) become
/// spaces, and it is cut at [`MAX_CHARS`] characters.
pub(crate) fn printable(text: &str) -> String {
    Scrubber::default().clean(text)
}

fn replace_controls(text: &str) -> Cow<'_, str> {
    if text.chars().any(char::is_control) {
        Cow::Owned(
            text.chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect(),
        )
    } else {
        Cow::Borrowed(text)
    }
}

fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scrubber() -> Scrubber {
        Scrubber::new(&Credentials::new("ident", "se\"cret\\key"))
    }

    #[test]
    fn controls_become_spaces_and_long_text_is_cut() {
        assert_eq!(printable("a\u{1b}[1m\r\nb\u{0}"), "a [1m  b ");
        let long = "é".repeat(600);
        let cut = printable(&long);
        assert_eq!(cut.chars().count(), MAX_CHARS + 1);
        assert!(cut.ends_with('…'));
        assert_eq!(printable("short"), "short");
    }

    #[test]
    fn every_form_of_the_credentials_is_removed() {
        let s = scrubber();
        let b64 = base64::engine::general_purpose::STANDARD;
        let header = format!("Basic {}", b64.encode("ident:se\"cret\\key"));
        for text in [
            "se\"cret\\key".to_string(),
            format!("{:?}", "se\"cret\\key"),
            serde_json::to_string("se\"cret\\key").unwrap(),
            header.clone(),
            b64.encode("se\"cret\\key"),
        ] {
            let clean = s.clean(&format!("before {text} after"));
            assert!(clean.starts_with("before "), "{clean}");
            assert!(clean.ends_with(" after"), "{clean}");
            assert!(clean.contains(REDACTED), "{text}: {clean}");
            assert!(!clean.contains("cret"), "{text}: {clean}");
            assert!(s.finds(&text), "{text}");
        }
        assert!(!s.finds("nothing secret"));
        assert_eq!(s.clean("nothing secret"), "nothing secret");
    }

    #[test]
    fn a_key_across_the_cut_is_removed_whole() {
        let s = scrubber();
        let text = format!("{}se\"cret\\key", "x".repeat(MAX_CHARS - 4));
        let clean = s.clean(&text);
        assert!(!clean.contains("se\"c"), "{clean}");
        let excerpt = s.excerpt(
            format!("{}se\"cret\\key tail", "y".repeat(75)).as_bytes(),
            80,
        );
        assert!(!excerpt.contains("se\""), "{excerpt}");
        assert!(excerpt.starts_with("yyy"), "{excerpt}");
    }

    #[test]
    fn excerpts_are_bounded_and_marked() {
        let s = Scrubber::default();
        assert_eq!(s.excerpt(b"short", 80), "short");
        let long = s.excerpt(&[b'a'; 10_000], 80);
        assert_eq!(long.chars().count(), 81);
        assert!(long.ends_with('…'));
        assert_eq!(s.excerpt(&[0xff, 0xfe, b'\n'], 80), "\u{fffd}\u{fffd} ");
    }
}
