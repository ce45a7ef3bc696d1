//! The pass over typify's types (progenitor's `types` module) that makes them decode what
//! Crisp sends and read like hand-written Rust:
//! - typify's struct builders go: every struct gets a constructor taking its required fields
//!   and one setter per optional field (`MessageUser::new().nickname("Bot")`), taking what
//!   people pass (`&str`, arrays, `json!({..})`, a nested struct without `Some`): request
//!   bodies are built that way, and answers too, in users' own tests;
//! - every struct, open enum and tagged content is `#[non_exhaustive]`: a field Crisp adds to
//!   an answer, or a value to an open enum, is not a breaking change (a struct literal or an
//!   exhaustive `match` outside the crate would break; `new` and setters do not);
//! - optional arrays and maps decode `null` as empty, like an absent field;
//! - open enums (`x-extensible-enum`) are generated here, with a catch-all `Other(String)`;
//! - content typed by a sibling field (`x-crisp-tagged-by`, a message's `content` by its
//!   `type`) is one Rust enum, flattened into the struct holding it, that keeps unknown types
//!   as raw JSON;
//! - closed enums take their variant names from `x-enum-varnames`.

use crate::spec::{Model, OpenEnum, Tagged};
use anyhow::{anyhow, bail, Result};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use std::collections::BTreeMap;
use syn::punctuated::Punctuated;
use syn::{parse_quote, Attribute, Fields, ImplItem, Item, Meta, Token};

pub fn apply(file: &mut syn::File, model: &Model) -> Result<()> {
    let types = file
        .items
        .iter_mut()
        .find_map(|item| match item {
            Item::Mod(m) if m.ident == "types" => m.content.as_mut().map(|(_, items)| items),
            _ => None,
        })
        .ok_or_else(|| anyhow!("progenitor's output has no `types` module"))?;
    let before = types.len();
    types.retain(|item| !is_builder_item(item));
    if before == types.len() {
        bail!("no typify struct builder found: progenitor's output changed shape");
    }
    let tagged: BTreeMap<&str, &Tagged> = model
        .schemas
        .tagged
        .iter()
        .map(|t| (t.name.as_str(), t))
        .collect();
    let mut added = Vec::new();
    for item in types.iter_mut() {
        match item {
            Item::Struct(s) => {
                let Fields::Named(fields) = &mut s.fields else {
                    continue;
                };
                let name = s.ident.to_string();
                for field in fields.named.iter_mut() {
                    rewrite_field(field, &tagged)?;
                }
                let order = model
                    .schemas
                    .required
                    .get(&name)
                    .cloned()
                    .unwrap_or_default();
                let request = model.schemas.request.contains(&name);
                added.push(constructor_and_setters(
                    &s.ident, fields, &order, model, request,
                )?);
                s.attrs.push(parse_quote!(#[non_exhaustive]));
            }
            Item::Enum(e) => {
                if let Some(names) = model.schemas.varnames.get(&e.ident.to_string()) {
                    rename_variants(e, names)?;
                }
                if let Some(extra) = name_untagged_variants(e)? {
                    added.push(extra);
                }
                if let Some(extra) = from_bool(e) {
                    added.push(extra);
                }
            }
            _ => {}
        }
    }
    if let Some(names) = model
        .schemas
        .varnames
        .keys()
        .find(|n| !types_has_enum(types, n))
    {
        bail!("x-enum-varnames on {names}, which typify did not generate as an enum");
    }
    rename_variant_uses(types, &model.schemas.varnames);
    rename_untagged_uses(types);
    types.extend(added);
    for open in &model.schemas.open_enums {
        types.extend(syn::parse2::<syn::File>(open_enum(open))?.items);
    }
    for t in &model.schemas.tagged {
        types.extend(syn::parse2::<syn::File>(tagged_content(t)?)?.items);
    }
    Ok(())
}

/// typify's builder module and the `X::builder()` functions pointing into it.
fn is_builder_item(item: &Item) -> bool {
    match item {
        Item::Mod(m) => m.ident == "builder",
        Item::Impl(imp) if imp.trait_.is_none() => {
            imp.items.len() == 1
                && matches!(&imp.items[0], ImplItem::Fn(f) if f.sig.ident == "builder")
        }
        _ => false,
    }
}

fn types_has_enum(types: &[Item], name: &str) -> bool {
    types
        .iter()
        .any(|i| matches!(i, Item::Enum(e) if e.ident == name))
}

/// What a field's type is, for the rules below.
enum Kind<'a> {
    Option(&'a syn::Type),
    Vec(&'a syn::Type),
    /// `HashMap<String, V>` or `serde_json::Map<String, V>`.
    Map(&'a syn::Type),
    Value,
    /// Numbers and booleans: setters take them as they are (an integer literal passed to an
    /// `impl Into<i64>` would be typed `i32` and overflow).
    Scalar,
    String,
    Other,
}

fn kind(ty: &syn::Type) -> Kind<'_> {
    let syn::Type::Path(p) = ty else {
        return Kind::Other;
    };
    let Some(last) = p.path.segments.last() else {
        return Kind::Other;
    };
    let args: Vec<&syn::Type> = match &last.arguments {
        syn::PathArguments::AngleBracketed(a) => a
            .args
            .iter()
            .filter_map(|a| match a {
                syn::GenericArgument::Type(t) => Some(t),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    let second = p
        .path
        .segments
        .iter()
        .rev()
        .nth(1)
        .map(|s| s.ident.to_string());
    match (last.ident.to_string().as_str(), args.as_slice()) {
        ("Option", [inner]) => Kind::Option(inner),
        ("Vec", [inner]) => Kind::Vec(inner),
        ("HashMap" | "BTreeMap", [_, v]) => Kind::Map(v),
        ("Map", [_, v]) if second.as_deref() == Some("serde_json") => Kind::Map(v),
        ("Value", []) if second.as_deref() == Some("serde_json") => Kind::Value,
        ("String", []) => Kind::String,
        (
            "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" | "f32" | "f64" | "bool"
            | "NonZeroU8" | "NonZeroU16" | "NonZeroU32" | "NonZeroU64",
            [],
        ) => Kind::Scalar,
        _ => Kind::Other,
    }
}

fn last_ident(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// The entries of a field's `#[serde(...)]` attribute, and the attribute's index.
fn serde_entries(field: &syn::Field) -> Result<(Option<usize>, Vec<Meta>)> {
    for (i, attr) in field.attrs.iter().enumerate() {
        if attr.path().is_ident("serde") {
            let entries = attr.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated)?;
            return Ok((Some(i), entries.into_iter().collect()));
        }
    }
    Ok((None, Vec::new()))
}

fn set_serde(field: &mut syn::Field, at: Option<usize>, entries: Vec<Meta>) {
    let attr: Attribute = parse_quote!(#[serde(#(#entries),*)]);
    match at {
        Some(i) if entries.is_empty() => {
            field.attrs.remove(i);
        }
        Some(i) => field.attrs[i] = attr,
        None if entries.is_empty() => {}
        None => field.attrs.push(attr),
    }
}

fn meta_name(m: &Meta) -> String {
    m.path()
        .get_ident()
        .map(|i| i.to_string())
        .unwrap_or_default()
}

/// The decode rules for one field (see the module's documentation).
fn rewrite_field(field: &mut syn::Field, tagged: &BTreeMap<&str, &Tagged>) -> Result<()> {
    let (at, mut entries) = serde_entries(field)?;
    let has_default = entries.iter().any(|m| meta_name(m) == "default");
    // Tagged content: one enum for the tag and the content, flattened into this struct.
    let inner = match kind(&field.ty) {
        Kind::Option(inner) => inner,
        _ => &field.ty,
    };
    if let Some(t) = last_ident(inner).and_then(|n| tagged.get(n.as_str()).copied()) {
        let ty: syn::Type = syn::parse_str(&format!("crate::types::{}", t.name))?;
        field.ty = ty;
        set_serde(field, at, vec![parse_quote!(flatten)]);
        return Ok(());
    }
    match kind(&field.ty) {
        Kind::Vec(_) | Kind::Map(_) if has_default => {
            entries.push(parse_quote!(
                deserialize_with = "crate::de::null_as_default"
            ));
            set_serde(field, at, entries);
        }
        Kind::Option(inner) if matches!(kind(inner), Kind::Value) => {
            field.ty = parse_quote!(::serde_json::Value);
            entries.retain(|m| meta_name(m) != "skip_serializing_if" && meta_name(m) != "default");
            entries.push(parse_quote!(default));
            entries.push(parse_quote!(
                skip_serializing_if = "::serde_json::Value::is_null"
            ));
            set_serde(field, at, entries);
        }
        _ => {}
    }
    Ok(())
}

/// `new(required fields…)` and one setter per optional field: request bodies are built this
/// way, and answers in users' own tests (every struct is `#[non_exhaustive]`, so no struct
/// literal outside the crate). A request body's setter must be documented from the spec; an
/// answer's falls back to naming its field.
fn constructor_and_setters(
    ident: &syn::Ident,
    fields: &syn::FieldsNamed,
    required_order: &[String],
    model: &Model,
    request: bool,
) -> Result<Item> {
    struct F<'a> {
        ident: &'a syn::Ident,
        wire: String,
        ty: &'a syn::Type,
        docs: Vec<&'a Attribute>,
        required: bool,
        default_fn: Option<syn::Path>,
    }
    let mut all = Vec::new();
    for field in &fields.named {
        let ident = field
            .ident
            .as_ref()
            .ok_or_else(|| anyhow!("{ident}: unnamed field"))?;
        let (_, entries) = serde_entries(field)?;
        let mut wire = ident.to_string();
        let mut default = false;
        let mut default_fn = None;
        let mut flatten = false;
        for m in &entries {
            match (meta_name(m).as_str(), m) {
                ("rename", Meta::NameValue(nv)) => wire = lit_str(&nv.value)?,
                ("default", Meta::Path(_)) => default = true,
                ("default", Meta::NameValue(nv)) => {
                    default = true;
                    default_fn = Some(syn::parse_str(&lit_str(&nv.value)?)?);
                }
                ("flatten", _) => flatten = true,
                _ => {}
            }
        }
        let optional = matches!(kind(&field.ty), Kind::Option(_)) || default;
        all.push(F {
            ident,
            wire,
            ty: &field.ty,
            docs: field
                .attrs
                .iter()
                .filter(|a| a.path().is_ident("doc"))
                .collect(),
            required: flatten || !optional,
            default_fn,
        });
    }
    // The constructor takes the required fields in the spec's order (`required: [...]`).
    let position = |f: &F| {
        required_order
            .iter()
            .position(|r| *r == f.wire)
            .unwrap_or(usize::MAX)
    };
    let mut required: Vec<&F> = all.iter().filter(|f| f.required).collect();
    required.sort_by_key(|f| position(f));
    let mut inits = Vec::new();
    for f in &all {
        let name = f.ident;
        if f.required {
            let (_, value) = argument(f.ty, name);
            inits.push(quote!(#name: #value));
        } else if let Some(path) = &f.default_fn {
            inits.push(quote!(#name: #path()));
        } else {
            inits.push(quote!(#name: ::std::default::Default::default()));
        }
    }
    let ordered_params: Vec<TokenStream> = required
        .iter()
        .map(|f| {
            let name = f.ident;
            let (param, _) = argument(f.ty, name);
            quote!(#name: #param)
        })
        .collect();
    let new_doc = if required.is_empty() {
        format!(" A `{ident}` with every field unset; set them with the methods below.")
    } else {
        let names: Vec<String> = required.iter().map(|f| format!("`{}`", f.wire)).collect();
        format!(
            " A `{ident}` from its required fields ({}); set the others with the methods below.",
            names.join(", ")
        )
    };
    let mut methods = vec![quote! {
        #[doc = #new_doc]
        #[allow(clippy::new_without_default, clippy::too_many_arguments)]
        pub fn new(#(#ordered_params),*) -> Self {
            Self { #(#inits),* }
        }
    }];
    for f in all.iter().filter(|f| !f.required) {
        let name = f.ident;
        if name == "new" {
            continue;
        }
        let docs = &f.docs;
        let doc = if docs.is_empty() {
            // Every setter is documented from the spec: the property's description, or the
            // description of the schema it refers to.
            let described = referenced_description(model, &ident.to_string(), &f.wire)
                .or_else(|| (!request).then(|| format!("Sets `{}`.", f.wire)));
            let Some(described) = described else {
                bail!(
                    "components/schemas/{ident}.{}: a property users set needs a `description` \
                     (it becomes the setter's documentation)",
                    f.wire
                );
            };
            let described = format!(" {described}");
            quote!(#[doc = #described])
        } else {
            quote!(#(#docs)*)
        };
        let setter = match kind(f.ty) {
            Kind::Option(inner) => {
                let (param, value) = argument(inner, name);
                quote! {
                    #doc
                    pub fn #name(mut self, #name: #param) -> Self {
                        self.#name = ::std::option::Option::Some(#value);
                        self
                    }
                }
            }
            _ => {
                let (param, value) = argument(f.ty, name);
                quote! {
                    #doc
                    pub fn #name(mut self, #name: #param) -> Self {
                        self.#name = #value;
                        self
                    }
                }
            }
        };
        methods.push(setter);
    }
    let item: syn::ItemImpl = parse_quote! {
        impl #ident {
            #(#methods)*
        }
    };
    Ok(Item::Impl(item))
}

/// The description of the schema a property refers to (`$ref`, `allOf: [$ref]`, or an array
/// of them), for a property without its own: OpenAPI 3.0 ignores a description beside `$ref`.
fn referenced_description(model: &Model, schema: &str, property: &str) -> Option<String> {
    let p = model
        .components
        .get(schema)?
        .pointer(&format!("/properties/{property}"))?;
    let target = p
        .get("$ref")
        .or_else(|| p.pointer("/allOf/0/$ref"))
        .or_else(|| p.pointer("/items/$ref"))?
        .as_str()?
        .trim_start_matches("#/components/schemas/");
    let description = model.components.get(target)?.get("description")?.as_str()?;
    let first = description
        .split("\n\n")
        .next()?
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let list = p.get("items").is_some();
    Some(if list {
        format!("A list of: {first}")
    } else {
        first
    })
}

/// The parameter type a constructor or setter takes for a field of type `ty`, and the
/// expression turning the parameter `name` into the field's value.
fn argument(ty: &syn::Type, name: &syn::Ident) -> (TokenStream, TokenStream) {
    match kind(ty) {
        Kind::Scalar => (quote!(#ty), quote!(#name)),
        Kind::String => (
            quote!(impl ::std::convert::Into<::std::string::String>),
            quote!(#name.into()),
        ),
        Kind::Value => (
            quote!(impl ::std::convert::Into<::serde_json::Value>),
            quote!(#name.into()),
        ),
        Kind::Vec(inner) => match kind(inner) {
            Kind::Scalar => (
                quote!(impl ::std::iter::IntoIterator<Item = #inner>),
                quote!(#name.into_iter().collect()),
            ),
            _ => (
                quote!(impl ::std::iter::IntoIterator<Item = impl ::std::convert::Into<#inner>>),
                quote!(#name.into_iter().map(::std::convert::Into::into).collect()),
            ),
        },
        Kind::Map(value) => {
            let value_param = match kind(value) {
                Kind::Scalar => quote!(#value),
                _ => quote!(impl ::std::convert::Into<#value>),
            };
            (
                quote!(impl ::std::iter::IntoIterator<Item = (impl ::std::convert::Into<::std::string::String>, #value_param)>),
                quote!(#name.into_iter().map(|(k, v)| (k.into(), v.into())).collect()),
            )
        }
        Kind::Option(inner) => {
            // A required nullable field: `None` is a value users may pass.
            (quote!(::std::option::Option<#inner>), quote!(#name))
        }
        Kind::Other => (quote!(impl ::std::convert::Into<#ty>), quote!(#name.into())),
    }
}

fn lit_str(e: &syn::Expr) -> Result<String> {
    match e {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => Ok(s.value()),
        _ => bail!("expected a string literal in a serde attribute"),
    }
}

/// `#[serde(untagged)]` (read as the attribute's nested meta, not as printed text).
fn is_serde_untagged(attr: &syn::Attribute) -> bool {
    let mut untagged = false;
    if attr.path().is_ident("serde") {
        let _ = attr.parse_nested_meta(|meta| {
            untagged |= meta.path.is_ident("untagged");
            // Skip a value (`rename = ".."`) so that the parser moves on to the next item.
            if meta.input.peek(syn::Token![=]) {
                meta.value()?.parse::<syn::Expr>()?;
            }
            Ok(())
        });
    }
    untagged
}

/// typify names the variants of an untagged `oneOf` `Variant0`, `Variant1`, …: name them
/// after what they hold (`Text` for a string, `Json` for any JSON) and let a `&str` or a
/// `String` convert into the text variant. Returns the added `From` impls.
fn name_untagged_variants(e: &mut syn::ItemEnum) -> Result<Option<Item>> {
    let untagged = e.attrs.iter().any(is_serde_untagged);
    if !untagged
        || !e
            .variants
            .iter()
            .all(|v| v.ident.to_string().starts_with("Variant"))
    {
        return Ok(None);
    }
    let mut text = false;
    let mut renames = BTreeMap::new();
    for variant in &mut e.variants {
        let syn::Fields::Unnamed(fields) = &variant.fields else {
            return Ok(None);
        };
        let [field] = fields.unnamed.iter().collect::<Vec<_>>()[..] else {
            return Ok(None);
        };
        let new = match kind(&field.ty) {
            Kind::String => "Text",
            Kind::Value => "Json",
            Kind::Scalar => "Number",
            _ => return Ok(None),
        };
        renames.insert(variant.ident.to_string(), new.to_string());
        text |= new == "Text";
        variant.ident = format_ident!("{new}");
    }
    if renames
        .values()
        .collect::<std::collections::BTreeSet<_>>()
        .len()
        != renames.len()
    {
        bail!("{}: two variants of one kind in an untagged oneOf", e.ident);
    }
    if !text {
        return Ok(None);
    }
    let name = &e.ident;
    Ok(Some(parse_quote! {
        impl ::std::convert::From<&str> for #name {
            fn from(value: &str) -> Self {
                Self::Text(value.to_string())
            }
        }
    }))
}

/// A yes/no enum (wire values `0` and `1`, as Crisp's search flags): `From<bool>`, so that
/// callers pass `true`/`false`.
fn from_bool(e: &syn::ItemEnum) -> Option<Item> {
    let wire = |v: &syn::Variant| {
        v.attrs
            .iter()
            .find(|a| a.path().is_ident("serde"))
            .and_then(|a| a.parse_args::<Meta>().ok())
            .and_then(|m| match m {
                Meta::NameValue(nv) if nv.path.is_ident("rename") => lit_str(&nv.value).ok(),
                _ => None,
            })
    };
    let values: Vec<(String, syn::Ident)> = e
        .variants
        .iter()
        .map(|v| Some((wire(v)?, v.ident.clone())))
        .collect::<Option<_>>()?;
    let yes = values.iter().find(|(w, _)| w == "1").map(|(_, i)| i)?;
    let no = values.iter().find(|(w, _)| w == "0").map(|(_, i)| i)?;
    if values.len() != 2 {
        return None;
    }
    let name = &e.ident;
    let doc = format!(
        " `true` is sent as `1`, `false` as `0`.\n\n ```\n assert_eq!(crisp_api::types::{name}::from(true).to_string(), \"1\");\n ```"
    );
    Some(parse_quote! {
        impl ::std::convert::From<bool> for #name {
            #[doc = #doc]
            fn from(yes: bool) -> Self {
                if yes { Self::#yes } else { Self::#no }
            }
        }
    })
}

/// Points the impls of untagged enums at their renamed variants (`Self::Variant1` → `Self::Json`).
fn rename_untagged_uses(types: &mut [Item]) {
    let renamed: Vec<(String, BTreeMap<String, String>)> = types
        .iter()
        .filter_map(|i| match i {
            Item::Enum(e) if e.attrs.iter().any(is_serde_untagged) => {
                let mut map = BTreeMap::new();
                for (i, v) in e.variants.iter().enumerate() {
                    map.insert(format!("Variant{i}"), v.ident.to_string());
                }
                Some((e.ident.to_string(), map))
            }
            _ => None,
        })
        .collect();
    struct Fix<'a>(&'a BTreeMap<String, String>);
    impl syn::visit_mut::VisitMut for Fix<'_> {
        fn visit_path_mut(&mut self, path: &mut syn::Path) {
            if path.segments.len() == 2 && path.segments[0].ident == "Self" {
                let last = &mut path.segments[1].ident;
                if let Some(new) = self.0.get(&last.to_string()) {
                    *last = format_ident!("{new}");
                }
            }
            syn::visit_mut::visit_path_mut(self, path);
        }
    }
    for (name, map) in &renamed {
        for item in types.iter_mut() {
            if let Item::Impl(imp) = item {
                if matches!(&*imp.self_ty, syn::Type::Path(p) if p.path.is_ident(name.as_str())) {
                    syn::visit_mut::VisitMut::visit_item_impl_mut(&mut Fix(map), imp);
                }
            }
        }
    }
}

/// Renames the variants of a closed enum as `x-enum-varnames` says.
fn rename_variants(e: &mut syn::ItemEnum, names: &BTreeMap<String, String>) -> Result<()> {
    for variant in &mut e.variants {
        let wire = variant
            .attrs
            .iter()
            .find(|a| a.path().is_ident("serde"))
            .and_then(|a| a.parse_args::<Meta>().ok())
            .and_then(|m| match m {
                Meta::NameValue(nv) if nv.path.is_ident("rename") => lit_str(&nv.value).ok(),
                _ => None,
            })
            .ok_or_else(|| anyhow!("{}: a variant without its wire value", e.ident))?;
        let name = names
            .get(&wire)
            .ok_or_else(|| anyhow!("{}: no x-enum-varnames entry for `{wire}`", e.ident))?;
        variant.ident = format_ident!("{name}");
    }
    Ok(())
}

/// Points `Self::X0` and `Enum::X0` in the impls of renamed enums at the new names.
fn rename_variant_uses(types: &mut [Item], varnames: &BTreeMap<String, BTreeMap<String, String>>) {
    if varnames.is_empty() {
        return;
    }
    // The old names are typify's (`X0` for "0"); map them through the wire values.
    struct Fix<'a> {
        renames: BTreeMap<String, String>,
        enum_name: &'a str,
    }
    impl syn::visit_mut::VisitMut for Fix<'_> {
        fn visit_path_mut(&mut self, path: &mut syn::Path) {
            let n = path.segments.len();
            if n >= 2 {
                let owner = path.segments[n - 2].ident.to_string();
                if owner == "Self" || owner == self.enum_name {
                    let last = &mut path.segments[n - 1].ident;
                    if let Some(new) = self.renames.get(&last.to_string()) {
                        *last = format_ident!("{new}");
                    }
                }
            }
            syn::visit_mut::visit_path_mut(self, path);
        }
    }
    for (enum_name, names) in varnames {
        let renames: BTreeMap<String, String> = names
            .iter()
            .map(|(wire, new)| (typify_variant_name(wire), new.clone()))
            .collect();
        let mut fix = Fix { renames, enum_name };
        for item in types.iter_mut() {
            if let Item::Impl(imp) = item {
                let is_for = matches!(&*imp.self_ty, syn::Type::Path(p) if p.path.is_ident(enum_name.as_str()));
                if is_for {
                    syn::visit_mut::VisitMut::visit_item_impl_mut(&mut fix, imp);
                }
            }
        }
    }
}

/// typify's name for an enum value: PascalCase, `X` before a leading digit.
pub fn typify_variant_name(wire: &str) -> String {
    let pascal = crate::spec::pascal_value(wire);
    if pascal.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        format!("X{pascal}")
    } else {
        pascal
    }
}

/// An enum Crisp may extend: known values as variants, anything else kept in `Other`.
fn open_enum(e: &OpenEnum) -> TokenStream {
    let name = format_ident!("{}", e.name);
    let doc = format!(
        "{}\n\nA value this version of the SDK does not know decodes into [`{}::Other`], \
         so a value Crisp adds later never fails a call.",
        e.description.trim_end(),
        e.name
    );
    let variants: Vec<_> = e.values.iter().map(|(_, v)| format_ident!("{v}")).collect();
    let wires: Vec<&str> = e.values.iter().map(|(w, _)| w.as_str()).collect();
    let variant_docs: Vec<String> = wires.iter().map(|w| format!(" `{w}`")).collect();
    let example_wire = wires.first().copied().unwrap_or("value");
    let example_variant = variants
        .first()
        .cloned()
        .unwrap_or_else(|| format_ident!("Other"));
    let from_doc = format!(
        " ```\n # use crisp_api::types::{name};\n assert_eq!({name}::from(\"{example_wire}\"), {name}::{example_variant});\n assert_eq!({name}::from(\"not-yet-known\").as_str(), \"not-yet-known\");\n ```"
    );
    quote! {
        #[doc = #doc]
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #name {
            #( #[doc = #variant_docs] #variants, )*
            /// A value this version of the SDK does not know, as Crisp sent it.
            Other(::std::string::String),
        }
        impl #name {
            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #( Self::#variants => #wires, )*
                    Self::Other(value) => value.as_str(),
                }
            }
        }
        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl ::std::convert::From<&str> for #name {
            /// The variant of a wire value; an unknown value becomes `Other`.
            ///
            #[doc = #from_doc]
            fn from(value: &str) -> Self {
                match value {
                    #( #wires => Self::#variants, )*
                    other => Self::Other(other.to_string()),
                }
            }
        }
        impl ::std::convert::From<::std::string::String> for #name {
            fn from(value: ::std::string::String) -> Self {
                match value.as_str() {
                    #( #wires => Self::#variants, )*
                    _ => Self::Other(value),
                }
            }
        }
        impl ::std::str::FromStr for #name {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }
        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                struct Visitor;
                impl ::serde::de::Visitor<'_> for Visitor {
                    type Value = #name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str("a string")
                    }
                    fn visit_str<E: ::serde::de::Error>(self, value: &str) -> ::std::result::Result<#name, E> {
                        Ok(#name::from(value))
                    }
                    fn visit_string<E: ::serde::de::Error>(self, value: ::std::string::String) -> ::std::result::Result<#name, E> {
                        Ok(#name::from(value))
                    }
                }
                deserializer.deserialize_str(Visitor)
            }
        }
    }
}

/// Content typed by a sibling tag: one variant per known tag value, `Other` for the rest.
fn tagged_content(t: &Tagged) -> Result<TokenStream> {
    let name = format_ident!("{}", t.name);
    let tag = &t.tag;
    let content = &t.content;
    let doc = format!(
        "{}\n\nIt reads and writes both `{tag}` and `{content}`: the field holding it is \
         flattened into its object. A `{tag}` this version of the SDK does not know, or a \
         `{content}` that does not have the shape of its `{tag}`, decodes into \
         [`{}::Other`] with the JSON as sent, so a new kind never fails a call.",
        t.description.trim_end(),
        t.name
    );
    let mut variants = Vec::new();
    let mut wires = Vec::new();
    let mut types = Vec::new();
    let mut docs = Vec::new();
    let mut helpers = Vec::new();
    let mut from_impls = Vec::new();
    let mut seen_types = BTreeMap::new();
    for (wire, variant, rust, description) in &t.variants {
        let v = format_ident!("{variant}");
        let ty: syn::Type = syn::parse_str(rust)?;
        let doc = if description.is_empty() {
            format!(" `{tag}: {wire}`.")
        } else {
            format!(" `{tag}: {wire}`: {description}")
        };
        if rust == "::std::string::String" {
            let helper = format_ident!(
                "{}",
                wire.replace(|c: char| !c.is_ascii_alphanumeric(), "_")
            );
            let helper_doc = format!(" `{tag}: {wire}` content.");
            helpers.push(quote! {
                #[doc = #helper_doc]
                pub fn #helper(#helper: impl ::std::convert::Into<::std::string::String>) -> Self {
                    Self::#v(#helper.into())
                }
            });
        } else {
            *seen_types.entry(rust.clone()).or_insert(0) += 1;
        }
        variants.push(v);
        wires.push(wire.clone());
        types.push(ty);
        docs.push(doc);
    }
    for ((v, ty), (_, _, rust, _)) in variants.iter().zip(&types).zip(&t.variants) {
        if seen_types.get(rust) == Some(&1) {
            from_impls.push(quote! {
                impl ::std::convert::From<#ty> for #name {
                    fn from(value: #ty) -> Self {
                        Self::#v(value)
                    }
                }
            });
        }
    }
    Ok(quote! {
        #[doc = #doc]
        #[derive(Clone, Debug, PartialEq)]
        #[non_exhaustive]
        pub enum #name {
            #( #[doc = #docs] #variants(#types), )*
            /// A kind this version of the SDK does not know (or content that does not have the
            /// shape of its kind), as Crisp sent it.
            Other {
                /// The tag as sent.
                kind: ::std::string::String,
                /// The content as sent.
                content: ::serde_json::Value,
            },
        }
        impl #name {
            #(#helpers)*
            /// The tag value (`text`, `file`, …).
            pub fn kind(&self) -> &str {
                match self {
                    #( Self::#variants(_) => #wires, )*
                    Self::Other { kind, .. } => kind.as_str(),
                }
            }
            fn from_parts(kind: ::std::string::String, content: ::serde_json::Value) -> Self {
                use ::serde::Deserialize as _;
                match kind.as_str() {
                    #( #wires => match <#types>::deserialize(&content) {
                        Ok(value) => Self::#variants(value),
                        Err(_) => Self::Other { kind, content },
                    }, )*
                    _ => Self::Other { kind, content },
                }
            }
        }
        #(#from_impls)*
        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                use ::serde::ser::SerializeMap as _;
                let mut map = serializer.serialize_map(Some(2))?;
                map.serialize_entry(#tag, self.kind())?;
                match self {
                    #( Self::#variants(value) => map.serialize_entry(#content, value)?, )*
                    Self::Other { content, .. } => map.serialize_entry(#content, content)?,
                }
                map.end()
            }
        }
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                #[derive(::serde::Deserialize)]
                struct Parts {
                    #[serde(rename = #tag, default)]
                    kind: ::std::option::Option<::std::string::String>,
                    #[serde(rename = #content, default)]
                    content: ::serde_json::Value,
                }
                let parts = Parts::deserialize(deserializer)?;
                Ok(Self::from_parts(parts.kind.unwrap_or_default(), parts.content))
            }
        }
    })
}
