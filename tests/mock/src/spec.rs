//! The bundled spec as the mock's input: its operations, their path templates, tiers,
//! parameters, validators and success examples, read once per process.
//!
//! `crisp-rest-v1.json` is `spec/crisp-rest-v1.yaml` as JSON (generated, never edited by
//! hand). [`spec()`] parses it and compiles every request validator the first time a mock
//! starts; every later [`MockServer`](crate::MockServer) of the process reuses them, so that
//! starting one costs a socket and a task.

use crate::schema::{self, Direction};
use jsonschema::{Draft, Registry, Validator};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::{Arc, LazyLock, Mutex, OnceLock};

/// The bundled OpenAPI document, as JSON.
pub(crate) const SPEC_JSON: &str = include_str!("crisp-rest-v1.json");

/// The HTTP methods an OpenAPI path item may hold, in the spec's spelling.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The spec, parsed and compiled, or why it cannot serve (a spec or mock bug, reported when a
/// mock starts).
pub(crate) fn spec() -> Result<&'static Spec, &'static str> {
    static SPEC: LazyLock<Result<Spec, String>> = LazyLock::new(|| Spec::parse(SPEC_JSON));
    SPEC.as_ref().map_err(String::as_str)
}

/// Every operation of the spec, and how to find one from a request.
pub(crate) struct Spec {
    /// Operations in the spec's order.
    pub(crate) operations: Vec<Operation>,
    /// Operation indices by operationId.
    by_id: BTreeMap<String, usize>,
    /// The path templates, each with the operations it serves.
    templates: Vec<Template>,
    /// The spec's components, converted for answers: compiled on first use.
    response_registry: Registry<'static>,
    /// The spec's request-side components, for [`Spec::check`].
    request_registry: Registry<'static>,
    /// The validators [`Spec::check`] compiled, by schema name.
    checks: Mutex<BTreeMap<String, Arc<Validator>>>,
}

/// One path template of the spec: `/website/{website_id}/conversation/{session_id}`.
struct Template {
    segments: Vec<Segment>,
    /// `(method, operation index)`.
    operations: Vec<(String, usize)>,
}

enum Segment {
    Static(String),
    Param(String),
}

/// Path parameters, decoded: `(name, value)`.
type Params = Vec<(String, String)>;

/// What a request path and method lead to.
pub(crate) enum Route<'a> {
    /// An operation, with its path parameters decoded.
    Operation(&'a Operation, Params),
    /// A known path without this method: the methods it has.
    MethodNotAllowed(Vec<String>),
    /// No template matches.
    NotFound,
}

/// One operation of the spec.
pub(crate) struct Operation {
    /// Its operationId.
    pub(crate) id: String,
    /// `GET`, `POST`, …
    pub(crate) method: String,
    /// Its `x-crisp-tiers`.
    pub(crate) tiers: Vec<String>,
    /// Its `x-crisp-pagination`.
    pub(crate) pagination: Option<Pagination>,
    /// Its path and query parameters.
    pub(crate) parameters: Vec<Parameter>,
    /// Whether it takes a JSON body, and whether the body is required.
    pub(crate) body: Option<BodyRule>,
    /// Validates `{"path": {...}, "query": {...}, "body": ...}`.
    validator: Validator,
    /// The 2XX status and the example envelope of its success answer (`None` for HEAD).
    pub(crate) example: Option<(u16, Value)>,
    /// The 2XX answer's schema (converted), compiled on first use.
    answer_schema: Option<Value>,
    answer_validator: OnceLock<Result<Validator, String>>,
}

/// `x-crisp-pagination`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pagination {
    /// `page_number` in the path; an empty page ends the list.
    Page,
    /// `timestamp_before` in the query: items older than the oldest seen.
    Timestamp,
}

/// Whether an operation's body is required.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BodyRule {
    pub(crate) required: bool,
}

/// Where a parameter travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Location {
    Path,
    Query,
}

/// A path or query parameter, with what its text is turned into before validation.
#[derive(Debug, Clone)]
pub(crate) struct Parameter {
    pub(crate) name: String,
    pub(crate) location: Location,
    pub(crate) kind: Kind,
}

/// The JSON type a parameter's text becomes (query and path values are strings on the wire).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Kept as a string (also for schemas without a simple type).
    String,
    Integer,
    Number,
    Boolean,
    /// Repeated keys (`?tag=a&tag=b`), each item of this kind.
    Array(Box<Kind>),
}

impl Kind {
    /// `text` as this kind's JSON value; text that does not parse stays a string, for the
    /// validator to name.
    pub(crate) fn coerce(&self, text: &str) -> Value {
        let parsed = match self {
            Kind::String | Kind::Array(_) => None,
            Kind::Integer => text
                .parse::<i64>()
                .map(Value::from)
                .or_else(|_| text.parse::<u64>().map(Value::from))
                .ok(),
            Kind::Number => text
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map(Value::Number),
            Kind::Boolean => match text {
                "true" => Some(Value::Bool(true)),
                "false" => Some(Value::Bool(false)),
                _ => None,
            },
        };
        parsed.unwrap_or_else(|| Value::String(text.to_string()))
    }
}

impl Spec {
    fn parse(text: &str) -> Result<Spec, String> {
        let document: Value =
            serde_json::from_str(text).map_err(|e| format!("the bundled spec is not JSON: {e}"))?;
        let request_registry = registry(&document, Direction::Request)?;
        let response_registry = registry(&document, Direction::Response)?;
        let mut operations = Vec::new();
        let mut templates = Vec::new();
        let paths = document["paths"]
            .as_object()
            .ok_or("the spec has no paths")?;
        for (path, item) in paths {
            let mut template = Template {
                segments: segments(path),
                operations: Vec::new(),
            };
            for method in METHODS {
                let Some(operation) = item.get(method) else {
                    continue;
                };
                let parsed =
                    Operation::parse(&document, &request_registry, path, method, item, operation)
                        .map_err(|e| format!("{} {path}: {e}", method.to_uppercase()))?;
                template
                    .operations
                    .push((parsed.method.clone(), operations.len()));
                operations.push(parsed);
            }
            templates.push(template);
        }
        let mut by_id = BTreeMap::new();
        for (index, operation) in operations.iter().enumerate() {
            if by_id.insert(operation.id.clone(), index).is_some() {
                return Err(format!("operationId {} is used twice", operation.id));
            }
        }
        Ok(Spec {
            operations,
            by_id,
            templates,
            response_registry,
            request_registry,
            checks: Mutex::new(BTreeMap::new()),
        })
    }

    /// The operation with this operationId.
    pub(crate) fn operation(&self, id: &str) -> Option<&Operation> {
        self.by_id.get(id).map(|&i| &self.operations[i])
    }

    /// Finds the operation for a request path (after `/v1`, still percent-encoded) and
    /// method. Templates are matched segment by segment; where several match, the one whose
    /// first differing segment is static wins (`/people/profile/{id}` loses to
    /// `/people/profile/stats` for `stats`). A parameter matches one non-empty segment,
    /// percent-decoded.
    pub(crate) fn route(&self, path: &str, method: &str) -> Route<'_> {
        let raw: Vec<&str> = path.strip_prefix('/').unwrap_or(path).split('/').collect();
        // The best match so far: which of its segments are static, and its parameters.
        let mut best: Option<(Vec<bool>, &Template, Params)> = None;
        for template in &self.templates {
            if template.segments.len() != raw.len() {
                continue;
            }
            let mut statics = Vec::with_capacity(raw.len());
            let mut params = Vec::new();
            let matched = template
                .segments
                .iter()
                .zip(&raw)
                .all(|(segment, raw)| match segment {
                    Segment::Static(text) => {
                        statics.push(true);
                        text == raw
                    }
                    Segment::Param(name) => {
                        statics.push(false);
                        let value = percent_encoding::percent_decode_str(raw)
                            .decode_utf8_lossy()
                            .into_owned();
                        params.push((name.clone(), value));
                        !raw.is_empty()
                    }
                });
            if matched && best.as_ref().is_none_or(|(b, _, _)| statics > *b) {
                best = Some((statics, template, params));
            }
        }
        let Some((_, template, params)) = best else {
            return Route::NotFound;
        };
        match template.operations.iter().find(|(m, _)| m == method) {
            Some((_, index)) => Route::Operation(&self.operations[*index], params),
            None => Route::MethodNotAllowed(
                template.operations.iter().map(|(m, _)| m.clone()).collect(),
            ),
        }
    }

    /// Checks `value` against a JSON Schema (whose references may name the spec's request
    /// components, as `{"$ref": "#/components/schemas/PeopleFilter"}`): for values that
    /// travel inside a string (a JSON-encoded query parameter) and for rules the spec does not
    /// state yet. `Err` names the failing field under `at`.
    pub(crate) fn check(&self, schema: &Value, value: &Value, at: &str) -> Result<(), String> {
        let key = schema.to_string();
        let validator = {
            let mut checks = self.checks.lock().unwrap();
            match checks.get(&key) {
                Some(validator) => validator.clone(),
                None => {
                    let converted = schema::convert(schema, Direction::Request);
                    let validator = Arc::new(compile(&self.request_registry, &converted)?);
                    checks.insert(key, validator.clone());
                    validator
                }
            }
        };
        let first = validator.iter_errors(value).next();
        match first {
            None => Ok(()),
            Some(error) => Err(describe(&error, value, at)),
        }
    }
}

impl Operation {
    fn parse(
        document: &Value,
        registry: &Registry<'static>,
        path: &str,
        method: &str,
        item: &Value,
        operation: &Value,
    ) -> Result<Operation, String> {
        let id = operation["operationId"]
            .as_str()
            .ok_or("no operationId")?
            .to_string();
        let tiers = operation["x-crisp-tiers"]
            .as_array()
            .ok_or_else(|| format!("{id} has no x-crisp-tiers"))?
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect();
        let pagination = match operation["x-crisp-pagination"].as_str() {
            None => None,
            Some("page") => Some(Pagination::Page),
            Some("timestamp") => Some(Pagination::Timestamp),
            Some(other) => return Err(format!("{id}: unknown x-crisp-pagination {other}")),
        };

        // Path-item parameters, overridden by the operation's own of the same name and place.
        let mut raw_parameters: Vec<Value> = Vec::new();
        for list in [&item["parameters"], &operation["parameters"]] {
            for parameter in list.as_array().into_iter().flatten() {
                let parameter = resolve(document, parameter)?;
                raw_parameters
                    .retain(|p| (&p["name"], &p["in"]) != (&parameter["name"], &parameter["in"]));
                raw_parameters.push(parameter.clone());
            }
        }
        let mut parameters = Vec::new();
        let mut path_schema = json!({"type": "object", "properties": {}, "required": []});
        let mut query_schema = json!({"type": "object", "properties": {}, "required": []});
        for parameter in &raw_parameters {
            let name = parameter["name"]
                .as_str()
                .ok_or("a parameter without a name")?;
            let (location, target) = match parameter["in"].as_str() {
                Some("path") => (Location::Path, &mut path_schema),
                Some("query") => (Location::Query, &mut query_schema),
                // Headers and cookies are not the mock's business (auth is checked apart).
                _ => continue,
            };
            let schema = &parameter["schema"];
            target["properties"][name] = schema::convert(schema, Direction::Request);
            if parameter["required"] == Value::Bool(true) || location == Location::Path {
                target["required"]
                    .as_array_mut()
                    .expect("built above")
                    .push(json!(name));
            }
            parameters.push(Parameter {
                name: name.to_string(),
                location,
                kind: kind(document, schema)?,
            });
        }
        for name in path_params(path) {
            if !parameters
                .iter()
                .any(|p| p.location == Location::Path && p.name == name)
            {
                return Err(format!("{id}: path parameter {name} is not described"));
            }
        }

        // Draft 4 wants `required` to list at least one name.
        for schema in [&mut path_schema, &mut query_schema] {
            if schema["required"].as_array().is_some_and(Vec::is_empty) {
                schema
                    .as_object_mut()
                    .expect("built above")
                    .remove("required");
            }
        }
        let mut input = json!({
            "type": "object",
            "properties": {"path": path_schema, "query": query_schema},
            "required": ["path", "query"],
        });
        let body = match operation.get("requestBody") {
            None => None,
            Some(request_body) => {
                let request_body = resolve(document, request_body)?;
                let schema = &request_body["content"]["application/json"]["schema"];
                if schema.is_null() {
                    return Err(format!("{id}: the request body is not application/json"));
                }
                input["properties"]["body"] = schema::convert(schema, Direction::Request);
                let required = request_body["required"] == Value::Bool(true);
                if required {
                    input["required"]
                        .as_array_mut()
                        .expect("built above")
                        .push(json!("body"));
                }
                Some(BodyRule { required })
            }
        };
        let validator = compile(registry, &input).map_err(|e| format!("{id}: {e}"))?;

        let (status, answer) =
            success(document, operation).ok_or_else(|| format!("{id} has no 2XX response"))?;
        let content = &answer["content"]["application/json"];
        let example = match (&content["example"], &content["examples"]) {
            (Value::Null, Value::Object(examples)) => {
                examples.values().next().map(|e| e["value"].clone())
            }
            (Value::Null, _) => None,
            (example, _) => Some(example.clone()),
        };
        let method = method.to_uppercase();
        let example = match (method.as_str(), example) {
            ("HEAD", _) => None,
            (_, Some(example)) => Some((status, example)),
            (_, None) => return Err(format!("{id}: its 2XX answer has no example")),
        };
        let answer_schema = match &content["schema"] {
            Value::Null => None,
            schema => Some(schema::convert(schema, Direction::Response)),
        };
        Ok(Operation {
            id,
            method,
            tiers,
            pagination,
            parameters,
            body,
            validator,
            example,
            answer_schema,
            answer_validator: OnceLock::new(),
        })
    }

    /// Validates a request's decoded parts; `Err` is the message of the first failure,
    /// naming the field (`body.from: "visitor" is not one of "user" or "operator"`).
    pub(crate) fn validate(&self, input: &Value) -> Result<(), String> {
        match self.validator.iter_errors(input).next() {
            None => Ok(()),
            Some(error) => Err(describe(&error, input, "")),
        }
    }

    /// Checks one of the mock's own success answers against the operation's 2XX schema, so
    /// that a stateful handler cannot drift from the spec. `Err` names the failing field.
    pub(crate) fn check_answer(&self, registry: &Spec, answer: &Value) -> Result<(), String> {
        let Some(schema) = &self.answer_schema else {
            return Ok(());
        };
        let validator = self
            .answer_validator
            .get_or_init(|| compile(&registry.response_registry, schema))
            .as_ref()
            .map_err(Clone::clone)?;
        match validator.iter_errors(answer).next() {
            None => Ok(()),
            Some(error) => Err(describe(&error, answer, "answer")),
        }
    }
}

/// The spec's components for `direction`, registered for the validators' references.
fn registry(document: &Value, direction: Direction) -> Result<Registry<'static>, String> {
    Registry::new()
        .draft(Draft::Draft4)
        .add(
            schema::spec_uri(direction),
            schema::components(document, direction),
        )
        .and_then(|builder| builder.prepare())
        .map_err(|e| format!("the spec's components do not register: {e}"))
}

/// Compiles a converted schema against the registered components.
fn compile(registry: &Registry<'static>, schema: &Value) -> Result<Validator, String> {
    jsonschema::options()
        .with_draft(Draft::Draft4)
        .with_registry(registry)
        .should_validate_formats(true)
        .build(schema)
        .map_err(|e| format!("the schema does not compile: {e}"))
}

/// `"{where}: {message}"` for a validation error: `where` is the failing value's place in
/// dots (`body.content`, `query.per_page`, `body.fingerprints[0]`), after `prefix`.
fn describe(error: &jsonschema::ValidationError<'_>, instance: &Value, prefix: &str) -> String {
    let mut place = prefix.to_string();
    let mut at = instance;
    for segment in error.instance_path().as_str().split('/').skip(1) {
        let key = segment.replace("~1", "/").replace("~0", "~");
        match at {
            Value::Array(items) => {
                place.push_str(&format!("[{key}]"));
                at = key
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| items.get(i))
                    .unwrap_or(&Value::Null);
            }
            _ => {
                if !place.is_empty() {
                    place.push('.');
                }
                place.push_str(&key);
                at = at.get(&key).unwrap_or(&Value::Null);
            }
        }
    }
    if place.is_empty() {
        error.to_string()
    } else {
        format!("{place}: {error}")
    }
}

/// The first response whose status starts with 2, and its status (`2XX` is 200).
fn success<'a>(document: &'a Value, operation: &'a Value) -> Option<(u16, &'a Value)> {
    let responses = operation["responses"].as_object()?;
    let (status, response) = responses.iter().find(|(s, _)| s.starts_with('2'))?;
    let status = status.parse().unwrap_or(200);
    Some((status, resolve(document, response).ok()?))
}

/// Follows a local `$ref` (`#/components/...`) to what it names.
fn resolve<'a>(document: &'a Value, value: &'a Value) -> Result<&'a Value, String> {
    match value["$ref"].as_str() {
        None => Ok(value),
        Some(reference) => {
            let pointer = reference
                .strip_prefix('#')
                .ok_or_else(|| format!("{reference} is not a local reference"))?;
            let target = document
                .pointer(pointer)
                .ok_or_else(|| format!("{reference} names nothing"))?;
            resolve(document, target)
        }
    }
}

/// What a parameter's text is coerced to, from its schema's `type` (following `$ref`).
fn kind(document: &Value, schema: &Value) -> Result<Kind, String> {
    let schema = resolve(document, schema)?;
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    Ok(match types.into_iter().find(|t| *t != "null") {
        Some("integer") => Kind::Integer,
        Some("number") => Kind::Number,
        Some("boolean") => Kind::Boolean,
        Some("array") => Kind::Array(Box::new(kind(document, &schema["items"])?)),
        _ => Kind::String,
    })
}

fn segments(path: &str) -> Vec<Segment> {
    path.strip_prefix('/')
        .unwrap_or(path)
        .split('/')
        .map(
            |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => Segment::Param(name.to_string()),
                None => Segment::Static(s.to_string()),
            },
        )
        .collect()
}

fn path_params(path: &str) -> Vec<String> {
    segments(path)
        .into_iter()
        .filter_map(|s| match s {
            Segment::Param(name) => Some(name),
            Segment::Static(_) => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> &'static Spec {
        super::spec().expect("the bundled spec serves")
    }

    fn route(path: &str, method: &str) -> Option<(String, Vec<(String, String)>)> {
        match spec().route(path, method) {
            Route::Operation(op, params) => Some((op.id.clone(), params)),
            _ => None,
        }
    }

    #[test]
    fn every_operation_of_the_spec_is_served() {
        let document: Value = serde_json::from_str(SPEC_JSON).unwrap();
        let count: usize = document["paths"]
            .as_object()
            .unwrap()
            .values()
            .map(|item| METHODS.iter().filter(|m| item.get(**m).is_some()).count())
            .sum();
        assert_eq!(spec().operations.len(), count);
        assert!(count >= 56);
    }

    #[test]
    fn static_segments_win_over_parameters_and_parameters_are_decoded() {
        let (id, params) = route("/website/w1/people/profile/a%40b.c", "GET").unwrap();
        assert_eq!(id, "get_people_profile");
        assert_eq!(params[1], ("people_id".into(), "a@b.c".into()));
        assert_eq!(
            route("/website/w1/people/stats", "GET").unwrap().0,
            "get_people_statistics"
        );
        assert!(
            route("/website//conversation", "POST").is_none(),
            "an empty id"
        );
        assert!(matches!(
            spec().route("/website/w1/people/stats", "POST"),
            Route::MethodNotAllowed(methods) if methods == ["GET"]
        ));
        assert!(matches!(spec().route("/nowhere", "GET"), Route::NotFound));
    }

    /// The generated wire tests send the spec's own examples: the validators must accept them.
    #[test]
    fn the_spec_accepts_its_own_request_examples() {
        let document: Value = serde_json::from_str(SPEC_JSON).unwrap();
        for (path, item) in document["paths"].as_object().unwrap() {
            for method in METHODS {
                let Some(raw) = item.get(method) else {
                    continue;
                };
                let op = spec()
                    .operation(raw["operationId"].as_str().unwrap())
                    .unwrap();
                let mut input = json!({"path": {}, "query": {}});
                for list in [&item["parameters"], &raw["parameters"]] {
                    for p in list.as_array().into_iter().flatten() {
                        let p = resolve(&document, p).unwrap();
                        let place = if p["in"] == "path" { "path" } else { "query" };
                        let Some(example) = p.get("example") else {
                            continue;
                        };
                        input[place][p["name"].as_str().unwrap()] = example.clone();
                    }
                }
                if let Some(body) = raw.get("requestBody") {
                    let body = resolve(&document, body).unwrap();
                    input["body"] = body["content"]["application/json"]["example"].clone();
                }
                assert_eq!(op.validate(&input), Ok(()), "{method} {path}");
            }
        }
    }

    #[test]
    fn the_spec_accepts_its_own_answer_examples() {
        for op in &spec().operations {
            if let Some((_, example)) = &op.example {
                assert_eq!(op.check_answer(spec(), example), Ok(()), "{}", op.id);
            }
        }
    }

    #[test]
    fn failures_name_the_field() {
        let send = spec().operation("send_message_in_conversation").unwrap();
        let input = |body: Value| json!({"path": {"website_id": "w", "session_id": "s"}, "query": {}, "body": body});
        assert_eq!(
            send.validate(&input(
                json!({"type": "text", "from": "visitor", "origin": "chat", "content": "x"})
            )),
            Err(r#"body.from: "visitor" is not one of "user" or "operator""#.into())
        );
        assert_eq!(
            send.validate(&input(
                json!({"type": "text", "from": "user", "origin": "chat"})
            )),
            Err(r#"body: "content" is a required property"#.into())
        );
        let list = spec().operation("list_conversations").unwrap();
        assert_eq!(
            list.validate(
                &json!({"path": {"website_id": "w", "page_number": 1}, "query": {"per_page": 100}})
            ),
            Err("query.per_page: 100 is greater than the maximum of 50".into())
        );
        let delivered = spec()
            .operation("mark_messages_delivered_in_conversation")
            .unwrap();
        let body = json!({"from": "user", "origin": "chat", "fingerprints": ["x"]});
        let error = delivered.validate(&input(body)).unwrap_err();
        assert!(error.starts_with("body.fingerprints[0]: "), "{error}");
    }

    #[test]
    fn values_are_coerced_to_the_schema_type() {
        assert_eq!(
            Kind::Integer.coerce("524653764345"),
            json!(524_653_764_345_i64)
        );
        assert_eq!(Kind::Integer.coerce("many"), json!("many"));
        assert_eq!(Kind::Number.coerce("1.5"), json!(1.5));
        assert_eq!(Kind::Boolean.coerce("true"), json!(true));
        assert_eq!(Kind::Boolean.coerce("1"), json!("1"));
        assert_eq!(Kind::String.coerce("1"), json!("1"));
    }
}
