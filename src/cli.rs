//! The command line: argument parsing and one function per subcommand.
//!
//! In: the arguments and two writers. Out: an exit code. Everything the
//! user sees is written to the writers handed in; nothing here touches the
//! process's own stdout or stderr.

use crate::diagnostic::Diagnostic;
use crate::load::{load_file, Loaded};
use crate::model::ReadOptions;
use clap::{Parser, Subcommand, ValueEnum};
use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

/// Exit code: success (warnings allowed).
pub const EXIT_OK: i32 = 0;
/// Exit code: the blueprint is unusable.
pub const EXIT_UNUSABLE: i32 = 1;
/// Exit code: usage error, the file cannot be read, or the lock file is
/// unusable.
pub const EXIT_USAGE: i32 = 2;
/// Exit code when the output was closed before archgen finished writing it
/// (`archgen explain x.xml | head`): 128 + SIGPIPE, what a shell reports
/// for `cat`, `grep` and the like in that case. Nothing is printed.
pub const EXIT_PIPE: i32 = 141;

const EXIT_CODES: &str = "\
Exit codes:
  0  success (warnings allowed); for `check`: in sync
  1  the blueprint is unusable, the output drifted (`check`), a merge left
     conflicts, a saved plan is stale, or a drawing cannot be written
     (`diagram`); the first line of stderr says why
  2  usage error (for `diagram`: no view has the --view given), the file
     cannot be read, or the output folder's lock file is unreadable, corrupt
     or from a newer archgen
141  the output was closed early (`archgen explain x.xml | head`), as for
     other Unix tools; nothing is printed";

#[derive(Parser, Debug)]
#[command(
    name = "archgen",
    version,
    about = "Turns an ArchiMate model (Open Group exchange format) into a working software project",
    after_help = EXIT_CODES
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Debug)]
pub(crate) struct Common {
    /// The blueprint: an ArchiMate Model Exchange File Format file (2.1, 3.0 or 3.1)
    pub(crate) blueprint: PathBuf,
    /// Language to pick among xml:lang variants of names and documentation
    #[arg(long, default_value = "en", value_name = "TAG")]
    pub(crate) lang: String,
    /// How to print diagnostics: rustc-like text, or one JSON object per line
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub(crate) format: Format,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    Human,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorWhen {
    Auto,
    Always,
    Never,
}

impl ColorWhen {
    /// Colour on: `always`, or `auto` on a terminal with `NO_COLOR` unset.
    fn enabled(self) -> bool {
        use std::io::IsTerminal as _;
        match self {
            Self::Always => true,
            Self::Never => false,
            Self::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::io::stdout().is_terminal()
            }
        }
    }
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check a blueprint as `gen` would (the model, then the archgen profile
    /// and the IR for its pack) and print its diagnostics; exit 0 when it is
    /// usable, that is when `gen` would generate it
    #[command(after_help = EXIT_CODES)]
    Validate {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        pack: PackArg,
    },
    /// Summarise a blueprint: format version, exporter, counts by type, views
    #[command(after_help = EXIT_CODES)]
    Inspect {
        #[command(flatten)]
        common: Common,
        /// Print the whole model as one JSON object (shape: docs/inspect-json.md)
        #[arg(long)]
        json: bool,
        /// Show the intermediate representation (what archgen will generate) instead of the model
        #[arg(long)]
        ir: bool,
        #[command(flatten)]
        pack: PackArg,
    },
    /// Generate the project a blueprint describes into a folder
    #[command(after_help = EXIT_CODES)]
    Gen {
        #[command(flatten)]
        common: Common,
        /// The output folder (created when missing)
        #[arg(short = 'o', long = "output", value_name = "DIR")]
        out: PathBuf,
        #[command(flatten)]
        pack: PackArg,
        /// Write into a non-empty folder that archgen did not generate
        #[arg(long)]
        force: bool,
    },
    /// Show, as a diff, what `gen` would change in the output folder; writes nothing
    #[command(after_help = EXIT_CODES)]
    Plan {
        #[command(flatten)]
        common: Common,
        /// The output folder
        #[arg(short = 'o', long = "output", value_name = "DIR")]
        out: PathBuf,
        #[command(flatten)]
        pack: PackArg,
        /// Print the changes as one JSON object (path, kind, lifecycle, provenance)
        #[arg(long)]
        json: bool,
        /// Save the plan to FILE, for `archgen apply FILE`
        #[arg(long = "out", value_name = "FILE")]
        save: Option<PathBuf>,
        /// When to colour the diff: auto (a terminal, and NO_COLOR unset), always, never
        #[arg(long, value_enum, default_value_t = ColorWhen::Auto)]
        color: ColorWhen,
    },
    /// Write exactly what a saved plan previewed; refuse if the disk changed since
    #[command(after_help = EXIT_CODES)]
    Apply {
        /// A plan saved with `archgen plan … --out FILE`
        plan: PathBuf,
    },
    /// Exit 0 when the output folder is in sync with the blueprint, 1 when it drifted
    #[command(after_help = EXIT_CODES)]
    Check {
        #[command(flatten)]
        common: Common,
        /// The output folder
        #[arg(short = 'o', long = "output", value_name = "DIR")]
        out: PathBuf,
        #[command(flatten)]
        pack: PackArg,
    },
    /// Say which element became what in the generated project, and why
    #[command(after_help = EXIT_CODES)]
    Explain {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        pack: PackArg,
        /// One JSON object per element instead of a table
        #[arg(long)]
        json: bool,
    },
    /// Draw the blueprint's views as SVG, one file per view, in the ArchiMate notation
    #[command(after_help = EXIT_CODES)]
    Diagram {
        #[command(flatten)]
        common: Common,
        /// The folder to write the SVG files into (created when missing)
        #[arg(short = 'o', long = "output", value_name = "DIR", default_value = ".")]
        out: PathBuf,
        /// Only the view with this identifier, or the views with this name
        #[arg(long, value_name = "ID|NAME")]
        view: Option<String>,
    },
    /// List the built-in template packs
    Packs,
    /// Write a starter blueprint that opens in Archi (File > Import > Open Exchange File)
    #[command(after_help = EXIT_CODES)]
    Init {
        /// Where to write it
        file: PathBuf,
        /// Overwrite an existing file
        #[arg(long)]
        force: bool,
    },
}

#[derive(clap::Args, Debug)]
pub(crate) struct PackArg {
    /// Template pack: a built-in name (see `archgen packs`) or a pack folder; default: the blueprint's archgen:pack property, else python-fastapi
    #[arg(long, value_name = "NAME|DIR")]
    pub(crate) pack: Option<String>,
}

/// Runs archgen with `args` (the first is the program name).
pub fn run<I, T>(args: I, out: &mut dyn Write, err: &mut dyn Write) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let text = e.render().to_string();
            return if e.use_stderr() {
                let _ = write!(err, "{text}");
                EXIT_USAGE
            } else {
                let _ = write!(out, "{text}");
                EXIT_OK
            };
        }
    };
    let result = match cli.command {
        Command::Validate { common, pack } => validate(&common, &pack, out, err),
        Command::Inspect {
            common,
            json,
            ir: false,
            ..
        } => inspect(&common, json, out, err),
        Command::Inspect {
            common,
            json,
            ir: true,
            pack,
        } => crate::cmd::inspect_ir(&common, &pack, json, out, err),
        Command::Gen {
            common,
            out: dir,
            pack,
            force,
        } => crate::cmd::gen(&common, &pack, &dir, force, out, err),
        Command::Explain { common, pack, json } => {
            crate::cmd::explain(&common, &pack, json, out, err)
        }
        Command::Packs => crate::cmd::packs(out),
        Command::Plan {
            common,
            out: dir,
            pack,
            json,
            save,
            color,
        } => crate::cmd::plan(
            &common,
            &pack,
            &dir,
            json,
            save.as_deref(),
            color.enabled(),
            out,
            err,
        ),
        Command::Apply { plan } => crate::cmd::apply(&plan, out, err),
        Command::Check {
            common,
            out: dir,
            pack,
        } => crate::cmd::check(&common, &pack, &dir, out, err),
        Command::Init { file, force } => crate::cmd::init(&file, force, out, err),
        Command::Diagram {
            common,
            out: dir,
            view,
        } => crate::cmd_diagram::diagram(&common, &dir, view.as_deref(), out, err),
    };
    match result {
        Ok(code) => code,
        // The reader of the output has gone (`| head`): end quietly, as
        // other Unix tools do.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => EXIT_PIPE,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            EXIT_USAGE
        }
    }
}

/// Loads the blueprint; exit code 2 when it cannot be read.
/// [`load`], then the diagnostics reported: the loaded blueprint when its
/// model is usable, else the exit code.
pub(crate) fn load_usable(c: &Common, err: &mut dyn Write) -> std::io::Result<Result<Loaded, i32>> {
    let l = match load(c, err)? {
        Ok(l) => l,
        Err(code) => return Ok(Err(code)),
    };
    if !report(&l, c.format, None, err)? {
        return Ok(Err(EXIT_UNUSABLE));
    }
    Ok(Ok(l))
}

pub(crate) fn load(c: &Common, err: &mut dyn Write) -> std::io::Result<Result<Loaded, i32>> {
    let opts = ReadOptions {
        lang: c.lang.clone(),
        ..ReadOptions::default()
    };
    match load_file(&c.blueprint, &opts) {
        Ok(l) => Ok(Ok(l)),
        Err(e) => {
            writeln!(err, "error: cannot read `{}`: {e}", c.blueprint.display())?;
            Ok(Err(EXIT_USAGE))
        }
    }
}

/// Writes the reason line (when unusable) and then every diagnostic.
/// JSON diagnostics go to `json_out` when given, else to `err`.
pub(crate) fn report(
    l: &Loaded,
    format: Format,
    mut json_out: Option<&mut dyn Write>,
    err: &mut dyn Write,
) -> std::io::Result<bool> {
    let usable = l.usable().is_some();
    if !usable {
        writeln!(
            err,
            "error: `{}` is not a usable blueprint: {}",
            l.path,
            counts(l.errors(), l.warnings())
        )?;
    }
    for d in &l.diagnostics {
        match format {
            Format::Human => write!(err, "{}", human(d, &l.path))?,
            Format::Json => {
                let line = d.to_json(&l.path);
                match json_out.as_deref_mut() {
                    Some(o) => writeln!(o, "{line}")?,
                    None => writeln!(err, "{line}")?,
                }
            }
        }
    }
    Ok(usable)
}

fn human(d: &Diagnostic, path: &str) -> String {
    format!("{}\n", d.render(path))
}

pub(crate) fn counts(errors: usize, warnings: usize) -> String {
    format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}

pub(crate) fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// The model's checks, then the profile and IR checks of the pack `gen`
/// would use: a blueprint `validate` calls usable generates.
fn validate(
    c: &Common,
    p: &PackArg,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> std::io::Result<i32> {
    let checked = crate::cmd::front(c, p, Some(&mut *out), err)?;
    let (l, pack, ir) = match checked {
        Ok(x) => x,
        Err(code) => return Ok(code),
    };
    if c.format == Format::Human {
        let m = l.usable().expect("usable");
        writeln!(
            out,
            "{}: usable ArchiMate {} model: {}, {}, {} ({}); generates with the {} pack",
            l.path,
            m.format.map_or("?", |v| v.as_str()),
            plural(m.elements.len(), "element"),
            plural(m.relationships.len(), "relationship"),
            plural(m.views.len(), "view"),
            counts(l.errors(), l.warnings()),
            pack.manifest.name
        )?;
    }
    // The process ends right after: freeing a large model piece by piece
    // only costs time.
    std::mem::forget((l, pack, ir));
    Ok(EXIT_OK)
}

fn inspect(
    c: &Common,
    json: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> std::io::Result<i32> {
    let l = match load_usable(c, err)? {
        Ok(l) => l,
        Err(code) => return Ok(code),
    };
    let m = l.usable().expect("usable");
    if json {
        serde_json::to_writer_pretty(&mut *out, m)?;
        writeln!(out)?;
    } else {
        let enc = l.source.as_ref().map_or("UTF-8", |s| s.encoding);
        write!(out, "{}", crate::inspect::summary(m, enc))?;
    }
    Ok(EXIT_OK)
}
