//! Helpers shared by the integration tests.

use std::collections::BTreeMap;
use std::path::Path;

/// Every file below `dir` (none when it does not exist), by relative path,
/// with its bytes. Python and linter caches are left out; a symbolic link
/// fails the test, since archgen never writes one.
#[allow(dead_code)]
pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries {
            let e = e.unwrap();
            let ft = e.file_type().unwrap();
            assert!(
                !ft.is_symlink(),
                "symlink in output: {}",
                e.path().display()
            );
            if ft.is_dir() {
                let name = e.file_name();
                if name != "__pycache__" && name != ".pytest_cache" && name != ".ruff_cache" {
                    stack.push(e.path());
                }
            } else {
                let rel = e
                    .path()
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.insert(rel, std::fs::read(e.path()).unwrap());
            }
        }
    }
    out
}

/// `../shared/SUB` (next to the repository) when it is there. The real
/// exchange-format files and the official XSDs live there, outside this
/// repository. When it is absent (a fresh clone), the test that needs it is
/// skipped with one loud line, unless `CI=true`: CI always has it, so there
/// its absence fails the test.
#[allow(dead_code)]
pub fn shared(sub: &str, test: &str) -> Option<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared")
        .join(sub);
    if dir.exists() {
        return Some(dir);
    }
    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    assert!(
        !ci,
        "CI=true but ../shared/{sub} is absent: {test} needs it"
    );
    // Straight to the process's stderr: the test harness captures
    // `eprintln!` of passing tests, and a skip must be seen.
    use std::io::Write as _;
    let _ = writeln!(
        std::io::stderr(),
        "!!! SKIPPED {test}: ../shared/{sub} is absent (CI=true makes this a failure) !!!"
    );
    None
}

/// What a run of archgen gave: exit code, stdout and stderr.
#[allow(dead_code)]
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs the archgen binary with `args` in `dir`.
#[allow(dead_code)]
pub fn run(args: &[&str], dir: &Path) -> Out {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_archgen"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    Out {
        code: o.status.code().expect("exited"),
        stdout: String::from_utf8(o.stdout).unwrap(),
        stderr: String::from_utf8(o.stderr).unwrap(),
    }
}

/// The IR of `blueprint` (a path from the repository's root), as
/// `inspect --ir --json` prints it with the default pack.
#[allow(dead_code)]
pub fn ir(blueprint: &str) -> serde_json::Value {
    let o = run(
        &["inspect", "--ir", "--json", blueprint],
        Path::new(env!("CARGO_MANIFEST_DIR")),
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    serde_json::from_str(&o.stdout).unwrap()
}

/// The keys of an IR's entities.
#[allow(dead_code)]
pub fn entity_keys(ir: &serde_json::Value) -> Vec<String> {
    ir["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["key"].as_str().unwrap().to_owned())
        .collect()
}
