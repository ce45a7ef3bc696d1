//! Paged lists as streams: lazy, starting where asked, ending at the last page (Crisp's
//! `200` after its `206 Partial Content`s) or the first empty page, errors as items, memory
//! flat.

use crisp_mock::{MockServer, Reply, ScriptedServer};
use crisp_wire_tests::{client_at, client_for, WEBSITE};
use futures::{StreamExt, TryStreamExt};
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};
use std::alloc::System;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

fn list_requests(server: &MockServer) -> usize {
    server
        .requests()
        .iter()
        .filter(|r| {
            r.path
                .starts_with(&format!("/v1/website/{WEBSITE}/conversations/"))
        })
        .count()
}

/// Bytes allocated and not yet freed since the region started (all threads).
fn live(region: &Region<System>) -> isize {
    let c = region.change();
    c.bytes_allocated as isize - c.bytes_deallocated as isize
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_conversations_stream_one_page_at_a_time() {
    const TOTAL: usize = 10_000;
    const PER_PAGE: usize = 50;
    let server = MockServer::start().await;
    // Newest first: the reverse of the creation order.
    let expected: Vec<String> = server
        .with_store(|s| s.seed_conversations(WEBSITE, TOTAL))
        .into_iter()
        .rev()
        .collect();
    let client = client_for(&server);

    let mut stream = client
        .list_conversations(WEBSITE, 1)
        .per_page(PER_PAGE as u8)
        .stream();
    let region = Region::new(GLOBAL);
    let mut max_live = 0isize;
    let mut count = 0usize;
    let mut pages_fetched = 0usize;
    while let Some(conversation) = stream.next().await {
        let conversation = conversation.unwrap();
        // The page holding item `count` has been fetched, and no page after it.
        pages_fetched += list_requests(&server);
        server.clear_requests();
        assert_eq!(pages_fetched, count / PER_PAGE + 1, "item {count}");
        assert_eq!(conversation.session_id, expected[count]);
        count += 1;
        drop(conversation);
        max_live = max_live.max(live(&region));
    }
    assert_eq!(count, TOTAL);
    // Every page and nothing more: the mock answers 206 until the last page, a 200.
    pages_fetched += list_requests(&server);
    assert_eq!(pages_fetched, TOTAL / PER_PAGE);

    // What holding every conversation at once costs, for scale.
    let region_all = Region::new(GLOBAL);
    let all: Vec<_> = client
        .list_conversations(WEBSITE, 1)
        .per_page(PER_PAGE as u8)
        .stream()
        .try_collect()
        .await
        .unwrap();
    let held_all = live(&region_all);
    assert_eq!(all.len(), TOTAL);
    drop(all);
    println!("peak live bytes while streaming: {max_live}; holding all {TOTAL}: {held_all}");
    // One page of 50 is 0.5% of the whole; allow 5% for the body being decoded and the mock.
    assert!(
        max_live * 20 < held_all,
        "streaming held {max_live} bytes at peak, holding everything takes {held_all}"
    );
}

#[tokio::test]
async fn stream_starts_at_the_given_page() {
    let server = MockServer::start().await;
    let sessions = server.with_store(|s| s.seed_conversations(WEBSITE, 45));
    let client = client_for(&server);
    let rest: Vec<_> = client
        .list_conversations(WEBSITE, 2)
        .stream()
        .map_ok(|c| c.session_id)
        .try_collect()
        .await
        .unwrap();
    // Newest first: page 2 holds the 21st to 40th newest, page 3 the last 5.
    let mut expected: Vec<_> = sessions.into_iter().rev().skip(20).collect();
    expected.truncate(25);
    assert_eq!(rest, expected);
    let paths: Vec<_> = server.requests().into_iter().map(|r| r.path).collect();
    // Page 2 is a 206, page 3 (the last) a 200: no request for an empty page 4.
    assert_eq!(
        paths,
        ["2", "3"].map(|p| format!("/v1/website/{WEBSITE}/conversations/{p}"))
    );
}

#[tokio::test]
async fn errors_are_stream_items_and_end_the_stream() {
    let page = serde_json::json!([
        {"session_id": "session_a", "website_id": WEBSITE},
        {"session_id": "session_b", "website_id": WEBSITE}
    ]);
    let server =
        ScriptedServer::start(vec![Reply::ok(page), Reply::error(403, "not_allowed")]).await;
    let items: Vec<_> = client_at(&server.url())
        .list_conversations(WEBSITE, 1)
        .stream()
        .collect()
        .await;
    assert_eq!(items.len(), 3);
    assert_eq!(items[0].as_ref().unwrap().session_id, "session_a");
    assert_eq!(items[1].as_ref().unwrap().session_id, "session_b");
    let err = items[2].as_ref().unwrap_err();
    assert_eq!(err.status(), Some(403));
    assert_eq!(err.reason(), Some("not_allowed"));
    assert_eq!(server.requests().len(), 2, "no request after the error");
}

#[tokio::test]
async fn messages_stream_backwards_by_timestamp() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let session = server.with_store(|s| s.create_conversation(WEBSITE));
    let mut sent = Vec::new();
    for i in 0..45 {
        let body = crisp_api::types::MessageNew::new(
            crisp_api::types::MessageFrom::User,
            "chat",
            crisp_api::types::MessageContent::text(format!("message {i}")),
        );
        let m = client
            .send_message_in_conversation(WEBSITE, &session, body)
            .await
            .unwrap();
        sent.push(m.fingerprint.expect("the answer carries the fingerprint"));
    }
    server.clear_requests();
    let streamed: Vec<_> = client
        .get_messages_in_conversation(WEBSITE, &session)
        .stream()
        .map_ok(|m| (m.fingerprint, m.timestamp.unwrap()))
        .try_collect()
        .await
        .unwrap();
    // Batches of 20, newest batch first, each batch oldest first.
    let fingerprints: Vec<_> = streamed.iter().map(|(f, _)| *f).collect();
    let mut expected = Vec::new();
    expected.extend_from_slice(&sent[25..45]);
    expected.extend_from_slice(&sent[5..25]);
    expected.extend_from_slice(&sent[0..5]);
    assert_eq!(fingerprints, expected);
    let queries: Vec<_> = server.requests().into_iter().map(|r| r.query).collect();
    assert_eq!(
        queries.len(),
        3,
        "3 batches: 206, 206, then the oldest, 200"
    );
    assert_eq!(queries[0], None);
    let oldest_of_first = streamed[0].1;
    assert_eq!(
        queries[1],
        Some(format!("timestamp_before={oldest_of_first}"))
    );
}

/// A page of `n` conversations, `session_<from>` onwards.
fn page(from: usize, n: usize) -> serde_json::Value {
    (from..from + n)
        .map(|i| serde_json::json!({"session_id": format!("session_{i}"), "website_id": WEBSITE}))
        .collect()
}

/// An answer with Crisp's envelope and this status.
fn answer(status: u16, data: serde_json::Value) -> Reply {
    Reply::json(
        status,
        serde_json::json!({"error": false, "reason": "listed", "data": data}),
    )
}

async fn stream_all(server: &ScriptedServer) -> (Vec<String>, Vec<String>) {
    let items: Vec<_> = client_at(&server.url())
        .list_conversations(WEBSITE, 1)
        .stream()
        .map_ok(|c| c.session_id)
        .try_collect()
        .await
        .unwrap();
    let pages = server
        .requests()
        .into_iter()
        .map(|r| r.path.rsplit('/').next().unwrap_or_default().to_string())
        .collect();
    (items, pages)
}

#[tokio::test]
async fn crisp_paging_206_206_200_costs_three_requests() {
    let server = ScriptedServer::start(vec![
        answer(206, page(0, 20)),
        answer(206, page(20, 20)),
        answer(200, page(40, 7)),
        // Never asked for: the 200 after a 206 was the last page.
        answer(200, page(100, 20)),
    ])
    .await;
    let (items, pages) = stream_all(&server).await;
    assert_eq!(items.len(), 47);
    assert_eq!(items[46], "session_46");
    assert_eq!(pages, ["1", "2", "3"]);
}

#[tokio::test]
async fn a_server_answering_200_to_every_page_loses_nothing() {
    let server = ScriptedServer::start(vec![
        answer(200, page(0, 20)),
        answer(200, page(20, 20)),
        answer(200, page(40, 7)),
        answer(200, serde_json::json!([])),
    ])
    .await;
    let (items, pages) = stream_all(&server).await;
    assert_eq!(items.len(), 47);
    assert_eq!(pages, ["1", "2", "3", "4"], "up to the empty page");

    // A 200 first (no 206 yet) says nothing: the stream goes on and takes Crisp's 206s.
    server.reset(vec![
        answer(200, page(0, 20)),
        answer(206, page(20, 20)),
        answer(200, page(40, 3)),
    ]);
    let client = client_at(&server.url());
    let items: Vec<_> = client
        .list_conversations(WEBSITE, 1)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(items.len(), 43);
    assert_eq!(
        server.requests().len(),
        3,
        "the 200 after the 206 was the last page"
    );
}

#[tokio::test]
async fn the_mock_answers_206_then_200_and_a_three_page_list_costs_three_requests() {
    let server = MockServer::start().await;
    server.with_store(|s| s.seed_conversations(WEBSITE, 45));
    let client = client_for(&server);
    let all: Vec<_> = client
        .list_conversations(WEBSITE, 1)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 45);
    let requests = server.requests();
    println!(
        "a 3-page list (45 conversations, 20 a page): {} requests",
        requests.len()
    );
    assert_eq!(requests.len(), 3);

    // The mock's statuses, read at the wire.
    let http = crisp_wire_tests::http_client();
    for (page, status) in [(1, 206), (2, 206), (3, 200), (4, 200)] {
        let response = http
            .get(format!(
                "{}/website/{WEBSITE}/conversations/{page}",
                server.url()
            ))
            .basic_auth(server.identifier(), Some(server.key()))
            .header("X-Crisp-Tier", "plugin")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), status, "page {page}");
    }
}

#[tokio::test]
async fn page_zero_is_refused_before_sending() {
    let server = MockServer::start().await;
    server.with_store(|s| s.seed_conversations(WEBSITE, 5));
    let items: Vec<_> = client_for(&server)
        .list_conversations(WEBSITE, 0)
        .stream()
        .collect()
        .await;
    assert_eq!(items.len(), 1, "{items:?}");
    let error = items[0].as_ref().unwrap_err();
    assert_eq!(error.kind(), crisp_api::ErrorKind::InvalidRequest);
    assert_eq!(error.attempts(), 0);
    assert!(error.to_string().contains("from 1"), "{error}");
    assert!(server.requests().is_empty(), "nothing sent");
}
