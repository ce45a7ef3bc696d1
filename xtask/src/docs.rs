//! The documentation of every generated method and setter, written from the spec: what the
//! operation does, its tiers, plugin token scopes and reference, its parameters, and a
//! compiled example built from the spec's examples (only the required parameters, and the body
//! built with the SDK's own constructors and setters, so that the example names the body type).

use crate::spec::{Model, Operation, Output, Param};
use serde_json::Value;

/// The rustdoc of `Client::<name>` (`name` is the operation id or one of its aliases).
pub fn method_doc(op: &Operation, name: &str, model: &Model) -> String {
    let mut doc = String::new();
    doc.push_str(&format!("**{}**\n\n", op.summary));
    if name != op.id {
        doc.push_str(&format!(
            "The same request as [`{0}`](Self::{0}), under the name Crisp's other wrappers use.\n\n",
            op.id
        ));
    }
    if !op.description.is_empty() {
        doc.push_str(&op.description);
        doc.push_str("\n\n");
    }
    let tiers = op
        .tiers
        .iter()
        .map(|t| format!("`{t}`"))
        .collect::<Vec<_>>()
        .join(", ");
    doc.push_str(&format!("`{} {}` · tiers: {tiers}", op.method, op.path));
    if op.tiers.iter().any(|t| t == "plugin") {
        doc.push_str(&format!(" · plugin token scopes: {}", scopes_text(op)));
    }
    if let Some(url) = &op.reference {
        doc.push_str(&format!(" · [Crisp's reference]({url})"));
    }
    doc.push_str("\n\n");
    let output = match &op.output {
        Output::Data(t) => format!("Awaiting the call gives {}", short(t)),
        Output::List(t) => format!("Awaiting the call gives a list of {}", short(t)),
        Output::Nothing => {
            "Awaiting the call gives `()` (Crisp's answer carries no data)".to_string()
        }
        Output::Exists => {
            "Awaiting the call gives `true` when it exists, `false` on 404".to_string()
        }
    };
    let stream = if op.pagination.is_some() {
        "; `.stream()` yields every item, page after page"
    } else {
        ""
    };
    doc.push_str(&format!("{output}{stream}.\n\n"));
    let arguments = op.arguments();
    let options = op.options();
    if !arguments.is_empty() || op.body_argument().is_some() {
        doc.push_str("Arguments:\n");
        for p in &arguments {
            doc.push_str(&format!(
                "- `{}` ({}): {}\n",
                setter_name(&p.name),
                p.location,
                first_sentence(&p.description)
            ));
        }
        if let Some(ty) = op.body_argument() {
            doc.push_str(&format!(
                "- `body`: [`types::{ty}`](crate::types::{ty}) (or anything that converts into one)\n"
            ));
        }
        doc.push('\n');
    }
    if !options.is_empty() {
        doc.push_str("Options (setters on the call):\n");
        for p in &options {
            doc.push_str(&format!(
                "- `.{}(..)`: {}\n",
                setter_name(&p.name),
                first_sentence(&p.description)
            ));
        }
        doc.push('\n');
    }
    doc.push_str("```no_run\n");
    doc.push_str(&example(op, name, model));
    doc.push_str("```");
    doc
}

/// A link to a type of the SDK: `[`Conversation`](crate::types::Conversation)`.
fn short(rust: &str) -> String {
    let name = rust.rsplit("::").next().unwrap_or(rust);
    if rust.starts_with("crate::types::") {
        format!("[`{name}`](crate::types::{name})")
    } else {
        format!("`{name}`")
    }
}

fn first_sentence(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Left in an example whose body could not be built from the spec's example; the xtask
/// refuses such an example.
pub const UNBUILT: &str = "todo!(\"the request body\")";

/// A compiled (`no_run`) example: the required parameters from the spec's examples, the body
/// built with the SDK's constructors, and `.stream()` for paged lists.
pub fn example(op: &Operation, name: &str, model: &Model) -> String {
    let mut lines = Vec::new();
    let args = call_arguments(op, model);
    let uses_types = args.iter().any(|a| a.contains("types::"));
    lines.push(
        "# async fn example(client: crisp_api::Client) -> Result<(), crisp_api::Error> {"
            .to_string(),
    );
    if op.pagination.is_some() {
        lines.push("use crisp_api::TryStreamExt as _;".to_string());
    }
    if uses_types {
        lines.push("use crisp_api::types;".to_string());
        lines.push(String::new());
    }
    let binding = match (&op.output, op.pagination.is_some()) {
        (_, true) => "let mut items = client",
        (Output::Nothing, _) => "client",
        (Output::Exists, _) => "let exists = client",
        (Output::List(_), _) => "let items = client",
        (Output::Data(_), _) => "let data = client",
    };
    let then = if op.pagination.is_some() {
        ".stream();"
    } else {
        ".await?;"
    };
    let one_line = format!("{binding}.{name}({}){then}", args.join(", "));
    if one_line.len() <= 96 {
        lines.push(one_line);
    } else {
        // As rustfmt lays out a long call: one argument a line.
        lines.push(binding.to_string());
        lines.push(format!("    .{name}("));
        for arg in &args {
            lines.push(format!("        {arg},"));
        }
        lines.push("    )".to_string());
        lines.push(format!("    {then}"));
    }
    if op.pagination.is_some() {
        lines.push("while let Some(item) = items.try_next().await? {".to_string());
        lines.push("    println!(\"{item:?}\");".to_string());
        lines.push("}".to_string());
    } else {
        match &op.output {
            Output::Data(_) => lines.push("println!(\"{data:?}\");".to_string()),
            Output::List(_) => lines.push("println!(\"{} items\", items.len());".to_string()),
            Output::Exists => lines.push("println!(\"exists: {exists}\");".to_string()),
            Output::Nothing => {}
        }
    }
    lines.push("# Ok(())".to_string());
    lines.push("# }".to_string());
    lines.join("\n") + "\n"
}

/// The arguments of a call to the operation's method, as Rust expressions: the required
/// parameters from the spec's examples, then the body built with the SDK's constructors
/// ([`UNBUILT`] where one cannot be built; the xtask refuses such a method).
pub fn call_arguments(op: &Operation, model: &Model) -> Vec<String> {
    let body = op.body.as_ref().filter(|_| !op.empty_body).and_then(|b| {
        let component = b.component.as_ref()?;
        let example = b.example.as_ref()?;
        let schema = serde_json::json!({"$ref": format!("#/components/schemas/{component}")});
        Builder { model }.expr(&schema, example, 1)
    });
    let mut args: Vec<String> = op
        .arguments()
        .into_iter()
        .map(|p| argument_expr(p, model).unwrap_or_else(|| UNBUILT.to_string()))
        .collect();
    match body {
        Some(expr) => args.push(expr),
        None if op.body_argument().is_some() => args.push(UNBUILT.to_string()),
        None => {}
    }
    args
}

/// A parameter's example as the argument of its method: a literal, or the variant of its
/// enum (`types::HelpdeskContentType::Articles`).
pub fn argument_expr(p: &Param, model: &Model) -> Option<String> {
    if p.schema.get("$ref").is_some() {
        let example = p.example.as_ref()?;
        return Builder { model }.expr(&p.schema, example, 1);
    }
    param_literal(p)
}

/// [`argument_expr`] as tokens for a test outside the crate (`crisp_api::types::…`).
pub fn argument_tokens(p: &Param, model: &Model) -> Option<proc_macro2::TokenStream> {
    let expr = argument_expr(p, model)?;
    let expr = match expr.strip_prefix("types::") {
        Some(rest) => format!("crisp_api::types::{rest}"),
        None => expr,
    };
    syn::parse_str::<syn::Expr>(&expr)
        .ok()
        .map(quote::ToTokens::into_token_stream)
}

fn param_literal(p: &Param) -> Option<String> {
    let example = p.example.as_ref()?;
    Some(match example {
        Value::String(s) => format!("{s:?}"),
        // Unsuffixed: the argument's type (the parameter's) types it.
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => return None,
    })
}

/// The builder setter progenitor derives from a parameter name.
pub fn setter_name(name: &str) -> String {
    let snake: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    match snake.as_str() {
        "type" | "ref" | "match" | "in" | "fn" | "use" | "mod" | "self" | "where" | "loop" => {
            format!("{snake}_")
        }
        _ => snake,
    }
}

/// Builds Rust expressions from a schema and an example value, with the SDK's constructors
/// (`X::new(required…)`), setters, open enums from `&str` and `json!` for free-form JSON.
struct Builder<'a> {
    model: &'a Model,
}

impl Builder<'_> {
    fn resolve<'s>(&'s self, schema: &'s Value) -> (Option<&'s str>, &'s Value) {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                let name = r.trim_start_matches("#/components/schemas/");
                (
                    Some(name),
                    self.model.components.get(name).unwrap_or(&Value::Null),
                )
            }
            None => (None, schema),
        }
    }

    /// The expression for `value` where a parameter of `schema`'s Rust type is expected.
    /// `into`: the parameter is `impl Into<T>` (so a `&str` works for open enums).
    fn expr(&self, schema: &Value, value: &Value, depth: usize) -> Option<String> {
        if depth > 8 {
            return None;
        }
        // `allOf: [$ref]` (a `$ref` with a sibling such as `nullable`) is the `$ref`.
        if let Some([one]) = schema
            .get("allOf")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
        {
            return self.expr(one, value, depth + 1);
        }
        let (name, schema) = self.resolve(schema);
        if let Some(name) = name {
            // Tagged content is built by the struct holding its tag (see `object`).
            if self.model.schemas.tagged.iter().any(|t| t.name == name) {
                return None;
            }
            if let Some(e) = self
                .model
                .schemas
                .open_enums
                .iter()
                .find(|e| e.name == name)
            {
                let wire = value.as_str()?;
                return Some(match e.values.iter().find(|(w, _)| w == wire) {
                    Some((_, variant)) => format!("types::{name}::{variant}"),
                    None => format!("{wire:?}"),
                });
            }
            if let Some(values) = schema.get("enum").and_then(Value::as_array) {
                let wire = value.as_str()?;
                values
                    .iter()
                    .any(|v| v.as_str() == Some(wire))
                    .then_some(())?;
                let variant = self
                    .model
                    .schemas
                    .varnames
                    .get(name)
                    .and_then(|m| m.get(wire).cloned())
                    .unwrap_or_else(|| crate::type_rules::typify_variant_name(wire));
                return Some(format!("types::{name}::{variant}"));
            }
        }
        // An untagged `oneOf` of a string and free-form JSON: a `&str` or `json!` converts.
        if schema.get("oneOf").is_some() {
            return match value {
                Value::String(s) => Some(format!("{s:?}")),
                other => Some(format!("crisp_api::serde_json::json!({other})")),
            };
        }
        if is_free_form(schema)
            || schema
                .as_object()
                .is_some_and(|o| o.keys().all(|k| k == "description"))
        {
            return Some(format!("crisp_api::serde_json::json!({value})"));
        }
        match schema.get("type").and_then(Value::as_str) {
            Some("string") => value.as_str().map(|s| format!("{s:?}")),
            Some("integer") => value.as_i64().map(|n| n.to_string()),
            Some("number") => value.as_f64().map(|n| {
                let s = n.to_string();
                if s.contains('.') || s.contains('e') {
                    s
                } else {
                    format!("{s}.0")
                }
            }),
            Some("boolean") => value.as_bool().map(|b| b.to_string()),
            Some("array") => {
                let items = schema.get("items")?;
                let parts: Option<Vec<String>> = value
                    .as_array()?
                    .iter()
                    .map(|v| self.expr(items, v, depth + 1))
                    .collect();
                let parts = parts?;
                if parts.is_empty() {
                    // An empty list (clearing one): only strings need no type annotation here.
                    return (items.get("type").and_then(Value::as_str) == Some("string"))
                        .then(|| "Vec::<&str>::new()".to_string());
                }
                Some(format!("[{}]", parts.join(", ")))
            }
            Some("object") | None if schema.get("properties").is_some() => {
                self.object(name?, schema, value, depth)
            }
            Some("object") => {
                // A map of typed values: `[("key", value)]`.
                let values = schema.get("additionalProperties")?;
                let parts: Option<Vec<String>> = value
                    .as_object()?
                    .iter()
                    .map(|(k, v)| Some(format!("({k:?}, {})", self.expr(values, v, depth + 1)?)))
                    .collect();
                Some(format!("[{}]", parts?.join(", ")))
            }
            _ => None,
        }
    }

    /// `types::X::new(required…).optional(…)…`
    fn object(&self, name: &str, schema: &Value, value: &Value, depth: usize) -> Option<String> {
        let value = value.as_object()?;
        let properties = schema.get("properties")?.as_object()?;
        let tagged = self.model.schemas.tagged.iter().find(|t| {
            properties
                .get(&t.content)
                .and_then(|p| p.get("$ref"))
                .and_then(Value::as_str)
                == Some(&format!("#/components/schemas/{}", t.name))
        });
        // The constructor's arguments: the required fields that are not nullable (a required
        // nullable field is a setter; left unset it is sent as `null`), as the type rules do.
        let required: Vec<String> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| {
                r.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
            .into_iter()
            .filter(|f| {
                properties.get(f).and_then(|p| p.get("nullable")) != Some(&Value::Bool(true))
            })
            .collect();
        let mut args = Vec::new();
        for field in &required {
            if tagged.is_some_and(|t| *field == t.tag) {
                continue;
            }
            let v = value.get(field)?;
            let arg = match tagged {
                Some(t) if *field == t.content => self.tagged(t, value)?,
                _ => self.expr(properties.get(field)?, v, depth + 1)?,
            };
            args.push(arg);
        }
        let mut out = format!("types::{name}::new({})", args.join(", "));
        for (field, v) in value {
            if required.contains(field)
                || tagged.is_some_and(|t| *field == t.tag || *field == t.content)
            {
                continue;
            }
            let setter = setter_name(field);
            let expr = self.expr(properties.get(field)?, v, depth + 1)?;
            out.push_str(&format!(".{setter}({expr})"));
        }
        Some(out)
    }

    /// `types::MessageContent::text("…")` or `types::MessageContent::File(types::MessageFile::new()…)`.
    fn tagged(
        &self,
        t: &crate::spec::Tagged,
        value: &serde_json::Map<String, Value>,
    ) -> Option<String> {
        let kind = value.get(&t.tag)?.as_str()?;
        let content = value.get(&t.content)?;
        let (wire, variant, rust, _) = t.variants.iter().find(|(w, ..)| w == kind)?;
        if rust == "::std::string::String" {
            let helper = wire.replace(|c: char| !c.is_ascii_alphanumeric(), "_");
            return Some(format!(
                "types::{}::{helper}({:?})",
                t.name,
                content.as_str()?
            ));
        }
        let component = rust.rsplit("::").next()?;
        let schema = serde_json::json!({"$ref": format!("#/components/schemas/{component}")});
        Some(format!(
            "types::{}::{variant}({})",
            t.name,
            self.expr(&schema, content, 2)?
        ))
    }
}

fn is_free_form(schema: &Value) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("object")
        && schema.get("properties").is_none()
        && schema.get("additionalProperties") == Some(&Value::Bool(true))
}

/// The plugin token scopes of an operation, for its documentation:
/// `` `website:conversation:messages` (write) ``, or `none` for an operation about the plugin
/// itself.
pub fn scopes_text(op: &Operation) -> String {
    if op.scopes.is_empty() {
        return "none".to_string();
    }
    op.scopes
        .iter()
        .map(|s| format!("`{}` ({})", s.name, s.access))
        .collect::<Vec<_>>()
        .join(", ")
}
