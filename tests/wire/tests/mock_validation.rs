//! The mock checks every request against the spec, by raw HTTP (what another language's
//! client, or a buggy one, sends): bodies, query and path parameters, tiers, credentials,
//! routes and methods; every refusal is Crisp's JSON envelope naming what is wrong, HEAD
//! answers carry no body, and an operation without state answers its spec example.

use crisp_mock::MockServer;
use crisp_wire_tests::{client_for, spec_operations, SpecOperation, WEBSITE};
use futures::TryStreamExt as _;
use reqwest::{Method, Response};
use serde_json::{json, Value};

/// A raw request with the mock's credentials: `tier` as `X-Crisp-Tier` (none if `None`),
/// `body` as JSON.
async fn send(
    server: &MockServer,
    method: Method,
    path_and_query: &str,
    tier: Option<&str>,
    body: Option<Value>,
) -> Response {
    let mut request = crisp_wire_tests::http_client()
        .request(method, format!("{}{path_and_query}", server.url()))
        .basic_auth(server.identifier(), Some(server.key()));
    if let Some(tier) = tier {
        request = request.header("x-crisp-tier", tier);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.expect("the mock answers")
}

/// The status and the error envelope's `reason` and `data.message`, checking the envelope.
async fn refusal(response: Response) -> (u16, String, String) {
    let status = response.status().as_u16();
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], true, "{body}");
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    (
        status,
        text(&body["reason"]),
        text(&body["data"]["message"]),
    )
}

fn invalid(message: &str) -> (u16, String, String) {
    (400, "invalid_data".into(), message.into())
}

fn operation(id: &str) -> SpecOperation {
    spec_operations()
        .into_iter()
        .find(|op| op.id == id)
        .unwrap_or_else(|| panic!("{id} is not in the spec"))
}

fn message_path(session: &str) -> String {
    format!("/website/{WEBSITE}/conversation/{session}/message")
}

#[tokio::test]
async fn a_body_that_violates_the_spec_is_refused_naming_the_field() {
    let server = MockServer::start().await;
    let session = server.with_store(|s| s.create_conversation(WEBSITE));
    let path = message_path(&session);
    let post = |body: Value| send(&server, Method::POST, &path, Some("plugin"), Some(body));

    // An operation with a stateful handler: a value outside the enum, a missing field, a
    // wrong type.
    let wrong_from = json!({"type": "text", "from": "visitor", "origin": "chat", "content": "x"});
    assert_eq!(
        refusal(post(wrong_from).await).await,
        invalid(r#"body.from: "visitor" is not one of "user" or "operator""#)
    );
    let no_content = json!({"type": "text", "from": "user", "origin": "chat"});
    assert_eq!(
        refusal(post(no_content).await).await,
        invalid(r#"body: "content" is a required property"#)
    );
    let fingerprint = json!({"type": "text", "from": "user", "origin": "chat", "content": "x",
                             "fingerprint": "524653764345"});
    assert_eq!(
        refusal(post(fingerprint).await).await,
        invalid(r#"body.fingerprint: "524653764345" is not of type "integer""#)
    );
    // Nothing was stored.
    assert!(server.with_store(|s| s
        .conversation(WEBSITE, &session)
        .unwrap()
        .messages
        .is_empty()));

    // An operation without a handler (answered from its example) is checked the same way.
    let mut bucket = operation("generate_bucket_url").body.unwrap();
    bucket["file"] = json!({"name": "invoice.pdf"});
    let response = send(
        &server,
        Method::POST,
        "/bucket/url/generate",
        Some("plugin"),
        Some(bucket),
    )
    .await;
    assert_eq!(
        refusal(response).await,
        invalid(r#"body.file: "type" is a required property"#)
    );
    let mut bucket = operation("generate_bucket_url").body.unwrap();
    bucket["namespace"] = json!(42);
    let response = send(
        &server,
        Method::POST,
        "/bucket/url/generate",
        Some("plugin"),
        Some(bucket),
    )
    .await;
    let (status, reason, message) = refusal(response).await;
    assert_eq!((status, reason.as_str()), (400, "invalid_data"));
    assert!(message.starts_with("body.namespace: 42 "), "{message}");
}

#[tokio::test]
async fn a_body_must_be_json_and_present_when_required() {
    let server = MockServer::start().await;
    let session = server.with_store(|s| s.create_conversation(WEBSITE));
    let url = format!("{}{}", server.url(), message_path(&session));
    let raw = |content_type: Option<&'static str>, body: &'static str| {
        let mut request = crisp_wire_tests::http_client()
            .post(&url)
            .basic_auth(server.identifier(), Some(server.key()))
            .header("x-crisp-tier", "plugin")
            .body(body);
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        request.send()
    };
    let body = r#"{"type":"text","from":"user","origin":"chat","content":"x"}"#;
    let (status, _, message) = refusal(raw(Some("text/plain"), body).await.unwrap()).await;
    assert_eq!(status, 400);
    assert!(
        message.contains("Content-Type: application/json"),
        "{message}"
    );
    let (status, _, message) = refusal(raw(None, "").await.unwrap()).await;
    assert_eq!(status, 400);
    assert!(
        message.starts_with("body: a JSON body is required"),
        "{message}"
    );
    let (status, _, message) = refusal(raw(Some("application/json"), "{nope").await.unwrap()).await;
    assert_eq!(status, 400);
    assert!(message.starts_with("body: not JSON"), "{message}");
    let ok = raw(Some("application/json; charset=utf-8"), body)
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
}

#[tokio::test]
async fn query_and_path_parameters_are_checked_against_their_schemas() {
    let server = MockServer::start().await;
    let list = |query: &str| {
        let path = format!("/website/{WEBSITE}/conversations/1?{query}");
        let server = &server;
        async move { refusal(send(server, Method::GET, &path, Some("plugin"), None).await).await }
    };
    assert_eq!(
        list("per_page=100").await,
        invalid("query.per_page: 100 is greater than the maximum of 50")
    );
    assert_eq!(
        list("per_page=10").await,
        invalid("query.per_page: 10 is less than the minimum of 20")
    );
    assert_eq!(
        list("per_page=many").await,
        invalid(r#"query.per_page: "many" is not of type "integer""#)
    );
    let (_, _, message) = list("filter_unread=true").await;
    assert!(message.starts_with("query.filter_unread: "), "{message}");
    let (_, _, message) = list("search_type=fuzzy").await;
    assert!(message.starts_with("query.search_type: "), "{message}");
    let (_, _, message) = list("per_page=20&per_page=30").await;
    assert!(message.contains("given 2 times"), "{message}");
    // What the schema cannot say, the stateful handler checks.
    let (status, _, message) = list("filter_date_start=yesterday").await;
    assert_eq!(status, 400);
    assert!(
        message.starts_with("query.filter_date_start: "),
        "{message}"
    );
    // A parameter the operation does not describe is ignored, as APIs usually do.
    let path = format!("/website/{WEBSITE}/conversations/1?utm_source=x");
    assert_eq!(
        send(&server, Method::GET, &path, Some("plugin"), None)
            .await
            .status(),
        200
    );

    let path = format!("/website/{WEBSITE}/conversations/-5");
    let (status, reason, message) =
        refusal(send(&server, Method::GET, &path, Some("plugin"), None).await).await;
    assert_eq!((status, reason.as_str()), (400, "invalid_data"));
    assert_eq!(
        message,
        "path.page_number: -5 is less than the minimum of 0"
    );
    let path = format!("/website/{WEBSITE}/conversation/s/message/not-a-number");
    let body = json!({"content": "x"});
    let (_, _, message) =
        refusal(send(&server, Method::PATCH, &path, Some("plugin"), Some(body)).await).await;
    assert!(message.starts_with("path.fingerprint: "), "{message}");
}

#[tokio::test]
async fn tiers_and_credentials_are_checked() {
    let server = MockServer::start().await;
    // batch_resolve_items is `x-crisp-tiers: [user]`.
    let path = format!("/website/{WEBSITE}/batch/resolve");
    let body = operation("batch_resolve_items").body;
    let (status, reason, message) =
        refusal(send(&server, Method::PATCH, &path, Some("plugin"), body.clone()).await).await;
    assert_eq!((status, reason.as_str()), (403, "not_allowed"));
    assert_eq!(
        message,
        "batch_resolve_items is not allowed for the plugin tier (allowed: user)"
    );
    assert_eq!(
        send(&server, Method::PATCH, &path, Some("user"), body)
            .await
            .status(),
        200
    );

    let get = format!("/website/{WEBSITE}/conversation/session_x");
    let (status, reason, message) =
        refusal(send(&server, Method::GET, &get, None, None).await).await;
    assert_eq!((status, reason.as_str()), (401, "unauthorized"));
    assert!(message.contains("X-Crisp-Tier"), "{message}");
    let (status, ..) = refusal(send(&server, Method::GET, &get, Some("admin"), None).await).await;
    assert_eq!(status, 401);
    let wrong_key = crisp_wire_tests::http_client()
        .get(format!("{}{get}", server.url()))
        .basic_auth(server.identifier(), Some("not-the-key"))
        .header("x-crisp-tier", "plugin")
        .send()
        .await
        .unwrap();
    let (status, reason, message) = refusal(wrong_key).await;
    assert_eq!((status, reason.as_str()), (401, "unauthorized"));
    assert!(!message.contains("not-the-key"));
}

#[tokio::test]
async fn unknown_routes_and_methods_are_refused_with_the_envelope() {
    let server = MockServer::start().await;
    let root = server.url().trim_end_matches("/v1").to_string();
    let base = server.url();
    let urls = [
        format!("{base}/website/w/nowhere"),
        format!("{root}/v2/website/w"),
        // An empty id is no id: no template matches.
        format!("{base}/website/w/conversation/"),
        base.clone(),
    ];
    for url in urls {
        let response = crisp_wire_tests::http_client()
            .get(&url)
            .basic_auth(server.identifier(), Some(server.key()))
            .header("x-crisp-tier", "plugin")
            .send()
            .await
            .unwrap();
        assert_eq!(
            refusal(response).await,
            (404, "not_found".into(), "the route does not exist".into()),
            "{url}"
        );
        assert_eq!(server.last_request().unwrap().operation, None);
    }
    let path = format!("/website/{WEBSITE}/conversations/1");
    let response = send(&server, Method::DELETE, &path, Some("plugin"), None).await;
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "GET");
    let (_, reason, _) = refusal(response).await;
    assert_eq!(reason, "not_found");
}

#[tokio::test]
async fn head_answers_have_no_body() {
    let server = MockServer::start().await;
    let session = server.with_store(|s| s.create_conversation(WEBSITE));
    let head = |path: String, tier: Option<&'static str>| {
        let server = &server;
        async move {
            let response = send(server, Method::HEAD, &path, tier, None).await;
            let status = response.status().as_u16();
            (status, response.bytes().await.unwrap().len())
        }
    };
    let conversation = |id: &str| format!("/website/{WEBSITE}/conversation/{id}");
    assert_eq!(head(conversation(&session), Some("plugin")).await, (200, 0));
    assert_eq!(
        head(conversation("session_x"), Some("plugin")).await,
        (404, 0)
    );
    assert_eq!(head(conversation(&session), None).await, (401, 0));
    // A HEAD the spec does not describe on this path: 405, still without a body.
    let list = format!("/website/{WEBSITE}/conversations/1");
    assert_eq!(head(list, Some("plugin")).await, (405, 0));
}

#[tokio::test]
async fn an_operation_without_a_handler_answers_its_example() {
    let server = MockServer::start().await;
    let op = operation("get_website_availability_status");
    let response = send(&server, Method::GET, &op.path(&[]), Some("plugin"), None).await;
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(Some(answer), op.answer);
    let recorded = server.last_request().unwrap();
    assert_eq!(
        recorded.operation.as_deref(),
        Some("get_website_availability_status")
    );
}

/// In examples mode every operation answers its example (after the same checks): the spec's
/// own example request of each gets a 2xx and the example back.
#[tokio::test]
async fn examples_mode_answers_every_operation_with_its_example() {
    let server = MockServer::examples().await;
    let operations = spec_operations();
    for op in &operations {
        let response = send(
            &server,
            op.method.clone(),
            &op.path(&[]),
            Some(op.tier()),
            op.body.clone(),
        )
        .await;
        let status = response.status().as_u16();
        let bytes = response.bytes().await.unwrap();
        assert!(
            (200..300).contains(&status),
            "{}: {status} {bytes:?}",
            op.id
        );
        match &op.answer {
            Some(answer) => {
                let body: Value = serde_json::from_slice(&bytes).unwrap();
                assert_eq!(&body, answer, "{}", op.id);
            }
            None => assert!(bytes.is_empty(), "{}: HEAD", op.id),
        }
        assert_eq!(
            server.last_request().unwrap().operation.as_ref(),
            Some(&op.id)
        );
    }
    assert_eq!(server.requests().len(), operations.len());
    assert!(operations.len() >= 56);
}

#[tokio::test]
async fn examples_of_paged_lists_end_after_the_first_page() {
    let server = MockServer::examples().await;
    let client = client_for(&server);
    // A page-numbered list: the example on page 1, an empty page after it.
    let example_len = operation("list_conversations").answer.unwrap()["data"]
        .as_array()
        .unwrap()
        .len();
    let all: Vec<_> = client
        .list_conversations(WEBSITE, 1)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), example_len);
    let paths: Vec<_> = server.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(
        paths,
        ["1", "2"].map(|p| format!("/v1/website/{WEBSITE}/conversations/{p}"))
    );

    // A timestamp-paged list: the example's items older than `timestamp_before`.
    let example = operation("get_messages_in_conversation").answer.unwrap();
    let stamps: Vec<i64> = example["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["timestamp"].as_i64().unwrap())
        .collect();
    let newest = *stamps.iter().max().unwrap();
    let older = client
        .get_messages_in_conversation(WEBSITE, "session_any")
        .timestamp_before(newest)
        .await
        .unwrap();
    assert_eq!(older.len(), stamps.iter().filter(|t| **t < newest).count());
    let streamed: Vec<_> = client
        .get_messages_in_conversation(WEBSITE, "session_any")
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(streamed.len(), stamps.len(), "the stream ends");
}

#[tokio::test]
async fn what_a_delete_removed_is_gone_until_it_is_made_again() {
    // helpdesk locales have no stateful handler: the engine serves their examples, and
    // remembers deletes.
    let server = MockServer::start().await;
    let item = format!("/website/{WEBSITE}/helpdesk/locale/fr");
    let get = |path: String| {
        let server = &server;
        async move { crisp_wire_tests::raw_request(server, Method::GET, &path, "user", None).await }
    };
    assert_eq!(get(item.clone()).await.0, 200);
    let (status, _) =
        crisp_wire_tests::raw_request(&server, Method::DELETE, &item, "user", None).await;
    assert_eq!(status, 200);
    let (status, answer) = get(item.clone()).await;
    assert_eq!(status, 404, "{answer}");
    assert_eq!(answer["reason"], "not_found");
    // Below it is gone too; another locale is not; and another spelling of the same path is
    // the same path.
    assert_eq!(get(format!("{item}/feedbacks/1")).await.0, 404);
    assert_eq!(
        get(format!("/website/{WEBSITE}/helpdesk/locale/de"))
            .await
            .0,
        200
    );
    assert_eq!(
        get(format!("/website/{WEBSITE}/helpdesk/locale/%66r"))
            .await
            .0,
        404
    );
    // Deleting it again: 404.
    let (status, _) =
        crisp_wire_tests::raw_request(&server, Method::DELETE, &item, "user", None).await;
    assert_eq!(status, 404);
    // Adding it again (the body names it) makes it again.
    let collection = format!("/website/{WEBSITE}/helpdesk/locale");
    let (status, answer) = crisp_wire_tests::raw_request(
        &server,
        Method::POST,
        &collection,
        "user",
        Some(json!({"locale": "fr"})),
    )
    .await;
    assert!(status < 300, "{status} {answer}");
    assert_eq!(get(item).await.0, 200);
}
