//! Generates `tests/wire/tests/answers.rs`: for every operation, the SDK decodes what Crisp
//! may send, through its whole call path, against a scripted server:
//! - an operation returning data: its 2XX example with every field the spec does not mark
//!   required (identity fields) removed, and without the envelope's `reason`, decodes; an
//!   empty 200 and a 204 are an `InvalidResponse` error carrying the status;
//! - an operation without data: an empty 200 and a 204 are success.

use crate::spec::{Model, Operation, Output, Param};
use anyhow::Result;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

/// Where the generated tests go, relative to the workspace root.
pub const OUTPUT: &str = "tests/wire/tests/answers.rs";

pub fn generate(model: &Model, spec: &str) -> Result<String> {
    let tests: Vec<TokenStream> = model
        .operations
        .iter()
        .filter(|op| op.output != Output::Exists)
        .map(|op| test(op, model))
        .collect::<Result<_>>()?;
    let count = tests.len();
    let tokens = quote! {
        #[rustfmt::skip]
        mod answers {
            use crisp_wire_tests::answers::{empty_answers_fail, empty_answers_succeed, minimal_answer_decodes};

            #(#tests)*
        }
    };
    let file: syn::File = syn::parse2(tokens)?;
    let body = prettyplease::unparse(&file);
    let digest = crate::hex(&<sha2::Sha256 as sha2::Digest>::digest(spec.as_bytes()));
    let about = format!(
        "spec sha256: {digest}\n\n{count} tests, one per operation with a body in its answer: what Crisp may send decodes\n\
         (see tests/wire/src/answers.rs)."
    );
    Ok(crate::generated_header("xtask/src/answer_tests.rs", &about) + &body)
}

fn test(op: &Operation, model: &Model) -> Result<TokenStream> {
    let name = format_ident!("{}", op.id);
    let method = format_ident!("{}", op.id);
    let mut arguments = Vec::new();
    for p in op.arguments() {
        arguments.push(
            crate::docs::argument_tokens(p, model)
                .or_else(|| literal(p))
                .ok_or_else(|| {
                    anyhow::anyhow!("{}: required parameter `{}` has no example", op.id, p.name)
                })?,
        );
    }
    if let Some(rust) = op.body_argument() {
        let rust = format_ident!("{rust}");
        let example = op
            .body
            .as_ref()
            .and_then(|b| b.example.as_ref())
            .map(Value::to_string)
            .unwrap_or_else(|| "{}".into());
        arguments.push(quote!(serde_json::from_str::<crisp_api::types::#rust>(#example).expect("the spec's request example")));
    }
    // The closure captures nothing, so it is `Copy` and serves every answer below.
    let define = quote! {
        let call = |client: crisp_api::Client| async move { client.#method(#(#arguments),*).await };
    };
    let call = quote!(call);
    let id = &op.id;
    let body = match &op.output {
        Output::Nothing => quote! {
            empty_answers_succeed(#id, #call).await;
        },
        Output::Data(_) | Output::List(_) => {
            let data = op
                .success_example
                .as_ref()
                .and_then(|e| e.get("data"))
                .cloned()
                .unwrap_or(Value::Null);
            let minimal = minimal(&op.data_schema, &data, model).to_string();
            quote! {
                minimal_answer_decodes(#id, #minimal, #call).await;
                empty_answers_fail(#id, #call).await;
            }
        }
        Output::Exists => unreachable!("HEAD operations have no body"),
    };
    let doc = format!(
        " `{} {}`: the answers Crisp may send decode.",
        op.method, op.path
    );
    Ok(quote! {
        #[doc = #doc]
        #[tokio::test]
        async fn #name() {
            #define
            #body
        }
    })
}

fn literal(p: &Param) -> Option<TokenStream> {
    match p.example.as_ref()? {
        Value::String(s) => Some(quote!(#s)),
        Value::Number(n) if n.is_i64() => {
            let lit = proc_macro2::Literal::i64_unsuffixed(n.as_i64()?);
            Some(quote!(#lit))
        }
        Value::Bool(b) => Some(quote!(#b)),
        _ => None,
    }
}

/// `value` with every property its schema does not mark required removed, recursively.
fn minimal(schema: &Value, value: &Value, model: &Model) -> Value {
    let schema = resolve(schema, model);
    match value {
        Value::Object(map) => {
            let required: Vec<&str> = schema
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let properties = schema.get("properties");
            Value::Object(
                map.iter()
                    .filter(|(k, _)| required.contains(&k.as_str()))
                    .map(|(k, v)| {
                        let sub = properties
                            .and_then(|p| p.get(k))
                            .cloned()
                            .unwrap_or(Value::Null);
                        (k.clone(), minimal(&sub, v, model))
                    })
                    .collect(),
            )
        }
        Value::Array(items) => {
            let item_schema = schema.get("items").cloned().unwrap_or(Value::Null);
            Value::Array(
                items
                    .iter()
                    .map(|v| minimal(&item_schema, v, model))
                    .collect(),
            )
        }
        other => other.clone(),
    }
}

fn resolve<'a>(schema: &'a Value, model: &'a Model) -> &'a Value {
    if let Some([one]) = schema
        .get("allOf")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
    {
        return resolve(one, model);
    }
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => model
            .components
            .get(r.trim_start_matches("#/components/schemas/"))
            .map(|s| resolve(s, model))
            .unwrap_or(&Value::Null),
        None => schema,
    }
}
