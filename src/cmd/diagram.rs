//! `archgen diagram`: the blueprint's views as SVG files, one per view.

use super::{load, report, Failure, Input, Outcome};
use crate::diagnostic::shown;
use crate::diagram::{self, Drawer, ViewFiles};
use crate::write::{safe_join, WriteError};
use std::io::Write;
use std::path::Path;

/// How many views an error message lists before it says how many more.
const LISTED: usize = 10;
/// Draws the views of the blueprint (all, or those `view` names by
/// identifier or name) into `dir`, one `<name>.svg` each, and prints the
/// path of each file written.
pub fn diagram(
    c: &Input,
    dir: &Path,
    view: Option<&str>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Outcome {
    let l = load(c, err)?;
    if !report(&l, c.format, None, err)? {
        return Err(Failure::Unusable);
    }
    let m = l.usable().expect("usable");
    if m.views.is_empty() {
        writeln!(out, "archgen: {} has no views; nothing to draw", l.path)?;
        return Ok(());
    }
    let chosen: Vec<usize> = match view {
        None => (0..m.views.len()).collect(),
        Some(q) => {
            let by_id: Vec<usize> = m
                .views
                .iter()
                .position(|v| v.identifier == q)
                .into_iter()
                .collect();
            if by_id.is_empty() {
                (0..m.views.len())
                    .filter(|&i| m.views[i].text.name.as_deref().map(str::trim) == Some(q.trim()))
                    .collect()
            } else {
                by_id
            }
        }
    };
    if chosen.is_empty() {
        let listed: Vec<String> = m
            .views
            .iter()
            .take(LISTED)
            .map(|v| match &v.text.name {
                Some(n) => format!("{} ({})", shown(n), shown(&v.identifier)),
                None => shown(&v.identifier),
            })
            .collect();
        let more = m.views.len().saturating_sub(LISTED);
        writeln!(
            err,
            "error: no view of {} has the identifier or name {}",
            l.path,
            shown(view.unwrap_or_default())
        )?;
        writeln!(
            err,
            "  = help: its views: {}{}",
            listed.join(", "),
            if more > 0 {
                format!(", and {more} more (`archgen inspect` lists them all)")
            } else {
                String::new()
            }
        )?;
        return Err(Failure::Usage);
    }
    if let Err(e) = check_dir(dir) {
        writeln!(err, "error: {e}")?;
        return Err(Failure::Unusable);
    }
    let names = diagram::file_names(m);
    let drawer = Drawer::new(m);
    let links = ViewFiles::new(m);
    // Each view is drawn, written and let go before the next: a file is
    // whole before its path is printed. (Two threads were no faster on a
    // 2-core machine shared with other work; see docs/benchmarks.md.)
    let mut written = Vec::with_capacity(chosen.len());
    for &i in &chosen {
        let text = diagram::svg(&drawer.draw(i), &links);
        let dest = safe_join(dir, &names[i])
            .and_then(|dest| crate::write::quick_write(&dest, text.as_bytes()).map(|()| dest));
        match dest {
            Ok(dest) => written.push(dest),
            Err(e) => {
                writeln!(err, "error: {e}")?;
                return Err(Failure::Unusable);
            }
        }
    }
    for dest in written {
        writeln!(out, "{}", dest.display())?;
    }
    Ok(())
}

/// The output folder may be missing (it is made), but not a file or a
/// symbolic link.
fn check_dir(dir: &Path) -> Result<(), WriteError> {
    let shown = dir.display().to_string();
    match std::fs::symlink_metadata(dir) {
        Ok(meta) if meta.file_type().is_symlink() => Err(WriteError::Symlink(shown)),
        Ok(meta) if !meta.is_dir() => Err(WriteError::NotADir(shown)),
        _ => Ok(()),
    }
}
