//! What the benches share: their arguments and the file they time.

/// The file a bench times (`[FILE [RUNS]]` after `--bench`; the largest
/// real model by default), how many runs, whether it measures (`--bench`)
/// or runs once as a smoke test under `cargo test`, and the file's bytes.
/// `None` when the default file is absent outside `--bench`: skipped with
/// one loud line, as the tests that need `../shared` are, and a failure
/// (exit 1) when `CI=true`. `what` names the timings in that line.
pub struct Args {
    pub path: String,
    pub runs: u32,
    pub bench: bool,
    pub bytes: Vec<u8>,
}

pub fn args(what: &str) -> Option<Args> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let bench = args.iter().any(|a| a == "--bench");
    let mut positional = args.iter().filter(|a| bench && !a.starts_with("--"));
    let path = positional
        .next()
        .cloned()
        .unwrap_or_else(|| "../shared/blueprints/real/pyarchimate_synthetic_large.xml".to_owned());
    let runs: u32 = match positional.next() {
        Some(r) => r.parse().unwrap_or_else(|_| {
            eprintln!("RUNS must be a number, not `{r}`");
            std::process::exit(2);
        }),
        None if bench => 30,
        None => 1,
    };
    if !bench && !std::path::Path::new(&path).exists() {
        if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
            eprintln!("CI=true but {path} is absent");
            std::process::exit(1);
        }
        println!("!!! SKIPPED {what}: {path} is absent (CI=true makes this a failure) !!!");
        return None;
    }
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("cannot read {path}: {e}");
            std::process::exit(2);
        }
    };
    Some(Args {
        path,
        runs,
        bench,
        bytes,
    })
}
