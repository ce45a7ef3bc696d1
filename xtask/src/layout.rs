//! Writes the generated SDK as several files a reviewer can read, one per API group:
//! - `generated/mod.rs`: the `Client` type, the `builder` module (re-exporting every group's
//!   operation builders) and the group modules;
//! - `generated/types.rs`: every type of the spec (types are shared across groups);
//! - `generated/scopes.rs`: the plugin token scopes of every operation (`crate::scopes`);
//! - `generated/<group>.rs`: the group's `Client` methods and its operation builders.

use crate::sdk_methods::pascal;
use crate::spec::Model;
use anyhow::{anyhow, bail, Result};
use quote::{format_ident, quote};
use std::collections::BTreeMap;
use syn::{ImplItem, Item};

/// Where the generated SDK goes, relative to the workspace root.
pub const DIR: &str = "crisp-api/src/generated";

/// The files of the generated SDK: (path relative to the workspace root, Rust source
/// without its header).
pub fn split(file: syn::File, model: &Model) -> Result<Vec<(String, String)>> {
    // Method name (operation or alias) and builder type → the group's module name.
    let mut group_of_method = BTreeMap::new();
    let mut group_of_builder = BTreeMap::new();
    for op in &model.operations {
        let module = module_name(&op.group);
        group_of_builder.insert(pascal(&op.id), module.clone());
        for name in std::iter::once(&op.id).chain(&op.aliases) {
            group_of_method.insert(name.clone(), module.clone());
        }
    }
    let mut top = Vec::new();
    let mut types = None;
    let mut groups: BTreeMap<String, (Vec<ImplItem>, Vec<Item>)> = BTreeMap::new();
    for item in file.items {
        match item {
            Item::Mod(m) if m.ident == "types" => {
                let (_, items) = m.content.ok_or_else(|| anyhow!("types has no body"))?;
                types = Some(items);
            }
            Item::Mod(m) if m.ident == "builder" => {
                let (_, items) = m.content.ok_or_else(|| anyhow!("builder has no body"))?;
                for item in items {
                    let name = match &item {
                        Item::Struct(s) => Some(s.ident.to_string()),
                        Item::Impl(imp) => type_name(&imp.self_ty),
                        // The group files write their own `use`s.
                        Item::Use(_) => continue,
                        _ => None,
                    };
                    let group = name
                        .as_ref()
                        .and_then(|n| group_of_builder.get(n))
                        .ok_or_else(|| anyhow!("builder item {name:?} belongs to no operation"))?;
                    groups.entry(group.clone()).or_default().1.push(item);
                }
            }
            Item::Impl(imp)
                if imp.trait_.is_none()
                    && type_name(&imp.self_ty).as_deref() == Some("Client")
                    && imp.items.iter().all(|it| match it {
                        ImplItem::Fn(f) => group_of_method.contains_key(&f.sig.ident.to_string()),
                        _ => false,
                    }) =>
            {
                for it in imp.items {
                    let ImplItem::Fn(f) = &it else { continue };
                    let group = group_of_method[&f.sig.ident.to_string()].clone();
                    groups.entry(group).or_default().0.push(it);
                }
            }
            other => top.push(other),
        }
    }
    let mut types = types.ok_or_else(|| anyhow!("progenitor's output has no types module"))?;
    gate_types(&mut types, model);
    if groups.len()
        != model
            .operations
            .iter()
            .map(|o| &o.group)
            .collect::<std::collections::BTreeSet<_>>()
            .len()
    {
        bail!("some API group has no methods or builders: progenitor's output changed shape");
    }

    let modules: Vec<syn::Ident> = groups.keys().map(|g| format_ident!("{g}")).collect();
    let events = (!model.schemas.events.is_empty()).then(|| {
        quote! {
            /// Crisp's real-time events (RTM and web hooks), typed.
            pub mod events;
        }
    });
    let features: Vec<String> = groups.keys().map(|g| g.replace('_', "-")).collect();
    let mut files = Vec::new();
    let mod_rs = quote! {
        #(#top)*

        /// The types of Crisp's requests and answers.
        #[allow(clippy::all)]
        pub mod types;

        #events

        /// The plugin token scopes of every operation, named in the error of a 403.
        pub(crate) mod scopes;

        #(
            #[cfg(feature = #features)]
            mod #modules;
        )*

        /// The builders of the operations: set the parameters, then `send()` (or `stream()`).
        pub mod builder {
            #(
                #[cfg(feature = #features)]
                #[cfg_attr(docsrs, doc(cfg(feature = #features)))]
                pub use super::#modules::*;
            )*
        }
    };
    files.push((format!("{DIR}/mod.rs"), unparse(mod_rs)?));
    files.push((format!("{DIR}/types.rs"), unparse(quote!(#(#types)*))?));
    files.push((
        crate::scopes::OUTPUT.to_string(),
        crate::scopes::generate(model)?,
    ));
    for (module, (methods, builders)) in groups {
        let group = model
            .operations
            .iter()
            .find(|o| module_name(&o.group) == module)
            .map(|o| o.group.clone())
            .unwrap_or_default();
        let doc = format!(" The `{group}` group: its `Client` methods and operation builders.");
        let source = quote! {
            #![doc = #doc]
            #![allow(clippy::all)]
            use super::{builder, types, Client};
            #[allow(unused_imports)]
            use super::{ByteStream, ClientHooks, ClientInfo, Error, OperationInfo, RequestBuilderExt, ResponseValue};

            impl Client {
                #(#methods)*
            }

            #(#builders)*
        };
        files.push((format!("{DIR}/{module}.rs"), unparse(source)?));
    }
    Ok(files)
}

/// Each type is compiled only under the Cargo features of the groups that need it (when not
/// every group does): `#[cfg(any(feature = "website-conversation", …))]` on the type and on
/// every `impl` for it.
fn gate_types(types: &mut [Item], model: &Model) {
    let all: std::collections::BTreeSet<&String> =
        model.operations.iter().map(|o| &o.group).collect();
    for item in types.iter_mut() {
        let (name, attrs, is_type) = match item {
            Item::Struct(s) => (s.ident.to_string(), &mut s.attrs, true),
            Item::Enum(e) => (e.ident.to_string(), &mut e.attrs, true),
            // An impl is gated with the first gated type it names: its self type, or a type
            // in its trait (`impl From<EmptyBody> for serde_json::Map<..>`).
            Item::Impl(imp) => {
                let mut names = vec![type_name(&imp.self_ty)];
                if let Some((path, _)) = &imp.trait_ {
                    for segment in &path.segments {
                        if let syn::PathArguments::AngleBracketed(args) = &segment.arguments {
                            for arg in &args.args {
                                if let syn::GenericArgument::Type(ty) = arg {
                                    names.push(type_name(ty));
                                }
                            }
                        }
                    }
                }
                let found = names.into_iter().flatten().find(|n| {
                    model
                        .schemas
                        .groups
                        .get(n)
                        .is_some_and(|g| g.len() != all.len())
                        && !model.schemas.events.contains(n)
                });
                match found {
                    Some(n) => (n, &mut imp.attrs, false),
                    None => continue,
                }
            }
            _ => continue,
        };
        let Some(groups) = model.schemas.groups.get(&name) else {
            continue;
        };
        // Event payloads (and what they hold) are always there: events decode whatever the
        // groups enabled.
        if groups.len() == all.len() || model.schemas.events.contains(&name) {
            continue;
        }
        let features: Vec<&String> = groups.iter().collect();
        attrs.push(syn::parse_quote!(#[cfg(any(#(feature = #features),*))]));
        if is_type {
            attrs.push(
                syn::parse_quote!(#[cfg_attr(docsrs, doc(cfg(any(#(feature = #features),*))))]),
            );
        }
    }
}

/// The `[features]` of `crisp-api/Cargo.toml` between its markers: one feature per API group,
/// all of them in `all-groups`, on by default.
pub fn cargo_features(manifest: &str, model: &Model) -> Result<String> {
    const START: &str = "# api-groups:start (generated by `cargo xtask regen`)";
    const END: &str = "# api-groups:end";
    let (Some(start), Some(end)) = (manifest.find(START), manifest.find(END)) else {
        bail!("crisp-api/Cargo.toml has no API group markers ({START} … {END})");
    };
    let groups: std::collections::BTreeSet<&String> =
        model.operations.iter().map(|o| &o.group).collect();
    let list: Vec<String> = groups.iter().map(|g| format!("\"{g}\"")).collect();
    let mut block = format!(
        "{START}\n## Every API group.\nall-groups = [{}]\n",
        list.join(", ")
    );
    for g in &groups {
        block.push_str(&format!("## The `{g}` API group.\n{g} = []\n"));
    }
    Ok(format!("{}{block}{}", &manifest[..start], &manifest[end..]))
}

/// `website-conversation` → `website_conversation`.
pub fn module_name(group: &str) -> String {
    group.replace('-', "_")
}

fn unparse(tokens: proc_macro2::TokenStream) -> Result<String> {
    let file: syn::File = syn::parse2(tokens)?;
    Ok(prettyplease::unparse(&file))
}

fn type_name(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}
