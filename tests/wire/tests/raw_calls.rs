//! Raw calls (routes the spec does not have) and headers added to requests, at the wire:
//! the same authentication, tier, base URL, retries, envelope unwrapping, errors, id
//! escaping and quota meter as generated calls.

use crisp_api::raw::Method;
use crisp_api::{Client, ErrorKind, RetryPolicy, Tier};
use crisp_mock::{MockServer, Reply, ScriptedServer};
use crisp_wire_tests::{assert_common_headers, client_for, WEBSITE};
use std::time::Duration;

#[tokio::test]
async fn a_raw_call_goes_like_a_generated_one() {
    let server = MockServer::start().await;
    let sessions = server.with_store(|s| s.seed_conversations(WEBSITE, 25));
    let client = client_for(&server);

    // `data` as JSON, the envelope unwrapped; the query reaches the server.
    let listed = client
        .get_raw(["website", WEBSITE, "conversations", "1"])
        .query("per_page", 20)
        .await
        .unwrap();
    let listed = listed.as_array().expect("a list");
    assert_eq!(listed.len(), 20);
    let raw_request = server.last_request().unwrap();
    assert_common_headers(&raw_request, "plugin");
    assert_eq!(raw_request.operation.as_deref(), Some("list_conversations"));
    assert_eq!(raw_request.query.as_deref(), Some("per_page=20"));

    // The generated call sends the same request, headers included.
    let generated = client
        .list_conversations(WEBSITE, 1)
        .per_page(20)
        .await
        .unwrap();
    let generated_request = server.last_request().unwrap();
    assert_eq!(raw_request.path, generated_request.path);
    for header in ["authorization", "x-crisp-tier", "user-agent", "accept"] {
        assert_eq!(
            raw_request.header(header),
            generated_request.header(header),
            "{header}"
        );
    }
    assert_eq!(listed[0]["session_id"], generated[0].session_id.as_str());

    // Decoded into the caller's type; a JSON body.
    #[derive(serde::Deserialize)]
    struct Created {
        session_id: String,
    }
    let created = client
        .post_raw(["website", WEBSITE, "conversation"])
        .json(&serde_json::json!({}))
        .decode::<Created>()
        .await
        .unwrap();
    assert!(!sessions.contains(&created.session_id));
    let request = server.last_request().unwrap();
    assert_common_headers(&request, "plugin");
    assert_eq!(request.method, "POST");
    assert_eq!(&request.body[..], b"{}");
    assert!(server.with_store(|s| s.conversation(WEBSITE, &created.session_id).is_some()));

    // Errors are typed as for generated calls: an unknown conversation, an unknown route.
    let missing = client
        .get_raw(["website", WEBSITE, "conversation", "session_nope"])
        .await
        .unwrap_err();
    assert_eq!(missing.kind(), ErrorKind::NotFound, "{missing}");
    assert_eq!(missing.operation(), Some("raw"));
    let unknown = client
        .raw(Method::GET, ["website", WEBSITE, "no-such-route"])
        .await
        .unwrap_err();
    assert_eq!(unknown.kind(), ErrorKind::NotFound, "{unknown}");

    // The meter counts raw calls too.
    assert_eq!(client.usage().requests, server.requests().len() as u64);
}

#[tokio::test]
async fn every_segment_is_one_escaped_path_segment_and_bad_ones_are_refused() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let email = "john+tag/x@example.com";
    let error = client
        .get_raw(["website", WEBSITE, "people", "profile", email])
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::NotFound);
    assert_eq!(
        server.last_request().unwrap().path,
        format!("/v1/website/{WEBSITE}/people/profile/john%2Btag%2Fx%40example.com")
    );
    server.clear_requests();

    for segments in [
        vec!["website", "", "conversations", "1"],
        vec!["website", "..", "conversations", "1"],
        vec!["website", WEBSITE, "."],
    ] {
        let refused = client.get_raw(&segments).await.unwrap_err();
        assert_eq!(refused.kind(), ErrorKind::InvalidRequest, "{segments:?}");
        assert_eq!(refused.attempts(), 0);
    }
    for (name, value) in [
        ("Authorization", "Basic eDp5"),
        ("x-crisp-tier", "user"),
        ("content-type", "text/plain"),
        ("bad name", "v"),
        ("X-Ok", "line\nbreak"),
    ] {
        let refused = client
            .get_raw(["website", WEBSITE])
            .header(name, value)
            .await
            .unwrap_err();
        assert_eq!(refused.kind(), ErrorKind::InvalidRequest, "{name}");
        assert_eq!(refused.attempts(), 0);
        assert!(!refused.to_string().contains("eDp5"), "{refused}");
    }
    struct Unencodable;
    impl serde::Serialize for Unencodable {
        fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
            Err(serde::ser::Error::custom("no"))
        }
    }
    let refused = client
        .post_raw(["website", WEBSITE, "conversation"])
        .json(&Unencodable)
        .await
        .unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::InvalidRequest);
    assert!(server.requests().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn default_headers_reach_every_request_and_a_call_can_replace_one() {
    let server = MockServer::start().await;
    let client = Client::builder()
        .base_url(server.url())
        .credentials(server.identifier(), server.key())
        .tier(Tier::Plugin)
        .default_header("X-Request-Source", "nightly")
        .default_header("X-Team", "support")
        .build()
        .unwrap();
    assert!(!format!("{:?}", client.config()).contains("nightly"));
    client.get_website(WEBSITE).await.unwrap();
    let request = server.last_request().unwrap();
    assert_eq!(request.header("x-request-source"), Some("nightly"));
    assert_eq!(request.header("x-team"), Some("support"));
    assert_common_headers(&request, "plugin");

    client
        .get_raw(["website", WEBSITE])
        .header("X-Team", "sales")
        .await
        .unwrap();
    let request = server.last_request().unwrap();
    assert_eq!(request.header("x-request-source"), Some("nightly"));
    let teams: Vec<_> = request.headers.get_all("x-team").iter().collect();
    assert_eq!(
        teams,
        ["sales"],
        "the call's own value replaces the default"
    );

    for owned in ["Authorization", "X-Crisp-Tier", "User-Agent", "Host"] {
        let refused = Client::builder()
            .credentials("identifier", "key")
            .default_header(owned, "x")
            .build()
            .unwrap_err();
        assert_eq!(refused.kind(), ErrorKind::Configuration, "{owned}");
        assert!(
            refused
                .to_string()
                .to_ascii_lowercase()
                .contains(&owned.to_ascii_lowercase()),
            "{refused}"
        );
    }
}

#[tokio::test]
async fn raw_calls_retry_as_generated_calls_do() {
    let server = ScriptedServer::start(vec![
        Reply::error(503, "unavailable"),
        Reply::ok(serde_json::json!({"count": 4})),
    ])
    .await;
    let client = Client::builder()
        .base_url(server.url())
        .credentials(crisp_mock::DEFAULT_IDENTIFIER, crisp_mock::DEFAULT_KEY)
        .retry_policy(
            RetryPolicy::default()
                .initial_backoff(Duration::from_millis(1))
                .max_backoff(Duration::from_millis(2)),
        )
        .build()
        .unwrap();
    let count = client
        .get_raw(["website", WEBSITE, "visitors", "count"])
        .await
        .unwrap();
    assert_eq!(count["count"], 4);
    assert_eq!(
        server.requests().len(),
        2,
        "the GET was retried after the 503"
    );

    // A POST is not retried after a 5xx (it may have been processed).
    server.reset(vec![
        Reply::error(503, "unavailable"),
        Reply::ok(serde_json::json!({})),
    ]);
    let error = client
        .post_raw(["website", WEBSITE, "visitors", "count"])
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Server);
    assert_eq!(error.attempts(), 1);
    assert_eq!(server.requests().len(), 1);
}
