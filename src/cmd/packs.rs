//! `archgen packs`: the template packs archgen carries.

use super::Outcome;
use crate::pack;
use std::io::Write;

/// `archgen packs`: the built-in packs.
pub fn packs(out: &mut dyn Write) -> Outcome {
    for p in pack::builtins() {
        writeln!(
            out,
            "{:<16} {:<8} {}",
            p.manifest.name, p.manifest.version, p.manifest.description
        )?;
    }
    Ok(())
}
