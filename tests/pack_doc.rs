//! docs/pack-authoring.md names every filter and function archgen
//! registers with minijinja, and its walk-through pack passes `pack check`.

use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The names registered with `add_filter("…"` and `add_function("…"` in
/// the pack module's sources.
fn registered() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let dir = root().join("src/pack");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .collect();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for what in ["add_filter", "add_function"] {
            let needle = format!("{what}(");
            for (i, _) in text.match_indices(&needle) {
                let rest = text[i + needle.len()..].trim_start();
                if let Some(name) = rest.strip_prefix('"').and_then(|r| r.split('"').next()) {
                    out.push((what.trim_start_matches("add_").to_owned(), name.to_owned()));
                }
            }
        }
    }
    out
}

#[test]
fn every_registered_filter_and_function_is_documented() {
    let doc = std::fs::read_to_string(root().join("docs/pack-authoring.md")).unwrap();
    let names = registered();
    assert!(
        names.len() >= 25,
        "expected the filters and functions of src/pack/render.rs, found {names:?}"
    );
    let missing: Vec<String> = names
        .iter()
        .filter(|(_, n)| !doc.contains(&format!("| `{n}`")) && !doc.contains(&format!("| `{n}(")))
        .map(|(kind, n)| format!("{kind} `{n}`"))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/pack-authoring.md does not document {}: add a row for each to its tables of filters and functions",
        missing.join(", ")
    );
}

/// The walk-through's pack, taken from the page's code blocks, passes
/// `archgen pack check`.
#[test]
fn the_walk_through_pack_passes_pack_check() {
    let doc = std::fs::read_to_string(root().join("docs/pack-authoring.md")).unwrap();
    let walk = &doc[doc.find("## Walk-through").expect("a walk-through")..];
    let blocks: Vec<&str> = walk
        .split("```")
        .skip(1)
        .step_by(2)
        .filter_map(|b| {
            b.strip_prefix("toml\n")
                .or_else(|| b.strip_prefix("jinja\n"))
        })
        .collect();
    assert_eq!(blocks.len(), 3, "pack.toml, schema.sql.j2 and metric.md.j2");
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in ["pack.toml", "schema.sql.j2", "metric.md.j2"]
        .iter()
        .zip(&blocks)
    {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let o = Command::new(env!("CARGO_BIN_EXE_archgen"))
        .args(["pack", "check"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}
