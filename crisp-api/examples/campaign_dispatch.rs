//! A campaign from start to finish: write an email template, make a one-shot campaign of it
//! for one test recipient, preview who gets it, send a test, dispatch it, then read its state
//! and who opened it.
//!
//! With `CRISP_IDENTIFIER`, `CRISP_KEY` and `CRISP_WEBSITE_ID` set (a `user` token: campaigns
//! are not open to plugin tokens), it runs against the real Crisp API, and then it also needs
//! `CRISP_TEST_RECIPIENT`: the email of the one person the campaign is dispatched to (a real
//! email is sent to it). Without credentials it starts the embedded mock Crisp server on a
//! loopback port and runs the same flow against it.
//!
//! ```text
//! cargo run -p crisp-api --example campaign_dispatch
//! ```

mod common;

use crisp_api::types::{
    CampaignCreate, CampaignFlow, CampaignFormat, CampaignOptions, CampaignRecipients,
    CampaignRecipientsType, CampaignSave, CampaignSender, CampaignStatisticsAction,
    CampaignTemplateCreate, CampaignTemplateSave, CampaignType, PeoplePerson, PeopleProfileCard,
};
use crisp_api::ErrorKind;

/// The template's HTML: Crisp puts the campaign's message in `{{message}}`, and an email
/// campaign must let its recipients unsubscribe.
const TEMPLATE: &str = "<html><body><p>{{message}}</p>\
    <p><a href=\"{{url.unsubscribe}}\">Unsubscribe</a></p></body></html>";

#[tokio::main]
async fn main() -> Result<(), common::Failure> {
    // Keep the mock alive for the whole run when there are no credentials.
    let common::Playground {
        client,
        website_id,
        mock,
    } = common::playground(|_, _| {}).await?;
    // A real email goes out: against the real API, the one recipient is named explicitly.
    let recipient = match &mock {
        Some(_) => "test-recipient@example.com".to_string(),
        None => std::env::var("CRISP_TEST_RECIPIENT").map_err(|_| {
            "CRISP_TEST_RECIPIENT must be set to run against the real API: the email of \
             the one person the campaign is dispatched to"
        })?,
    };

    // 1. A template: created empty, then its content written.
    let template_id = client
        .create_new_campaign_template(
            &website_id,
            CampaignTemplateCreate::new(CampaignFormat::Html, "crisp-api example template"),
        )
        .await?
        .template_id;
    client
        .save_campaign_template(
            &website_id,
            &template_id,
            CampaignTemplateSave::new("crisp-api example template", CampaignFormat::Html, TEMPLATE),
        )
        .await?;
    let template = client
        .get_campaign_template(&website_id, &template_id)
        .await?;
    println!(
        "1. wrote template {template_id} ({}, {} bytes)",
        template.format.as_ref().map_or("?", CampaignFormat::as_str),
        template.content.as_deref().map_or(0, str::len)
    );

    // 2. The sender: the website's first operator.
    let operators = client.list_website_operators(&website_id).await?;
    let sender = operators
        .iter()
        .find_map(|o| o.details.as_ref()?.user_id.clone())
        .ok_or("the website has no operator to send the campaign as")?;
    println!("2. the campaign is sent as operator {sender}");

    // 3. The test recipient's people profile: found by email, or created.
    let people_id = match client.get_people_profile(&website_id, &recipient).await {
        Ok(profile) => profile.people_id,
        Err(e) if e.kind() == ErrorKind::NotFound => {
            client
                .add_new_people_profile(
                    &website_id,
                    PeopleProfileCard::new(
                        recipient.clone(),
                        PeoplePerson::new().nickname("Test Recipient"),
                    ),
                )
                .await?
                .people_id
        }
        Err(e) => return Err(e.into()),
    };
    println!("3. the test recipient {recipient} is people profile {people_id}");

    // 4. The campaign: created, then configured with the template's content, for that one
    //    person only.
    let campaign_id = client
        .create_new_campaign(
            &website_id,
            CampaignCreate::new(CampaignType::OneShot, "crisp-api example campaign"),
        )
        .await?
        .campaign_id;
    let format = template.format.clone().unwrap_or(CampaignFormat::Html);
    let message = template.content.clone().unwrap_or_else(|| TEMPLATE.into());
    client
        .save_campaign(
            &website_id,
            &campaign_id,
            CampaignSave::new(
                CampaignType::OneShot,
                format,
                "crisp-api example campaign",
                "Hello from crisp-api (Rust)",
                CampaignSender::new().user_id(sender),
                CampaignRecipients::new()
                    .type_(CampaignRecipientsType::People)
                    .people(vec![people_id.clone()]),
                // One-shot campaigns have no flow, but Crisp's reference requires the field.
                CampaignFlow::new(),
                message,
            )
            .options(
                CampaignOptions::new()
                    .deliver_to_email(true)
                    .deliver_to_chatbox(false)
                    .tracking(true),
            ),
        )
        .await?;
    println!("4. configured campaign {campaign_id}");

    // 5. Who it goes to, before dispatching.
    let recipients = client
        .list_campaign_recipients(&website_id, &campaign_id, 1)
        .await?;
    println!("5. {} recipient(s) on page 1:", recipients.len());
    for r in &recipients {
        println!(
            "   {} <{}>",
            r.people_id,
            r.email.as_deref().unwrap_or("no email")
        );
    }

    // 6. A test send (to the operator making the request), then the dispatch.
    client.test_campaign(&website_id, &campaign_id).await?;
    println!("6. sent a test of the campaign");
    client.dispatch_campaign(&website_id, &campaign_id).await?;
    println!("7. dispatched the campaign");

    // 7. Its state and counters, then who opened it so far.
    let campaign = client.get_campaign(&website_id, &campaign_id).await?;
    let totals = campaign.statistics.unwrap_or_default();
    println!(
        "8. campaign {}: dispatched {}, {}% sent, {} reached; opened {}, clicked {}, unsubscribed {}",
        campaign.campaign_id,
        campaign.dispatched.unwrap_or(false),
        campaign.progress.unwrap_or(0),
        campaign.reached.unwrap_or(0),
        totals.opened.unwrap_or(0),
        totals.clicked.unwrap_or(0),
        totals.unsubscribed.unwrap_or(0)
    );
    let opened = client
        .list_campaign_statistics(
            &website_id,
            &campaign_id,
            CampaignStatisticsAction::Opened,
            1,
        )
        .await?;
    println!("9. {} open(s) on page 1:", opened.len());
    for s in &opened {
        let who = s
            .profile
            .as_ref()
            .and_then(|p| p.email.as_deref())
            .unwrap_or("someone");
        println!("   {who} at {}", s.created_at.unwrap_or(0));
    }
    println!("Done.");
    Ok(())
}
