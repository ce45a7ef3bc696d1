//! `crisp-api/src/generated/scopes.rs`: the plugin token scopes of every operation
//! (`x-crisp-scopes`), which the SDK names in the error of a 403 on that operation.

use crate::spec::Model;
use anyhow::Result;
use quote::quote;

/// Where the table goes, relative to the workspace root.
pub const OUTPUT: &str = "crisp-api/src/generated/scopes.rs";

/// The table's source (without the generated-file header): one `match` arm per operation
/// that needs a scope, aliases included (their calls report the operation's id, but a
/// table keyed by every name cannot go stale if that changes).
pub fn generate(model: &Model) -> Result<String> {
    let mut arms = Vec::new();
    for op in &model.operations {
        if op.scopes.is_empty() {
            continue;
        }
        let names: Vec<&String> = std::iter::once(&op.id).chain(&op.aliases).collect();
        let scopes = op.scopes.iter().map(|s| {
            let (name, access) = (&s.name, &s.access);
            quote!((#name, #access))
        });
        arms.push(quote! {
            #(#names)|* => &[#(#scopes),*],
        });
    }
    let tokens = quote! {
        //! The plugin token scopes each operation needs (the spec's `x-crisp-scopes`).

        /// The plugin token scopes `operation_id` needs, as (scope, `read` or `write`): empty
        /// for an operation that needs none, that a plugin token may not call, or an unknown
        /// name.
        pub(crate) fn scopes(operation_id: &str) -> &'static [(&'static str, &'static str)] {
            match operation_id {
                #(#arms)*
                _ => &[],
            }
        }
    };
    let file: syn::File = syn::parse2(tokens)?;
    Ok(prettyplease::unparse(&file))
}
