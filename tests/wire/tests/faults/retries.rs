//! Retries at the wire: what is retried, how often, after how long, and what is never sent
//! twice.

use crate::support::*;
use crisp_api::{Client, ErrorKind, RetryPolicy};
use crisp_mock::{Reply, ScriptedServer};
use crisp_wire_tests::WEBSITE;
use std::time::{Duration, Instant};

fn post(
    client: &Client,
) -> impl std::future::Future<Output = crisp_api::Result<crisp_api::types::MessageSent>> + '_ {
    client
        .send_message_in_conversation(WEBSITE, "session_1", text("hello"))
        .send()
}

fn sent() -> Reply {
    Reply::ok(serde_json::json!({"fingerprint": 42}))
}

pub fn rate_limits_are_retried_for_get_and_post() {
    block_on(async {
        for status in [429, 420] {
            let server = ScriptedServer::start(vec![
                Reply::error(status, "rate_limited"),
                Reply::ok(conversation("session_1")),
            ])
            .await;
            let got = call_on(&server, get(&client(&server.url(), 3)))
                .await
                .unwrap();
            assert_eq!(got.session_id, "session_1");
            assert_eq!(server.requests().len(), 2, "{status}: one retry");

            let server =
                ScriptedServer::start(vec![Reply::error(status, "rate_limited"), sent()]).await;
            let got = call_on(&server, post(&client(&server.url(), 3)))
                .await
                .unwrap();
            assert_eq!(got.fingerprint, Some(42));
            let requests = server.requests();
            assert_eq!(
                requests.len(),
                2,
                "{status}: a rate-limited POST is retried"
            );
            assert!(requests.iter().all(|r| r.method == "POST"));
            assert_eq!(
                requests[0].body, requests[1].body,
                "the same body is sent again"
            );
        }
    })
}

pub fn retry_after_seconds_is_honoured() {
    block_on(async {
        let server = ScriptedServer::start(vec![
            Reply::error(429, "rate_limited").header("retry-after", "1"),
            sent(),
        ])
        .await;
        let started = Instant::now();
        call_on(&server, post(&client(&server.url(), 3)))
            .await
            .unwrap();
        let waited = started.elapsed();
        assert!(waited >= Duration::from_millis(950), "waited {waited:?}");
        assert!(waited < Duration::from_secs(3), "waited {waited:?}");
        assert_eq!(server.requests().len(), 2);
    })
}

pub fn retry_after_http_date_is_honoured() {
    block_on(async {
        // An HTTP date has a resolution of one second: 2 s ahead means a wait in (1 s, 2 s].
        let at = std::time::SystemTime::now() + Duration::from_secs(2);
        let server = ScriptedServer::start(vec![
            Reply::error(429, "rate_limited").header("retry-after", &httpdate(at)),
            Reply::ok(conversation("session_1")),
        ])
        .await;
        let started = Instant::now();
        call_on(&server, get(&client(&server.url(), 3)))
            .await
            .unwrap();
        let waited = started.elapsed();
        assert!(waited >= Duration::from_millis(900), "waited {waited:?}");
        assert!(waited < Duration::from_secs(3), "waited {waited:?}");
    })
}

/// Formats an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) without a dependency.
fn httpdate(at: std::time::SystemTime) -> String {
    let secs = at.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (h, m, s) = (rem / 3600, rem % 3600 / 60, rem % 60);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][days.rem_euclid(7) as usize];
    let month_name = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ][(month - 1) as usize];
    format!("{weekday}, {day:02} {month_name} {year} {h:02}:{m:02}:{s:02} GMT")
}

pub fn retry_after_beyond_the_budget_gives_up_at_once() {
    block_on(async {
        for asked in ["3600", "18446744073709551615", "99999999999999999999999"] {
            let server = ScriptedServer::start(vec![
                Reply::error(429, "rate_limited").header("retry-after", asked),
                sent(),
            ])
            .await;
            let started = Instant::now();
            let e = expect_err(call_on(&server, post(&client(&server.url(), 5))).await);
            assert_kind(&e, ErrorKind::RateLimited);
            assert_eq!(
                e.attempts(),
                1,
                "Retry-After {asked}: no wait past max_elapsed"
            );
            assert!(started.elapsed() < Duration::from_secs(1));
            assert_eq!(server.requests().len(), 1);
            if asked == "3600" {
                assert_eq!(e.retry_after(), Some(Duration::from_secs(3600)));
            }
        }
    })
}

pub fn server_errors_are_retried_for_get_only() {
    block_on(async {
        let server = ScriptedServer::start(vec![
            Reply::error(503, "unavailable"),
            Reply::raw(502, "<html><body>Bad gateway</body></html>")
                .header("content-type", "text/html"),
            Reply::ok(conversation("session_1")),
        ])
        .await;
        call_on(&server, get(&client(&server.url(), 3)))
            .await
            .unwrap();
        assert_eq!(server.requests().len(), 3);

        for status in [500, 502, 503, 504] {
            let server = ScriptedServer::start(vec![Reply::error(status, "error"), sent()]).await;
            let e = expect_err(call_on(&server, post(&client(&server.url(), 5))).await);
            assert_kind(&e, ErrorKind::Server);
            assert_eq!(e.status(), Some(status));
            assert_eq!(e.attempts(), 1);
            let posts = server.requests();
            assert_eq!(
                posts.len(),
                1,
                "{status}: exactly one POST reached the server"
            );
            assert_eq!(server.duplicate_non_idempotent(), 0);
        }
    })
}

pub fn connect_errors_are_retried_for_post_too() {
    block_on(async {
        let url = dead_url();
        let client = client(&url, 3);
        let e = expect_err(call(post(&client)).await);
        assert_kind(&e, ErrorKind::Transport);
        assert!(e.is_connect(), "{e:?}");
        assert_eq!(e.attempts(), 3);
        assert!(e.to_string().contains("after 3 attempts"), "{e}");

        // The server comes up while the client is backing off: the POST gets through, once.
        let url = dead_url();
        let addr: std::net::SocketAddr = url
            .trim_start_matches("http://")
            .trim_end_matches("/v1")
            .parse()
            .unwrap();
        let client = Client::builder()
            .base_url(&url)
            .credentials(IDENTIFIER, KEY)
            .retry_policy(
                RetryPolicy::default()
                    .max_attempts(20)
                    .initial_backoff(Duration::from_millis(50))
                    .max_backoff(Duration::from_millis(50))
                    .max_elapsed(Duration::from_secs(10)),
            )
            .build()
            .unwrap();
        let late = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(150)).await;
            ScriptedServer::start_at(addr, vec![sent()]).await.unwrap()
        });
        let result = call(post(&client)).await;
        let server = late.await.unwrap();
        assert_eq!(result.unwrap().fingerprint, Some(42));
        assert_eq!(server.requests().len(), 1);
    })
}

pub fn timeouts_are_retried_for_get_only() {
    block_on(async {
        let slow = || vec![Reply::ok(conversation("session_1")).delay(Duration::from_millis(600))];
        let server = ScriptedServer::start(slow()).await;
        let client = builder(&server.url(), 3)
            .timeout(Duration::from_millis(100))
            .build()
            .unwrap();
        let e = expect_err(call_on(&server, get(&client)).await);
        assert_kind(&e, ErrorKind::Timeout);
        assert_eq!(e.attempts(), 3);
        assert!(e.to_string().contains("after 3 attempts"), "{e}");

        let server = ScriptedServer::start(vec![sent().delay(Duration::from_millis(600))]).await;
        let client = builder(&server.url(), 3)
            .timeout(Duration::from_millis(100))
            .build()
            .unwrap();
        let e = expect_err(call_on(&server, post(&client)).await);
        assert_kind(&e, ErrorKind::Timeout);
        assert_eq!(
            e.attempts(),
            1,
            "a POST that timed out may have been processed"
        );
        assert_eq!(server.requests().len(), 1);
    })
}

pub fn truncated_answers_are_retried_for_get_only() {
    block_on(async {
        let body = serde_json::json!({"error": false, "reason": "resolved",
            "data": conversation("session_1")})
        .to_string();
        let server = ScriptedServer::start(vec![
            Reply::raw(200, body.clone()).truncate_after(10),
            Reply::raw(200, body.clone()),
        ])
        .await;
        call_on(&server, get(&client(&server.url(), 3)))
            .await
            .unwrap();
        assert_eq!(server.requests().len(), 2);

        let server = ScriptedServer::start(vec![Reply::raw(200, body).truncate_after(10)]).await;
        let e = expect_err(call_on(&server, post(&client(&server.url(), 3))).await);
        assert_kind(&e, ErrorKind::Transport);
        assert!(!e.is_connect());
        assert_eq!(e.attempts(), 1);
        assert_eq!(server.requests().len(), 1);
    })
}

pub fn exhausted_attempts_say_how_many() {
    block_on(async {
        let server = ScriptedServer::start(vec![Reply::error(429, "rate_limited")]).await;
        let e = expect_err(call_on(&server, post(&client(&server.url(), 4))).await);
        assert_kind(&e, ErrorKind::RateLimited);
        assert!(e.is_rate_limited());
        assert_eq!(e.status(), Some(429));
        assert_eq!(e.attempts(), 4);
        assert_eq!(server.requests().len(), 4);
        assert!(e.to_string().contains("after 4 attempts"), "{e}");
        assert!(format!("{e:?}").contains("attempts: 4"), "{e:?}");

        let server = ScriptedServer::start(vec![Reply::error(503, "unavailable")]).await;
        let e = expect_err(call_on(&server, get(&client(&server.url(), 3))).await);
        assert_kind(&e, ErrorKind::Server);
        assert_eq!(e.attempts(), 3);
        assert!(e.to_string().contains("after 3 attempts"), "{e}");

        // Not retried: said as one attempt.
        let server = ScriptedServer::start(vec![Reply::error(404, "not_found")]).await;
        let e = expect_err(call_on(&server, get(&client(&server.url(), 3))).await);
        assert_kind(&e, ErrorKind::NotFound);
        assert_eq!(e.attempts(), 1);
        assert_eq!(server.requests().len(), 1);
    })
}

pub fn max_total_time_is_respected() {
    block_on(async {
        let server = ScriptedServer::start(vec![Reply::error(503, "unavailable")]).await;
        let client = Client::builder()
            .base_url(server.url())
            .credentials(IDENTIFIER, KEY)
            .retry_policy(
                RetryPolicy::default()
                    .max_attempts(1000)
                    .initial_backoff(Duration::from_millis(40))
                    .max_backoff(Duration::from_millis(40))
                    .max_elapsed(Duration::from_millis(300)),
            )
            .build()
            .unwrap();
        let started = Instant::now();
        let e = expect_err(call_on(&server, get(&client)).await);
        let took = started.elapsed();
        assert_kind(&e, ErrorKind::Server);
        assert!(e.attempts() >= 2 && e.attempts() < 1000, "{}", e.attempts());
        assert!(took < Duration::from_millis(300 + 300), "took {took:?}");
        assert_eq!(server.requests().len() as u32, e.attempts());
    })
}

pub fn per_call_retry_policy_overrides_the_builder() {
    block_on(async {
        let server = ScriptedServer::start(vec![Reply::error(503, "unavailable")]).await;
        let client = client(&server.url(), 5);
        let once = client.with_retry_policy(RetryPolicy::none());
        let e = expect_err(call_on(&server, get(&once)).await);
        assert_eq!(e.attempts(), 1);
        let e = expect_err(call_on(&server, get(&client)).await);
        assert_eq!(e.attempts(), 5);
        assert_eq!(server.requests().len(), 6);
    })
}
