//! A website token (Crisp's recommended token for one workspace) against the mock: it sends
//! `X-Crisp-Tier: website`, lists conversations, and connects to RTM through its website's
//! `connect/endpoints`.

use crisp_api::events::Event;
use crisp_api::rtm::RtmErrorKind;
use crisp_api::types::MessageFrom;
use crisp_api::{Client, ErrorKind, StreamExt as _, Tier};
use crisp_mock::MockServer;
use crisp_wire_tests::{mock_client, send_text};
use std::time::Duration;

const WEBSITE: &str = crisp_mock::README_WEBSITE_ID;

#[tokio::test]
async fn a_website_token_lists_conversations_and_receives_events() {
    let mock = MockServer::start().await;
    let sessions = mock.with_store(|s| s.seed_conversations(WEBSITE, 3));
    let website = mock_client(&mock, Tier::Website);

    let listed = website
        .list_conversations(WEBSITE, 1)
        .include_empty(true)
        .await
        .unwrap();
    assert_eq!(listed.len(), 3);
    for session in &sessions {
        assert!(listed.iter().any(|c| &c.session_id == session), "{session}");
    }
    let request = mock.last_request().unwrap();
    assert_eq!(request.header("x-crisp-tier"), Some("website"));
    assert_eq!(request.operation.as_deref(), Some("list_conversations"));

    // RTM: the socket URL comes from the website's `connect/endpoints`.
    mock.clear_requests();
    let mut events = website
        .rtm()
        .events(["message:send"])
        .website_id(WEBSITE)
        .connect()
        .await
        .unwrap();
    assert_eq!(events.socket_url(), mock.socket_url());
    let asked = mock.requests();
    assert_eq!(asked.len(), 1, "{asked:?}");
    assert_eq!(
        asked[0].path,
        format!("/v1/website/{WEBSITE}/connect/endpoints")
    );
    assert_eq!(asked[0].header("x-crisp-tier"), Some("website"));

    // A visitor writes (through a plugin token): the website token's socket gets it.
    let visitor = mock_client(&mock, Tier::Plugin);
    send_text(
        &visitor,
        WEBSITE,
        &sessions[0],
        MessageFrom::User,
        "Hello from a visitor",
    )
    .await;
    let event = tokio::time::timeout(Duration::from_secs(10), events.next())
        .await
        .expect("an event within 10 s")
        .expect("the stream goes on")
        .expect("an event, not an error");
    let Event::MessageSend(message) = event else {
        panic!("expected message:send, got {event:?}")
    };
    assert_eq!(message.session_id, sessions[0]);
}

#[tokio::test]
async fn a_website_token_needs_its_website_for_rtm_and_is_refused_where_the_spec_says() {
    let mock = MockServer::start().await;
    let website = mock_client(&mock, Tier::Website);

    // Without the website, nothing is asked.
    let error = website
        .rtm()
        .events(["message:send"])
        .connect()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), RtmErrorKind::Configuration, "{error}");
    assert!(error.to_string().contains("website_id"), "{error}");
    assert!(mock.requests().is_empty());

    // An operation the spec does not open to website tokens: 403, as for the other tiers.
    let refused = website.get_connect_endpoints().await.unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Forbidden, "{refused}");
    assert_eq!(refused.reason(), Some("not_allowed"));
}

#[test]
fn crisp_tier_website_is_read_from_the_environment() {
    // The only test of this binary that touches the environment.
    std::env::set_var("CRISP_IDENTIFIER", "identifier");
    std::env::set_var("CRISP_KEY", "key");
    std::env::set_var("CRISP_TIER", "website");
    let client = Client::from_env().unwrap();
    assert_eq!(client.config().tier(), Tier::Website);
    std::env::set_var("CRISP_TIER", "workspace");
    let error = Client::from_env().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Configuration);
    assert!(error.to_string().contains("`website`"), "{error}");
}
