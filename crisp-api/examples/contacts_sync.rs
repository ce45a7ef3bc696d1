//! Contacts sync: push the contacts of another system into Crisp's people profiles. Each
//! contact is created; when its email exists already (a `Conflict`), the profile is found by
//! email and updated instead; then an event is added and custom data saved. An invalid
//! contact (a malformed email) is refused by Crisp as `InvalidRequest`: reported and skipped,
//! the sync goes on.
//!
//! ```text
//! cargo run -p crisp-api --example contacts_sync   # the embedded mock without CRISP_* credentials
//! ```

mod common;

use crisp_api::prelude::*;
use crisp_api::serde_json::json;
use crisp_api::types::{PeopleData, PeopleEventColor, PeopleEventNew, PeoplePerson};

// setup:start (the contacts of the other system: email, name, plan)
const CONTACTS: &[(&str, &str, &str)] = &[
    ("jane@example.com", "Jane Doe", "pro"),
    ("john@example.com", "John Roe", "free"),
    ("not-an-email", "Broken Row", "free"),
];
// setup:end

#[tokio::main]
async fn main() -> Result<(), common::Failure> {
    // setup:start (the client; in the mock, Jane exists already with her old name)
    let common::Playground {
        client,
        website_id,
        mock,
    } = common::playground(|store, w| {
        store
            .seed_person(w, "jane@example.com", "Jane")
            .expect("a new profile");
    })
    .await?;
    // setup:end
    let (mut synced, mut skipped) = (0, 0);
    for &(email, name, plan) in CONTACTS {
        match sync(&client, &website_id, email, name, plan).await {
            Ok(people_id) => {
                synced += 1;
                println!("{email}: synced as {people_id}");
            }
            Err(e) if e.kind() == ErrorKind::InvalidRequest => {
                skipped += 1;
                println!("{email}: skipped, Crisp refused it: {e}");
            }
            Err(e) => return Err(e.into()),
        }
    }
    println!("{synced} synced, {skipped} skipped");
    // setup:start (what the mock's run must give)
    if (synced, skipped) != (2, 1) && mock.is_some() {
        return Err("the mock should sync two contacts and refuse one".into());
    }
    // setup:end
    Ok(())
}

/// Creates the contact, or updates it when its email exists (a `Conflict`), then records the
/// sync on it; its people_id.
async fn sync(
    client: &Client,
    website: &str,
    email: &str,
    name: &str,
    plan: &str,
) -> Result<String, Error> {
    let person = PeoplePerson::new().nickname(name);
    let card = PeopleProfileCard::new(email, person.clone()).segments(["synced"]);
    let people_id = match client.add_new_people_profile(website, card).await {
        Ok(created) => created.people_id,
        Err(e) if e.kind() == ErrorKind::Conflict => {
            let existing = client.find_people_profile_by_email(website, email).await?;
            let update = PeopleProfileUpdate::new()
                .person(person)
                .segments(["synced"]);
            client
                .update_people_profile(website, &existing.people_id, update)
                .await?;
            println!("{email}: existed, updated");
            existing.people_id
        }
        Err(e) => return Err(e),
    };
    let event = PeopleEventNew::new("Synced from the CRM").color(PeopleEventColor::Blue);
    client.add_people_event(website, &people_id, event).await?;
    let data = PeopleData::new().data(json!({ "plan": plan }));
    client.save_people_data(website, &people_id, data).await?;
    Ok(people_id)
}
