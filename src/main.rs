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
    // mimalloc gives freed pages back to the system 10 ms after they are
    // freed; at once instead. Rendering a large model frees and allocates
    // tens of megabytes in turn, and with the delay the freed pages still
    // count in the peak: on the 100,000-element model `plan` peaks at
    // 265 MB instead of 318 MB, for 0.6 s more system time in 10 s
    // (docs/benchmarks.md, "Memory: within budget"). The option is
    // mimalloc's `purge_delay`, number 15 in its version 2 (libmimalloc-sys
    // names no constant for it).
    const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    // SAFETY: sets one of mimalloc's option values; any value is valid,
    // and nothing runs alongside (no thread has started yet).
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let code = archgen::cli::run(std::env::args_os(), &mut stdout.lock(), &mut stderr.lock());
    std::process::exit(code);
}
