//! `archgen init`: a starter blueprint to open in Archi.

use super::{Failure, Outcome};
use std::io::Write;
use std::path::Path;

/// The starter blueprint `archgen init` writes.
const STARTER: &str = include_str!("../../blueprints/saas-dashboard.xml");

/// `archgen init`: writes the starter blueprint.
pub fn init(file: &Path, force: bool, out: &mut dyn Write, err: &mut dyn Write) -> Outcome {
    if file.exists() && !force {
        writeln!(
            err,
            "error: `{}` exists; pass --force to overwrite it",
            file.display()
        )?;
        return Err(Failure::Usage);
    }
    if let Err(e) = crate::write::atomic_write(file, STARTER.as_bytes()) {
        writeln!(err, "error: {e}")?;
        return Err(Failure::Usage);
    }
    writeln!(out, "archgen: wrote the starter blueprint {}; open it in Archi with File > Import > Open Exchange File, or run `archgen gen {} -o app/`", file.display(), file.display())?;
    Ok(())
}
