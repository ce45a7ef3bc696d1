//! Website, batch, availability, operator, settings, visitor and bucket operations over the
//! wire: what the client sends, what it decodes, and the state change seen by a later call.

use crisp_api::types::{
    BatchConversations, BatchPeople, BatchRemove, BucketFile, BucketNamespace, BucketResource,
    BucketUrlRequest, Visitor, WebsiteNew, WebsiteOperatorLastActive, WebsiteOperatorMember,
    WebsiteRemove, WebsiteRemoveVerify, WebsiteRemoveVerifyMethod, WebsiteSettingsChatbox,
    WebsiteSettingsEmails, WebsiteSettingsInbox, WebsiteSettingsUpdate,
};
use crisp_api::{Client, ErrorKind, Tier};
use crisp_mock::MockServer;
use crisp_wire_tests::{assert_common_headers, client_for, raw_request, WEBSITE};
use futures::TryStreamExt;
use serde_json::{json, Value};

/// A client with a `user` token, for the routes the seed marks `[user]`.
fn user_client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.url())
        .credentials(server.identifier(), server.key())
        .tier(Tier::User)
        .user_agent("crisp-wire-tests/1")
        .build()
        .expect("client")
}

/// Sends a raw JSON request past the typed builders, as a buggy client would.
async fn raw(
    server: &MockServer,
    method: reqwest::Method,
    path: &str,
    tier: &str,
    body: Value,
) -> (u16, Value) {
    raw_request(server, method, path, tier, Some(body)).await
}

fn assert_invalid_data(status: u16, body: &Value) {
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], true);
    assert_eq!(body["reason"], "invalid_data");
}

fn verify() -> WebsiteRemove {
    WebsiteRemove {
        verify: WebsiteRemoveVerify {
            method: WebsiteRemoveVerifyMethod::Password,
            secret: "my-account-password".into(),
        },
    }
}

fn operator(user_id: &str, role: &str, availability: &str) -> WebsiteOperatorMember {
    serde_json::from_value(json!({
        "type": "member",
        "details": {
            "user_id": user_id, "email": format!("{user_id}@acme-inc.com"),
            "first_name": "Jane", "last_name": "Doe", "role": role, "title": "Support",
            "availability": availability, "has_token": false
        }
    }))
    .unwrap()
}

fn visitor(n: usize) -> Visitor {
    serde_json::from_value(json!({
        "session_id": format!("session_visitor-{n:03}"),
        "nickname": format!("Visitor {n}"),
        "initiated": n.is_multiple_of(2),
        "active": n.is_multiple_of(3),
        "last_page": {"page_title": "Pricing", "page_url": "https://acme-inc.com/pricing/"},
        "geolocation": {
            "coordinates": {"latitude": 48.8566, "longitude": 2.3522},
            "city": "Paris", "region": "Ile-de-France", "country": "FR"
        },
        "timezone": -120,
        "capabilities": ["browsing"],
        "locales": ["fr", "en"]
    }))
    .unwrap()
}

// ---- website base ----

#[tokio::test]
async fn create_website_posts_name_and_domain_then_get_website_reads_it() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let created = client
        .create_website()
        .body(WebsiteNew {
            name: "Acme Inc.".into(),
            domain: "acme-inc.com".into(),
        })
        .send()
        .await
        .unwrap();
    let req = server.last_request().unwrap();
    assert_eq!(req.method, "POST");
    assert_eq!(req.path, "/v1/website");
    assert_eq!(req.query, None);
    assert_eq!(
        req.json(),
        json!({"name": "Acme Inc.", "domain": "acme-inc.com"})
    );
    assert_common_headers(&req, "plugin");
    assert_eq!(created.name, "Acme Inc.");
    assert_eq!(created.domain, "acme-inc.com");
    assert!(!created.website_id.is_empty());

    let got = client
        .get_website()
        .website_id(&created.website_id)
        .send()
        .await
        .unwrap();
    let req = server.last_request().unwrap();
    assert_eq!(req.method, "GET");
    assert_eq!(req.path, format!("/v1/website/{}", created.website_id));
    assert_eq!(req.query, None);
    assert!(req.body.is_empty());
    assert_common_headers(&req, "plugin");
    assert_eq!(got, created);
}

#[tokio::test]
async fn create_website_refuses_a_body_without_domain_or_with_a_bad_one() {
    let server = MockServer::start().await;
    let (status, body) = raw(
        &server,
        reqwest::Method::POST,
        "/website",
        "user",
        json!({"name": "Acme Inc."}),
    )
    .await;
    assert_invalid_data(status, &body);

    let err = client_for(&server)
        .create_website()
        .body(WebsiteNew {
            name: "Acme Inc.".into(),
            domain: "not a domain".into(),
        })
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    assert_eq!(err.status(), Some(400));
    assert_eq!(err.reason(), Some("invalid_data"));
    assert_eq!(err.operation(), Some("create_website"));
}

#[tokio::test]
async fn get_website_of_an_unknown_website_is_not_found() {
    let server = MockServer::start().await;
    let err = client_for(&server)
        .get_website()
        .website_id("00000000-0000-0000-0000-000000000000")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.status(), Some(404));
    assert_eq!(err.reason(), Some("not_found"));
    assert_eq!(err.operation(), Some("get_website"));
}

#[tokio::test]
async fn delete_website_sends_a_verify_body_then_the_website_is_gone() {
    let server = MockServer::start().await;
    server.with_store(|s| {
        s.website(WEBSITE)
            .site
            .seed_website(WEBSITE, "Crisp", "crisp.chat")
    });
    let client = user_client(&server);
    client
        .delete_website()
        .website_id(WEBSITE)
        .body(verify())
        .send()
        .await
        .unwrap();
    let req = server.last_request().unwrap();
    assert_eq!(req.method, "DELETE");
    assert_eq!(req.path, format!("/v1/website/{WEBSITE}"));
    assert_eq!(req.query, None);
    assert_eq!(req.header("content-type"), Some("application/json"));
    assert_eq!(
        req.json(),
        json!({"verify": {"method": "password", "secret": "my-account-password"}})
    );
    assert_common_headers(&req, "user");

    let err = client
        .get_website()
        .website_id(WEBSITE)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    // The other website routes follow.
    let err = client
        .get_website_settings()
        .website_id(WEBSITE)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    // Deleting twice: not found.
    let err = client
        .delete_website()
        .website_id(WEBSITE)
        .body(verify())
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(404));
}

#[tokio::test]
async fn delete_website_errors_unknown_id_plugin_tier_and_missing_verify() {
    let server = MockServer::start().await;
    let err = user_client(&server)
        .delete_website()
        .website_id("00000000-0000-0000-0000-000000000000")
        .body(verify())
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);

    server.with_store(|s| {
        s.website(WEBSITE)
            .site
            .seed_website(WEBSITE, "Crisp", "crisp.chat")
    });
    // [user] only: a plugin token is refused.
    let err = client_for(&server)
        .delete_website()
        .website_id(WEBSITE)
        .body(verify())
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden);
    assert_eq!(err.status(), Some(403));

    // What the Ruby wrapper would send if it could: no verify.
    let path = format!("/website/{WEBSITE}");
    let (status, body) = raw(&server, reqwest::Method::DELETE, &path, "user", json!({})).await;
    assert_invalid_data(status, &body);
    // The older string form of `verify` is not the object Crisp now expects.
    let (status, body) = raw(
        &server,
        reqwest::Method::DELETE,
        &path,
        "user",
        json!({"verify": "my-account-password"}),
    )
    .await;
    assert_invalid_data(status, &body);
    // The website survived every refused call.
    assert!(server.with_store(|s| s.website(WEBSITE).site.website.is_some()));
}

// ---- batch ----

#[tokio::test]
async fn batch_resolve_items_resolves_the_listed_conversations() {
    let server = MockServer::start().await;
    let sessions = server.with_store(|s| s.seed_conversations(WEBSITE, 3));
    let client = user_client(&server);
    client
        .batch_resolve_items()
        .website_id(WEBSITE)
        .body(
            BatchConversations::builder().sessions(vec![sessions[0].clone(), sessions[1].clone()]),
        )
        .send()
        .await
        .unwrap();
    let req = server.last_request().unwrap();
    assert_eq!(req.method, "PATCH");
    assert_eq!(req.path, format!("/v1/website/{WEBSITE}/batch/resolve"));
    assert_eq!(req.query, None);
    assert_eq!(req.json(), json!({"sessions": [sessions[0], sessions[1]]}));
    assert_common_headers(&req, "user");

    for (session, state) in sessions.iter().zip(["resolved", "resolved", "pending"]) {
        let conversation = client
            .get_conversation()
            .website_id(WEBSITE)
            .session_id(session)
            .send()
            .await
            .unwrap();
        assert_eq!(conversation.state.as_deref(), Some(state), "{session}");
    }
}

#[tokio::test]
async fn batch_resolve_items_without_sessions_resolves_all_of_the_inbox() {
    let server = MockServer::start().await;
    let sessions = server.with_store(|s| {
        let sessions = s.seed_conversations(WEBSITE, 3);
        for id in &sessions[..2] {
            s.conversation(WEBSITE, id).unwrap().conversation.inbox_id = Some("inbox-a".into());
        }
        sessions
    });
    let client = user_client(&server);
    client
        .batch_resolve_items()
        .website_id(WEBSITE)
        .body(BatchConversations::builder().inbox_id(Some("inbox-a".to_string())))
        .send()
        .await
        .unwrap();
    assert_eq!(
        server.last_request().unwrap().json(),
        json!({"inbox_id": "inbox-a"})
    );
    let states: Vec<_> = server.with_store(|s| {
        sessions
            .iter()
            .map(|id| {
                s.conversation(WEBSITE, id)
                    .unwrap()
                    .conversation
                    .state
                    .clone()
            })
            .collect()
    });
    assert_eq!(
        states,
        vec![
            Some("resolved".to_string()),
            Some("resolved".to_string()),
            Some("pending".to_string())
        ]
    );

    // An empty body: every conversation of the website.
    client
        .batch_resolve_items()
        .website_id(WEBSITE)
        .body(BatchConversations::builder())
        .send()
        .await
        .unwrap();
    assert_eq!(server.last_request().unwrap().json(), json!({}));
    let page = client
        .list_conversations()
        .website_id(WEBSITE)
        .page_number(1)
        .send()
        .await
        .unwrap();
    assert_eq!(page.len(), 3);
    assert!(page.iter().all(|c| c.state.as_deref() == Some("resolved")));
}

#[tokio::test]
async fn batch_read_items_clears_the_operators_unread_count() {
    let server = MockServer::start().await;
    let sessions = server.with_store(|s| s.seed_conversations(WEBSITE, 2));
    let client = user_client(&server);
    // A visitor writes twice in each conversation: 2 unread for the operators.
    for session in &sessions {
        for text in ["Hello?", "Anyone there?"] {
            client
                .send_message_in_conversation()
                .website_id(WEBSITE)
                .session_id(session)
                .body(
                    crisp_api::types::MessageNew::builder()
                        .type_(crisp_api::types::MessageType::Text)
                        .from(crisp_api::types::MessageFrom::User)
                        .origin("chat")
                        .content(crisp_api::types::MessageContent::String(text.into())),
                )
                .send()
                .await
                .unwrap();
        }
    }
    let unread = |server: &MockServer, id: &str| {
        server.with_store(|s| {
            s.conversation(WEBSITE, id)
                .unwrap()
                .conversation
                .unread
                .as_ref()
                .and_then(|u| u.operator)
        })
    };
    assert_eq!(unread(&server, &sessions[0]), Some(2));

    client
        .batch_read_items()
        .website_id(WEBSITE)
        .body(BatchConversations::builder().sessions(vec![sessions[0].clone()]))
        .send()
        .await
        .unwrap();
    let req = server.last_request().unwrap();
    assert_eq!(req.method, "PATCH");
    assert_eq!(req.path, format!("/v1/website/{WEBSITE}/batch/read"));
    assert_eq!(req.query, None);
    assert_eq!(req.json(), json!({"sessions": [sessions[0]]}));
    assert_common_headers(&req, "user");

    let first = client
        .get_conversation()
        .website_id(WEBSITE)
        .session_id(&sessions[0])
        .send()
        .await
        .unwrap();
    assert_eq!(first.unread.unwrap().operator, Some(0));
    assert_eq!(
        unread(&server, &sessions[1]),
        Some(2),
        "not listed: untouched"
    );
}

#[tokio::test]
async fn batch_remove_items_removes_the_listed_conversations() {
    let server = MockServer::start().await;
    let sessions = server.with_store(|s| s.seed_conversations(WEBSITE, 3));
    let client = user_client(&server);
    client
        .batch_remove_items()
        .website_id(WEBSITE)
        .body(BatchRemove::builder().sessions(vec![sessions[0].clone(), sessions[2].clone()]))
        .send()
        .await
        .unwrap();
    let req = server.last_request().unwrap();
    assert_eq!(req.method, "PATCH");
    assert_eq!(req.path, format!("/v1/website/{WEBSITE}/batch/remove"));
    assert_eq!(req.query, None);
    assert_eq!(req.json(), json!({"sessions": [sessions[0], sessions[2]]}));
    assert_common_headers(&req, "user");

    let exists = |id: String| {
        let client = client.clone();
        async move {
            client
                .check_conversation_exists()
                .website_id(WEBSITE)
                .session_id(id)
                .send()
                .await
                .unwrap()
        }
    };
    assert!(!exists(sessions[0].clone()).await);
    assert!(exists(sessions[1].clone()).await);
    assert!(!exists(sessions[2].clone()).await);
    let err = client
        .get_conversation()
        .website_id(WEBSITE)
        .session_id(&sessions[0])
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn batch_remove_items_people_variant_leaves_conversations_alone() {
    let server = MockServer::start().await;
    let sessions = server.with_store(|s| s.seed_conversations(WEBSITE, 1));
    user_client(&server)
        .batch_remove_items()
        .website_id(WEBSITE)
        .body(BatchRemove::builder().people(Some(BatchPeople {
            profiles: vec!["c5a2f70c-f605-4648-b47f-8c39d4b03a50".into()],
            search: None,
        })))
        .send()
        .await
        .unwrap();
    let req = server.last_request().unwrap();
    assert_eq!(
        req.json(),
        json!({"people": {"profiles": ["c5a2f70c-f605-4648-b47f-8c39d4b03a50"]}})
    );
    server.with_store(|s| {
        let website = s.website(WEBSITE);
        assert!(website.conversations.contains_key(&sessions[0]));
        assert_eq!(website.site.people_removals.len(), 1);
        assert_eq!(
            website.site.people_removals[0].profiles,
            vec!["c5a2f70c-f605-4648-b47f-8c39d4b03a50".to_string()]
        );
    });
}

#[tokio::test]
async fn batch_errors_unknown_session_plugin_tier_and_bare_array() {
    let server = MockServer::start().await;
    let sessions = server.with_store(|s| s.seed_conversations(WEBSITE, 1));
    let client = user_client(&server);

    // One unknown session: 404 and nothing changes.
    let err = client
        .batch_resolve_items()
        .website_id(WEBSITE)
        .body(
            BatchConversations::builder()
                .sessions(vec![sessions[0].clone(), "session_unknown".to_string()]),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.reason(), Some("not_found"));
    let err = client
        .batch_remove_items()
        .website_id(WEBSITE)
        .body(BatchRemove::builder().sessions(vec!["session_unknown".to_string()]))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(404));
    let state = server.with_store(|s| {
        s.conversation(WEBSITE, &sessions[0])
            .unwrap()
            .conversation
            .state
            .clone()
    });
    assert_eq!(state.as_deref(), Some("pending"));

    // [user] only.
    let err = client_for(&server)
        .batch_read_items()
        .website_id(WEBSITE)
        .body(BatchConversations::builder())
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden);

    // Nothing to remove.
    let err = client
        .batch_remove_items()
        .website_id(WEBSITE)
        .body(BatchRemove::builder())
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400));
    assert_eq!(err.reason(), Some("invalid_data"));

    // The Ruby README's example body: a bare array of session ids.
    let path = format!("/website/{WEBSITE}/batch/remove");
    let (status, body) = raw(
        &server,
        reqwest::Method::PATCH,
        &path,
        "user",
        json!([sessions[0]]),
    )
    .await;
    assert_invalid_data(status, &body);
    // `sessions` must be a list.
    let path = format!("/website/{WEBSITE}/batch/resolve");
    let (status, body) = raw(
        &server,
        reqwest::Method::PATCH,
        &path,
        "user",
        json!({"sessions": sessions[0]}),
    )
    .await;
    assert_invalid_data(status, &body);
    assert!(server.with_store(|s| s.conversation(WEBSITE, &sessions[0]).is_some()));
}

// ---- availability and operators ----

#[tokio::test]
async fn get_website_availability_status_follows_the_operators() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let status = client
        .get_website_availability_status()
        .website_id(WEBSITE)
        .send()
        .await
        .unwrap();
    let req = server.last_request().unwrap();
    assert_eq!(req.method, "GET");
    assert_eq!(
        req.path,
        format!("/v1/website/{WEBSITE}/availability/status")
    );
    assert_eq!(req.query, None);
    assert!(req.body.is_empty());
    assert_common_headers(&req, "plugin");
    assert_eq!(status.status, "away");

    server.with_store(|s| {
        s.website(WEBSITE)
            .site
            .seed_operators(vec![operator("op-1", "owner", "online")], 1_688_040_000_123)
    });
    let status = client
        .get_website_availability_status()
        .website_id(WEBSITE)
        .send()
        .await
        .unwrap();
    assert_eq!(status.status, "online");
    assert_eq!(status.since, Some(1_688_040_000_123));
}

#[tokio::test]
async fn list_website_operators_decodes_members_with_unknown_values() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    assert!(client
        .list_website_operators()
        .website_id(WEBSITE)
        .send()
        .await
        .unwrap()
        .is_empty());

    // A role Crisp may add later ("admin") must still decode.
    server.with_store(|s| {
        s.website(WEBSITE).site.seed_operators(
            vec![
                operator("op-1", "owner", "online"),
                operator("op-2", "admin", "invisible"),
            ],
            1_688_040_000_000,
        )
    });
    let operators = client
        .list_website_operators()
        .website_id(WEBSITE)
        .send()
        .await
        .unwrap();
    let req = server.last_request().unwrap();
    assert_eq!(req.method, "GET");
    assert_eq!(req.path, format!("/v1/website/{WEBSITE}/operators/list"));
    assert_eq!(req.query, None);
    assert_common_headers(&req, "plugin");
    assert_eq!(operators.len(), 2);
    assert_eq!(operators[0].type_.as_deref(), Some("member"));
    assert_eq!(operators[0].details.user_id, "op-1");
    assert_eq!(operators[0].details.role.as_deref(), Some("owner"));
    assert_eq!(operators[1].details.role.as_deref(), Some("admin"));
    assert_eq!(
        operators[1].details.availability.as_deref(),
        Some("invisible")
    );
    assert_eq!(operators[1].details.has_token, Some(false));
}

#[tokio::test]
async fn list_last_active_website_operators_most_recent_first() {
    let server = MockServer::start().await;
    server.with_store(|s| {
        let site = &mut s.website(WEBSITE).site;
        for (user_id, timestamp) in [("op-1", 1_688_040_000_001_i64), ("op-2", 1_688_040_000_002)] {
            site.seed_last_active(WebsiteOperatorLastActive {
                user_id: user_id.into(),
                avatar: None,
                nickname: Some(format!("Operator {user_id}")),
                timestamp: Some(timestamp),
            });
        }
    });
    let active = client_for(&server)
        .list_last_active_website_operators()
        .website_id(WEBSITE)
        .send()
        .await
        .unwrap();
    let req = server.last_request().unwrap();
    assert_eq!(req.method, "GET");
    assert_eq!(req.path, format!("/v1/website/{WEBSITE}/operators/active"));
    assert_eq!(req.query, None);
    assert_common_headers(&req, "plugin");
    let ids: Vec<_> = active.iter().map(|o| o.user_id.as_str()).collect();
    assert_eq!(ids, ["op-2", "op-1"]);
    assert_eq!(active[0].timestamp, Some(1_688_040_000_002));
    assert_eq!(active[0].nickname.as_deref(), Some("Operator op-2"));
}

// ---- settings ----

#[tokio::test]
async fn update_website_settings_sends_false_and_get_reflects_the_merge() {
    let server = MockServer::start().await;
    server.with_store(|s| {
        s.website(WEBSITE)
            .site
            .seed_website(WEBSITE, "Crisp", "crisp.chat")
    });
    let client = client_for(&server);
    let before = client
        .get_website_settings()
        .website_id(WEBSITE)
        .send()
        .await
        .unwrap();
    let req = server.last_request().unwrap();
    assert_eq!(req.method, "GET");
    assert_eq!(req.path, format!("/v1/website/{WEBSITE}/settings"));
    assert_eq!(req.query, None);
    assert_common_headers(&req, "plugin");
    assert_eq!(before.website_id.as_deref(), Some(WEBSITE));
    assert_eq!(before.name.as_deref(), Some("Crisp"));
    let chatbox = before.chatbox.clone().unwrap();
    assert_eq!(chatbox.wait_game, Some(true));
    assert_eq!(chatbox.file_transfer, Some(true));
    assert_eq!(before.emails.clone().unwrap().rating, Some(true));

    client
        .update_website_settings()
        .website_id(WEBSITE)
        .body(WebsiteSettingsUpdate {
            name: Some("Crisp IM".into()),
            inbox: Some(WebsiteSettingsInbox {
                lock_removal: Some(true),
                ..Default::default()
            }),
            emails: Some(WebsiteSettingsEmails {
                rating: Some(false),
                ..Default::default()
            }),
            chatbox: Some(WebsiteSettingsChatbox {
                wait_game: Some(false),
                hide_on_mobile: Some(false),
                color_theme: Some("blue".into()),
                blocked_countries: Some(vec!["IT".into()]),
                blocked_ips: Some(vec!["192.168.1.1/24".into()]),
                ..Default::default()
            }),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    let req = server.last_request().unwrap();
    assert_eq!(req.method, "PATCH");
    assert_eq!(req.path, format!("/v1/website/{WEBSITE}/settings"));
    assert_eq!(req.query, None);
    assert_common_headers(&req, "plugin");
    // `false` really goes out; fields left as None do not.
    assert_eq!(
        req.json(),
        json!({
            "name": "Crisp IM",
            "inbox": {"lock_removal": true},
            "emails": {"rating": false},
            "chatbox": {
                "wait_game": false, "hide_on_mobile": false, "color_theme": "blue",
                "blocked_countries": ["IT"], "blocked_ips": ["192.168.1.1/24"]
            }
        })
    );

    let after = client
        .get_website_settings()
        .website_id(WEBSITE)
        .send()
        .await
        .unwrap();
    assert_eq!(after.name.as_deref(), Some("Crisp IM"));
    assert_eq!(after.domain.as_deref(), Some("crisp.chat"), "kept");
    let chatbox = after.chatbox.clone().unwrap();
    assert_eq!(chatbox.wait_game, Some(false), "true → false");
    assert_eq!(chatbox.hide_on_mobile, Some(false));
    assert_eq!(chatbox.file_transfer, Some(true), "kept");
    assert_eq!(chatbox.color_theme.as_deref(), Some("blue"));
    assert_eq!(chatbox.blocked_countries, Some(vec!["IT".to_string()]));
    let emails = after.emails.clone().unwrap();
    assert_eq!(emails.rating, Some(false), "true → false");
    assert_eq!(emails.transcript, Some(true), "kept");
    assert_eq!(after.inbox.clone().unwrap().lock_removal, Some(true));
    // The website's name follows its settings.
    let website = client
        .get_website()
        .website_id(WEBSITE)
        .send()
        .await
        .unwrap();
    assert_eq!(website.name, "Crisp IM");

    // An empty list clears a list.
    client
        .update_website_settings()
        .website_id(WEBSITE)
        .body(WebsiteSettingsUpdate {
            chatbox: Some(WebsiteSettingsChatbox {
                blocked_countries: Some(vec![]),
                ..Default::default()
            }),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    assert_eq!(
        server.last_request().unwrap().json(),
        json!({"chatbox": {"blocked_countries": []}})
    );
    let cleared = client
        .get_website_settings()
        .website_id(WEBSITE)
        .send()
        .await
        .unwrap()
        .chatbox
        .unwrap();
    assert_eq!(cleared.blocked_countries, Some(vec![]));
    assert_eq!(
        cleared.blocked_ips,
        Some(vec!["192.168.1.1/24".to_string()])
    );
}

#[tokio::test]
async fn update_website_settings_refuses_mistyped_and_array_bodies() {
    let server = MockServer::start().await;
    let path = format!("/website/{WEBSITE}/settings");
    let (status, body) = raw(
        &server,
        reqwest::Method::PATCH,
        &path,
        "plugin",
        json!({"chatbox": {"wait_game": "no"}}),
    )
    .await;
    assert_invalid_data(status, &body);
    // The Ruby README's example body: a JSON array around the settings.
    let (status, body) = raw(
        &server,
        reqwest::Method::PATCH,
        &path,
        "plugin",
        json!([{"name": "Crisp"}]),
    )
    .await;
    assert_invalid_data(status, &body);
    let settings = client_for(&server)
        .get_website_settings()
        .website_id(WEBSITE)
        .send()
        .await
        .unwrap();
    assert_eq!(settings.chatbox.unwrap().wait_game, Some(true), "unchanged");
}

// ---- visitors ----

#[tokio::test]
async fn count_visitors_counts_the_seeded_visitors() {
    let server = MockServer::start().await;
    server.with_store(|s| {
        let site = &mut s.website(WEBSITE).site;
        site.seed_visitors((1..=7).map(visitor).collect());
        site.visitors_limited = true;
    });
    let count = client_for(&server)
        .count_visitors()
        .website_id(WEBSITE)
        .send()
        .await
        .unwrap();
    let req = server.last_request().unwrap();
    assert_eq!(req.method, "GET");
    assert_eq!(req.path, format!("/v1/website/{WEBSITE}/visitors/count"));
    assert_eq!(req.query, None);
    assert_common_headers(&req, "plugin");
    assert_eq!(count.count, 7);
    assert_eq!(count.active, 2, "visitors 3 and 6");
    assert_eq!(count.limited, Some(true));
}

#[tokio::test]
async fn list_visitors_pages_and_streams() {
    let server = MockServer::start().await;
    server.with_store(|s| {
        s.website(WEBSITE)
            .site
            .seed_visitors((1..=25).map(visitor).collect())
    });
    let client = client_for(&server);
    let page = client
        .list_visitors()
        .website_id(WEBSITE)
        .page_number(2)
        .send()
        .await
        .unwrap();
    let req = server.last_request().unwrap();
    assert_eq!(req.method, "GET");
    assert_eq!(req.path, format!("/v1/website/{WEBSITE}/visitors/list/2"));
    assert_eq!(req.query, None);
    assert_common_headers(&req, "plugin");
    assert_eq!(page.len(), 5);
    assert_eq!(page[0].session_id, "session_visitor-021");
    let first = &page[0];
    assert_eq!(first.timezone, Some(-120));
    let geo = first.geolocation.clone().unwrap();
    assert_eq!(geo.country.as_deref(), Some("FR"));
    assert_eq!(geo.coordinates.unwrap().latitude, Some(48.8566));
    assert_eq!(
        first.last_page.clone().unwrap().page_url.as_deref(),
        Some("https://acme-inc.com/pricing/")
    );
    assert_eq!(first.locales, vec!["fr".to_string(), "en".to_string()]);

    server.clear_requests();
    let all: Vec<Visitor> = client
        .list_visitors()
        .website_id(WEBSITE)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 25);
    let paths: Vec<_> = server.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(
        paths,
        (1..=3)
            .map(|p| format!("/v1/website/{WEBSITE}/visitors/list/{p}"))
            .collect::<Vec<_>>(),
        "stops at the first empty page"
    );
}

#[tokio::test]
async fn get_session_id_by_token_resolves_a_bound_token() {
    let server = MockServer::start().await;
    // A token with characters that must stay inside one path segment.
    let token = "tok en/1?x#y";
    server.with_store(|s| {
        s.website(WEBSITE)
            .site
            .seed_token(token, "session_700c65e1-85e2-465a-b9ac-ecb5ec2c9881")
    });
    let client = client_for(&server);
    let session = client
        .get_session_id_by_token()
        .website_id(WEBSITE)
        .token_id(token)
        .send()
        .await
        .unwrap();
    let req = server.last_request().unwrap();
    assert_eq!(req.method, "GET");
    assert_eq!(
        req.path,
        format!("/v1/website/{WEBSITE}/visitors/token/tok%20en%2F1%3Fx%23y")
    );
    assert_eq!(req.query, None);
    assert_common_headers(&req, "plugin");
    assert_eq!(
        session.session_id,
        "session_700c65e1-85e2-465a-b9ac-ecb5ec2c9881"
    );

    let err = client
        .get_session_id_by_token()
        .website_id(WEBSITE)
        .token_id("unbound")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.reason(), Some("not_found"));
    assert_eq!(err.operation(), Some("get_session_id_by_token"));
}

// ---- bucket ----

#[tokio::test]
async fn generate_bucket_url_posts_the_request_and_gets_no_url() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let answer: () = client
        .generate_bucket_url()
        .body(BucketUrlRequest {
            namespace: BucketNamespace::Upload,
            id: "2f4ff8f3-5a1e-4d4b-9b8a-1f5e8e3f1d2c".into(),
            file: BucketFile {
                name: "invoice.pdf".into(),
                type_: "application/pdf".into(),
            },
            resource: Some(BucketResource {
                type_: "website".into(),
                id: WEBSITE.into(),
            }),
        })
        .send()
        .await
        .unwrap();
    let req = server.last_request().unwrap();
    assert_eq!(req.method, "POST");
    assert_eq!(req.path, "/v1/bucket/url/generate");
    assert_eq!(req.query, None);
    assert_common_headers(&req, "plugin");
    assert_eq!(
        req.json(),
        json!({
            "namespace": "upload",
            "id": "2f4ff8f3-5a1e-4d4b-9b8a-1f5e8e3f1d2c",
            "file": {"name": "invoice.pdf", "type": "application/pdf"},
            "resource": {"type": "website", "id": WEBSITE}
        })
    );
    assert_eq!(answer, ());

    // Without `resource` (optional), the field is absent.
    client
        .generate_bucket_url()
        .body(BucketUrlRequest {
            namespace: BucketNamespace::Avatar,
            id: "a1".into(),
            file: BucketFile {
                name: "me.png".into(),
                type_: "image/png".into(),
            },
            resource: None,
        })
        .send()
        .await
        .unwrap();
    assert_eq!(
        server.last_request().unwrap().json(),
        json!({"namespace": "avatar", "id": "a1", "file": {"name": "me.png", "type": "image/png"}})
    );
}

#[tokio::test]
async fn generate_bucket_url_refuses_bad_bodies() {
    let server = MockServer::start().await;
    // The pre-2023 shape (`from`, `identifier`, no `file`), an unknown namespace.
    for bad in [
        json!({"namespace": "upload", "from": "website", "identifier": WEBSITE, "id": "a1"}),
        json!({"namespace": "crawler", "id": "a1", "file": {"name": "a.png", "type": "image/png"}}),
    ] {
        let (status, body) = raw(
            &server,
            reqwest::Method::POST,
            "/bucket/url/generate",
            "plugin",
            bad,
        )
        .await;
        assert_invalid_data(status, &body);
    }
    let err = client_for(&server)
        .generate_bucket_url()
        .body(BucketUrlRequest {
            namespace: BucketNamespace::Upload,
            id: "a1".into(),
            file: BucketFile {
                name: "a.bin".into(),
                type_: "binary".into(),
            },
            resource: None,
        })
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    assert_eq!(err.reason(), Some("invalid_data"));
}

#[tokio::test]
async fn operator_token_secrets_decode_but_never_show_in_debug() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let mut with_token = operator("op-3", "member", "online");
    with_token.details.has_token = Some(true);
    with_token.details.identifier = Some("op-token-identifier".into());
    with_token.details.key = Some("op-token-key-9f8e7d".into());
    server.with_store(|s| {
        s.website(WEBSITE)
            .site
            .seed_operators(vec![with_token], 1_688_040_000_000)
    });
    let operators = client
        .list_website_operators()
        .website_id(WEBSITE)
        .send()
        .await
        .unwrap();
    let details = &operators[0].details;
    assert_eq!(
        details.key.as_ref().unwrap().expose(),
        "op-token-key-9f8e7d"
    );
    assert_eq!(
        details.identifier.as_ref().unwrap().expose(),
        "op-token-identifier"
    );
    let shown = format!("{operators:?}");
    assert!(!shown.contains("op-token-key-9f8e7d"), "{shown}");
    assert!(!shown.contains("op-token-identifier"), "{shown}");
}
