//! Websites: created, read and deleted. The README's website
//! ([`README_WEBSITE_ID`](crate::README_WEBSITE_ID)) exists from the start; a website nobody
//! created answers 404 to `get_website` (its conversations and people are still served);
//! a deleted one answers 404 to every stateful operation.
//!
//! Settings, operators, visitors, availability, batch and bucket operations keep no state:
//! they answer the spec's examples.

use super::{ok, Handler};
use crate::answer::Answer;
use crate::engine::Validated;
use crate::store::Store;
use serde_json::json;

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    ("create_website", create_website),
    ("get_website", get_website),
    ("delete_website", delete_website),
];

fn create_website(store: &mut Store, request: &Validated) -> Result<Answer, Answer> {
    let website_id = store.uuid();
    let name = request.body["name"].as_str().unwrap_or_default();
    let domain = request.body["domain"].as_str().unwrap_or_default();
    store.seed_website(&website_id, name, domain);
    let website = store.website(&website_id).and_then(|w| w.website.clone());
    ok(request, json!(website))
}

fn get_website(store: &mut Store, request: &Validated) -> Result<Answer, Answer> {
    match store
        .website(request.path("website_id"))
        .and_then(|w| w.website.clone())
    {
        Some(website) => ok(request, website),
        None => Err(Answer::not_found("website")),
    }
}

fn delete_website(store: &mut Store, request: &Validated) -> Result<Answer, Answer> {
    if store.delete_website(request.path("website_id")) {
        ok(request, json!({}))
    } else {
        Err(Answer::not_found("website"))
    }
}
