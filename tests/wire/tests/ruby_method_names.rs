//! Every method of the Ruby wrapper's README exists on `Client` under the same name (58/58):
//! this file fails to compile if one is missing, renamed, or takes other arguments than the
//! seed's prototypes (required ids, then the body).

use crisp_api::types;
use std::collections::BTreeSet;

macro_rules! ruby_method_names {
    ($($name:ident($($argument:expr),*))*) => {
        const SEED: &[&str] = &[$(stringify!($name)),*];
        fn build_every_call(client: &crisp_api::Client) -> usize {
            let mut built = 0;
            $( let _call = client.$name($($argument),*); built += 1; )*
            built
        }
    };
}

// The seed's method names, in the seed's order, each with its arguments as the seed's
// prototypes take them (the ids in the order of the route, then the body): the spec's examples.
ruby_method_names! {
    list_conversations("8c842203-7ed8-4e29-a608-7cf78a7d2fcc", 1)
    send_message_in_conversation("8c842203-7ed8-4e29-a608-7cf78a7d2fcc", "session_700c65e1-85e2-465a-b9ac-ecb5ec2c9881", types::MessageNew::new(types::MessageFrom::Operator, types::MessageOrigin::Chat, types::MessageContent::text("Hey there! Need help?")))
    search_conversations("8c842203-7ed8-4e29-a608-7cf78a7d2fcc", 1)
    create_new_conversation("8c842203-7ed8-4e29-a608-7cf78a7d2fcc")
    check_conversation_exists("8c842203-7ed8-4e29-a608-7cf78a7d2fcc", "session_700c65e1-85e2-465a-b9ac-ecb5ec2c9881")
    get_conversation("8c842203-7ed8-4e29-a608-7cf78a7d2fcc", "session_700c65e1-85e2-465a-b9ac-ecb5ec2c9881")
    remove_conversation("8c842203-7ed8-4e29-a608-7cf78a7d2fcc", "session_700c65e1-85e2-465a-b9ac-ecb5ec2c9881")
    initiate_conversation_with_existing_session("8c842203-7ed8-4e29-a608-7cf78a7d2fcc", "session_700c65e1-85e2-465a-b9ac-ecb5ec2c9881")
    get_messages_in_conversation("8c842203-7ed8-4e29-a608-7cf78a7d2fcc", "session_700c65e1-85e2-465a-b9ac-ecb5ec2c9881")
    update_message_in_conversation("8c842203-7ed8-4e29-a608-7cf78a7d2fcc", "session_700c65e1-85e2-465a-b9ac-ecb5ec2c9881", 524653764345, types::MessageUpdate::new("Hey there! Need help? (edited)"))
    compose_message_in_conversation("8c842203-7ed8-4e29-a608-7cf78a7d2fcc", "session_700c65e1-85e2-465a-b9ac-ecb5ec2c9881", types::MessageCompose::new(types::ComposeType::Start, types::MessageFrom::Operator).excerpt("Let me check"))
    mark_messages_read_in_conversation("8c842203-7ed8-4e29-a608-7cf78a7d2fcc", "session_700c65e1-85e2-465a-b9ac-ecb5ec2c9881", types::MessagesReadMark::new(types::MessageFrom::Operator, "urn:crisp.im:slack:0").fingerprints([524653764345]))
    mark_messages_delivered_in_conversation("8c842203-7ed8-4e29-a608-7cf78a7d2fcc", "session_700c65e1-85e2-465a-b9ac-ecb5ec2c9881", types::MessagesDeliveredMark::new(types::DeliveredFrom::Operator, "urn:crisp.im:slack:0", [524653764345]))
    get_conversation_routing_assign("8c842203-7ed8-4e29-a608-7cf78a7d2fcc", "session_700c65e1-85e2-465a-b9ac-ecb5ec2c9881")
    assign_conversation_routing("8c842203-7ed8-4e29-a608-7cf78a7d2fcc", "session_700c65e1-85e2-465a-b9ac-ecb5ec2c9881", types::ConversationRoutingAssignUpdate::new().assigned(types::RoutingAssignee::new("a4c32c68-be91-4e29-8a05-976e93abbe3f")))
    get_conversation_metas("8c842203-7ed8-4e29-a608-7cf78a7d2fcc", "session_700c65e1-85e2-465a-b9ac-ecb5ec2c9881")
    update_conversation_metas("8c842203-7ed8-4e29-a608-7cf78a7d2fcc", "session_700c65e1-85e2-465a-b9ac-ecb5ec2c9881", types::ConversationMetaUpdate::new().data(crisp_api::serde_json::json!({"signup":"finished","type":"customer"})).email("john.doe@acme-inc.com").nickname("John Doe").segments(["happy", "customer", "love"]))
    list_conversation_pages("8c842203-7ed8-4e29-a608-7cf78a7d2fcc", "session_700c65e1-85e2-465a-b9ac-ecb5ec2c9881", 1)
    list_conversation_events("8c842203-7ed8-4e29-a608-7cf78a7d2fcc", "session_700c65e1-85e2-465a-b9ac-ecb5ec2c9881", 1)
    list_conversation_files("8c842203-7ed8-4e29-a608-7cf78a7d2fcc", "session_700c65e1-85e2-465a-b9ac-ecb5ec2c9881", 1)
    get_conversation_state("8c842203-7ed8-4e29-a608-7cf78a7d2fcc", "session_700c65e1-85e2-465a-b9ac-ecb5ec2c9881")
    change_conversation_state("8c842203-7ed8-4e29-a608-7cf78a7d2fcc", "session_700c65e1-85e2-465a-b9ac-ecb5ec2c9881", types::ConversationStateUpdate::new(types::ConversationState::Unresolved))
    get_block_status_for_conversation("8c842203-7ed8-4e29-a608-7cf78a7d2fcc", "session_700c65e1-85e2-465a-b9ac-ecb5ec2c9881")
    block_incoming_messages_for_conversation("8c842203-7ed8-4e29-a608-7cf78a7d2fcc", "session_700c65e1-85e2-465a-b9ac-ecb5ec2c9881", types::ConversationBlockUpdate::new(true))
    request_email_transcript_for_conversation("8c842203-7ed8-4e29-a608-7cf78a7d2fcc", "session_700c65e1-85e2-465a-b9ac-ecb5ec2c9881", types::ConversationTranscriptRequest::new(types::TranscriptTo::Operator).email("valerian@crisp.chat"))
    get_people_statistics("8c842203-7ed8-4e29-a608-7cf78a7d2fcc")
    list_people_segments("8c842203-7ed8-4e29-a608-7cf78a7d2fcc", 1)
    list_people_profiles("8c842203-7ed8-4e29-a608-7cf78a7d2fcc", 1)
    add_new_people_profile("8c842203-7ed8-4e29-a608-7cf78a7d2fcc", types::PeopleProfileCard::new("valerian@crisp.chat", types::PeoplePerson::new().nickname("Valerian Saliou")).segments(["customer"]))
    check_people_profile_exists("8c842203-7ed8-4e29-a608-7cf78a7d2fcc", "c5a2f70c-f605-4648-b47f-8c39d4b03a50")
    get_people_profile("8c842203-7ed8-4e29-a608-7cf78a7d2fcc", "c5a2f70c-f605-4648-b47f-8c39d4b03a50")
    save_people_profile("8c842203-7ed8-4e29-a608-7cf78a7d2fcc", "c5a2f70c-f605-4648-b47f-8c39d4b03a50", types::PeopleProfileCard::new("valerian@crisp.chat", types::PeoplePerson::new().nickname("Valerian Saliou")))
    find_people_profile_by_email("8c842203-7ed8-4e29-a608-7cf78a7d2fcc", "c5a2f70c-f605-4648-b47f-8c39d4b03a50")
    update_people_profile("8c842203-7ed8-4e29-a608-7cf78a7d2fcc", "c5a2f70c-f605-4648-b47f-8c39d4b03a50", types::PeopleProfileUpdate::new().notepad("Prefers email.").person(types::PeoplePerson::new().nickname("Valerian Saliou")))
    remove_people_profile("8c842203-7ed8-4e29-a608-7cf78a7d2fcc", "c5a2f70c-f605-4648-b47f-8c39d4b03a50")
    list_people_conversations("8c842203-7ed8-4e29-a608-7cf78a7d2fcc", "c5a2f70c-f605-4648-b47f-8c39d4b03a50", 1)
    add_people_event("8c842203-7ed8-4e29-a608-7cf78a7d2fcc", "c5a2f70c-f605-4648-b47f-8c39d4b03a50", types::PeopleEventNew::new("Added item to basket").color(types::PeopleEventColor::Red).data(crisp_api::serde_json::json!({"currency":"USD","price":10.99})))
    list_people_events("8c842203-7ed8-4e29-a608-7cf78a7d2fcc", "c5a2f70c-f605-4648-b47f-8c39d4b03a50", 1)
    get_people_data("8c842203-7ed8-4e29-a608-7cf78a7d2fcc", "c5a2f70c-f605-4648-b47f-8c39d4b03a50")
    save_people_data("8c842203-7ed8-4e29-a608-7cf78a7d2fcc", "c5a2f70c-f605-4648-b47f-8c39d4b03a50", types::PeopleData::new().data(crisp_api::serde_json::json!({"signup":"finished","type":"customer"})))
    update_people_data("8c842203-7ed8-4e29-a608-7cf78a7d2fcc", "c5a2f70c-f605-4648-b47f-8c39d4b03a50", types::PeopleData::new().data(crisp_api::serde_json::json!({"signup":"finished"})))
    get_people_subscription_status("8c842203-7ed8-4e29-a608-7cf78a7d2fcc", "c5a2f70c-f605-4648-b47f-8c39d4b03a50")
    update_people_subscription_status("8c842203-7ed8-4e29-a608-7cf78a7d2fcc", "c5a2f70c-f605-4648-b47f-8c39d4b03a50", types::PeopleSubscription::new().email(false))
    create_website(types::WebsiteNew::new("Acme Inc.", "acme-inc.com"))
    get_website("8c842203-7ed8-4e29-a608-7cf78a7d2fcc")
    delete_website("8c842203-7ed8-4e29-a608-7cf78a7d2fcc", types::WebsiteRemove::new(types::WebsiteRemoveVerify::new(types::WebsiteRemoveVerifyMethod::Password, "my-account-password")))
    batch_resolve_items("8c842203-7ed8-4e29-a608-7cf78a7d2fcc", types::BatchConversations::new().sessions(["session_19e5240f-0a8d-461e-a661-a3123fc6eec9", "session_700c65e1-85e2-465a-b9ac-ecb5ec2c9881"]))
    batch_read_items("8c842203-7ed8-4e29-a608-7cf78a7d2fcc", types::BatchConversations::new().sessions(["session_19e5240f-0a8d-461e-a661-a3123fc6eec9"]))
    batch_remove_items("8c842203-7ed8-4e29-a608-7cf78a7d2fcc", types::BatchRemove::new().sessions(["session_19e5240f-0a8d-461e-a661-a3123fc6eec9", "session_700c65e1-85e2-465a-b9ac-ecb5ec2c9881"]))
    get_website_availability_status("8c842203-7ed8-4e29-a608-7cf78a7d2fcc")
    list_website_operators("8c842203-7ed8-4e29-a608-7cf78a7d2fcc")
    list_last_active_website_operators("8c842203-7ed8-4e29-a608-7cf78a7d2fcc")
    get_website_settings("8c842203-7ed8-4e29-a608-7cf78a7d2fcc")
    update_website_settings("8c842203-7ed8-4e29-a608-7cf78a7d2fcc", types::WebsiteSettingsUpdate::new().chatbox(types::WebsiteSettingsChatboxUpdate::new().allowed_pages(Vec::<&str>::new()).blocked_countries(["IT"]).blocked_ips(["8.8.8.8", "192.168.1.1/24"]).blocked_locales(["fa", "he"]).blocked_pages(["status/*/", "docs.crisp.chat/*"]).color_theme("blue").hide_on_mobile(false).locale("en").tile("default").wait_game(false)).contact(types::WebsiteSettingsContact::new().email("contact@crisp.chat").phone("+33757905447")).domain("crisp.chat").emails(types::WebsiteSettingsEmails::new().junk_filter(true).rating(true).transcript(true)).inbox(types::WebsiteSettingsInbox::new().force_operator_token(false).lock_removal(false)).name("Crisp"))
    count_visitors("8c842203-7ed8-4e29-a608-7cf78a7d2fcc")
    list_visitors("8c842203-7ed8-4e29-a608-7cf78a7d2fcc", 1)
    get_session_id_by_token("8c842203-7ed8-4e29-a608-7cf78a7d2fcc", "7c8d0ab8-7e4c-4d92-9b8e-3b4b1e3c9e51")
    generate_bucket_url(types::BucketUrlRequest::new(types::BucketNamespace::Upload, "2f4ff8f3-5a1e-4d4b-9b8a-1f5e8e3f1d2c", types::BucketFile::new("invoice.pdf", "application/pdf")).resource(types::BucketResource::new("website", "8c842203-7ed8-4e29-a608-7cf78a7d2fcc")))
}

#[test]
fn every_seed_method_is_a_client_method() {
    let client = crisp_api::Client::builder()
        .credentials("identifier", "key")
        .build()
        .unwrap();
    assert_eq!(SEED.len(), 58);
    assert_eq!(
        SEED.iter().collect::<BTreeSet<_>>().len(),
        58,
        "names are distinct"
    );
    assert_eq!(build_every_call(&client), 58);
}
