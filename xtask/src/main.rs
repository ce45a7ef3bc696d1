//! `cargo xtask regen [--check]`: bundles `spec/parts/*.yaml` into `spec/crisp-rest-v1.yaml`
//! (and its JSON copy for the mock), then turns it into `crisp-api/src/generated/` and the
//! generated wire tests.
//!
//! The pipeline is parts (YAML) → one bundled document → `openapiv3` → `progenitor` tokens
//! (the types and `Client`) → the type rules (`type_rules.rs`) → every operation's `Client`
//! method and call builder made from the xtask's operation model with templates
//! (`sdk_methods.rs`, `docs.rs`) → split by API group (`layout.rs`) → `prettyplease`.
//! The output is deterministic: the same spec and the same `Cargo.lock` give the same bytes.

mod answer_tests;
mod bundle;
mod coverage;
mod docs;
mod events;
mod layout;
mod operation_tests;
mod scopes;
mod sdk_methods;
mod spec;
mod type_rules;

use anyhow::{bail, Context, Result};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The bundled spec, generated from `spec/parts/` and committed for other tools.
const SPEC: &str = "spec/crisp-rest-v1.yaml";
/// The same document as JSON, embedded by the mock server.
const MOCK_SPEC: &str = "tests/mock/src/crisp-rest-v1.json";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("regen") => regen(args.iter().any(|a| a == "--check")),
        _ => {
            eprintln!("usage: cargo xtask regen [--check]");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace the command runs in: `cargo xtask` runs from inside it, and cargo tells the
/// manifest directory at run time. (Not the compile-time `env!`: a binary shared between
/// checkouts through one `CARGO_TARGET_DIR` would then read and write another checkout.)
fn workspace_root() -> PathBuf {
    let start = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .and_then(|xtask| xtask.parent().map(Path::to_path_buf))
        .or_else(|| std::env::current_dir().ok())
        .expect("a current directory");
    start
        .ancestors()
        .find(|dir| dir.join("spec/parts").is_dir() && dir.join("Cargo.toml").is_file())
        .map(Path::to_path_buf)
        .unwrap_or(start)
}

/// Bundles the parts, then writes (or, with `check`, compares) every generated file.
fn regen(check: bool) -> Result<()> {
    let root = workspace_root();
    let doc = bundle::bundle(&root.join(bundle::PARTS))?;
    let text = bundle::to_yaml(&doc)?;
    let json = bundle::to_json(&doc)?;
    let model = spec::Model::load(&text)?;
    let tests = operation_tests::generate(&model, &text)?;
    let mut outputs = vec![
        (SPEC.to_string(), text.clone()),
        (MOCK_SPEC.to_string(), json),
        (operation_tests::OUTPUT.to_string(), tests),
        (
            answer_tests::OUTPUT.to_string(),
            answer_tests::generate(&model, &text)?,
        ),
    ];
    outputs.extend(generate(&text, &model)?);
    let bundled: serde_json::Value = serde_yaml::from_value(doc.clone())?;
    let event_specs = events::read(&bundled)?;
    if !event_specs.is_empty() {
        let digest = hex(&Sha256::digest(text.as_bytes()));
        outputs.push((
            events::OUTPUT.to_string(),
            generated_header("xtask/src/events.rs", &format!("spec sha256: {digest}"))
                + &events::generate(&event_specs)?,
        ));
        outputs.push((
            events::HOOK_TEST.to_string(),
            generated_header(
                "xtask/src/events.rs",
                "Every event's example payload, as a signed web hook, decodes into its variant.",
            ) + &events::hook_test(&event_specs)?,
        ));
    }
    let node = coverage::node_methods(&root)?;
    coverage::check_node_names(&model, &node)?;
    outputs.push((
        coverage::NODE_TEST.to_string(),
        coverage::node_test(&model, &node, &text)?,
    ));
    let descriptions: std::collections::BTreeMap<String, String> = doc
        .get("tags")
        .and_then(serde_yaml::Value::as_sequence)
        .into_iter()
        .flatten()
        .filter_map(|t| {
            Some((
                t.get("name")?.as_str()?.to_string(),
                t.get("description")?.as_str()?.to_string(),
            ))
        })
        .collect();
    outputs.push((
        coverage::GROUPS_DOC.to_string(),
        coverage::groups_doc(&model, &descriptions),
    ));
    let manifest = std::fs::read_to_string(root.join("crisp-api/Cargo.toml"))?;
    outputs.push((
        "crisp-api/Cargo.toml".to_string(),
        layout::cargo_features(&manifest, &model)?,
    ));
    let readme = std::fs::read_to_string(root.join("README.md"))?;
    outputs.push((
        "README.md".to_string(),
        coverage::readme(&readme, &model, &node)?,
    ));
    let mut stale = Vec::new();
    // Files of the generated SDK that the spec no longer produces (a group removed).
    for entry in std::fs::read_dir(root.join(layout::DIR))? {
        let path = format!("{}/{}", layout::DIR, entry?.file_name().to_string_lossy());
        if !outputs.iter().any(|(p, _)| *p == path) {
            if check {
                stale.push(path);
            } else {
                std::fs::remove_file(root.join(&path))?;
                println!("removed {path}");
            }
        }
    }
    for (output, content) in &outputs {
        let output = output.as_str();
        let out = root.join(output);
        if check {
            let current = std::fs::read_to_string(&out).unwrap_or_default();
            if current != *content {
                print_diff(output, &current, content);
                stale.push(output.to_string());
            } else {
                println!("{output} is up to date");
            }
        } else {
            std::fs::create_dir_all(out.parent().unwrap())?;
            std::fs::write(&out, content)?;
            println!("wrote {output} ({} lines)", content.lines().count());
        }
    }
    if !stale.is_empty() {
        bail!(
            "{} stale: not generated from the current {}/*.yaml and xtask. \
             Run `cargo xtask regen` and commit the result.",
            stale.join(", ") + if stale.len() == 1 { " is" } else { " are" },
            bundle::PARTS,
        );
    }
    Ok(())
}

/// Generates the files of the SDK (`crisp-api/src/generated/`) from the spec.
fn generate(text: &str, model: &spec::Model) -> Result<Vec<(String, String)>> {
    let digest = hex(&Sha256::digest(text.as_bytes()));
    let mut settings = progenitor::GenerationSettings::new();
    settings
        .with_interface(progenitor::InterfaceStyle::Builder)
        .with_tag(progenitor::TagStyle::Merged)
        .with_inner_type(quote::quote!(crate::config::Config))
        .with_hooks(progenitor::HooksMode::Expected)
        .with_derive("PartialEq")
        // Maps iterate in key order: the same answer serializes to the same bytes (the
        // paging guard fingerprints pages by their serialized form), and `Debug` is stable.
        .with_map_type("::std::collections::BTreeMap");
    // `format: password` strings (token keys in Crisp's answers) become `crate::Secret`,
    // whose `Debug` never shows the value.
    settings.with_conversion(
        schemars::schema::SchemaObject {
            instance_type: Some(schemars::schema::InstanceType::String.into()),
            format: Some("password".into()),
            ..Default::default()
        },
        "crate::Secret",
        std::iter::empty(),
    );
    for (schema, rust_type) in &model.envelopes {
        settings.with_replacement(schema, rust_type, std::iter::empty());
    }
    // Open enums and tagged content are generated by the type rules, not typify.
    for name in model
        .schemas
        .open_enums
        .iter()
        .map(|e| &e.name)
        .chain(model.schemas.tagged.iter().map(|t| &t.name))
    {
        settings.with_replacement(name, format!("crate::types::{name}"), std::iter::empty());
    }
    let tokens = progenitor::Generator::new(&settings)
        .generate_tokens(&model.progenitor_spec)
        .map_err(|e| anyhow::anyhow!("progenitor: {e}"))?;
    let mut file: syn::File = syn::parse2(tokens).context("parsing progenitor output")?;
    type_rules::apply(&mut file, model)?;
    sdk_methods::add_sdk_methods(&mut file, model)?;
    Ok(layout::split(file, model)?
        .into_iter()
        .map(|(path, body)| {
            let header = generated_header("xtask/", &format!("spec sha256: {digest}"));
            (path, header + &body)
        })
        .collect())
}

/// The header of every generated Rust file: where it comes from, the spec's digest (so that a
/// stale file is visible), which generator wrote it, and what it holds.
fn generated_header(generator: &str, about: &str) -> String {
    let mut header = format!(
        "// @generated by `cargo xtask regen` from {SPEC}\n\
         // Do not edit by hand: change the spec or {generator}, then run `cargo xtask regen`.\n"
    );
    for line in about.lines() {
        if line.is_empty() {
            header.push_str("//\n");
        } else {
            header.push_str(&format!("// {line}\n"));
        }
    }
    header.push('\n');
    header
}

/// What `--check` found stale, as a unified diff (the committed file against what the spec
/// and the xtask make now), cut after 200 lines a file.
fn print_diff(path: &str, current: &str, generated: &str) {
    let diff = similar::TextDiff::from_lines(current, generated);
    let text = diff
        .unified_diff()
        .context_radius(3)
        .header(
            &format!("a/{path} (committed)"),
            &format!("b/{path} (generated)"),
        )
        .to_string();
    let lines: Vec<&str> = text.lines().collect();
    for line in lines.iter().take(200) {
        eprintln!("{line}");
    }
    if lines.len() > 200 {
        eprintln!("… {} more lines of diff in {path}", lines.len() - 200);
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
