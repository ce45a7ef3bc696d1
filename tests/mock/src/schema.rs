//! OpenAPI 3.0 schema objects rewritten as JSON Schema (draft 4), which the validator reads.
//!
//! OpenAPI 3.0's schema object is a dialect of JSON Schema draft 4 (boolean
//! `exclusiveMinimum`, `$ref` that ignores its siblings) with a few keywords of its own. The
//! rewrite keeps what constrains a value and turns OpenAPI's own keywords into JSON Schema:
//! - `nullable: true` adds `null` to `type` (and to `enum`), or wraps the schema in
//!   `anyOf: [schema, {type: null}]` when it has no `type` (a `$ref`, an `allOf`);
//! - the integer `format`s (`int8` … `int64`, `uint8` … `uint64`) become `minimum` and
//!   `maximum` (the tighter of the format's range and the schema's own bounds), the formats
//!   the validator knows (`email`, `date-time`, `uri`, …) stay, and the others (`double`,
//!   `password`, `byte`, …) are dropped: they do not constrain a JSON value;
//! - `x-extensible-enum` (an open enum: the list of values known today) is a closed `enum` in
//!   requests, so that a client sending a value nobody knows is caught, and nothing in
//!   answers, so that a value Crisp adds later is not an error; an open enum whose requests
//!   may carry values of a known form besides the listed ones (a message's `origin`: `chat`,
//!   `email` or an integration URN) says so with a `pattern`, which then replaces the list in
//!   requests (and, like the list, constrains nothing in answers);
//! - a `readOnly` property is not required in a request, a `writeOnly` one not in an answer;
//! - annotations (`example`, `description`, `discriminator`, `x-*`, …) are dropped;
//! - `#/components/...` references point into the document the validator registers under
//!   [`spec_uri`].
//!
//! Only the keywords that hold schemas (`properties`, `items`, `allOf`, …) are walked, so a
//! property named `example` or `nullable` is kept, and values (`enum`, `default`) are copied
//! as they are.

use serde_json::{json, Map, Value};

/// Which side of the exchange a schema describes: open enums and `readOnly` / `writeOnly`
/// differ between them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    /// What the client sends.
    Request,
    /// What the server answers.
    Response,
}

/// The URI the converted components are registered under, for one direction.
pub(crate) fn spec_uri(direction: Direction) -> &'static str {
    match direction {
        Direction::Request => "urn:crisp-mock:spec:request",
        Direction::Response => "urn:crisp-mock:spec:response",
    }
}

/// The formats the validator checks; the others are annotations here.
const CHECKED_FORMATS: &[&str] = &[
    "email",
    "date-time",
    "date",
    "uri",
    "uuid",
    "ipv4",
    "ipv6",
    "hostname",
];

/// The range of an integer `format`.
fn integer_range(format: &str) -> Option<(i128, i128)> {
    Some(match format {
        "int8" => (i8::MIN.into(), i8::MAX.into()),
        "int16" => (i16::MIN.into(), i16::MAX.into()),
        "int32" => (i32::MIN.into(), i32::MAX.into()),
        "int64" => (i64::MIN.into(), i64::MAX.into()),
        "uint8" => (0, u8::MAX.into()),
        "uint16" => (0, u16::MAX.into()),
        "uint32" => (0, u32::MAX.into()),
        "uint64" => (0, u64::MAX.into()),
        _ => return None,
    })
}

/// A JSON number for an integer bound (`u64` above `i64::MAX`).
fn bound(value: i128) -> Value {
    match i64::try_from(value) {
        Ok(v) => json!(v),
        Err(_) => json!(u64::try_from(value).unwrap_or(u64::MAX)),
    }
}

/// The spec's `components` section converted for `direction`: what the validator registers
/// under [`spec_uri`].
pub(crate) fn components(spec: &Value, direction: Direction) -> Value {
    let schemas: Map<String, Value> = spec["components"]["schemas"]
        .as_object()
        .map(|schemas| {
            schemas
                .iter()
                .map(|(name, schema)| (name.clone(), convert(schema, direction)))
                .collect()
        })
        .unwrap_or_default();
    json!({"components": {"schemas": schemas}})
}

/// One OpenAPI schema object as JSON Schema, for `direction`.
pub(crate) fn convert(schema: &Value, direction: Direction) -> Value {
    let Value::Object(object) = schema else {
        // `true` / `false` (only valid as `additionalProperties`) or something that is not a
        // schema: kept, the validator judges it.
        return schema.clone();
    };
    if let Some(Value::String(reference)) = object.get("$ref") {
        let reference = match reference.strip_prefix('#') {
            Some(pointer) => format!("{}#{pointer}", spec_uri(direction)),
            None => reference.clone(),
        };
        let converted = json!({"$ref": reference});
        return if object.get("nullable") == Some(&Value::Bool(true)) {
            json!({"anyOf": [converted, {"type": "null"}]})
        } else {
            converted
        };
    }

    let mut out = Map::new();
    let open_enum = object.contains_key("x-extensible-enum");
    let mut minimum: Option<Value> = object.get("minimum").cloned();
    let mut maximum: Option<Value> = object.get("maximum").cloned();
    for (key, value) in object {
        match key.as_str() {
            "properties" => {
                let properties = value
                    .as_object()
                    .map(|p| {
                        p.iter()
                            .map(|(name, s)| (name.clone(), convert(s, direction)))
                            .collect::<Map<_, _>>()
                    })
                    .unwrap_or_default();
                out.insert(key.clone(), Value::Object(properties));
            }
            "items" | "additionalProperties" | "not" => {
                out.insert(key.clone(), convert(value, direction));
            }
            "allOf" | "anyOf" | "oneOf" => {
                let list = value
                    .as_array()
                    .map(|l| l.iter().map(|s| convert(s, direction)).collect())
                    .unwrap_or_default();
                out.insert(key.clone(), Value::Array(list));
            }
            "required" => {
                let hidden = |name: &str| {
                    let flag = match direction {
                        Direction::Request => "readOnly",
                        Direction::Response => "writeOnly",
                    };
                    object["properties"][name][flag] == Value::Bool(true)
                };
                let required: Vec<Value> = value
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|name| !name.as_str().is_some_and(hidden))
                    .cloned()
                    .collect();
                if !required.is_empty() {
                    out.insert(key.clone(), Value::Array(required));
                }
            }
            "format" => {
                let format = value.as_str().unwrap_or_default();
                if let Some((low, high)) = integer_range(format) {
                    minimum = Some(tighter(minimum.take(), bound(low), |a, b| a > b));
                    maximum = Some(tighter(maximum.take(), bound(high), |a, b| a < b));
                } else if CHECKED_FORMATS.contains(&format) {
                    out.insert(key.clone(), value.clone());
                }
            }
            // With a pattern, the pattern (copied below) is the rule in requests.
            "x-extensible-enum"
                if direction == Direction::Request && !object.contains_key("pattern") =>
            {
                out.insert("enum".into(), value.clone());
            }
            "pattern" if open_enum && direction == Direction::Response => {}
            "minimum" | "maximum" | "nullable" => {}
            "type" | "enum" | "default" | "exclusiveMinimum" | "exclusiveMaximum"
            | "multipleOf" | "minLength" | "maxLength" | "pattern" | "minItems" | "maxItems"
            | "uniqueItems" | "minProperties" | "maxProperties" => {
                out.insert(key.clone(), value.clone());
            }
            // Annotations and OpenAPI's own keywords: example, description, title,
            // discriminator, readOnly, writeOnly, deprecated, externalDocs, xml, x-*.
            _ => {}
        }
    }
    if let Some(minimum) = minimum {
        out.insert("minimum".into(), minimum);
    }
    if let Some(maximum) = maximum {
        out.insert("maximum".into(), maximum);
    }

    if object.get("nullable") == Some(&Value::Bool(true)) {
        return nullable(out);
    }
    Value::Object(out)
}

/// The tighter of a schema's own bound and a format's: `better(a, b)` says `a` is tighter.
fn tighter(own: Option<Value>, format: Value, better: fn(f64, f64) -> bool) -> Value {
    match own {
        Some(own) => match (own.as_f64(), format.as_f64()) {
            (Some(a), Some(b)) if !better(a, b) => format,
            _ => own,
        },
        None => format,
    }
}

/// `schema` or `null`: `null` joins a plain `type` (and its `enum`); a schema that composes
/// others (`allOf`, …), which would refuse `null`, is wrapped in `anyOf`.
fn nullable(mut schema: Map<String, Value>) -> Value {
    let composed = ["allOf", "anyOf", "oneOf", "not"]
        .iter()
        .any(|k| schema.contains_key(*k));
    match schema.get_mut("type") {
        Some(Value::String(t)) if !composed => {
            let t = std::mem::take(t);
            schema.insert("type".into(), json!([t, "null"]));
            if let Some(Value::Array(values)) = schema.get_mut("enum") {
                if !values.contains(&Value::Null) {
                    values.push(Value::Null);
                }
            }
            Value::Object(schema)
        }
        _ => json!({"anyOf": [Value::Object(schema), {"type": "null"}]}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(schema: Value) -> Value {
        convert(&schema, Direction::Request)
    }

    #[test]
    fn nullable_adds_null_to_the_type_and_the_enum() {
        assert_eq!(
            request(json!({"type": "string", "enum": ["a"], "nullable": true})),
            json!({"type": ["string", "null"], "enum": ["a", null]})
        );
        assert_eq!(
            request(json!({"allOf": [{"type": "object"}], "nullable": true})),
            json!({"anyOf": [{"allOf": [{"type": "object"}]}, {"type": "null"}]})
        );
        // With a type too: the composed schema would still refuse null.
        assert_eq!(
            request(json!({"type": "object", "allOf": [{"type": "object"}], "nullable": true})),
            json!({"anyOf": [
                {"type": "object", "allOf": [{"type": "object"}]},
                {"type": "null"}
            ]})
        );
    }

    #[test]
    fn integer_formats_become_ranges_and_keep_tighter_bounds() {
        assert_eq!(
            request(json!({"type": "integer", "format": "uint8", "minimum": 20, "maximum": 50})),
            json!({"type": "integer", "minimum": 20, "maximum": 50})
        );
        assert_eq!(
            request(json!({"type": "integer", "format": "uint32", "maximum": 1e12})),
            json!({"type": "integer", "minimum": 0, "maximum": 4_294_967_295_u32})
        );
        assert_eq!(
            request(json!({"type": "integer", "format": "uint64"})),
            json!({"type": "integer", "minimum": 0, "maximum": u64::MAX})
        );
    }

    #[test]
    fn annotations_go_and_property_names_that_look_like_keywords_stay() {
        let converted = request(json!({
            "type": "object",
            "description": "d",
            "example": {"x": 1},
            "x-crisp-data": "y",
            "discriminator": {"propertyName": "type"},
            "properties": {
                "example": {"type": "string", "format": "password", "example": "p"},
                "nullable": {"type": "string", "format": "email"}
            }
        }));
        assert_eq!(
            converted,
            json!({
                "type": "object",
                "properties": {
                    "example": {"type": "string"},
                    "nullable": {"type": "string", "format": "email"}
                }
            })
        );
    }

    #[test]
    fn open_enums_are_closed_in_requests_only() {
        let schema = json!({"type": "string", "x-extensible-enum": ["a", "b"]});
        assert_eq!(
            convert(&schema, Direction::Request),
            json!({"type": "string", "enum": ["a", "b"]})
        );
        assert_eq!(
            convert(&schema, Direction::Response),
            json!({"type": "string"})
        );
    }

    #[test]
    fn an_open_enum_with_a_pattern_takes_the_pattern_in_requests() {
        let schema = json!({
            "type": "string", "x-extensible-enum": ["chat"], "pattern": "^(chat|urn:.+)$"
        });
        assert_eq!(
            convert(&schema, Direction::Request),
            json!({"type": "string", "pattern": "^(chat|urn:.+)$"})
        );
        assert_eq!(
            convert(&schema, Direction::Response),
            json!({"type": "string"})
        );
    }

    #[test]
    fn read_only_properties_are_not_required_in_requests() {
        let schema = json!({
            "type": "object",
            "required": ["id", "name"],
            "properties": {"id": {"type": "string", "readOnly": true}, "name": {"type": "string"}}
        });
        assert_eq!(
            convert(&schema, Direction::Request)["required"],
            json!(["name"])
        );
        assert_eq!(
            convert(&schema, Direction::Response)["required"],
            json!(["id", "name"])
        );
    }

    #[test]
    fn references_point_into_the_registered_components() {
        assert_eq!(
            request(json!({"$ref": "#/components/schemas/MessageFrom", "description": "x"})),
            json!({"$ref": "urn:crisp-mock:spec:request#/components/schemas/MessageFrom"})
        );
    }
}
