//! Reads the spec, checks the project's conventions and extracts what the generator needs:
//! the envelope type of every operation, its tiers, aliases and pagination.

use anyhow::{anyhow, bail, Context, Result};
use serde_json::Value;
use std::collections::BTreeMap;

/// One operation of the spec, as the SDK wrapper sees it.
#[derive(Debug, Clone)]
pub struct Operation {
    pub id: String,
    pub method: String,
    pub path: String,
    pub tiers: Vec<String>,
    /// Other method names that send exactly this request.
    pub aliases: Vec<String>,
    /// `page` or `timestamp` when the operation is a paged list.
    pub pagination: Option<String>,
    /// Path parameters that are strings (ids) and must be a non-empty segment.
    pub string_path_params: Vec<String>,
    /// What the caller gets from `send`.
    pub output: Output,
    /// The request body is `EmptyBody`: the builder starts with `{}` so callers need not set it.
    pub empty_body: bool,
    /// Path and query parameters (shared ones first), with their examples.
    pub params: Vec<Param>,
    /// The JSON request body, if any.
    pub body: Option<Body>,
    /// The `example` of the 2XX answer (a whole envelope), if any.
    pub success_example: Option<Value>,
}

/// A path or query parameter of an operation.
#[derive(Debug, Clone)]
pub struct Param {
    pub name: String,
    /// `path` or `query`.
    pub location: String,
    pub required: bool,
    /// The parameter's `schema`.
    pub schema: Value,
    /// The parameter's `example` (or its schema's).
    pub example: Option<Value>,
}

/// The JSON request body of an operation.
#[derive(Debug, Clone)]
pub struct Body {
    /// The component the body refers to (`MessageNew`), or `None` for an inline schema.
    pub component: Option<String>,
    pub example: Option<Value>,
}

/// The shape of an operation's `data`.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// `data` decoded as this Rust type.
    Data(String),
    /// An array of items (a page).
    List(String),
    /// No meaningful `data`: the caller gets `()`.
    Nothing,
    /// A HEAD check: the caller gets `bool`.
    Exists,
}

pub struct Model {
    /// The spec handed to progenitor: error responses removed (the SDK decodes Crisp's error
    /// envelope itself, keeping status and body whatever the body is).
    pub progenitor_spec: openapiv3::OpenAPI,
    /// Envelope schema name → the `crate::Envelope<T>` that replaces it.
    pub envelopes: BTreeMap<String, String>,
    pub operations: Vec<Operation>,
}

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

impl Model {
    pub fn load(text: &str) -> Result<Self> {
        let mut raw: Value = serde_yaml::from_str(text).context("spec is not valid YAML")?;
        let schemas = raw
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .cloned()
            .ok_or_else(|| anyhow!("spec has no components/schemas"))?;
        let mut envelopes = BTreeMap::new();
        let mut data_types = BTreeMap::new();
        for (name, schema) in &schemas {
            if !name.ends_with("Envelope") || name == "Envelope" || name == "ErrorEnvelope" {
                continue;
            }
            let data = envelope_data(name, schema)?;
            let rust = match &data {
                Output::Data(t) | Output::List(t) => t.clone(),
                _ => "::serde::de::IgnoredAny".to_string(),
            };
            let rust = if let Output::List(_) = data {
                format!("::std::vec::Vec<{rust}>")
            } else {
                rust
            };
            envelopes.insert(name.clone(), format!("crate::envelope::Envelope<{rust}>"));
            data_types.insert(name.clone(), data);
        }

        let components = raw.get("components").cloned().unwrap_or(Value::Null);
        let mut operations = Vec::new();
        let paths = raw
            .get_mut("paths")
            .and_then(Value::as_object_mut)
            .ok_or_else(|| anyhow!("spec has no paths"))?;
        for (path, item) in paths.iter_mut() {
            let shared_params = item.get("parameters").cloned().unwrap_or(Value::Null);
            for method in METHODS.iter().chain(["head"].iter()) {
                let Some(op) = item.get_mut(*method) else {
                    continue;
                };
                let at = format!("{} {path}", method.to_uppercase());
                let id = str_field(op, "operationId", &at)?;
                str_field(op, "summary", &at)?;
                let tiers = string_list(op.get("x-crisp-tiers"))
                    .filter(|t| !t.is_empty())
                    .ok_or_else(|| anyhow!("{at}: x-crisp-tiers is missing"))?;
                let aliases = string_list(op.get("x-crisp-aliases")).unwrap_or_default();
                let pagination = op
                    .get("x-crisp-pagination")
                    .and_then(Value::as_str)
                    .map(str::to_string);
                let responses = op
                    .get_mut("responses")
                    .and_then(Value::as_object_mut)
                    .ok_or_else(|| anyhow!("{at}: no responses"))?;
                let success = responses
                    .get("2XX")
                    .ok_or_else(|| anyhow!("{at}: success must be declared as 2XX"))?;
                let success_example = success
                    .pointer("/content/application~1json/example")
                    .cloned();
                let output = if *method == "head" {
                    if success.get("content").is_some() {
                        bail!("{at}: a HEAD answer has no body");
                    }
                    Output::Exists
                } else {
                    let reference = success
                        .pointer("/content/application~1json/schema/$ref")
                        .and_then(Value::as_str)
                        .ok_or_else(|| anyhow!("{at}: 2XX must refer to an *Envelope schema"))?;
                    let name = reference.trim_start_matches("#/components/schemas/");
                    data_types
                        .get(name)
                        .cloned()
                        .ok_or_else(|| anyhow!("{at}: {name} is not an envelope schema"))?
                };
                // The hand layer decodes error envelopes; progenitor sees only the success.
                responses.retain(|status, _| status == "2XX");
                if let Some(pagination) = &pagination {
                    if !matches!(output, Output::List(_)) {
                        bail!("{at}: x-crisp-pagination needs a list of items as data");
                    }
                    if pagination != "page" && pagination != "timestamp" {
                        bail!("{at}: x-crisp-pagination is `page` or `timestamp`");
                    }
                }
                let mut params = Vec::new();
                for list in [&shared_params, op.get("parameters").unwrap_or(&Value::Null)] {
                    for p in list.as_array().into_iter().flatten() {
                        params.push(resolve(&components, p)?);
                    }
                }
                let string_path_params = params
                    .iter()
                    .filter(|p| p.get("in").and_then(Value::as_str) == Some("path"))
                    .filter(|p| p.pointer("/schema/type").and_then(Value::as_str) == Some("string"))
                    .filter_map(|p| p.get("name").and_then(Value::as_str).map(str::to_string))
                    .collect();
                let params = params
                    .iter()
                    .filter_map(|p| {
                        Some(Param {
                            name: p.get("name")?.as_str()?.to_string(),
                            location: p.get("in")?.as_str()?.to_string(),
                            required: p.get("required").and_then(Value::as_bool) == Some(true),
                            schema: p.get("schema").cloned().unwrap_or(Value::Null),
                            example: p
                                .get("example")
                                .or_else(|| p.pointer("/schema/example"))
                                .cloned(),
                        })
                    })
                    .collect();
                let body = op
                    .pointer("/requestBody/content/application~1json")
                    .map(|json| Body {
                        component: json
                            .pointer("/schema/$ref")
                            .and_then(Value::as_str)
                            .map(|r| r.trim_start_matches("#/components/schemas/").to_string()),
                        example: json.get("example").cloned(),
                    });
                let empty_body = op
                    .pointer("/requestBody/content/application~1json/schema/$ref")
                    .and_then(Value::as_str)
                    == Some("#/components/schemas/EmptyBody");
                operations.push(Operation {
                    empty_body,
                    id,
                    method: method.to_uppercase(),
                    path: path.clone(),
                    tiers,
                    aliases,
                    pagination,
                    string_path_params,
                    output,
                    params,
                    body,
                    success_example,
                });
            }
        }
        operations.sort_by(|a, b| a.id.cmp(&b.id));
        let mut seen = std::collections::BTreeSet::new();
        for name in operations
            .iter()
            .flat_map(|o| std::iter::once(&o.id).chain(&o.aliases))
        {
            if !seen.insert(name.clone()) {
                bail!("method name `{name}` is used twice (operationId or x-crisp-aliases)");
            }
        }
        let progenitor_spec: openapiv3::OpenAPI =
            serde_json::from_value(raw).context("spec is not an OpenAPI 3.0 document")?;
        Ok(Self {
            progenitor_spec,
            envelopes,
            operations,
        })
    }
}

/// Follows a `#/components/parameters/...` reference.
fn resolve(components: &Value, p: &Value) -> Result<Value> {
    match p.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let name = r
                .strip_prefix("#/components/parameters/")
                .ok_or_else(|| anyhow!("unsupported parameter reference {r}"))?;
            components
                .pointer(&format!("/parameters/{name}"))
                .cloned()
                .ok_or_else(|| anyhow!("unknown parameter {r}"))
        }
        None => Ok(p.clone()),
    }
}

/// The Rust type of the `data` of an envelope schema built as
/// `allOf: [$ref Envelope, {properties: {data: ...}}]`.
fn envelope_data(name: &str, schema: &Value) -> Result<Output> {
    let parts = schema
        .get("allOf")
        .and_then(Value::as_array)
        .ok_or_else(|| anyhow!("{name}: an envelope is `allOf: [Envelope, {{data}}]`"))?;
    if parts
        .first()
        .and_then(|p| p.get("$ref"))
        .and_then(Value::as_str)
        != Some("#/components/schemas/Envelope")
    {
        bail!("{name}: the first part of an envelope is `$ref: Envelope`");
    }
    let Some(data) = parts.get(1).and_then(|p| p.pointer("/properties/data")) else {
        return Ok(Output::Nothing);
    };
    if let Some(t) = rust_type(data) {
        return Ok(Output::Data(t));
    }
    if data.get("type").and_then(Value::as_str) == Some("array") {
        if let Some(t) = data.get("items").and_then(rust_type) {
            return Ok(Output::List(t));
        }
    }
    if data.get("type").and_then(Value::as_str) == Some("object")
        && data.get("properties").is_none()
    {
        return Ok(Output::Nothing);
    }
    bail!("{name}: `data` must be a $ref, an array of $ref or a primitive; move inline objects to components")
}

fn rust_type(schema: &Value) -> Option<String> {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        return Some(format!(
            "crate::types::{}",
            r.trim_start_matches("#/components/schemas/")
        ));
    }
    match (
        schema.get("type").and_then(Value::as_str),
        schema.get("format").and_then(Value::as_str),
    ) {
        (Some("string"), _) => Some("::std::string::String".into()),
        (Some("boolean"), _) => Some("bool".into()),
        (Some("integer"), Some("uint32")) => Some("u32".into()),
        (Some("integer"), _) => Some("i64".into()),
        (Some("number"), _) => Some("f64".into()),
        _ => None,
    }
}

fn str_field(op: &Value, field: &str, at: &str) -> Result<String> {
    op.get(field)
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| anyhow!("{at}: `{field}` is missing"))
}

fn string_list(v: Option<&Value>) -> Option<Vec<String>> {
    v?.as_array()?
        .iter()
        .map(|x| x.as_str().map(str::to_string))
        .collect()
}
