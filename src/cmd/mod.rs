//! The commands, one file each, and what they share: how a command ends
//! ([`Failure`] and its exit code), the blueprint input ([`Input`]), and the
//! front end every command that reads a blueprint runs ([`front`]).
//!
//! In: plain values (no clap here: `crate::cli` parses the arguments) and
//! two writers. Out: `Ok(())` or a [`Failure`]. Everything the user sees is
//! written to the writers handed in; a failure's message is written before
//! it is returned, so [`Failure`] carries only what the exit code needs.

mod authoring;
mod check;
mod diagram;
mod explain;
mod generate;
mod init;
mod inspect;
mod packs;
mod plan;
mod validate;

pub use authoring::{pack_check, pack_new};
pub use check::check;
pub use diagram::diagram;
pub use explain::explain;
pub use generate::gen;
pub use init::init;
pub use inspect::{inspect, inspect_ir};
pub use packs::packs;
pub use plan::{apply, plan, PlanOptions};
pub use validate::validate;

use crate::diagnostic::{Code, Diagnostic};
use crate::ir::{Ir, KeyMemory};
use crate::load::{load_file, Loaded};
use crate::model::ReadOptions;
use crate::pack::{Pack, DEFAULT_PACK};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Success, warnings allowed; for `check`: in sync.
pub const EXIT_OK: i32 = 0;
/// The blueprint is unusable, the output drifted, a merge left conflicts,
/// or a saved plan is stale.
pub const EXIT_UNUSABLE: i32 = 1;
/// A usage error, a file that cannot be read, or a lock that cannot be
/// trusted.
pub const EXIT_USAGE: i32 = 2;
/// The reader of the output went away (`archgen explain x.xml | head`).
pub const EXIT_PIPE: i32 = 141;

/// How a command ends when it does not succeed. Its message, when it has
/// one, is already written.
#[derive(Debug)]
pub enum Failure {
    /// Bad arguments, a file that cannot be read or written, a lock that
    /// cannot be trusted.
    Usage,
    /// The blueprint is unusable, or the pack could not render it.
    Unusable,
    /// The output differs from what the blueprint gives (`check`), a merge
    /// left conflicts, or a saved plan no longer matches the disk.
    Drift,
    /// Writing the command's own output failed.
    Io(std::io::Error),
}

impl Failure {
    /// The process's exit code (documented in `archgen --help`).
    pub fn code(&self) -> i32 {
        match self {
            Self::Usage => EXIT_USAGE,
            Self::Unusable | Self::Drift => EXIT_UNUSABLE,
            Self::Io(e) if e.kind() == std::io::ErrorKind::BrokenPipe => EXIT_PIPE,
            Self::Io(_) => EXIT_USAGE,
        }
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Self::Io(e)
    }
}

impl From<serde_json::Error> for Failure {
    fn from(e: serde_json::Error) -> Self {
        Self::Io(e.into())
    }
}

/// What a command ends with.
pub type Outcome = Result<(), Failure>;

/// How diagnostics are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// rustc-like text.
    Human,
    /// One JSON object per line.
    Json,
}

/// The blueprint a command reads, and how.
#[derive(Clone, Debug)]
pub struct Input {
    pub blueprint: PathBuf,
    /// The language picked among `xml:lang` variants.
    pub lang: String,
    pub format: Format,
    /// `--pack NAME|DIR`, when given.
    pub pack: Option<String>,
}

/// Reads the blueprint; a file that cannot be read is a usage error.
fn load(c: &Input, err: &mut dyn Write) -> Result<Loaded, Failure> {
    let opts = ReadOptions {
        lang: c.lang.clone(),
        ..ReadOptions::default()
    };
    load_file(&c.blueprint, &opts).or_else(|e| {
        writeln!(err, "error: cannot read `{}`: {e}", c.blueprint.display())?;
        Err(Failure::Usage)
    })
}

/// Writes the reason line (when unusable) and then every diagnostic.
/// JSON diagnostics go to `json_out` when given, else to `err`. True when
/// the blueprint is usable.
fn report(
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
            Format::Human => writeln!(err, "{}", d.render(&l.path))?,
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

fn counts(errors: usize, warnings: usize) -> String {
    format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// Loads the blueprint, picks the pack and builds the IR; prints the
/// diagnostics (the reason first when it fails). JSON diagnostics go to
/// `json_out` when given, else to `err`.
fn front(
    c: &Input,
    json_out: Option<&mut dyn Write>,
    err: &mut dyn Write,
) -> Result<(Loaded, Pack, Ir), Failure> {
    front_with(c, &KeyMemory::default(), json_out, err)
}

/// [`front`] for a project an earlier generation made: items keep the keys
/// `memory` has for them.
fn front_with(
    c: &Input,
    memory: &KeyMemory,
    json_out: Option<&mut dyn Write>,
    err: &mut dyn Write,
) -> Result<(Loaded, Pack, Ir), Failure> {
    let mut l = load(c, err)?;
    let mut chosen = None;
    let mut extra: Vec<Diagnostic> = Vec::new();
    let mut held = None;
    // `l.usable()`, borrowing only the model (the text is let go below).
    let usable = l.errors() == 0;
    if let Some(m) = l.model.as_ref().filter(|_| usable) {
        let pack = match &c.pack {
            Some(arg) if Path::new(arg).join("pack.toml").is_file() => {
                Pack::from_dir(Path::new(arg))
            }
            Some(arg) => Pack::builtin(arg),
            None => match m.properties.iter().find(|x| {
                x.key
                    .as_deref()
                    .is_some_and(|k| k.trim().eq_ignore_ascii_case("archgen:pack"))
            }) {
                Some(prop) => Pack::builtin(prop.value.as_deref().unwrap_or("").trim())
                    .inspect_err(|e| {
                        extra.push(
                            Diagnostic::error(Code::UnknownPack, e.to_string())
                                .at(prop.pos.offset, 1)
                                .help("name a built-in pack (see `archgen packs`) in archgen:pack, or pass --pack NAME|DIR"),
                        );
                    }),
                None => Pack::builtin(DEFAULT_PACK),
            },
        };
        match pack {
            Ok(pack) => {
                // The blueprint's text, as large as the file, is needed
                // again only to quote the lines the IR's diagnostics point
                // at: let go while the IR is built, and read again when
                // there is something to quote.
                held = crate::load::Text::let_go(&mut l.source);
                let (ir, diags) = crate::ir::build::build_with(m, &pack.stack(), memory);
                extra.extend(diags);
                chosen = ir.map(|ir| (pack, ir));
            }
            Err(e) if c.pack.is_some() => {
                writeln!(err, "error: {e}")?;
                return Err(Failure::Usage);
            }
            Err(_) => {}
        }
    }
    l.place(held, &c.blueprint, &mut extra);
    l.diagnostics.extend(extra);
    l.diagnostics
        .sort_by_key(|d| d.excerpt.as_ref().map_or(u32::MAX, |x| x.line));
    report(&l, c.format, json_out, err)?;
    match chosen {
        Some((pack, ir)) if l.errors() == 0 => Ok((l, pack, ir)),
        _ => Err(Failure::Unusable),
    }
}
