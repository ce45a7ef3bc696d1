//! Streams over paged lists, emitted by the generator for operations marked
//! `x-crisp-pagination` in the spec.
//!
//! # When a stream asks for the next page
//!
//! Crisp answers `206 Partial Content` while more pages follow and `200 OK` on the last
//! page. A stream reads the status of every page:
//!
//! 1. an empty page ends the stream, whatever its status;
//! 2. a `206` means more pages follow: the stream asks for the next one;
//! 3. a `200` after a `206` in the same stream is the last page: its items are yielded and
//!    no more requests are made;
//! 4. a `200` when no page of this stream was a `206` says nothing (a proxy that rewrites
//!    statuses, an older mock, a one-page list): the stream asks for the next page, and
//!    ends at the first empty one, so that nothing is lost.
//!
//! So a list of N pages from Crisp costs N requests when N ≥ 2 (one request less than
//! reading up to an empty page), and 2 when it fits in one page (Crisp's `200` then cannot be
//! told from a server that never sends `206`); a server that answers `200` to every page
//! still gives every item, at the cost of the empty page that ends the stream. Rule 3 trusts
//! a `200` only from a server that has shown, in this stream, that it says `206`.
//!
//! Page numbers start at 1, as Crisp counts them: a stream asked to start at page 0 yields
//! one [`ErrorKind::InvalidRequest`](crate::ErrorKind::InvalidRequest) error (nothing sent,
//! `attempts()` 0) instead of silently yielding nothing.
//!
//! # Paging that makes no progress
//!
//! Every stream is guarded against a server that stops moving through the list: a page
//! that repeats an earlier one (page numbers), or a batch that brings nothing older than
//! asked for (timestamps), ends the stream with an
//! [`ErrorKind::InvalidResponse`](crate::ErrorKind::InvalidResponse) error instead of
//! feeding it the same items forever. A batch of messages without any timestamp to page
//! from is yielded, and the error follows it.

use crate::{Error, ErrorKind};
use futures::Stream;
use std::collections::HashMap;
use std::future::Future;
use std::hash::{DefaultHasher, Hasher as _};

/// Where a page leaves the stream.
enum Step<C> {
    /// Fetch the page at this cursor next (unless the status said this was the last).
    Next(C),
    /// This was the last page that can be asked for.
    Last,
    /// The page brings no progress: the stream ends with this error, without its items
    /// (they repeat what was yielded).
    Stuck(String),
    /// No next page can be asked for: the stream yields this page's items, then ends with
    /// this error.
    StuckAfter(String),
}

/// The status of a page, as the paging rule reads it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Said {
    /// `206 Partial Content`: more pages follow.
    More,
    /// Any other success status (`200`): the last page, if the server says `206` otherwise.
    Done,
}

impl Said {
    fn of(status: Option<u16>) -> Said {
        match status {
            Some(206) => Said::More,
            _ => Said::Done,
        }
    }
}

struct Pages<B, F, N, T, C> {
    builder: B,
    fetch: F,
    next: N,
    cursor: Option<C>,
    items: std::vec::IntoIter<T>,
    /// A page of this stream was a `206`: its `200` marks the last page.
    partial_seen: bool,
    /// The error to yield once the items are drained.
    then: Option<Error>,
}

/// The one paging loop: fetches the page at `cursor` once the previous page is drained,
/// asks `next` where the page leads, and yields its items. Ends at an empty page, at the
/// last page (by the status; see the module's rule), after the last page that can be asked
/// for, or after yielding an error: the fetch's, or the guard's when `next` finds the page
/// makes no progress.
fn pages<'a, B, T, C, F, Fut, N>(
    builder: B,
    start: C,
    fetch: F,
    next: N,
) -> impl Stream<Item = Result<T, Error>> + Unpin + 'a
where
    B: Clone + 'a,
    T: 'a,
    C: Copy + 'a,
    F: Fn(B, C) -> Fut + 'a,
    Fut: Future<Output = Result<Vec<T>, Error>> + 'a,
    N: FnMut(C, &[T]) -> Step<C> + 'a,
{
    let state = Pages {
        builder,
        fetch,
        next,
        cursor: Some(start),
        items: Vec::new().into_iter(),
        partial_seen: false,
        then: None,
    };
    Box::pin(futures::stream::unfold(state, |mut st| async move {
        loop {
            if let Some(item) = st.items.next() {
                return Some((Ok(item), st));
            }
            if let Some(error) = st.then.take() {
                return Some((Err(error), st));
            }
            let cursor = st.cursor.take()?;
            // Free the drained page before fetching the next one.
            st.items = Vec::new().into_iter();
            let (page, status) =
                crate::transport::with_status((st.fetch)(st.builder.clone(), cursor)).await;
            let items = match page {
                Ok(items) if items.is_empty() => return None,
                Ok(items) => items,
                Err(e) => return Some((Err(e), st)),
            };
            let said = Said::of(status);
            let last = said == Said::Done && st.partial_seen;
            st.partial_seen |= said == Said::More;
            match (st.next)(cursor, &items) {
                Step::Next(next) => {
                    if !last {
                        st.cursor = Some(next);
                    }
                    st.items = items.into_iter();
                }
                Step::Last => st.items = items.into_iter(),
                Step::Stuck(why) => return Some((Err(no_progress(why)), st)),
                Step::StuckAfter(why) => {
                    st.items = items.into_iter();
                    // The last page needs no next cursor: nothing is wrong.
                    if !last {
                        st.then = Some(no_progress(why));
                    }
                }
            }
        }
    }))
}

fn no_progress(why: String) -> Error {
    Error::new(
        ErrorKind::InvalidResponse,
        format!("paging makes no progress: {why}"),
    )
}

/// Pages numbered in the path, from `start` (Crisp counts from 1): ends as the module's
/// rule says (the last page by its status, or the first empty page), or after page
/// `u32::MAX`. Page 0 is refused with one [`ErrorKind::InvalidRequest`] error, nothing sent.
///
/// A page identical to one already seen (same items in the same order: a server that
/// ignores the page number, or cycles) ends the stream with an
/// [`ErrorKind::InvalidResponse`] error, before its items are yielded again. Pages are told
/// apart by a 64-bit fingerprint of their items' serialized form (no copy is kept), 16 bytes
/// per page fetched.
pub(crate) fn by_page<'a, B, T, F, Fut>(
    builder: B,
    start: u32,
    fetch: F,
) -> impl Stream<Item = Result<T, Error>> + Unpin + 'a
where
    B: Clone + 'a,
    T: serde::Serialize + 'a,
    F: Fn(B, u32) -> Fut + 'a,
    Fut: Future<Output = Result<Vec<T>, Error>> + 'a,
{
    use futures::future::Either;
    if start == 0 {
        let refused = Error::unsent(
            "`page_number` 0 does not exist: Crisp counts pages from 1 (a stream starts at the \
             page set on the builder, 1 when none is)",
        );
        return Either::Left(futures::stream::iter([Err(refused)]));
    }
    let mut seen: HashMap<u64, u32> = HashMap::new();
    Either::Right(pages(builder, start, fetch, move |page, items: &[T]| {
        if let Some(earlier) = fingerprint(items).and_then(|f| seen.insert(f, page)) {
            return Step::Stuck(format!(
                "page {page} repeats page {earlier} (the server is not moving through the pages)"
            ));
        }
        match page.checked_add(1) {
            Some(next) => Step::Next(next),
            None => Step::Last,
        }
    }))
}

/// Batches read backwards in time: each batch's oldest timestamp becomes the next
/// `timestamp_before`. Ends as the module's rule says (the last batch by its status, or the
/// first empty batch).
///
/// A batch with nothing older than `timestamp_before` (a server that ignores the cursor or
/// repeats the batch) ends the stream with an [`ErrorKind::InvalidResponse`] error, before
/// its items are yielded. A batch with no timestamp at all to page from is yielded, then the
/// same error ends the stream (unless its status said it was the last batch).
pub(crate) fn by_timestamp<'a, B, T, F, Fut, K>(
    builder: B,
    start: Option<i64>,
    fetch: F,
    timestamp: K,
) -> impl Stream<Item = Result<T, Error>> + Unpin + 'a
where
    B: Clone + 'a,
    T: 'a,
    F: Fn(B, Option<i64>) -> Fut + 'a,
    Fut: Future<Output = Result<Vec<T>, Error>> + 'a,
    K: Fn(&T) -> Option<i64> + 'a,
{
    pages(builder, start, fetch, move |before, items: &[T]| {
        let Some(oldest) = items.iter().filter_map(&timestamp).min() else {
            return Step::StuckAfter(
                "no item of the batch has a timestamp to page from (the batch was yielded)".into(),
            );
        };
        match before {
            Some(before) if oldest >= before => Step::Stuck(format!(
                "the batch before {before} holds nothing older (its oldest is {oldest})"
            )),
            _ => Step::Next(Some(oldest)),
        }
    })
}

/// A fingerprint of a page: its items' JSON, hashed in order as it is written (no copy of
/// the page is made). The generated types' maps are `BTreeMap`s and `serde_json::Map`s,
/// which serialize in the same order every time, so the same answer decoded twice has the
/// same fingerprint.
///
/// `None` when an item's `Serialize` fails: a fingerprint of part of the page could make
/// different pages look the same, so such a page is not compared.
fn fingerprint<T: serde::Serialize>(items: &[T]) -> Option<u64> {
    struct Hashing(DefaultHasher);
    impl std::io::Write for Hashing {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.write(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut hashing = Hashing(DefaultHasher::new());
    serde_json::to_writer(&mut hashing, items).ok()?;
    Some(hashing.0.finish())
}

#[cfg(test)]
mod tests {
    use super::fingerprint;
    use std::collections::BTreeMap;

    #[derive(serde::Serialize)]
    struct Item {
        id: String,
        count: Option<u32>,
        #[serde(skip_serializing_if = "Option::is_none")]
        note: Option<String>,
        tags: Vec<String>,
        extra: BTreeMap<String, serde_json::Value>,
    }

    fn item(id: &str, extra: &[(&str, i64)]) -> Item {
        Item {
            id: id.into(),
            count: Some(1),
            note: None,
            tags: vec!["a".into()],
            extra: extra
                .iter()
                .map(|(k, v)| (k.to_string(), (*v).into()))
                .collect(),
        }
    }

    #[test]
    fn the_same_page_has_the_same_fingerprint_whatever_order_its_maps_were_filled_in() {
        let entries: Vec<(String, i64)> = (0..50).map(|i| (format!("k{i}"), i)).collect();
        let pairs: Vec<(&str, i64)> = entries.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        let mut reversed = pairs.clone();
        reversed.reverse();
        let first = fingerprint(&[item("a", &pairs), item("b", &[])]);
        assert_eq!(first, fingerprint(&[item("a", &reversed), item("b", &[])]));
    }

    /// A page decoded from JSON twice, its keys in another order the second time.
    #[cfg(feature = "website-conversation")]
    #[test]
    fn the_same_answer_in_another_key_order_has_the_same_fingerprint() {
        let one: Vec<crate::types::Conversation> = serde_json::from_str(
            r#"[{"session_id":"s","website_id":"w","meta":{"nickname":"n","email":"e@x.io"}}]"#,
        )
        .unwrap();
        let two: Vec<crate::types::Conversation> = serde_json::from_str(
            r#"[{"meta":{"email":"e@x.io","nickname":"n"},"website_id":"w","session_id":"s"}]"#,
        )
        .unwrap();
        assert_eq!(fingerprint(&one), fingerprint(&two));
    }

    #[test]
    fn different_pages_have_different_fingerprints() {
        let base = fingerprint(&[item("a", &[("x", 1)]), item("b", &[])]);
        let others = [
            fingerprint(&[item("b", &[]), item("a", &[("x", 1)])]),
            fingerprint(&[item("a", &[("x", 2)]), item("b", &[])]),
            fingerprint(&[item("a", &[("y", 1)]), item("b", &[])]),
            fingerprint(&[item("a", &[("x", 1)])]),
            fingerprint(&[item("a", &[("x", 1)]), item("b", &[]), item("b", &[])]),
            fingerprint(&[item("a", &[("x", 1), ("y", 1)]), item("b", &[])]),
        ];
        for (i, other) in others.iter().enumerate() {
            assert_ne!(base, *other, "variant {i}");
        }
        let mut with_note = item("a", &[]);
        with_note.note = Some(String::new());
        assert_ne!(fingerprint(&[item("a", &[])]), fingerprint(&[with_note]));
        let mut no_count = item("a", &[]);
        no_count.count = None;
        assert_ne!(fingerprint(&[item("a", &[])]), fingerprint(&[no_count]));
        // Nesting is part of it.
        assert_ne!(
            fingerprint(&[vec![vec![1], vec![2]]]),
            fingerprint(&[vec![vec![1, 2]]])
        );
    }
}
