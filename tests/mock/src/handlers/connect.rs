//! Where the RTM API is: the `connect/endpoints` operations answer the mock's own socket.io
//! endpoint, so that `client.rtm().connect()` reaches the mock's realtime events. A website
//! token asks its website's (`get_website_connect_endpoints`, open to the `plugin` and
//! `website` tiers in the spec); a plugin token `/plugin/connect/endpoints`; a user token the
//! engine's `/user/connect/endpoints`.

use super::{ok, Handler};
use crate::answer::Answer;
use crate::engine::Validated;
use crate::store::Store;
use serde_json::{json, Value};

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    ("get_connect_endpoints", connect_endpoints),
    ("get_website_connect_endpoints", connect_endpoints),
];

/// The endpoints, with the mock's socket URL (the example's otherwise).
fn connect_endpoints(store: &mut Store, request: &Validated) -> Result<Answer, Answer> {
    ok(request, endpoints(store))
}

/// `{socket: {app, stream}, rescue: {socket: {app, stream}}}`, all on the mock's socket.
pub(crate) fn endpoints(store: &Store) -> Value {
    let url = store.socket_url().unwrap_or("http://127.0.0.1/rtm/");
    json!({
        "socket": {"app": url, "stream": url},
        "rescue": {"socket": {"app": url, "stream": url}},
    })
}
