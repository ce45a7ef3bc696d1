//! `.header(name, value)` on a generated call: the header reaches the server on that request
//! only, over the client's default header of the same name; a header the SDK sets itself, or
//! an invalid one, fails the call before sending.

use crisp_api::prelude::*;
use crisp_mock::MockServer;

const WEBSITE: &str = crisp_mock::README_WEBSITE_ID;

fn client(mock: &MockServer) -> Client {
    Client::builder()
        .base_url(mock.url())
        .credentials(mock.identifier(), mock.key())
        .tier(Tier::Plugin)
        .default_header("x-request-source", "crm-sync")
        .default_header("x-team", "support")
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_calls_header_reaches_the_server_on_that_request_only() {
    let mock = MockServer::start().await;
    let client = client(&mock);
    client
        .list_conversations(WEBSITE, 1)
        .header("X-Request-Id", "42")
        .header("x-team", "billing")
        .await
        .unwrap();
    let sent = mock.last_request().unwrap();
    assert_eq!(sent.header("x-request-id"), Some("42"));
    assert_eq!(sent.header("x-request-source"), Some("crm-sync"));
    let teams: Vec<_> = sent.headers.get_all("x-team").iter().collect();
    assert_eq!(
        teams,
        ["billing"],
        "the call's own header replaces the default"
    );

    client
        .get_conversation_state(WEBSITE, "session_a")
        .await
        .ok();
    let next = mock.last_request().unwrap();
    assert_eq!(next.header("x-request-id"), None);
    assert_eq!(next.header("x-team"), Some("support"));
}

#[tokio::test]
async fn a_header_the_sdk_sets_is_refused_before_sending() {
    let mock = MockServer::start().await;
    let client = client(&mock);
    for (name, value) in [
        ("Authorization", "Basic c2VjcmV0LWlkOnNlY3JldC1rZXk="),
        ("X-Crisp-Tier", "tier-value-7f3a"),
        ("bad name", "value-of-a-bad-name-9c1d"),
        ("x-ok", "line\nbreak-2b8e"),
    ] {
        let error = client
            .get_conversation(WEBSITE, "session_a")
            .header(name, value)
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidRequest, "{name}: {error}");
        assert_eq!(error.attempts(), 0, "{name}: {error}");
        assert_eq!(error.operation(), Some("get_conversation"));
        assert!(
            !error.to_string().contains(value),
            "{error} shows the value"
        );
    }
    assert!(mock.requests().is_empty(), "nothing reached the server");
}
