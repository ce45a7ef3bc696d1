//! Websites across calls: the README's website exists from the start, a created one is read
//! back, a deleted one answers 404 to everything; the operations without state (settings,
//! operators, visitors, …) answer the spec's examples.

use crisp_api::types::{WebsiteNew, WebsiteRemove, WebsiteRemoveVerify, WebsiteRemoveVerifyMethod};
use crisp_api::{Client, ErrorKind, Tier};
use crisp_mock::MockServer;
use crisp_wire_tests::{client_for, raw_request, spec_operations, WEBSITE};

/// `delete_website` is for the user tier only (`x-crisp-tiers: [user]`).
fn user_client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.url())
        .credentials(server.identifier(), server.key())
        .tier(Tier::User)
        .build()
        .unwrap()
}

fn verify() -> WebsiteRemove {
    WebsiteRemove::new(WebsiteRemoveVerify::new(
        WebsiteRemoveVerifyMethod::Password,
        "my-password",
    ))
}

#[tokio::test]
async fn the_readme_website_exists_from_the_start() {
    let server = MockServer::start().await;
    let website = client_for(&server).get_website(WEBSITE).await.unwrap();
    assert_eq!(website.website_id, WEBSITE);
    assert_eq!(crisp_mock::README_WEBSITE_ID, WEBSITE);

    let err = client_for(&server)
        .get_website("00000000-0000-0000-0000-000000000000")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.message(), Some("website not found"));
}

#[tokio::test]
async fn a_created_website_is_read_back_then_deleted() {
    let server = MockServer::start().await;
    let client = user_client(&server);
    let created = client
        .create_website(WebsiteNew::new("Acme Inc.", "acme-inc.com"))
        .await
        .unwrap();
    assert_ne!(created.website_id, WEBSITE);
    let read = client.get_website(&created.website_id).await.unwrap();
    assert_eq!(read, created);
    assert_eq!(read.name.as_deref(), Some("Acme Inc."));

    // Its conversations live until the website goes.
    let session = client
        .create_new_conversation(&created.website_id)
        .await
        .unwrap()
        .session_id;
    // The plugin tier may not delete a website: the spec says so, the mock refuses it.
    let err = client_for(&server)
        .delete_website(&created.website_id, verify())
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(403));
    assert_eq!(err.reason(), Some("not_allowed"));
    client
        .delete_website(&created.website_id, verify())
        .await
        .unwrap();

    let err = client.get_website(&created.website_id).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    let err = client
        .get_conversation(&created.website_id, &session)
        .await
        .unwrap_err();
    assert_eq!(err.message(), Some("website not found"));
    let err = client
        .delete_website(&created.website_id, verify())
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(404));
    // The README's website is untouched.
    client.get_website(WEBSITE).await.unwrap();
}

/// After `delete_website`, every operation on that website answers 404 (stateful or not),
/// sent as the spec's own example request.
#[tokio::test]
async fn a_deleted_website_answers_404_to_every_operation() {
    let server = MockServer::start().await;
    let website = "5a1e0000-0000-4000-8000-00000000dead";
    server.with_store(|s| s.seed_website(website, "Gone", "gone.example.com"));
    assert!(server.with_store(|s| s.delete_website(website)));
    let mut refused = 0;
    for op in spec_operations() {
        if !op.template.starts_with("/website/{website_id}") {
            continue;
        }
        let path = op.path(&[("website_id", website)]);
        let (status, answer) = raw_request(
            &server,
            op.method.clone(),
            &path,
            op.tier(),
            op.body.clone(),
        )
        .await;
        let operation = server.last_request().unwrap().operation;
        assert_eq!(operation.as_deref(), Some(op.id.as_str()));
        assert_eq!(status, 404, "{}: {answer}", op.id);
        if op.method != reqwest::Method::HEAD {
            assert_eq!(answer["data"]["message"], "website not found", "{}", op.id);
        }
        refused += 1;
    }
    assert!(refused >= 50, "{refused} operations refused");
    // The examples mode keeps no state, so nothing is ever deleted there.
}

#[tokio::test]
async fn operations_without_state_answer_the_spec_example() {
    let server = MockServer::start().await;
    for op in spec_operations() {
        let stateless = [
            "/settings",
            "/operators/list",
            "/visitors/count",
            "/batch/read",
        ]
        .iter()
        .any(|part| op.template.contains(part));
        if !stateless {
            continue;
        }
        let path = op.path(&[]);
        let (status, answer) = raw_request(
            &server,
            op.method.clone(),
            &path,
            op.tier(),
            op.body.clone(),
        )
        .await;
        assert_eq!(status, 200, "{} {answer}", op.id);
        assert_eq!(Some(&answer), op.answer.as_ref(), "{}", op.id);
    }
    let settings = client_for(&server)
        .get_website_settings(WEBSITE)
        .await
        .unwrap();
    assert!(settings.website_id.is_some());
}
