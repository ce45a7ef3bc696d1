//! Answers whose shape Crisp's sources disagree on decode in every shape a source gives:
//! `count_blocked_visitors` (Go: a list; Node 11.3.0: one object) and
//! `count_blocked_visitors_in_rule` (Go: an object; Node 11.3.0: a bare number). And the
//! website settings fields the Node wrapper 11.3.0 has (`domain_alternates`,
//! `emails.trackers`, `chatbox.guard_level`) reach the caller.

use crisp_api::types::{BlockedVisitors, BlockedVisitorsInRule, VisitorBlocked};
use crisp_mock::{MockServer, Reply, ScriptedServer};
use crisp_wire_tests::{client_at, client_for, WEBSITE};
use serde_json::json;

fn entry(rule: &str, blocked: u32) -> VisitorBlocked {
    serde_json::from_value(json!({"rule": [rule], "blocked": blocked})).unwrap()
}

async fn count_blocked(data: serde_json::Value) -> BlockedVisitors {
    let server = ScriptedServer::start(vec![Reply::ok(data)]).await;
    client_at(&server.url())
        .count_blocked_visitors(WEBSITE)
        .await
        .expect("the answer decodes")
}

async fn count_blocked_in_rule(data: serde_json::Value) -> BlockedVisitorsInRule {
    let server = ScriptedServer::start(vec![Reply::ok(data)]).await;
    client_at(&server.url())
        .count_blocked_visitors_in_rule(WEBSITE, "ips")
        .await
        .expect("the answer decodes")
}

#[tokio::test]
async fn blocked_visitors_decode_as_a_list_or_as_one_entry() {
    // Go's shape.
    let list = count_blocked(json!([
        {"rule": ["ips"], "blocked": 14},
        {"rule": ["countries"], "blocked": 3}
    ]))
    .await;
    assert_eq!(
        list,
        BlockedVisitors::Array(vec![entry("ips", 14), entry("countries", 3)])
    );
    // Node's shape.
    let one = count_blocked(json!({"rule": ["ips"], "blocked": 14})).await;
    assert_eq!(one, BlockedVisitors::VisitorBlocked(entry("ips", 14)));
    // Something else is an error, not a guess.
    let server = ScriptedServer::start(vec![Reply::ok(json!("fourteen"))]).await;
    let err = client_at(&server.url())
        .count_blocked_visitors(WEBSITE)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), crisp_api::ErrorKind::InvalidResponse);
}

#[tokio::test]
async fn blocked_visitors_in_a_rule_decode_as_an_object_or_a_number() {
    // Go's shape.
    let object = count_blocked_in_rule(json!({"rule": ["ips"], "blocked": 14})).await;
    assert_eq!(
        object,
        BlockedVisitorsInRule::VisitorBlocked(entry("ips", 14))
    );
    // Node's shape.
    let number = count_blocked_in_rule(json!(14)).await;
    assert_eq!(number, BlockedVisitorsInRule::Uint32(14));
}

#[tokio::test]
async fn the_mock_answers_the_blocked_counts_in_a_shape_that_decodes() {
    let server = MockServer::start().await;
    let user = crisp_api::Client::builder()
        .base_url(server.url())
        .credentials(server.identifier(), server.key())
        .tier(crisp_api::Tier::User)
        .build()
        .unwrap();
    let all = user.count_blocked_visitors(WEBSITE).await.unwrap();
    assert!(
        matches!(all, BlockedVisitors::Array(ref list) if list.len() == 2),
        "{all:?}"
    );
    let one = user
        .count_blocked_visitors_in_rule(WEBSITE, "ips")
        .await
        .unwrap();
    assert_eq!(one, BlockedVisitorsInRule::VisitorBlocked(entry("ips", 14)));
}

#[tokio::test]
async fn website_settings_carry_the_node_wrappers_newer_fields() {
    let server = ScriptedServer::start(vec![Reply::ok(json!({
        "website_id": WEBSITE,
        "domain": "crisp.chat",
        "domain_alternates": ["www.crisp.chat", "crisp.im"],
        "emails": {"rating": true, "trackers": true},
        "chatbox": {"tile": "default", "guard_level": "high"}
    }))])
    .await;
    let settings = client_at(&server.url())
        .get_website_settings(WEBSITE)
        .await
        .unwrap();
    assert_eq!(settings.domain_alternates, ["www.crisp.chat", "crisp.im"]);
    assert_eq!(settings.emails.unwrap().trackers, Some(true));
    assert_eq!(
        settings.chatbox.unwrap().guard_level.as_deref(),
        Some("high")
    );

    // The mock serves the spec's example, which has them too.
    let mock = MockServer::start().await;
    let settings = client_for(&mock)
        .get_website_settings(WEBSITE)
        .await
        .unwrap();
    assert_eq!(settings.domain_alternates, ["www.crisp.chat"]);
    assert_eq!(settings.emails.unwrap().trackers, Some(false));
}
