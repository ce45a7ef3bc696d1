//! Streams over paged lists, emitted by the generator for operations marked
//! `x-crisp-pagination` in the spec.
//!
//! Every stream is guarded against a server that stops moving through the list: a page
//! that repeats an earlier one (page numbers), or a batch that brings nothing older than
//! asked for (timestamps), ends the stream with an
//! [`ErrorKind::InvalidResponse`](crate::ErrorKind::InvalidResponse) error instead of
//! feeding it the same items forever.

use crate::{Error, ErrorKind};
use futures::Stream;
use std::collections::HashMap;
use std::future::Future;
use std::hash::Hasher as _;

/// Where a page leaves the stream.
enum Step<C> {
    /// Fetch the page at this cursor next.
    Next(C),
    /// This was the last page that can be asked for.
    Last,
    /// The page brings no progress: the stream ends with this error, without its items.
    Stuck(String),
}

struct Pages<B, F, N, T, C> {
    builder: B,
    fetch: F,
    next: N,
    cursor: Option<C>,
    items: std::vec::IntoIter<T>,
}

/// The one paging loop: fetches the page at `cursor` once the previous page is drained,
/// asks `next` where the page leads, and yields its items. Ends at an empty page, after the
/// last page, or after yielding an error: the fetch's, or the guard's when `next` finds the
/// page makes no progress.
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
    };
    Box::pin(futures::stream::unfold(state, |mut st| async move {
        loop {
            if let Some(item) = st.items.next() {
                return Some((Ok(item), st));
            }
            let cursor = st.cursor.take()?;
            // Free the drained page before fetching the next one.
            st.items = Vec::new().into_iter();
            match (st.fetch)(st.builder.clone(), cursor).await {
                Ok(items) if items.is_empty() => return None,
                Ok(items) => match (st.next)(cursor, &items) {
                    Step::Next(next) => {
                        st.cursor = Some(next);
                        st.items = items.into_iter();
                    }
                    Step::Last => st.items = items.into_iter(),
                    Step::Stuck(why) => {
                        let error = Error::new(
                            ErrorKind::InvalidResponse,
                            format!("paging makes no progress: {why}"),
                        );
                        return Some((Err(error), st));
                    }
                },
                Err(e) => return Some((Err(e), st)),
            }
        }
    }))
}

/// Pages numbered in the path, from `start`: ends at the first empty page (or after page
/// `u32::MAX`).
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
    let mut seen: HashMap<u64, u32> = HashMap::new();
    pages(builder, start, fetch, move |page, items: &[T]| {
        if let Some(earlier) = fingerprint(items).and_then(|f| seen.insert(f, page)) {
            return Step::Stuck(format!(
                "page {page} repeats page {earlier} (the server is not moving through the pages)"
            ));
        }
        match page.checked_add(1) {
            Some(next) => Step::Next(next),
            None => Step::Last,
        }
    })
}

/// Batches read backwards in time: each batch's oldest timestamp becomes the next
/// `timestamp_before`. Ends at an empty batch.
///
/// A batch with nothing older than `timestamp_before` (a server that ignores the cursor or
/// repeats the batch), or with no timestamp at all to page from, ends the stream with an
/// [`ErrorKind::InvalidResponse`] error, before its items are yielded.
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
            return Step::Stuck("no item of the batch has a timestamp to page from".into());
        };
        match before {
            Some(before) if oldest >= before => Step::Stuck(format!(
                "the batch before {before} holds nothing older (its oldest is {oldest})"
            )),
            _ => Step::Next(Some(oldest)),
        }
    })
}

/// A fingerprint of a page: its items' serialized form, hashed in order. Maps are hashed
/// whatever the order of their entries (a `HashMap` iterates in a different order every
/// time it is built), so the same answer decoded twice has the same fingerprint.
///
/// `None` when an item's `Serialize` fails: a fingerprint of part of the page could make
/// different pages look the same, so such a page is not compared.
fn fingerprint<T: serde::Serialize>(items: &[T]) -> Option<u64> {
    let mut hasher = fingerprint::Fingerprint::default();
    for item in items {
        item.serialize(&mut hasher).ok()?;
    }
    hasher.write_usize(items.len());
    Some(hasher.finish())
}

mod fingerprint {
    //! A `serde::Serializer` that feeds a hasher instead of writing text.

    use serde::ser::{self, Serialize};
    use std::hash::{DefaultHasher, Hash, Hasher};

    /// Hashes what is serialized into it. Every value is preceded by a tag for its kind, so
    /// that `[1, 2]` and `[12]`, or `None` and `()`, differ.
    #[derive(Default)]
    pub(super) struct Fingerprint(DefaultHasher);

    impl Hasher for Fingerprint {
        fn finish(&self) -> u64 {
            self.0.finish()
        }
        fn write(&mut self, bytes: &[u8]) {
            self.0.write(bytes);
        }
    }

    #[derive(Debug)]
    pub(super) struct Unhashable;

    impl std::fmt::Display for Unhashable {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("cannot fingerprint this value")
        }
    }

    impl std::error::Error for Unhashable {}

    impl ser::Error for Unhashable {
        fn custom<M: std::fmt::Display>(_: M) -> Self {
            Unhashable
        }
    }

    impl Fingerprint {
        fn tag(&mut self, tag: u8) {
            self.0.write_u8(tag);
        }
    }

    /// A map being hashed: each entry is hashed on its own, and the entries' hashes are
    /// summed, which does not depend on their order.
    pub(super) struct MapHash<'a> {
        parent: &'a mut Fingerprint,
        sum: u64,
        entries: u64,
        entry: Fingerprint,
    }

    impl<'a> ser::Serializer for &'a mut Fingerprint {
        type Ok = ();
        type Error = Unhashable;
        type SerializeSeq = Self;
        type SerializeTuple = Self;
        type SerializeTupleStruct = Self;
        type SerializeTupleVariant = Self;
        type SerializeMap = MapHash<'a>;
        type SerializeStruct = Self;
        type SerializeStructVariant = Self;

        fn serialize_bool(self, v: bool) -> Result<(), Unhashable> {
            self.tag(1);
            v.hash(&mut self.0);
            Ok(())
        }
        fn serialize_i8(self, v: i8) -> Result<(), Unhashable> {
            self.serialize_i64(v.into())
        }
        fn serialize_i16(self, v: i16) -> Result<(), Unhashable> {
            self.serialize_i64(v.into())
        }
        fn serialize_i32(self, v: i32) -> Result<(), Unhashable> {
            self.serialize_i64(v.into())
        }
        fn serialize_i64(self, v: i64) -> Result<(), Unhashable> {
            self.tag(2);
            v.hash(&mut self.0);
            Ok(())
        }
        fn serialize_i128(self, v: i128) -> Result<(), Unhashable> {
            self.tag(3);
            v.hash(&mut self.0);
            Ok(())
        }
        fn serialize_u8(self, v: u8) -> Result<(), Unhashable> {
            self.serialize_u64(v.into())
        }
        fn serialize_u16(self, v: u16) -> Result<(), Unhashable> {
            self.serialize_u64(v.into())
        }
        fn serialize_u32(self, v: u32) -> Result<(), Unhashable> {
            self.serialize_u64(v.into())
        }
        fn serialize_u64(self, v: u64) -> Result<(), Unhashable> {
            self.tag(4);
            v.hash(&mut self.0);
            Ok(())
        }
        fn serialize_u128(self, v: u128) -> Result<(), Unhashable> {
            self.tag(5);
            v.hash(&mut self.0);
            Ok(())
        }
        fn serialize_f32(self, v: f32) -> Result<(), Unhashable> {
            self.serialize_f64(v.into())
        }
        fn serialize_f64(self, v: f64) -> Result<(), Unhashable> {
            self.tag(6);
            v.to_bits().hash(&mut self.0);
            Ok(())
        }
        fn serialize_char(self, v: char) -> Result<(), Unhashable> {
            self.tag(7);
            v.hash(&mut self.0);
            Ok(())
        }
        fn serialize_str(self, v: &str) -> Result<(), Unhashable> {
            self.tag(8);
            v.hash(&mut self.0);
            Ok(())
        }
        fn serialize_bytes(self, v: &[u8]) -> Result<(), Unhashable> {
            self.tag(9);
            v.hash(&mut self.0);
            Ok(())
        }
        fn serialize_none(self) -> Result<(), Unhashable> {
            self.tag(10);
            Ok(())
        }
        fn serialize_some<V: Serialize + ?Sized>(self, value: &V) -> Result<(), Unhashable> {
            self.tag(11);
            value.serialize(self)
        }
        fn serialize_unit(self) -> Result<(), Unhashable> {
            self.tag(12);
            Ok(())
        }
        fn serialize_unit_struct(self, _: &'static str) -> Result<(), Unhashable> {
            self.serialize_unit()
        }
        fn serialize_unit_variant(
            self,
            _: &'static str,
            index: u32,
            _: &'static str,
        ) -> Result<(), Unhashable> {
            self.tag(13);
            index.hash(&mut self.0);
            Ok(())
        }
        fn serialize_newtype_struct<V: Serialize + ?Sized>(
            self,
            _: &'static str,
            value: &V,
        ) -> Result<(), Unhashable> {
            value.serialize(self)
        }
        fn serialize_newtype_variant<V: Serialize + ?Sized>(
            self,
            _: &'static str,
            index: u32,
            _: &'static str,
            value: &V,
        ) -> Result<(), Unhashable> {
            self.tag(14);
            index.hash(&mut self.0);
            value.serialize(self)
        }
        fn serialize_seq(self, _: Option<usize>) -> Result<Self, Unhashable> {
            self.tag(15);
            Ok(self)
        }
        fn serialize_tuple(self, _: usize) -> Result<Self, Unhashable> {
            self.serialize_seq(None)
        }
        fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self, Unhashable> {
            self.serialize_seq(None)
        }
        fn serialize_tuple_variant(
            self,
            _: &'static str,
            index: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self, Unhashable> {
            self.tag(16);
            index.hash(&mut self.0);
            Ok(self)
        }
        fn serialize_map(self, _: Option<usize>) -> Result<MapHash<'a>, Unhashable> {
            self.tag(17);
            Ok(MapHash {
                parent: self,
                sum: 0,
                entries: 0,
                entry: Fingerprint::default(),
            })
        }
        fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, Unhashable> {
            // A struct's fields come in a fixed order: hashed in order, like a sequence.
            self.tag(18);
            Ok(self)
        }
        fn serialize_struct_variant(
            self,
            _: &'static str,
            index: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self, Unhashable> {
            self.tag(19);
            index.hash(&mut self.0);
            Ok(self)
        }
    }

    /// Ends a sequence, tuple or struct: a closing tag, so that nesting is part of the hash.
    fn close(f: &mut Fingerprint) -> Result<(), Unhashable> {
        f.tag(20);
        Ok(())
    }

    macro_rules! sequence_like {
        ($($trait:ident :: $method:ident),*) => {$(
            impl ser::$trait for &mut Fingerprint {
                type Ok = ();
                type Error = Unhashable;
                fn $method<V: Serialize + ?Sized>(&mut self, value: &V) -> Result<(), Unhashable> {
                    value.serialize(&mut **self)
                }
                fn end(self) -> Result<(), Unhashable> {
                    close(self)
                }
            }
        )*};
    }

    sequence_like!(
        SerializeSeq::serialize_element,
        SerializeTuple::serialize_element,
        SerializeTupleStruct::serialize_field,
        SerializeTupleVariant::serialize_field
    );

    impl ser::SerializeStruct for &mut Fingerprint {
        type Ok = ();
        type Error = Unhashable;
        fn serialize_field<V: Serialize + ?Sized>(
            &mut self,
            key: &'static str,
            value: &V,
        ) -> Result<(), Unhashable> {
            key.hash(&mut self.0);
            value.serialize(&mut **self)
        }
        fn skip_field(&mut self, key: &'static str) -> Result<(), Unhashable> {
            // A skipped field (`skip_serializing_if`) differs from one that is present.
            self.tag(21);
            key.hash(&mut self.0);
            Ok(())
        }
        fn end(self) -> Result<(), Unhashable> {
            close(self)
        }
    }

    impl ser::SerializeStructVariant for &mut Fingerprint {
        type Ok = ();
        type Error = Unhashable;
        fn serialize_field<V: Serialize + ?Sized>(
            &mut self,
            key: &'static str,
            value: &V,
        ) -> Result<(), Unhashable> {
            ser::SerializeStruct::serialize_field(self, key, value)
        }
        fn end(self) -> Result<(), Unhashable> {
            close(self)
        }
    }

    impl ser::SerializeMap for MapHash<'_> {
        type Ok = ();
        type Error = Unhashable;
        fn serialize_key<V: Serialize + ?Sized>(&mut self, key: &V) -> Result<(), Unhashable> {
            self.entry = Fingerprint::default();
            key.serialize(&mut self.entry)
        }
        fn serialize_value<V: Serialize + ?Sized>(&mut self, value: &V) -> Result<(), Unhashable> {
            value.serialize(&mut self.entry)?;
            self.sum = self.sum.wrapping_add(self.entry.finish());
            self.entries += 1;
            Ok(())
        }
        fn end(self) -> Result<(), Unhashable> {
            self.parent.0.write_u64(self.sum);
            self.parent.0.write_u64(self.entries);
            close(self.parent)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fingerprint;
    use std::collections::HashMap;

    #[derive(serde::Serialize)]
    struct Item {
        id: String,
        count: Option<u32>,
        #[serde(skip_serializing_if = "Option::is_none")]
        note: Option<String>,
        tags: Vec<String>,
        extra: HashMap<String, serde_json::Value>,
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
    fn the_same_page_has_the_same_fingerprint_whatever_its_maps_order() {
        let entries: Vec<(String, i64)> = (0..50).map(|i| (format!("k{i}"), i)).collect();
        let pairs: Vec<(&str, i64)> = entries.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        // Every HashMap built iterates in its own order; 50 entries make a tie unlikely.
        let first = fingerprint(&[item("a", &pairs), item("b", &[])]);
        for _ in 0..20 {
            assert_eq!(first, fingerprint(&[item("a", &pairs), item("b", &[])]));
        }
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
