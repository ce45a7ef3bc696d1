//! One `tracing` span per attempt, with the fields an operator needs and nothing secret;
//! nothing at all without a subscriber.

use crate::support::*;
use crisp_mock::{Reply, ScriptedServer};
use crisp_wire_tests::WEBSITE;

const TEMPLATE_GET: &str = "/website/{website_id}/conversation/{session_id}";

pub fn one_span_per_attempt() {
    let capture = Capture::default();
    let guard = capture.install(tracing::Level::DEBUG);
    block_on(async {
        let server = ScriptedServer::start(vec![
            Reply::error(503, "unavailable"),
            Reply::error(429, "rate_limited"),
            Reply::ok(conversation("session_1")),
        ])
        .await;
        call_on(
            &server,
            client(&server.url(), 3)
                .get_conversation(WEBSITE, "session_1")
                .send(),
        )
        .await
        .unwrap();
        // A POST, refused by a connection that cannot open: spans with no status.
        let dead = client(&dead_url(), 2);
        let e = expect_err(
            call(
                dead.send_message_in_conversation(WEBSITE, "session_1", text("hi"))
                    .send(),
            )
            .await,
        );
        assert_eq!(e.attempts(), 2);
    });
    drop(guard);

    let spans = capture.spans("crisp.request");
    assert_eq!(spans.len(), 5, "{spans:#?}");
    for (i, (status, attempt)) in [("503", "1"), ("429", "2"), ("200", "3")]
        .iter()
        .enumerate()
    {
        let f = &spans[i].fields;
        assert_eq!(spans[i].level, tracing::Level::DEBUG);
        assert_eq!(f["operation"], "get_conversation", "{f:?}");
        assert_eq!(f["method"], "GET");
        assert_eq!(f["path"], TEMPLATE_GET, "the template, not the ids");
        assert_eq!(f["attempt"], *attempt);
        assert_eq!(f["status"], *status);
        assert!(f["elapsed_ms"].parse::<u64>().is_ok(), "{f:?}");
    }
    for (i, span) in spans[3..].iter().enumerate() {
        let f = &span.fields;
        assert_eq!(f["operation"], "send_message_in_conversation");
        assert_eq!(f["method"], "POST");
        assert_eq!(
            f["path"],
            "/website/{website_id}/conversation/{session_id}/message"
        );
        assert_eq!(f["attempt"], (i + 1).to_string());
        assert!(!f.contains_key("status"), "no answer, no status: {f:?}");
        assert!(f.contains_key("elapsed_ms"));
    }
    let text = capture.text();
    assert!(
        text.contains("crisp: retrying"),
        "the retry is logged:\n{text}"
    );
    assert!(!text.contains("session_1\""), "ids stay out of the spans");
    assert!(!text.contains(KEY));
}

pub fn nothing_without_a_subscriber() {
    // No subscriber (this suite installs none globally): every span is disabled, so the
    // SDK's tracing costs a branch per call.
    tracing::dispatcher::get_default(|d| {
        assert!(
            d.is::<tracing::subscriber::NoSubscriber>(),
            "no subscriber here"
        );
    });
    assert!(!tracing::enabled!(tracing::Level::ERROR));
    block_on(async {
        let server = ScriptedServer::start(vec![Reply::ok(conversation("session_1"))]).await;
        let c = client(&server.url(), 1);
        call_on(&server, c.get_conversation(WEBSITE, "session_1").send())
            .await
            .unwrap();
    });

    // The spans are DEBUG: a subscriber at INFO sees none of them.
    let capture = Capture::default();
    let guard = capture.install(tracing::Level::INFO);
    block_on(async {
        let server =
            ScriptedServer::start(vec![Reply::error(503, "x"), Reply::ok(conversation("s"))]).await;
        let c = client(&server.url(), 2);
        call_on(&server, c.get_conversation(WEBSITE, "s").send())
            .await
            .unwrap();
    });
    drop(guard);
    assert!(capture.spans("crisp.request").is_empty());
    assert!(!capture.text().contains("crisp"), "{}", capture.text());
}
