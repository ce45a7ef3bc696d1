//! Streams over paged lists, emitted by the generator for operations marked
//! `x-crisp-pagination` in the spec.

use crate::Error;
use futures::Stream;
use std::future::Future;

struct Pages<B, F, T, C> {
    builder: B,
    fetch: F,
    cursor: Option<C>,
    items: std::vec::IntoIter<T>,
}

/// Pages numbered in the path, from `start`: ends at the first empty page.
pub(crate) fn by_page<'a, B, T, F, Fut>(
    builder: B,
    start: u32,
    fetch: F,
) -> impl Stream<Item = Result<T, Error>> + Unpin + 'a
where
    B: Clone + 'a,
    T: 'a,
    F: Fn(B, u32) -> Fut + 'a,
    Fut: Future<Output = Result<Vec<T>, Error>> + 'a,
{
    let state = Pages {
        builder,
        fetch,
        cursor: Some(start),
        items: Vec::new().into_iter(),
    };
    Box::pin(futures::stream::unfold(state, |mut st| async move {
        loop {
            if let Some(item) = st.items.next() {
                return Some((Ok(item), st));
            }
            let page = st.cursor.take()?;
            // Free the drained page before fetching the next one.
            st.items = Vec::new().into_iter();
            match (st.fetch)(st.builder.clone(), page).await {
                Ok(items) if items.is_empty() => return None,
                Ok(items) => {
                    st.items = items.into_iter();
                    st.cursor = page.checked_add(1);
                }
                Err(e) => return Some((Err(e), st)),
            }
        }
    }))
}

/// Batches read backwards in time: each batch's oldest timestamp becomes the next
/// `timestamp_before`. Ends at an empty batch or one that brings nothing older.
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
    let state = Pages {
        builder,
        fetch: (fetch, timestamp),
        cursor: Some(start),
        items: Vec::new().into_iter(),
    };
    Box::pin(futures::stream::unfold(state, |mut st| async move {
        loop {
            if let Some(item) = st.items.next() {
                return Some((Ok(item), st));
            }
            let before = st.cursor.take()?;
            st.items = Vec::new().into_iter();
            let (fetch, timestamp) = &st.fetch;
            match fetch(st.builder.clone(), before).await {
                Ok(items) if items.is_empty() => return None,
                Ok(items) => {
                    let oldest = items.iter().filter_map(timestamp).min();
                    // Continue only if the batch moved the cursor back in time.
                    st.cursor = match (oldest, before) {
                        (Some(o), Some(b)) if o < b => Some(Some(o)),
                        (Some(o), None) => Some(Some(o)),
                        _ => None,
                    };
                    st.items = items.into_iter();
                }
                Err(e) => return Some((Err(e), st)),
            }
        }
    }))
}
