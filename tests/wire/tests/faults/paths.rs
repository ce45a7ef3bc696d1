//! Path parameters: any string reaches the server as exactly one segment, decoded back to
//! itself; `.`, `..` and empty ids are refused before sending.

use crate::support::*;
use crisp_api::{Client, ErrorKind};
use crisp_mock::{Reply, ScriptedServer};
use crisp_wire_tests::WEBSITE;
use proptest::prelude::*;

/// Values that break naive encoders.
const NASTY: &[&str] = &[
    "john+tag@example.com",
    "a/b",
    "/",
    "//",
    "a?b=c",
    "a#frag",
    "100%",
    "%",
    "%2e",
    "%2E%2e",
    ".%2e",
    "%2f",
    "a%20b",
    "a b",
    " ",
    "a\\b",
    "\\",
    "..\\..",
    "../etc/passwd",
    "a..b",
    "...",
    "..a",
    "a.",
    ".a",
    "a;b=c",
    "a&b",
    "a|b^c",
    "[::1]",
    "{x}",
    "`x`",
    "\"q\"",
    "<x>",
    "é",
    "日本語",
    "👋",
    "\u{0}",
    "\t\r\n",
    "\u{7f}",
    "\u{200b}",
    "session_\u{301}",
];

fn ids() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-z0-9+/?#% .\\\\@:;=&~!$'()*,\\[\\]|^`{}<>\"-]{1,16}",
        proptest::sample::select(NASTY.to_vec()).prop_map(String::from),
        (
            "[a-z]{0,3}",
            proptest::sample::select(vec![
                "..", ".", "%2e", "%2E", "\\", "/", "?", "#", "%", "+", ";"
            ]),
            "[a-z.]{0,3}"
        )
            .prop_map(|(a, b, c)| format!("{a}{b}{c}")),
    ]
    .prop_filter("an id that can be sent", |s| {
        !matches!(s.as_str(), "" | "." | "..")
    })
}

/// Percent-decodes a raw path segment.
fn decode(segment: &str) -> Vec<u8> {
    fn hex(b: u8) -> Option<u8> {
        (b as char).to_digit(16).map(|d| d as u8)
    }
    let bytes = segment.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push(h * 16 + l);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

/// Checks that `path` is `/v1/website/<w>/<fixed...>` with `w` and `s` as single segments
/// decoding to the values sent. `shape` lists the segments after `/v1`, with `{w}` and `{s}`
/// where the values go.
fn assert_segments(path: &str, shape: &[&str], website: &str, session: &str) {
    let segments: Vec<&str> = path.split('/').collect();
    assert_eq!(segments[0], "", "{path}");
    assert_eq!(segments[1], "v1", "{path}");
    assert_eq!(
        segments.len() - 2,
        shape.len(),
        "wrong number of segments in {path:?} for website {website:?}, session {session:?}"
    );
    for (got, want) in segments[2..].iter().zip(shape) {
        match *want {
            "{w}" => assert_eq!(decode(got), website.as_bytes(), "website_id in {path:?}"),
            "{s}" => assert_eq!(decode(got), session.as_bytes(), "session_id in {path:?}"),
            fixed => assert_eq!(*got, fixed, "{path:?}"),
        }
    }
}

pub fn arbitrary_ids_travel_as_one_segment() {
    let rt = runtime();
    let server = rt.block_on(ScriptedServer::start(vec![Reply::error(404, "not_found")]));
    let client = client(&server.url(), 1);
    let mut runner = prop_runner(200);
    let result = runner.run(&(ids(), ids()), |(website, session)| {
        rt.block_on(check_one(&server, &client, &website, &session));
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

async fn check_one(server: &ScriptedServer, client: &Client, website: &str, session: &str) {
    // GET
    let e = expect_err(call_on(server, client.get_conversation(website, session).send()).await);
    assert_kind(&e, ErrorKind::NotFound);
    let req = server.requests().pop().unwrap();
    assert_eq!(req.method, "GET");
    assert_segments(
        &req.path,
        &["website", "{w}", "conversation", "{s}"],
        website,
        session,
    );

    // HEAD: 404 is `false`.
    let exists = call_on(
        server,
        client.check_conversation_exists(website, session).send(),
    )
    .await
    .unwrap();
    assert!(!exists);
    let req = server.requests().pop().unwrap();
    assert_eq!(req.method, "HEAD");
    assert_segments(
        &req.path,
        &["website", "{w}", "conversation", "{s}"],
        website,
        session,
    );

    // POST with a body
    let e = expect_err(
        call_on(
            server,
            client
                .send_message_in_conversation(website, session, text(session))
                .send(),
        )
        .await,
    );
    assert_kind(&e, ErrorKind::NotFound);
    let req = server.requests().pop().unwrap();
    assert_eq!(req.method, "POST");
    assert_segments(
        &req.path,
        &["website", "{w}", "conversation", "{s}", "message"],
        website,
        session,
    );
    assert_eq!(req.json()["content"], session);

    // GET with a query
    let e = expect_err(
        call_on(
            server,
            client.list_conversations(website, 3).per_page(20).send(),
        )
        .await,
    );
    assert_kind(&e, ErrorKind::NotFound);
    let req = server.requests().pop().unwrap();
    assert_segments(
        &req.path,
        &["website", "{w}", "conversations", "3"],
        website,
        "",
    );
    assert_eq!(req.query_pairs(), vec![("per_page".into(), "20".into())]);
}

pub fn nasty_ids_one_by_one() {
    // The same check over every hand-picked value, so that each is covered whatever the
    // random draw.
    let rt = runtime();
    let server = rt.block_on(ScriptedServer::start(vec![Reply::error(404, "not_found")]));
    let client = client(&server.url(), 1);
    for id in NASTY {
        rt.block_on(check_one(&server, &client, WEBSITE, id));
        rt.block_on(check_one(&server, &client, id, "session_1"));
    }
}

pub fn dot_and_empty_ids_are_refused_before_sending() {
    block_on(async {
        let server = ScriptedServer::start(vec![Reply::error(404, "not_found")]).await;
        let client = client(&server.url(), 3);
        for bad in ["", ".", ".."] {
            for (website, session, field) in [
                (WEBSITE, bad, "session_id"),
                (bad, "session_1", "website_id"),
            ] {
                let mut errors = vec![
                    call(client.get_conversation(website, session).send())
                        .await
                        .map(|_| ()),
                    call(client.check_conversation_exists(website, session).send())
                        .await
                        .map(|_| ()),
                    call(
                        client
                            .send_message_in_conversation(website, session, text("hi"))
                            .send(),
                    )
                    .await
                    .map(|_| ()),
                ];
                if field == "website_id" {
                    errors.push(
                        call(client.create_new_conversation(website).send())
                            .await
                            .map(|_| ()),
                    );
                }
                for e in errors {
                    let e = expect_err(e);
                    assert_kind(&e, ErrorKind::InvalidRequest);
                    assert_eq!(e.attempts(), 0, "{e}");
                    assert_eq!(e.status(), None);
                    assert!(e.to_string().contains(field), "{bad:?}: {e}");
                }
            }
        }
        assert_eq!(server.requests().len(), 0, "nothing was sent");
    })
}
