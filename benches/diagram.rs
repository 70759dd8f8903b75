//! In-process phase timings of drawing every view of one file (load, draw,
//! SVG, write), for profiling: `cargo bench --bench diagram -- [FILE [RUNS]]`.
//! The end-to-end comparison with `validate` is `scripts/bench-diagram.sh`.
//!
//! Under `cargo test` (no `--bench` argument) it runs once, as a smoke test,
//! and ignores the test harness's arguments.

mod common;

use archgen::diagram::{self, Drawer, ViewFiles};
use archgen::load::load_bytes;
use archgen::model::ReadOptions;
use std::time::{Duration, Instant};

/// The allocator the binary uses, so that the phases cost what they cost
/// there.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let Some(common::Args {
        path,
        runs,
        bench,
        bytes,
    }) = common::args("the drawing's phase timings")
    else {
        return;
    };
    let out = std::env::temp_dir().join(format!("archgen-bench-diagram-{}", std::process::id()));
    std::fs::create_dir_all(&out).expect("a scratch folder");
    let mut t = [Duration::ZERO; 4];
    let mut views = 0;
    let mut svg_bytes = 0;
    for _ in 0..runs {
        let t0 = Instant::now();
        let l = load_bytes(&path, bytes.clone(), &ReadOptions::default());
        let m = l.usable().expect("a usable model");
        let t1 = Instant::now();
        // As `archgen diagram` does it: each view drawn, written, let go.
        let drawer = Drawer::new(m);
        let links = ViewFiles::new(m);
        let names = diagram::file_names(m);
        let (mut draw, mut svg, mut write) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
        let mut bytes_out = 0;
        for (i, name) in names.iter().enumerate() {
            let a = Instant::now();
            let d = drawer.draw(i);
            let b = Instant::now();
            let text = diagram::svg(&d, &links);
            let c = Instant::now();
            archgen::write::quick_write(&out.join(name), text.as_bytes()).expect("written");
            bytes_out += text.len();
            drop((d, text));
            write += c.elapsed();
            draw += b - a;
            svg += c - b;
        }
        views = names.len();
        svg_bytes = bytes_out;
        for (slot, d) in t.iter_mut().zip([t1 - t0, draw, svg, write]) {
            *slot += d;
        }
    }
    let _ = std::fs::remove_dir_all(&out);
    if !bench {
        println!(
            "smoke run: {views} views of {path} drawn; `cargo bench --bench diagram` measures"
        );
        return;
    }
    for (name, d) in ["load", "draw", "svg", "write"].iter().zip(t) {
        let ms = d.as_secs_f64() * 1e3 / f64::from(runs);
        println!("{name:<10}{ms:>9.2} ms");
    }
    let total: Duration = t.iter().sum();
    println!(
        "{:<10}{:>9.2} ms  ({views} views, {:.2} MB of SVG, {runs} runs)",
        "total",
        total.as_secs_f64() * 1e3 / f64::from(runs),
        svg_bytes as f64 / 1e6
    );
}
