//! The pass over progenitor's `syn` tree that turns its raw builders into the SDK's methods.
//!
//! For every operation builder it keeps the request building of progenitor's `send` as a
//! private `request(&self)` (the builder borrowed, so that every attempt builds its own
//! request and a retry needs no copy) and adds:
//! - `send_raw()` (public: it returns the whole `ResponseValue` with status and headers);
//! - `send()`: checks path ids, runs the request through `crate::transport` (auth, retries,
//!   timeouts, tracing), unwraps Crisp's envelope and returns the typed `data`. Both return
//!   the future of a function shared by every operation, generic only over the type decoded,
//!   so that the retry loop is compiled once rather than once per operation;
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
    shape_client(file)?;
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
                    syn::visit_mut::VisitMut::visit_item_mut(&mut NoTypeBuilders, item);
                }
                for item in items.iter_mut() {
                    match item {
                        Item::Struct(s) if by_builder.contains_key(&s.ident.to_string()) => {
                            own_client_in_struct(s)?;
                        }
                        Item::Impl(imp) => {
                            let Some(op) = type_name(&imp.self_ty).and_then(|n| by_builder.get(&n))
                            else {
                                continue;
                            };
                            own_client_in_impl(imp)?;
                            typed_body(imp, op)?;
                            document_setters(imp, op)?;
                            wrap_builder(imp, op)?;
                            wrapped += 1;
                        }
                        _ => {}
                    }
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
                    f.attrs.retain(|a| !a.path().is_ident("doc"));
                    f.attrs
                        .extend(doc_attrs(&crate::docs::method_doc(op, &op.id, model)));
                    // The builder owns a clone of the client (cheap: shared pool and
                    // settings), so a call can be spawned or built from a temporary client.
                    if let syn::ReturnType::Type(_, ty) = &mut f.sig.output {
                        strip_lifetimes(ty);
                    }
                    for alias in &op.aliases {
                        aliases.push(alias_method(alias, op, model));
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
    let at = imp
        .items
        .iter()
        .position(|it| matches!(it, ImplItem::Fn(f) if f.sig.ident == "send"))
        .ok_or_else(|| anyhow!("{}: builder has no send", op.id))?;
    let ImplItem::Fn(mut send) = imp.items.remove(at) else {
        return Err(anyhow!("{}: send is not a fn", op.id));
    };
    drop_api_version_header(&mut send, op)?;
    drop_empty_header_map(&mut send, op)?;
    // progenitor's `send` builds the request, then sends it through the hooks and decodes
    // the answer. Only the building is kept per operation (`request()`); sending, retries
    // and decoding are `crate::transport`'s, compiled once for every operation.
    let raw_output = match &send.sig.output {
        syn::ReturnType::Type(_, t) => (**t).clone(),
        syn::ReturnType::Default => return Err(anyhow!("{}: send returns nothing", op.id)),
    };
    let answer = response_value_inner(&raw_output).ok_or_else(|| {
        anyhow!(
            "{}: send does not return Result<ResponseValue<_>, _>",
            op.id
        )
    })?;
    let stmts = &send.block.stmts;
    let built = stmts
        .iter()
        .position(|stmt| matches!(stmt, syn::Stmt::Local(l) if pat_ident(&l.pat).as_deref() == Some("request")))
        .ok_or_else(|| anyhow!("{}: no `let request` in progenitor's send", op.id))?;
    let rest = quote!(#(#stmts)*).to_string();
    let empty = if rest.contains("ResponseValue :: empty (response)") {
        true
    } else if rest.contains("ResponseValue :: from_response (response)") {
        false
    } else {
        return Err(anyhow!(
            "{}: progenitor's send neither decodes nor ignores the answer",
            op.id
        ));
    };
    let mut build = stmts[..=built].to_vec();
    share_json_body(&mut build);
    borrow_string_segments(&mut build, &op.string_path_params)?;
    let unset = no_allocation_in_new(imp, op)?;
    check_required(&mut build, &unset, op)?;
    let request_fn: ImplItem = parse_quote! {
        /// Builds the request from the parameters set (no I/O).
        fn request(&self) -> Result<(super::Client, ::reqwest::Request), Error<()>> {
            #(#build)*
            Ok((client.clone(), request))
        }
    };
    let raw_call = if empty {
        quote!(crate::transport::send_raw_empty(self.request()))
    } else {
        quote!(crate::transport::send_raw::<#answer>(self.request()))
    };
    let send_raw: ImplItem = parse_quote! {
        #[doc = " Sends the request and returns progenitor's raw answer: the whole envelope with"]
        #[doc = " the HTTP status and headers. No retries; errors are not mapped."]
        #[doc = " Prefer [`send`](Self::send)."]
        pub fn send_raw(self) -> impl ::std::future::Future<Output = #raw_output> + Send + 'static {
            #raw_call
        }
    };

    let id = &op.id;
    let path = &op.path;
    let method = format_ident!("{}", op.method);
    let checks = op.string_path_params.iter().map(|p| {
        let field = format_ident!("{p}");
        quote! { crate::path::check_segment(operation.id, #p, &self.#field)?; }
    });
    let prepare_fn: ImplItem = parse_quote! {
        /// Checks the path ids and builds the request: what can be refused before sending.
        fn prepare(
            &self,
            operation: &'static crate::transport::Operation,
        ) -> ::std::result::Result<(super::Client, ::reqwest::Request), crate::Error> {
            #(#checks)*
            crate::transport::built(operation.id, self.request())
        }
    };
    let (output, call): (TokenStream, TokenStream) = match &op.output {
        Output::Data(t) => (
            syn::parse_str(t)?,
            quote!(crate::transport::send::<#answer, _>(&OPERATION, move || self.prepare(&OPERATION))),
        ),
        Output::List(t) => {
            let t: syn::Type = syn::parse_str(t)?;
            (
                quote!(::std::vec::Vec<#t>),
                quote!(crate::transport::send::<#answer, _>(&OPERATION, move || self.prepare(&OPERATION))),
            )
        }
        Output::Nothing => (
            quote!(()),
            quote!(crate::transport::send_unit(&OPERATION, move || self.prepare(&OPERATION))),
        ),
        Output::Exists => (
            quote!(bool),
            quote!(crate::transport::send_exists(&OPERATION, move || self.prepare(&OPERATION))),
        ),
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
        pub fn send(
            self,
        ) -> impl ::std::future::Future<Output = ::std::result::Result<#output, crate::Error>> + Send + 'static {
            static OPERATION: crate::transport::Operation = crate::transport::Operation {
                id: #id,
                method: ::reqwest::Method::#method,
                path: #path,
            };
            #call
        }
    };
    imp.items.insert(at, request_fn);
    imp.items.insert(at + 1, send_raw);
    imp.items.insert(at + 2, prepare_fn);
    imp.items.push(send);
    if let (Some(kind), Output::List(t)) = (&op.pagination, &op.output) {
        let t: syn::Type = syn::parse_str(t)?;
        let stream: ImplItem = if kind == "page" {
            parse_quote! {
                #[doc = " Streams every item, page after page from the page set on the builder (1 if"]
                #[doc = " unset). The next page is fetched only once the previous one is drained; the"]
                #[doc = " stream ends at the first empty page, or after yielding an error."]
                pub fn stream(self) -> impl ::futures::Stream<Item = ::std::result::Result<#t, crate::Error>> + Unpin + 'static {
                    let start = self.page_number.clone().unwrap_or(1);
                    crate::pagination::by_page(self, start, |b, page| b.page_number(page).send())
                }
            }
        } else {
            parse_quote! {
                #[doc = " Streams every message, the newest batch first, then older ones: the oldest"]
                #[doc = " `timestamp` seen becomes the next `timestamp_before`. The stream ends at an"]
                #[doc = " empty batch, a batch with nothing older, or after yielding an error."]
                pub fn stream(self) -> impl ::futures::Stream<Item = ::std::result::Result<#t, crate::Error>> + Unpin + 'static {
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
            visit_format_args(self, mac, |fix| fix.0);
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

/// `T` of `Result<ResponseValue<T>, _>`.
fn response_value_inner(ty: &syn::Type) -> Option<syn::Type> {
    fn first_arg(ty: &syn::Type, name: &str) -> Option<syn::Type> {
        let syn::Type::Path(p) = ty else { return None };
        let last = p.path.segments.last()?;
        if last.ident != name {
            return None;
        }
        let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
            return None;
        };
        args.args.iter().find_map(|a| match a {
            syn::GenericArgument::Type(t) => Some(t.clone()),
            _ => None,
        })
    }
    first_arg(&first_arg(ty, "Result")?, "ResponseValue")
}

fn pat_ident(pat: &syn::Pat) -> Option<String> {
    match pat {
        syn::Pat::Ident(i) => Some(i.ident.to_string()),
        _ => None,
    }
}

/// Visits the arguments of a `format!` call as expressions (`format!("{}/website/{}",
/// client.baseurl, encode_path(..))`: the calls are inside the macro's tokens, which `syn`'s
/// visitors do not enter) and writes them back when `changes` says the visitor changed any.
fn visit_format_args<V: syn::visit_mut::VisitMut>(
    visitor: &mut V,
    mac: &mut syn::Macro,
    changes: fn(&V) -> usize,
) {
    if !mac.path.is_ident("format") {
        return;
    }
    let parser = syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated;
    if let Ok(mut args) = mac.parse_body_with(parser) {
        let before = changes(visitor);
        for arg in args.iter_mut() {
            visitor.visit_expr_mut(arg);
        }
        if changes(visitor) > before {
            mac.tokens = quote!(#args);
        }
    }
}

/// `encode_path(&id.to_string())` becomes `encode_path(&id)` for the `String` path ids: the
/// copy was for progenitor's other parameter types.
fn borrow_string_segments(stmts: &mut [syn::Stmt], ids: &[String]) -> Result<()> {
    struct Fix<'a>(&'a [String], usize);
    impl syn::visit_mut::VisitMut for Fix<'_> {
        fn visit_expr_call_mut(&mut self, call: &mut syn::ExprCall) {
            syn::visit_mut::visit_expr_call_mut(self, call);
            let encodes = matches!(&*call.func, syn::Expr::Path(p)
                if p.path.segments.last().is_some_and(|s| s.ident == "encode_path"));
            let Some(syn::Expr::Reference(arg)) = call.args.first() else {
                return;
            };
            let syn::Expr::MethodCall(copy) = &*arg.expr else {
                return;
            };
            let syn::Expr::Path(receiver) = &*copy.receiver else {
                return;
            };
            let Some(id) = receiver.path.get_ident().cloned() else {
                return;
            };
            if encodes
                && call.args.len() == 1
                && copy.method == "to_string"
                && copy.args.is_empty()
                && self.0.iter().any(|name| id == name)
            {
                call.args[0] = parse_quote!(&#id);
                self.1 += 1;
            }
        }
        fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
            visit_format_args(self, mac, |fix| fix.1);
        }
    }
    let mut fix = Fix(ids, 0);
    for stmt in stmts.iter_mut() {
        syn::visit_mut::VisitMut::visit_stmt_mut(&mut fix, stmt);
    }
    if fix.1 != ids.len() {
        return Err(anyhow!(
            "expected {} `encode_path(&id.to_string())` for the string path ids, found {}",
            ids.len(),
            fix.1
        ));
    }
    Ok(())
}

/// The builder's `new()` starts every required field as `Err(String::new())` instead of an
/// allocated "… was not initialized": two or three allocations per call for a message that
/// is only read when the field was forgotten. Returns those fields with their messages.
fn no_allocation_in_new(imp: &mut syn::ItemImpl, op: &Operation) -> Result<Vec<(String, String)>> {
    struct Fix(Vec<(String, String)>);
    impl syn::visit_mut::VisitMut for Fix {
        fn visit_field_value_mut(&mut self, field: &mut syn::FieldValue) {
            let syn::Member::Named(name) = &field.member else {
                return;
            };
            let text = {
                let expr = &field.expr;
                quote!(#expr).to_string()
            };
            // `Err("website_id was not initialized".to_string())`
            let Some(message) = text
                .strip_prefix("Err (\"")
                .and_then(|t| t.strip_suffix("\" . to_string ())"))
            else {
                return;
            };
            self.0.push((name.to_string(), message.to_string()));
            field.expr = parse_quote!(Err(::std::string::String::new()));
        }
    }
    let mut fix = Fix(Vec::new());
    for it in &mut imp.items {
        if let ImplItem::Fn(f) = it {
            if f.sig.ident == "new" {
                syn::visit_mut::VisitMut::visit_impl_item_fn_mut(&mut fix, f);
            }
        }
    }
    if fix
        .0
        .iter()
        .any(|(_, m)| m.contains('"') || m.contains('\\'))
    {
        return Err(anyhow!("{}: an unexpected message in new()", op.id));
    }
    Ok(fix.0)
}

/// `let x = x.map_err(Error::InvalidRequest)?;` becomes
/// `let x = crate::path::required(x, "x was not initialized")?;` for the fields that
/// [`no_allocation_in_new`] changed.
fn check_required(
    stmts: &mut [syn::Stmt],
    unset: &[(String, String)],
    op: &Operation,
) -> Result<()> {
    let mut done = 0;
    for stmt in stmts.iter_mut() {
        let syn::Stmt::Local(local) = stmt else {
            continue;
        };
        let Some(name) = pat_ident(&local.pat) else {
            continue;
        };
        let Some(init) = &mut local.init else {
            continue;
        };
        let expr = &init.expr;
        if quote!(#expr).to_string() != format!("{name} . map_err (Error :: InvalidRequest) ?") {
            continue;
        }
        let ident = format_ident!("{name}");
        // The fields are borrowed (`request(&self)`): the checks read them in place.
        match unset.iter().find(|(field, _)| *field == name) {
            Some((_, message)) => {
                *init.expr = parse_quote!(crate::path::required(#ident, #message)?);
                done += 1;
            }
            None => *init.expr = parse_quote!(crate::path::given(#ident)?),
        }
    }
    if done != unset.len() {
        return Err(anyhow!(
            "{}: {} required fields, {done} checks rewritten",
            op.id,
            unset.len()
        ));
    }
    Ok(())
}

/// `.json(&body)` becomes `.header(CONTENT_TYPE, json).body(crate::transport::json_body(&body)?)`:
/// reqwest's `json` is generic over the body type, and its header handling was compiled
/// again for each of the ~100 body types; only the serialization needs to be.
fn share_json_body(stmts: &mut [syn::Stmt]) {
    struct Fix;
    impl syn::visit_mut::VisitMut for Fix {
        fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
            syn::visit_mut::visit_expr_mut(self, expr);
            let syn::Expr::MethodCall(call) = expr else {
                return;
            };
            if call.method != "json" || call.args.len() != 1 {
                return;
            }
            let receiver = &call.receiver;
            let body = &call.args[0];
            *expr = parse_quote! {
                #receiver
                    .header(
                        ::reqwest::header::CONTENT_TYPE,
                        ::reqwest::header::HeaderValue::from_static("application/json"),
                    )
                    .body(crate::transport::json_body(#body)?)
            };
        }
    }
    for stmt in stmts {
        syn::visit_mut::VisitMut::visit_stmt_mut(&mut Fix, stmt);
    }
}

/// Removes the empty `HeaderMap` progenitor builds and passes to `.headers(..)` when an
/// operation has no header parameters (none of Crisp's has): an allocation per call for
/// nothing.
fn drop_empty_header_map(send: &mut syn::ImplItemFn, op: &Operation) -> Result<()> {
    let mentions = |stmt: &syn::Stmt| quote!(#stmt).to_string().matches("header_map").count();
    let total: usize = send.block.stmts.iter().map(mentions).sum();
    let decl = send.block.stmts.iter().position(|stmt| {
        matches!(stmt, syn::Stmt::Local(l) if quote!(#l).to_string().starts_with("let mut header_map"))
    });
    // The declaration and `.headers(header_map)`: nothing is added to it.
    let Some(decl) = decl else {
        return Err(anyhow!("{}: no header_map in progenitor's send", op.id));
    };
    if total != 2 {
        return Ok(());
    }
    send.block.stmts.remove(decl);
    struct Fix(usize);
    impl syn::visit_mut::VisitMut for Fix {
        fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
            syn::visit_mut::visit_expr_mut(self, expr);
            if let syn::Expr::MethodCall(call) = expr {
                if call.method == "headers"
                    && quote!(#call).to_string().ends_with("headers (header_map)")
                {
                    *expr = (*call.receiver).clone();
                    self.0 += 1;
                }
            }
        }
    }
    let mut fix = Fix(0);
    for stmt in &mut send.block.stmts {
        syn::visit_mut::VisitMut::visit_stmt_mut(&mut fix, stmt);
    }
    if fix.0 != 1 {
        return Err(anyhow!(
            "{}: expected one `.headers(header_map)`, found {}",
            op.id,
            fix.0
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

fn alias_method(alias: &str, op: &Operation, model: &Model) -> ImplItem {
    let name = format_ident!("{alias}");
    let builder = format_ident!("{}", pascal(&op.id));
    let docs = doc_attrs(&crate::docs::method_doc(op, alias, model));
    parse_quote! {
        #(#docs)*
        pub fn #name(&self) -> builder::#builder {
            builder::#builder::new(self)
        }
    }
}

/// `#[doc = "..."]` attributes, one per line of `text`.
pub fn doc_attrs(text: &str) -> Vec<syn::Attribute> {
    text.lines()
        .map(|l| {
            let l = if l.is_empty() {
                String::new()
            } else {
                format!(" {l}")
            };
            parse_quote!(#[doc = #l])
        })
        .collect()
}

/// Documents the operation builder's parameter setters from the spec's parameter
/// descriptions (progenitor leaves them bare).
fn document_setters(imp: &mut syn::ItemImpl, op: &Operation) -> Result<()> {
    for it in &mut imp.items {
        let ImplItem::Fn(f) = it else { continue };
        let name = f.sig.ident.to_string();
        if !f.attrs.iter().all(|a| !a.path().is_ident("doc")) {
            continue;
        }
        let doc = if name == "body" {
            let ty = op
                .body
                .as_ref()
                .and_then(|b| b.component.clone())
                .ok_or_else(|| anyhow!("{}: a body setter without a body component", op.id))?;
            let default = if op.empty_body {
                " Optional: `{}` when unset."
            } else {
                ""
            };
            format!("The request body, a [`types::{ty}`](crate::types::{ty}) (or anything that converts into one).{default}")
        } else if let Some(p) = op
            .params
            .iter()
            .find(|p| crate::docs::setter_name(&p.name) == name)
        {
            let need = if p.required { "Required" } else { "Optional" };
            if p.description.is_empty() {
                format!("{need} {} parameter `{}`.", p.location, p.name)
            } else {
                format!(
                    "{} ({need} {} parameter `{}`.)",
                    p.description, p.location, p.name
                )
            }
        } else if name == "new" {
            format!(
                "The builder of [`Client::{}`](super::Client::{}); use that method instead.",
                op.id, op.id
            )
        } else {
            continue;
        };
        if name == "new" {
            f.attrs.push(parse_quote!(#[doc(hidden)]));
        }
        f.attrs.extend(doc_attrs(&doc));
    }
    Ok(())
}

fn type_name(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

pub fn pascal(id: &str) -> String {
    crate::spec::pascal_value(id)
}

/// Builders own their client: `struct X<'a> { client: &'a Client }` becomes
/// `struct X { client: Client }`.
fn own_client_in_struct(s: &mut syn::ItemStruct) -> Result<()> {
    s.generics = syn::Generics::default();
    let syn::Fields::Named(fields) = &mut s.fields else {
        return Err(anyhow!("{}: a builder has named fields", s.ident));
    };
    let client = fields
        .named
        .iter_mut()
        .find(|f| f.ident.as_ref().is_some_and(|i| i == "client"))
        .ok_or_else(|| anyhow!("{}: a builder holds its client", s.ident))?;
    client.ty = parse_quote!(super::Client);
    Ok(())
}

fn own_client_in_impl(imp: &mut syn::ItemImpl) -> Result<()> {
    imp.generics = syn::Generics::default();
    strip_lifetimes(&mut imp.self_ty);
    let new = imp
        .items
        .iter_mut()
        .find_map(|it| match it {
            ImplItem::Fn(f) if f.sig.ident == "new" => Some(f),
            _ => None,
        })
        .ok_or_else(|| anyhow!("a builder has no new()"))?;
    new.sig.inputs = parse_quote!(client: &super::Client);
    struct Fix(bool);
    impl syn::visit_mut::VisitMut for Fix {
        fn visit_field_value_mut(&mut self, field: &mut syn::FieldValue) {
            if matches!(&field.member, syn::Member::Named(n) if n == "client") {
                field.expr = parse_quote!(client.clone());
                self.0 = true;
            }
        }
    }
    let mut fix = Fix(false);
    syn::visit_mut::VisitMut::visit_impl_item_fn_mut(&mut fix, new);
    if !fix.0 {
        return Err(anyhow!("a builder's new() does not set its client"));
    }
    Ok(())
}

fn strip_lifetimes(ty: &mut syn::Type) {
    if let syn::Type::Path(p) = ty {
        if let Some(last) = p.path.segments.last_mut() {
            last.arguments = syn::PathArguments::None;
        }
    }
}

/// The body of a builder is the SDK's body type itself, not typify's struct builder (gone):
/// `.body(value)` takes anything that converts into it, an unset required body is an error
/// naming it, and `send_raw` no longer converts.
fn typed_body(imp: &mut syn::ItemImpl, op: &Operation) -> Result<()> {
    if op.body.is_none() {
        return Ok(());
    }
    // Only bodies that had a typify builder (structs) have `body_map` and the conversions.
    let before = imp.items.len();
    imp.items
        .retain(|it| !matches!(it, ImplItem::Fn(f) if f.sig.ident == "body_map"));
    if imp.items.len() == before {
        return Ok(());
    }
    struct Fix {
        empty_body: bool,
        changed: usize,
    }
    impl syn::visit_mut::VisitMut for Fix {
        fn visit_field_value_mut(&mut self, field: &mut syn::FieldValue) {
            // new(): `body: Ok(Default::default())` (typify's builder default).
            if matches!(&field.member, syn::Member::Named(n) if n == "body") && !self.empty_body {
                field.expr = parse_quote!(Err("body was not set: call .body(..)".to_string()));
                self.changed += 1;
            }
        }
        fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
            syn::visit_mut::visit_expr_mut(self, expr);
            let syn::Expr::MethodCall(call) = expr else {
                return;
            };
            let name = call.method.to_string();
            // `.map(From::from)` in body(): the value is already the body type.
            if name == "map" && quote!(#call).to_string().contains("map (From :: from)") {
                *expr = (*call.receiver).clone();
                self.changed += 1;
            // `body.and_then(|v| types::X::try_from(v)...)` in send_raw.
            } else if name == "and_then" && quote!(#call).to_string().contains("try_from") {
                *expr = (*call.receiver).clone();
                self.changed += 1;
            }
        }
    }
    let mut fix = Fix {
        empty_body: op.empty_body,
        changed: 0,
    };
    syn::visit_mut::VisitMut::visit_item_impl_mut(&mut fix, imp);
    let expected = if op.empty_body { 2 } else { 3 };
    if fix.changed != expected {
        return Err(anyhow!(
            "{}: expected {expected} body rewrites, made {}: progenitor's output changed shape",
            op.id,
            fix.changed
        ));
    }
    Ok(())
}

/// The `Client` type: documented for users, built only through `Client::builder()`
/// (progenitor's unchecked `new`, which unwraps, is removed; `new_with_client` is
/// crate-private), and cheap to clone (`baseurl` is an `Arc<str>`).
fn shape_client(file: &mut syn::File) -> Result<()> {
    let mut found = 0;
    for item in &mut file.items {
        match item {
            Item::Struct(s) if s.ident == "Client" => {
                s.attrs.retain(|a| !a.path().is_ident("doc"));
                let docs: Vec<syn::Attribute> = CLIENT_DOC
                    .lines()
                    .map(|l| {
                        let l = format!(" {l}");
                        parse_quote!(#[doc = #l])
                    })
                    .collect();
                s.attrs.extend(docs);
                let syn::Fields::Named(fields) = &mut s.fields else {
                    return Err(anyhow!("Client has named fields"));
                };
                for f in fields.named.iter_mut() {
                    if f.ident.as_ref().is_some_and(|i| i == "baseurl") {
                        f.ty = parse_quote!(::std::sync::Arc<str>);
                        found += 1;
                    }
                }
            }
            Item::Impl(imp)
                if imp.trait_.is_none() && type_name(&imp.self_ty).as_deref() == Some("Client") =>
            {
                let before = imp.items.len();
                imp.items
                    .retain(|it| !matches!(it, ImplItem::Fn(f) if f.sig.ident == "new"));
                if imp.items.len() + 1 == before {
                    found += 1;
                }
                for it in &mut imp.items {
                    if let ImplItem::Fn(f) = it {
                        if f.sig.ident == "new_with_client" {
                            f.vis = parse_quote!(pub(crate));
                            f.attrs.retain(|a| !a.path().is_ident("doc"));
                            f.attrs.push(
                                parse_quote!(#[doc = " The client `ClientBuilder::build` makes."]),
                            );
                            f.block = parse_quote!({
                                Self {
                                    baseurl: baseurl.into(),
                                    client,
                                    inner,
                                }
                            });
                            found += 1;
                        }
                    }
                }
            }
            Item::Impl(imp) if type_name(&imp.self_ty).as_deref() == Some("Client") => {
                // `impl ClientInfo for Client`: progenitor's plumbing, hidden from the docs.
                imp.attrs.push(parse_quote!(#[doc(hidden)]));
                for it in &mut imp.items {
                    if let ImplItem::Fn(f) = it {
                        if f.sig.ident == "baseurl" {
                            f.block = parse_quote!({ &self.baseurl });
                            found += 1;
                        }
                    }
                }
            }
            _ => {}
        }
    }
    // progenitor's `prelude` re-exports only `Client`, which the crate root already does.
    file.items
        .retain(|item| !matches!(item, Item::Mod(m) if m.ident == "prelude"));
    if found != 4 {
        return Err(anyhow!(
            "Client: expected 4 rewrites (baseurl field, new, new_with_client, baseurl()), made {found}: \
             progenitor's output changed shape"
        ));
    }
    Ok(())
}

/// The rustdoc of `Client`, for users (the spec's own description is for its readers).
const CLIENT_DOC: &str = "A client of Crisp's REST API V1: one method per operation.

Build it once with [`Client::builder`] (or [`Client::from_env`]) and share it: it is cheap to
clone, and clones share one connection pool and configuration. Each method returns a builder:
set its parameters, then `.send().await` for Crisp's `data`, typed, or `.stream()` on paged
lists for every item across pages. Every call goes through the same authentication, tier,
timeouts and retries, and fails with one error type, [`crate::Error`].

```no_run
use crisp_api::types::{MessageContent, MessageFrom, MessageNew};
use crisp_api::{Client, Tier};
use futures::TryStreamExt as _;

# async fn run() -> Result<(), crisp_api::Error> {
let client = Client::builder()
    .tier(Tier::Plugin)
    .credentials(\"identifier\", \"key\")
    .build()?;
let website_id = \"8c842203-7ed8-4e29-a608-7cf78a7d2fcc\";

let mut conversations = client.list_conversations().website_id(website_id).stream();
while let Some(conversation) = conversations.try_next().await? {
    client
        .send_message_in_conversation()
        .website_id(website_id)
        .session_id(conversation.session_id)
        .body(MessageNew::new(MessageFrom::Operator, \"chat\", MessageContent::text(\"Hello!\")))
        .send()
        .await?;
}
# Ok(())
# }
```

Method names are those of Crisp's official wrappers: the Ruby wrapper's where it has the
method, the Node wrapper's in snake case otherwise (both where they differ). Each method's
documentation gives the reference's title, its tiers and a link to Crisp's reference.";

/// `types::builder::X` (typify's struct builders, removed by the type rules) becomes
/// `types::X` in the operation builders.
struct NoTypeBuilders;

impl syn::visit_mut::VisitMut for NoTypeBuilders {
    fn visit_path_mut(&mut self, path: &mut syn::Path) {
        let idents: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if idents.len() >= 3 && idents[0] == "types" && idents[1] == "builder" {
            let rest: Vec<_> = path.segments.iter().skip(2).cloned().collect();
            path.segments = std::iter::once(path.segments[0].clone())
                .chain(rest)
                .collect();
        }
        syn::visit_mut::visit_path_mut(self, path);
    }
}
