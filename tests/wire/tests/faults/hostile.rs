//! Hostile and broken answers become typed errors, never panics; and a fuzz over what a
//! server can send.

use crate::support::*;
use crisp_api::{Client, ErrorKind, RetryPolicy};
use crisp_mock::{Reply, ScriptedServer};
use crisp_wire_tests::WEBSITE;
use proptest::prelude::*;
use serde_json::json;
use std::time::Duration;

/// One scripted answer to a GET with no retries: the error it becomes.
async fn get_err(reply: Reply) -> crisp_api::Error {
    let server = ScriptedServer::start(vec![reply]).await;
    let e = expect_err(call_on(&server, get(&client(&server.url(), 1))).await);
    assert_eq!(server.requests().len(), 1);
    e
}

pub fn non_json_and_html_pages() {
    block_on(async {
        let e = get_err(Reply::raw(200, "this is not json")).await;
        assert_kind(&e, ErrorKind::InvalidResponse);
        assert!(e.to_string().contains("this is not json"), "{e}");

        let e = get_err(Reply::raw(200, "")).await;
        assert_kind(&e, ErrorKind::InvalidResponse);

        let e = get_err(Reply::raw(200, vec![0xff, 0xfe, 0x00, 0x80])).await;
        assert_kind(&e, ErrorKind::InvalidResponse);

        let page = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>\
                    <body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center>\
                    </body></html>";
        let e = get_err(Reply::raw(502, page).header("content-type", "text/html")).await;
        assert_kind(&e, ErrorKind::Server);
        assert_eq!(e.status(), Some(502));
        assert_eq!(e.reason(), None);
        assert!(e.message().unwrap().contains("502 Bad Gateway"), "{e}");
        // The excerpt is bounded.
        assert!(e.to_string().len() < 300, "{e}");

        let e = get_err(Reply::raw(401, "<html>login</html>")).await;
        assert_kind(&e, ErrorKind::Authentication);
        let e = get_err(Reply::raw(404, "")).await;
        assert_kind(&e, ErrorKind::NotFound);
        assert_eq!(e.reason(), None);
    })
}

pub fn truncated_body() {
    block_on(async {
        let body =
            json!({"error": false, "reason": "resolved", "data": conversation("s")}).to_string();
        let e = get_err(Reply::raw(200, body.clone()).truncate_after(20)).await;
        assert_kind(&e, ErrorKind::Transport);
        assert_eq!(e.status(), Some(200), "the status line had arrived");
        // An error answer cut short keeps its status.
        let e = get_err(Reply::raw(500, body).truncate_after(5)).await;
        assert_kind(&e, ErrorKind::Server);
        assert_eq!(e.status(), Some(500));
        // Headers then nothing.
        let e = get_err(Reply::disconnect()).await;
        assert_kind(&e, ErrorKind::Transport);
    })
}

pub fn wrong_envelopes() {
    block_on(async {
        for (body, what) in [
            (json!([1, 2, 3]), "an array"),
            (json!({"foo": 1}), "no envelope fields"),
            (json!({"error": false, "reason": "resolved"}), "no data"),
            (json!({"error": false, "data": null}), "null data"),
            (
                json!({"error": false, "data": "a string"}),
                "data of the wrong type",
            ),
            (
                json!({"error": false, "data": [conversation("s")]}),
                "a list for an object",
            ),
            (
                json!({"error": false, "data": {"session_id": 5}}),
                "a field of the wrong type",
            ),
            (
                json!({"error": false, "data": {"website_id": WEBSITE}}),
                "a required field missing",
            ),
            (
                json!({"error": "no", "data": conversation("s")}),
                "error not a bool",
            ),
            (
                json!({"error": false, "reason": 7, "data": conversation("s")}),
                "reason not a string",
            ),
            (json!("just a string"), "a string"),
            (json!(null), "null"),
            (json!(12), "a number"),
        ] {
            let e = get_err(Reply::json(200, body.clone())).await;
            assert_kind(&e, ErrorKind::InvalidResponse);
            assert!(e.message().is_some(), "{what}: {e}");
        }

        // `data` absent where the operation returns something, on a POST.
        let server = ScriptedServer::start(vec![Reply::json(200, json!({"error": false}))]).await;
        let e = expect_err(call_on(&server, create(&client(&server.url(), 3))).await);
        assert_kind(&e, ErrorKind::InvalidResponse);
        assert_eq!(e.attempts(), 1, "a broken answer is not retried");

        // Unknown fields and extra envelope keys are fine.
        let server = ScriptedServer::start(vec![Reply::json(
            200,
            json!({"error": false, "reason": "resolved", "extra": [1],
                   "data": {"session_id": "s", "website_id": WEBSITE, "new_field": {"x": 1}}}),
        )])
        .await;
        let got = call_on(&server, get(&client(&server.url(), 1)))
            .await
            .unwrap();
        assert_eq!(got.session_id, "s");
    })
}

pub fn unexpected_statuses() {
    block_on(async {
        // A redirect is not followed: Crisp never redirects, and following one would turn a
        // POST into a GET or send the credentials elsewhere.
        let target = ScriptedServer::start(vec![Reply::ok(conversation("s"))]).await;
        let server = ScriptedServer::start(vec![Reply::raw(302, "").header(
            "location",
            &format!("{}/website/x/conversation/y", target.url()),
        )])
        .await;
        let e = expect_err(call_on(&server, get(&client(&server.url(), 3))).await);
        assert_kind(&e, ErrorKind::InvalidResponse);
        assert_eq!(e.status(), Some(302));
        assert_eq!(e.attempts(), 1);
        assert_eq!(target.requests().len(), 0, "the redirect was not followed");

        // A 2xx without a body where data is expected.
        let e = get_err(Reply::raw(204, "")).await;
        assert_kind(&e, ErrorKind::InvalidResponse);

        // Any 2xx is a success.
        let server = ScriptedServer::start(vec![Reply::json(
            299,
            json!({"error": false, "data": conversation("s")}),
        )])
        .await;
        call_on(&server, get(&client(&server.url(), 1)))
            .await
            .unwrap();

        // A status outside HTTP's classes.
        let e = get_err(Reply::raw(600, "weird")).await;
        assert_kind(&e, ErrorKind::InvalidResponse);
        assert_eq!(e.status(), Some(600));
    })
}

pub fn bodies_over_the_limit() {
    block_on(async {
        let big = format!(
            "{{\"error\":false,\"reason\":\"resolved\",\"data\":{{\"session_id\":\"{}\",\"website_id\":\"w\"}}}}",
            "x".repeat(300_000)
        );
        for (reply, how) in [
            (Reply::raw(200, big.clone()), "with Content-Length"),
            (Reply::raw(200, big.clone()).chunked(), "chunked"),
        ] {
            let server = ScriptedServer::start(vec![reply]).await;
            let client = builder(&server.url(), 3)
                .max_response_bytes(64 * 1024)
                .build()
                .unwrap();
            let e = expect_err(call_on(&server, get(&client)).await);
            assert_kind(&e, ErrorKind::InvalidResponse);
            assert!(e.to_string().contains("max_response_bytes"), "{how}: {e}");
            assert_eq!(e.attempts(), 1, "{how}: not retried");
            assert_eq!(e.status(), Some(200), "{how}");
            // Under the limit, the same answer decodes.
            let roomy = builder(&server.url(), 1)
                .max_response_bytes(1024 * 1024)
                .build()
                .unwrap();
            let got = call_on(&server, get(&roomy)).await.unwrap();
            assert_eq!(got.session_id.len(), 300_000, "{how}");
        }
        // An error answer over the limit keeps its status's kind.
        let server =
            ScriptedServer::start(vec![Reply::raw(503, "x".repeat(100_000)).chunked()]).await;
        let client = builder(&server.url(), 1)
            .max_response_bytes(1024)
            .build()
            .unwrap();
        let e = expect_err(call_on(&server, get(&client)).await);
        assert_kind(&e, ErrorKind::Server);
        assert_eq!(e.status(), Some(503));
    })
}

pub fn error_envelopes_are_read_leniently() {
    block_on(async {
        for (status, body, kind, reason) in [
            (
                400,
                json!({"error": true, "reason": "invalid_data", "data": {"message": 5}}),
                ErrorKind::InvalidRequest,
                Some("invalid_data"),
            ),
            (
                403,
                json!({"error": true, "reason": ["x"]}),
                ErrorKind::Forbidden,
                None,
            ),
            (
                404,
                json!({"error": true, "reason": "not_found", "data": "gone"}),
                ErrorKind::NotFound,
                None,
            ),
            (
                429,
                json!({"reason": "rate_limited"}),
                ErrorKind::RateLimited,
                Some("rate_limited"),
            ),
            (500, json!([]), ErrorKind::Server, None),
            (
                200,
                json!({"error": true, "reason": "not_allowed", "data": 1}),
                ErrorKind::Forbidden,
                Some("not_allowed"),
            ),
            (200, json!({"error": true}), ErrorKind::Api, None),
        ] {
            let e = get_err(Reply::json(status, body.clone())).await;
            assert_kind(&e, kind);
            if let Some(reason) = reason {
                assert_eq!(e.reason(), Some(reason), "{body}");
            }
        }
    })
}

// ---------------------------------------------------------------------------------------
// Fuzz

const STATUSES: &[u16] = &[
    200, 201, 204, 299, 400, 401, 403, 404, 420, 429, 500, 502, 503,
];

/// What a call may end in, for a given status: data or a typed error consistent with it.
fn check_outcome<T: std::fmt::Debug>(status: u16, result: &crisp_api::Result<T>) {
    match result {
        Ok(_) => assert!((200..300).contains(&status), "data from a {status}"),
        Err(e) => {
            let _ = (e.to_string(), format!("{e:?}"));
            match status {
                200..=299 => assert!(
                    matches!(
                        e.kind(),
                        ErrorKind::InvalidResponse
                            | ErrorKind::Api
                            | ErrorKind::NotFound
                            | ErrorKind::InvalidRequest
                            | ErrorKind::Authentication
                            | ErrorKind::Forbidden
                    ),
                    "{status}: {e:?}"
                ),
                _ => assert_eq!(e.status(), Some(status), "{e:?}"),
            }
        }
    }
}

/// Arbitrary bytes with any status, for a GET and a POST.
pub fn fuzz_arbitrary_bytes() {
    let before = outcomes();
    let rt = runtime();
    let server = rt.block_on(ScriptedServer::start(vec![Reply::raw(200, "")]));
    let client = builder(&server.url(), 1)
        .retry_policy(RetryPolicy::none())
        .max_response_bytes(4096)
        .build()
        .unwrap();
    let strategy = (
        proptest::sample::select(STATUSES.to_vec()),
        proptest::collection::vec(any::<u8>(), 0..600),
        any::<bool>(),
    );
    let result = prop_runner(300).run(&strategy, |(status, body, chunked)| {
        let mut reply = Reply::raw(status, body);
        if chunked {
            reply = reply.chunked();
        }
        server.reset(vec![reply]);
        rt.block_on(async {
            let r = call_on(&server, get(&client)).await;
            check_outcome(status, &r);
            let r = call_on(&server, create(&client)).await;
            check_outcome(status, &r);
        });
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    report_since(before, "arbitrary bytes");
}

/// Valid envelopes, then mutated: bytes flipped, inserted, removed, cut.
pub fn fuzz_mutated_envelopes() {
    let before = outcomes();
    let rt = runtime();
    let server = rt.block_on(ScriptedServer::start(vec![Reply::raw(200, "")]));
    let client = client(&server.url(), 1);
    let valid = [
        json!({"error": false, "reason": "resolved", "data": conversation("session_1")}),
        json!({"error": false, "reason": "resolved", "data": {
            "session_id": "s", "website_id": WEBSITE, "state": "resolved", "status": 2,
            "meta": {"nickname": "Ann", "email": "a@b.c", "segments": ["x"], "data": {"k": 1}},
            "participants": [{"type": "email", "target": "a@b.c"}],
            "unread": {"operator": 1, "visitor": 0}, "mentions": ["u"],
            "preview_message": {"type": "text", "from": "user", "excerpt": "hi", "fingerprint": 1}
        }}),
        json!({"error": true, "reason": "not_found", "data": {"message": "x"}}),
        json!({"error": false, "reason": "created", "data": {"session_id": "session_x"}}),
    ];
    let bodies: Vec<Vec<u8>> = valid.iter().map(|v| v.to_string().into_bytes()).collect();
    // Unmutated, they decode (or fail as they say); a conversation is also a valid answer to
    // create_new_conversation, which only needs `session_id`.
    rt.block_on(async {
        for (body, decodes) in
            bodies
                .iter()
                .zip([(true, true), (true, true), (false, false), (false, true)])
        {
            server.reset(vec![Reply::raw(200, body.clone())]);
            assert_eq!(call_on(&server, get(&client)).await.is_ok(), decodes.0);
            assert_eq!(call_on(&server, create(&client)).await.is_ok(), decodes.1);
        }
    });
    let mutation = prop_oneof![
        (any::<prop::sample::Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::Set(i, b)),
        (any::<prop::sample::Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::Insert(i, b)),
        any::<prop::sample::Index>().prop_map(Mutation::Remove),
        any::<prop::sample::Index>().prop_map(Mutation::Cut),
        (
            any::<prop::sample::Index>(),
            "[\\[\\]{}\",:0-9a-z\\\\-]{1,4}"
        )
            .prop_map(|(i, s)| Mutation::Splice(i, s)),
    ];
    let strategy = (
        proptest::sample::select(bodies),
        proptest::collection::vec(mutation, 1..6),
    );
    let result = prop_runner(300).run(&strategy, |(mut body, mutations)| {
        for m in mutations {
            m.apply(&mut body);
        }
        server.reset(vec![Reply::raw(200, body)]);
        rt.block_on(async {
            let r = call_on(&server, get(&client)).await;
            check_outcome(200, &r);
            let r = call_on(&server, create(&client)).await;
            check_outcome(200, &r);
        });
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    report_since(before, "mutated envelopes");
}

#[derive(Debug, Clone)]
enum Mutation {
    Set(prop::sample::Index, u8),
    Insert(prop::sample::Index, u8),
    Remove(prop::sample::Index),
    Cut(prop::sample::Index),
    Splice(prop::sample::Index, String),
}

impl Mutation {
    fn apply(self, body: &mut Vec<u8>) {
        if body.is_empty() {
            return;
        }
        match self {
            Mutation::Set(i, b) => {
                let i = i.index(body.len());
                body[i] = b;
            }
            Mutation::Insert(i, b) => body.insert(i.index(body.len() + 1), b),
            Mutation::Remove(i) => {
                body.remove(i.index(body.len()));
            }
            Mutation::Cut(i) => body.truncate(i.index(body.len())),
            Mutation::Splice(i, s) => {
                let at = i.index(body.len() + 1);
                body.splice(at..at, s.into_bytes());
            }
        }
    }
}

/// Any JSON value as `data`, and as the whole body of error answers.
pub fn fuzz_json_shapes() {
    let before = outcomes();
    let rt = runtime();
    let server = rt.block_on(ScriptedServer::start(vec![Reply::raw(200, "")]));
    let client = client(&server.url(), 1);
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(serde_json::Value::from),
        any::<u64>().prop_map(serde_json::Value::from),
        ".{0,8}".prop_map(serde_json::Value::from),
        proptest::sample::select(vec!["session_id", "website_id", "error", "data", "message"])
            .prop_map(serde_json::Value::from),
    ];
    let value = leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            proptest::collection::btree_map(
                proptest::sample::select(vec![
                    "session_id",
                    "website_id",
                    "state",
                    "error",
                    "reason",
                    "data",
                    "message",
                    "meta",
                    "participants",
                    "x"
                ])
                .prop_map(String::from),
                inner,
                0..5
            )
            .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    });
    let strategy = (
        proptest::sample::select(STATUSES.to_vec()),
        any::<Option<bool>>(),
        value,
    );
    let result = prop_runner(300).run(&strategy, |(status, error, data)| {
        let mut envelope = serde_json::Map::new();
        if let Some(error) = error {
            envelope.insert("error".into(), error.into());
        }
        envelope.insert("data".into(), data.clone());
        server.reset(vec![Reply::json(status, envelope.into())]);
        rt.block_on(async {
            let r = call_on(&server, get(&client)).await;
            check_outcome(status, &r);
        });
        server.reset(vec![Reply::json(status, data)]);
        rt.block_on(async {
            let r = call_on(&server, create(&client)).await;
            check_outcome(status, &r);
        });
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    report_since(before, "arbitrary JSON");
}

/// Rate limits with any `Retry-After`: no panic, no overflow, no wait past the budget.
pub fn fuzz_retry_after() {
    let before = outcomes();
    let rt = runtime();
    let server = rt.block_on(ScriptedServer::start(vec![Reply::raw(200, "")]));
    let client = Client::builder()
        .base_url(server.url())
        .credentials(IDENTIFIER, KEY)
        .retry_policy(
            RetryPolicy::default()
                .max_attempts(2)
                .initial_backoff(Duration::from_millis(1))
                .max_backoff(Duration::from_millis(2))
                .max_elapsed(Duration::from_millis(500)),
        )
        .build()
        .unwrap();
    let header = prop_oneof![
        any::<u64>().prop_map(|n| n.to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        "[0-9]{1,40}",
        "[ -~]{0,40}",
        Just("Wed, 21 Oct 2015 07:28:00 GMT".to_string()),
        Just("Fri, 31 Dec 9999 23:59:59 GMT".to_string()),
        Just("0".to_string()),
        Just("1.5".to_string()),
        Just(" 0 ".to_string()),
    ];
    let strategy = (proptest::sample::select(vec![420u16, 429, 503]), header);
    let result = prop_runner(150).run(&strategy, |(status, retry_after)| {
        server.reset(vec![
            Reply::error(status, "limited").header("retry-after", &retry_after)
        ]);
        rt.block_on(async {
            let started = std::time::Instant::now();
            let r = call_on(&server, get(&client)).await;
            let e = expect_err(r);
            assert_eq!(e.status(), Some(status));
            assert!(e.attempts() <= 2);
            assert!(
                started.elapsed() < Duration::from_millis(900),
                "Retry-After {retry_after:?} took {:?}",
                started.elapsed()
            );
        });
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    report_since(before, "arbitrary Retry-After");
}

// ---------------------------------------------------------------------------------------
// Server text, empty answers, any `data`, cause chains

/// A reason or message no terminal or log should receive as it is: escapes, line breaks
/// that would forge a log line, BEL, NUL, and 5,000 characters.
fn hostile_text() -> String {
    format!(
        "\u{1b}[31mred\u{1b}[0m\r\nforged: line\u{7}\u{0}{}",
        "x".repeat(5_000)
    )
}

/// Server text as kept in an error: no control character, at most 500 characters and `…`.
fn assert_printable(what: &str, text: &str) {
    assert!(
        !text.chars().any(char::is_control),
        "{what} holds control characters: {:?}",
        text.chars().take(80).collect::<String>()
    );
    assert!(
        text.chars().count() <= 501,
        "{what} is {} characters long",
        text.chars().count()
    );
}

/// Everything an error shows, each within bounds: reason, message, Display and Debug.
fn assert_error_printable(what: &str, e: &crisp_api::Error) {
    if let Some(reason) = e.reason() {
        assert_printable(&format!("{what}: reason"), reason);
    }
    if let Some(message) = e.message() {
        assert_printable(&format!("{what}: message"), message);
    }
    let display = e.to_string();
    assert!(
        !display.chars().any(char::is_control),
        "{what}: Display {display:?}"
    );
    assert!(
        display.chars().count() < 1_200,
        "{what}: Display is {} long",
        display.len()
    );
    let debug = format!("{e:?}");
    assert!(!debug.chars().any(char::is_control), "{what}: Debug");
    assert!(
        debug.chars().count() < 2_500,
        "{what}: Debug is {} long",
        debug.len()
    );
}

/// An error envelope with `error` first (Crisp's order) or `data` first.
fn error_body(reason: &str, message: &str, error_first: bool) -> String {
    let reason = serde_json::to_string(reason).unwrap();
    let message = serde_json::to_string(message).unwrap();
    if error_first {
        format!(r#"{{"error":true,"reason":{reason},"data":{{"message":{message}}}}}"#)
    } else {
        format!(r#"{{"data":{{"message":{message}}},"reason":{reason},"error":true}}"#)
    }
}

pub fn server_text_is_sanitised_on_every_path() {
    block_on(async {
        let hostile = hostile_text();
        let clean_start = "[31mred [0m";
        // Error envelopes, 2xx and not, in both key orders: the same reason and message.
        for status in [200, 400, 404, 500] {
            for error_first in [true, false] {
                let what = format!("{status}, error first: {error_first}");
                let body = error_body(&hostile, &format!("message {hostile}"), error_first);
                let e =
                    get_err(Reply::raw(status, body).header("content-type", "application/json"))
                        .await;
                assert_error_printable(&what, &e);
                let reason = e
                    .reason()
                    .unwrap_or_else(|| panic!("{what}: no reason: {e:?}"));
                assert!(reason.contains(clean_start), "{what}: {reason:?}");
                assert!(reason.ends_with('…'), "{what}: cut and marked");
                let message = e
                    .message()
                    .unwrap_or_else(|| panic!("{what}: no message: {e:?}"));
                assert!(message.starts_with("message "), "{what}: {message:?}");
            }
        }
        // The same for an operation without data (its `data` is not decoded on success).
        let server =
            ScriptedServer::start(vec![Reply::raw(200, error_body(&hostile, "gone", false))]).await;
        let e = expect_err(
            call_on(
                &server,
                client(&server.url(), 1)
                    .remove_conversation(WEBSITE, "session_1")
                    .send(),
            )
            .await,
        );
        assert_error_printable("remove_conversation", &e);
        assert_eq!(e.message(), Some("gone"));
        // Excerpts of bodies that are not JSON, 2xx and not.
        for status in [200, 502] {
            let e = get_err(Reply::raw(status, hostile.clone())).await;
            assert_error_printable(&format!("non-JSON {status}"), &e);
        }
        // A decoding error quotes the server's value.
        let e = get_err(Reply::json(
            200,
            json!({"error": false, "data": {"session_id": "s", "website_id": WEBSITE,
                   "created_at": hostile}}),
        ))
        .await;
        assert_kind(&e, ErrorKind::InvalidResponse);
        assert_error_printable("a decoding error", &e);
        // The retry log line carries the error's text: no forged line in it.
        let capture = Capture::default();
        let guard = capture.install(tracing::Level::DEBUG);
        let server =
            ScriptedServer::start(vec![Reply::raw(503, error_body(&hostile, &hostile, true))])
                .await;
        let e = expect_err(call_on(&server, get(&client(&server.url(), 2))).await);
        drop(guard);
        assert_eq!(e.attempts(), 2);
        let log = capture.text();
        assert!(log.contains("crisp: retrying"), "{log}");
        for line in log.lines() {
            assert!(!line.chars().any(char::is_control), "a log line: {line:?}");
            assert!(!line.starts_with("forged"), "a forged log line: {line:?}");
        }
        // Web hooks: a decoding error quotes the body too. An event's payload always decodes
        // (one that does not fit its type is `Event::Other`), so the hostile text goes where
        // the envelope expects an integer: its `timestamp`.
        let body = json!({"website_id": "w", "event": "message:send",
                          "data": {"session_id": "s", "type": "text", "from": "user",
                                   "origin": "chat", "fingerprint": 1},
                          "timestamp": hostile});
        let e = crisp_api::webhook::Event::from_slice(body.to_string().as_bytes()).unwrap_err();
        assert!(
            format!("{e}").contains("forged: line"),
            "the error quotes the body: {e}"
        );
        let shown = format!("{e}");
        assert!(!shown.chars().any(char::is_control), "{shown:?}");
        assert!(
            shown.chars().count() < 600,
            "web hook error: {} long",
            shown.len()
        );
        assert!(
            format!("{e:?}").chars().count() < 700,
            "web hook error Debug"
        );
    })
}

pub fn empty_success_answers() {
    block_on(async {
        let empties = || {
            [
                (Reply::raw(200, ""), "200 with Content-Length: 0"),
                (Reply::raw(204, ""), "204"),
                (Reply::raw(200, "").chunked(), "200 chunked, empty"),
                (Reply::raw(200, " \r\n"), "200 with only whitespace"),
            ]
        };
        // Operations without data succeed, whatever their method.
        for (reply, what) in empties() {
            let server = ScriptedServer::start(vec![reply]).await;
            let c = client(&server.url(), 1);
            call_on(&server, c.remove_conversation(WEBSITE, "session_1").send())
                .await
                .unwrap_or_else(|e| panic!("remove_conversation, {what}: {e}"));
            call_on(
                &server,
                c.update_conversation_metas(
                    WEBSITE,
                    "session_1",
                    crisp_api::types::ConversationMetaUpdate::new().nickname("Ann"),
                )
                .send(),
            )
            .await
            .unwrap_or_else(|e| panic!("update_conversation_metas, {what}: {e}"));
            call_on(
                &server,
                c.change_conversation_state(
                    WEBSITE,
                    "session_1",
                    crisp_api::types::ConversationStateUpdate::new(
                        crisp_api::types::ConversationState::Resolved,
                    ),
                )
                .send(),
            )
            .await
            .unwrap_or_else(|e| panic!("change_conversation_state, {what}: {e}"));
            assert_eq!(server.requests().len(), 3, "{what}: one request each");
        }
        // Operations that return data: a typed error with the status, not retried.
        for (reply, what) in empties() {
            let status = reply.status;
            let server = ScriptedServer::start(vec![reply]).await;
            let e = expect_err(call_on(&server, get(&client(&server.url(), 3))).await);
            assert_kind(&e, ErrorKind::InvalidResponse);
            assert_eq!(e.status(), Some(status), "{what}");
            assert!(e.message().unwrap().contains("empty"), "{what}: {e}");
            assert_eq!(e.attempts(), 1, "{what}");
            let e = expect_err(call_on(&server, create(&client(&server.url(), 3))).await);
            assert_kind(&e, ErrorKind::InvalidResponse);
            assert_eq!(e.status(), Some(status), "{what}");
        }
    })
}

pub fn error_envelopes_with_any_data_keep_their_reason() {
    block_on(async {
        let datas = [
            json!("a string"),
            json!(["an", "array"]),
            json!(null),
            json!(42),
            json!({"message": null}),
            json!({}),
        ];
        for status in [200, 400, 403, 404, 500] {
            for data in &datas {
                for error_first in [true, false] {
                    let data_text = data.to_string();
                    let body = if error_first {
                        format!(r#"{{"error":true,"reason":"some_reason","data":{data_text}}}"#)
                    } else {
                        format!(r#"{{"data":{data_text},"reason":"some_reason","error":true}}"#)
                    };
                    let what = format!("{status} {body}");
                    let e = get_err(Reply::raw(status, body.clone())).await;
                    assert_eq!(e.reason(), Some("some_reason"), "{what}: {e:?}");
                    assert_eq!(e.status(), Some(status), "{what}");
                    if status == 200 {
                        assert_kind(&e, ErrorKind::Api);
                    }
                    if data.is_string() {
                        assert_eq!(e.message(), Some("a string"), "{what}");
                    }
                    // And for an operation without data.
                    let server = ScriptedServer::start(vec![Reply::raw(status, body)]).await;
                    let e = expect_err(
                        call_on(
                            &server,
                            client(&server.url(), 1)
                                .remove_conversation(WEBSITE, "session_1")
                                .send(),
                        )
                        .await,
                    );
                    assert_eq!(e.reason(), Some("some_reason"), "{what} (no data): {e:?}");
                }
            }
        }
    })
}

pub fn display_shows_the_cause_chain() {
    block_on(async {
        // Nothing listening: reqwest's "error sending request" alone says nothing; the chain
        // ends with what happened.
        let e = expect_err(call(get(&client(&dead_url(), 1))).await);
        assert_kind(&e, ErrorKind::Transport);
        let shown = e.to_string();
        assert!(shown.contains("error sending request: "), "{shown}");
        assert!(
            shown.to_lowercase().contains("connection refused"),
            "the root cause: {shown}"
        );
        println!("    {shown}");
        // A body cut short.
        let body = json!({"error": false, "data": conversation("s")}).to_string();
        let e = get_err(Reply::raw(200, body).truncate_after(10)).await;
        let shown = e.to_string();
        let (_, after) = shown
            .split_once("error decoding response body")
            .unwrap_or_else(|| panic!("{shown}"));
        assert!(
            after.starts_with(": ") && after.len() > 10,
            "the cause: {shown}"
        );
        // A timeout says so.
        let server = ScriptedServer::start(vec![
            Reply::ok(conversation("s")).delay(Duration::from_millis(300))
        ])
        .await;
        let c = builder(&server.url(), 1)
            .timeout(Duration::from_millis(50))
            .build()
            .unwrap();
        let e = expect_err(call_on(&server, get(&c)).await);
        assert_kind(&e, ErrorKind::Timeout);
        assert!(e.to_string().contains("operation timed out"), "{e}");
    })
}
