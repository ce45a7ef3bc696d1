//! Bundles the spec's sources, `spec/parts/_base.yaml` and one file per API group, into the one
//! OpenAPI document other tools read (`spec/crisp-rest-v1.yaml`).
//!
//! A part says only what is particular to its endpoints. For every operation the bundler adds:
//! - the group's tag (the part's file name, e.g. `website-conversation`);
//! - the success answer: Crisp's envelope around `x-crisp-data` (a component named after the
//!   data, `ConversationEnvelope`, `ConversationListEnvelope`, `EmptyEnvelope`, …), with the
//!   example `{error: false, reason: x-crisp-reason, data: x-crisp-example}`;
//! - the `4XX` and `5XX` answers (Crisp's error envelope; no body for HEAD).
//!
//! It fails, naming both files, on a path, operationId, alias or component defined twice.

use anyhow::{anyhow, bail, Context, Result};
use serde_yaml::{Mapping, Value};
use std::collections::BTreeMap;
use std::path::Path;

/// Where the sources are, relative to the workspace root.
pub const PARTS: &str = "spec/parts";
/// The part holding what every group shares; bundled first.
const BASE: &str = "_base.yaml";

const METHODS: [&str; 6] = ["get", "head", "post", "put", "patch", "delete"];

/// Keys a part uses to describe an operation's answer; the bundler turns them into `responses`.
const ANSWER_KEYS: [&str; 4] = [
    "x-crisp-answer",
    "x-crisp-data",
    "x-crisp-reason",
    "x-crisp-example",
];

/// Reads every part under `dir` and returns the bundled document.
pub fn bundle(dir: &Path) -> Result<Value> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    let base_path = dir.join(BASE);
    if !files.contains(&base_path) {
        bail!("{} is missing", base_path.display());
    }
    files.retain(|p| p != &base_path);
    let read = |path: &Path| -> Result<Value> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        serde_yaml::from_str(&text).with_context(|| format!("{} is not valid YAML", path.display()))
    };
    let mut bundler = Bundler::new(read(&base_path)?)?;
    for path in &files {
        let group = path
            .file_stem()
            .and_then(|s| s.to_str())
            .ok_or_else(|| anyhow!("{}: bad file name", path.display()))?
            .to_string();
        bundler
            .add_part(&group, read(path)?)
            .with_context(|| format!("in {}", path.display()))?;
    }
    bundler.finish()
}

struct Bundler {
    doc: Mapping,
    /// Where each path, operationId or component was defined, for duplicate errors.
    origin: BTreeMap<String, String>,
    tags: Vec<Value>,
    paths: Mapping,
    /// Envelope components made so far: name → the `data` schema they wrap (None: no data).
    envelopes: BTreeMap<String, Option<Value>>,
    /// Real-time event name → payload schema (`x-crisp-events`).
    events: Mapping,
}

impl Bundler {
    fn new(base: Value) -> Result<Self> {
        let Value::Mapping(doc) = base else {
            bail!("{BASE} is not a mapping");
        };
        for key in ["paths", "tags"] {
            if doc.contains_key(key) {
                bail!("{BASE} must not have `{key}`: paths and tags come from the group parts");
            }
        }
        let mut origin = BTreeMap::new();
        let components = doc
            .get("components")
            .and_then(Value::as_mapping)
            .ok_or_else(|| anyhow!("{BASE} has no components"))?;
        for (kind, items) in components {
            for (name, _) in items.as_mapping().into_iter().flatten() {
                origin.insert(
                    format!("components/{}/{}", str_of(kind)?, str_of(name)?),
                    BASE.to_string(),
                );
            }
        }
        Ok(Self {
            doc,
            origin,
            tags: Vec::new(),
            paths: Mapping::new(),
            envelopes: BTreeMap::new(),
            events: Mapping::new(),
        })
    }

    fn claim(&mut self, what: String, part: &str) -> Result<()> {
        if let Some(first) = self.origin.get(&what) {
            bail!("{what} is defined twice: in {first} and in {part}.yaml");
        }
        self.origin.insert(what, format!("{part}.yaml"));
        Ok(())
    }

    fn add_part(&mut self, group: &str, part: Value) -> Result<()> {
        let Value::Mapping(part) = part else {
            bail!("a part is a mapping");
        };
        for key in part.keys() {
            let key = str_of(key)?;
            if !matches!(
                key,
                "x-crisp-group" | "x-crisp-events" | "paths" | "components"
            ) {
                bail!(
                    "unexpected top-level key `{key}` (a part has x-crisp-group, paths, components; \
                     or x-crisp-events, components)"
                );
            }
        }
        // The real-time events' part: event name → payload schema, and no paths.
        if let Some(events) = part.get("x-crisp-events") {
            if part.contains_key("paths") || part.contains_key("x-crisp-group") {
                bail!("a part with x-crisp-events has no paths and no x-crisp-group");
            }
            let events = events
                .as_mapping()
                .ok_or_else(|| anyhow!("x-crisp-events maps event names to schemas"))?;
            for (name, event) in events {
                let name_str = str_of(name)?;
                self.claim(format!("event `{name_str}`"), group)?;
                let has_ref = event
                    .get("schema")
                    .and_then(|s| s.get("$ref"))
                    .and_then(Value::as_str)
                    .is_some();
                if !has_ref || event.get("example").is_none() || event.get("description").is_none()
                {
                    bail!(
                        "x-crisp-events.{name_str}: `description`, `schema` (a `$ref` to the \
                         payload's component schema) and `example` (a payload)"
                    );
                }
                self.events.insert(name.clone(), event.clone());
            }
            return self.add_components(group, &part);
        }
        let description = part
            .get("x-crisp-group")
            .and_then(|g| g.get("description"))
            .and_then(Value::as_str)
            .ok_or_else(|| anyhow!("x-crisp-group.description is missing"))?;
        let mut tag = Mapping::new();
        tag.insert("name".into(), group.into());
        tag.insert("description".into(), description.into());
        self.tags.push(Value::Mapping(tag));

        self.add_components(group, &part)?;
        self.add_paths(group, &part)
    }

    fn add_components(&mut self, group: &str, part: &Mapping) -> Result<()> {
        if let Some(components) = part.get("components") {
            let components = components
                .as_mapping()
                .ok_or_else(|| anyhow!("components is not a mapping"))?;
            for (kind, items) in components {
                let kind = str_of(kind)?.to_string();
                let items = items
                    .as_mapping()
                    .ok_or_else(|| anyhow!("components/{kind} is not a mapping"))?;
                for (name, item) in items {
                    let name = str_of(name)?.to_string();
                    if kind == "schemas" && name.ends_with("Envelope") {
                        bail!(
                            "components/schemas/{name}: `*Envelope` names are made by the bundler \
                             from x-crisp-data; rename the schema"
                        );
                    }
                    self.claim(format!("components/{kind}/{name}"), group)?;
                    component_map(&mut self.doc, &kind)?.insert(name.into(), item.clone());
                }
            }
        }
        Ok(())
    }

    fn add_paths(&mut self, group: &str, part: &Mapping) -> Result<()> {
        let paths = match part.get("paths") {
            Some(Value::Mapping(paths)) => paths.clone(),
            Some(_) => bail!("paths is not a mapping"),
            None => Mapping::new(),
        };
        for (path, item) in paths {
            let path = str_of(&path)?.to_string();
            self.claim(format!("path {path}"), group)?;
            let Value::Mapping(mut item) = item else {
                bail!("{path} is not a mapping");
            };
            for (key, op) in item.iter_mut() {
                let method = str_of(key)?;
                if method == "parameters" {
                    continue;
                }
                if !METHODS.contains(&method) {
                    bail!("{path}: unexpected key `{method}`");
                }
                let at = format!("{} {path}", method.to_uppercase());
                let Value::Mapping(op) = op else {
                    bail!("{at} is not a mapping");
                };
                self.operation(group, method, op)
                    .with_context(|| at.clone())?;
            }
            self.paths.insert(path.into(), Value::Mapping(item));
        }
        Ok(())
    }

    fn operation(&mut self, group: &str, method: &str, op: &mut Mapping) -> Result<()> {
        let id = op
            .get("operationId")
            .and_then(Value::as_str)
            .ok_or_else(|| anyhow!("operationId is missing"))?
            .to_string();
        self.claim(format!("method name `{id}`"), group)?;
        if let Some(aliases) = op.get("x-crisp-aliases").and_then(Value::as_sequence) {
            for alias in aliases.clone() {
                self.claim(format!("method name `{}`", str_of(&alias)?), group)?;
            }
        }
        match op.get("tags") {
            None => {
                op.insert("tags".into(), Value::Sequence(vec![group.into()]));
            }
            Some(tags) if tags == &Value::Sequence(vec![group.into()]) => {}
            Some(_) => {
                bail!("tags: an operation's one tag is its part's group `{group}` (leave it out)")
            }
        }
        if op.contains_key("responses") {
            bail!(
                "responses are written by the bundler: describe the answer with x-crisp-data, \
                 x-crisp-example, x-crisp-reason and x-crisp-answer"
            );
        }
        let mut answer: BTreeMap<&str, Value> = BTreeMap::new();
        for key in ANSWER_KEYS {
            if let Some(v) = op.remove(key) {
                answer.insert(key, v);
            }
        }
        let mut responses = Mapping::new();
        if method == "head" {
            if answer.keys().any(|k| *k != "x-crisp-answer") {
                bail!("a HEAD answer has no body: only x-crisp-answer applies");
            }
            let ok = answer
                .remove("x-crisp-answer")
                .unwrap_or_else(|| "It exists (the answer has no body).".into());
            responses.insert("2XX".into(), described(ok));
            responses.insert(
                "4XX".into(),
                described(
                    "404: it does not exist; 401, 403: the token or its tier may not ask \
                     (no body)."
                        .into(),
                ),
            );
            responses.insert("5XX".into(), described("A server error (no body).".into()));
        } else {
            let data = answer.remove("x-crisp-data");
            let example = answer.remove("x-crisp-example");
            let envelope = self.envelope(data.as_ref())?;
            let example = match (&data, example) {
                (Some(_), Some(example)) => example,
                (Some(_), None) => bail!("x-crisp-example (the example of `data`) is missing"),
                (None, Some(_)) => bail!("x-crisp-example without x-crisp-data"),
                (None, None) => Value::Mapping(Mapping::new()),
            };
            let reason = answer
                .remove("x-crisp-reason")
                .unwrap_or_else(|| default_reason(method, data.as_ref()).into());
            let description = answer.remove("x-crisp-answer").unwrap_or_else(|| {
                match &data {
                    Some(_) => "Success: Crisp's envelope around the data.",
                    None => "Success: Crisp's envelope, without data.",
                }
                .into()
            });
            let mut full = Mapping::new();
            full.insert("error".into(), false.into());
            full.insert("reason".into(), reason);
            full.insert("data".into(), example);
            let mut json = Mapping::new();
            json.insert("schema".into(), reference("schemas", &envelope));
            json.insert("example".into(), Value::Mapping(full));
            let mut content = Mapping::new();
            content.insert("application/json".into(), Value::Mapping(json));
            let mut ok = Mapping::new();
            ok.insert("description".into(), description);
            ok.insert("content".into(), Value::Mapping(content));
            responses.insert("2XX".into(), Value::Mapping(ok));
            responses.insert("4XX".into(), reference("responses", "Error"));
            responses.insert("5XX".into(), reference("responses", "Error"));
        }
        op.insert("responses".into(), Value::Mapping(responses));
        Ok(())
    }

    /// The name of the envelope component around `data`, made on first use.
    fn envelope(&mut self, data: Option<&Value>) -> Result<String> {
        let name = match data {
            None => "EmptyEnvelope".to_string(),
            Some(data) => format!("{}Envelope", data_name(data)?),
        };
        match self.envelopes.get(&name) {
            Some(seen) if seen.as_ref() != data => {
                bail!("two operations need {name} around different data schemas")
            }
            Some(_) => return Ok(name),
            None => {}
        }
        self.envelopes.insert(name.clone(), data.cloned());
        let mut parts = vec![reference("schemas", "Envelope")];
        let description = match data {
            Some(data) => {
                let mut properties = Mapping::new();
                properties.insert("data".into(), data.clone());
                let mut with_data = Mapping::new();
                with_data.insert("type".into(), "object".into());
                with_data.insert("properties".into(), Value::Mapping(properties));
                parts.push(Value::Mapping(with_data));
                format!("Crisp's envelope around `{}`.", data_name(data)?)
            }
            None => "Crisp's envelope of an answer that carries no data.".to_string(),
        };
        let mut schema = Mapping::new();
        schema.insert("description".into(), description.into());
        schema.insert("allOf".into(), Value::Sequence(parts));
        component_map(&mut self.doc, "schemas")?
            .insert(name.clone().into(), Value::Mapping(schema));
        Ok(name)
    }

    /// The document in the usual order: info first, then tags, paths and components.
    fn finish(mut self) -> Result<Value> {
        self.doc.insert("tags".into(), Value::Sequence(self.tags));
        self.doc.insert("paths".into(), Value::Mapping(self.paths));
        if !self.events.is_empty() {
            self.doc
                .insert("x-crisp-events".into(), Value::Mapping(self.events));
        }
        let mut ordered = Mapping::new();
        for key in [
            "openapi",
            "info",
            "servers",
            "security",
            "x-crisp-token-scopes",
            "tags",
            "paths",
            "x-crisp-events",
            "components",
        ] {
            if let Some(v) = self.doc.remove(key) {
                ordered.insert(key.into(), v);
            }
        }
        if let Some((key, _)) = self.doc.iter().next() {
            bail!("{BASE}: unexpected top-level key `{}`", str_of(key)?);
        }
        Ok(Value::Mapping(ordered))
    }
}

/// The name an envelope takes from its data: `Conversation`, `ConversationList`, `StringList`.
fn data_name(data: &Value) -> Result<String> {
    if let Some(r) = data.get("$ref").and_then(Value::as_str) {
        return Ok(r.trim_start_matches("#/components/schemas/").to_string());
    }
    match data.get("type").and_then(Value::as_str) {
        Some("array") => {
            let items = data
                .get("items")
                .ok_or_else(|| anyhow!("x-crisp-data: an array needs items"))?;
            Ok(format!("{}List", data_name(items)?))
        }
        Some(t @ ("string" | "integer" | "number" | "boolean")) if data.get("format").is_none() => {
            let mut name = t.to_string();
            name[..1].make_ascii_uppercase();
            Ok(name)
        }
        _ => bail!(
            "x-crisp-data is a $ref to a schema, an array of them, or a primitive without format; \
             move inline objects to components/schemas"
        ),
    }
}

/// The success `reason` when the part does not say: Crisp's usual words.
fn default_reason(method: &str, data: Option<&Value>) -> &'static str {
    let list = data.and_then(|d| d.get("type")).and_then(Value::as_str) == Some("array");
    match method {
        "get" if list => "listed",
        "get" => "resolved",
        "post" => "added",
        "put" | "patch" => "updated",
        "delete" => "deleted",
        _ => "done",
    }
}

fn described(description: Value) -> Value {
    let mut m = Mapping::new();
    m.insert("description".into(), description);
    Value::Mapping(m)
}

fn reference(kind: &str, name: &str) -> Value {
    let mut m = Mapping::new();
    m.insert("$ref".into(), format!("#/components/{kind}/{name}").into());
    Value::Mapping(m)
}

fn component_map<'a>(doc: &'a mut Mapping, kind: &str) -> Result<&'a mut Mapping> {
    let components = doc
        .entry("components".into())
        .or_insert_with(|| Value::Mapping(Mapping::new()))
        .as_mapping_mut()
        .ok_or_else(|| anyhow!("components is not a mapping"))?;
    components
        .entry(kind.into())
        .or_insert_with(|| Value::Mapping(Mapping::new()))
        .as_mapping_mut()
        .ok_or_else(|| anyhow!("components/{kind} is not a mapping"))
}

fn str_of(v: &Value) -> Result<&str> {
    v.as_str()
        .ok_or_else(|| anyhow!("expected a string key, found {v:?}"))
}

/// The bundled document as the committed YAML file, with a header saying where it comes from.
pub fn to_yaml(doc: &Value) -> Result<String> {
    let body = serde_yaml::to_string(doc)?;
    Ok(format!(
        "# @generated by `cargo xtask regen` from {PARTS}/*.yaml: do not edit by hand.\n\
         # Crisp REST API V1, OpenAPI 3.0.3. Edit the part of the API group, then run `cargo xtask regen`.\n\
         {body}"
    ))
}

/// The bundled document as compact JSON, for the embedded mock (no YAML parser needed there).
pub fn to_json(doc: &Value) -> Result<String> {
    let json: serde_json::Value = serde_yaml::from_value(doc.clone())?;
    Ok(serde_json::to_string(&json)? + "\n")
}

#[cfg(test)]
mod tests {
    use super::bundle;
    use std::path::PathBuf;

    const BASE: &str = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\ncomponents:\n  \
        responses: {Error: {description: e}}\n  schemas:\n    Envelope: {type: object, description: e}\n";

    fn dir(name: &str, parts: &[(&str, &str)]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-bundle-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("_base.yaml"), BASE).unwrap();
        for (file, text) in parts {
            std::fs::write(dir.join(file), text).unwrap();
        }
        dir
    }

    fn part(path: &str, id: &str, schema: &str) -> String {
        format!(
            "x-crisp-group: {{description: d}}\npaths:\n  {path}:\n    get:\n      operationId: {id}\n      \
             x-crisp-data: {{$ref: '#/components/schemas/{schema}'}}\n      x-crisp-example: {{a: 1}}\n\
             components:\n  schemas:\n    {schema}: {{type: object, description: d}}\n"
        )
    }

    #[test]
    fn adds_tag_envelope_example_and_errors() {
        let d = dir("ok", &[("a-group.yaml", &part("/a", "get_a", "A"))]);
        let doc = bundle(&d).unwrap();
        let op = &doc["paths"]["/a"]["get"];
        assert_eq!(op["tags"][0], "a-group");
        let ok = &op["responses"]["2XX"]["content"]["application/json"];
        assert_eq!(ok["schema"]["$ref"], "#/components/schemas/AEnvelope");
        assert_eq!(ok["example"]["reason"], "resolved");
        assert_eq!(ok["example"]["data"]["a"], 1);
        assert_eq!(
            op["responses"]["4XX"]["$ref"],
            "#/components/responses/Error"
        );
        assert!(op.get("x-crisp-example").is_none());
        assert!(doc["components"]["schemas"].get("AEnvelope").is_some());
        assert_eq!(doc["tags"][0]["name"], "a-group");
    }

    #[test]
    fn refuses_duplicates_naming_both_files() {
        for (name, second) in [
            ("path", part("/a", "get_b", "B")),
            ("operation", part("/b", "get_a", "B")),
            ("schema", part("/b", "get_b", "A")),
        ] {
            let d = dir(
                name,
                &[
                    ("one.yaml", &part("/a", "get_a", "A")),
                    ("two.yaml", &second),
                ],
            );
            let error = format!("{:#}", bundle(&d).unwrap_err());
            assert!(
                error.contains("defined twice: in one.yaml and in two.yaml"),
                "{name}: {error}"
            );
        }
    }

    #[test]
    fn refuses_responses_and_examples_without_data() {
        let with_responses = "x-crisp-group: {description: d}\npaths:\n  /a:\n    get:\n      \
            operationId: get_a\n      responses: {}\n";
        let d = dir("responses", &[("one.yaml", with_responses)]);
        assert!(format!("{:#}", bundle(&d).unwrap_err())
            .contains("responses are written by the bundler"));
        let missing = "x-crisp-group: {description: d}\npaths:\n  /a:\n    get:\n      operationId: get_a\n      \
            x-crisp-data: {type: string}\n";
        let d = dir("example", &[("one.yaml", missing)]);
        assert!(format!("{:#}", bundle(&d).unwrap_err()).contains("x-crisp-example"));
    }
}
