//! Mistakes caught before sending, and Crisp's refusals, as typed errors: an id that cannot
//! be one path segment is refused before sending, naming its operation and the field, with no
//! attempt made (nothing reached the server); a profile whose email exists is a `Conflict`.

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

/// A required id is an argument (forgetting one does not compile); what its type cannot
/// rule out, an id that cannot be one path segment, is refused before sending.
#[tokio::test]
async fn an_id_that_is_not_one_segment_is_refused_before_sending() {
    let mock = MockServer::start().await;
    let client = client(&mock);
    for session in ["", ".", ".."] {
        let error = client
            .get_conversation(crisp_mock::README_WEBSITE_ID, session)
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidRequest, "{error}");
        assert_eq!(error.attempts(), 0, "{error}");
        assert_eq!(error.operation(), Some("get_conversation"));
        assert!(error.to_string().contains("session_id"), "{error}");
        assert_eq!(error.status(), None);
    }
    let error = client
        .add_new_people_profile(
            "",
            PeopleProfileCard::new("jane@example.com", PeoplePerson::new()),
        )
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidRequest, "{error}");
    assert_eq!(error.attempts(), 0);
    assert!(error.to_string().contains("website_id"), "{error}");
    assert!(mock.requests().is_empty(), "nothing reached the server");
}

#[tokio::test]
async fn a_profile_whose_email_exists_is_a_conflict() {
    let mock = MockServer::start().await;
    let client = client(&mock);
    let card = || PeopleProfileCard::new("jane@example.com", PeoplePerson::new().nickname("Jane"));
    client
        .add_new_people_profile(crisp_mock::README_WEBSITE_ID, card())
        .await
        .unwrap();
    let error = client
        .add_new_people_profile(crisp_mock::README_WEBSITE_ID, card())
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
