//! Crisp's daily quotas at the wire: its refusals (423 `quota_limit_exceeded`, 402
//! `subscription_upgrade_required`) are typed and never retried; the client's meter counts
//! what it sends, and its daily budget refuses before sending.

use crisp_api::{Client, ErrorKind, RetryPolicy};
use crisp_mock::{Reply, ScriptedServer};
use crisp_wire_tests::WEBSITE;
use std::time::Duration;

/// A client that retries (3 attempts, short waits), with an optional daily budget.
fn client(server: &ScriptedServer, budget: Option<u64>) -> Client {
    let mut builder = Client::builder()
        .base_url(server.url())
        .credentials(crisp_mock::DEFAULT_IDENTIFIER, crisp_mock::DEFAULT_KEY)
        .retry_policy(
            RetryPolicy::default()
                .max_attempts(3)
                .initial_backoff(Duration::from_millis(1))
                .max_backoff(Duration::from_millis(2)),
        );
    if let Some(budget) = budget {
        builder = builder.daily_budget(budget);
    }
    builder.build().unwrap()
}

async fn get_website(client: &Client) -> crisp_api::Result<crisp_api::types::Website> {
    client.get_website(WEBSITE).await
}

fn website() -> serde_json::Value {
    serde_json::json!({"website_id": WEBSITE, "name": "Acme", "domain": "acme.example"})
}

#[tokio::test]
async fn a_spent_quota_and_a_missing_plan_feature_are_typed_after_one_attempt() {
    for (status, reason, kind) in [
        (423, "quota_limit_exceeded", ErrorKind::QuotaExceeded),
        (
            402,
            "subscription_upgrade_required",
            ErrorKind::UpgradeRequired,
        ),
    ] {
        let server = ScriptedServer::start(vec![Reply::error(status, reason)]).await;
        let client = client(&server, None);
        let error = get_website(&client).await.unwrap_err();
        assert_eq!(error.kind(), kind, "{error}");
        assert_eq!(error.status(), Some(status));
        assert_eq!(error.reason(), Some(reason));
        assert_eq!(error.attempts(), 1, "never retried: {error}");
        assert_eq!(server.requests().len(), 1, "one request on the wire");
        let usage = client.usage();
        assert_eq!((usage.requests, usage.client_errors), (1, 1));
    }
    // The reason decides even on a 2xx error envelope.
    let server = ScriptedServer::start(vec![Reply::json(
        200,
        serde_json::json!({"error": true, "reason": "quota_limit_exceeded", "data": {}}),
    )])
    .await;
    let error = get_website(&client(&server, None)).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::QuotaExceeded, "{error}");
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn the_meter_counts_every_attempt_by_class_across_clones() {
    let server = ScriptedServer::start(vec![
        Reply::ok(website()),
        Reply::error(404, "not_found"),
        // A GET is retried after a 5xx: two attempts, two requests counted.
        Reply::error(503, "unavailable"),
        Reply::ok(website()),
        Reply::disconnect(),
    ])
    .await;
    let client = client(&server, None);
    let clone = client.clone();
    let patient = client.with_timeout(Duration::from_secs(30));
    get_website(&client).await.unwrap();
    get_website(&clone).await.unwrap_err();
    get_website(&patient).await.unwrap();
    // Lost connections: retried too (GET), then given up.
    let lost = get_website(&client.with_retry_policy(RetryPolicy::none()))
        .await
        .unwrap_err();
    assert_eq!(lost.kind(), ErrorKind::Transport, "{lost}");

    let usage = client.usage();
    assert_eq!(usage, clone.usage(), "clones share the meter");
    assert_eq!(usage, patient.usage());
    assert_eq!(usage.requests, server.requests().len() as u64);
    assert_eq!(usage.requests, 5);
    assert_eq!(usage.success, 2);
    assert_eq!(usage.client_errors, 1);
    assert_eq!(usage.server_errors, 1);
    assert_eq!(usage.failures, 1);
    assert_eq!((usage.refused, usage.budget), (0, None));
    let midnight = usage
        .day_start
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    assert_eq!(midnight.as_secs() % 86_400, 0, "the start of a UTC day");
    assert!(
        std::time::SystemTime::now()
            .duration_since(usage.day_start)
            .unwrap()
            < Duration::from_secs(86_400)
    );
}

#[tokio::test]
async fn the_daily_budget_refuses_before_sending_and_retries_spend_it() {
    let server = ScriptedServer::start(vec![Reply::ok(website())]).await;
    let client = client(&server, Some(2));
    get_website(&client).await.unwrap();
    get_website(&client.clone()).await.unwrap();
    for _ in 0..3 {
        let refused = get_website(&client).await.unwrap_err();
        assert_eq!(refused.kind(), ErrorKind::BudgetExhausted, "{refused}");
        assert_eq!(refused.attempts(), 0);
        assert_eq!(refused.status(), None);
        assert!(
            refused.to_string().contains("daily budget of 2"),
            "{refused}"
        );
    }
    assert_eq!(
        server.requests().len(),
        2,
        "the server saw nothing after the budget"
    );
    let usage = client.usage();
    assert_eq!((usage.requests, usage.refused), (2, 3));

    // Retries spend the budget: a 503 retried once, then the budget stops the next retry.
    let server = ScriptedServer::start(vec![Reply::error(503, "unavailable")]).await;
    let retrying = self::client(&server, Some(2));
    let stopped = get_website(&retrying).await.unwrap_err();
    assert_eq!(stopped.kind(), ErrorKind::BudgetExhausted, "{stopped}");
    assert_eq!(stopped.attempts(), 2);
    assert!(
        stopped.to_string().contains("503"),
        "names the last failure: {stopped}"
    );
    assert_eq!(server.requests().len(), 2);
}
