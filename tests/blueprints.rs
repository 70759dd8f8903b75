//! The example blueprints in `blueprints/`: each is valid against the
//! official 3.1 XSD (checked with xmllint) and loads with no diagnostic.
//!
//! The XSDs live in `../shared/blueprints/xsd/`, outside this repository:
//! without them the XSD check is skipped in one loud line, or fails when
//! `CI=true`. Without xmllint it is skipped loudly too, or fails when
//! `ARCHGEN_REQUIRE_TOOLS=1` (as `scripts/test.sh` sets).

mod common;

use archgen::load::load_file;
use archgen::model::ReadOptions;
use std::path::{Path, PathBuf};
use std::process::Command;

fn blueprints() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("blueprints");
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    v.sort();
    v
}

fn required() -> bool {
    std::env::var("ARCHGEN_REQUIRE_TOOLS").is_ok_and(|v| v == "1")
}

#[test]
fn example_blueprints_load_without_diagnostics() {
    let files = blueprints();
    assert!(files.len() >= 3, "expected the three example blueprints");
    for f in files {
        let l = load_file(&f, &ReadOptions::default()).unwrap();
        let shown: Vec<String> = l.diagnostics.iter().map(|d| d.render(&l.path)).collect();
        assert!(l.diagnostics.is_empty(), "{}", shown.join("\n"));
        assert!(
            !l.model.unwrap().views.is_empty(),
            "{} has no view",
            f.display()
        );
    }
}

#[test]
fn example_blueprints_are_valid_against_the_31_xsd() {
    let Some(xsd) = common::shared(
        "blueprints/xsd/3.1",
        "the XSD check of the example blueprints",
    ) else {
        return;
    };
    if Command::new("xmllint").arg("--version").output().is_err() {
        assert!(
            !required(),
            "XSD check required but xmllint is not installed"
        );
        eprintln!(
            "!!! SKIPPED the XSD check of the example blueprints: xmllint is not installed !!!"
        );
        return;
    }
    let files = blueprints();
    for f in &files {
        let out = Command::new("xmllint")
            .args(["--nonet", "--noout", "--schema", "wrapper_with_dc.xsd"])
            .arg(f)
            .current_dir(&xsd)
            .env("XML_CATALOG_FILES", xsd.join("catalog.xml"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "{} is not valid:\n{stderr}",
            f.display()
        );
        assert!(stderr.contains(" validates"), "{stderr}");
    }
    eprintln!(
        "xmllint: {} example blueprints valid against the 3.1 XSD",
        files.len()
    );
}
