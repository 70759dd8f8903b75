//! `archgen check`: is the committed project still what the blueprint gives?

use super::generate::make_plan;
use super::{Failure, Input, Outcome};
use crate::plan::Kind;
use std::io::Write;
use std::path::Path;

/// `archgen check`: fails when the output folder is not what `gen` would
/// make of the blueprint (a failure CI can act on).
pub fn check(c: &Input, dir: &Path, out: &mut dyn Write, err: &mut dyn Write) -> Outcome {
    if !dir.is_dir() {
        writeln!(err, "error: `{}` is not a folder", dir.display())?;
        return Err(Failure::Usage);
    }
    let mut diag = Vec::new();
    let plan = match make_plan(c, dir, false, false, &mut diag) {
        Ok(x) => x.plan,
        Err(f) => {
            err.write_all(&diag)?;
            return Err(f);
        }
    };
    if plan.is_empty() {
        err.write_all(&diag)?;
        writeln!(
            out,
            "archgen: {} is in sync with {}",
            dir.display(),
            c.blueprint.display()
        )?;
        return Ok(());
    }
    writeln!(
        err,
        "error: `{}` has drifted from the blueprint: {}",
        dir.display(),
        plan.summary()
    )?;
    err.write_all(&diag)?;
    for ch in plan
        .changes
        .iter()
        .filter(|c| c.writes() || c.kind == Kind::Conflict)
    {
        let mark = match ch.kind {
            Kind::Create => '+',
            Kind::Delete => '-',
            Kind::Conflict => '!',
            _ => '~',
        };
        writeln!(err, "  {mark} {}", ch.path)?;
    }
    if plan.lock_changed && !plan.changes.iter().any(|c| c.writes()) {
        writeln!(err, "  ~ .archgen/lock.json")?;
    }
    Err(Failure::Drift)
}
