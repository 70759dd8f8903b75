//! The built-in template packs are compiled into the binary (include_dir! in
//! src/pack/mod.rs); rebuild when any file under templates/ changes.
fn main() {
    println!("cargo:rerun-if-changed=templates");
}
