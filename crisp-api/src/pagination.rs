//! Streams over paged lists, emitted by the generator for operations marked
//! `x-crisp-pagination` in the spec.

use crate::Error;
use futures::Stream;
use std::future::Future;

struct Pages<B, F, N, T, C> {
    builder: B,
    fetch: F,
    next: N,
    cursor: Option<C>,
    items: std::vec::IntoIter<T>,
}

/// The one paging loop: fetches the page at `cursor` once the previous page is drained,
/// yields its items, and moves on to `next(cursor, page)`. Ends at an empty page, when `next`
/// gives `None`, or after yielding an error.
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
    N: Fn(C, &[T]) -> Option<C> + 'a,
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
                Ok(items) => {
                    st.cursor = (st.next)(cursor, &items);
                    st.items = items.into_iter();
                }
                Err(e) => return Some((Err(e), st)),
            }
        }
    }))
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
    pages(builder, start, fetch, |page, _| page.checked_add(1))
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
    pages(builder, start, fetch, move |before, items: &[T]| {
        let oldest = items.iter().filter_map(&timestamp).min()?;
        // Continue only if the batch moved the cursor back in time.
        match before {
            Some(b) if oldest >= b => None,
            _ => Some(Some(oldest)),
        }
    })
}
