//! People over the wire: profiles, their data, events, subscription and conversations.
//! Each test asserts what reached the mock (method, path, query, body), what the client
//! decoded, and the state change seen through a follow-up call.

use crisp_api::types::{
    PeopleCompany, PeopleData, PeopleEventColor, PeopleEventNew, PeopleFilter, PeoplePerson,
    PeopleProfileCard, PeopleProfileUpdate, PeopleSearchOperator, PeopleSortOrder,
    PeopleSubscription,
};
use crisp_api::{Client, ErrorKind};
use crisp_mock::{MockServer, Recorded};
use crisp_wire_tests::{assert_common_headers, client_for, raw_request, WEBSITE};
use futures::TryStreamExt as _;
use serde_json::{json, Map, Value};

/// An email that must reach Crisp as one path segment and come back unchanged.
const EMAIL: &str = "john+doe@example.com";

fn card(email: &str, nickname: &str) -> crisp_api::types::builder::PeopleProfileCard {
    PeopleProfileCard::builder()
        .email(email)
        .person(PeoplePerson::builder().nickname(nickname.to_string()))
}

async fn add(client: &Client, email: &str, nickname: &str, segments: &[&str]) -> String {
    let segments: Vec<String> = segments.iter().map(|s| s.to_string()).collect();
    client
        .add_new_people_profile()
        .website_id(WEBSITE)
        .body(card(email, nickname).segments(Some(segments)))
        .send()
        .await
        .unwrap()
        .people_id
}

fn last(server: &MockServer) -> Recorded {
    let req = server.last_request().unwrap();
    if req.method == "HEAD" {
        // A HEAD answer has no body, so progenitor asks for `*/*`, not JSON.
        assert!(req.header("authorization").unwrap().starts_with("Basic "));
        assert_eq!(req.header("x-crisp-tier"), Some("plugin"));
    } else {
        assert_common_headers(&req, "plugin");
    }
    req
}

fn people_path(rest: &str) -> String {
    format!("/v1/website/{WEBSITE}/people/{rest}")
}

/// The path's segments after `/v1/website/{WEBSITE}/people/`, percent-decoded.
fn decoded_segments(path: &str) -> Vec<String> {
    path.strip_prefix(&people_path(""))
        .unwrap_or_else(|| panic!("{path} is not a people path"))
        .split('/')
        .map(|s| {
            percent_decode(s).unwrap_or_else(|| panic!("segment {s:?} of {path} is not UTF-8"))
        })
        .collect()
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Optional nested fields take the built value, not its builder.
fn company(builder: crisp_api::types::builder::PeopleCompany) -> PeopleCompany {
    builder.try_into().unwrap()
}

fn map(value: Value) -> Map<String, Value> {
    value.as_object().unwrap().clone()
}

#[tokio::test]
async fn add_new_people_profile_posts_the_card_and_returns_the_id() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let added = client
        .add_new_people_profile()
        .website_id(WEBSITE)
        .body(
            card("valerian@crisp.chat", "Valerian Saliou")
                .segments(Some(vec!["customer".into()]))
                .company(company(
                    PeopleCompany::builder()
                        .name("Crisp".to_string())
                        .domain("crisp.chat".to_string()),
                ))
                .active(1_688_040_100_000_i64),
        )
        .send()
        .await
        .unwrap();
    let req = last(&server);
    assert_eq!(req.method, "POST");
    assert_eq!(req.path, people_path("profile"));
    assert_eq!(req.query, None);
    assert_eq!(
        req.json(),
        json!({"email": "valerian@crisp.chat", "person": {"nickname": "Valerian Saliou"},
               "company": {"name": "Crisp", "domain": "crisp.chat"},
               "segments": ["customer"], "active": 1_688_040_100_000_i64})
    );
    assert!(!added.people_id.is_empty());

    let profile = client
        .get_people_profile()
        .website_id(WEBSITE)
        .people_id(&added.people_id)
        .send()
        .await
        .unwrap();
    assert_eq!(profile.people_id, added.people_id);
    assert_eq!(profile.email.as_deref(), Some("valerian@crisp.chat"));
    assert_eq!(profile.segments, vec!["customer".to_string()]);
    assert_eq!(
        profile.company.unwrap().domain.as_deref(),
        Some("crisp.chat")
    );
    // The request's `active` (a timestamp) comes back as `active.last`.
    let active = profile.active.unwrap();
    assert_eq!(active.last, Some(1_688_040_100_000));
    assert_eq!(active.now, Some(false));
}

#[tokio::test]
async fn check_people_profile_exists_is_a_head_request() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let id = add(&client, EMAIL, "John", &[]).await;
    let check = |people_id: String| {
        let client = client.clone();
        async move {
            client
                .check_people_profile_exists()
                .website_id(WEBSITE)
                .people_id(people_id)
                .send()
                .await
        }
    };
    assert!(check(id.clone()).await.unwrap());
    let req = last(&server);
    assert_eq!(req.method, "HEAD");
    assert_eq!(req.path, people_path(&format!("profile/{id}")));
    assert!(req.body.is_empty());

    // By email too: the segment decodes to the email.
    assert!(check(EMAIL.into()).await.unwrap());
    let req = last(&server);
    assert_eq!(req.method, "HEAD");
    assert_eq!(decoded_segments(&req.path), ["profile", EMAIL]);

    assert!(!check("c5a2f70c-0000-0000-0000-000000000000".into())
        .await
        .unwrap());
    assert!(!check("nobody@example.com".into()).await.unwrap());
    assert_eq!(last(&server).method, "HEAD");
}

#[tokio::test]
async fn get_people_profile_by_id_and_by_email() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let id = add(&client, EMAIL, "John Doe", &["lead"]).await;

    let by_id = client
        .get_people_profile()
        .website_id(WEBSITE)
        .people_id(&id)
        .send()
        .await
        .unwrap();
    let req = last(&server);
    assert_eq!(req.method, "GET");
    assert_eq!(req.path, people_path(&format!("profile/{id}")));
    assert_eq!(req.query, None);
    assert!(req.body.is_empty());
    assert_eq!(by_id.people_id, id);
    assert_eq!(by_id.email.as_deref(), Some(EMAIL));
    assert_eq!(
        by_id.person.as_ref().unwrap().nickname.as_deref(),
        Some("John Doe")
    );
    assert!(by_id.created_at.unwrap() > 1_600_000_000_000);

    let by_email = client
        .get_people_profile()
        .website_id(WEBSITE)
        .people_id(EMAIL)
        .send()
        .await
        .unwrap();
    assert_eq!(decoded_segments(&last(&server).path), ["profile", EMAIL]);
    assert_eq!(by_email, by_id);
}

#[tokio::test]
async fn find_people_profile_by_email_sends_the_get_profile_request() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let id = add(&client, EMAIL, "John Doe", &[]).await;
    add(&client, "someone.else@example.com", "Else", &[]).await;

    let found = client
        .find_people_profile_by_email()
        .website_id(WEBSITE)
        .people_id(EMAIL)
        .send()
        .await
        .unwrap();
    let req = last(&server);
    assert_eq!(req.method, "GET");
    // One segment that decodes to the email (today `+` and `@` go out unescaped: both are
    // legal in a path segment; escaping them would pass too).
    assert_eq!(decoded_segments(&req.path), ["profile", EMAIL]);
    assert_eq!(req.query, None);
    assert_eq!(found.people_id, id);
    assert_eq!(found.email.as_deref(), Some(EMAIL));
}

#[tokio::test]
async fn an_email_with_reserved_characters_is_one_escaped_segment() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let email = "odd/name?x#y%z w@example.com";
    let id = add(&client, email, "Odd", &[]).await;
    let found = client
        .find_people_profile_by_email()
        .website_id(WEBSITE)
        .people_id(email)
        .send()
        .await
        .unwrap();
    let req = last(&server);
    let raw = req.path.strip_prefix(&people_path("profile/")).unwrap();
    assert!(!raw.contains(['/', '?', '#', ' ']), "{raw}");
    assert_eq!(req.query, None, "`?` must not start a query");
    assert_eq!(decoded_segments(&req.path), ["profile", email]);
    assert_eq!(found.people_id, id);
}

#[tokio::test]
async fn save_people_profile_replaces_the_whole_profile() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let id = client
        .add_new_people_profile()
        .website_id(WEBSITE)
        .body(
            card(EMAIL, "John")
                .notepad("a note".to_string())
                .segments(Some(vec!["lead".into()]))
                .company(company(PeopleCompany::builder().name("ACME".to_string()))),
        )
        .send()
        .await
        .unwrap()
        .people_id;

    client
        .save_people_profile()
        .website_id(WEBSITE)
        .people_id(EMAIL)
        .body(card("john.doe@example.com", "John Doe"))
        .send()
        .await
        .unwrap();
    let req = last(&server);
    assert_eq!(req.method, "PUT");
    assert_eq!(decoded_segments(&req.path), ["profile", EMAIL]);
    assert_eq!(
        req.json(),
        json!({"email": "john.doe@example.com", "person": {"nickname": "John Doe"}})
    );

    let profile = client
        .get_people_profile()
        .website_id(WEBSITE)
        .people_id(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(profile.email.as_deref(), Some("john.doe@example.com"));
    assert_eq!(
        profile.person.unwrap().nickname.as_deref(),
        Some("John Doe")
    );
    // PUT overwrites: what was not sent is gone.
    assert_eq!(profile.notepad, None);
    assert_eq!(profile.company, None);
    assert!(profile.segments.is_empty());
    assert!(profile.updated_at > profile.created_at);
}

#[tokio::test]
async fn update_people_profile_merges_and_can_clear_segments() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let id = client
        .add_new_people_profile()
        .website_id(WEBSITE)
        .body(
            PeopleProfileCard::builder()
                .email(EMAIL)
                .person(
                    PeoplePerson::builder()
                        .nickname("John".to_string())
                        .phone("+33600000000".to_string()),
                )
                .notepad("keep me".to_string())
                .segments(Some(vec!["lead".into(), "vip".into()])),
        )
        .send()
        .await
        .unwrap()
        .people_id;

    client
        .update_people_profile()
        .website_id(WEBSITE)
        .people_id(&id)
        .body(
            PeopleProfileUpdate::builder()
                .person(
                    PeoplePerson::try_from(
                        PeoplePerson::builder().nickname("John Doe".to_string()),
                    )
                    .unwrap(),
                )
                .segments(Some(vec![])),
        )
        .send()
        .await
        .unwrap();
    let req = last(&server);
    assert_eq!(req.method, "PATCH");
    assert_eq!(req.path, people_path(&format!("profile/{id}")));
    // Only what was set is sent; the empty list is sent, not skipped.
    assert_eq!(
        req.json(),
        json!({"person": {"nickname": "John Doe"}, "segments": []})
    );

    let profile = client
        .get_people_profile()
        .website_id(WEBSITE)
        .people_id(&id)
        .send()
        .await
        .unwrap();
    let person = profile.person.unwrap();
    assert_eq!(person.nickname.as_deref(), Some("John Doe"));
    assert_eq!(person.phone.as_deref(), Some("+33600000000"), "merged");
    assert_eq!(profile.notepad.as_deref(), Some("keep me"));
    assert_eq!(profile.email.as_deref(), Some(EMAIL));
    assert!(profile.segments.is_empty(), "cleared");
}

#[tokio::test]
async fn remove_people_profile_deletes_it() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let id = add(&client, EMAIL, "John", &[]).await;
    client
        .remove_people_profile()
        .website_id(WEBSITE)
        .people_id(EMAIL)
        .send()
        .await
        .unwrap();
    let req = last(&server);
    assert_eq!(req.method, "DELETE");
    assert_eq!(decoded_segments(&req.path), ["profile", EMAIL]);
    assert!(req.body.is_empty());

    let exists = client
        .check_people_profile_exists()
        .website_id(WEBSITE)
        .people_id(&id)
        .send()
        .await
        .unwrap();
    assert!(!exists);
    let err = client
        .remove_people_profile()
        .website_id(WEBSITE)
        .people_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn get_people_statistics_counts_profiles() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let stats = |client: Client| async move {
        client
            .get_people_statistics()
            .website_id(WEBSITE)
            .send()
            .await
            .unwrap()
    };
    assert_eq!(stats(client.clone()).await.total, 0);
    let req = last(&server);
    assert_eq!(req.method, "GET");
    assert_eq!(req.path, people_path("stats"));
    assert_eq!(req.query, None);

    add(&client, "a@example.com", "A", &[]).await;
    add(&client, "b@example.com", "B", &[]).await;
    assert_eq!(stats(client.clone()).await.total, 2);
}

#[tokio::test]
async fn list_people_segments_uses_the_suggest_route() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    add(&client, "a@example.com", "A", &["customer", "vip"]).await;
    add(&client, "b@example.com", "B", &["customer"]).await;
    add(&client, "c@example.com", "C", &["lead"]).await;

    let segments = client
        .list_people_segments()
        .website_id(WEBSITE)
        .page_number(1)
        .send()
        .await
        .unwrap();
    let req = last(&server);
    assert_eq!(req.method, "GET");
    assert_eq!(req.path, people_path("suggest/segments/1"));
    assert_eq!(req.query, None);
    let got: Vec<(&str, i64)> = segments
        .iter()
        .map(|s| (s.segment.as_str(), s.count))
        .collect();
    assert_eq!(got, [("customer", 2), ("lead", 1), ("vip", 1)]);

    let empty = client
        .list_people_segments()
        .website_id(WEBSITE)
        .page_number(2)
        .send()
        .await
        .unwrap();
    assert!(empty.is_empty());
    let streamed: Vec<_> = client
        .list_people_segments()
        .website_id(WEBSITE)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(streamed, segments);
}

#[tokio::test]
async fn list_people_profiles_sends_search_parameters() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    add(&client, "anna@example.com", "Anna", &["customer"]).await;
    add(&client, "bob@example.com", "Bob", &["lead"]).await;
    add(&client, "carla@example.com", "Carla", &["customer"]).await;

    let filter = serde_json::to_string(&vec![PeopleFilter {
        model: "people".into(),
        criterion: "segments".into(),
        operator: "eq".into(),
        query: vec!["customer".into()],
    }])
    .unwrap();
    let page = client
        .list_people_profiles()
        .website_id(WEBSITE)
        .page_number(1)
        .per_page(20)
        .sort_field("nickname")
        .sort_order(PeopleSortOrder::Descending)
        .search_operator(PeopleSearchOperator::And)
        .search_filter(&filter)
        .search_text("a")
        .filter_date_start("2023-01-01T00:00:00.000Z")
        .filter_date_end("2023-12-31T23:59:59.999Z")
        .send()
        .await
        .unwrap();
    let req = last(&server);
    assert_eq!(req.method, "GET");
    assert_eq!(req.path, people_path("profiles/1"));
    let pairs = req.query_pairs();
    let expected: Vec<(String, String)> = [
        ("filter_date_end", "2023-12-31T23:59:59.999Z"),
        ("filter_date_start", "2023-01-01T00:00:00.000Z"),
        ("per_page", "20"),
        ("search_filter", filter.as_str()),
        ("search_operator", "and"),
        ("search_text", "a"),
        ("sort_field", "nickname"),
        ("sort_order", "descending"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(pairs, expected);
    assert!(req.body.is_empty());
    // Customers whose email or nickname contains "a", by nickname descending.
    let nicknames: Vec<_> = page
        .iter()
        .map(|p| p.person.as_ref().unwrap().nickname.clone().unwrap())
        .collect();
    assert_eq!(nicknames, ["Carla", "Anna"]);

    // No parameter set: none sent; creation order.
    let all = client
        .list_people_profiles()
        .website_id(WEBSITE)
        .page_number(1)
        .send()
        .await
        .unwrap();
    assert_eq!(last(&server).query, None);
    assert_eq!(all.len(), 3);
    assert_eq!(all[0].email.as_deref(), Some("anna@example.com"));

    // Paged by two: the stream reads every page.
    let streamed: Vec<_> = client
        .list_people_profiles()
        .website_id(WEBSITE)
        .per_page(2)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(streamed, all);
    assert_eq!(last(&server).path, people_path("profiles/3"));
}

#[tokio::test]
async fn list_people_conversations_returns_session_ids() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let id = add(&client, EMAIL, "John", &[]).await;
    // Two conversations of John (linked by meta email), one of someone else.
    let (mine, resolved, other) = server.with_store(|s| {
        let ids = s.seed_conversations(WEBSITE, 3);
        for (session, email, state) in [
            (&ids[0], EMAIL, "unresolved"),
            (&ids[1], "JOHN+DOE@example.com", "resolved"),
            (&ids[2], "other@example.com", "unresolved"),
        ] {
            let c = &mut s.conversation(WEBSITE, session).unwrap().conversation;
            c.meta.as_mut().unwrap().email = Some(email.into());
            c.state = Some(state.into());
        }
        (ids[0].clone(), ids[1].clone(), ids[2].clone())
    });

    let sessions = client
        .list_people_conversations()
        .website_id(WEBSITE)
        .people_id(EMAIL)
        .page_number(1)
        .send()
        .await
        .unwrap();
    let req = last(&server);
    assert_eq!(req.method, "GET");
    assert_eq!(
        decoded_segments(&req.path),
        ["conversations", EMAIL, "list", "1"]
    );
    assert_eq!(req.query, None);
    let sessions: Vec<String> = sessions.into_iter().map(String::from).collect();
    // Most recently updated first.
    assert_eq!(sessions, [resolved.clone(), mine.clone()]);
    assert!(!sessions.contains(&other));

    let not_resolved = client
        .list_people_conversations()
        .website_id(WEBSITE)
        .people_id(&id)
        .page_number(1)
        .filter_unread(false)
        .filter_resolved(false)
        .filter_not_resolved(true)
        .send()
        .await
        .unwrap();
    let req = last(&server);
    assert_eq!(
        req.query_pairs(),
        [
            ("filter_not_resolved".to_string(), "1".to_string()),
            ("filter_resolved".to_string(), "0".to_string()),
            ("filter_unread".to_string(), "0".to_string()),
        ]
    );
    assert_eq!(not_resolved.len(), 1);
    assert_eq!(*not_resolved[0], mine);
}

#[tokio::test]
async fn add_people_event_then_list_it() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let id = add(&client, EMAIL, "John", &[]).await;

    client
        .add_people_event()
        .website_id(WEBSITE)
        .people_id(EMAIL)
        .body(
            PeopleEventNew::builder()
                .text("Added item to basket")
                .data(map(json!({"price": 10.99, "currency": "USD"})))
                .color(PeopleEventColor::Red),
        )
        .send()
        .await
        .unwrap();
    let req = last(&server);
    assert_eq!(req.method, "POST");
    assert_eq!(decoded_segments(&req.path), ["events", EMAIL]);
    assert_eq!(
        req.json(),
        json!({"text": "Added item to basket", "data": {"price": 10.99, "currency": "USD"},
               "color": "red"})
    );

    client
        .add_people_event()
        .website_id(WEBSITE)
        .people_id(&id)
        .body(PeopleEventNew::builder().text("Checked out"))
        .send()
        .await
        .unwrap();
    assert_eq!(last(&server).json(), json!({"text": "Checked out"}));

    let events = client
        .list_people_events()
        .website_id(WEBSITE)
        .people_id(&id)
        .page_number(1)
        .send()
        .await
        .unwrap();
    let req = last(&server);
    assert_eq!(req.method, "GET");
    assert_eq!(req.path, people_path(&format!("events/{id}/list/1")));
    assert_eq!(events.len(), 2);
    // Newest first.
    assert_eq!(events[0].text, "Checked out");
    assert_eq!(events[0].color, None);
    assert_eq!(events[1].text, "Added item to basket");
    assert_eq!(events[1].color.as_deref(), Some("red"));
    assert_eq!(events[1].data["currency"], json!("USD"));
    assert!(events[0].timestamp > events[1].timestamp);
}

#[tokio::test]
async fn list_people_events_pages_and_streams() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let id = add(&client, EMAIL, "John", &[]).await;
    for i in 0..25 {
        client
            .add_people_event()
            .website_id(WEBSITE)
            .people_id(&id)
            .body(PeopleEventNew::builder().text(format!("event {i}")))
            .send()
            .await
            .unwrap();
    }
    let second = client
        .list_people_events()
        .website_id(WEBSITE)
        .people_id(EMAIL)
        .page_number(2)
        .send()
        .await
        .unwrap();
    let req = last(&server);
    assert_eq!(req.method, "GET");
    assert_eq!(decoded_segments(&req.path), ["events", EMAIL, "list", "2"]);
    assert_eq!(second.len(), 5);
    assert_eq!(second[0].text, "event 4");

    let all: Vec<_> = client
        .list_people_events()
        .website_id(WEBSITE)
        .people_id(&id)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 25);
    assert_eq!(all[0].text, "event 24");
    assert_eq!(all[24].text, "event 0");
}

#[tokio::test]
async fn people_data_is_nested_put_replaces_patch_merges() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let id = add(&client, EMAIL, "John", &[]).await;
    let get = |client: Client, people_id: String| async move {
        client
            .get_people_data()
            .website_id(WEBSITE)
            .people_id(people_id)
            .send()
            .await
            .unwrap()
    };

    let empty = get(client.clone(), id.clone()).await;
    let req = last(&server);
    assert_eq!(req.method, "GET");
    assert_eq!(req.path, people_path(&format!("data/{id}")));
    assert!(empty.data.is_empty());

    client
        .save_people_data()
        .website_id(WEBSITE)
        .people_id(EMAIL)
        .body(PeopleData::builder().data(map(
            json!({"type": "customer", "signup": "started", "orders": 3}),
        )))
        .send()
        .await
        .unwrap();
    let req = last(&server);
    assert_eq!(req.method, "PUT");
    assert_eq!(decoded_segments(&req.path), ["data", EMAIL]);
    // The map is wrapped in `data` on the wire.
    assert_eq!(
        req.json(),
        json!({"data": {"type": "customer", "signup": "started", "orders": 3}})
    );
    assert_eq!(
        get(client.clone(), EMAIL.into()).await.data,
        map(json!({"type": "customer", "signup": "started", "orders": 3}))
    );

    client
        .update_people_data()
        .website_id(WEBSITE)
        .people_id(&id)
        .body(PeopleData::builder().data(map(json!({"signup": "finished", "vip": false}))))
        .send()
        .await
        .unwrap();
    let req = last(&server);
    assert_eq!(req.method, "PATCH");
    assert_eq!(req.path, people_path(&format!("data/{id}")));
    assert_eq!(
        req.json(),
        json!({"data": {"signup": "finished", "vip": false}})
    );
    assert_eq!(
        get(client.clone(), id.clone()).await.data,
        map(json!({"type": "customer", "signup": "finished", "orders": 3, "vip": false})),
        "PATCH merges"
    );

    client
        .save_people_data()
        .website_id(WEBSITE)
        .people_id(&id)
        .body(PeopleData::builder().data(map(json!({"plan": "pro"}))))
        .send()
        .await
        .unwrap();
    assert_eq!(
        get(client.clone(), id.clone()).await.data,
        map(json!({"plan": "pro"})),
        "PUT replaces every key"
    );

    // An empty map is sent (it clears everything).
    client
        .save_people_data()
        .website_id(WEBSITE)
        .people_id(&id)
        .body(PeopleData::builder().data(Map::new()))
        .send()
        .await
        .unwrap();
    assert_eq!(last(&server).json(), json!({"data": {}}));
    assert!(get(client.clone(), id).await.data.is_empty());
}

#[tokio::test]
async fn people_data_answer_is_doubly_nested_on_the_wire() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let id = add(&client, EMAIL, "John", &[]).await;
    client
        .save_people_data()
        .website_id(WEBSITE)
        .people_id(&id)
        .body(PeopleData::builder().data(map(json!({"plan": "pro"}))))
        .send()
        .await
        .unwrap();
    let (_, body) = raw_request(
        &server,
        reqwest::Method::GET,
        &format!("/website/{WEBSITE}/people/data/{id}"),
        "plugin",
        None,
    )
    .await;
    assert_eq!(body["data"], json!({"data": {"plan": "pro"}}));
    let typed = client
        .get_people_data()
        .website_id(WEBSITE)
        .people_id(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(typed.data["plan"], json!("pro"));
}

#[tokio::test]
async fn subscription_status_can_be_set_to_false_and_back() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let id = add(&client, EMAIL, "John", &[]).await;
    let get = |client: Client| async move {
        client
            .get_people_subscription_status()
            .website_id(WEBSITE)
            .people_id(EMAIL)
            .send()
            .await
            .unwrap()
    };
    assert_eq!(
        get(client.clone()).await,
        PeopleSubscription { email: true }
    );
    let req = last(&server);
    assert_eq!(req.method, "GET");
    assert_eq!(decoded_segments(&req.path), ["subscription", EMAIL]);

    client
        .update_people_subscription_status()
        .website_id(WEBSITE)
        .people_id(&id)
        .body(PeopleSubscription { email: false })
        .send()
        .await
        .unwrap();
    let req = last(&server);
    assert_eq!(req.method, "PATCH");
    assert_eq!(req.path, people_path(&format!("subscription/{id}")));
    // `false` is sent, not skipped (the Go wrapper cannot send it).
    assert_eq!(req.json(), json!({"email": false}));
    assert!(!get(client.clone()).await.email);

    client
        .update_people_subscription_status()
        .website_id(WEBSITE)
        .people_id(EMAIL)
        .body(PeopleSubscription { email: true })
        .send()
        .await
        .unwrap();
    assert_eq!(last(&server).json(), json!({"email": true}));
    assert!(get(client).await.email);
}

#[tokio::test]
async fn unknown_people_id_is_not_found_everywhere() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    add(&client, EMAIL, "John", &[]).await;
    let unknown = "nobody@example.com";
    let mut errors = vec![
        client
            .get_people_profile()
            .website_id(WEBSITE)
            .people_id(unknown)
            .send()
            .await
            .map(|_| ())
            .unwrap_err(),
        client
            .find_people_profile_by_email()
            .website_id(WEBSITE)
            .people_id(unknown)
            .send()
            .await
            .map(|_| ())
            .unwrap_err(),
        client
            .save_people_profile()
            .website_id(WEBSITE)
            .people_id(unknown)
            .body(card(unknown, "Nobody"))
            .send()
            .await
            .unwrap_err(),
        client
            .update_people_profile()
            .website_id(WEBSITE)
            .people_id(unknown)
            .body(PeopleProfileUpdate::builder().notepad("x".to_string()))
            .send()
            .await
            .unwrap_err(),
        client
            .remove_people_profile()
            .website_id(WEBSITE)
            .people_id(unknown)
            .send()
            .await
            .unwrap_err(),
        client
            .list_people_conversations()
            .website_id(WEBSITE)
            .people_id(unknown)
            .page_number(1)
            .send()
            .await
            .map(|_| ())
            .unwrap_err(),
        client
            .add_people_event()
            .website_id(WEBSITE)
            .people_id(unknown)
            .body(PeopleEventNew::builder().text("x"))
            .send()
            .await
            .unwrap_err(),
        client
            .list_people_events()
            .website_id(WEBSITE)
            .people_id(unknown)
            .page_number(1)
            .send()
            .await
            .map(|_| ())
            .unwrap_err(),
        client
            .get_people_data()
            .website_id(WEBSITE)
            .people_id(unknown)
            .send()
            .await
            .map(|_| ())
            .unwrap_err(),
        client
            .save_people_data()
            .website_id(WEBSITE)
            .people_id(unknown)
            .body(PeopleData::builder().data(Map::new()))
            .send()
            .await
            .unwrap_err(),
        client
            .update_people_data()
            .website_id(WEBSITE)
            .people_id(unknown)
            .body(PeopleData::builder().data(Map::new()))
            .send()
            .await
            .unwrap_err(),
        client
            .get_people_subscription_status()
            .website_id(WEBSITE)
            .people_id(unknown)
            .send()
            .await
            .map(|_| ())
            .unwrap_err(),
        client
            .update_people_subscription_status()
            .website_id(WEBSITE)
            .people_id(unknown)
            .body(PeopleSubscription { email: false })
            .send()
            .await
            .unwrap_err(),
    ];
    let operations: Vec<_> = errors.iter().map(|e| e.operation().unwrap()).collect();
    assert_eq!(
        operations,
        [
            "get_people_profile",
            "get_people_profile",
            "save_people_profile",
            "update_people_profile",
            "remove_people_profile",
            "list_people_conversations",
            "add_people_event",
            "list_people_events",
            "get_people_data",
            "save_people_data",
            "update_people_data",
            "get_people_subscription_status",
            "update_people_subscription_status",
        ]
    );
    for err in errors.drain(..) {
        assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
        assert_eq!(err.status(), Some(404));
        assert_eq!(err.reason(), Some("not_found"));
        assert_eq!(err.message(), Some("people profile not found"));
    }
    // Nothing was changed: the one profile is still there, untouched.
    let stats = client
        .get_people_statistics()
        .website_id(WEBSITE)
        .send()
        .await
        .unwrap();
    assert_eq!(stats.total, 1);
    let exists = client
        .check_people_profile_exists()
        .website_id(WEBSITE)
        .people_id(unknown)
        .send()
        .await
        .unwrap();
    assert!(!exists, "check_* answers false, not an error");
}

#[tokio::test]
async fn mismatched_bodies_are_refused_with_invalid_data() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let id = add(&client, EMAIL, "John", &[]).await;
    let raw = |method: reqwest::Method, path: String, body: Value| {
        let path = format!("/website/{WEBSITE}/people/{path}");
        let server = &server;
        async move { raw_request(server, method, &path, "plugin", Some(body)).await }
    };
    use reqwest::Method;
    let cases = [
        // The Ruby README's `[ "email" => ... ]` is a JSON array.
        (
            Method::POST,
            "profile".to_string(),
            json!([{"email": "x@example.com", "person": [{"nickname": "X"}]}]),
        ),
        // Crisp requires `person` on creation.
        (
            Method::POST,
            "profile".to_string(),
            json!({"email": "x@example.com"}),
        ),
        (
            Method::PUT,
            format!("profile/{id}"),
            json!({"person": {"nickname": "X"}}),
        ),
        (
            Method::PATCH,
            format!("profile/{id}"),
            json!({"segments": "lead"}),
        ),
        (
            Method::POST,
            format!("events/{id}"),
            json!({"data": {"a": 1}}),
        ),
        (
            Method::POST,
            format!("events/{id}"),
            json!({"text": "x", "color": "turquoise"}),
        ),
        // Ruby/Go send the map bare; Crisp wants it under `data`.
        (
            Method::PUT,
            format!("data/{id}"),
            json!(["type", "customer"]),
        ),
        (Method::PATCH, format!("data/{id}"), json!("customer")),
        (
            Method::PATCH,
            format!("subscription/{id}"),
            json!({"email": "no"}),
        ),
        (Method::PATCH, format!("subscription/{id}"), json!({})),
    ];
    for (method, path, body) in cases {
        let (status, answer) = raw(method.clone(), path.clone(), body.clone()).await;
        assert_eq!(status, 400, "{method} {path} {body}");
        assert_eq!(answer["error"], true);
        assert_eq!(answer["reason"], "invalid_data", "{method} {path} {body}");
    }
    // Nothing changed.
    let profile = client
        .get_people_profile()
        .website_id(WEBSITE)
        .people_id(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(profile.email.as_deref(), Some(EMAIL));
    assert!(profile.segments.is_empty());
    let stats = client
        .get_people_statistics()
        .website_id(WEBSITE)
        .send()
        .await
        .unwrap();
    assert_eq!(stats.total, 1);
    let events = client
        .list_people_events()
        .website_id(WEBSITE)
        .people_id(&id)
        .page_number(1)
        .send()
        .await
        .unwrap();
    assert!(events.is_empty());
    assert!(
        client
            .get_people_subscription_status()
            .website_id(WEBSITE)
            .people_id(&id)
            .send()
            .await
            .unwrap()
            .email
    );
}

#[tokio::test]
async fn bad_search_filter_is_invalid_data() {
    let server = MockServer::start().await;
    let err = client_for(&server)
        .list_people_profiles()
        .website_id(WEBSITE)
        .page_number(1)
        .search_filter("not json")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    assert_eq!(err.status(), Some(400));
    assert_eq!(err.reason(), Some("invalid_data"));
    assert_eq!(
        last(&server).query_pairs(),
        [("search_filter".to_string(), "not json".to_string())]
    );
}

#[tokio::test]
async fn empty_people_id_is_refused_before_sending() {
    let server = MockServer::start().await;
    let err = client_for(&server)
        .get_people_profile()
        .website_id(WEBSITE)
        .people_id("")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    assert!(err.to_string().contains("people_id"), "{err}");
    assert!(server.requests().is_empty());
}
