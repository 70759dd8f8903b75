//! Helpers shared by the integration tests.

use std::collections::BTreeMap;
use std::path::Path;

/// Every file below `dir` (none when it does not exist), by relative path,
/// with its bytes. Python and linter caches are left out; a symbolic link
/// fails the test, since archgen never writes one.
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
