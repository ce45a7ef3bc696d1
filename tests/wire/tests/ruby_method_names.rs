//! Every method of the Ruby wrapper's README exists on `Client` under the same name (58/58):
//! this file fails to compile if one is missing or renamed.

use std::collections::BTreeSet;

macro_rules! ruby_method_names {
    ($($name:ident)*) => {
        const SEED: &[&str] = &[$(stringify!($name)),*];
        fn build_every_builder(client: &crisp_api::Client) -> usize {
            let mut built = 0;
            $( let _builder = client.$name(); built += 1; )*
            built
        }
    };
}

// The seed's method names, in the seed's order.
ruby_method_names! {
    list_conversations send_message_in_conversation search_conversations create_new_conversation
    check_conversation_exists get_conversation remove_conversation
    initiate_conversation_with_existing_session get_messages_in_conversation
    update_message_in_conversation compose_message_in_conversation
    mark_messages_read_in_conversation mark_messages_delivered_in_conversation
    get_conversation_routing_assign assign_conversation_routing get_conversation_metas
    update_conversation_metas list_conversation_pages list_conversation_events
    list_conversation_files get_conversation_state change_conversation_state
    get_block_status_for_conversation block_incoming_messages_for_conversation
    request_email_transcript_for_conversation get_people_statistics list_people_segments
    list_people_profiles add_new_people_profile check_people_profile_exists get_people_profile
    save_people_profile find_people_profile_by_email update_people_profile remove_people_profile
    list_people_conversations add_people_event list_people_events get_people_data
    save_people_data update_people_data get_people_subscription_status
    update_people_subscription_status create_website get_website delete_website
    batch_resolve_items batch_read_items batch_remove_items get_website_availability_status
    list_website_operators list_last_active_website_operators get_website_settings
    update_website_settings count_visitors list_visitors get_session_id_by_token
    generate_bucket_url
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
    assert_eq!(build_every_builder(&client), 58);
}
