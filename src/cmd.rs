//! The subcommands that go past the model: `gen`, `explain`, `packs`,
//! `init`, `inspect --ir`. Each loads the blueprint, builds the IR with the
//! chosen pack, and writes its result to the writers it is given.

use crate::cli::{load, plural, report, Common, PackArg, EXIT_OK, EXIT_UNUSABLE, EXIT_USAGE};
use crate::diagnostic::{Code, Diagnostic};
use crate::ir::Ir;
use crate::load::Loaded;
use crate::pack::{self, Pack, DEFAULT_PACK};
use crate::write::{write_project, Lock};
use std::io::Write;
use std::path::Path;

type Outcome = std::io::Result<i32>;

/// The starter blueprint `archgen init` writes.
const STARTER: &str = include_str!("../blueprints/saas-dashboard.xml");

/// Loads the blueprint, picks the pack and builds the IR; prints the
/// diagnostics (the reason first when it fails).
fn front(
    c: &Common,
    p: &PackArg,
    json_diags: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> std::io::Result<Result<(Loaded, Pack, Ir), i32>> {
    let mut l = match load(c, err)? {
        Ok(l) => l,
        Err(code) => return Ok(Err(code)),
    };
    let mut chosen = None;
    let mut extra: Vec<Diagnostic> = Vec::new();
    if let Some(m) = l.usable() {
        let pack = match &p.pack {
            Some(arg) if Path::new(arg).join("pack.toml").is_file() => Pack::from_dir(Path::new(arg)),
            Some(arg) => Pack::builtin(arg),
            None => match m.properties.iter().find(|x| x.key.as_deref().is_some_and(|k| k.trim().eq_ignore_ascii_case("archgen:pack"))) {
                Some(prop) => Pack::builtin(prop.value.as_deref().unwrap_or("").trim()).inspect_err(|e| {
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
                let (ir, diags) = crate::ir::build(m, &pack.manifest.name, &pack.platform());
                extra.extend(diags);
                chosen = ir.map(|ir| (pack, ir));
            }
            Err(e) if p.pack.is_some() => {
                writeln!(err, "error: {e}")?;
                return Ok(Err(EXIT_USAGE));
            }
            Err(_) => {}
        }
    }
    if let Some(src) = &l.source {
        for mut d in extra {
            d.resolve(src);
            l.diagnostics.push(d);
        }
    }
    l.diagnostics
        .sort_by_key(|d| d.excerpt.as_ref().map_or(u32::MAX, |x| x.line));
    let json_out: Option<&mut dyn Write> = if json_diags { Some(out) } else { None };
    let _ = report(&l, c.format, json_out, err)?;
    match chosen {
        Some((pack, ir)) if l.errors() == 0 => Ok(Ok((l, pack, ir))),
        _ => Ok(Err(EXIT_UNUSABLE)),
    }
}

pub fn inspect_ir(
    c: &Common,
    p: &PackArg,
    json: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Outcome {
    let (_, pack, ir) = match front(c, p, false, out, err)? {
        Ok(x) => x,
        Err(code) => return Ok(code),
    };
    if json {
        serde_json::to_writer_pretty(&mut *out, &ir)?;
        writeln!(out)?;
    } else {
        let name = crate::naming::truncate(&crate::naming::comment(&ir.project.name), 80);
        writeln!(
            out,
            "project:     {name} (pack {} {})",
            pack.manifest.name, pack.manifest.version
        )?;
        writeln!(
            out,
            "application: {}",
            if ir.application {
                "yes"
            } else {
                "no (documentation-only project)"
            }
        )?;
        writeln!(
            out,
            "entities:    {}",
            ir.entities
                .iter()
                .map(|e| e.table.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )?;
        writeln!(
            out,
            "metrics:     {}",
            ir.metrics
                .iter()
                .map(|m| m.key.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )?;
        writeln!(
            out,
            "services:    {}",
            ir.services
                .iter()
                .map(|s| format!("{} {}", s.key, s.path))
                .collect::<Vec<_>>()
                .join(", ")
        )?;
        writeln!(
            out,
            "compliance:  {}",
            ir.compliance
                .iter()
                .map(|c| c.key.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )?;
        writeln!(out, "decisions:   {}", ir.decisions.len())?;
    }
    Ok(EXIT_OK)
}

pub fn gen(
    c: &Common,
    p: &PackArg,
    dir: &Path,
    force: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Outcome {
    let (l, pack, ir) = match front(c, p, false, out, err)? {
        Ok(x) => x,
        Err(code) => return Ok(code),
    };
    let files = match pack::render(&pack, &ir) {
        Ok(f) => f,
        Err(e) => {
            writeln!(
                err,
                "error: the pack `{}` failed to render: {e}",
                pack.manifest.name
            )?;
            return Ok(EXIT_UNUSABLE);
        }
    };
    let lock = Lock {
        archgen_version: env!("CARGO_PKG_VERSION").into(),
        pack: pack.manifest.name.clone(),
        pack_version: pack.manifest.version.clone(),
        input_hash: pack::hex_digest(
            serde_json::to_string(&ir)
                .expect("IR serialises")
                .as_bytes(),
        ),
        schema_revision: String::new(),
        files: Default::default(),
    };
    match write_project(dir, &files, lock, force) {
        Ok(r) => {
            writeln!(
                out,
                "archgen: {} from {} into {}: {} written, {} unchanged{}",
                plural(files.len(), "file"),
                l.path,
                dir.display(),
                r.written.len(),
                r.unchanged,
                if r.kept.is_empty() {
                    String::new()
                } else {
                    format!(", {} kept as edited (once/append)", r.kept.len())
                }
            )?;
            Ok(EXIT_OK)
        }
        Err(e) => {
            writeln!(err, "error: {e}")?;
            Ok(EXIT_UNUSABLE)
        }
    }
}

pub fn explain(
    c: &Common,
    p: &PackArg,
    json: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Outcome {
    let (_, _, ir) = match front(c, p, false, out, err)? {
        Ok(x) => x,
        Err(code) => return Ok(code),
    };
    if json {
        for e in &ir.explanations {
            writeln!(out, "{}", serde_json::to_string(e)?)?;
        }
        return Ok(EXIT_OK);
    }
    for e in &ir.explanations {
        let name = crate::naming::truncate(&crate::naming::comment(&e.name), 60);
        writeln!(out, "{} {} [{}]", e.kind, name, e.element)?;
        writeln!(out, "    became: {}", e.became)?;
        writeln!(out, "    why:    {}", e.why)?;
    }
    let used = ir
        .explanations
        .iter()
        .filter(|e| e.became != "nothing")
        .count();
    writeln!(
        out,
        "{} of {} elements shape the project",
        used,
        ir.explanations.len()
    )?;
    Ok(EXIT_OK)
}

pub fn packs(out: &mut dyn Write) -> Outcome {
    for p in pack::builtins() {
        writeln!(
            out,
            "{:<16} {:<8} {}",
            p.manifest.name, p.manifest.version, p.manifest.description
        )?;
    }
    Ok(EXIT_OK)
}

pub fn init(file: &Path, force: bool, out: &mut dyn Write, err: &mut dyn Write) -> Outcome {
    if file.exists() && !force {
        writeln!(
            err,
            "error: `{}` exists; pass --force to overwrite it",
            file.display()
        )?;
        return Ok(EXIT_USAGE);
    }
    if let Err(e) = std::fs::write(file, STARTER) {
        writeln!(err, "error: cannot write `{}`: {e}", file.display())?;
        return Ok(EXIT_USAGE);
    }
    writeln!(out, "archgen: wrote the starter blueprint {}; open it in Archi with File > Import > Open Exchange File, or run `archgen gen {} -o app/`", file.display(), file.display())?;
    Ok(EXIT_OK)
}
