//! Mistakes caught before sending, and Crisp's refusals, as typed errors: a request refused
//! before sending names its operation and the field and made no attempt (nothing reached the
//! server); a profile whose email exists is a `Conflict`.

use crisp_api::types::{PeoplePerson, PeopleProfileCard};
use crisp_api::{Client, ErrorKind, Tier};
use crisp_mock::MockServer;

fn client(mock: &MockServer) -> Client {
    Client::builder()
        .base_url(mock.url())
        .credentials(mock.identifier(), mock.key())
        .tier(Tier::Plugin)
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_missing_or_empty_id_is_refused_before_sending() {
    let mock = MockServer::start().await;
    let client = client(&mock);
    let missing = client
        .get_conversation()
        .website_id(crisp_mock::README_WEBSITE_ID)
        .send()
        .await
        .unwrap_err();
    let empty = client
        .get_conversation()
        .website_id(crisp_mock::README_WEBSITE_ID)
        .session_id("")
        .send()
        .await
        .unwrap_err();
    for (error, field) in [(missing, "session_id"), (empty, "session_id")] {
        assert_eq!(error.kind(), ErrorKind::InvalidRequest, "{error}");
        assert_eq!(error.attempts(), 0, "{error}");
        assert_eq!(error.operation(), Some("get_conversation"));
        assert!(error.to_string().contains(field), "{error}");
        assert_eq!(error.status(), None);
    }
    // A body left unset is refused the same way.
    let error = client
        .add_new_people_profile()
        .website_id(crisp_mock::README_WEBSITE_ID)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidRequest, "{error}");
    assert_eq!(error.attempts(), 0);
    assert!(error.to_string().contains("body"), "{error}");
    assert!(mock.requests().is_empty(), "nothing reached the server");
}

#[tokio::test]
async fn a_profile_whose_email_exists_is_a_conflict() {
    let mock = MockServer::start().await;
    let client = client(&mock);
    let card = || PeopleProfileCard::new("jane@example.com", PeoplePerson::new().nickname("Jane"));
    client
        .add_new_people_profile()
        .website_id(crisp_mock::README_WEBSITE_ID)
        .body(card())
        .send()
        .await
        .unwrap();
    let error = client
        .add_new_people_profile()
        .website_id(crisp_mock::README_WEBSITE_ID)
        .body(card())
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Conflict, "{error}");
    assert_eq!(error.status(), Some(409));
    assert_eq!(error.reason(), Some("people_exists"));
    assert_eq!(
        error.attempts(),
        1,
        "a POST refused by Crisp is not retried"
    );
}
