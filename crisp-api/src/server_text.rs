//! Text that came from a server, made safe to keep in an [`Error`](crate::Error): every
//! reason, message, body excerpt and cause chain goes through [`Scrubber::clean`] (or
//! [`printable`] where no credentials are involved) before it is stored.

use crate::Credentials;
use base64::Engine as _;
use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

/// The most characters of server text kept in one field.
pub(crate) const MAX_CHARS: usize = 500;

/// What replaces a credential found in server text.
const REDACTED: &str = "<redacted>";

/// Removes the client's credentials from server text: the key, the `Authorization` value
/// and its base64 part, the base64 of the key alone, and any run of [`PART_CHARS`] or more
/// characters taken from one of these forms (a key cut in half by a server's excerpt, or
/// echoed in part). A server that echoes what it was sent (a debugging proxy, a 401 page, a
/// socket.io server quoting the `authentication` packet) must not put them into errors or log
/// lines.
#[derive(Clone, Default)]
pub(crate) struct Scrubber {
    /// The forms the credentials can take in text, longest first, with control characters
    /// replaced as [`printable`] replaces them in the text.
    needles: Vec<String>,
    /// Every run of [`PART_CHARS`] characters of a needle (the needle itself when shorter).
    parts: HashSet<String>,
    /// The longest needle, in characters.
    longest_chars: usize,
}

/// A run of this many characters of a credential's form is removed wherever it appears.
pub(crate) const PART_CHARS: usize = 12;

impl Scrubber {
    /// A scrubber for these credentials.
    pub(crate) fn new(credentials: &Credentials) -> Self {
        let key = credentials.key();
        let pair = format!("{}:{key}", credentials.identifier());
        let padded = base64::engine::general_purpose::STANDARD;
        let unpadded = base64::engine::general_purpose::STANDARD_NO_PAD;
        // Padded and unpadded: the padded form (longer) is removed first, the unpadded one
        // catches a token whose padding was dropped or cut.
        let mut needles = vec![
            padded.encode(&pair),
            unpadded.encode(&pair),
            padded.encode(key),
            unpadded.encode(key),
            key.to_string(),
            // As Rust's `Debug` and JSON quote it (serde's errors quote values that way).
            key.escape_debug().to_string(),
            serde_json::to_string(key)
                .map(|quoted| quoted.trim_matches('"').to_string())
                .unwrap_or_default(),
        ];
        // The key inside a longer base64 text starts at one of three alignments; after the
        // first 4-character group (which mixes in the bytes before it) the encoding of the
        // key is the same whatever precedes it. The padded forms at offsets 1 and 2 give the
        // other two alignments (only their parts are used: the whole is never in a text).
        let mut aligned = Vec::new();
        for offset in 1..=2usize {
            let mut bytes = vec![0u8; offset];
            bytes.extend_from_slice(key.as_bytes());
            let encoded = unpadded.encode(&bytes);
            if let Some(rest) = encoded.get(4..) {
                if rest.chars().count() >= PART_CHARS {
                    aligned.push(rest.to_string());
                }
            }
        }
        let mut needles: Vec<String> = needles
            .drain(..)
            .filter(|n| !n.is_empty())
            .map(|n| replace_controls(&n).into_owned())
            .collect();
        needles.sort_by_key(|n| std::cmp::Reverse(n.len()));
        needles.dedup();
        let mut parts = HashSet::new();
        for needle in needles.iter().chain(&aligned) {
            let chars: Vec<char> = needle.chars().collect();
            if chars.len() <= PART_CHARS {
                parts.insert(needle.clone());
            } else {
                for window in chars.windows(PART_CHARS) {
                    parts.insert(window.iter().collect());
                }
            }
        }
        let longest_chars = needles
            .iter()
            .chain(&aligned)
            .map(|n| n.chars().count())
            .max()
            .unwrap_or(0);
        Self {
            needles,
            parts,
            longest_chars,
        }
    }

    /// The one gate for server text: control characters replaced, the credentials removed,
    /// then cut at [`MAX_CHARS`] characters (marked `…`).
    pub(crate) fn clean(&self, text: &str) -> String {
        self.clean_to(text, MAX_CHARS)
    }

    /// [`clean`](Self::clean), cut at `max` characters.
    pub(crate) fn clean_to(&self, text: &str, max: usize) -> String {
        // Only the start of a long text can show, plus enough after it to recognise a
        // credential across the cut: the work is bounded whatever the text's length.
        let keep = max.saturating_add(self.longest_chars.max(PART_CHARS));
        let (text, longer) = match text.char_indices().nth(keep) {
            Some((at, _)) => (&text[..at], true),
            None => (text, false),
        };
        // Scrubbing before cutting: a key across the cut is removed whole, not halved.
        let text = replace_controls(text);
        let clean = cut(&self.scrub(&text), max);
        if longer && !clean.ends_with('…') {
            format!("{clean}…")
        } else {
            clean
        }
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

    /// True when `text` holds a credential (or a part of one, see [`PART_CHARS`]).
    pub(crate) fn finds(&self, text: &str) -> bool {
        let text = replace_controls(text);
        !self.part_ranges(&text).is_empty()
            || self.needles.iter().any(|n| text.contains(n.as_str()))
    }

    fn scrub<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut text = Cow::Borrowed(text);
        for needle in &self.needles {
            if text.contains(needle.as_str()) {
                text = Cow::Owned(text.replace(needle.as_str(), REDACTED));
            }
        }
        let ranges = self.part_ranges(&text);
        if ranges.is_empty() {
            return text;
        }
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for (start, end) in ranges {
            out.push_str(&text[at..start]);
            out.push_str(REDACTED);
            at = end;
        }
        out.push_str(&text[at..]);
        Cow::Owned(out)
    }

    /// The byte ranges of `text` covered by parts of a credential, merged where they
    /// overlap or touch, in order.
    fn part_ranges(&self, text: &str) -> Vec<(usize, usize)> {
        let mut ranges: Vec<(usize, usize)> = Vec::new();
        if self.parts.is_empty() {
            return ranges;
        }
        let starts: Vec<usize> = text
            .char_indices()
            .map(|(i, _)| i)
            .chain([text.len()])
            .collect();
        // Parts are PART_CHARS long, or whole needles shorter than that.
        let mut lengths: Vec<usize> = self.parts.iter().map(|p| p.chars().count()).collect();
        lengths.sort_unstable();
        lengths.dedup();
        for (index, &start) in starts.iter().enumerate() {
            for &length in &lengths {
                let Some(&end) = starts.get(index + length) else {
                    continue;
                };
                if self.parts.contains(&text[start..end]) {
                    match ranges.last_mut() {
                        Some(last) if start <= last.1 => last.1 = last.1.max(end),
                        _ => ranges.push((start, end)),
                    }
                }
            }
        }
        ranges
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
    fn any_twelve_character_part_of_a_form_is_removed() {
        let key = "3bdb0812d0f5c1a9e7f64d2b8a0c5e91f2d47a6b3c8e1f09d5a2b7c4e6f8a1d3";
        let s = Scrubber::new(&Credentials::new("ident", key));
        let b64 = base64::engine::general_purpose::STANDARD;
        let encoded_key = b64.encode(key);
        let shifted = b64.encode(format!("xy{key}"));
        let samples = [
            // A part of the key, anywhere in a longer text.
            format!("pre {} post", &key[5..17]),
            key[40..].to_string(),
            // Two overlapping parts and a part cut by the end of the text.
            format!("a {} b {}", &key[..20], &key[10..30]),
            // Parts of its base64 forms, at every alignment.
            format!("x{}y", &encoded_key[8..24]),
            format!("x{}y", &shifted[12..28]),
            format!("Basic {}", &b64.encode(format!("ident:{key}"))[20..40]),
        ];
        for text in samples {
            let clean = s.clean(&text);
            assert!(s.finds(&text), "{text}");
            for start in 0..key.len() - PART_CHARS {
                let part = &key[start..start + PART_CHARS];
                assert!(!clean.contains(part), "{text} -> {clean}");
            }
            assert!(clean.contains(REDACTED), "{clean}");
        }
        // Short runs of the key's characters are ordinary text.
        assert_eq!(s.clean("id 3bdb0812d0f"), "id 3bdb0812d0f");
        assert!(!s.finds("3bdb0812d0f"));
    }

    #[test]
    fn cleaning_a_huge_text_reads_only_its_start() {
        let s = Scrubber::new(&Credentials::new("ident", "the-secret-key-0123456789"));
        let huge = "z".repeat(20_000_000);
        let started = std::time::Instant::now();
        let clean = s.clean(&huge);
        assert_eq!(clean.chars().count(), MAX_CHARS + 1);
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
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
