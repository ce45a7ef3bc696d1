//! Real-time events end to end: a client subscribes over the mock's RTM endpoint (found
//! through `connect/endpoints`, as in production), the REST API changes the mock's state, and
//! the typed event arrives; after the server drops every socket the client reconnects,
//! authenticates again and keeps its subscription.

use crisp_api::events::Event;
use crisp_api::rtm::{EventStream, Reconnect};
use crisp_api::types::{
    ConversationState, ConversationStateUpdate, MessageContent, MessageFrom, PeoplePerson,
    PeopleProfileCard,
};
use crisp_api::{Client, StreamExt as _, Tier};
use crisp_mock::MockServer;
use crisp_wire_tests::{mock_client, send_text};
use std::time::Duration;

const WEBSITE: &str = crisp_mock::README_WEBSITE_ID;

async fn subscribe(client: &Client, events: &[&str]) -> EventStream {
    client
        .rtm()
        .events(events.iter().copied())
        .reconnect(
            Reconnect::default()
                .initial_delay(Duration::from_millis(20))
                .max_delay(Duration::from_millis(50)),
        )
        .connect()
        .await
        .expect("the RTM connection")
}

/// The next event, within a few seconds.
async fn next(events: &mut EventStream) -> Event {
    tokio::time::timeout(Duration::from_secs(10), events.next())
        .await
        .expect("an event within 10 s")
        .expect("the stream goes on")
        .expect("an event, not an error")
}

async fn conversation(client: &Client) -> String {
    client
        .create_new_conversation(WEBSITE)
        .await
        .unwrap()
        .session_id
}

#[tokio::test]
async fn a_visitor_message_arrives_typed() {
    let mock = MockServer::start().await;
    for tier in [Tier::Plugin, Tier::User] {
        let client = mock_client(&mock, tier);
        let mut events = subscribe(&client, &["message:send"]).await;
        let session = conversation(&client).await;
        send_text(&client, WEBSITE, &session, MessageFrom::User, "Hello!").await;
        let Event::MessageSend(message) = next(&mut events).await else {
            panic!("expected message:send")
        };
        assert_eq!(message.session_id, session, "{tier:?}");
        assert_eq!(message.website_id, WEBSITE);
        assert_eq!(message.content, MessageContent::text("Hello!"));
        assert_eq!(message.from, Some(MessageFrom::User));
    }
}

#[tokio::test]
async fn session_and_people_events_arrive_typed_and_others_are_filtered() {
    let mock = MockServer::start().await;
    let client = mock_client(&mock, Tier::Plugin);
    let mut events = subscribe(&client, &["session:set_state", "people:profile:created"]).await;
    let session = conversation(&client).await;
    // An operator message: `message:received`, not subscribed to, never arrives.
    send_text(&client, WEBSITE, &session, MessageFrom::Operator, "Hi").await;
    client
        .change_conversation_state(
            WEBSITE,
            &session,
            ConversationStateUpdate::new(ConversationState::Resolved),
        )
        .await
        .unwrap();
    let Event::SessionSetState(change) = next(&mut events).await else {
        panic!("expected session:set_state")
    };
    assert_eq!(change.session_id, session);
    assert_eq!(change.state, Some(ConversationState::Resolved));

    let created = client
        .add_new_people_profile(
            WEBSITE,
            PeopleProfileCard::new("jane@example.com", PeoplePerson::new().nickname("Jane")),
        )
        .await
        .unwrap();
    let Event::PeopleProfileCreated(profile) = next(&mut events).await else {
        panic!("expected people:profile:created")
    };
    assert_eq!(Some(profile.people_id), Some(created.people_id));
}

#[tokio::test]
async fn after_the_server_drops_every_socket_the_subscription_survives() {
    let mock = MockServer::start().await;
    let client = mock_client(&mock, Tier::Plugin);
    let mut events = subscribe(&client, &["message:send"]).await;
    mock.realtime().wait_for_authenticated(1).await;
    mock.realtime().drop_all_connections().await;
    // The client comes back and authenticates again, with the same events.
    mock.realtime()
        .wait_until(|rtm| rtm.authentications().len() >= 2 && rtm.authenticated() == 1)
        .await;
    let authentications = mock.realtime().authentications();
    assert_eq!(authentications[0].events, authentications[1].events);
    let session = conversation(&client).await;
    send_text(
        &client,
        WEBSITE,
        &session,
        MessageFrom::User,
        "still there?",
    )
    .await;
    // First the notice that the connection came back (events may have been missed).
    let notice = tokio::time::timeout(Duration::from_secs(10), events.next())
        .await
        .expect("the notice within 10 s")
        .expect("the stream goes on")
        .expect_err("the reconnection notice");
    assert_eq!(notice.kind(), crisp_api::rtm::RtmErrorKind::Reconnected);
    let Event::MessageSend(message) = next(&mut events).await else {
        panic!("expected message:send after reconnecting")
    };
    assert_eq!(message.session_id, session);
}

#[tokio::test]
async fn wrong_credentials_end_the_stream_with_a_typed_error() {
    let mock = MockServer::start().await;
    let client = mock_client(&mock, Tier::Plugin);
    // The REST side accepts the client; the socket is given other credentials' URL: the
    // mock's RTM endpoint checks the authentication message itself.
    let stranger = Client::builder()
        .base_url(mock.url())
        .credentials("someone-else", "wrong-key")
        .tier(Tier::Plugin)
        .build()
        .unwrap();
    let url = client
        .rtm()
        .events(["message:send"])
        .connect()
        .await
        .unwrap()
        .socket_url();
    let result = stranger
        .rtm()
        .events(["message:send"])
        .host(url)
        .connect()
        .await;
    let error = match result {
        Err(e) => e,
        Ok(mut events) => {
            match tokio::time::timeout(Duration::from_secs(10), events.next()).await {
                Ok(Some(Err(e))) => e,
                other => panic!("expected an authentication error, got {other:?}"),
            }
        }
    };
    assert_eq!(
        error.kind(),
        crisp_api::rtm::RtmErrorKind::Authentication,
        "{error}"
    );
    assert!(!format!("{error} {error:?}").contains("wrong-key"));
}
