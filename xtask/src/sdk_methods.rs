//! The SDK's methods and operation builders, generated from the xtask's operation model
//! ([`crate::spec::Operation`]) with templates.
//!
//! progenitor generates the types, the `Client` struct and a builder per operation. Of each
//! operation builder only the Rust type of every parameter is read (a structural read of the
//! builder's fields, typify's choice of type), and the `data` type from the answer `send`
//! returns; the builder and the `Client` method are then replaced by the templates below:
//! - `Client::<operation>(required arguments…)`: the path parameters in the order of the
//!   route, then the required query parameters, then the required body (an `EmptyBody` is
//!   sent by the SDK). The aliases (`x-crisp-aliases`) take the same arguments;
//! - the builder: a setter per optional query parameter, `.header(..)` for one request,
//!   `send()`, `send_raw()`, `stream()` on paged lists, and `IntoFuture`, so that a call is
//!   awaited directly.
//!
//! Sending, retries and decoding are `crate::transport`'s, compiled once for every
//! operation: a builder only builds its request (`request(&self)`, borrowed, so that every
//! attempt builds its own and a retry needs no copy).

use crate::docs::setter_name;
use crate::spec::{Model, Operation, Output, Param};
use anyhow::{anyhow, Context, Result};
use proc_macro2::TokenStream;
use quote::{format_ident, quote, ToTokens};
use std::collections::BTreeMap;
use syn::{parse_quote, ImplItem, Item};

/// Replaces progenitor's operation builders and `Client` methods with the SDK's.
pub fn add_sdk_methods(file: &mut syn::File, model: &Model) -> Result<()> {
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
    let mut made = 0;
    let mut methods = Vec::new();
    let mut client_methods = Vec::new();
    for item in &mut file.items {
        match item {
            Item::Mod(m) if m.ident == "builder" => {
                let (_, items) = m
                    .content
                    .as_mut()
                    .ok_or_else(|| anyhow!("builder module has no body"))?;
                // What progenitor's builders say of the operations: the Rust type of every
                // parameter, and of the answer.
                let mut fields: BTreeMap<String, BTreeMap<String, syn::Type>> = BTreeMap::new();
                let mut answers: BTreeMap<String, syn::Type> = BTreeMap::new();
                for item in items.iter() {
                    match item {
                        Item::Struct(s) => {
                            fields.insert(s.ident.to_string(), field_types(s));
                        }
                        Item::Impl(imp) => {
                            if let Some(name) = type_name(&imp.self_ty) {
                                if let Some(answer) = answer_type(imp) {
                                    answers.insert(name, answer);
                                }
                            }
                        }
                        _ => {}
                    }
                }
                let mut generated = Vec::new();
                for (name, op) in &by_builder {
                    let types = fields
                        .get(name)
                        .ok_or_else(|| anyhow!("{}: progenitor made no builder `{name}`", op.id))?;
                    let answer = answers
                        .get(name)
                        .ok_or_else(|| anyhow!("{}: progenitor's builder has no `send`", op.id))?;
                    let builder = Builder::new(op, types, answer)?;
                    generated.extend(builder.items()?);
                    for name in std::iter::once(&op.id).chain(&op.aliases) {
                        client_methods.push(builder.client_method(name, model)?);
                    }
                    made += 1;
                }
                items.retain(|item| matches!(item, Item::Use(_)));
                items.extend(generated);
            }
            Item::Impl(imp)
                if imp.trait_.is_none() && type_name(&imp.self_ty).as_deref() == Some("Client") =>
            {
                let before = imp.items.len();
                imp.items.retain(|it| {
                    !matches!(it, ImplItem::Fn(f) if by_method.contains_key(f.sig.ident.to_string().as_str()))
                });
                methods.push(before - imp.items.len());
            }
            _ => {}
        }
    }
    if made != model.operations.len() || methods.iter().sum::<usize>() != made {
        return Err(anyhow!(
            "made {made} builders for {} operations, replaced {methods:?} methods: \
             progenitor's output changed shape",
            model.operations.len()
        ));
    }
    // The `Client` methods: one `impl Client` block, which the layout splits by group.
    file.items.push(parse_quote! {
        impl Client {
            #(#client_methods)*
        }
    });
    Ok(())
}

/// The Rust type of each field of progenitor's builder struct: `name: Result<T, String>`
/// gives `T` (`Option<T>` for an optional parameter).
fn field_types(s: &syn::ItemStruct) -> BTreeMap<String, syn::Type> {
    s.fields
        .iter()
        .filter_map(|f| {
            let name = f.ident.as_ref()?.to_string();
            Some((name, generic_arg(&f.ty, "Result")?))
        })
        .collect()
}

/// `T` of `Result<ResponseValue<T>, _>`, the output of progenitor's `send`.
fn answer_type(imp: &syn::ItemImpl) -> Option<syn::Type> {
    imp.items.iter().find_map(|it| match it {
        ImplItem::Fn(f) if f.sig.ident == "send" => match &f.sig.output {
            syn::ReturnType::Type(_, ty) => {
                generic_arg(&generic_arg(ty, "Result")?, "ResponseValue")
            }
            syn::ReturnType::Default => None,
        },
        _ => None,
    })
}

/// Whether `ty` is the plain path `segments` (a leading `::` aside), read from its segments.
fn path_is(ty: &syn::Type, segments: &[&str]) -> bool {
    let syn::Type::Path(p) = ty else { return false };
    p.qself.is_none()
        && p.path.segments.len() == segments.len()
        && p.path
            .segments
            .iter()
            .zip(segments)
            .all(|(s, name)| s.ident == name && s.arguments.is_none())
}

/// The first type argument of `Name<T, ..>`.
fn generic_arg(ty: &syn::Type, name: &str) -> Option<syn::Type> {
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

/// One parameter of a builder: its field, its Rust type and what the spec says of it.
struct Field<'a> {
    ident: syn::Ident,
    ty: syn::Type,
    param: &'a Param,
}

impl Field<'_> {
    fn is_string(&self) -> bool {
        path_is(&self.ty, &["std", "string", "String"]) || path_is(&self.ty, &["String"])
    }

    /// The argument's type in a method's signature: ids take anything that becomes a
    /// `String` (`&str`, `String`, `&String`), other values their own type.
    fn argument_type(&self) -> TokenStream {
        let ty = &self.ty;
        if self.is_string() {
            quote!(impl ::std::convert::Into<::std::string::String>)
        } else {
            quote!(#ty)
        }
    }

    /// The type a setter takes: ids and SDK types anything that converts into them (a
    /// `bool` for a `SearchFlag`), numbers their own type (so that a literal is typed by it).
    fn setter_type(&self) -> TokenStream {
        let ty = &self.ty;
        let sdk_type = matches!(ty, syn::Type::Path(p)
            if p.path.segments.first().is_some_and(|s| s.ident == "types"));
        if self.is_string() || sdk_type {
            quote!(impl ::std::convert::Into<#ty>)
        } else {
            quote!(#ty)
        }
    }

    fn conversion(&self) -> TokenStream {
        let ident = &self.ident;
        if self.is_string() {
            quote!(#ident.into())
        } else {
            quote!(#ident)
        }
    }

    fn doc(&self) -> String {
        let p = self.param;
        let need = if p.required { "Required" } else { "Optional" };
        // A `SearchFlag` (`1` or `0` on the wire) is set with a `bool`: the spec's "`1` for
        // …" reads `true` here.
        let flag = path_is(&self.ty, &["types", "SearchFlag"]);
        let description = if flag {
            p.description
                .replacen("`1` for", "`true` for", 1)
                .replace("(default `0`)", "(default `false`)")
                + " Takes a `bool` (sent as `1` or `0`)."
        } else {
            p.description.clone()
        };
        if description.is_empty() {
            format!("{need} {} parameter `{}`.", p.location, p.name)
        } else {
            format!(
                "{description} ({need} {} parameter `{}`.)",
                p.location, p.name
            )
        }
    }
}

/// The template of one operation's builder.
struct Builder<'a> {
    op: &'a Operation,
    name: syn::Ident,
    /// The method's arguments, in order (the body apart).
    arguments: Vec<Field<'a>>,
    /// The optional query parameters.
    options: Vec<Field<'a>>,
    /// The body type the caller passes.
    body: Option<syn::Type>,
    /// What `send_raw` decodes: the envelope, or `()` for an answer without a body.
    answer: syn::Type,
}

impl<'a> Builder<'a> {
    fn new(
        op: &'a Operation,
        types: &BTreeMap<String, syn::Type>,
        answer: &syn::Type,
    ) -> Result<Self> {
        let field = |param: &'a Param, optional: bool| -> Result<Field<'a>> {
            let name = setter_name(&param.name);
            let ty = types
                .get(&name)
                .ok_or_else(|| anyhow!("{}: progenitor's builder has no field `{name}`", op.id))?;
            let ty = if optional {
                generic_arg(ty, "Option")
                    .ok_or_else(|| anyhow!("{}: the optional `{name}` is not an Option", op.id))?
            } else {
                ty.clone()
            };
            Ok(Field {
                ident: format_ident!("{name}"),
                ty,
                param,
            })
        };
        let arguments = op
            .arguments()
            .into_iter()
            .map(|p| field(p, false))
            .collect::<Result<Vec<_>>>()?;
        let options = op
            .options()
            .into_iter()
            .map(|p| field(p, true))
            .collect::<Result<Vec<_>>>()?;
        let body = op
            .body_argument()
            .map(|name| syn::parse_str::<syn::Type>(&format!("types::{name}")))
            .transpose()
            .with_context(|| format!("{}: body type", op.id))?;
        Ok(Self {
            op,
            name: format_ident!("{}", pascal(&op.id)),
            arguments,
            options,
            body,
            answer: answer.clone(),
        })
    }

    /// The builder struct, its `impl` and its `IntoFuture`.
    fn items(&self) -> Result<Vec<Item>> {
        let op = self.op;
        let name = &self.name;
        let id = &op.id;
        let doc = format!(
            " The call [`Client::{id}`](super::Client::{id}) builds: set its options, then \
             `.await` it (or `.send().await`)."
        );
        let fields = self.arguments.iter().chain(&self.options).map(|f| {
            let (ident, ty) = (&f.ident, &f.ty);
            if f.param.required {
                quote!(#ident: #ty,)
            } else {
                quote!(#ident: ::std::option::Option<#ty>,)
            }
        });
        let body_field = self.body.as_ref().map(|ty| quote!(body: #ty,));
        let strukt: Item = parse_quote! {
            #[doc = #doc]
            #[derive(Debug, Clone)]
            #[must_use = "a call does nothing until it is awaited (or sent)"]
            pub struct #name {
                client: super::Client,
                #(#fields)*
                #body_field
                headers: crate::transport::ExtraHeaders,
            }
        };
        let output = self.output()?;
        let mut items: Vec<ImplItem> = vec![self.new_fn()];
        items.extend(self.setters());
        items.push(self.request_fn());
        items.extend(self.send_fns()?);
        if let Some(stream) = self.stream_fn()? {
            items.push(stream);
        }
        let imp: Item = parse_quote! {
            impl #name {
                #(#items)*
            }
        };
        let future: Item = parse_quote! {
            impl ::std::future::IntoFuture for #name {
                type Output = ::std::result::Result<#output, crate::Error>;
                type IntoFuture = ::futures::future::BoxFuture<'static, Self::Output>;
                fn into_future(self) -> Self::IntoFuture {
                    ::std::boxed::Box::pin(self.send())
                }
            }
        };
        Ok(vec![strukt, imp, future])
    }

    /// What the caller gets from `send()`.
    fn output(&self) -> Result<TokenStream> {
        Ok(match &self.op.output {
            Output::Data(t) => syn::parse_str::<syn::Type>(t)?.into_token_stream(),
            Output::List(t) => {
                let t: syn::Type = syn::parse_str(t)?;
                quote!(::std::vec::Vec<#t>)
            }
            Output::Nothing => quote!(()),
            Output::Exists => quote!(bool),
        })
    }

    fn new_fn(&self) -> ImplItem {
        let params = self.arguments.iter().map(|f| {
            let (ident, ty) = (&f.ident, &f.ty);
            quote!(#ident: #ty,)
        });
        let body_param = self.body.as_ref().map(|ty| quote!(body: #ty,));
        let set = self.arguments.iter().map(|f| &f.ident);
        let unset = self.options.iter().map(|f| &f.ident);
        let body = self.body.as_ref().map(|_| quote!(body,));
        parse_quote! {
            pub(crate) fn new(client: &super::Client, #(#params)* #body_param) -> Self {
                Self {
                    client: client.clone(),
                    #(#set,)*
                    #(#unset: ::std::option::Option::None,)*
                    #body
                    headers: ::std::default::Default::default(),
                }
            }
        }
    }

    fn setters(&self) -> Vec<ImplItem> {
        let mut setters: Vec<ImplItem> = self
            .options
            .iter()
            .map(|f| {
                let (ident, ty) = (&f.ident, f.setter_type());
                let docs = doc_attrs(&f.doc());
                parse_quote! {
                    #(#docs)*
                    #[allow(clippy::useless_conversion)]
                    pub fn #ident(mut self, value: #ty) -> Self {
                        self.#ident = ::std::option::Option::Some(value.into());
                        self
                    }
                }
            })
            .collect();
        setters.push(parse_quote! {
            /// Adds a header to this request only, over the client's [default
            /// headers](crate::ClientBuilder::default_header) of that name. The headers the
            /// SDK or HTTP sets (`Authorization`, `X-Crisp-Tier`, `User-Agent`,
            /// `Content-Type`, …) and invalid names or values make the call fail before
            /// sending, with an [`InvalidRequest`](crate::ErrorKind::InvalidRequest) error.
            pub fn header(mut self, name: impl AsRef<str>, value: impl AsRef<str>) -> Self {
                self.headers.add(name.as_ref(), value.as_ref());
                self
            }
        });
        setters
    }

    /// `request(&self)`: the URL from the route, the query, the body (no I/O).
    fn request_fn(&self) -> ImplItem {
        let op = self.op;
        // `/website/{website_id}/conversation/{session_id}` → `{}/website/{}/conversation/{}`
        let mut template = String::from("{}");
        let mut segments = Vec::new();
        let mut rest = op.path.as_str();
        while let Some(open) = rest.find('{') {
            let close = rest[open..]
                .find('}')
                .map(|c| open + c)
                .unwrap_or(rest.len());
            template.push_str(&rest[..open]);
            template.push_str("{}");
            let name = setter_name(&rest[open + 1..close]);
            let field = self.arguments.iter().find(|f| f.ident == name);
            let ident = format_ident!("{name}");
            segments.push(match field {
                Some(f) if f.is_string() => quote!(crate::path::encode_path(&self.#ident)),
                _ => quote!(crate::path::encode_path(&self.#ident.to_string())),
            });
            rest = &rest[(close + 1).min(rest.len())..];
        }
        template.push_str(rest);
        let method = format_ident!("{}", op.method.to_lowercase());
        let queries = self
            .arguments
            .iter()
            .chain(&self.options)
            .filter(|f| f.param.location == "query")
            .map(|f| {
                let (ident, wire) = (&f.ident, &f.param.name);
                quote!(.query(&::progenitor_client::QueryParam::new(#wire, &self.#ident)))
            });
        let body = if self.body.is_some() {
            quote! {
                .header(
                    ::reqwest::header::CONTENT_TYPE,
                    ::reqwest::header::HeaderValue::from_static("application/json"),
                )
                .body(crate::transport::json_body(&self.body)?)
            }
        } else if op.empty_body {
            quote! {
                .header(
                    ::reqwest::header::CONTENT_TYPE,
                    ::reqwest::header::HeaderValue::from_static("application/json"),
                )
                .body("{}")
            }
        } else {
            quote!()
        };
        parse_quote! {
            /// Builds the request from the parameters set (no I/O).
            #[allow(clippy::result_large_err)]
            fn request(&self) -> ::std::result::Result<(super::Client, ::reqwest::Request), ::progenitor_client::Error<()>> {
                let url = format!(#template, self.client.baseurl, #(#segments),*);
                let mut request = self
                    .client
                    .client
                    .#method(url)
                    .header(
                        ::reqwest::header::ACCEPT,
                        ::reqwest::header::HeaderValue::from_static("application/json"),
                    )
                    #(#queries)*
                    #body
                    .build()?;
                crate::transport::add_headers(&mut request, self.headers.map());
                Ok((self.client.clone(), request))
            }
        }
    }

    /// `send_raw`, `prepare` and `send`.
    fn send_fns(&self) -> Result<Vec<ImplItem>> {
        let op = self.op;
        let answer = &self.answer;
        let empty = matches!(answer, syn::Type::Tuple(t) if t.elems.is_empty());
        let raw_call = if empty {
            quote!(crate::transport::send_raw_empty(self.request()))
        } else {
            quote!(crate::transport::send_raw::<#answer>(self.request()))
        };
        let send_raw: ImplItem = parse_quote! {
            /// Sends the request and returns progenitor's raw answer: the whole envelope with
            /// the HTTP status and headers. No retries; errors are not mapped.
            /// Prefer [`send`](Self::send).
            pub fn send_raw(
                self,
            ) -> impl ::std::future::Future<
                Output = ::std::result::Result<::progenitor_client::ResponseValue<#answer>, ::progenitor_client::Error<()>>,
            > + Send + 'static {
                #raw_call
            }
        };
        let checks = self.arguments.iter().filter(|f| f.is_string()).map(|f| {
            let (ident, wire) = (&f.ident, &f.param.name);
            quote! { crate::path::check_segment(operation.id, #wire, &self.#ident)?; }
        });
        let prepare: ImplItem = parse_quote! {
            /// Checks the path ids and builds the request: what can be refused before sending.
            fn prepare(
                &self,
                operation: &'static crate::transport::Operation,
            ) -> ::std::result::Result<(super::Client, ::reqwest::Request), crate::Error> {
                #(#checks)*
                self.headers.check(operation.id)?;
                crate::transport::built(operation.id, self.request())
            }
        };
        let output = self.output()?;
        let call = match &op.output {
            Output::Data(_) | Output::List(_) => quote!(
                crate::transport::send::<#answer, _>(&OPERATION, move || self.prepare(&OPERATION))
            ),
            Output::Nothing => {
                quote!(crate::transport::send_unit(&OPERATION, move || self.prepare(&OPERATION)))
            }
            Output::Exists => {
                quote!(crate::transport::send_exists(&OPERATION, move || self.prepare(&OPERATION)))
            }
        };
        let doc = match &op.output {
            Output::Exists => " Sends the request: `true` when Crisp answers 2xx, `false` on 404.",
            Output::Nothing => " Sends the request; Crisp's answer carries no data.",
            _ => " Sends the request and returns Crisp's `data`, decoded.",
        };
        let (id, path) = (&op.id, &op.path);
        let method = format_ident!("{}", op.method);
        let send: ImplItem = parse_quote! {
            #[doc = #doc]
            #[doc = ""]
            #[doc = " The same as awaiting the builder, without boxing the future (`IntoFuture` boxes"]
            #[doc = " it; see BENCHMARKS.md): the spelling for hot paths. Retries, timeouts and"]
            #[doc = " authentication follow the [`Client`](crate::Client)'s configuration. Errors are"]
            #[doc = " [`crate::Error`], carrying the HTTP status and Crisp's `reason`."]
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
        Ok(vec![send_raw, prepare, send])
    }

    /// `stream()` on paged lists (`x-crisp-pagination`).
    fn stream_fn(&self) -> Result<Option<ImplItem>> {
        let (Some(kind), Output::List(t)) = (&self.op.pagination, &self.op.output) else {
            return Ok(None);
        };
        let t: syn::Type = syn::parse_str(t)?;
        let has = |name: &str| {
            self.arguments
                .iter()
                .chain(&self.options)
                .any(|f| f.ident == name)
        };
        Ok(Some(if kind == "page" {
            if !has("page_number") {
                return Err(anyhow!(
                    "{}: a page-paged list without `page_number`",
                    self.op.id
                ));
            }
            parse_quote! {
                #[doc = " Streams every item, page after page from the page given to the method. The"]
                #[doc = " next page is fetched only once the previous one is drained; the stream ends"]
                #[doc = " at the first empty page, or after yielding an error."]
                pub fn stream(self) -> impl ::futures::Stream<Item = ::std::result::Result<#t, crate::Error>> + Unpin + 'static {
                    let start = self.page_number;
                    crate::pagination::by_page(self, start, |mut b, page| {
                        b.page_number = page;
                        b.send()
                    })
                }
            }
        } else {
            if !has("timestamp_before") {
                return Err(anyhow!(
                    "{}: a timestamp-paged list without `timestamp_before`",
                    self.op.id
                ));
            }
            parse_quote! {
                #[doc = " Streams every message, the newest batch first, then older ones: the oldest"]
                #[doc = " `timestamp` seen becomes the next `timestamp_before`. The stream ends at an"]
                #[doc = " empty batch, a batch with nothing older, or after yielding an error."]
                pub fn stream(self) -> impl ::futures::Stream<Item = ::std::result::Result<#t, crate::Error>> + Unpin + 'static {
                    let start = self.timestamp_before;
                    crate::pagination::by_timestamp(
                        self,
                        start,
                        |mut b, before| {
                            b.timestamp_before = before;
                            b.send()
                        },
                        |item| item.timestamp,
                    )
                }
            }
        }))
    }
}

impl Builder<'_> {
    /// `Client::<name>(arguments…)`: the operation's method (or one of its aliases).
    fn client_method(&self, name: &str, model: &Model) -> Result<ImplItem> {
        let op = self.op;
        let method = format_ident!("{name}");
        let builder = &self.name;
        let doc = crate::docs::method_doc(op, name, model);
        if doc.contains(crate::docs::UNBUILT) {
            return Err(anyhow!(
                "{name}: its example cannot be built from the spec's examples \
                 (a required parameter without an example, or a body the docs cannot build)"
            ));
        }
        let mut docs = doc_attrs(&doc);
        // rustdoc's search finds the method by Crisp's title and by the Node wrapper's name.
        let mut aliases = vec![op.summary.clone()];
        for node in &op.node {
            if let Some((_, node)) = node.split_once('.') {
                if node != name && !aliases.iter().any(|a| a == node) {
                    aliases.push(node.to_string());
                }
            }
        }
        for alias in aliases {
            docs.push(parse_quote!(#[doc(alias = #alias)]));
        }
        let params = self.arguments.iter().map(|f| {
            let (ident, ty) = (&f.ident, f.argument_type());
            quote!(#ident: #ty)
        });
        let values = self.arguments.iter().map(Field::conversion);
        let body = self
            .body
            .as_ref()
            .map(|ty| quote!(body: impl ::std::convert::Into<#ty>));
        let body_value = self.body.as_ref().map(|_| quote!(body.into()));
        Ok(parse_quote! {
            #(#docs)*
            pub fn #method(&self, #(#params,)* #body) -> builder::#builder {
                builder::#builder::new(self, #(#values,)* #body_value)
            }
        })
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

fn type_name(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

pub fn pascal(id: &str) -> String {
    crate::spec::pascal_value(id)
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
                s.attrs.extend(doc_attrs(CLIENT_DOC));
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
clone, and clones share one connection pool and configuration. Each method takes the
operation's required inputs (ids in the order of the route, then the body) and returns a call
to `.await` for Crisp's `data`, typed; optional parameters are setters on the call, and paged
lists have `.stream()` for every item across pages. Every call goes through the same
authentication, tier, timeouts and retries, and fails with one error type, [`crate::Error`].

```no_run
use crisp_api::prelude::*;

# async fn run() -> Result<(), crisp_api::Error> {
let client = Client::builder()
    .tier(Tier::Plugin)
    .credentials(\"identifier\", \"key\")
    .build()?;
let website_id = \"8c842203-7ed8-4e29-a608-7cf78a7d2fcc\";

let mut unresolved = client
    .list_conversations(website_id, 1)
    .filter_not_resolved(true)
    .stream();
while let Some(conversation) = unresolved.try_next().await? {
    let hello = MessageNew::operator_text(\"Hello!\");
    client
        .send_message_in_conversation(website_id, &conversation.session_id, hello)
        .await?;
}
# Ok(())
# }
```

Method names are those of Crisp's official wrappers: the Ruby wrapper's where it has the
method, the Node wrapper's in snake case otherwise (both where they differ). Each method's
documentation gives the reference's title, its tiers and a link to Crisp's reference.";
