//! Generates `tests/wire/tests/conformance.rs`: one test per operation of the spec and one per
//! alias, each building its call through the SDK from the spec's own examples (path and query
//! parameter `example`s, the request body `example` decoded into the generated body type) and
//! sending it to the server named by `CRISP_CONFORMANCE_URL` — in CI, Stoplight Prism serving
//! the spec (`.ci/spec-tools`). Prism answers 422 when a request does not match the spec and
//! otherwise serves the 2XX example, which the test decodes and compares with the example.
//!
//! The tests are `#[ignore]`d (they need that server); without the variable they return early.

use crate::spec::{Model, Operation, Output, Param};
use anyhow::{bail, Result};
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;

/// Where the generated tests go, relative to the workspace root.
pub const OUTPUT: &str = "tests/wire/tests/conformance.rs";

/// The environment variable naming the base URL of the mock of the spec.
const URL_VAR: &str = "CRISP_CONFORMANCE_URL";

/// Why the tests are ignored by default.
const IGNORE: &str =
    "needs CRISP_CONFORMANCE_URL: a mock of the spec such as Prism (run by .ci/spec-tools)";

pub fn generate(model: &Model, spec: &str) -> Result<String> {
    let mut tests = Vec::new();
    for op in &model.operations {
        for name in std::iter::once(&op.id).chain(&op.aliases) {
            tests.push(test(op, name)?);
        }
    }
    let count = tests.len();
    let skip = format!("{URL_VAR} is not set: conformance test skipped");
    let tokens = quote! {
        #[rustfmt::skip]
        mod conformance {
            use crisp_api::{Client, RetryPolicy, Tier};
            use serde_json::Value;

            /// A client for the mock named by the environment, or `None` (the test is skipped).
            fn client(tier: Tier) -> Option<Client> {
                let Ok(url) = std::env::var(#URL_VAR) else {
                    println!(#skip);
                    return None;
                };
                let client = Client::builder()
                    .base_url(url)
                    .credentials("conformance-identifier", "conformance-key")
                    .tier(tier)
                    .retry_policy(RetryPolicy::none())
                    .build()
                    .expect("a client for the conformance server");
                Some(client)
            }

            /// The spec's request body example does not decode into the SDK's body type.
            fn bad_example(operation: &str, e: serde_json::Error) -> ! {
                panic!("{operation}: the spec's request body example does not decode into the SDK's type: {e}")
            }

            /// Unwraps the SDK's answer; a 422 means the server (Prism) found that the request
            /// does not match the spec.
            fn sent<T>(operation: &str, result: Result<T, crisp_api::Error>) -> T {
                result.unwrap_or_else(|e| {
                    let hint = match e.status() {
                        Some(422) => " (Prism: the request does not match the spec; its log names the violations)",
                        Some(500) => " (Prism --errors: the spec's response example does not match its schema)",
                        _ => "",
                    };
                    panic!("{operation}: {e}{hint}")
                })
            }

            /// Checks that the decoded `data`, serialized again, still holds everything the
            /// spec's 2XX example holds: a field of the example that the SDK's type dropped or
            /// changed is a mismatch between the example and the schema.
            fn assert_example(operation: &str, decoded: Value, example: &str) {
                let example: Value = serde_json::from_str(example).expect("the example is JSON");
                let mut errors = Vec::new();
                covers(&decoded, &example, "data", &mut errors);
                assert!(
                    errors.is_empty(),
                    "{operation}: the decoded data differs from the spec's example:\n{}",
                    errors.join("\n")
                );
            }

            fn covers(decoded: &Value, example: &Value, at: &str, errors: &mut Vec<String>) {
                match (decoded, example) {
                    (Value::Object(got), Value::Object(want)) => {
                        for (key, value) in want {
                            let empty = match value {
                                Value::Null => true,
                                Value::Array(a) => a.is_empty(),
                                Value::Object(o) => o.is_empty(),
                                _ => false,
                            };
                            match got.get(key) {
                                Some(g) => covers(g, value, &format!("{at}.{key}"), errors),
                                None if empty => {}
                                None => errors.push(format!("{at}.{key}: in the example, lost by the SDK's type")),
                            }
                        }
                    }
                    (Value::Array(got), Value::Array(want)) if got.len() == want.len() => {
                        for (i, (g, w)) in got.iter().zip(want).enumerate() {
                            covers(g, w, &format!("{at}[{i}]"), errors);
                        }
                    }
                    (Value::Number(got), Value::Number(want)) if got.as_f64() == want.as_f64() => {}
                    (got, want) if got == want => {}
                    (got, want) => errors.push(format!("{at}: example {want}, decoded {got}")),
                }
            }

            #(#tests)*
        }
    };
    let file: syn::File = syn::parse2(tokens)?;
    let body = prettyplease::unparse(&file);
    let digest = crate::hex(&<sha2::Sha256 as sha2::Digest>::digest(spec.as_bytes()));
    Ok(format!(
        "// @generated by `cargo xtask regen` from {spec_path}\n\
         // spec sha256: {digest}\n\
         // Do not edit by hand: change the spec or xtask/src/conformance.rs, then run `cargo xtask regen`.\n\
         //\n\
         // Conformance: {count} tests, one per operation of the spec and one per alias. Each builds\n\
         // its call through the SDK from the spec's examples and sends it to {URL_VAR}\n\
         // (Stoplight Prism serving the spec, in .ci/spec-tools), which answers 422 when the request\n\
         // does not match the spec. Ignored by default; run them with\n\
         //   {URL_VAR}=http://127.0.0.1:4010 cargo test -p crisp-wire-tests --test conformance -- --ignored\n\n\
         {body}",
        spec_path = crate::SPEC,
    ))
}

/// One test: `name` is the operation id or one of its aliases.
fn test(op: &Operation, name: &str) -> Result<TokenStream> {
    let test_name = format_ident!("{name}");
    let method = format_ident!("{name}");
    let tier = if op.tiers.iter().any(|t| t == "plugin") {
        quote!(Tier::Plugin)
    } else {
        quote!(Tier::User)
    };
    let mut setters = Vec::new();
    for p in op
        .params
        .iter()
        .filter(|p| p.location == "path" || p.location == "query")
    {
        let Some(value) = param_value(op, p)? else {
            continue;
        };
        let setter = format_ident!("{}", setter_name(&p.name));
        setters.push(quote!(.#setter(#value)));
    }
    let body = op.body.as_ref().map(|b| {
        let rust = format_ident!(
            "{}",
            b.component
                .clone()
                .unwrap_or_else(|| format!("{}Body", crate::wrap::pascal(&op.id)))
        );
        let example = raw(&b
            .example
            .as_ref()
            .map(Value::to_string)
            .unwrap_or_else(|| "{}".to_string()));
        quote! {
            let body: crisp_api::types::#rust =
                serde_json::from_str(#example).unwrap_or_else(|e| bad_example(#name, e));
        }
    });
    if body.is_some() {
        setters.push(quote!(.body(body)));
    }
    let call = quote! {
        let result = client.#method() #(#setters)* .send().await;
    };
    let check = match &op.output {
        Output::Exists => quote! {
            assert!(sent(#name, result), "{}: the server answered 404", #name);
        },
        Output::Nothing => quote! {
            sent(#name, result);
        },
        Output::Data(_) | Output::List(_) => {
            let data = op
                .success_example
                .as_ref()
                .and_then(|e| e.get("data"))
                .map(|d| raw(&d.to_string()));
            match data {
                Some(example) => quote! {
                    let data = sent(#name, result);
                    let decoded = serde_json::to_value(&data).expect("the SDK's types serialize");
                    assert_example(#name, decoded, #example);
                },
                None => quote! {
                    sent(#name, result);
                },
            }
        }
    };
    let doc = if name == op.id {
        format!(
            " `{} {}` built from the spec's examples.",
            op.method, op.path
        )
    } else {
        format!(
            " `{name}`, the alias of `{}`: `{} {}` built from the spec's examples.",
            op.id, op.method, op.path
        )
    };
    Ok(quote! {
        #[doc = #doc]
        #[tokio::test]
        #[ignore = #IGNORE]
        async fn #test_name() {
            let Some(client) = client(#tier) else { return };
            #body
            #call
            #check
        }
    })
}

/// The literal passed to a parameter's setter: its example, or a value of its type when the
/// spec has none (the spectral ruleset requires examples). `None` for an optional parameter
/// without an example, or whose example is not a string, number or boolean.
fn param_value(op: &Operation, p: &Param) -> Result<Option<TokenStream>> {
    let ty = p.schema.get("type").and_then(Value::as_str).unwrap_or("");
    let example = match &p.example {
        Some(e) => e.clone(),
        None if !p.required => return Ok(None),
        None => match ty {
            "integer" | "number" => Value::from(1),
            "boolean" => Value::Bool(true),
            _ => Value::String("example".into()),
        },
    };
    let tokens = match (ty, &example) {
        ("string", Value::String(s)) => quote!(#s),
        ("string", other) => {
            let s = other.to_string();
            quote!(#s)
        }
        (_, Value::String(s)) => quote!(#s),
        (_, Value::Bool(b)) => quote!(#b),
        (_, Value::Number(n)) => {
            if let Some(i) = n.as_i64() {
                let lit = Literal::i64_suffixed(i);
                quote!(#lit)
            } else if let Some(u) = n.as_u64() {
                let lit = Literal::u64_suffixed(u);
                quote!(#lit)
            } else {
                let lit = Literal::f64_suffixed(n.as_f64().unwrap_or_default());
                quote!(#lit)
            }
        }
        // An optional parameter whose example has no literal form here is left unset.
        _ if !p.required => return Ok(None),
        _ => bail!(
            "{} {}: the conformance generator does not support the example {example} of \
             parameter `{}` (xtask/src/conformance.rs)",
            op.method,
            op.path,
            p.name
        ),
    };
    Ok(Some(tokens))
}

/// A raw string literal (`r#"..."#`) holding `text`, for readable JSON in the output.
fn raw(text: &str) -> Literal {
    let mut hashes = String::from("#");
    while text.contains(&format!("\"{hashes}")) {
        hashes.push('#');
    }
    format!("r{hashes}\"{text}\"{hashes}")
        .parse()
        .expect("a raw string literal")
}

/// The builder setter progenitor derives from a parameter name.
fn setter_name(name: &str) -> String {
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
