//! Every message type goes over the wire typed, both ways: sent through the SDK, stored by the
//! mock, read back into the same `MessageContent`; a type nobody typed yet comes back as
//! `MessageContent::Other` with its JSON, and does not fail the page of messages it is in.

use crisp_api::types::{
    MessageAnimation, MessageAudio, MessageCarousel, MessageCarouselTarget,
    MessageCarouselTargetAction, MessageContent, MessageEvent, MessageField, MessageFile,
    MessageFrom, MessageNew, MessagePicker, MessagePickerChoice,
};
use crisp_api::Tier;
use crisp_mock::MockServer;
use serde_json::json;

const WEBSITE: &str = crisp_mock::README_WEBSITE_ID;

fn every_type() -> Vec<MessageContent> {
    vec![
        MessageContent::text("Hello!"),
        MessageContent::note("A note for the team."),
        MessageFile::new()
            .name("invoice.pdf")
            .url("https://example.com/invoice.pdf")
            .type_("application/pdf")
            .into(),
        MessageAnimation::new()
            .url("https://example.com/wave.gif")
            .type_("image/gif")
            .into(),
        MessageAudio::new()
            .url("https://example.com/note.webm")
            .type_("audio/webm")
            .duration(12)
            .into(),
        MessagePicker::new()
            .id("rating")
            .text("How did we do?")
            .choices([
                MessagePickerChoice::new().value("good").label("Good"),
                MessagePickerChoice::new().value("bad").label("Bad"),
            ])
            .into(),
        MessageField::new()
            .id("email")
            .text("Your email?")
            .explain("jane@example.com")
            .into(),
        MessageCarousel::new()
            .text("Our plans")
            .targets([MessageCarouselTarget::new()
                .title("Pro")
                .description("For teams")
                .actions([MessageCarouselTargetAction::new()
                    .label("Buy")
                    .url("https://example.com/pro")])])
            .into(),
        MessageEvent::new()
            .namespace("state:resolved")
            .text("Resolved")
            .into(),
    ]
}

#[tokio::test]
async fn every_message_type_is_sent_and_read_back_typed() {
    let mock = MockServer::start().await;
    let client = crisp_wire_tests::mock_client(&mock, Tier::Plugin);
    let session = client
        .create_new_conversation(WEBSITE)
        .await
        .unwrap()
        .session_id;
    let sent = every_type();
    for content in &sent {
        let kind = content.kind().to_string();
        client
            .send_message_in_conversation(
                WEBSITE,
                &session,
                MessageNew::new(MessageFrom::Operator, "chat", content.clone()),
            )
            .await
            .unwrap_or_else(|e| panic!("{kind}: {e}"));
        // On the wire: the kind in `type`, the content beside it.
        let body = mock.last_request().unwrap().json();
        assert_eq!(body["type"], kind);
        assert!(!body["content"].is_null(), "{kind}: {body}");
    }
    // A type the spec does not know, stored as Crisp might send it.
    mock.with_store(|store| {
        store.change_conversation(WEBSITE, &session, |record, now| {
            let message = json!({"type": "hologram", "from": "user", "origin": "chat", "content": {"beam": 1}});
            (record.push_message(WEBSITE, &session, &message, now), Vec::new())
        })
    });
    let messages = client
        .get_messages_in_conversation(WEBSITE, &session)
        .await
        .expect("a page with an unknown message type still decodes");
    let read: Vec<&MessageContent> = messages.iter().map(|m| &m.content).collect();
    assert_eq!(read.len(), sent.len() + 1);
    for (got, want) in read.iter().zip(&sent) {
        assert_eq!(*got, want, "{} read back", want.kind());
    }
    let MessageContent::Other { kind, content } = read[sent.len()] else {
        panic!("the unknown type: {:?}", read[sent.len()])
    };
    assert_eq!(kind, "hologram");
    assert_eq!(content["beam"], 1);
}
