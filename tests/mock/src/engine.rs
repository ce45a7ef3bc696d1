//! The generic engine: one handler for every operation of the spec.
//!
//! For each request, in this order:
//! 1. it is recorded, with the operationId its method and path match;
//! 2. Basic auth and `X-Crisp-Tier` (`user`, `website` or `plugin`) are checked: 401
//!    `unauthorized`;
//! 3. the path is routed against the spec's templates: 404 `not_found` for an unknown route,
//!    405 (with `Allow`) for a known path without this method;
//! 4. the tier is checked against the operation's `x-crisp-tiers`: 403 `not_allowed`;
//! 5. path and query parameters are coerced from text to their schema's type and, with the
//!    JSON body, validated against the spec's schemas: 400 `invalid_data` naming the field;
//! 6. in [`Mode::Stateful`], an operation on a deleted website answers 404; then the
//!    operation's stateful handler answers, if it has one, and its answer is checked against
//!    the spec's 2XX schema (500 if it does not match: a bug of the mock); otherwise (and
//!    always in [`Mode::Examples`]) the spec's 2XX example answers, except that in
//!    [`Mode::Stateful`] what a DELETE removed answers 404 until a write makes it again.
//!
//! Every error is Crisp's JSON envelope; HEAD answers have no body.

use crate::answer::Answer;
use crate::recorded::{query_pairs, Recorded};
use crate::spec::{Kind, Location, Operation, Pagination, Route, Spec};
use crate::{handlers, Mode, Shared};
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::header::{ALLOW, AUTHORIZATION, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;
use base64::Engine as _;
use serde_json::{json, Map, Value};
use std::sync::Arc;

/// The largest body the mock reads (Crisp's own limit is not documented).
const BODY_LIMIT: usize = 8 * 1024 * 1024;

/// A request that passed every check of the spec: what a stateful handler receives.
pub(crate) struct Validated {
    /// The operation it matched.
    pub(crate) operation: &'static Operation,
    /// Path parameters, decoded and coerced (`page_number` is a number).
    pub(crate) path: Map<String, Value>,
    /// The query parameters the operation describes, coerced.
    pub(crate) query: Map<String, Value>,
    /// The JSON body (`Null` when the operation takes none).
    pub(crate) body: Value,
}

impl Validated {
    /// A path parameter as text (every path parameter is present once validated).
    pub(crate) fn path(&self, name: &str) -> &str {
        self.path.get(name).and_then(Value::as_str).unwrap_or("")
    }

    /// An integer path parameter.
    pub(crate) fn path_i64(&self, name: &str) -> i64 {
        self.path.get(name).and_then(Value::as_i64).unwrap_or(0)
    }

    /// A query parameter as text.
    pub(crate) fn query(&self, name: &str) -> Option<&str> {
        self.query.get(name).and_then(Value::as_str)
    }

    /// An integer query parameter.
    pub(crate) fn query_i64(&self, name: &str) -> Option<i64> {
        self.query.get(name).and_then(Value::as_i64)
    }

    /// A Crisp yes/no flag (`1` / `0`, absent is no).
    pub(crate) fn flag(&self, name: &str) -> bool {
        self.query(name) == Some("1")
    }
}

/// The axum handler every request goes to.
pub(crate) async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let head = parts.method == Method::HEAD;
    let Ok(bytes) = axum::body::to_bytes(body, BODY_LIMIT).await else {
        let answer = Answer::error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "invalid_data",
            "the body is too large",
        );
        return answer.into_response(head);
    };
    let route = match parts.uri.path().strip_prefix("/v1") {
        Some(rest) if rest.starts_with('/') => shared.spec.route(rest, parts.method.as_str()),
        _ => Route::NotFound,
    };
    shared.requests.lock().unwrap().push(Recorded {
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().map(str::to_string),
        headers: parts.headers.clone(),
        body: bytes.clone(),
        operation: match &route {
            Route::Operation(operation, _) => Some(operation.id.clone()),
            _ => None,
        },
    });
    // Crisp's internal routes where a user token, or a website token, finds the RTM API (the
    // Node wrapper's RTM client calls them; they are not methods of the public API, so not in
    // the spec).
    let tier_endpoints = match parts.uri.path() {
        "/v1/user/connect/endpoints" => Some("user"),
        "/v1/website/connect/endpoints" => Some("website"),
        _ => None,
    };
    let answer = if let Some(tier) = tier_endpoints.filter(|_| parts.method == Method::GET) {
        tier_connect_endpoints(&shared, &parts.headers, tier)
    } else {
        let path = parts.uri.path().strip_prefix("/v1").unwrap_or_default();
        answer(
            &shared,
            &parts.headers,
            path,
            parts.uri.query(),
            &bytes,
            route,
        )
    }
    .unwrap_or_else(|refusal| refusal);
    answer.into_response(head)
}

/// `GET /v1/user/connect/endpoints` (user tokens) and `GET /v1/website/connect/endpoints`
/// (website tokens): where the RTM API is.
fn tier_connect_endpoints(
    shared: &Shared,
    headers: &HeaderMap,
    tier: &str,
) -> Result<Answer, Answer> {
    if authenticate(shared, headers)? != tier {
        return Err(Answer::error(
            StatusCode::FORBIDDEN,
            "not_allowed",
            &format!("this route is for {tier} tokens"),
        ));
    }
    let store = shared.store.lock().unwrap();
    Ok(Answer::ok(
        "resolved",
        crate::handlers::connect_endpoints_data(&store),
    ))
}

fn answer(
    shared: &Shared,
    headers: &HeaderMap,
    path: &str,
    query: Option<&str>,
    body: &Bytes,
    route: Route<'static>,
) -> Result<Answer, Answer> {
    let tier = authenticate(shared, headers)?;
    let (operation, params) = match route {
        Route::Operation(operation, params) => (operation, params),
        Route::NotFound => {
            return Err(Answer::error(
                StatusCode::NOT_FOUND,
                "not_found",
                "the route does not exist",
            ))
        }
        Route::MethodNotAllowed(methods) => {
            let allow = HeaderValue::from_str(&methods.join(", ")).expect("method names");
            return Err(Answer::error(
                StatusCode::METHOD_NOT_ALLOWED,
                "not_found",
                "the method is not allowed on this route",
            )
            .header(ALLOW, allow));
        }
    };
    if !operation.tiers.iter().any(|t| t == tier) {
        return Err(Answer::error(
            StatusCode::FORBIDDEN,
            "not_allowed",
            &format!(
                "{} is not allowed for the {tier} tier (allowed: {})",
                operation.id,
                operation.tiers.join(", ")
            ),
        ));
    }
    let validated = validate(operation, params, query, headers, body)?;
    if shared.config.mode == Mode::Examples {
        return Ok(example(operation, &validated));
    }
    let answer = {
        let mut store = shared.store.lock().unwrap();
        // A deleted website answers 404 to every operation, stateful or not.
        if let Some(refusal) = handlers::gate(&store, &validated) {
            return Err(refusal);
        }
        match handlers::find(&operation.id) {
            Some(handler) => handler(&mut store, &validated),
            None => return removable_example(&mut store, operation, path, &validated),
        }
    };
    if let Ok(Answer {
        body: Some(body), ..
    }) = &answer
    {
        if let Err(mismatch) = operation.check_answer(shared.spec, body) {
            return Err(Answer::error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "mock_error",
                &format!("the mock's answer does not match the spec: {mismatch}"),
            ));
        }
    }
    answer
}

/// Checks Basic auth and `X-Crisp-Tier`; answers the tier.
fn authenticate<'h>(shared: &Shared, headers: &'h HeaderMap) -> Result<&'h str, Answer> {
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            shared.config.identifier, shared.config.key
        ))
    );
    let authorized =
        headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()) == Some(expected.as_str());
    let tier = headers.get("x-crisp-tier").and_then(|v| v.to_str().ok());
    match (authorized, tier) {
        (true, Some(tier @ ("user" | "website" | "plugin"))) => Ok(tier),
        (true, _) => Err(Answer::error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "the X-Crisp-Tier header must be user, website or plugin",
        )),
        (false, _) => Err(Answer::error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "the token identifier or key is wrong",
        )),
    }
}

/// Decodes a request's path, query and body as the operation describes them, and validates
/// them against its schemas.
fn validate(
    operation: &'static Operation,
    params: Vec<(String, String)>,
    query: Option<&str>,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Validated, Answer> {
    let mut path = Map::new();
    let pairs = query_pairs(query);
    let mut query = Map::new();
    for parameter in &operation.parameters {
        match parameter.location {
            Location::Path => {
                if let Some((_, text)) = params.iter().find(|(n, _)| *n == parameter.name) {
                    path.insert(parameter.name.clone(), parameter.kind.coerce(text));
                }
            }
            Location::Query => {
                let values: Vec<&str> = pairs
                    .iter()
                    .filter(|(k, _)| *k == parameter.name)
                    .map(|(_, v)| v.as_str())
                    .collect();
                let value = match (&parameter.kind, values.as_slice()) {
                    (_, []) => continue,
                    (Kind::Array(item), values) => {
                        Value::Array(values.iter().map(|v| item.coerce(v)).collect())
                    }
                    (kind, [value]) => kind.coerce(value),
                    (_, values) => {
                        return Err(Answer::invalid(&format!(
                            "query.{}: given {} times, expected once",
                            parameter.name,
                            values.len()
                        )))
                    }
                };
                query.insert(parameter.name.clone(), value);
            }
        }
    }
    let mut input = json!({"path": path, "query": query});
    if let Some(rule) = operation.body {
        if body.is_empty() {
            if rule.required {
                return Err(Answer::invalid(
                    "body: a JSON body is required (Content-Type: application/json)",
                ));
            }
        } else {
            let json_type = headers
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.to_ascii_lowercase().starts_with("application/json"));
            if !json_type {
                return Err(Answer::invalid(
                    "body: the body must be JSON (Content-Type: application/json)",
                ));
            }
            let parsed: Value = serde_json::from_slice(body)
                .map_err(|e| Answer::invalid(&format!("body: not JSON ({e})")))?;
            input["body"] = parsed;
        }
    }
    operation
        .validate(&input)
        .map_err(|message| Answer::invalid(&message))?;
    let Value::Object(mut input) = input else {
        unreachable!("built as an object")
    };
    let take = |input: &mut Map<String, Value>, key: &str| match input.remove(key) {
        Some(Value::Object(map)) => map,
        _ => Map::new(),
    };
    Ok(Validated {
        operation,
        path: take(&mut input, "path"),
        query: take(&mut input, "query"),
        body: input.remove("body").unwrap_or(Value::Null),
    })
}

/// The operation's success example, paged like the list it stands for: page 1 of a paged
/// list is the example, answered `200` as Crisp answers the last page, and every later page
/// is empty (so a stream ends whatever it makes of the `200`); a timestamp-paged list keeps
/// the items older than `timestamp_before`.
fn example(operation: &Operation, request: &Validated) -> Answer {
    let Some((status, example)) = &operation.example else {
        return Answer::empty();
    };
    let mut example = example.clone();
    match operation.pagination {
        Some(Pagination::Page) if request.path_i64("page_number") != 1 => {
            example["data"] = json!([]);
        }
        Some(Pagination::Timestamp) => {
            if let (Some(before), Some(items)) = (
                request.query_i64("timestamp_before"),
                example["data"].as_array_mut(),
            ) {
                items.retain(|item| item["timestamp"].as_i64().is_some_and(|t| t < before));
            }
        }
        _ => {}
    }
    let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::OK);
    Answer::envelope(status, example)
}

/// An operation without a stateful handler, in [`Mode::Stateful`]: its example, except that
/// what a DELETE removed is gone (404 `not_found` for it and below it) until a write makes
/// it again (see [`crate::Store::is_removed`]).
fn removable_example(
    store: &mut crate::Store,
    operation: &Operation,
    path: &str,
    request: &Validated,
) -> Result<Answer, Answer> {
    let method = operation.method.as_str();
    let creates = ["POST", "PUT", "PATCH"]
        .iter()
        .any(|m| method.eq_ignore_ascii_case(m));
    if creates {
        store.restore_paths(path, &request.body);
    } else if store.is_removed(path) {
        return Err(Answer::error(
            StatusCode::NOT_FOUND,
            "not_found",
            "this was deleted",
        ));
    }
    if method.eq_ignore_ascii_case("DELETE") {
        store.remove_path(path);
    }
    Ok(example(operation, request))
}

/// The spec every mock of the process serves.
pub(crate) fn spec() -> Result<&'static Spec, std::io::Error> {
    let spec = crate::spec::spec().map_err(std::io::Error::other)?;
    handlers::check(spec).map_err(std::io::Error::other)?;
    Ok(spec)
}
