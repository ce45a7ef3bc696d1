//! Website tokens and plugin token scopes at the wire.
//!
//! - The mock accepts `X-Crisp-Tier: website` on every operation whose `x-crisp-tiers` lists
//!   `website` and refuses it (403 `not_allowed`) on every other one, as for the other
//!   tiers; the spec lists `website` exactly where its rule says (routes under
//!   `/website/{website_id}` that a plugin token reaches). The SDK has no website tier of its
//!   own here, so these requests are raw HTTP.
//! - The route Crisp's Node wrapper asks for RTM with a website token
//!   (`GET /v1/website/connect/endpoints`) answers website tokens only.
//! - The error of a 403 names the plugin token scopes of the operation (`x-crisp-scopes`).

use crisp_api::{ErrorKind, RetryPolicy, Tier};
use crisp_mock::{MockServer, Reply, ScriptedServer};
use crisp_wire_tests::{client_at, raw_request, spec_operations, WEBSITE};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn a_website_token_reaches_the_operations_that_list_it_and_no_other() {
    let server = MockServer::examples().await;
    let (mut allowed, mut refused) = (0, 0);
    for op in spec_operations() {
        let path = op.path(&[]);
        let (status, answer) = raw_request(
            &server,
            op.method.clone(),
            &path,
            "website",
            op.body.clone(),
        )
        .await;
        if op.tiers.iter().any(|t| t == "website") {
            assert!(
                (200..300).contains(&status),
                "{} ({} {path}) lists `website` but answered {status}: {answer}",
                op.id,
                op.method
            );
            allowed += 1;
        } else {
            assert_eq!(
                status, 403,
                "{} answered {status} to a website token",
                op.id
            );
            if op.method != Method::HEAD {
                assert_eq!(answer["reason"], "not_allowed", "{}", op.id);
                let message = answer["data"]["message"].as_str().unwrap_or_default();
                assert!(
                    message.contains("not allowed for the website tier"),
                    "{}: {message}",
                    op.id
                );
            }
            refused += 1;
        }
    }
    // Not a vacuous walk: both sides are large.
    assert!(
        allowed > 100 && refused > 50,
        "{allowed} allowed, {refused} refused"
    );
}

#[test]
fn the_spec_lists_website_exactly_where_its_rule_says() {
    for op in spec_operations() {
        let under_website = op.template.starts_with("/website/{website_id}");
        let plugin = op.tiers.iter().any(|t| t == "plugin");
        let website = op.tiers.iter().any(|t| t == "website");
        assert_eq!(
            website,
            under_website && plugin,
            "{} ({}): tiers {:?}",
            op.id,
            op.template,
            op.tiers
        );
    }
    let endpoints = spec_operations()
        .into_iter()
        .find(|op| op.id == "get_website_connect_endpoints")
        .unwrap();
    assert!(endpoints.tiers.iter().any(|t| t == "website"));
}

#[tokio::test]
async fn a_website_token_is_accepted_where_the_other_tiers_are_and_its_header_is_checked() {
    let server = MockServer::start().await;
    let list = format!("/website/{WEBSITE}/conversations/1");
    let (status, answer) = raw_request(&server, Method::GET, &list, "website", None).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        server.last_request().unwrap().header("x-crisp-tier"),
        Some("website")
    );
    // A user-only operation refuses it, naming the tier.
    let batch = format!("/website/{WEBSITE}/batch/resolve");
    let body = Some(example_body("batch_resolve_items"));
    let (status, answer) = raw_request(&server, Method::PATCH, &batch, "website", body).await;
    assert_eq!(status, 403);
    assert_eq!(answer["reason"], "not_allowed");
    assert_eq!(
        answer["data"]["message"],
        "batch_resolve_items is not allowed for the website tier (allowed: user)"
    );
    // A tier Crisp does not have is still an authentication failure.
    let (status, answer) = raw_request(&server, Method::GET, &list, "websites", None).await;
    assert_eq!(status, 401);
    assert_eq!(
        answer["data"]["message"],
        "the X-Crisp-Tier header must be user, website or plugin"
    );
}

#[tokio::test]
async fn rtm_endpoints_for_a_website_token() {
    let server = MockServer::start().await;
    // The route the Node wrapper's RTM client asks with a website token.
    let (status, answer) = raw_request(
        &server,
        Method::GET,
        "/website/connect/endpoints",
        "website",
        None,
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert!(answer["data"]["socket"]["app"].is_string(), "{answer}");
    let (status, answer) = raw_request(
        &server,
        Method::GET,
        "/website/connect/endpoints",
        "plugin",
        None,
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(
        answer["data"]["message"],
        "this route is for website tokens"
    );
    // The website's own endpoints (`get_website_connect_endpoints`) take a website token too.
    let path = format!("/website/{WEBSITE}/connect/endpoints");
    let (status, answer) = raw_request(&server, Method::GET, &path, "website", None).await;
    assert_eq!(status, 200, "{answer}");
    assert!(answer["data"]["socket"]["app"].is_string(), "{answer}");
}

#[tokio::test]
async fn a_403_names_the_scope_the_operation_needs() {
    let server = ScriptedServer::start(vec![Reply::error(403, "not_allowed")]).await;
    let err = client_at(&server.url())
        .send_message_in_conversation(
            WEBSITE,
            "session_700c65e1-85e2-465a-b9ac-ecb5ec2c9881",
            crisp_api::types::MessageNew::new(
                crisp_api::types::MessageFrom::Operator,
                "chat",
                crisp_api::types::MessageContent::text("Hello"),
            ),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden);
    assert_eq!(err.status(), Some(403));
    let text = err.to_string();
    assert!(
        text.contains("needs the `website:conversation:messages` write scope"),
        "{text}"
    );
    assert_eq!(server.requests().len(), 1);

    // A read: the read scope.
    let server = ScriptedServer::start(vec![Reply::error(403, "not_allowed")]).await;
    let err = client_at(&server.url())
        .get_people_data(WEBSITE, "john@example.com")
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("needs the `website:people:data` read scope"),
        "{text}"
    );
}

#[tokio::test]
async fn a_403_of_the_mock_names_the_scope_and_one_without_scopes_names_none() {
    let server = MockServer::start().await;
    let user = crisp_api::Client::builder()
        .base_url(server.url())
        .credentials(server.identifier(), server.key())
        .tier(Tier::User)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    // `request_tool_call_for_conversation` is for website and plugin tokens only.
    let err = user
        .request_tool_call_for_conversation(
            WEBSITE,
            "session_700c65e1-85e2-465a-b9ac-ecb5ec2c9881",
            serde_json::from_value::<crisp_api::types::ConversationToolCall>(example_body(
                "request_tool_call_for_conversation",
            ))
            .unwrap(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden);
    let text = err.to_string();
    assert!(
        text.contains("(a plugin token needs the `website:conversation:actions` write scope)"),
        "{text}"
    );

    // A user-only operation has no plugin scope to name.
    let plugin = crisp_wire_tests::client_for(&server);
    let err = plugin
        .batch_resolve_items(
            WEBSITE,
            serde_json::from_value::<crisp_api::types::BatchConversations>(example_body(
                "batch_resolve_items",
            ))
            .unwrap(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden);
    assert!(!err.to_string().contains("scope"), "{err}");
}

/// The spec's example request body of an operation.
fn example_body(operation: &str) -> serde_json::Value {
    spec_operations()
        .into_iter()
        .find(|op| op.id == operation)
        .and_then(|op| op.body)
        .expect("the operation takes a body with an example")
}

/// The next text frame of a WebSocket that is not an Engine.IO ping (`2`).
async fn next_text(ws: &mut tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>) -> String {
    use futures::StreamExt as _;
    loop {
        let message = tokio::time::timeout(std::time::Duration::from_secs(5), ws.next())
            .await
            .expect("the mock answers in time")
            .expect("the socket stays open")
            .unwrap();
        if let tokio_tungstenite::tungstenite::Message::Text(text) = message {
            if text.as_str() != "2" {
                return text.to_string();
            }
        }
    }
}

/// Authenticates on the mock's RTM endpoint as a raw socket.io client (Engine.IO v4 over
/// WebSocket) with `tier`, and returns the first event the mock answers with
/// (`authenticated` or `unauthorized`) and its data.
async fn rtm_authenticate(server: &MockServer, tier: &str) -> (String, serde_json::Value) {
    use futures::SinkExt as _;
    use tokio_tungstenite::tungstenite::Message;
    let http = server.socket_url();
    let addr = http
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let url = format!(
        "ws://{addr}{}?EIO=4&transport=websocket",
        crisp_mock::realtime::SOCKET_PATH
    );
    let tcp = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let (mut ws, _) = tokio_tungstenite::client_async(url, tcp).await.unwrap();
    assert!(next_text(&mut ws).await.starts_with('0'), "Engine.IO open");
    ws.send(Message::text("40")).await.unwrap();
    assert!(
        next_text(&mut ws).await.starts_with("40"),
        "namespace connected"
    );
    let auth = json!(["authentication", {
        "username": server.identifier(),
        "password": server.key(),
        "tier": tier,
        "events": ["message:send"],
    }]);
    ws.send(Message::text(format!("42{auth}"))).await.unwrap();
    let answer = next_text(&mut ws).await;
    let event: serde_json::Value =
        serde_json::from_str(answer.strip_prefix("42").expect("a socket.io event")).unwrap();
    (
        event[0].as_str().unwrap().to_string(),
        event.get(1).cloned().unwrap_or_default(),
    )
}

#[tokio::test]
async fn the_mocks_rtm_endpoint_authenticates_a_website_token() {
    let server = MockServer::start().await;
    let (event, data) = rtm_authenticate(&server, "website").await;
    assert_eq!((event.as_str(), data), ("authenticated", json!(true)));
    let recorded = server.realtime().authentications();
    assert_eq!(recorded[0].tier.as_deref(), Some("website"));
    assert!(recorded[0].accepted);
    // A tier Crisp does not have is refused.
    let (event, data) = rtm_authenticate(&server, "websites").await;
    assert_eq!(event, "unauthorized");
    assert_eq!(
        data["message"],
        "invalid tier: expected user, website or plugin"
    );
}
