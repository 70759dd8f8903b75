//! The command line: clap's description of the arguments, and the dispatch
//! of each subcommand to its function in `crate::cmd`.
//!
//! In: the arguments and two writers. Out: an exit code. Everything the
//! user sees is written to the writers handed in; nothing here touches the
//! process's own stdout or stderr.

use crate::cmd::{self, Failure, Input, PlanOptions};
pub use crate::cmd::{EXIT_OK, EXIT_PIPE, EXIT_UNUSABLE, EXIT_USAGE};
use clap::{Parser, Subcommand, ValueEnum};
use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

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
struct Common {
    /// The blueprint: an ArchiMate Model Exchange File Format file (2.1, 3.0 or 3.1)
    blueprint: PathBuf,
    /// Language to pick among xml:lang variants of names and documentation
    #[arg(long, default_value = "en", value_name = "TAG")]
    lang: String,
    /// How to print diagnostics: rustc-like text, or one JSON object per line
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    Human,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum ColorWhen {
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
    /// Check a template pack, or start a new one (for pack authors; see docs/pack-authoring.md)
    #[command(subcommand)]
    Pack(PackCommand),
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

/// Exit codes of `archgen pack`, shown by `--help`.
const PACK_EXIT_CODES: &str = "\
Exit codes:
  0  every template of the pack renders against every probe IR (check);
     the starter pack is written (new)
  1  the pack does not render, or its pack.toml is invalid; the first line
     of stderr says how many errors, each error follows with its template,
     line, column and item
  2  usage error, the pack folder cannot be read, or (new) the folder is
     not empty or the name is not a pack name";

#[derive(clap::Subcommand, Debug)]
enum PackCommand {
    /// Render every template of a pack against probe IRs, strictly; report each error with its place
    ///
    /// The probe IRs are built into archgen: the example blueprint, every
    /// metric kind, hostile names, empty lists and a documentation-only
    /// model, each for the pack being checked. Undefined values are errors.
    /// Each error is reported once, with its template, line and column, the
    /// item being rendered, and how many files met it. Writes nothing.
    #[command(after_help = PACK_EXIT_CODES)]
    Check {
        /// The pack: a folder holding pack.toml, or a built-in name
        #[arg(value_name = "DIR|NAME")]
        pack: String,
    },
    /// Write a starter pack (Markdown pages of the system) that passes `pack check`
    #[command(after_help = PACK_EXIT_CODES)]
    New {
        /// The pack's name: lower-case letters, digits and dashes
        name: String,
        /// The folder to write it to (created; must be empty when it exists)
        dir: PathBuf,
    },
}

#[derive(clap::Args, Debug)]
struct PackArg {
    /// Template pack: a built-in name (see `archgen packs`) or a pack folder; default: the blueprint's archgen:pack property, else python-fastapi
    #[arg(long, value_name = "NAME|DIR")]
    pack: Option<String>,
}

/// What a command needs of the common arguments and `--pack`.
fn input(c: Common, p: PackArg) -> Input {
    Input {
        blueprint: c.blueprint,
        lang: c.lang,
        format: match c.format {
            Format::Human => cmd::Format::Human,
            Format::Json => cmd::Format::Json,
        },
        pack: p.pack,
    }
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
        Command::Validate { common, pack } => cmd::validate(&input(common, pack), out, err),
        Command::Inspect {
            common,
            json,
            ir,
            pack,
        } => {
            let c = input(common, pack);
            if ir {
                cmd::inspect_ir(&c, json, out, err)
            } else {
                cmd::inspect(&c, json, out, err)
            }
        }
        Command::Gen {
            common,
            out: dir,
            pack,
            force,
        } => cmd::gen(&input(common, pack), &dir, force, out, err),
        Command::Explain { common, pack, json } => {
            cmd::explain(&input(common, pack), json, out, err)
        }
        Command::Packs => cmd::packs(out),
        Command::Pack(PackCommand::Check { pack }) => cmd::pack_check(&pack, out, err),
        Command::Pack(PackCommand::New { name, dir }) => cmd::pack_new(&name, &dir, out, err),
        Command::Plan {
            common,
            out: dir,
            pack,
            json,
            save,
            color,
        } => {
            let o = PlanOptions {
                json,
                save,
                color: color.enabled(),
            };
            cmd::plan(&input(common, pack), &dir, &o, out, err)
        }
        Command::Apply { plan } => cmd::apply(&plan, out, err),
        Command::Check {
            common,
            out: dir,
            pack,
        } => cmd::check(&input(common, pack), &dir, out, err),
        Command::Init { file, force } => cmd::init(&file, force, out, err),
        Command::Diagram {
            common,
            out: dir,
            view,
        } => {
            let c = input(common, PackArg { pack: None });
            cmd::diagram(&c, &dir, view.as_deref(), out, err)
        }
    };
    match result {
        Ok(()) => EXIT_OK,
        Err(Failure::Io(e)) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            let _ = writeln!(err, "error: {e}");
            EXIT_USAGE
        }
        // The reader of the output has gone (`| head`): end quietly, as
        // other Unix tools do.
        Err(f) => f.code(),
    }
}
