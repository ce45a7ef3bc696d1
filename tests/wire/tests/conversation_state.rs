//! Conversations across calls: what one call creates or changes, later calls read back
//! (create → send → list → read back), in Crisp's order, with its unread counts; unknown ids
//! answer 404. The request shape of each operation is the generated tests' business.

use crisp_api::types::{
    ComposeType, ConversationBlockUpdate, ConversationMetaUpdate, ConversationRoutingAssignUpdate,
    ConversationState, ConversationStateUpdate, ConversationTranscriptRequest, DeliveredFrom,
    MessageCompose, MessageContent, MessageFile, MessageFrom, MessageNew, MessageUpdate,
    MessagesDeliveredMark, MessagesReadMark, RoutingAssignee, SearchFlag, TranscriptTo,
};
use crisp_api::{Client, ErrorKind};
use crisp_mock::MockServer;
use crisp_wire_tests::{client_for, raw_request, spec_operations, WEBSITE};
use futures::TryStreamExt;
use serde_json::json;

const OPERATOR_ID: &str = "a4c32c68-be91-4e29-8a05-976e93abbe3f";

fn text(s: &str) -> MessageContent {
    MessageContent::text(s)
}

/// Sends a message and returns its fingerprint.
async fn send(client: &Client, session: &str, from: MessageFrom, content: MessageContent) -> i64 {
    let body = MessageNew::new(from, "chat", content);
    client
        .send_message_in_conversation(WEBSITE, session, body)
        .await
        .unwrap()
        .fingerprint
        .expect("the answer carries the message's fingerprint")
}

async fn get(client: &Client, session: &str) -> crisp_api::types::Conversation {
    client.get_conversation(WEBSITE, session).await.unwrap()
}

async fn messages(client: &Client, session: &str) -> Vec<crisp_api::types::Message> {
    client
        .get_messages_in_conversation(WEBSITE, session)
        .await
        .unwrap()
}

async fn listed(client: &Client, include_empty: bool) -> Vec<String> {
    let mut list = client.list_conversations(WEBSITE, 1);
    if include_empty {
        list = list.include_empty(SearchFlag::Yes);
    }
    let page = list.send().await.unwrap();
    page.into_iter().map(|c| c.session_id).collect()
}

#[tokio::test]
async fn create_send_list_and_read_back() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let created = client.create_new_conversation(WEBSITE).await.unwrap();
    let session = created.session_id;
    assert!(session.starts_with("session_"));
    // Without a message the conversation is listed only with include_empty, as in Crisp.
    assert!(listed(&client, false).await.is_empty());
    assert_eq!(listed(&client, true).await, [session.as_str()]);

    let body = MessageNew::new(MessageFrom::Operator, "chat", text("Hey there! Need help?"))
        .fingerprint(524_653_764_345_i64);
    let sent = client
        .send_message_in_conversation(WEBSITE, &session, body)
        .await
        .unwrap();
    // A fingerprint wider than 32 bits survives the round trip.
    assert_eq!(sent.fingerprint, Some(524_653_764_345));
    assert_eq!(listed(&client, false).await, [session.as_str()]);
    let conversation = get(&client, &session).await;
    assert_eq!(conversation.website_id, WEBSITE);
    assert_eq!(conversation.state, Some(ConversationState::Pending));
    assert_eq!(
        conversation.last_message.as_deref(),
        Some("Hey there! Need help?")
    );
    let read_back = messages(&client, &session).await;
    assert_eq!(read_back.len(), 1);
    assert_eq!(read_back[0].fingerprint, 524_653_764_345);
    assert_eq!(read_back[0].content, text("Hey there! Need help?"));
    assert_eq!(read_back[0].from, Some(MessageFrom::Operator));
    assert_eq!(read_back[0].session_id.as_deref(), Some(session.as_str()));
}

#[tokio::test]
async fn lists_put_the_most_recently_updated_first() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let ids = server.with_store(|s| s.seed_conversations(WEBSITE, 3));
    assert_eq!(
        listed(&client, false).await,
        [&ids[2], &ids[1], &ids[0]].map(String::clone)
    );
    // A new message moves the oldest conversation to the front.
    send(&client, &ids[0], MessageFrom::User, text("still there?")).await;
    assert_eq!(
        listed(&client, false).await,
        [&ids[0], &ids[2], &ids[1]].map(String::clone)
    );
    // By creation date, the newest first, whatever was updated since.
    let by_created: Vec<_> = client
        .list_conversations(WEBSITE, 1)
        .order_date_created(SearchFlag::Yes)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.session_id)
        .collect();
    assert_eq!(by_created, [&ids[2], &ids[1], &ids[0]].map(String::clone));
}

#[tokio::test]
async fn searches_and_filters_narrow_the_list() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let ids = server.with_store(|s| s.seed_conversations(WEBSITE, 4));
    client
        .update_conversation_metas(
            WEBSITE,
            &ids[0],
            ConversationMetaUpdate::new()
                .nickname("Alice Martin")
                .email("alice@example.com")
                .segments(["vip"]),
        )
        .await
        .unwrap();
    // Everything the visitors wrote is read, but the one in ids[1] asks again.
    for id in &ids {
        client
            .mark_messages_read_in_conversation(
                WEBSITE,
                id,
                MessagesReadMark::new(MessageFrom::Operator, "chat"),
            )
            .await
            .unwrap();
    }
    send(
        &client,
        &ids[1],
        MessageFrom::User,
        text("where is my parcel?"),
    )
    .await;
    send(&client, &ids[2], MessageFrom::Operator, text("all done")).await;
    client
        .change_conversation_state(
            WEBSITE,
            &ids[2],
            ConversationStateUpdate::new(ConversationState::Resolved),
        )
        .await
        .unwrap();
    client
        .assign_conversation_routing(
            WEBSITE,
            &ids[3],
            ConversationRoutingAssignUpdate::new().assigned(RoutingAssignee::new(OPERATOR_ID)),
        )
        .await
        .unwrap();

    let search = |query: &'static [(&'static str, &'static str)]| {
        let client = client.clone();
        async move {
            let mut b = client.search_conversations(WEBSITE, 1);
            for (k, v) in query {
                b = match *k {
                    "search_query" => b.search_query(*v),
                    "search_type" => {
                        b.search_type(v.parse::<crisp_api::types::SearchType>().unwrap())
                    }
                    "filter_unread" => b.filter_unread(*v == "1"),
                    "filter_resolved" => b.filter_resolved(*v == "1"),
                    "filter_not_resolved" => b.filter_not_resolved(*v == "1"),
                    "filter_assigned" => b.filter_assigned(*v),
                    "filter_unassigned" => b.filter_unassigned(*v == "1"),
                    "order_date_waiting" => b.order_date_waiting(*v == "1"),
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
    let only = |i: usize| vec![ids[i].clone()];
    // Text matches the nickname, the email and the last message, without case.
    assert_eq!(search(&[("search_query", "alice")]).await, only(0));
    assert_eq!(search(&[("search_query", "EXAMPLE.com")]).await, only(0));
    assert_eq!(search(&[("search_query", "parcel")]).await, only(1));
    let segment = &[("search_query", "vip"), ("search_type", "segment")];
    assert_eq!(search(segment).await, only(0));
    assert!(search(&[("search_query", "nobody")]).await.is_empty());
    assert_eq!(search(&[("filter_unread", "1")]).await, only(1));
    // Waiting for an answer: every visitor nobody replied to, read or not.
    let waiting = vec![ids[0].clone(), ids[1].clone(), ids[3].clone()];
    assert_eq!(search(&[("order_date_waiting", "1")]).await, waiting);
    assert_eq!(search(&[("filter_resolved", "1")]).await, only(2));
    assert_eq!(search(&[("filter_not_resolved", "1")]).await.len(), 3);
    assert_eq!(
        search(&[("filter_resolved", "0")]).await.len(),
        4,
        "0 is no filter"
    );
    assert_eq!(search(&[("filter_assigned", OPERATOR_ID)]).await, only(3));
    assert_eq!(search(&[("filter_unassigned", "1")]).await.len(), 3);
}

#[tokio::test]
async fn a_list_pages_across_pages_of_per_page() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let ids = server.with_store(|s| s.seed_conversations(WEBSITE, 45));
    let page = |n: u32| client.list_conversations(WEBSITE, n).per_page(20).send();
    assert_eq!(page(1).await.unwrap().len(), 20);
    assert_eq!(page(3).await.unwrap().len(), 5);
    assert!(page(4).await.unwrap().is_empty());
    let all: Vec<String> = client
        .list_conversations(WEBSITE, 1)
        .per_page(50)
        .stream()
        .map_ok(|c| c.session_id)
        .try_collect()
        .await
        .unwrap();
    let newest_first: Vec<String> = ids.into_iter().rev().collect();
    assert_eq!(all, newest_first);
}

#[tokio::test]
async fn unread_counts_follow_messages_and_read_marks() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let session = server.with_store(|s| s.create_conversation(WEBSITE));
    let first = send(&client, &session, MessageFrom::User, text("one")).await;
    let second = send(&client, &session, MessageFrom::User, text("two")).await;
    let reply = send(&client, &session, MessageFrom::Operator, text("hi")).await;
    let unread = || async {
        let unread = get(&client, &session).await.unread.unwrap();
        (unread.operator, unread.visitor)
    };
    assert_eq!(unread().await, (Some(2), Some(1)));

    client
        .mark_messages_read_in_conversation(
            WEBSITE,
            &session,
            MessagesReadMark::new(MessageFrom::Operator, "urn:crisp.im:slack:0")
                .fingerprints(vec![first]),
        )
        .await
        .unwrap();
    let read: Vec<_> = messages(&client, &session)
        .await
        .into_iter()
        .map(|m| (m.fingerprint, m.read))
        .collect();
    let slack = Some("urn:crisp.im:slack:0".to_string());
    // The operator's own message is not theirs to read.
    assert_eq!(read, [(first, slack), (second, None), (reply, None)]);
    assert_eq!(unread().await, (Some(1), Some(1)));

    // Without fingerprints: everything the other party sent.
    client
        .mark_messages_read_in_conversation(
            WEBSITE,
            &session,
            MessagesReadMark::new(MessageFrom::User, "chat"),
        )
        .await
        .unwrap();
    assert_eq!(unread().await, (Some(1), Some(0)));

    client
        .mark_messages_delivered_in_conversation(
            WEBSITE,
            &session,
            MessagesDeliveredMark::new(DeliveredFrom::Operator, "chat", vec![second]),
        )
        .await
        .unwrap();
    let delivered: Vec<_> = messages(&client, &session)
        .await
        .into_iter()
        .map(|m| m.delivered)
        .collect();
    assert_eq!(delivered, [None, Some("chat".to_string()), None]);
}

#[tokio::test]
async fn an_edited_message_is_read_back_edited() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let session = server.with_store(|s| s.create_conversation(WEBSITE));
    let fingerprint = send(&client, &session, MessageFrom::Operator, text("Hey there!")).await;
    client
        .update_message_in_conversation(
            WEBSITE,
            &session,
            fingerprint,
            MessageUpdate::new("Hey there! Can I help?"),
        )
        .await
        .unwrap();
    let read_back = messages(&client, &session).await;
    assert_eq!(read_back[0].content, text("Hey there! Can I help?"));
    assert_eq!(read_back[0].edited, Some(true));
    let last = get(&client, &session).await.last_message;
    assert_eq!(last.as_deref(), Some("Hey there! Can I help?"));

    let err = client
        .update_message_in_conversation(WEBSITE, &session, 1_i64, MessageUpdate::new("x"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.message(), Some("message not found"));
}

#[tokio::test]
async fn messages_are_read_before_after_and_around_a_time() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let session = server.with_store(|s| s.create_conversation(WEBSITE));
    for i in 0..30 {
        send(&client, &session, MessageFrom::User, text(&format!("m{i}"))).await;
    }
    let all: Vec<_> = client
        .get_messages_in_conversation(WEBSITE, &session)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 30);
    let mut times: Vec<i64> = all.iter().map(|m| m.timestamp.unwrap()).collect();
    times.sort();
    // The latest batch of 20 without a cursor.
    assert_eq!(
        messages(&client, &session).await[0].timestamp,
        Some(times[10])
    );
    let after = client
        .get_messages_in_conversation(WEBSITE, &session)
        .timestamp_after(times[4])
        .await
        .unwrap();
    assert_eq!(after.len(), 20);
    assert_eq!(after[0].timestamp, Some(times[5]));
    let around = client
        .get_messages_in_conversation(WEBSITE, &session)
        .timestamp_around(times[15])
        .await
        .unwrap();
    assert_eq!(around.len(), 20);
    assert_eq!(around[0].timestamp, Some(times[5]));
}

#[tokio::test]
async fn compose_routing_metas_state_and_block_are_read_back() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let session = server.with_store(|s| s.create_conversation(WEBSITE));

    let compose = |type_: ComposeType| {
        client
            .compose_message_in_conversation(
                WEBSITE,
                &session,
                MessageCompose::new(type_, MessageFrom::Operator).excerpt("Let me check"),
            )
            .send()
    };
    compose(ComposeType::Start).await.unwrap();
    let typing = get(&client, &session).await.compose.unwrap();
    assert_eq!(
        typing.operator.unwrap().excerpt.as_deref(),
        Some("Let me check")
    );
    assert!(typing.visitor.is_none());
    compose(ComposeType::Stop).await.unwrap();
    assert_eq!(get(&client, &session).await.compose, None);

    let assign = |user_id: Option<&str>| {
        // Without an assignee, `assigned` is sent as `null`: the conversation is unassigned.
        let mut update = ConversationRoutingAssignUpdate::new();
        if let Some(id) = user_id {
            update = update.assigned(RoutingAssignee::new(id));
        }
        client
            .assign_conversation_routing(WEBSITE, &session, update)
            .send()
    };
    let routing = || {
        client
            .get_conversation_routing_assign(WEBSITE, &session)
            .send()
    };
    assign(Some(OPERATOR_ID)).await.unwrap();
    let assigned = routing().await.unwrap().assigned.unwrap();
    assert_eq!(assigned.user_id.as_deref(), Some(OPERATOR_ID));
    assert_eq!(get(&client, &session).await.assigned, Some(assigned));
    assign(None).await.unwrap();
    assert_eq!(routing().await.unwrap().assigned, None);

    let metas = |update: ConversationMetaUpdate| {
        client
            .update_conversation_metas(WEBSITE, &session, update)
            .send()
    };
    metas(
        ConversationMetaUpdate::new()
            .nickname("John Doe")
            .segments(["happy", "customer"])
            .data(json!({"type": "customer", "signup": "finished"})),
    )
    .await
    .unwrap();
    // Fields given replace (an empty list clears), fields left out stay, `data` keys merge.
    metas(
        ConversationMetaUpdate::new()
            .segments(Vec::<String>::new())
            .data(json!({"plan": 3, "signup": "pending"})),
    )
    .await
    .unwrap();
    let meta = client
        .get_conversation_metas(WEBSITE, &session)
        .await
        .unwrap();
    assert_eq!(meta.nickname.as_deref(), Some("John Doe"));
    assert!(meta.segments.is_empty());
    assert_eq!(
        meta.data,
        json!({"type": "customer", "signup": "pending", "plan": 3})
    );

    let state = || client.get_conversation_state(WEBSITE, &session).send();
    assert_eq!(
        state().await.unwrap().state,
        Some(ConversationState::Pending)
    );
    client
        .change_conversation_state(
            WEBSITE,
            &session,
            ConversationStateUpdate::new(ConversationState::Resolved),
        )
        .await
        .unwrap();
    assert_eq!(
        state().await.unwrap().state,
        Some(ConversationState::Resolved)
    );

    let block = |blocked: bool| {
        client
            .block_incoming_messages_for_conversation(
                WEBSITE,
                &session,
                ConversationBlockUpdate::new(blocked),
            )
            .send()
    };
    let blocked = || {
        client
            .get_block_status_for_conversation(WEBSITE, &session)
            .send()
    };
    block(true).await.unwrap();
    assert_eq!(blocked().await.unwrap().blocked, Some(true));
    // A blocked visitor's messages are dropped, silently; the operator's go through.
    send(&client, &session, MessageFrom::User, text("spam")).await;
    send(&client, &session, MessageFrom::Operator, text("still here")).await;
    let from: Vec<_> = messages(&client, &session)
        .await
        .into_iter()
        .map(|m| m.from)
        .collect();
    assert_eq!(from, [Some(MessageFrom::Operator)]);
    block(false).await.unwrap();
    assert_eq!(blocked().await.unwrap().blocked, Some(false));
}

#[tokio::test]
async fn pages_events_and_files_page_and_stream() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let session = server.with_store(|s| s.create_conversation(WEBSITE));
    server.with_store(|s| {
        s.change_conversation(WEBSITE, &session, |record, _| {
            for i in 0..25_i64 {
                record.pages.push(json!({
                    "page_title": format!("Page {i}"),
                    "page_url": format!("https://example.com/{i}"),
                    "timestamp": 1_688_040_000_000_i64 + i,
                }));
            }
            record.events.push(json!({
                "text": "Signed up", "data": {"plan": "unlimited"}, "color": "green"
            }));
            ((), Vec::new())
        })
    });
    let page = |n: u32| client.list_conversation_pages(WEBSITE, &session, n).send();
    assert_eq!(page(1).await.unwrap().len(), 20);
    assert_eq!(page(2).await.unwrap().len(), 5);
    assert!(page(3).await.unwrap().is_empty());
    let all: Vec<_> = client
        .list_conversation_pages(WEBSITE, &session, 1)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 25);
    assert_eq!(all[24].page_title.as_deref(), Some("Page 24"));

    let events = client
        .list_conversation_events(WEBSITE, &session, 1)
        .await
        .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].data.get("plan"), Some(&json!("unlimited")));

    // A file message adds a file; a text message does not.
    send(&client, &session, MessageFrom::User, text("here it is")).await;
    let content = MessageContent::File(
        MessageFile::new()
            .name("invoice.pdf")
            .url("https://example.com/invoice.pdf")
            .type_("application/pdf"),
    );
    let fingerprint = send(&client, &session, MessageFrom::User, content).await;
    let files = client
        .list_conversation_files(WEBSITE, &session, 1)
        .await
        .unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].name.as_deref(), Some("invoice.pdf"));
    assert_eq!(files[0].fingerprint, Some(fingerprint));

    client
        .request_email_transcript_for_conversation(
            WEBSITE,
            &session,
            ConversationTranscriptRequest::new(TranscriptTo::User).email("john@example.com"),
        )
        .await
        .unwrap();
    let transcripts = server.with_store(|s| {
        s.conversation(WEBSITE, &session)
            .unwrap()
            .transcripts
            .clone()
    });
    assert_eq!(
        transcripts,
        [json!({"to": "user", "email": "john@example.com"})]
    );
}

#[tokio::test]
async fn a_removed_conversation_is_gone() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let session = server.with_store(|s| s.seed_conversations(WEBSITE, 1).remove(0));
    let remove = || client.remove_conversation(WEBSITE, &session).send();
    remove().await.unwrap();
    let err = client
        .get_conversation(WEBSITE, &session)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.message(), Some("conversation not found"));
    let exists = client
        .check_conversation_exists(WEBSITE, &session)
        .await
        .unwrap();
    assert!(!exists, "a HEAD check answers false, not an error");
    assert!(listed(&client, true).await.is_empty());
    let err = remove().await.unwrap_err();
    assert_eq!(err.status(), Some(404));
    assert_eq!(err.operation(), Some("remove_conversation"));
}

/// Every stateful operation on a conversation, sent as the spec's own example request with
/// an unknown session: 404 `not_found`. The other operations on conversation paths (those the
/// spec added since) answer their example.
#[tokio::test]
async fn every_conversation_operation_answers_404_for_an_unknown_session() {
    let server = MockServer::start().await;
    let stateful = crisp_mock::stateful_operations();
    let mut checked = Vec::new();
    for op in spec_operations() {
        if !op.template.contains("{session_id}") {
            continue;
        }
        let path = op.path(&[("website_id", WEBSITE), ("session_id", "session_unknown")]);
        let (status, answer) = raw_request(
            &server,
            op.method.clone(),
            &path,
            op.tier(),
            op.body.clone(),
        )
        .await;
        if !stateful.contains(&op.id.as_str()) {
            assert_eq!(Some(&answer), op.answer.as_ref(), "{}", op.id);
            continue;
        }
        assert_eq!(status, 404, "{} {path}: {answer}", op.id);
        if op.method != reqwest::Method::HEAD {
            assert_eq!(answer["reason"], "not_found", "{}", op.id);
            assert_eq!(
                answer["data"]["message"], "conversation not found",
                "{}",
                op.id
            );
        }
        checked.push(op.id);
    }
    assert!(checked.len() >= 22, "{checked:?}");
    assert!(checked.iter().any(|id| id == "check_conversation_exists"));
}

/// Each REST change is published as the event Crisp's realtime API sends.
#[tokio::test]
async fn changes_are_published_as_realtime_events() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let session = server.with_store(|s| s.create_conversation(WEBSITE));
    let mut events = server.subscribe();
    send(&client, &session, MessageFrom::User, text("hello")).await;
    send(&client, &session, MessageFrom::Operator, text("hi!")).await;
    client
        .change_conversation_state(
            WEBSITE,
            &session,
            ConversationStateUpdate::new(ConversationState::Resolved),
        )
        .await
        .unwrap();
    let mut names = Vec::new();
    for _ in 0..3 {
        let event = events.try_recv().expect("an event per change");
        assert_eq!(event.website_id, WEBSITE);
        assert_eq!(event.payload["session_id"], session.as_str());
        names.push(event.name);
    }
    assert_eq!(
        names,
        ["message:send", "message:received", "session:set_state"]
    );
    get(&client, &session).await;
    assert!(events.try_recv().is_err(), "a read publishes nothing");
}

/// The mock's RTM endpoint emits what its REST side changes: a message sent over REST
/// reaches an SDK client listening on the mock's socket.
#[tokio::test]
async fn a_message_sent_over_rest_reaches_a_realtime_client() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let session = server.with_store(|s| s.create_conversation(WEBSITE));
    let mut events = client
        .rtm()
        .events(["message:send"])
        .host(server.socket_url())
        .connect()
        .await
        .unwrap();
    let wait = std::time::Duration::from_secs(10);
    tokio::time::timeout(wait, server.realtime().wait_for_authenticated(1))
        .await
        .expect("the socket authenticates");
    send(&client, &session, MessageFrom::User, text("hello")).await;
    let event = tokio::time::timeout(wait, futures::StreamExt::next(&mut events))
        .await
        .expect("an event")
        .expect("the stream is open")
        .unwrap();
    let crisp_api::events::Event::MessageSend(message) = event else {
        panic!("expected a typed message:send, got {event:?}")
    };
    assert_eq!(message.session_id, session);
    assert_eq!(message.website_id, WEBSITE);
    assert_eq!(message.content, text("hello"));
}
