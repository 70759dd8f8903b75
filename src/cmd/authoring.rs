//! `archgen pack check DIR|NAME` and `archgen pack new NAME DIR`: the
//! commands for pack authors.

use super::{plural, Failure, Outcome};
use crate::pack::check::{self, Problem};
use crate::pack::{self, Pack};
use std::io::Write;
use std::path::Path;

/// `archgen pack check DIR|NAME`.
pub fn pack_check(arg: &str, out: &mut dyn Write, err: &mut dyn Write) -> Outcome {
    let dir = Path::new(arg);
    let loaded = if dir.join("pack.toml").is_file() {
        Pack::from_dir(dir)
    } else if dir.is_dir() {
        writeln!(err, "error: `{arg}` has no pack.toml")?;
        writeln!(
            err,
            "  = help: name a pack folder (one with pack.toml), or start one with `archgen pack new NAME {arg}`"
        )?;
        return Err(Failure::Usage);
    } else {
        Pack::builtin(arg)
    };
    let pack = match loaded {
        Ok(p) => p,
        Err(e @ pack::PackError::Manifest(..)) => {
            writeln!(err, "error: {e}")?;
            writeln!(
                err,
                "  = help: docs/pack-authoring.md lists every key of pack.toml and its values"
            )?;
            return Err(Failure::Unusable);
        }
        Err(e) => {
            writeln!(err, "error: {e}")?;
            return Err(Failure::Usage);
        }
    };
    let report = check::check(&pack);
    let shown = if pack.origin == "built-in" {
        format!("built-in {}", pack.manifest.name)
    } else {
        pack.origin.clone()
    };
    writeln!(
        out,
        "pack `{}` {} ({shown}), strict mode, against {}:",
        pack.manifest.name,
        pack.manifest.version,
        plural(check::PROBES.len(), "probe IR")
    )?;
    let width = check::PROBES
        .iter()
        .map(|p| p.name.len())
        .max()
        .unwrap_or(0);
    for r in &report.runs {
        writeln!(
            out,
            "  {:width$}  {:>4} {:5}  {:9}  {}",
            r.probe.name,
            r.files,
            if r.files == 1 { "file" } else { "files" },
            if r.errors == 0 {
                "ok".to_owned()
            } else {
                plural(r.errors, "error")
            },
            r.probe.path
        )?;
    }
    if report.passed() {
        writeln!(out, "ok: every template renders against every probe IR")?;
        return Ok(());
    }
    writeln!(
        err,
        "error: the pack `{}` does not render: {}",
        pack.manifest.name,
        plural(report.problems.len(), "error")
    )?;
    for p in &report.problems {
        write!(err, "{}", render_problem(p, &pack.origin))?;
    }
    Err(Failure::Unusable)
}

/// One problem, as rustc writes a diagnostic: the message, the place with
/// an excerpt and a caret, where it happened, and what to do.
fn render_problem(p: &Problem, origin: &str) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let _ = writeln!(s, "error: {}", p.message);
    let file = |t: &str| {
        if origin == "built-in" {
            t.to_owned()
        } else {
            format!("{}/{t}", origin.trim_end_matches('/'))
        }
    };
    let mut pad = "  ".to_owned();
    match &p.location {
        Some(l) if l.line > 0 => {
            let gutter = l.line.to_string().len();
            pad = " ".repeat(gutter + 1);
            let blank = " ".repeat(gutter);
            if l.column > 0 {
                let _ = writeln!(
                    s,
                    "{blank}--> {}:{}:{}",
                    file(&l.template),
                    l.line,
                    l.column
                );
            } else {
                let _ = writeln!(s, "{blank}--> {}:{}", file(&l.template), l.line);
            }
            if let Some(text) = &l.text {
                let _ = writeln!(s, "{blank} |");
                let _ = writeln!(s, "{} | {text}", l.line);
                if l.column > 0 {
                    let lead: String = text
                        .chars()
                        .take(l.column - 1)
                        .map(|c| if c == '\t' { '\t' } else { ' ' })
                        .collect();
                    let _ = writeln!(s, "{blank} | {lead}{}", "^".repeat(l.width.max(1)));
                }
            }
        }
        Some(l) => {
            let _ = writeln!(s, " --> {}", file(&l.template));
        }
        None => {}
    }
    if let Some(first) = p.probes.first() {
        let what = if p.item.is_empty() {
            String::new()
        } else {
            format!("rendering {} ", p.item)
        };
        let mut note = format!("{what}with the probe IR `{}` ({})", first.name, first.path);
        if p.occurrences > 1 {
            let _ = write!(
                note,
                "; {} in {} meet it",
                plural(p.occurrences, "file"),
                plural(p.probes.len(), "probe IR")
            );
        }
        let _ = writeln!(s, "{pad}= note: {note}");
    }
    let _ = writeln!(s, "{pad}= help: {}", p.help);
    let _ = writeln!(s);
    s
}

/// `archgen pack new NAME DIR`.
pub fn pack_new(name: &str, dir: &Path, out: &mut dyn Write, err: &mut dyn Write) -> Outcome {
    if !pack::starter::valid_name(name) {
        writeln!(err, "error: `{name}` is not a pack name")?;
        writeln!(
            err,
            "  = help: use lower-case ASCII letters, digits and dashes, starting with a letter (`my-pack`)"
        )?;
        return Err(Failure::Usage);
    }
    match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                writeln!(err, "error: `{}` is not empty", dir.display())?;
                writeln!(
                    err,
                    "  = help: name a new folder, or an empty one; archgen does not write a pack over other files"
                )?;
                return Err(Failure::Usage);
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            writeln!(err, "error: cannot read `{}`: {e}", dir.display())?;
            return Err(Failure::Usage);
        }
    }
    let files = pack::starter::files(name);
    for (path, text) in &files {
        let target = dir.join(path);
        let written = std::fs::create_dir_all(dir).and_then(|()| std::fs::write(&target, text));
        if let Err(e) = written {
            writeln!(err, "error: cannot write `{}`: {e}", target.display())?;
            return Err(Failure::Usage);
        }
    }
    writeln!(
        out,
        "wrote the starter pack `{name}` to {} ({}); check it with `archgen pack check {}`, use it with `archgen gen BLUEPRINT -o OUT --pack {}`",
        dir.display(),
        plural(files.len(), "file"),
        dir.display(),
        dir.display()
    )?;
    Ok(())
}
