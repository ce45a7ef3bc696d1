//! People profiles across calls: added, found by id or email, replaced, merged, removed;
//! their data, events and subscription read back; emails unique and well-formed, as in
//! Crisp; unknown profiles answer 404.

use crisp_api::types::{
    PeopleCompany, PeopleData, PeopleEventColor, PeopleEventNew, PeopleFilter, PeoplePerson,
    PeopleProfileCard, PeopleProfileUpdate, PeopleSortOrder, PeopleSubscription,
};
use crisp_api::{Client, ErrorKind};
use crisp_mock::{MockServer, Person};
use crisp_wire_tests::{client_for, raw_request, spec_operations, WEBSITE};
use futures::TryStreamExt as _;
use serde_json::{json, Map, Value};

/// An email that travels as one path segment and comes back unchanged.
const EMAIL: &str = "john+doe@example.com";

fn card(email: &str, nickname: &str) -> PeopleProfileCard {
    PeopleProfileCard::new(email, PeoplePerson::new().nickname(nickname))
}

async fn add(client: &Client, email: &str, nickname: &str, segments: &[&str]) -> String {
    client
        .add_new_people_profile(
            WEBSITE,
            card(email, nickname).segments(segments.iter().copied()),
        )
        .await
        .unwrap()
        .people_id
}

async fn profile(client: &Client, id: &str) -> crisp_api::types::PeopleProfile {
    client.get_people_profile(WEBSITE, id).await.unwrap()
}

/// The number of keys of a free-form object; an absent object (`null`) has none.
fn keys(value: &Value) -> usize {
    value.as_object().map_or(0, Map::len)
}

#[tokio::test]
async fn a_profile_is_added_found_replaced_merged_and_removed() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let id = client
        .add_new_people_profile(
            WEBSITE,
            card(EMAIL, "John")
                .segments(["lead"])
                .notepad("a note")
                .company(PeopleCompany::new().name("Crisp"))
                .active(1_688_040_100_000_i64),
        )
        .await
        .unwrap()
        .people_id;
    let by_id = profile(&client, &id).await;
    assert_eq!(by_id.email.as_deref(), Some(EMAIL));
    assert_eq!(by_id.segments, ["lead"]);
    // The request's `active` (a timestamp) comes back as `active.last`.
    assert_eq!(by_id.active.as_ref().unwrap().last, Some(1_688_040_100_000));
    // By email too, compared without case.
    assert_eq!(profile(&client, &EMAIL.to_uppercase()).await, by_id);
    let found = client
        .find_people_profile_by_email(WEBSITE, EMAIL)
        .await
        .unwrap();
    assert_eq!(found.people_id, id);

    // PUT replaces the whole profile: what was not sent is gone.
    client
        .save_people_profile(WEBSITE, EMAIL, card("john.doe@example.com", "John Doe"))
        .await
        .unwrap();
    let saved = profile(&client, &id).await;
    assert_eq!(saved.email.as_deref(), Some("john.doe@example.com"));
    assert_eq!(saved.notepad, None);
    assert_eq!(saved.company, None);
    assert!(saved.segments.is_empty());
    assert_eq!(saved.created_at, by_id.created_at);
    assert!(saved.updated_at > saved.created_at);

    // PATCH merges objects key by key and replaces lists.
    let person = PeoplePerson::new().nickname("Johnny").phone("+33600000000");
    client
        .update_people_profile(
            WEBSITE,
            &id,
            PeopleProfileUpdate::new().person(person).segments(["vip"]),
        )
        .await
        .unwrap();
    let person = PeoplePerson::new().nickname("John Doe");
    client
        .update_people_profile(WEBSITE, &id, PeopleProfileUpdate::new().person(person))
        .await
        .unwrap();
    let merged = profile(&client, &id).await;
    let person = merged.person.unwrap();
    assert_eq!(person.nickname.as_deref(), Some("John Doe"));
    assert_eq!(person.phone.as_deref(), Some("+33600000000"), "merged");
    assert_eq!(merged.segments, ["vip"]);

    let check = |id: String| {
        let client = client.clone();
        async move {
            client
                .check_people_profile_exists(WEBSITE, id)
                .await
                .unwrap()
        }
    };
    assert!(check(id.clone()).await);
    client
        .remove_people_profile(WEBSITE, "john.doe@example.com")
        .await
        .unwrap();
    assert!(!check(id.clone()).await, "a HEAD check answers false");
    let err = client.get_people_profile(WEBSITE, &id).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.message(), Some("people profile not found"));
}

#[tokio::test]
async fn emails_are_unique_on_a_website_and_must_be_emails() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let jane = add(&client, "jane@example.com", "Jane", &[]).await;
    let err = client
        .add_new_people_profile(WEBSITE, card("JANE@example.com", "Jane again"))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(409));
    assert_eq!(err.reason(), Some("people_exists"));
    // Changing another profile's email to a taken one is refused too.
    let john = add(&client, "john@example.com", "John", &[]).await;
    let err = client
        .update_people_profile(
            WEBSITE,
            &john,
            PeopleProfileUpdate::new().email("jane@example.com"),
        )
        .await
        .unwrap_err();
    assert_eq!(err.reason(), Some("people_exists"));
    // Saving a profile with its own email is not a conflict.
    client
        .save_people_profile(WEBSITE, &jane, card("jane@example.com", "Jane Doe"))
        .await
        .unwrap();

    let err = client
        .add_new_people_profile(WEBSITE, card("not-an-email", "Nobody"))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400));
    assert_eq!(err.reason(), Some("invalid_data"));
    assert!(err.message().unwrap().starts_with("body.email: "), "{err}");
    let stats = client.get_people_statistics(WEBSITE).await.unwrap();
    assert_eq!(stats.total, Some(2));
}

#[tokio::test]
async fn an_email_with_reserved_characters_is_found_as_one_segment() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let email = "odd/name?x#y%z w@example.com";
    let id = server
        .with_store(|s| {
            s.add_person(
                WEBSITE,
                Person::new(json!({"email": email, "segments": []})),
            )
        })
        .unwrap();
    let found = client
        .find_people_profile_by_email(WEBSITE, email)
        .await
        .unwrap();
    assert_eq!(found.people_id, id);
    let request = server.last_request().unwrap();
    assert_eq!(request.query, None, "`?` must not start a query");
    assert_eq!(request.operation.as_deref(), Some("get_people_profile"));
}

#[tokio::test]
async fn profiles_are_searched_sorted_and_paged() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    add(&client, "anna@example.com", "Anna", &["customer"]).await;
    add(&client, "bob@example.com", "Bob", &["lead"]).await;
    add(&client, "carla@example.com", "Carla", &["customer"]).await;
    let filter = serde_json::to_string(&vec![PeopleFilter::new(
        "people",
        "segments",
        "eq",
        ["customer"],
    )])
    .unwrap();
    let page = client
        .list_people_profiles(WEBSITE, 1)
        .sort_field("nickname")
        .sort_order(PeopleSortOrder::Descending)
        .search_filter(&filter)
        .search_text("a")
        .await
        .unwrap();
    let nicknames: Vec<_> = page
        .iter()
        .map(|p| p.person.as_ref().unwrap().nickname.clone().unwrap())
        .collect();
    assert_eq!(nicknames, ["Carla", "Anna"]);

    // A filter that is not an array of PeopleFilter: 400, naming what is wrong.
    let err = client
        .list_people_profiles(WEBSITE, 1)
        .search_filter(r#"[{"model": "people"}]"#)
        .await
        .unwrap_err();
    assert_eq!(err.reason(), Some("invalid_data"));
    let message = err.message().unwrap();
    assert!(message.starts_with("query.search_filter[0]: "), "{message}");

    // 45 profiles: 20 a page, in creation order, the stream reads them all.
    server.with_store(|s| {
        for i in 0..42 {
            s.seed_person(WEBSITE, &format!("p{i}@example.com"), "P")
                .unwrap();
        }
    });
    let all: Vec<_> = client
        .list_people_profiles(WEBSITE, 1)
        .stream()
        .map_ok(|p| p.email.unwrap())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 45);
    assert_eq!(all[0], "anna@example.com");
    assert_eq!(all[44], "p41@example.com");
    let last = server.last_request().unwrap();
    assert_eq!(
        last.path,
        format!("/v1/website/{WEBSITE}/people/profiles/3"),
        "three pages (206, 206, 200) and no empty one"
    );
}

#[tokio::test]
async fn data_events_and_subscription_are_read_back() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let id = add(&client, EMAIL, "John", &[]).await;
    let data = || client.get_people_data(WEBSITE, &id).send();
    assert_eq!(keys(&data().await.unwrap().data), 0);
    client
        .save_people_data(
            WEBSITE,
            &id,
            PeopleData::new().data(json!({"type": "customer", "seats": 3})),
        )
        .await
        .unwrap();
    client
        .update_people_data(
            WEBSITE,
            &id,
            PeopleData::new().data(json!({"seats": 5, "plan": "unlimited"})),
        )
        .await
        .unwrap();
    assert_eq!(
        data().await.unwrap().data,
        json!({"type": "customer", "seats": 5, "plan": "unlimited"})
    );
    // PUT replaces every key.
    client
        .save_people_data(
            WEBSITE,
            &id,
            PeopleData::new().data(json!({"plan": "free"})),
        )
        .await
        .unwrap();
    assert_eq!(data().await.unwrap().data, json!({"plan": "free"}));

    for i in 0..25 {
        let mut event = PeopleEventNew::new(format!("event {i}"));
        if i == 24 {
            event = event.color(PeopleEventColor::Green);
        }
        client.add_people_event(WEBSITE, &id, event).await.unwrap();
    }
    let events: Vec<_> = client
        .list_people_events(WEBSITE, &id, 1)
        .stream()
        .try_collect()
        .await
        .unwrap();
    // Newest first, across two pages.
    assert_eq!(events.len(), 25);
    assert_eq!(events[0].text.as_deref(), Some("event 24"));
    assert_eq!(events[0].color, Some(PeopleEventColor::Green));
    assert_eq!(events[24].text.as_deref(), Some("event 0"));

    let subscribed = || client.get_people_subscription_status(WEBSITE, &id).send();
    assert_eq!(
        subscribed().await.unwrap().email,
        Some(true),
        "new profiles are subscribed"
    );
    let set = |email: bool| {
        client
            .update_people_subscription_status(WEBSITE, &id, PeopleSubscription::new().email(email))
            .send()
    };
    set(false).await.unwrap();
    assert_eq!(subscribed().await.unwrap().email, Some(false));
    set(true).await.unwrap();
    assert_eq!(subscribed().await.unwrap().email, Some(true));
}

#[tokio::test]
async fn a_persons_conversations_segments_and_statistics() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    add(&client, "anna@example.com", "Anna", &["customer", "vip"]).await;
    add(&client, "bob@example.com", "Bob", &["customer"]).await;
    let stats = client.get_people_statistics(WEBSITE).await.unwrap();
    assert_eq!(stats.total, Some(2));
    let segments: Vec<_> = client
        .list_people_segments(WEBSITE, 1)
        .await
        .unwrap()
        .into_iter()
        .map(|s| (s.segment, s.count))
        .collect();
    assert_eq!(
        segments,
        [
            (Some("customer".into()), Some(2)),
            (Some("vip".into()), Some(1))
        ]
    );

    // Conversations whose visitor email is the profile's, most recently updated first.
    let ids = server.with_store(|s| s.seed_conversations(WEBSITE, 3));
    for id in [&ids[0], &ids[2]] {
        client
            .update_conversation_metas(
                WEBSITE,
                id,
                crisp_api::types::ConversationMetaUpdate::new().email("ANNA@example.com"),
            )
            .await
            .unwrap();
    }
    let sessions = client
        .list_people_conversations(WEBSITE, "anna@example.com", 1)
        .await
        .unwrap();
    let sessions: Vec<String> = sessions.into_iter().map(|s| s.to_string()).collect();
    assert_eq!(sessions, [ids[2].clone(), ids[0].clone()]);
}

/// Every stateful operation on a people profile, sent as the spec's own example request
/// with an unknown profile: 404 `not_found`.
#[tokio::test]
async fn every_profile_operation_answers_404_for_an_unknown_profile() {
    let server = MockServer::start().await;
    let stateful = crisp_mock::stateful_operations();
    let mut checked = Vec::new();
    for op in spec_operations() {
        if !op.template.contains("{people_id}") || !stateful.contains(&op.id.as_str()) {
            continue;
        }
        let path = op.path(&[("website_id", WEBSITE), ("people_id", "nobody@example.com")]);
        let (status, answer) = raw_request(
            &server,
            op.method.clone(),
            &path,
            op.tier(),
            op.body.clone(),
        )
        .await;
        assert_eq!(status, 404, "{} {path}: {answer}", op.id);
        if op.method != reqwest::Method::HEAD {
            assert_eq!(answer["data"]["message"], "people profile not found");
        }
        checked.push(op.id);
    }
    assert!(checked.len() >= 12, "{checked:?}");
}
