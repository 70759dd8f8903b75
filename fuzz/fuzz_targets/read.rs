//! The reader on arbitrary bytes: it never panics, whatever the bytes; it
//! only reports diagnostics. A usable model goes on through the IR builder
//! (with the default pack's platform entities), which must not panic either.
#![no_main]

use archgen::load::load_bytes;
use archgen::model::ReadOptions;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn pack() -> &'static archgen::pack::Pack {
    static P: OnceLock<archgen::pack::Pack> = OnceLock::new();
    P.get_or_init(|| {
        archgen::pack::Pack::builtin(archgen::pack::DEFAULT_PACK).expect("the default pack")
    })
}

fuzz_target!(|data: &[u8]| {
    // The first byte chooses one thread, or two from a few bytes on (so that
    // the split of the views is tried on small inputs too).
    let Some((&choice, bytes)) = data.split_first() else {
        return;
    };
    let opts = ReadOptions {
        parallel_from: if choice & 1 == 0 { usize::MAX } else { 32 },
        ..ReadOptions::default()
    };
    let l = load_bytes("fuzz.xml", bytes.to_vec(), &opts);
    for d in &l.diagnostics {
        let _ = d.render(&l.path);
        let _ = d.to_json(&l.path);
    }
    if let Some(m) = l.usable() {
        let _ = serde_json::to_string(m).expect("a model serialises");
        let p = pack();
        let (ir, _) = archgen::ir::build(m, &p.stack());
        if let Some(ir) = ir {
            let _ = ir.table_order();
        }
    }
});
