//! What `build()` and `from_env()` accept: a base URL that requests can be built on
//! (normalised once, or refused), and credentials that HTTP Basic authentication can carry.

use crate::support::*;
use crisp_api::{Client, ErrorKind};
use crisp_mock::{Reply, ScriptedServer};

/// The refusal of `builder`: a Configuration error whose text contains `names` and never
/// the key.
fn refused(builder: crisp_api::ClientBuilder, names: &str, key: &str) {
    let e = expect_err(builder.build());
    assert_kind(&e, ErrorKind::Configuration);
    let shown = format!("{e}\n{e:?}");
    assert!(shown.contains(names), "the error names {names:?}: {shown}");
    assert!(!shown.contains(key), "the key shows: {shown}");
}

pub fn base_urls_are_normalised_or_refused() {
    block_on(async {
        let server = ScriptedServer::start(vec![Reply::ok(conversation("session_1"))]).await;
        let url = server.url();
        let origin = url.trim_end_matches("/v1");
        // A query or a fragment would end up in front of every path: refused, naming it.
        for (odd, names) in [
            (format!("{url}?sig=abc"), "query"),
            (format!("{url}/?sig=abc"), "query"),
            (format!("{url}?"), "query"),
            (format!("{url}#frag"), "fragment"),
            (format!("{url}#"), "fragment"),
        ] {
            let b = Client::builder()
                .base_url(odd)
                .credentials("i", "key-never-shown");
            refused(b, names, "key-never-shown");
        }
        // A user name or password in the URL would be dropped or sent in place of the token.
        refused(
            Client::builder()
                .base_url(url.replace("http://", "http://user:hunter2@"))
                .credentials("i", "k"),
            "user",
            "hunter2",
        );
        assert_eq!(server.requests().len(), 0);

        // Whitespace around the URL, a trailing slash, dot segments: the same requests.
        let path = format!(
            "/v1/website/{}/conversation/session_1",
            crisp_wire_tests::WEBSITE
        );
        for base in [
            format!("{url} "),
            format!(" \t{url}\n"),
            format!("{url}/"),
            format!("{url}//"),
            format!("{origin}/x/../v1"),
        ] {
            server.reset(vec![Reply::ok(conversation("session_1"))]);
            let c = builder(&base, 1).build().expect("a usable base URL");
            call_on(&server, get(&c)).await.expect("the call");
            let seen = server.requests();
            assert_eq!(seen[0].path, path, "base URL {base:?}");
            assert_eq!(seen[0].query, None, "base URL {base:?}");
        }
        // A longer path is kept.
        server.reset(vec![Reply::ok(conversation("session_1"))]);
        let c = builder(&format!("{origin}/api/crisp/v1"), 1)
            .build()
            .unwrap();
        call_on(&server, get(&c)).await.unwrap();
        assert_eq!(server.requests()[0].path, format!("/api/crisp{path}"));

        // CRISP_API_URL is trimmed too. The runner is single-threaded and nothing else here
        // reads the environment, so setting it is safe.
        server.reset(vec![Reply::ok(conversation("session_1"))]);
        let saved: Vec<_> = [
            "CRISP_IDENTIFIER",
            "CRISP_KEY",
            "CRISP_TIER",
            "CRISP_API_URL",
        ]
        .iter()
        .map(|name| (*name, std::env::var_os(name)))
        .collect();
        std::env::set_var("CRISP_IDENTIFIER", IDENTIFIER);
        std::env::set_var("CRISP_KEY", KEY);
        std::env::remove_var("CRISP_TIER");
        std::env::set_var("CRISP_API_URL", format!("{url} "));
        let from_env = Client::from_env();
        std::env::set_var("CRISP_API_URL", format!("{url}?sig=abc"));
        let with_query = Client::from_env();
        std::env::set_var("CRISP_API_URL", url.clone());
        std::env::set_var("CRISP_IDENTIFIER", "id:with-colon");
        let with_colon = Client::from_env();
        for (name, value) in saved {
            match value {
                Some(v) => std::env::set_var(name, v),
                None => std::env::remove_var(name),
            }
        }
        let c = from_env.expect("CRISP_API_URL with a trailing space");
        call_on(&server, get(&c)).await.unwrap();
        assert_eq!(server.requests()[0].path, path);
        assert_kind(&expect_err(with_query), ErrorKind::Configuration);
        let e = expect_err(with_colon);
        assert_kind(&e, ErrorKind::Configuration);
        assert!(!format!("{e}{e:?}").contains(KEY), "{e}");
    })
}

pub fn unsendable_credentials_are_refused() {
    const KEY_SHOWN: &str = "the-secret-key-42";
    for (identifier, key, names) in [
        ("", KEY_SHOWN, "identifier is empty"),
        ("   ", KEY_SHOWN, "identifier is empty"),
        ("identifier", "", "key is empty"),
        ("identifier", " ", "key is empty"),
        ("with:colon", KEY_SHOWN, "`:`"),
        (":", KEY_SHOWN, "`:`"),
        // A pasted `identifier:key` pair: refused without repeating it.
        ("identifier:the-secret-key-42", KEY_SHOWN, "`:`"),
    ] {
        refused(
            Client::builder().credentials(identifier, key),
            names,
            KEY_SHOWN,
        );
    }
    // A colon in the key is fine: the server splits at the first colon.
    Client::builder()
        .credentials("identifier", "key:with:colons")
        .build()
        .expect("a colon in the key");
}
