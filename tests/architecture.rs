//! The module rules of docs/architecture.md hold: each module of the
//! library names (`crate::…`) only the modules its row of the table lists.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn rules() -> BTreeMap<String, BTreeSet<String>> {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/architecture.md"))
        .unwrap();
    let table = doc
        .split("| module | may use |")
        .nth(1)
        .expect("the table of docs/architecture.md");
    table
        .lines()
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split('|').map(str::trim).collect();
            let uses = cells[1]
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
            (cells[0].to_owned(), uses)
        })
        .collect()
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn modules_use_only_what_docs_architecture_allows() {
    let rules = rules();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    files(&src, &mut all);
    let mut seen_modules = BTreeSet::new();
    let mut broken = Vec::new();
    for f in all {
        let rel = f.strip_prefix(&src).unwrap();
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let module = first.trim_end_matches(".rs").to_owned();
        if module == "lib" || module == "main" {
            continue;
        }
        seen_modules.insert(module.clone());
        let allowed = rules
            .get(&module)
            .unwrap_or_else(|| panic!("module `{module}` has no row in docs/architecture.md"));
        // Code, not comments (a doc comment may point at any module).
        let text: String = std::fs::read_to_string(&f)
            .unwrap()
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        for (i, _) in text.match_indices("crate::") {
            let used: String = text[i + 7..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if used != module && !allowed.contains(&used) {
                broken.push(format!("{}: {module} uses {used}", rel.display()));
            }
        }
    }
    broken.sort();
    broken.dedup();
    assert!(broken.is_empty(), "{broken:#?}");
    let rows: BTreeSet<String> = rules.keys().cloned().collect();
    assert_eq!(
        rows, seen_modules,
        "the table's rows are the library's modules"
    );
}
