//! The pass over progenitor's `syn` tree that turns its raw builders into the SDK's methods.
//!
//! For every operation builder it renames progenitor's `send` to `send_raw` (kept public: it
//! returns the whole `ResponseValue` with status and headers) and adds:
//! - `send()`: checks path ids, runs the request through `crate::transport` (auth, retries,
//!   timeouts, tracing), unwraps Crisp's envelope and returns the typed `data`;
//! - `stream()` on paged lists (`x-crisp-pagination`): a `futures::Stream` of items.
//!
//! On `Client` it adds one method per `x-crisp-aliases` entry and the tiers to every doc.

use crate::spec::{Model, Operation, Output};
use anyhow::{anyhow, Result};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use std::collections::BTreeMap;
use syn::{parse_quote, ImplItem, Item};

pub fn add_sdk_methods(file: &mut syn::File, model: &Model) -> Result<()> {
    use_sdk_path_encoder(file)?;
    let by_builder: BTreeMap<String, &Operation> = model
        .operations
        .iter()
        .map(|op| (pascal(&op.id), op))
        .collect();
    let by_method: BTreeMap<&str, &Operation> = model
        .operations
        .iter()
        .map(|op| (op.id.as_str(), op))
        .collect();
    let mut wrapped = 0;
    for item in &mut file.items {
        match item {
            Item::Mod(m) if m.ident == "builder" => {
                let (_, items) = m
                    .content
                    .as_mut()
                    .ok_or_else(|| anyhow!("builder module has no body"))?;
                for item in items.iter_mut() {
                    let Item::Impl(imp) = item else { continue };
                    let Some(op) = type_name(&imp.self_ty).and_then(|n| by_builder.get(&n)) else {
                        continue;
                    };
                    wrap_builder(imp, op)?;
                    wrapped += 1;
                }
            }
            Item::Impl(imp)
                if imp.trait_.is_none() && type_name(&imp.self_ty).as_deref() == Some("Client") =>
            {
                let mut aliases = Vec::new();
                for it in &mut imp.items {
                    let ImplItem::Fn(f) = it else { continue };
                    let Some(op) = by_method.get(f.sig.ident.to_string().as_str()) else {
                        continue;
                    };
                    let tiers = format!(" Tiers: `{}`.", op.tiers.join("`, `"));
                    f.attrs.push(parse_quote!(#[doc = ""]));
                    f.attrs.push(parse_quote!(#[doc = #tiers]));
                    for alias in &op.aliases {
                        aliases.push(alias_method(alias, op));
                    }
                }
                imp.items.extend(aliases);
            }
            _ => {}
        }
    }
    if wrapped != model.operations.len() {
        return Err(anyhow!(
            "wrapped {wrapped} builders for {} operations: progenitor's output changed shape",
            model.operations.len()
        ));
    }
    Ok(())
}

fn wrap_builder(imp: &mut syn::ItemImpl, op: &Operation) -> Result<()> {
    if op.empty_body {
        default_empty_body(imp, op)?;
    }
    let send = imp
        .items
        .iter_mut()
        .find_map(|it| match it {
            ImplItem::Fn(f) if f.sig.ident == "send" => Some(f),
            _ => None,
        })
        .ok_or_else(|| anyhow!("{}: builder has no send", op.id))?;
    send.sig.ident = format_ident!("send_raw");
    drop_api_version_header(send, op)?;
    send.attrs = vec![
        parse_quote!(#[doc = " Sends the request and returns progenitor's raw answer: the whole envelope with"]),
        parse_quote!(#[doc = " the HTTP status and headers. No retries; errors are not mapped."]),
        parse_quote!(#[doc = " Prefer [`send`](Self::send)."]),
    ];

    let id = &op.id;
    let path = &op.path;
    let method = format_ident!("{}", op.method);
    let checks = op.string_path_params.iter().map(|p| {
        let field = format_ident!("{p}");
        quote! { crate::path::check_segment(#p, &self.#field)?; }
    });
    let call = quote! {
        crate::transport::send(client, &OPERATION, move || self.clone().send_raw()).await
    };
    let (output, body): (TokenStream, TokenStream) = match &op.output {
        Output::Data(t) => (syn::parse_str(t)?, call),
        Output::List(t) => {
            let t: syn::Type = syn::parse_str(t)?;
            (quote!(::std::vec::Vec<#t>), call)
        }
        Output::Nothing => (
            quote!(()),
            quote! { #call.map(|_: ::serde::de::IgnoredAny| ()) },
        ),
        Output::Exists => (quote!(bool), quote! { crate::transport::exists(#call) }),
    };
    let doc = match &op.output {
        Output::Exists => " Sends the request: `true` when Crisp answers 2xx, `false` on 404.",
        Output::Nothing => " Sends the request; Crisp's answer carries no data.",
        _ => " Sends the request and returns Crisp's `data`, decoded.",
    };
    let send: ImplItem = parse_quote! {
        #[doc = #doc]
        #[doc = ""]
        #[doc = " Retries, timeouts and authentication follow the [`Client`](crate::Client)'s"]
        #[doc = " configuration. Errors are [`crate::Error`], carrying the HTTP status and Crisp's"]
        #[doc = " `reason`."]
        pub async fn send(self) -> ::std::result::Result<#output, crate::Error> {
            const OPERATION: crate::transport::Operation = crate::transport::Operation {
                id: #id,
                method: ::reqwest::Method::#method,
                path: #path,
            };
            #(#checks)*
            let client = self.client;
            #body
        }
    };
    imp.items.push(send);
    if let (Some(kind), Output::List(t)) = (&op.pagination, &op.output) {
        let t: syn::Type = syn::parse_str(t)?;
        let stream: ImplItem = if kind == "page" {
            parse_quote! {
                #[doc = " Streams every item, page after page from the page set on the builder (1 if"]
                #[doc = " unset). The next page is fetched only once the previous one is drained; the"]
                #[doc = " stream ends at the first empty page, or after yielding an error."]
                pub fn stream(self) -> impl ::futures::Stream<Item = ::std::result::Result<#t, crate::Error>> + Unpin + 'a {
                    let start = self.page_number.clone().unwrap_or(1);
                    crate::pagination::by_page(self, start, |b, page| b.page_number(page).send())
                }
            }
        } else {
            parse_quote! {
                #[doc = " Streams every message, the newest batch first, then older ones: the oldest"]
                #[doc = " `timestamp` seen becomes the next `timestamp_before`. The stream ends at an"]
                #[doc = " empty batch, a batch with nothing older, or after yielding an error."]
                pub fn stream(self) -> impl ::futures::Stream<Item = ::std::result::Result<#t, crate::Error>> + Unpin + 'a {
                    let start = self.timestamp_before.clone().ok().flatten();
                    crate::pagination::by_timestamp(
                        self,
                        start,
                        |b, before| match before {
                            Some(t) => b.timestamp_before(t).send(),
                            None => b.send(),
                        },
                        |item| item.timestamp,
                    )
                }
            }
        };
        imp.items.push(stream);
    }
    Ok(())
}

/// Points every `encode_path(..)` call of the generated code at `crate::path::encode_path`,
/// which encodes everything but unreserved characters (progenitor's leaves `\\`, which URL
/// parsers read as `/`, and others).
fn use_sdk_path_encoder(file: &mut syn::File) -> Result<()> {
    struct Fix(usize);
    impl syn::visit_mut::VisitMut for Fix {
        fn visit_expr_call_mut(&mut self, call: &mut syn::ExprCall) {
            syn::visit_mut::visit_expr_call_mut(self, call);
            if let syn::Expr::Path(p) = &*call.func {
                if p.qself.is_none() && p.path.is_ident("encode_path") {
                    *call.func = parse_quote!(crate::path::encode_path);
                    self.0 += 1;
                }
            }
        }
        fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
            // `format!("{}/website/{}", client.baseurl, encode_path(..))`: the calls are
            // inside the macro's tokens.
            if mac.path.is_ident("format") {
                let parser =
                    syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated;
                if let Ok(mut args) = mac.parse_body_with(parser) {
                    let before = self.0;
                    for arg in args.iter_mut() {
                        syn::visit_mut::visit_expr_mut(self, arg);
                    }
                    if self.0 > before {
                        mac.tokens = quote!(#args);
                    }
                }
            }
        }
    }
    let mut fix = Fix(0);
    syn::visit_mut::VisitMut::visit_file_mut(&mut fix, file);
    if fix.0 == 0 {
        return Err(anyhow!(
            "no encode_path call found: progenitor's output changed shape"
        ));
    }
    Ok(())
}

/// Removes the `api-version` header progenitor adds to every request (the spec's
/// `info.version`): Crisp has no use for it, and building it costs every call.
fn drop_api_version_header(send: &mut syn::ImplItemFn, op: &Operation) -> Result<()> {
    let before = send.block.stmts.len();
    send.block
        .stmts
        .retain(|stmt| !quote!(#stmt).to_string().contains("\"api-version\""));
    if send.block.stmts.len() + 1 != before {
        return Err(anyhow!(
            "{}: expected exactly one api-version statement in progenitor's send",
            op.id
        ));
    }
    Ok(())
}

/// Makes the builder's `new` start with an empty JSON object as the body.
fn default_empty_body(imp: &mut syn::ItemImpl, op: &Operation) -> Result<()> {
    struct Fix(bool);
    impl syn::visit_mut::VisitMut for Fix {
        fn visit_field_value_mut(&mut self, field: &mut syn::FieldValue) {
            if let syn::Member::Named(name) = &field.member {
                if name == "body" {
                    field.expr =
                        parse_quote!(Ok(types::EmptyBody(::std::default::Default::default())));
                    self.0 = true;
                }
            }
        }
    }
    let mut fix = Fix(false);
    for it in &mut imp.items {
        if let ImplItem::Fn(f) = it {
            if f.sig.ident == "new" {
                syn::visit_mut::VisitMut::visit_impl_item_fn_mut(&mut fix, f);
            }
        }
    }
    if !fix.0 {
        return Err(anyhow!("{}: no body field in the builder's new()", op.id));
    }
    Ok(())
}

fn alias_method(alias: &str, op: &Operation) -> ImplItem {
    let name = format_ident!("{alias}");
    let builder = format_ident!("{}", pascal(&op.id));
    let target = &op.id;
    let doc = format!(
        " {alias}: the same request as [`{target}`](Self::{target}), under the name Crisp's other wrappers use."
    );
    let tiers = format!(" Tiers: `{}`.", op.tiers.join("`, `"));
    parse_quote! {
        #[doc = #doc]
        #[doc = ""]
        #[doc = #tiers]
        pub fn #name(&self) -> builder::#builder<'_> {
            builder::#builder::new(self)
        }
    }
}

fn type_name(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

pub fn pascal(id: &str) -> String {
    id.split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}
