//! The `archgen` binary: parse arguments, run, exit with the code.

fn main() {
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let code = archgen::cli::run(std::env::args_os(), &mut stdout.lock(), &mut stderr.lock());
    std::process::exit(code);
}
