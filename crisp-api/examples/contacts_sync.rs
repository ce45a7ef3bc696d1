//! Contacts sync: push the contacts of another system into Crisp's people profiles. Each
//! contact is created; when its email exists already (a `Conflict`), the profile is found by
//! email and updated instead; then an event is added and custom data saved. An invalid contact (a malformed email) is refused by Crisp as
//! `InvalidRequest`: reported and skipped, the sync goes on.
//!
//! ```text
//! cargo run -p crisp-api --example contacts_sync   # the embedded mock without CRISP_* credentials
//! ```

mod common;

use crisp_api::types::{
    PeopleData, PeopleEventColor, PeopleEventNew, PeoplePerson, PeopleProfileCard,
    PeopleProfileUpdate,
};
use crisp_api::{serde_json::json, Client, ErrorKind};

/// A contact of the other system.
struct Contact {
    email: &'static str,
    name: &'static str,
    plan: &'static str,
}

const CONTACTS: &[Contact] = &[
    Contact {
        email: "jane@example.com",
        name: "Jane Doe",
        plan: "pro",
    },
    Contact {
        email: "john@example.com",
        name: "John Roe",
        plan: "free",
    },
    Contact {
        email: "not-an-email",
        name: "Broken Row",
        plan: "free",
    },
];

#[tokio::main]
async fn main() -> Result<(), common::Failure> {
    // In the mock, Jane exists already (with her old name); John does not.
    let common::Playground {
        client,
        website_id,
        mock: _mock,
    } = common::playground(|store, w| {
        store
            .seed_person(w, "jane@example.com", "Jane")
            .expect("a new profile");
    })
    .await?;
    let (mut synced, mut skipped) = (0, 0);
    for contact in CONTACTS {
        match sync(&client, &website_id, contact).await {
            Ok(people_id) => {
                synced += 1;
                println!("{}: synced as {people_id}", contact.email);
            }
            Err(e) if e.kind() == ErrorKind::InvalidRequest => {
                skipped += 1;
                println!("{}: skipped, Crisp refused it: {e}", contact.email);
            }
            Err(e) => return Err(e.into()),
        }
    }
    println!("{synced} synced, {skipped} skipped");
    if (synced, skipped) != (2, 1) && _mock.is_some() {
        return Err("the mock should sync two contacts and refuse one".into());
    }
    Ok(())
}

/// Creates the contact, or updates it when its email exists (a `Conflict`: found by email),
/// then records the sync on it; its people_id.
async fn sync(
    client: &Client,
    website: &str,
    contact: &Contact,
) -> Result<String, crisp_api::Error> {
    let person = || PeoplePerson::new().nickname(contact.name);
    let card = PeopleProfileCard::new(contact.email, person()).segments(["synced"]);
    let people_id = match client.add_new_people_profile(website, card).await {
        Ok(created) => created.people_id,
        Err(e) if e.kind() == ErrorKind::Conflict => {
            let existing = client
                .find_people_profile_by_email(website, contact.email)
                .await?;
            client
                .update_people_profile(
                    website,
                    &existing.people_id,
                    PeopleProfileUpdate::new()
                        .person(person())
                        .segments(["synced"]),
                )
                .await?;
            println!("{}: existed, updated", contact.email);
            existing.people_id
        }
        Err(e) => return Err(e),
    };
    client
        .add_people_event(
            website,
            &people_id,
            PeopleEventNew::new("Synced from the CRM").color(PeopleEventColor::Blue),
        )
        .await?;
    client
        .save_people_data(
            website,
            &people_id,
            PeopleData::new().data(json!({"plan": contact.plan})),
        )
        .await?;
    Ok(people_id)
}
