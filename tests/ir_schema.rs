//! The published contract between archgen and template packs: the JSON
//! Schema of the IR in `docs/ir.schema.json` is the one the Rust types
//! give today, and the IR archgen prints for the example blueprints is
//! valid against it.
//!
//! Refresh the file after changing an IR type:
//! `UPDATE_SCHEMA=1 cargo test --test ir_schema`.

use std::path::Path;
use std::process::Command;

const SCHEMA: &str = "docs/ir.schema.json";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The schema of [`archgen::ir::Ir`] as serialised (what `inspect --ir
/// --json` prints and what templates see as `ir`), pretty-printed.
fn generated() -> String {
    let settings = schemars::generate::SchemaSettings::draft2020_12().for_serialize();
    let schema = settings
        .into_generator()
        .into_root_schema_for::<archgen::ir::Ir>();
    let mut value = schema.to_value();
    if let Some(map) = value.as_object_mut() {
        map.insert(
            "$id".into(),
            "https://archgen.invalid/docs/ir.schema.json".into(),
        );
        map.insert(
            "description".into(),
            "The intermediate representation archgen renders template packs against \
             (`archgen inspect --ir --json`; the `ir` variable of every template). \
             Generated from the Rust types: do not edit, run \
             `UPDATE_SCHEMA=1 cargo test --test ir_schema`."
                .into(),
        );
    }
    let mut text = serde_json::to_string_pretty(&value).expect("a schema serialises");
    text.push('\n');
    text
}

#[test]
fn docs_ir_schema_matches_the_rust_types() {
    let path = root().join(SCHEMA);
    let fresh = generated();
    if std::env::var_os("UPDATE_SCHEMA").is_some_and(|v| !v.is_empty()) {
        std::fs::write(&path, &fresh).expect("write docs/ir.schema.json");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != fresh {
        let diff = similar::TextDiff::from_lines(&committed, &fresh)
            .unified_diff()
            .context_radius(2)
            .header(SCHEMA, "generated")
            .to_string();
        panic!(
            "{SCHEMA} is not the schema of the IR types in src/ir/ (first differences below); \
             refresh it with `UPDATE_SCHEMA=1 cargo test --test ir_schema` and commit it\n{}",
            diff.lines().take(60).collect::<Vec<_>>().join("\n")
        );
    }
}

/// `archgen inspect --ir --json BLUEPRINT`, parsed.
fn ir_of(blueprint: &str, pack: Option<&str>) -> serde_json::Value {
    let mut args = vec!["inspect", "--ir", "--json", blueprint];
    if let Some(p) = pack {
        args.extend(["--pack", p]);
    }
    let o = Command::new(env!("CARGO_BIN_EXE_archgen"))
        .args(&args)
        .current_dir(root())
        .output()
        .expect("run archgen");
    assert_eq!(
        o.status.code(),
        Some(0),
        "archgen {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).expect("inspect --ir --json prints JSON")
}

#[test]
fn the_example_irs_are_valid_against_the_schema() {
    let schema: serde_json::Value =
        serde_json::from_str(&generated()).expect("the generated schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    for (blueprint, pack) in [
        ("blueprints/saas-dashboard.xml", None),
        ("blueprints/metric-kinds.xml", None),
        ("blueprints/regulated.xml", None),
        ("tests/fixtures/gen/hostile-names.xml", None),
        (
            "blueprints/saas-dashboard.xml",
            Some("tests/fixtures/pack-test"),
        ),
        (
            "blueprints/metric-kinds.xml",
            Some("tests/packs/node-minimal"),
        ),
    ] {
        let ir = ir_of(blueprint, pack);
        let errors: Vec<String> = validator
            .iter_errors(&ir)
            .take(10)
            .map(|e| format!("  at {}: {e}", e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "the IR of {blueprint} is not valid against {SCHEMA}:\n{}",
            errors.join("\n")
        );
    }
}

/// The validator is not a formality: an IR with a field of the wrong type,
/// or without a required one, fails.
#[test]
fn the_schema_refuses_a_wrong_ir() {
    let schema: serde_json::Value = serde_json::from_str(&generated()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let mut ir = ir_of("blueprints/minimal.xml", None);
    assert!(validator.is_valid(&ir));
    ir["entities"][0]["fields"][0]["pk"] = "yes".into();
    assert!(!validator.is_valid(&ir));
    let mut ir = ir_of("blueprints/minimal.xml", None);
    ir["metrics"][0].as_object_mut().unwrap().remove("grain");
    assert!(!validator.is_valid(&ir));
    let mut ir = ir_of("blueprints/minimal.xml", None);
    ir["metrics"][0]["kind"] = "median".into();
    assert!(!validator.is_valid(&ir));
}
