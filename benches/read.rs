//! In-process phase timings of the reader (decode, read, validate) on one
//! file, for profiling: `cargo bench --bench read -- [FILE [RUNS]]`.
//! The end-to-end benchmark with targets is `scripts/bench-read.sh`.
//!
//! Under `cargo test` (no `--bench` argument) it runs once, as a smoke test,
//! and ignores the test harness's arguments.
//!
//! `ARCHGEN_PARALLEL_FROM=BYTES` sets `ReadOptions::parallel_from` (a huge
//! number reads everything on one thread), to compare the two ways.

mod common;

use archgen::model::{read, validate, ReadOptions};

/// The allocator the binary uses, so that the phases cost what they cost
/// there.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use archgen::source::SourceFile;
use std::time::{Duration, Instant};

fn main() {
    let Some(common::Args {
        path,
        runs,
        bench,
        bytes,
    }) = common::args("the reader's phase timings")
    else {
        return;
    };
    let opts = ReadOptions {
        parallel_from: std::env::var("ARCHGEN_PARALLEL_FROM")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(1 << 20),
        ..ReadOptions::default()
    };
    let mut t = [Duration::ZERO; 4];
    for _ in 0..runs {
        let copy = bytes.clone();
        let t0 = Instant::now();
        let src = SourceFile::decode(&path, copy).expect("decodes");
        let t1 = Instant::now();
        let (model, _) = read(&src, &opts);
        let t2 = Instant::now();
        let model = model.expect("reads");
        let d = validate(&model);
        let t3 = Instant::now();
        assert!(!model.elements.is_empty(), "{path}: no elements read");
        assert!(
            d.iter().all(|d| !d.is_error()),
            "{path}: validation errors: {:?}",
            d.first()
        );
        drop((model, d));
        let t4 = Instant::now();
        for (slot, (a, b)) in t.iter_mut().zip([(t0, t1), (t1, t2), (t2, t3), (t3, t4)]) {
            *slot += b - a;
        }
    }
    if !bench {
        println!("smoke run: {path} read and validated; `cargo bench --bench read` measures");
        return;
    }
    let mb = bytes.len() as f64 / 1e6;
    let total: Duration = t.iter().sum();
    for (name, d) in ["decode", "read", "validate", "drop"].iter().zip(t) {
        let ms = d.as_secs_f64() * 1e3 / f64::from(runs);
        println!("{name:<10}{ms:>9.2} ms");
    }
    let ms = total.as_secs_f64() * 1e3 / f64::from(runs);
    println!(
        "{:<10}{ms:>9.2} ms  {:.1} MB/s ({mb:.2} MB, {runs} runs)",
        "total",
        mb / (ms / 1e3)
    );
}
