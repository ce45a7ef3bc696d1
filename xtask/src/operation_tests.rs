//! Generates `tests/wire/tests/operations.rs`: one test per operation of the spec and one per
//! alias, named after it. Each builds its call through the SDK from the spec's own examples
//! (path and query parameter `example`s, the request body `example` decoded into the SDK's body
//! type), sends it to the embedded mock in examples mode, and checks:
//! - at the server: the method, the exact percent-encoded path, the query pairs, the headers
//!   (Basic auth, tier, content type) and the JSON body, equal to the spec's request example;
//! - at the client: the decoded `data`, which must still hold everything of the 2XX example.
//!
//! With `CRISP_CONFORMANCE_URL` set, the same tests call that server instead (Stoplight Prism
//! in `.ci/spec-tools`, which answers 422 when a request does not match the spec).

use crate::spec::{Model, Operation, Output, Param};
use anyhow::{bail, Result};
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;

/// Where the generated tests go, relative to the workspace root.
pub const OUTPUT: &str = "tests/wire/tests/operations.rs";

pub fn generate(model: &Model, spec: &str) -> Result<String> {
    let mut tests = Vec::new();
    for op in &model.operations {
        for name in std::iter::once(&op.id).chain(&op.aliases) {
            tests.push(test(op, name, model)?);
        }
    }
    let count = tests.len();
    let tokens = quote! {
        #[rustfmt::skip]
        mod operations {
            use crisp_api::Tier;
            use crisp_wire_tests::operations::{body_from_example, check_data, check_request, sent, Expected, Target};

            #(#tests)*
        }
    };
    let file: syn::File = syn::parse2(tokens)?;
    let body = prettyplease::unparse(&file);
    let digest = crate::hex(&<sha2::Sha256 as sha2::Digest>::digest(spec.as_bytes()));
    let about = format!(
        "spec sha256: {digest}\n\n{count} tests, one per operation of the spec and one per alias, each built from the\n\
         spec's examples and checked at the embedded mock (see tests/wire/src/operations.rs)."
    );
    Ok(crate::generated_header("xtask/src/operation_tests.rs", &about) + &body)
}

/// One test: `name` is the operation id or one of its aliases.
fn test(op: &Operation, name: &str, model: &Model) -> Result<TokenStream> {
    let test_name = format_ident!("{name}");
    let method = format_ident!("{name}");
    // Prefer the plugin tier where it is allowed: most integrations hold a plugin token.
    let (tier, tier_name) = if op.tiers.iter().any(|t| t == "plugin") {
        (quote!(Tier::Plugin), "plugin")
    } else {
        (quote!(Tier::User), "user")
    };
    let mut arguments = Vec::new();
    let mut setters = Vec::new();
    let mut path = format!("/v1{}", op.path);
    let mut query = Vec::new();
    let positional: Vec<&str> = op.arguments().iter().map(|p| p.name.as_str()).collect();
    for p in op.arguments().into_iter().chain(op.options()) {
        let Some((value, text)) = param_value(op, p)? else {
            continue;
        };
        // An enum parameter takes its variant.
        let value = match p.schema.get("$ref") {
            Some(_) => crate::docs::argument_tokens(p, model)
                .ok_or_else(|| anyhow::anyhow!("{}: no argument for `{}`", op.id, p.name))?,
            None => value,
        };
        if positional.contains(&p.name.as_str()) {
            arguments.push(value);
        } else {
            let setter = format_ident!("{}", crate::docs::setter_name(&p.name));
            setters.push(quote!(.#setter(#value)));
        }
        if p.location == "path" {
            path = path.replace(&format!("{{{}}}", p.name), &encode_segment(&text));
        } else {
            let name = &p.name;
            query.push(quote!((#name, #text)));
        }
    }
    if path.contains('{') {
        bail!("{} {}: a path parameter has no example", op.method, op.path);
    }
    // The body: the spec's example decoded into the SDK's type. An `EmptyBody` operation is
    // called without setting it, so that the builder's default (`{}`) is what is checked.
    let (body, expected_body) = match &op.body {
        None => (None, quote!(None)),
        Some(b) => {
            let example = b
                .example
                .as_ref()
                .map(Value::to_string)
                .unwrap_or_else(|| "{}".to_string());
            let literal = raw(&example);
            if op.empty_body {
                (None, quote!(Some(#literal)))
            } else {
                let rust = format_ident!(
                    "{}",
                    b.component
                        .clone()
                        .unwrap_or_else(|| format!("{}Body", crate::sdk_methods::pascal(&op.id)))
                );
                arguments.push(quote!(body));
                (
                    Some(quote! {
                        let body: crisp_api::types::#rust = body_from_example(#name, #literal);
                    }),
                    quote!(Some(#literal)),
                )
            }
        }
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
                    check_data(#name, &sent(#name, result), #example);
                },
                None => quote! {
                    sent(#name, result);
                },
            }
        }
    };
    let doc = if name == op.id {
        format!(
            " `{} {}`, built from the spec's examples.",
            op.method, op.path
        )
    } else {
        format!(
            " `{name}`, the alias of `{}`: `{} {}`, built from the spec's examples.",
            op.id, op.method, op.path
        )
    };
    let (id, http_method) = (&op.id, &op.method);
    Ok(quote! {
        #[doc = #doc]
        #[tokio::test]
        async fn #test_name() {
            let target = Target::new(#tier).await;
            #body
            let result = target.client().#method(#(#arguments),*) #(#setters)* .await;
            if let Some(request) = target.request(#name) {
                check_request(&request, &Expected {
                    operation: #name,
                    operation_id: #id,
                    method: #http_method,
                    path: #path,
                    query: &[#(#query),*],
                    body: #expected_body,
                    tier: #tier_name,
                });
            }
            #check
        }
    })
}

/// A path parameter as the SDK must send it: every byte but RFC 3986's unreserved characters
/// percent-encoded, so that it is exactly one segment. Written here independently of the SDK's
/// encoder, from the rule, so that the test checks the SDK.
fn encode_segment(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The literal passed to a parameter's setter: its example, or a value of its type when the
/// spec has none (the spectral ruleset requires examples). `None` for an optional parameter
/// without an example, or whose example is not a string, number or boolean.
fn param_value(op: &Operation, p: &Param) -> Result<Option<(TokenStream, String)>> {
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
    let text = match &example {
        Value::String(s) => s.clone(),
        other => other.to_string(),
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
                // Unsuffixed: the parameter's type types it.
                let lit = Literal::i64_unsuffixed(i);
                quote!(#lit)
            } else if let Some(u) = n.as_u64() {
                let lit = Literal::u64_unsuffixed(u);
                quote!(#lit)
            } else {
                let lit = Literal::f64_unsuffixed(n.as_f64().unwrap_or_default());
                quote!(#lit)
            }
        }
        // An optional parameter whose example has no literal form here is left unset.
        _ if !p.required => return Ok(None),
        _ => bail!(
            "{} {}: the test generator does not support the example {example} of \
             parameter `{}` (xtask/src/operation_tests.rs)",
            op.method,
            op.path,
            p.name
        ),
    };
    Ok(Some((tokens, text)))
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
