//! The token key never shows: every error kind is provoked with a known key, and Display,
//! Debug and the captured TRACE output (reqwest's `log` records included) are searched.

use crate::support::*;
use base64_token::token;
use crisp_api::{Client, ClientBuilder, Credentials, Error, ErrorKind, RetryPolicy, Tier};
use crisp_mock::{Reply, ScriptedServer};
use crisp_wire_tests::WEBSITE;
use std::collections::BTreeSet;
use std::time::Duration;

const SECRET_ID: &str = "secret-test-identifier";
const SECRET_KEY: &str = "SECRET-KEY-123";

mod base64_token {
    /// Standard base64 (with padding), enough for a Basic token.
    pub fn token(text: &str) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let bytes = text.as_bytes();
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }
}

fn secret_builder(url: &str) -> ClientBuilder {
    Client::builder()
        .base_url(url)
        .credentials(SECRET_ID, SECRET_KEY)
        .tier(Tier::Plugin)
        .retry_policy(fast(2))
        .timeout(Duration::from_secs(5))
}

/// Everything an error shows: Display, Debug (plain and pretty) and its source chain.
fn everything(e: &Error) -> String {
    let mut out = format!("{e}\n{e:?}\n{e:#?}\n");
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        out.push_str(&format!("{s}\n{s:?}\n"));
        source = s.source();
    }
    out
}

fn assert_clean(what: &str, text: &str) {
    let basic = token(&format!("{SECRET_ID}:{SECRET_KEY}"));
    for needle in [SECRET_KEY, basic.as_str(), &token(SECRET_KEY)] {
        assert!(
            !text.contains(needle),
            "{what} leaks {needle:?}:\n{}",
            &text[text.find(needle).unwrap().saturating_sub(200)..]
                .chars()
                .take(400)
                .collect::<String>()
        );
    }
}

pub fn the_key_never_shows() {
    assert_eq!(
        token("Aladdin:open sesame"),
        "QWxhZGRpbjpvcGVuIHNlc2FtZQ==",
        "the test's base64"
    );
    let capture = Capture::default();
    let guard = capture.install(tracing::Level::TRACE);
    let mut errors: Vec<Error> = Vec::new();
    let mut shown = String::new();

    // Configuration.
    for builder in [
        secret_builder("ftp://example.com"),
        secret_builder("not a url"),
        secret_builder("http://127.0.0.1:1").user_agent("bad\nagent"),
        Client::builder().base_url("http://127.0.0.1:1"),
    ] {
        shown.push_str(&format!("{builder:?}\n"));
        errors.push(builder.build().unwrap_err());
    }
    errors.push("root".parse::<Tier>().unwrap_err());

    block_on(async {
        let server = ScriptedServer::start(vec![Reply::raw(200, "")]).await;
        let client = secret_builder(&server.url()).build().unwrap();
        shown.push_str(&format!(
            "{client:?}\n{:?}\n{:#?}\n{:?}\n",
            client.config(),
            client.config(),
            Credentials::new(SECRET_ID, SECRET_KEY)
        ));
        let get =
            |client: Client| async move { client.get_conversation(WEBSITE, "session_1").await };
        let scripts = vec![
            Reply::error(400, "invalid_data"),
            Reply::error(401, "unauthorized"),
            Reply::error(403, "not_allowed"),
            Reply::error(404, "not_found"),
            Reply::error(429, "rate_limited").header("retry-after", "0"),
            Reply::error(500, "error"),
            Reply::raw(502, "<html>bad gateway</html>"),
            Reply::raw(200, "not json"),
            Reply::json(
                200,
                serde_json::json!({"error": true, "reason": "invalid_session"}),
            ),
            Reply::raw(200, "{}").truncate_after(1),
            Reply::ok(conversation("s")).delay(Duration::from_millis(400)),
        ];
        for reply in scripts {
            server.reset(vec![reply]);
            let timed = client.with_timeout(Duration::from_millis(150));
            errors.push(expect_err(call_on(&server, get(timed)).await));
        }
        // Refused before sending.
        errors.push(expect_err(
            call(client.get_conversation(WEBSITE, "").send()).await,
        ));
        // Nothing listening.
        let dead = secret_builder(&dead_url()).build().unwrap();
        errors.push(expect_err(call(get(dead)).await));
        // A successful call too, for its trace.
        server.reset(vec![Reply::ok(conversation("s"))]);
        call_on(&server, get(client.clone())).await.unwrap();

        // The key went over the wire only in the Authorization header.
        for req in server.requests() {
            assert_clean("the request line", &format!("{} {:?}", req.path, req.query));
            assert_clean("the request body", &String::from_utf8_lossy(&req.body));
        }
    });
    drop(guard);

    let kinds: BTreeSet<String> = errors.iter().map(|e| format!("{:?}", e.kind())).collect();
    let all = [
        ErrorKind::Configuration,
        ErrorKind::InvalidRequest,
        ErrorKind::Authentication,
        ErrorKind::Forbidden,
        ErrorKind::NotFound,
        ErrorKind::RateLimited,
        ErrorKind::Server,
        ErrorKind::InvalidResponse,
        ErrorKind::Timeout,
        ErrorKind::Transport,
        ErrorKind::Api,
    ];
    for kind in all {
        assert!(
            kinds.contains(&format!("{kind:?}")),
            "{kind:?} was not provoked: {kinds:?}"
        );
    }
    for e in &errors {
        assert_clean(&format!("a {:?} error", e.kind()), &everything(e));
    }
    assert_clean(
        "Debug of the client, config, credentials and builders",
        &shown,
    );
    let trace = capture.text();
    // The capture did see the calls, including reqwest's own `log` records.
    assert!(trace.contains("crisp.request"), "no SDK spans captured");
    assert!(
        trace.contains("reqwest"),
        "no reqwest records captured:\n{trace}"
    );
    assert_clean("the TRACE output", &trace);
    let mut seen = BTreeSet::new();
    for e in &errors {
        if seen.insert(format!("{:?}", e.kind())) {
            println!("    {e}");
        }
    }
    println!(
        "    (searched {} errors of {} kinds and {} bytes of TRACE output)",
        errors.len(),
        kinds.len(),
        trace.len()
    );
    let _ = RetryPolicy::none();
}

/// A server that repeats what it was sent: the key, the Authorization value and its
/// base64 part, in every place server text can reach an error or a log line.
pub fn echoed_credentials_are_scrubbed() {
    let basic = token(&format!("{SECRET_ID}:{SECRET_KEY}"));
    let header = format!("Basic {basic}");
    let key_b64 = token(SECRET_KEY);
    let echo = format!("you sent {header} with key {SECRET_KEY} ({key_b64})");
    let envelope = |status: u16, reason: &str, message: &str| {
        Reply::json(
            status,
            serde_json::json!({"error": true, "reason": reason, "data": {"message": message}}),
        )
    };
    // The key straddling the 500-character cut, and right after the 80-byte excerpt.
    let straddling = format!("{}{SECRET_KEY}", "x".repeat(493));
    let late = format!("{}{SECRET_KEY} and more", "y".repeat(75));
    let scripts = vec![
        ("a 401 envelope", envelope(401, &echo, &echo)),
        ("a 2xx error envelope", envelope(200, &header, &echo)),
        (
            "a 2xx error envelope, error first",
            Reply::raw(
                200,
                format!(r#"{{"error":true,"reason":"{SECRET_KEY}","data":{{"message":"{header}"}}}}"#),
            ),
        ),
        ("a reason cut at 500 characters", envelope(400, &straddling, &straddling)),
        (
            "a 502 HTML page",
            Reply::raw(
                502,
                format!("<html><body><pre>Authorization: {header}\nkey={SECRET_KEY}</pre></body></html>"),
            )
            .header("content-type", "text/html"),
        ),
        ("a 2xx that is not JSON", Reply::raw(200, echo.clone())),
        ("a 2xx that is not JSON, key at byte 75", Reply::raw(200, late.clone())),
        ("a 404 that is not JSON", Reply::raw(404, late.clone())),
        (
            "a decoding error quoting the key",
            Reply::ok(serde_json::json!({"session_id": "s", "website_id": WEBSITE,
                                         "created_at": echo})),
        ),
        (
            "a 503 retried (the retry log line)",
            Reply::raw(503, format!(r#"{{"error":true,"reason":"{header}"}}"#)),
        ),
        (
            "a 429 retried (the retry log line)",
            envelope(429, SECRET_KEY, &echo).header("retry-after", "0"),
        ),
    ];
    let capture = Capture::default();
    let guard = capture.install(tracing::Level::TRACE);
    let mut errors = Vec::new();
    block_on(async {
        let server = ScriptedServer::start(vec![Reply::raw(200, "")]).await;
        let client = secret_builder(&server.url()).build().unwrap();
        for (what, reply) in scripts {
            server.reset(vec![reply]);
            let e = expect_err(
                call_on(
                    &server,
                    client.get_conversation(WEBSITE, "session_1").send(),
                )
                .await,
            );
            errors.push((what, e));
        }
        // An operation without data reads its error envelope on another path.
        server.reset(vec![envelope(200, &echo, &echo)]);
        let e = expect_err(
            call_on(
                &server,
                client.remove_conversation(WEBSITE, "session_1").send(),
            )
            .await,
        );
        errors.push(("an error envelope for an operation without data", e));
    });
    drop(guard);
    for (what, e) in &errors {
        let shown = everything(e);
        assert_clean(what, &shown);
        // Not even the start of the key, cut by a length limit.
        assert!(
            !shown.contains(&SECRET_KEY[..8]),
            "{what}: part of the key in {shown}"
        );
    }
    // What was said around the credentials is kept.
    assert_eq!(
        errors[0].1.reason(),
        Some("you sent Basic <redacted> with key <redacted> (<redacted>)")
    );
    let trace = capture.text();
    assert!(trace.contains("crisp: retrying"), "the retries were logged");
    assert_clean("the TRACE output", &trace);
    assert!(
        !trace.contains(&SECRET_KEY[..8]),
        "part of the key in the TRACE output"
    );
    println!(
        "    (searched {} errors and {} bytes of TRACE output)",
        errors.len(),
        trace.len()
    );
}
