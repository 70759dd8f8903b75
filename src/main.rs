//! The `archgen` binary: parse arguments, run, exit with the code.

/// mimalloc instead of the system allocator. Reading a model makes tens of
/// thousands of small allocations; mimalloc serves them faster, and it backs
/// its heap with transparent huge pages where the kernel allows, which spares
/// the thousands of page faults a megabyte-sized model otherwise costs (the
/// measurements are in docs/benchmarks.md). Its version 2, not 3: on the
/// synthetic 3.8 MB model v2 peaks at 25 MB instead of 31–33 MB and uses
/// about 10 % less CPU. The library does not choose an allocator: only this
/// binary does.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let code = archgen::cli::run(std::env::args_os(), &mut stdout.lock(), &mut stderr.lock());
    std::process::exit(code);
}
