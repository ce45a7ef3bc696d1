//! Ids travel as exactly one path segment: [`encode_path`] percent-encodes them (the
//! generated code calls it for every path parameter); what no encoding can carry is refused
//! here before sending.

use crate::Error;
use std::borrow::Cow;
use std::fmt::Write as _;

/// Percent-encodes a path parameter so that it is exactly one segment, whatever it holds.
///
/// Every byte but RFC 3986's unreserved characters (`A-Z a-z 0-9 - . _ ~`) is encoded. That
/// is stricter than progenitor's own `encode_path`, which leaves `\` (which URL parsers turn
/// into `/` in http URLs, splitting the segment), `;`, `+`, `[`, `]`, `|`, `^` and others
/// as they are, for servers and proxies to read in their own ways.
///
/// An id with nothing to encode (a UUID, a session id) is borrowed as it is: the common case
/// costs a scan and no allocation.
#[inline]
pub(crate) fn encode_path(value: &str) -> Cow<'_, str> {
    if value.bytes().all(|b| UNRESERVED[usize::from(b)]) {
        return Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len() + 8);
    for &b in value.as_bytes() {
        if UNRESERVED[usize::from(b)] {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    Cow::Owned(out)
}

/// RFC 3986's unreserved characters (`A-Z a-z 0-9 - . _ ~`), by byte: a table look-up per
/// byte, as every call encodes its ids.
static UNRESERVED: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~');
        b += 1;
    }
    table
};

/// Refuses an id that cannot be one path segment: empty, or `.`/`..`, which every URL
/// parser folds into the neighbouring segments.
pub(crate) fn check_segment(operation: &'static str, name: &str, value: &str) -> Result<(), Error> {
    check(name, value).map_err(|e| e.finish(operation, 0))
}

fn check(name: &str, value: &str) -> Result<(), Error> {
    match value {
        "" => Err(Error::unsent(format!("`{name}` is empty"))),
        "." | ".." => Err(Error::unsent(format!(
            "`{name}` cannot be `.` or `..`: it would not reach Crisp as one path segment"
        ))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::encode_path;

    #[test]
    fn only_unreserved_characters_stay() {
        assert_eq!(encode_path("session_1-a.b~"), "session_1-a.b~");
        assert_eq!(
            encode_path("john+tag@example.com"),
            "john%2Btag%40example.com"
        );
        assert_eq!(encode_path("a/b\\c?d#e%f g"), "a%2Fb%5Cc%3Fd%23e%25f%20g");
        assert_eq!(encode_path("%2e"), "%252e");
        assert_eq!(encode_path("é"), "%C3%A9");
        assert_eq!(
            encode_path(";[]|^{}`'\"<>"),
            "%3B%5B%5D%7C%5E%7B%7D%60%27%22%3C%3E"
        );
    }

    #[test]
    fn the_url_parser_keeps_one_segment() {
        for value in [
            "a\\b", "..\\..", "%2e%2e", ".%2e", "a/../b", "\u{0}\t", "日本",
        ] {
            let url = reqwest::Url::parse(&format!("http://h/v1/website/{}/x", encode_path(value)))
                .unwrap();
            let segments: Vec<_> = url.path_segments().unwrap().collect();
            assert_eq!(segments.len(), 4, "{value:?} -> {url}");
            assert_eq!(
                segments[2],
                encode_path(value),
                "{value:?} unchanged by the parser"
            );
        }
    }
}
