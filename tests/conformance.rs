//! Conformance: every real exchange-format file in `../shared/blueprints/real/`
//! loads (warnings allowed), with the element, relationship and view counts
//! that `SOURCES.md` there records.
//!
//! The files are not part of this repository. When `../shared` is absent the
//! test says so in one loud line and checks nothing, unless `CI=true`, where
//! it fails (CI always has it).

mod common;

use archgen::load::load_file;
use archgen::model::ReadOptions;

/// (file, E, R, V) from every table row of SOURCES.md.
fn expected_counts(sources: &str) -> Vec<(String, usize, usize, usize)> {
    sources
        .lines()
        .filter(|l| l.starts_with("| ") && l.contains(".xml |"))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            // | file | origin | license | bytes | E | R | V | …
            let n = |i: usize| {
                cells[i]
                    .parse::<usize>()
                    .unwrap_or_else(|_| panic!("bad count in row: {l}"))
            };
            (cells[1].to_owned(), n(5), n(6), n(7))
        })
        .collect()
}

#[test]
fn every_real_file_loads_with_the_recorded_counts() {
    let Some(dir) = common::shared(
        "blueprints/real",
        "the conformance test of the 47 real files",
    ) else {
        return;
    };
    assert!(
        dir.join("SOURCES.md").is_file(),
        "{} has no SOURCES.md",
        dir.display()
    );
    let sources = std::fs::read_to_string(dir.join("SOURCES.md")).unwrap();
    let expected = expected_counts(&sources);
    let on_disk = std::fs::read_dir(&dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "xml")
        })
        .count();
    assert_eq!(
        expected.len(),
        on_disk,
        "SOURCES.md rows vs .xml files on disk"
    );

    let mut failures = Vec::new();
    for (file, e, r, v) in &expected {
        let loaded = load_file(&dir.join(file), &ReadOptions::default()).expect("readable");
        let Some(m) = loaded.usable() else {
            let first = loaded
                .diagnostics
                .iter()
                .find(|d| d.is_error())
                .map(|d| d.render(file));
            failures.push(format!("{file}: unusable: {}", first.unwrap_or_default()));
            continue;
        };
        let got = (m.elements.len(), m.relationships.len(), m.views.len());
        if got != (*e, *r, *v) {
            failures.push(format!(
                "{file}: E/R/V {got:?}, SOURCES.md says {:?}",
                (e, r, v)
            ));
        }
    }
    eprintln!(
        "conformance: checked {} real files from {}",
        expected.len(),
        dir.display()
    );
    assert!(
        failures.is_empty(),
        "{} of {} files failed:\n{}",
        failures.len(),
        expected.len(),
        failures.join("\n")
    );
    assert_eq!(expected.len(), 47, "the shared corpus holds 47 files");
}
