//! Writes the generated SDK as several files a reviewer can read, one per API group:
//! - `generated/mod.rs`: the `Client` type, the `builder` module (re-exporting every group's
//!   operation builders) and the group modules;
//! - `generated/types.rs`: every type of the spec (types are shared across groups);
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
    let types = types.ok_or_else(|| anyhow!("progenitor's output has no types module"))?;
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
    let mut files = Vec::new();
    let mod_rs = quote! {
        #(#top)*

        /// The types of Crisp's requests and answers.
        #[allow(clippy::all)]
        pub mod types;

        #( mod #modules; )*

        /// The builders of the operations: set the parameters, then `send()` (or `stream()`).
        pub mod builder {
            #( pub use super::#modules::*; )*
        }
    };
    files.push((format!("{DIR}/mod.rs"), unparse(mod_rs)?));
    files.push((format!("{DIR}/types.rs"), unparse(quote!(#(#types)*))?));
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
