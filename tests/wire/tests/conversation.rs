//! The conversation group over the wire: every operation's request (method, path, query,
//! body) as the mock received it, the typed value the client decoded, and the state change
//! seen through a follow-up call.

use crisp_api::types::{
    ComposeType, ConversationBlockUpdate, ConversationMetaUpdate, ConversationRoutingAssignUpdate,
    ConversationState, ConversationStateUpdate, ConversationTranscriptRequest, MessageCompose,
    MessageContent, MessageFrom, MessageNew, MessageType, MessageUpdate, MessageUser,
    MessagesDeliveredMark, MessagesReadMark, RoutingAssignee, SearchFlag, SearchOperator,
    SearchType, TranscriptTo,
};
use crisp_api::{Client, ErrorKind};
use crisp_mock::{MockServer, Recorded};
use crisp_wire_tests::{assert_common_headers, client_for, raw_request, WEBSITE};
use futures::TryStreamExt;
use serde_json::{json, Value};

const OPERATOR_ID: &str = "a4c32c68-be91-4e29-8a05-976e93abbe3f";

/// The last request, with the headers every request carries checked.
fn last(server: &MockServer) -> Recorded {
    let req = server.last_request().expect("a request");
    assert_common_headers(&req, "plugin");
    req
}

fn conversation_path(session: &str, tail: &str) -> String {
    format!("/v1/website/{WEBSITE}/conversation/{session}{tail}")
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Sends a message through the client and returns its fingerprint.
async fn send(client: &Client, session: &str, from: MessageFrom, content: MessageContent) -> i64 {
    let type_ = match content {
        MessageContent::String(_) => MessageType::Text,
        MessageContent::Object(_) => MessageType::File,
    };
    client
        .send_message_in_conversation()
        .website_id(WEBSITE)
        .session_id(session)
        .body(
            MessageNew::builder()
                .type_(type_)
                .from(from)
                .origin("chat")
                .content(content),
        )
        .send()
        .await
        .unwrap()
        .fingerprint
}

fn text(s: &str) -> MessageContent {
    MessageContent::String(s.into())
}

/// A request the typed client cannot build (a body or query that does not match the spec),
/// sent with reqwest: the mock must refuse it with Crisp's `invalid_data`.
async fn raw(
    server: &MockServer,
    method: &str,
    path_and_query: &str,
    body: Option<Value>,
) -> Value {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let path = format!("/website/{WEBSITE}{path_and_query}");
    let (status, body) = raw_request(server, method, &path, "plugin", body).await;
    json!({"status": status, "error": body["error"], "reason": body["reason"]})
}

fn invalid_data() -> Value {
    json!({"status": 400, "error": true, "reason": "invalid_data"})
}

// ---- list / search ----------------------------------------------------------------------

/// Seeds three conversations; the second one matches the full search of the next test.
fn seed_for_search(server: &MockServer) -> Vec<String> {
    server.with_store(|s| {
        let ids = s.seed_conversations(WEBSITE, 3);
        for (i, id) in ids.iter().enumerate() {
            let c = &mut s.conversation(WEBSITE, id).unwrap().conversation;
            c.inbox_id = Some(format!("inbox-{i}"));
        }
        ids
    })
}

#[tokio::test]
async fn search_conversations_sends_every_filter_as_a_query_parameter() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let ids = seed_for_search(&server);
    // Make the second conversation the only match: text, unread, not resolved, assigned.
    send(&client, &ids[1], MessageFrom::User, text("I need a refund")).await;
    send(&client, &ids[2], MessageFrom::User, text("Hello")).await;
    client
        .assign_conversation_routing()
        .website_id(WEBSITE)
        .session_id(&ids[1])
        .body(
            ConversationRoutingAssignUpdate::builder().assigned(Some(
                RoutingAssignee::builder()
                    .user_id(OPERATOR_ID)
                    .try_into()
                    .unwrap(),
            )),
        )
        .send()
        .await
        .unwrap();

    let found = client
        .search_conversations()
        .website_id(WEBSITE)
        .page_number(1)
        .per_page(30)
        .search_query("REFUND")
        .search_type(SearchType::Text)
        .search_operator(SearchOperator::And)
        .include_empty(SearchFlag::X1)
        .filter_inbox_id("inbox-1")
        .filter_unread("1")
        .filter_resolved("0")
        .filter_not_resolved(SearchFlag::X1)
        .filter_mention(SearchFlag::X0)
        .filter_assigned(OPERATOR_ID)
        .filter_unassigned(SearchFlag::X0)
        .filter_date_start("2023-06-01T00:00:00.000Z")
        .filter_date_end("2030-01-01T00:00:00Z")
        .order_date_created(SearchFlag::X0)
        .order_date_updated(SearchFlag::X1)
        .order_date_waiting(SearchFlag::X0)
        .send()
        .await
        .unwrap();
    let req = last(&server);
    assert_eq!(req.method, "GET");
    assert_eq!(req.path, format!("/v1/website/{WEBSITE}/conversations/1"));
    assert!(req.body.is_empty());
    let mut query = req.query_pairs();
    query.sort();
    assert_eq!(
        query,
        pairs(&[
            ("filter_assigned", OPERATOR_ID),
            ("filter_date_end", "2030-01-01T00:00:00Z"),
            ("filter_date_start", "2023-06-01T00:00:00.000Z"),
            ("filter_inbox_id", "inbox-1"),
            ("filter_mention", "0"),
            ("filter_not_resolved", "1"),
            ("filter_resolved", "0"),
            ("filter_unassigned", "0"),
            ("filter_unread", "1"),
            ("include_empty", "1"),
            ("order_date_created", "0"),
            ("order_date_updated", "1"),
            ("order_date_waiting", "0"),
            ("per_page", "30"),
            ("search_operator", "and"),
            ("search_query", "REFUND"),
            ("search_type", "text"),
        ])
    );
    // Flags travel as the strings 1/0, never true/false.
    let raw_query = req.query.clone().unwrap();
    assert!(raw_query.contains("filter_unread=1"), "{raw_query}");
    assert!(!raw_query.contains("true") && !raw_query.contains("false"));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].session_id, ids[1]);
    assert_eq!(found[0].last_message.as_deref(), Some("I need a refund"));
    assert_eq!(found[0].inbox_id.as_deref(), Some("inbox-1"));

    // The alias and list_conversations send exactly the same request.
    let listed = client
        .list_conversations()
        .website_id(WEBSITE)
        .page_number(1)
        .search_query("refund")
        .filter_unread("1")
        .send()
        .await
        .unwrap();
    let by_list = last(&server);
    let searched = client
        .search_conversations()
        .website_id(WEBSITE)
        .page_number(1)
        .search_query("refund")
        .filter_unread("1")
        .send()
        .await
        .unwrap();
    let by_search = last(&server);
    assert_eq!(by_list.path, by_search.path);
    assert_eq!(by_list.query, by_search.query);
    assert_eq!(listed, searched);
    assert_eq!(listed.len(), 1);
}

#[tokio::test]
async fn search_filters_narrow_the_list() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let ids = server.with_store(|s| s.seed_conversations(WEBSITE, 4));
    server.with_store(|s| {
        let meta = s
            .conversation(WEBSITE, &ids[0])
            .unwrap()
            .conversation
            .meta
            .as_mut()
            .unwrap();
        meta.nickname = Some("Alice Martin".into());
        meta.email = Some("alice@example.com".into());
        meta.segments = vec!["vip".into()];
    });
    send(
        &client,
        &ids[1],
        MessageFrom::User,
        text("where is my parcel?"),
    )
    .await;
    send(&client, &ids[2], MessageFrom::Operator, text("all done")).await;
    client
        .change_conversation_state()
        .website_id(WEBSITE)
        .session_id(&ids[2])
        .body(ConversationStateUpdate::builder().state(ConversationState::Resolved))
        .send()
        .await
        .unwrap();

    let search = |query: &'static [(&'static str, &'static str)]| {
        let client = client.clone();
        async move {
            let mut b = client
                .search_conversations()
                .website_id(WEBSITE)
                .page_number(1);
            for (k, v) in query {
                b = match *k {
                    "search_query" => b.search_query(*v),
                    "search_type" => b.search_type(*v),
                    "filter_unread" => b.filter_unread(*v),
                    "filter_resolved" => b.filter_resolved(*v),
                    "filter_not_resolved" => b.filter_not_resolved(*v),
                    "filter_unassigned" => b.filter_unassigned(*v),
                    "order_date_waiting" => b.order_date_waiting(*v),
                    "per_page" => b.per_page(v.parse::<u8>().unwrap()),
                    other => panic!("{other}"),
                };
            }
            let mut found: Vec<String> = b
                .send()
                .await
                .unwrap()
                .into_iter()
                .map(|c| c.session_id)
                .collect();
            found.sort();
            found
        }
    };
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };

    // Text matches nickname, email and last message, case-insensitively.
    assert_eq!(
        search(&[("search_query", "alice")]).await,
        vec![ids[0].clone()]
    );
    assert_eq!(
        search(&[("search_query", "EXAMPLE.com")]).await,
        vec![ids[0].clone()]
    );
    assert_eq!(
        search(&[("search_query", "parcel")]).await,
        vec![ids[1].clone()]
    );
    assert_eq!(
        search(&[("search_query", "vip"), ("search_type", "segment")]).await,
        vec![ids[0].clone()]
    );
    assert!(search(&[("search_query", "nobody")]).await.is_empty());
    // Unread: only the conversation with a message from the user nobody read.
    assert_eq!(
        search(&[("filter_unread", "1")]).await,
        vec![ids[1].clone()]
    );
    // Waiting for an answer: the same one.
    assert_eq!(
        search(&[("order_date_waiting", "1")]).await,
        vec![ids[1].clone()]
    );
    assert_eq!(
        search(&[("filter_resolved", "1")]).await,
        vec![ids[2].clone()]
    );
    assert_eq!(
        search(&[("filter_not_resolved", "1")]).await,
        sorted(vec![ids[0].clone(), ids[1].clone(), ids[3].clone()])
    );
    assert_eq!(
        search(&[("filter_resolved", "0")]).await.len(),
        4,
        "0 is no filter"
    );
    assert_eq!(search(&[("filter_unassigned", "1")]).await.len(), 4);
    // per_page pages the filtered list (the mock clamps to 1..=50 like Crisp's 20..=50).
    assert_eq!(
        search(&[("filter_not_resolved", "1"), ("per_page", "2")])
            .await
            .len(),
        2
    );
    let req = last(&server);
    let mut query = req.query_pairs();
    query.sort();
    assert_eq!(
        query,
        pairs(&[("filter_not_resolved", "1"), ("per_page", "2")])
    );
}

#[tokio::test]
async fn search_refuses_flags_that_are_not_1_or_0() {
    let server = MockServer::start().await;
    // The typed builder refuses it before sending anything.
    let err = client_for(&server)
        .search_conversations()
        .website_id(WEBSITE)
        .page_number(1)
        .filter_unread("true")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    assert!(err.to_string().contains("filter_unread"), "{err}");
    assert!(server.requests().is_empty());
    // On the wire, the mock answers like Crisp.
    for query in [
        "filter_unread=true",
        "search_type=fuzzy",
        "filter_date_start=yesterday",
        "search_type=filter&search_query=not-json",
        "per_page=many",
    ] {
        assert_eq!(
            raw(&server, "GET", &format!("/conversations/1?{query}"), None).await,
            invalid_data(),
            "{query}"
        );
    }
}

// ---- the conversation -------------------------------------------------------------------

#[tokio::test]
async fn remove_conversation_deletes_it() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let session = server.with_store(|s| s.create_conversation(WEBSITE));
    client
        .remove_conversation()
        .website_id(WEBSITE)
        .session_id(&session)
        .send()
        .await
        .unwrap();
    let req = last(&server);
    assert_eq!(req.method, "DELETE");
    assert_eq!(req.path, conversation_path(&session, ""));
    assert_eq!(req.query, None);
    assert!(req.body.is_empty(), "DELETE carries no body");

    let err = client
        .get_conversation()
        .website_id(WEBSITE)
        .session_id(&session)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    let exists = client
        .check_conversation_exists()
        .website_id(WEBSITE)
        .session_id(&session)
        .send()
        .await
        .unwrap();
    assert!(!exists);
    let err = client
        .remove_conversation()
        .website_id(WEBSITE)
        .session_id(&session)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(404));
    assert_eq!(err.reason(), Some("not_found"));
    assert_eq!(err.operation(), Some("remove_conversation"));
}

#[tokio::test]
async fn initiate_conversation_with_existing_session_posts_an_empty_object() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let session = server.with_store(|s| s.create_conversation(WEBSITE));
    client
        .initiate_conversation_with_existing_session()
        .website_id(WEBSITE)
        .session_id(&session)
        .send()
        .await
        .unwrap();
    let req = last(&server);
    assert_eq!(req.method, "POST");
    assert_eq!(req.path, conversation_path(&session, "/initiate"));
    assert_eq!(req.json(), json!({}));
    assert!(server.with_store(|s| s.conversation(WEBSITE, &session).unwrap().extra.initiated));

    let err = client
        .initiate_conversation_with_existing_session()
        .website_id(WEBSITE)
        .session_id("session_unknown")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(
        raw(
            &server,
            "POST",
            &format!("/conversation/{session}/initiate"),
            Some(json!([]))
        )
        .await,
        invalid_data()
    );
}

// ---- messages ---------------------------------------------------------------------------

#[tokio::test]
async fn update_message_in_conversation_edits_the_stored_message() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let session = server.with_store(|s| s.create_conversation(WEBSITE));
    let fingerprint = client
        .send_message_in_conversation()
        .website_id(WEBSITE)
        .session_id(&session)
        .body(
            MessageNew::builder()
                .type_(MessageType::Text)
                .from(MessageFrom::Operator)
                .origin("chat")
                .content(text("Hey there! Need help?"))
                .fingerprint(524_653_764_345_i64),
        )
        .send()
        .await
        .unwrap()
        .fingerprint;

    client
        .update_message_in_conversation()
        .website_id(WEBSITE)
        .session_id(&session)
        .fingerprint(fingerprint)
        .body(MessageUpdate::builder().content(text("Hey there! Can I help?")))
        .send()
        .await
        .unwrap();
    let req = last(&server);
    assert_eq!(req.method, "PATCH");
    // The fingerprint is wider than 32 bits and travels as a decimal path segment.
    assert_eq!(
        req.path,
        conversation_path(&session, "/message/524653764345")
    );
    assert_eq!(req.json(), json!({"content": "Hey there! Can I help?"}));

    let messages = client
        .get_messages_in_conversation()
        .website_id(WEBSITE)
        .session_id(&session)
        .send()
        .await
        .unwrap();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].content, Some(text("Hey there! Can I help?")));
    assert_eq!(messages[0].edited, Some(true));
    let conversation = client
        .get_conversation()
        .website_id(WEBSITE)
        .session_id(&session)
        .send()
        .await
        .unwrap();
    assert_eq!(
        conversation.last_message.as_deref(),
        Some("Hey there! Can I help?")
    );

    // Object content for the other message types.
    let file = json!({"name": "a.png", "url": "https://example.com/a.png", "type": "image/png"});
    client
        .update_message_in_conversation()
        .website_id(WEBSITE)
        .session_id(&session)
        .fingerprint(fingerprint)
        .body(
            MessageUpdate::builder()
                .content(MessageContent::Object(file.as_object().unwrap().clone())),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(last(&server).json(), json!({"content": file}));

    // Unknown fingerprint, unknown session, a body that is not {content}.
    let err = client
        .update_message_in_conversation()
        .website_id(WEBSITE)
        .session_id(&session)
        .fingerprint(1_i64)
        .body(MessageUpdate::builder().content(text("x")))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.message(), Some("message not found"));
    let err = client
        .update_message_in_conversation()
        .website_id(WEBSITE)
        .session_id("session_unknown")
        .fingerprint(fingerprint)
        .body(MessageUpdate::builder().content(text("x")))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.message(), Some("conversation not found"));
    let path = format!("/conversation/{session}/message/{fingerprint}");
    // The Ruby README's example sends the bare string: Crisp wants {"content": ...}.
    assert_eq!(
        raw(&server, "PATCH", &path, Some(json!("Hey"))).await,
        invalid_data()
    );
    assert_eq!(
        raw(&server, "PATCH", &path, Some(json!({"content": 42}))).await,
        invalid_data()
    );
}

#[tokio::test]
async fn get_messages_in_conversation_reads_after_and_around_a_time() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let session = server.with_store(|s| s.create_conversation(WEBSITE));
    for i in 0..30 {
        send(&client, &session, MessageFrom::User, text(&format!("m{i}"))).await;
    }
    let all: Vec<_> = client
        .get_messages_in_conversation()
        .website_id(WEBSITE)
        .session_id(&session)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 30);
    let mut times: Vec<i64> = all.iter().map(|m| m.timestamp.unwrap()).collect();
    times.sort();

    let after = client
        .get_messages_in_conversation()
        .website_id(WEBSITE)
        .session_id(&session)
        .timestamp_after(times[4])
        .send()
        .await
        .unwrap();
    let req = last(&server);
    assert_eq!(req.path, conversation_path(&session, "/messages"));
    assert_eq!(
        req.query_pairs(),
        pairs(&[("timestamp_after", &times[4].to_string())])
    );
    assert_eq!(after.len(), 20);
    assert_eq!(after[0].timestamp, Some(times[5]));

    let around = client
        .get_messages_in_conversation()
        .website_id(WEBSITE)
        .session_id(&session)
        .timestamp_around(times[15])
        .send()
        .await
        .unwrap();
    assert_eq!(
        last(&server).query_pairs(),
        pairs(&[("timestamp_around", &times[15].to_string())])
    );
    assert_eq!(around.len(), 20);
    assert_eq!(around[0].timestamp, Some(times[5]));
    assert!(around.iter().any(|m| m.timestamp == Some(times[15])));
}

#[tokio::test]
async fn compose_message_in_conversation_shows_and_hides_the_typing_indicator() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let session = server.with_store(|s| s.create_conversation(WEBSITE));
    client
        .compose_message_in_conversation()
        .website_id(WEBSITE)
        .session_id(&session)
        .body(
            MessageCompose::builder()
                .type_(ComposeType::Start)
                .from(MessageFrom::Operator)
                .excerpt("Let me check".to_string())
                .stealth(false),
        )
        .send()
        .await
        .unwrap();
    let req = last(&server);
    assert_eq!(req.method, "PATCH");
    assert_eq!(req.path, conversation_path(&session, "/compose"));
    assert_eq!(
        req.json(),
        json!({"type": "start", "from": "operator", "excerpt": "Let me check", "stealth": false})
    );
    let get = || {
        client
            .get_conversation()
            .website_id(WEBSITE)
            .session_id(&session)
            .send()
    };
    let compose = get().await.unwrap().compose.unwrap();
    let operator = compose.operator.unwrap();
    assert_eq!(operator.type_.as_deref(), Some("start"));
    assert_eq!(operator.excerpt.as_deref(), Some("Let me check"));
    assert!(compose.visitor.is_none());

    client
        .compose_message_in_conversation()
        .website_id(WEBSITE)
        .session_id(&session)
        .body(
            MessageCompose::builder()
                .type_(ComposeType::Stop)
                .from(MessageFrom::Operator),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        last(&server).json(),
        json!({"type": "stop", "from": "operator"})
    );
    assert_eq!(get().await.unwrap().compose, None);

    // The Ruby README's example is a Ruby array of one hash; the wire body is an object.
    let path = format!("/conversation/{session}/compose");
    assert_eq!(
        raw(
            &server,
            "PATCH",
            &path,
            Some(json!([{"type": "start", "from": "operator"}]))
        )
        .await,
        invalid_data()
    );
    assert_eq!(
        raw(
            &server,
            "PATCH",
            &path,
            Some(json!({"type": "typing", "from": "operator"}))
        )
        .await,
        invalid_data()
    );
}

#[tokio::test]
async fn mark_messages_read_updates_messages_and_unread_counts() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let session = server.with_store(|s| s.create_conversation(WEBSITE));
    let first = send(&client, &session, MessageFrom::User, text("one")).await;
    let second = send(&client, &session, MessageFrom::User, text("two")).await;
    let reply = send(&client, &session, MessageFrom::Operator, text("hi")).await;
    let unread = || async {
        client
            .get_conversation()
            .website_id(WEBSITE)
            .session_id(&session)
            .send()
            .await
            .unwrap()
            .unread
            .unwrap()
    };
    let before = unread().await;
    assert_eq!((before.operator, before.visitor), (Some(2), Some(1)));

    client
        .mark_messages_read_in_conversation()
        .website_id(WEBSITE)
        .session_id(&session)
        .body(
            MessagesReadMark::builder()
                .from(MessageFrom::Operator)
                .origin("urn:crisp.im:slack:0")
                .fingerprints(vec![first]),
        )
        .send()
        .await
        .unwrap();
    let req = last(&server);
    assert_eq!(req.method, "PATCH");
    assert_eq!(req.path, conversation_path(&session, "/read"));
    // Fingerprints are JSON integers (the Ruby README quotes them as strings).
    assert_eq!(
        req.json(),
        json!({"from": "operator", "origin": "urn:crisp.im:slack:0", "fingerprints": [first]})
    );
    let messages = client
        .get_messages_in_conversation()
        .website_id(WEBSITE)
        .session_id(&session)
        .send()
        .await
        .unwrap();
    let read_of = |f: i64| {
        messages
            .iter()
            .find(|m| m.fingerprint == f)
            .unwrap()
            .read
            .clone()
    };
    assert_eq!(read_of(first).as_deref(), Some("urn:crisp.im:slack:0"));
    assert_eq!(read_of(second), None);
    assert_eq!(
        read_of(reply),
        None,
        "the operator's own message is not theirs to read"
    );
    assert_eq!(unread().await.operator, Some(1));

    // Without fingerprints: everything from the other party.
    client
        .mark_messages_read_in_conversation()
        .website_id(WEBSITE)
        .session_id(&session)
        .body(
            MessagesReadMark::builder()
                .from(MessageFrom::User)
                .origin("chat"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        last(&server).json(),
        json!({"from": "user", "origin": "chat"})
    );
    let after = unread().await;
    assert_eq!((after.operator, after.visitor), (Some(1), Some(0)));

    let path = format!("/conversation/{session}/read");
    assert_eq!(
        raw(
            &server,
            "PATCH",
            &path,
            Some(json!([{"from": "operator", "origin": "chat"}]))
        )
        .await,
        invalid_data()
    );
    assert_eq!(
        raw(
            &server,
            "PATCH",
            &path,
            Some(json!({"from": "operator", "origin": "chat", "fingerprints": ["5719231201"]}))
        )
        .await,
        invalid_data(),
        "fingerprints are numbers"
    );
}

#[tokio::test]
async fn mark_messages_delivered_sets_delivered_on_the_listed_messages() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let session = server.with_store(|s| s.create_conversation(WEBSITE));
    let first = send(&client, &session, MessageFrom::User, text("one")).await;
    let second = send(&client, &session, MessageFrom::User, text("two")).await;
    client
        .mark_messages_delivered_in_conversation()
        .website_id(WEBSITE)
        .session_id(&session)
        .body(
            MessagesDeliveredMark::builder()
                .from(MessageFrom::Operator)
                .origin("urn:crisp.im:slack:0")
                .fingerprints(vec![second]),
        )
        .send()
        .await
        .unwrap();
    let req = last(&server);
    assert_eq!(req.method, "PATCH");
    assert_eq!(req.path, conversation_path(&session, "/delivered"));
    assert_eq!(
        req.json(),
        json!({"from": "operator", "origin": "urn:crisp.im:slack:0", "fingerprints": [second]})
    );
    let messages = client
        .get_messages_in_conversation()
        .website_id(WEBSITE)
        .session_id(&session)
        .send()
        .await
        .unwrap();
    let delivered: Vec<_> = messages
        .iter()
        .map(|m| (m.fingerprint, m.delivered.clone(), m.read.clone()))
        .collect();
    assert_eq!(
        delivered,
        vec![
            (first, None, None),
            (second, Some("urn:crisp.im:slack:0".to_string()), None),
        ]
    );

    // Unlike read, fingerprints are required.
    let path = format!("/conversation/{session}/delivered");
    assert_eq!(
        raw(
            &server,
            "PATCH",
            &path,
            Some(json!({"from": "operator", "origin": "chat"}))
        )
        .await,
        invalid_data()
    );
    let err = client
        .mark_messages_delivered_in_conversation()
        .website_id(WEBSITE)
        .session_id(&session)
        .body(
            MessagesDeliveredMark::builder()
                .from(MessageFrom::Operator)
                .origin("chat")
                .fingerprints(Vec::<i64>::new()),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    assert_eq!(err.reason(), Some("invalid_data"));
}

// ---- routing, metas, state, block -------------------------------------------------------

#[tokio::test]
async fn routing_assign_then_unassign() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let session = server.with_store(|s| s.create_conversation(WEBSITE));
    let routing = || {
        client
            .get_conversation_routing_assign()
            .website_id(WEBSITE)
            .session_id(&session)
            .send()
    };
    assert_eq!(routing().await.unwrap().assigned, None);
    let req = last(&server);
    assert_eq!(req.method, "GET");
    assert_eq!(req.path, conversation_path(&session, "/routing"));

    client
        .assign_conversation_routing()
        .website_id(WEBSITE)
        .session_id(&session)
        .body(
            ConversationRoutingAssignUpdate::builder()
                .assigned(Some(
                    RoutingAssignee::builder()
                        .user_id(OPERATOR_ID)
                        .try_into()
                        .unwrap(),
                ))
                .silent(true),
        )
        .send()
        .await
        .unwrap();
    let req = last(&server);
    assert_eq!(req.method, "PATCH");
    assert_eq!(req.path, conversation_path(&session, "/routing"));
    assert_eq!(
        req.json(),
        json!({"assigned": {"user_id": OPERATOR_ID}, "silent": true})
    );
    let assigned = routing().await.unwrap().assigned.unwrap();
    assert_eq!(assigned.user_id.as_deref(), Some(OPERATOR_ID));
    let conversation = client
        .get_conversation()
        .website_id(WEBSITE)
        .session_id(&session)
        .send()
        .await
        .unwrap();
    assert_eq!(conversation.assigned, Some(assigned));

    // `None` sends an explicit null, which unassigns.
    client
        .assign_conversation_routing()
        .website_id(WEBSITE)
        .session_id(&session)
        .body(ConversationRoutingAssignUpdate::builder().assigned(None))
        .send()
        .await
        .unwrap();
    assert_eq!(last(&server).json(), json!({"assigned": null}));
    assert_eq!(routing().await.unwrap().assigned, None);

    let path = format!("/conversation/{session}/routing");
    assert_eq!(
        raw(
            &server,
            "PATCH",
            &path,
            Some(json!({"assigned": "someone"}))
        )
        .await,
        invalid_data()
    );
    assert_eq!(
        raw(&server, "PATCH", &path, Some(json!({"silent": true}))).await,
        invalid_data(),
        "assigned is required"
    );
}

#[tokio::test]
async fn update_conversation_metas_merges_and_get_returns_them() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let session = server.with_store(|s| s.create_conversation(WEBSITE));
    let data = |v: Value| v.as_object().unwrap().clone();
    client
        .update_conversation_metas()
        .website_id(WEBSITE)
        .session_id(&session)
        .body(
            ConversationMetaUpdate::builder()
                .nickname("John Doe".to_string())
                .email("john.doe@acme-inc.com".to_string())
                .segments(Some(vec!["happy".into(), "customer".into()]))
                .data(data(json!({"type": "customer", "signup": "finished"}))),
        )
        .send()
        .await
        .unwrap();
    let req = last(&server);
    assert_eq!(req.method, "PATCH");
    assert_eq!(req.path, conversation_path(&session, "/meta"));
    assert_eq!(
        req.json(),
        json!({
            "nickname": "John Doe",
            "email": "john.doe@acme-inc.com",
            "segments": ["happy", "customer"],
            "data": {"type": "customer", "signup": "finished"}
        })
    );

    let metas = || {
        client
            .get_conversation_metas()
            .website_id(WEBSITE)
            .session_id(&session)
            .send()
    };
    let meta = metas().await.unwrap();
    let req = last(&server);
    assert_eq!(req.method, "GET");
    assert_eq!(req.path, conversation_path(&session, "/meta"));
    assert_eq!(meta.nickname.as_deref(), Some("John Doe"));
    assert_eq!(meta.email.as_deref(), Some("john.doe@acme-inc.com"));
    assert_eq!(meta.segments, vec!["happy", "customer"]);
    assert_eq!(
        meta.data,
        data(json!({"type": "customer", "signup": "finished"}))
    );

    // A second update: data keys merge, an empty segment list is sent and clears them,
    // fields left out keep their value.
    client
        .update_conversation_metas()
        .website_id(WEBSITE)
        .session_id(&session)
        .body(
            ConversationMetaUpdate::builder()
                .segments(Some(vec![]))
                .data(data(json!({"plan": 3, "signup": "pending"})))
                .device(Some(
                    crisp_api::types::ConversationMetaDevice::builder()
                        .timezone(Some(-120_i16))
                        .locales(vec!["fr".to_string()])
                        .try_into()
                        .unwrap(),
                )),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        last(&server).json(),
        json!({
            "segments": [],
            "data": {"plan": 3, "signup": "pending"},
            "device": {"timezone": -120, "locales": ["fr"]}
        })
    );
    let meta = metas().await.unwrap();
    assert_eq!(meta.nickname.as_deref(), Some("John Doe"));
    assert!(meta.segments.is_empty());
    assert_eq!(
        meta.data,
        data(json!({"type": "customer", "signup": "pending", "plan": 3}))
    );
    let device = meta.device.unwrap();
    assert_eq!(device.timezone, Some(-120));
    assert_eq!(device.locales, vec!["fr"]);
    // The conversation carries the same metas.
    let conversation = client
        .get_conversation()
        .website_id(WEBSITE)
        .session_id(&session)
        .send()
        .await
        .unwrap();
    assert_eq!(
        conversation.meta.unwrap().nickname.as_deref(),
        Some("John Doe")
    );

    let path = format!("/conversation/{session}/meta");
    assert_eq!(
        raw(&server, "PATCH", &path, Some(json!({"nickname": 42}))).await,
        invalid_data()
    );
    assert_eq!(
        raw(
            &server,
            "PATCH",
            &path,
            Some(json!({"email": "not-an-email"}))
        )
        .await,
        invalid_data()
    );
}

#[tokio::test]
async fn change_conversation_state_then_get_it() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let session = server.with_store(|s| s.create_conversation(WEBSITE));
    let state = || {
        client
            .get_conversation_state()
            .website_id(WEBSITE)
            .session_id(&session)
            .send()
    };
    assert_eq!(state().await.unwrap().state.as_deref(), Some("pending"));
    let req = last(&server);
    assert_eq!(req.method, "GET");
    assert_eq!(req.path, conversation_path(&session, "/state"));

    client
        .change_conversation_state()
        .website_id(WEBSITE)
        .session_id(&session)
        .body(
            ConversationStateUpdate::builder()
                .state(ConversationState::Resolved)
                .user(Some(
                    MessageUser::builder()
                        .type_("website".to_string())
                        .nickname("Bot".to_string())
                        .try_into()
                        .unwrap(),
                ))
                .origin("urn:crisp.im:slack:0".to_string()),
        )
        .send()
        .await
        .unwrap();
    let req = last(&server);
    assert_eq!(req.method, "PATCH");
    assert_eq!(req.path, conversation_path(&session, "/state"));
    assert_eq!(
        req.json(),
        json!({"state": "resolved", "user": {"type": "website", "nickname": "Bot"},
               "origin": "urn:crisp.im:slack:0"})
    );
    assert_eq!(state().await.unwrap().state.as_deref(), Some("resolved"));

    client
        .change_conversation_state()
        .website_id(WEBSITE)
        .session_id(&session)
        .body(ConversationStateUpdate::builder().state(ConversationState::Unresolved))
        .send()
        .await
        .unwrap();
    assert_eq!(last(&server).json(), json!({"state": "unresolved"}));
    assert_eq!(state().await.unwrap().state.as_deref(), Some("unresolved"));

    // The Ruby README sends the bare string; an unknown state is refused too.
    let path = format!("/conversation/{session}/state");
    assert_eq!(
        raw(&server, "PATCH", &path, Some(json!("unresolved"))).await,
        invalid_data()
    );
    assert_eq!(
        raw(&server, "PATCH", &path, Some(json!({"state": "closed"}))).await,
        invalid_data()
    );
}

#[tokio::test]
async fn block_incoming_messages_drops_what_the_visitor_sends() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let session = server.with_store(|s| s.create_conversation(WEBSITE));
    let blocked = || async {
        client
            .get_block_status_for_conversation()
            .website_id(WEBSITE)
            .session_id(&session)
            .send()
            .await
            .unwrap()
            .blocked
    };
    assert_eq!(blocked().await, Some(false));
    let req = last(&server);
    assert_eq!(req.method, "GET");
    assert_eq!(req.path, conversation_path(&session, "/block"));

    let block = |value: bool| {
        client
            .block_incoming_messages_for_conversation()
            .website_id(WEBSITE)
            .session_id(&session)
            .body(ConversationBlockUpdate::builder().blocked(value))
            .send()
    };
    block(true).await.unwrap();
    let req = last(&server);
    assert_eq!(req.method, "PATCH");
    assert_eq!(req.path, conversation_path(&session, "/block"));
    assert_eq!(req.json(), json!({"blocked": true}));
    assert_eq!(blocked().await, Some(true));

    send(&client, &session, MessageFrom::User, text("spam")).await;
    send(&client, &session, MessageFrom::Operator, text("still here")).await;
    let messages = client
        .get_messages_in_conversation()
        .website_id(WEBSITE)
        .session_id(&session)
        .send()
        .await
        .unwrap();
    assert_eq!(messages.len(), 1, "the visitor's message was dropped");
    assert_eq!(messages[0].from.as_deref(), Some("operator"));

    // false is sent explicitly, and unblocks.
    block(false).await.unwrap();
    assert_eq!(last(&server).json(), json!({"blocked": false}));
    assert_eq!(blocked().await, Some(false));

    // The Ruby README sends a bare `true`.
    let path = format!("/conversation/{session}/block");
    assert_eq!(
        raw(&server, "PATCH", &path, Some(json!(true))).await,
        invalid_data()
    );
}

// ---- pages, events, files, transcript ---------------------------------------------------

#[tokio::test]
async fn list_conversation_pages_pages_and_streams() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let session = server.with_store(|s| s.create_conversation(WEBSITE));
    server.with_store(|s| {
        let extra = &mut s.conversation(WEBSITE, &session).unwrap().extra;
        for i in 0..25_i64 {
            extra.pages.push(
                serde_json::from_value(json!({
                    "page_title": format!("Page {i}"),
                    "page_url": format!("https://example.com/{i}"),
                    "page_referrer": "https://www.google.com/",
                    "timestamp": 1_688_040_000_000_i64 + i,
                }))
                .unwrap(),
            );
        }
    });
    let page = |n: u32| {
        client
            .list_conversation_pages()
            .website_id(WEBSITE)
            .session_id(&session)
            .page_number(n)
            .send()
    };
    let first = page(1).await.unwrap();
    let req = last(&server);
    assert_eq!(req.method, "GET");
    assert_eq!(req.path, conversation_path(&session, "/pages/1"));
    assert_eq!(req.query, None);
    assert_eq!(first.len(), 20);
    assert_eq!(first[0].page_title.as_deref(), Some("Page 0"));
    assert_eq!(first[0].page_url.as_deref(), Some("https://example.com/0"));
    assert_eq!(
        first[0].page_referrer.as_deref(),
        Some("https://www.google.com/")
    );
    assert_eq!(first[0].timestamp, Some(1_688_040_000_000));
    assert_eq!(page(2).await.unwrap().len(), 5);
    assert!(page(3).await.unwrap().is_empty());

    server.clear_requests();
    let all: Vec<_> = client
        .list_conversation_pages()
        .website_id(WEBSITE)
        .session_id(&session)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 25);
    assert_eq!(all[24].page_title.as_deref(), Some("Page 24"));
    let paths: Vec<_> = server.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(
        paths,
        ["/pages/1", "/pages/2", "/pages/3"].map(|p| conversation_path(&session, p))
    );
}

#[tokio::test]
async fn list_conversation_events_returns_the_stacked_events() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let session = server.with_store(|s| s.create_conversation(WEBSITE));
    server.with_store(|s| {
        let extra = &mut s.conversation(WEBSITE, &session).unwrap().extra;
        extra.events.push(
            serde_json::from_value(json!({
                "text": "Signed up", "data": {"plan": "unlimited", "seats": 3},
                "color": "green", "timestamp": 1_688_040_060_000_i64
            }))
            .unwrap(),
        );
        extra
            .events
            .push(serde_json::from_value(json!({"text": "Paid", "color": "mauve"})).unwrap());
    });
    let events = client
        .list_conversation_events()
        .website_id(WEBSITE)
        .session_id(&session)
        .page_number(1)
        .send()
        .await
        .unwrap();
    let req = last(&server);
    assert_eq!(req.method, "GET");
    assert_eq!(req.path, conversation_path(&session, "/events/1"));
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].text.as_deref(), Some("Signed up"));
    assert_eq!(events[0].data.get("seats"), Some(&json!(3)));
    assert_eq!(events[0].timestamp, Some(1_688_040_060_000));
    // A colour Crisp may add later still decodes.
    assert_eq!(events[1].color.as_deref(), Some("mauve"));
    let streamed: Vec<_> = client
        .list_conversation_events()
        .website_id(WEBSITE)
        .session_id(&session)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(streamed, events);
}

#[tokio::test]
async fn list_conversation_files_lists_files_sent_in_messages() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let session = server.with_store(|s| s.create_conversation(WEBSITE));
    let files = || {
        client
            .list_conversation_files()
            .website_id(WEBSITE)
            .session_id(&session)
            .page_number(1)
            .send()
    };
    assert!(files().await.unwrap().is_empty());
    let req = last(&server);
    assert_eq!(req.method, "GET");
    assert_eq!(req.path, conversation_path(&session, "/files/1"));

    send(&client, &session, MessageFrom::User, text("here it is")).await;
    let content = json!({"name": "invoice.pdf", "url": "https://example.com/invoice.pdf",
                         "type": "application/pdf"});
    let fingerprint = send(
        &client,
        &session,
        MessageFrom::User,
        MessageContent::Object(content.as_object().unwrap().clone()),
    )
    .await;
    let listed = files().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].name.as_deref(), Some("invoice.pdf"));
    assert_eq!(listed[0].type_.as_deref(), Some("application/pdf"));
    assert_eq!(
        listed[0].url.as_deref(),
        Some("https://example.com/invoice.pdf")
    );
    assert_eq!(listed[0].fingerprint, Some(fingerprint));
    assert!(listed[0].timestamp.is_some());
    let all: Vec<_> = client
        .list_conversation_files()
        .website_id(WEBSITE)
        .session_id(&session)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all, listed);
}

#[tokio::test]
async fn request_email_transcript_is_recorded() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let session = server.with_store(|s| s.create_conversation(WEBSITE));
    client
        .request_email_transcript_for_conversation()
        .website_id(WEBSITE)
        .session_id(&session)
        .body(
            ConversationTranscriptRequest::builder()
                .to(TranscriptTo::Operator)
                .email("valerian@crisp.chat".to_string()),
        )
        .send()
        .await
        .unwrap();
    let req = last(&server);
    assert_eq!(req.method, "POST");
    assert_eq!(req.path, conversation_path(&session, "/transcript"));
    assert_eq!(
        req.json(),
        json!({"to": "operator", "email": "valerian@crisp.chat"})
    );

    client
        .request_email_transcript_for_conversation()
        .website_id(WEBSITE)
        .session_id(&session)
        .body(ConversationTranscriptRequest::builder().to(TranscriptTo::User))
        .send()
        .await
        .unwrap();
    assert_eq!(last(&server).json(), json!({"to": "user"}));
    let recorded = server.with_store(|s| {
        s.conversation(WEBSITE, &session)
            .unwrap()
            .extra
            .transcripts
            .clone()
    });
    assert_eq!(recorded.len(), 2);
    assert_eq!(recorded[0].to, TranscriptTo::Operator);
    assert_eq!(recorded[0].email.as_deref(), Some("valerian@crisp.chat"));
    assert_eq!(recorded[1].email, None);

    let path = format!("/conversation/{session}/transcript");
    assert_eq!(
        raw(&server, "POST", &path, Some(json!([{"to": "operator"}]))).await,
        invalid_data()
    );
    assert_eq!(
        raw(&server, "POST", &path, Some(json!({"to": "nobody"}))).await,
        invalid_data()
    );
    assert_eq!(
        raw(
            &server,
            "POST",
            &path,
            Some(json!({"to": "user", "email": "nope"}))
        )
        .await,
        invalid_data()
    );
}

// ---- unknown sessions -------------------------------------------------------------------

#[tokio::test]
async fn every_conversation_operation_answers_404_for_an_unknown_session() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let s = "session_unknown";
    let mut failures = Vec::new();
    macro_rules! check {
        ($name:literal, $call:expr) => {
            let err = $call.send().await.map(|_| ()).unwrap_err();
            failures.push((
                $name,
                err.kind(),
                err.reason().map(str::to_string),
                err.operation().map(str::to_string),
            ));
            let req = server.last_request().unwrap();
            assert!(req.path.contains(s), "{}: {}", $name, req.path);
        };
    }
    let c = &client;
    check!(
        "get_conversation",
        c.get_conversation().website_id(WEBSITE).session_id(s)
    );
    check!(
        "remove_conversation",
        c.remove_conversation().website_id(WEBSITE).session_id(s)
    );
    check!(
        "initiate_conversation_with_existing_session",
        c.initiate_conversation_with_existing_session()
            .website_id(WEBSITE)
            .session_id(s)
    );
    check!(
        "send_message_in_conversation",
        c.send_message_in_conversation()
            .website_id(WEBSITE)
            .session_id(s)
            .body(
                MessageNew::builder()
                    .type_(MessageType::Text)
                    .from(MessageFrom::User)
                    .origin("chat")
                    .content(text("hi"))
            )
    );
    check!(
        "get_messages_in_conversation",
        c.get_messages_in_conversation()
            .website_id(WEBSITE)
            .session_id(s)
    );
    check!(
        "update_message_in_conversation",
        c.update_message_in_conversation()
            .website_id(WEBSITE)
            .session_id(s)
            .fingerprint(1_i64)
            .body(MessageUpdate::builder().content(text("x")))
    );
    check!(
        "compose_message_in_conversation",
        c.compose_message_in_conversation()
            .website_id(WEBSITE)
            .session_id(s)
            .body(
                MessageCompose::builder()
                    .type_(ComposeType::Start)
                    .from(MessageFrom::Operator)
            )
    );
    check!(
        "mark_messages_read_in_conversation",
        c.mark_messages_read_in_conversation()
            .website_id(WEBSITE)
            .session_id(s)
            .body(
                MessagesReadMark::builder()
                    .from(MessageFrom::Operator)
                    .origin("chat")
            )
    );
    check!(
        "mark_messages_delivered_in_conversation",
        c.mark_messages_delivered_in_conversation()
            .website_id(WEBSITE)
            .session_id(s)
            .body(
                MessagesDeliveredMark::builder()
                    .from(MessageFrom::Operator)
                    .origin("chat")
                    .fingerprints(vec![1_i64])
            )
    );
    check!(
        "get_conversation_routing_assign",
        c.get_conversation_routing_assign()
            .website_id(WEBSITE)
            .session_id(s)
    );
    check!(
        "assign_conversation_routing",
        c.assign_conversation_routing()
            .website_id(WEBSITE)
            .session_id(s)
            .body(ConversationRoutingAssignUpdate::builder().assigned(None))
    );
    check!(
        "get_conversation_metas",
        c.get_conversation_metas().website_id(WEBSITE).session_id(s)
    );
    check!(
        "update_conversation_metas",
        c.update_conversation_metas()
            .website_id(WEBSITE)
            .session_id(s)
            .body(ConversationMetaUpdate::builder().nickname("x".to_string()))
    );
    check!(
        "list_conversation_pages",
        c.list_conversation_pages()
            .website_id(WEBSITE)
            .session_id(s)
            .page_number(1)
    );
    check!(
        "list_conversation_events",
        c.list_conversation_events()
            .website_id(WEBSITE)
            .session_id(s)
            .page_number(1)
    );
    check!(
        "list_conversation_files",
        c.list_conversation_files()
            .website_id(WEBSITE)
            .session_id(s)
            .page_number(1)
    );
    check!(
        "get_conversation_state",
        c.get_conversation_state().website_id(WEBSITE).session_id(s)
    );
    check!(
        "change_conversation_state",
        c.change_conversation_state()
            .website_id(WEBSITE)
            .session_id(s)
            .body(ConversationStateUpdate::builder().state(ConversationState::Resolved))
    );
    check!(
        "get_block_status_for_conversation",
        c.get_block_status_for_conversation()
            .website_id(WEBSITE)
            .session_id(s)
    );
    check!(
        "block_incoming_messages_for_conversation",
        c.block_incoming_messages_for_conversation()
            .website_id(WEBSITE)
            .session_id(s)
            .body(ConversationBlockUpdate::builder().blocked(true))
    );
    check!(
        "request_email_transcript_for_conversation",
        c.request_email_transcript_for_conversation()
            .website_id(WEBSITE)
            .session_id(s)
            .body(ConversationTranscriptRequest::builder().to(TranscriptTo::User))
    );
    assert_eq!(failures.len(), 21);
    for (name, kind, reason, operation) in failures {
        assert_eq!(kind, ErrorKind::NotFound, "{name}");
        assert_eq!(reason.as_deref(), Some("not_found"), "{name}");
        assert_eq!(operation.as_deref(), Some(name));
    }
    // HEAD has no body: the answer is `false`, not an error.
    assert!(!c
        .check_conversation_exists()
        .website_id(WEBSITE)
        .session_id(s)
        .send()
        .await
        .unwrap());
}
