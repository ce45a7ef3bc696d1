//! The stateful core: handlers for the operations whose answers depend on earlier calls,
//! registered by operationId. Every other operation answers the spec's example.
//!
//! A handler receives a request the engine already checked against the spec (tier, path,
//! query, body), so it never checks again what the spec says; it checks only what a schema
//! cannot (an unknown id, an email taken). Promote an operation here only when a scenario
//! needs its state.

mod connect;
mod conversation;
mod people;
mod website;

use crate::answer::Answer;
use crate::engine::Validated;
use crate::spec::Spec;
use crate::store::Store;
use axum::http::StatusCode;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// A stateful handler: the validated request and the store, locked.
pub(crate) type Handler = fn(&mut Store, &Validated) -> Result<Answer, Answer>;

/// Every stateful handler, by operationId.
static HANDLERS: LazyLock<BTreeMap<&'static str, Handler>> = LazyLock::new(|| {
    let mut table: BTreeMap<&'static str, Handler> = BTreeMap::new();
    for (id, handler) in conversation::HANDLERS
        .iter()
        .chain(connect::HANDLERS)
        .chain(people::HANDLERS)
        .chain(website::HANDLERS)
    {
        assert!(
            table.insert(id, *handler).is_none(),
            "{id} is registered twice"
        );
    }
    table
});

/// The answer's data of the `connect/endpoints` routes (the mock's own socket URL).
pub(crate) fn connect_endpoints_data(store: &Store) -> Value {
    connect::endpoints(store)
}

/// The operationIds with a stateful handler, sorted.
pub(crate) fn names() -> Vec<&'static str> {
    HANDLERS.keys().copied().collect()
}

/// The stateful handler of an operation, if it has one.
pub(crate) fn find(operation_id: &str) -> Option<Handler> {
    HANDLERS.get(operation_id).copied()
}

/// Fails if a registered operationId is not an operation of the spec (a renamed or removed
/// operation would otherwise silently fall back to its example).
pub(crate) fn check(spec: &Spec) -> Result<(), String> {
    let unknown: Vec<&str> = HANDLERS
        .keys()
        .copied()
        .filter(|id| spec.operation(id).is_none())
        .collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "crisp-mock: stateful handlers are registered for operations the spec does not \
             have: {}",
            unknown.join(", ")
        ))
    }
}

/// What every operation on a deleted website answers in the stateful mode: 404, before its
/// handler or example.
pub(crate) fn gate(store: &Store, request: &Validated) -> Option<Answer> {
    let website_id = request.path.get("website_id")?.as_str()?;
    store
        .website(website_id)
        .is_some_and(|w| w.deleted)
        .then(|| Answer::not_found("website"))
}

/// The operation's own success `reason` (`listed`, `updated`, …), from its example.
fn reason(request: &Validated) -> &'static str {
    request
        .operation
        .example
        .as_ref()
        .and_then(|(_, example)| example["reason"].as_str())
        .unwrap_or("resolved")
}

/// A success envelope with the operation's reason.
fn ok(request: &Validated, data: Value) -> Result<Answer, Answer> {
    Ok(Answer::ok(reason(request), data))
}

/// 409 `people_exists`.
fn conflict(message: &str) -> Answer {
    Answer::error(StatusCode::CONFLICT, "people_exists", message)
}

/// One page (from 1) of `items`, `per_page` a page, and whether more items follow it.
fn page_of<T: Clone>(
    items: impl IntoIterator<Item = T>,
    page_number: i64,
    per_page: usize,
) -> (Vec<T>, bool) {
    let Ok(page) = usize::try_from(page_number) else {
        return (Vec::new(), false);
    };
    if page == 0 {
        return (Vec::new(), false);
    }
    let mut rest = items.into_iter().skip((page - 1).saturating_mul(per_page));
    let items: Vec<T> = rest.by_ref().take(per_page).collect();
    let more = rest.next().is_some();
    (items, more)
}

/// A page of a paged list, answered as Crisp does: `206 Partial Content` while more items
/// follow (`more`), `200` on the last page.
fn paged(request: &Validated, data: Value, more: bool) -> Result<Answer, Answer> {
    let mut answer = ok(request, data)?;
    if more {
        answer.status = StatusCode::PARTIAL_CONTENT;
    }
    Ok(answer)
}

/// Merges `patch` into `target`: objects key by key, anything else replaced.
fn merge(target: &mut Value, patch: Value) {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            for (k, v) in p {
                merge(t.entry(k).or_insert(Value::Null), v);
            }
        }
        (t, p) => *t = p,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_handler_names_an_operation_of_the_spec() {
        let spec = crate::spec::spec().unwrap();
        assert_eq!(super::check(spec), Ok(()));
        assert!(super::HANDLERS.len() >= 40, "{}", super::HANDLERS.len());
    }
}
