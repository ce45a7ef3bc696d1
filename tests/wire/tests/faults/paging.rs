//! Paged streams end: a server that repeats pages (or ignores the cursor) ends the stream
//! with a typed error instead of feeding it forever; honest paging is not mistaken for it.

use crate::support::*;
use crisp_api::{Client, ErrorKind};
use crisp_mock::{Reply, ScriptedServer};
use crisp_wire_tests::WEBSITE;
use futures::StreamExt as _;
use serde_json::json;

/// A page of `n` conversations, `session_<from>` onwards.
fn page(from: usize, n: usize) -> serde_json::Value {
    (from..from + n)
        .map(|i| conversation(&format!("session_{i}")))
        .collect()
}

/// A batch of messages with these timestamps.
fn batch(timestamps: impl IntoIterator<Item = i64>) -> serde_json::Value {
    timestamps
        .into_iter()
        .map(|t| json!({"fingerprint": t, "timestamp": t, "type": "text", "from": "user"}))
        .collect()
}

/// What the stream yields, at most `limit` items (a stream that never ends is cut there),
/// with the page numbers the server was asked for.
async fn conversations(
    server: &ScriptedServer,
    limit: usize,
) -> (Vec<crisp_api::Result<String>>, Vec<String>) {
    let client = client(&server.url(), 1);
    let items = counted_stream(
        client
            .list_conversations(WEBSITE, 1)
            .stream()
            .map(|r| r.map(|c| c.session_id)),
        limit,
    )
    .await;
    let pages = server
        .requests()
        .into_iter()
        .map(|r| r.path.rsplit('/').next().unwrap_or_default().to_string())
        .collect();
    (items, pages)
}

async fn messages(client: &Client, limit: usize) -> Vec<crisp_api::Result<i64>> {
    counted_stream(
        client
            .get_messages_in_conversation(WEBSITE, "session_1")
            .stream()
            .map(|r| r.map(|m| m.fingerprint)),
        limit,
    )
    .await
}

/// The error that ends `items`, after `ok` items; nothing after it.
fn ends_with_guard<T: std::fmt::Debug>(
    items: &[crisp_api::Result<T>],
    ok: usize,
) -> &crisp_api::Error {
    assert_eq!(items.len(), ok + 1, "{ok} items, then the error: {items:?}");
    assert!(items[..ok].iter().all(Result::is_ok), "{items:?}");
    let e = items[ok].as_ref().unwrap_err();
    assert_kind(e, ErrorKind::InvalidResponse);
    assert!(e.to_string().contains("no progress"), "{e}");
    e
}

pub fn repeated_pages_end_the_stream_with_an_error() {
    block_on(async {
        // The same 20 items for every page number: one page, then the error at page 2.
        let server = ScriptedServer::start(vec![Reply::ok(page(0, 20))]).await;
        let (items, pages) = conversations(&server, 500).await;
        let e = ends_with_guard(&items, 20);
        assert!(e.to_string().contains("page 2"), "{e}");
        assert_eq!(pages, ["1", "2"], "no request after the repeated page");

        // A cycle of two pages: caught when the first comes back.
        let server =
            ScriptedServer::start(vec![Reply::ok(page(0, 20)), Reply::ok(page(20, 20))]).await;
        server.reset(vec![
            Reply::ok(page(0, 20)),
            Reply::ok(page(20, 20)),
            Reply::ok(page(0, 20)),
            Reply::ok(page(20, 20)),
        ]);
        let (items, pages) = conversations(&server, 500).await;
        ends_with_guard(&items, 40);
        assert_eq!(pages, ["1", "2", "3"]);

        // A single repeated item per page is a repeated page too.
        let server = ScriptedServer::start(vec![Reply::ok(page(7, 1))]).await;
        let (items, _) = conversations(&server, 500).await;
        ends_with_guard(&items, 1);

        // Honest paging: distinct pages (overlapping, as a live list shifts) end at the empty
        // page without an error.
        let server = ScriptedServer::start(vec![
            Reply::ok(page(0, 20)),
            Reply::ok(page(19, 20)),
            Reply::ok(page(38, 5)),
            Reply::ok(json!([])),
        ])
        .await;
        let (items, pages) = conversations(&server, 500).await;
        assert_eq!(items.len(), 45, "{items:?}");
        assert!(items.iter().all(Result::is_ok));
        assert_eq!(pages, ["1", "2", "3", "4"]);
    })
}

pub fn timestamp_streams_without_progress_end_with_an_error() {
    block_on(async {
        let server = ScriptedServer::start(vec![Reply::ok(batch(100..120))]).await;
        let client = client(&server.url(), 1);

        // The same batch whatever `timestamp_before` says: yielded once, then the error.
        let items = messages(&client, 500).await;
        ends_with_guard(&items, 20);
        let queries: Vec<_> = server.requests().into_iter().map(|r| r.query).collect();
        assert_eq!(queries, [None, Some("timestamp_before=100".to_string())]);

        // A different batch, but nothing older than asked for: the cursor would not move.
        server.reset(vec![Reply::ok(batch(100..120)), Reply::ok(batch(110..130))]);
        let items = messages(&client, 500).await;
        ends_with_guard(&items, 20);

        // A batch with no timestamp at all cannot be paged past: what it holds is yielded,
        // then the error ends the stream.
        let untimed: Vec<_> = (1..=20)
            .map(|f| json!({"fingerprint": f, "type": "text"}))
            .collect();
        server.reset(vec![Reply::ok(json!(untimed))]);
        let items = messages(&client, 500).await;
        ends_with_guard(&items, 20);
        assert_eq!(*items[19].as_ref().unwrap(), 20);
        assert_eq!(server.requests().len(), 1, "nothing asked after it");

        // The same batch as the last page (a 200 after a 206) ends without an error.
        server.reset(vec![
            Reply::json(
                206,
                json!({"error": false, "reason": "listed", "data": batch(100..120)}),
            ),
            Reply::ok(json!(untimed)),
        ]);
        let items = messages(&client, 500).await;
        assert_eq!(items.len(), 40, "{items:?}");
        assert!(items.iter().all(Result::is_ok));

        // Honest paging backwards ends at the empty batch.
        server.reset(vec![
            Reply::ok(batch(100..120)),
            Reply::ok(batch(80..100)),
            Reply::ok(json!([])),
        ]);
        let items = messages(&client, 500).await;
        assert_eq!(items.len(), 40, "{items:?}");
        assert!(items.iter().all(Result::is_ok));
    })
}
