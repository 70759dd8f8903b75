//! Snapshot tests: `inspect --json` of the good fixtures, and the rendered
//! diagnostics (human and JSON) of the warning and broken fixtures.

use archgen::load::{load_bytes, Loaded};
use archgen::model::ReadOptions;
use std::path::Path;

fn load(path: &Path) -> Loaded {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shown = path.strip_prefix(root).unwrap().display().to_string();
    load_bytes(
        &shown,
        std::fs::read(path).unwrap(),
        &ReadOptions::default(),
    )
}

fn rendered(l: &Loaded) -> String {
    let mut out = String::new();
    for d in &l.diagnostics {
        out.push_str(&d.render(&l.path));
        out.push('\n');
    }
    for d in &l.diagnostics {
        out.push_str(&d.to_json(&l.path).to_string());
        out.push('\n');
    }
    out
}

#[test]
fn inspect_json_of_good_and_warning_fixtures() {
    insta::glob!("fixtures/{ok,warn}/*.xml", |path| {
        let l = load(path);
        let m = l.model.as_ref().expect("a model");
        assert_eq!(l.errors(), 0, "{}", rendered(&l));
        insta::assert_json_snapshot!(m);
    });
}

#[test]
fn diagnostics_of_warning_and_broken_fixtures() {
    insta::glob!("fixtures/{warn,err}/*.xml", |path| {
        let l = load(path);
        assert!(!l.diagnostics.is_empty(), "{} gave no diagnostic", l.path);
        insta::assert_snapshot!(rendered(&l));
    });
}

#[test]
fn good_fixtures_have_no_diagnostics() {
    insta::glob!("fixtures/ok/*.xml", |path| {
        let l = load(path);
        assert!(l.diagnostics.is_empty(), "{}", rendered(&l));
        assert!(l.usable().is_some());
    });
}

/// Runs `archgen explain` on a profile fixture: exit code and stderr.
fn explain(path: &Path) -> (i32, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let rel = path.strip_prefix(root).unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_archgen"))
        .args(["explain", "--format", "json"])
        .arg(rel)
        .current_dir(root)
        .output()
        .unwrap();
    (
        o.status.code().unwrap(),
        String::from_utf8(o.stderr).unwrap(),
    )
}

#[test]
fn diagnostics_of_profile_fixtures() {
    insta::glob!("fixtures/profile/*.xml", |path| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_archgen"))
            .arg("explain")
            .arg(path.strip_prefix(root).unwrap())
            .current_dir(root)
            .output()
            .unwrap();
        let stderr = String::from_utf8(o.stderr).unwrap();
        insta::assert_snapshot!(format!("exit code: {}\n{stderr}", o.status.code().unwrap()));
    });
}

#[test]
fn every_diagnostic_code_is_exercised_by_a_fixture() {
    use archgen::diagnostic::Code;
    let mut seen = std::collections::HashSet::new();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    for sub in ["warn", "err"] {
        for entry in std::fs::read_dir(dir.join(sub)).unwrap() {
            let l = load(&entry.unwrap().path());
            seen.extend(l.diagnostics.iter().map(|d| d.code.as_str().to_owned()));
        }
    }
    for entry in std::fs::read_dir(dir.join("profile")).unwrap() {
        let (_, stderr) = explain(&entry.unwrap().path());
        for line in stderr.lines().filter(|l| l.starts_with('{')) {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            seen.insert(v["code"].as_str().unwrap().to_owned());
        }
    }
    let missing: Vec<_> = Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !seen.contains(*c))
        .collect();
    assert!(missing.is_empty(), "no fixture produces {missing:?}");
}

#[test]
fn docs_list_every_diagnostic_code() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/diagnostics.md"))
        .unwrap();
    for c in archgen::diagnostic::Code::ALL {
        assert!(
            doc.contains(&format!("| {} |", c.as_str())),
            "docs/diagnostics.md lacks {}",
            c.as_str()
        );
    }
}

#[test]
fn explain_output_of_the_example_blueprints() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (name, path) in [
        ("saas-dashboard", "blueprints/saas-dashboard.xml"),
        ("minimal", "blueprints/minimal.xml"),
        ("regulated", "blueprints/regulated.xml"),
        ("plain-inference", "tests/fixtures/gen/plain-inference.xml"),
        ("data-relations", "tests/fixtures/gen/data-relations.xml"),
    ] {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_archgen"))
            .args(["explain", path])
            .current_dir(root)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0));
        // Only W0103: a plain model's tables have assumed fields.
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(
            stderr
                .lines()
                .filter(|l| l.starts_with("warning[") || l.starts_with("error"))
                .all(|l| l.starts_with("warning[W0103]")),
            "{stderr}"
        );
        insta::assert_snapshot!(
            format!("explain_{name}"),
            String::from_utf8(o.stdout).unwrap()
        );
    }
}
