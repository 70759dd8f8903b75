//! `archgen pack check DIR|NAME` and `archgen pack new NAME DIR`: the
//! commands for pack authors.

use crate::cli::{plural, EXIT_OK, EXIT_UNUSABLE, EXIT_USAGE};
use crate::pack::check::{self, Problem};
use crate::pack::{self, Pack};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Exit codes of `archgen pack`, shown by `--help`.
pub(crate) const EXIT_CODES: &str = "\
Exit codes:
  0  every template of the pack renders against every probe IR (check);
     the starter pack is written (new)
  1  the pack does not render, or its pack.toml is invalid; the first line
     of stderr says how many errors, each error follows with its template,
     line, column and item
  2  usage error, the pack folder cannot be read, or (new) the folder is
     not empty or the name is not a pack name";

#[derive(clap::Subcommand, Debug)]
pub(crate) enum PackCommand {
    /// Render every template of a pack against probe IRs, strictly; report each error with its place
    ///
    /// The probe IRs are built into archgen: the example blueprint, every
    /// metric kind, hostile names, empty lists and a documentation-only
    /// model, each for the pack being checked. Undefined values are errors.
    /// Each error is reported once, with its template, line and column, the
    /// item being rendered, and how many files met it. Writes nothing.
    #[command(after_help = EXIT_CODES)]
    Check {
        /// The pack: a folder holding pack.toml, or a built-in name
        #[arg(value_name = "DIR|NAME")]
        pack: String,
    },
    /// Write a starter pack (Markdown pages of the system) that passes `pack check`
    #[command(after_help = EXIT_CODES)]
    New {
        /// The pack's name: lower-case letters, digits and dashes
        name: String,
        /// The folder to write it to (created; must be empty when it exists)
        dir: PathBuf,
    },
}

pub(crate) fn run(cmd: PackCommand, out: &mut dyn Write, err: &mut dyn Write) -> super::Outcome {
    match cmd {
        PackCommand::Check { pack } => check(&pack, out, err),
        PackCommand::New { name, dir } => new(&name, &dir, out, err),
    }
}

fn check(arg: &str, out: &mut dyn Write, err: &mut dyn Write) -> super::Outcome {
    let dir = Path::new(arg);
    let loaded = if dir.join("pack.toml").is_file() {
        Pack::from_dir(dir)
    } else if dir.is_dir() {
        writeln!(err, "error: `{arg}` has no pack.toml")?;
        writeln!(
            err,
            "  = help: name a pack folder (one with pack.toml), or start one with `archgen pack new NAME {arg}`"
        )?;
        return Ok(EXIT_USAGE);
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
            return Ok(EXIT_UNUSABLE);
        }
        Err(e) => {
            writeln!(err, "error: {e}")?;
            return Ok(EXIT_USAGE);
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
        return Ok(EXIT_OK);
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
    Ok(EXIT_UNUSABLE)
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

fn new(name: &str, dir: &Path, out: &mut dyn Write, err: &mut dyn Write) -> super::Outcome {
    if !pack::starter::valid_name(name) {
        writeln!(err, "error: `{name}` is not a pack name")?;
        writeln!(
            err,
            "  = help: use lower-case ASCII letters, digits and dashes, starting with a letter (`my-pack`)"
        )?;
        return Ok(EXIT_USAGE);
    }
    match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                writeln!(err, "error: `{}` is not empty", dir.display())?;
                writeln!(
                    err,
                    "  = help: name a new folder, or an empty one; archgen does not write a pack over other files"
                )?;
                return Ok(EXIT_USAGE);
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            writeln!(err, "error: cannot read `{}`: {e}", dir.display())?;
            return Ok(EXIT_USAGE);
        }
    }
    let files = pack::starter::files(name);
    for (path, text) in &files {
        let target = dir.join(path);
        let written = std::fs::create_dir_all(dir).and_then(|()| std::fs::write(&target, text));
        if let Err(e) = written {
            writeln!(err, "error: cannot write `{}`: {e}", target.display())?;
            return Ok(EXIT_USAGE);
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
    Ok(EXIT_OK)
}
