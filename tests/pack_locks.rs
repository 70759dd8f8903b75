//! The python-fastapi pack's pins live in one place (`app/deps/pins.j2`);
//! its locks (one pair per Python version) and archgen's own test venv lock
//! must agree with them, and every locked package must carry hashes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `name==version` items of the list `set NAME = [...]` in pins.j2.
fn pin_list(pins: &str, list: &str) -> BTreeMap<String, String> {
    let start = pins
        .find(&format!("set {list} = ["))
        .unwrap_or_else(|| panic!("pins.j2 has no list `{list}`"));
    let body = &pins[start..start + pins[start..].find("] %}").unwrap()];
    body.split('"')
        .skip(1)
        .step_by(2)
        .map(|p| {
            let (name, version) = p.split_once("==").expect("pins are name==version");
            (normal(name), version.to_owned())
        })
        .collect()
}

/// A package name as pip compares them, without extras.
fn normal(name: &str) -> String {
    let bare = name.split('[').next().unwrap_or(name);
    bare.to_ascii_lowercase().replace(['_', '.'], "-")
}

/// The pinned packages of a pip-compile lock, and whether each has hashes.
fn lock(path: &Path) -> BTreeMap<String, (String, bool)> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = BTreeMap::new();
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if line.starts_with([' ', '#', '-']) || line.trim().is_empty() {
            continue;
        }
        let spec = line.trim_end_matches(" \\").trim();
        let (name, version) = spec
            .split_once("==")
            .unwrap_or_else(|| panic!("{}: `{line}` is not pinned", path.display()));
        let hashed = lines
            .get(i + 1)
            .is_some_and(|l| l.trim_start().starts_with("--hash=sha256:"));
        out.insert(normal(name), (version.trim().to_owned(), hashed));
    }
    out
}

fn pins() -> String {
    std::fs::read_to_string(root().join("templates/python-fastapi/app/deps/pins.j2")).unwrap()
}

fn pythons(pins: &str) -> Vec<String> {
    let start = pins.find("set pythons = [").unwrap();
    let body = &pins[start..start + pins[start..].find("] %}").unwrap()];
    body.split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_lock_agrees_with_the_pins_and_is_hashed() {
    let pins = pins();
    let runtime = pin_list(&pins, "runtime");
    let dev = pin_list(&pins, "dev");
    assert!(runtime.contains_key("fastapi") && dev.contains_key("pytest"));
    let versions = pythons(&pins);
    assert!(versions.len() >= 2, "{versions:?}");
    for v in &versions {
        let dir = root().join(format!("templates/python-fastapi/app/deps/py{v}"));
        let run = lock(&dir.join("requirements.lock"));
        let all = lock(&dir.join("requirements-dev.lock"));
        let ours = lock(&root().join(format!("scripts/python-requirements-py{v}.txt")));
        for (name, version) in runtime.iter().chain(&dev) {
            let in_dev = all.get(name).map(|x| x.0.as_str());
            assert_eq!(
                in_dev,
                Some(version.as_str()),
                "py{v}/requirements-dev.lock: {name}"
            );
            if runtime.contains_key(name) {
                assert_eq!(
                    run.get(name).map(|x| x.0.as_str()),
                    Some(version.as_str()),
                    "py{v}/requirements.lock: {name}"
                );
            }
        }
        // The dev lock holds the runtime lock, and archgen's test venv the dev lock, version for version.
        for (name, (version, _)) in &run {
            assert_eq!(
                all.get(name).map(|x| &x.0),
                Some(version),
                "py{v}: {name} differs between the locks"
            );
        }
        for (name, (version, _)) in &all {
            assert_eq!(
                ours.get(name).map(|x| &x.0),
                Some(version),
                "scripts/python-requirements-py{v}.txt: {name}"
            );
        }
        for (file, l) in [("requirements.lock", &run), ("requirements-dev.lock", &all)] {
            let unhashed: Vec<&String> =
                l.iter().filter(|(_, (_, h))| !h).map(|(n, _)| n).collect();
            assert!(
                unhashed.is_empty(),
                "py{v}/{file}: no hashes for {unhashed:?}"
            );
        }
    }
}

#[test]
fn the_lock_parser_reads_pins_and_hashes() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.lock");
    std::fs::write(
        &p,
        "#\n# header\n#\nFoo_Bar==1.2 \\\n    --hash=sha256:aa\n    # via x\nbaz==3\n",
    )
    .unwrap();
    let l = lock(&p);
    assert_eq!(l["foo-bar"], ("1.2".to_owned(), true));
    assert_eq!(l["baz"], ("3".to_owned(), false));
    assert_eq!(normal("psycopg[binary]"), "psycopg");
}
