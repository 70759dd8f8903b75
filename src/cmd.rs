//! The subcommands that go past the model: `gen`, `explain`, `packs`,
//! `init`, `inspect --ir`. Each loads the blueprint, builds the IR with the
//! chosen pack, and writes its result to the writers it is given.

use crate::cli::{load, plural, report, Common, PackArg, EXIT_OK, EXIT_UNUSABLE, EXIT_USAGE};
use crate::diagnostic::{Code, Diagnostic};
use crate::ir::{Ir, KeyMemory};
use crate::load::Loaded;
use crate::pack::{self, Pack, DEFAULT_PACK};
use crate::plan::{Kind, Lock, Plan};
use crate::write::check_out_dir;
use serde::Deserialize as _;
use std::io::Write;
use std::path::Path;

type Outcome = std::io::Result<i32>;

/// The starter blueprint `archgen init` writes.
const STARTER: &str = include_str!("../blueprints/saas-dashboard.xml");

/// Loads the blueprint, picks the pack and builds the IR; prints the
/// diagnostics (the reason first when it fails). JSON diagnostics go to
/// `json_out` when given, else to `err`.
pub(crate) fn front(
    c: &Common,
    p: &PackArg,
    json_out: Option<&mut dyn Write>,
    err: &mut dyn Write,
) -> std::io::Result<Result<(Loaded, Pack, Ir), i32>> {
    front_with(c, p, &KeyMemory::default(), json_out, err)
}

/// [`front`] for a project an earlier generation made: items keep the keys
/// `memory` has for them.
fn front_with(
    c: &Common,
    p: &PackArg,
    memory: &KeyMemory,
    json_out: Option<&mut dyn Write>,
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
                let (ir, diags) = crate::ir::build::build_with(
                    m,
                    &pack.manifest.name,
                    &pack.platform(),
                    &pack.manifest.reserved_tables,
                    memory,
                );
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
    let (_, pack, ir) = match front(c, p, None, err)? {
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

/// The tables and columns the IR describes (tenant tables carry
/// `organization_id`), for the lock and for data-loss warnings.
fn schema_of(ir: &Ir) -> std::collections::BTreeMap<String, Vec<String>> {
    let mut out = std::collections::BTreeMap::new();
    for e in &ir.entities {
        let mut cols: Vec<String> = e.fields.iter().map(|f| f.column.clone()).collect();
        if e.tenant {
            cols.push("organization_id".into());
        }
        cols.sort();
        out.insert(e.table.clone(), cols);
    }
    for m in &ir.metrics {
        let mut cols: Vec<String> = m.dimensions.iter().map(|d| d.column.clone()).collect();
        cols.extend(["organization_id", "period_start", "value"].map(String::from));
        cols.sort();
        out.insert(m.table.clone(), cols);
    }
    out
}

/// The keys the last generation of `dir` gave (see [`KeyMemory`]): those its
/// lock recorded; or, for a lock from before keys were recorded, the names
/// the project uses, so that items whose names an older archgen cut to 28
/// bytes keep those keys.
fn key_memory(
    dir: &Path,
    old: &Lock,
    records: &[pack::records::Record],
) -> Result<KeyMemory, crate::plan::LockError> {
    if old.files.is_empty() {
        return Ok(KeyMemory::default());
    }
    if old.state.get("keys").is_some() {
        let recorded = std::collections::BTreeMap::<String, String>::deserialize(
            &old.state["keys"],
        )
        .map_err(|e| crate::plan::LockError::Corrupt {
            path: crate::plan::lock_path(dir),
            why: format!("its state `keys` is unreadable: {e}"),
        })?;
        return Ok(KeyMemory {
            recorded,
            legacy_in_use: None,
        });
    }
    let mut used: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    for (table, columns) in &old.schema {
        used.insert(table.clone());
        used.extend(columns.iter().cloned());
    }
    // Keys show in paths as they are or in kebab case, after a prefix
    // (`docs/adr/ADR-010-<key>.md`): every tail of every segment counts.
    for path in old.files.keys() {
        for segment in path.split('/') {
            let stem = segment
                .split('.')
                .next()
                .unwrap_or(segment)
                .replace('-', "_");
            for (i, _) in stem.match_indices('_') {
                used.insert(stem[i + 1..].to_owned());
            }
            used.insert(stem);
        }
    }
    used.extend(records.iter().map(|r| r.key.replace('-', "_")));
    Ok(KeyMemory {
        recorded: Default::default(),
        legacy_in_use: Some(used),
    })
}

/// Front end, render, and plan against `dir`.
#[allow(clippy::type_complexity)]
fn make_plan(
    c: &Common,
    p: &PackArg,
    dir: &Path,
    err: &mut dyn Write,
) -> std::io::Result<Result<(Loaded, Plan, usize), i32>> {
    // The last generation's lock: read once, for the keys, the records and
    // the plan.
    let read_state = || -> Result<_, crate::plan::LockError> {
        let old = crate::plan::read_lock(dir)?.unwrap_or_default();
        let recorded: Vec<pack::migrations::Revision> =
            crate::plan::state_list(dir, &old, "migrations")?;
        let recorded_adrs: Vec<pack::records::Record> =
            crate::plan::state_list(dir, &old, "decisions")?;
        let memory = key_memory(dir, &old, &recorded_adrs)?;
        Ok((old, recorded, recorded_adrs, memory))
    };
    let (old, recorded, recorded_adrs, memory) = match read_state() {
        Ok(x) => x,
        Err(e) => {
            writeln!(err, "error: {e}")?;
            writeln!(err, "  = help: {}", e.help())?;
            return Ok(Err(EXIT_USAGE));
        }
    };
    let (mut l, pack, ir) = match front_with(c, p, &memory, None, err)? {
        Ok(x) => x,
        Err(code) => return Ok(Err(code)),
    };
    // The views, drawn, for a pack that writes them.
    let drawings = match &l.model {
        Some(m)
            if pack
                .manifest
                .files
                .iter()
                .any(|r| r.each.as_deref() == Some("view")) =>
        {
            crate::diagram::draw_all(m)
        }
        _ => Vec::new(),
    };
    // The model and its text have done their part once the IR is built:
    // the memory goes to rendering.
    l.model = None;
    l.source = None;
    // What the generation depends on: the IR as the blueprint gives it,
    // and the drawings of its views.
    let input_hash = if drawings.is_empty() {
        pack::json_digest(&ir)
    } else {
        pack::json_digest(&(&ir, &drawings))
    };
    let mut ir = ir;
    let keys = std::mem::take(&mut ir.keys);
    let adrs = pack::records::renumber(&mut ir.decisions, &recorded_adrs);
    let chain = pack::migrations::chain(recorded, &ir, pack.manifest.schema_level);
    let schema = schema_of(&ir);
    let files = match pack::render(&pack, ir, &chain, &drawings) {
        Ok(f) => f,
        Err(e) => {
            writeln!(
                err,
                "error: the pack `{}` failed to render: {e}",
                pack.manifest.name
            )?;
            return Ok(Err(EXIT_UNUSABLE));
        }
    };
    let lock = Lock {
        archgen_version: env!("CARGO_PKG_VERSION").into(),
        pack: pack.manifest.name.clone(),
        pack_version: pack.manifest.version.clone(),
        input_hash,
        schema,
        state: {
            let mut state = serde_json::json!({ "migrations": chain, "decisions": adrs });
            // Only the keys that are not what the names give today, so that a
            // project whose names all fit keeps the lock it had; and none for
            // a project from before keys were recorded: the names it uses
            // give its keys back every time (see `key_memory`).
            if !keys.is_empty() && memory.legacy_in_use.is_none() {
                state["keys"] = serde_json::json!(keys);
            }
            state
        },
        files: Default::default(),
    };
    drop(chain);
    let total = files.len();
    match crate::plan::plan(dir, files, lock, old) {
        Ok(plan) => {
            for w in &plan.warnings {
                writeln!(err, "warning: {w}")?;
            }
            Ok(Ok((l, plan, total)))
        }
        Err(e) => {
            writeln!(err, "error: {e}")?;
            Ok(Err(EXIT_UNUSABLE))
        }
    }
}

fn conflict_reason(plan: &Plan) -> String {
    let conflicts: Vec<&crate::plan::Change> = plan
        .changes
        .iter()
        .filter(|c| c.kind == Kind::Conflict)
        .collect();
    let marked: Vec<&str> = conflicts
        .iter()
        .filter(|c| c.beside_file.is_none())
        .map(|c| c.path.as_str())
        .collect();
    let mut todo = Vec::new();
    if !marked.is_empty() {
        todo.push(format!(
            "resolve the `<<<<<<<` markers in {}",
            marked.join(", ")
        ));
    }
    for c in &conflicts {
        if let Some(new) = &c.beside_file {
            todo.push(format!(
                "merge `{new}` into `{}` by hand and delete it (`{}` is not UTF-8 text, so archgen kept it byte for byte and wrote the new version beside it)",
                c.path, c.path
            ));
        }
    }
    format!(
        "error: {} left conflicts; {} and run archgen again",
        plural(conflicts.len(), "hand edit"),
        todo.join("; ")
    )
}

pub fn gen(
    c: &Common,
    p: &PackArg,
    dir: &Path,
    force: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Outcome {
    if let Err(e) = check_out_dir(dir, force) {
        writeln!(err, "error: {e}")?;
        return Ok(EXIT_UNUSABLE);
    }
    let (l, plan, total) = match make_plan(c, p, dir, err)? {
        Ok(x) => x,
        Err(code) => return Ok(code),
    };
    if plan.conflicts() > 0 {
        writeln!(err, "{}", conflict_reason(&plan))?;
    }
    match crate::plan::apply(dir, &plan, false) {
        Ok(written) => {
            writeln!(
                out,
                "archgen: {} from {} into {}: {} written ({}), {} unchanged",
                plural(total, "file"),
                l.path,
                dir.display(),
                written,
                plan.summary(),
                total.saturating_sub(written)
            )?;
            for k in plan.changes.iter().filter(|c| c.kind == Kind::Keep) {
                writeln!(out, "kept (edited, no longer generated): {}", k.path)?;
            }
            Ok(if plan.conflicts() > 0 {
                EXIT_UNUSABLE
            } else {
                EXIT_OK
            })
        }
        Err(e) => {
            writeln!(err, "error: {e}")?;
            Ok(EXIT_UNUSABLE)
        }
    }
}

/// A plan saved for `archgen apply`: everything to write, and what the
/// disk held when it was made.
#[derive(serde::Serialize, serde::Deserialize)]
struct SavedPlan {
    format: String,
    output: String,
    summary: String,
    changes: Vec<SavedChange>,
    bases: std::collections::BTreeMap<String, Option<crate::plan::Text>>,
    lock_text: String,
    journal_text: String,
    lock_changed: bool,
    preconditions: std::collections::BTreeMap<String, Option<String>>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct SavedChange {
    #[serde(flatten)]
    change: crate::plan::Change,
    after: Option<crate::plan::Text>,
    #[serde(default)]
    beside: Option<String>,
    before_exists: bool,
}

const PLAN_FORMAT: &str = "archgen-plan/1";

#[allow(clippy::too_many_arguments)]
pub fn plan(
    c: &Common,
    p: &PackArg,
    dir: &Path,
    json: bool,
    save: Option<&Path>,
    color: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Outcome {
    let (_, plan, _) = match make_plan(c, p, dir, err)? {
        Ok(x) => x,
        Err(code) => return Ok(code),
    };
    if let Some(file) = save {
        let saved = SavedPlan {
            format: PLAN_FORMAT.into(),
            output: dir.display().to_string(),
            summary: plan.summary(),
            changes: plan
                .changes
                .iter()
                .map(|ch| SavedChange {
                    change: ch.clone(),
                    after: ch.after.clone(),
                    beside: ch.beside.clone(),
                    before_exists: ch.before.is_some(),
                })
                .collect(),
            bases: plan.bases.clone(),
            lock_text: plan.lock_text.clone(),
            journal_text: plan.journal_text.clone(),
            lock_changed: plan.lock_changed,
            preconditions: plan.preconditions.clone(),
        };
        let text = serde_json::to_string_pretty(&saved)?;
        if let Err(e) = crate::write::atomic_write(file, text.as_bytes()) {
            writeln!(err, "error: {e}")?;
            return Ok(EXIT_USAGE);
        }
    }
    if json {
        let v = serde_json::json!({
            "summary": plan.summary(),
            "creates": plan.count(Kind::Create),
            "updates": plan.count(Kind::Update) + plan.count(Kind::Merge),
            "deletes": plan.count(Kind::Delete),
            "conflicts": plan.conflicts(),
            "lock_changed": plan.lock_changed,
            "changes": plan.changes,
            "warnings": plan.warnings,
        });
        serde_json::to_writer_pretty(&mut *out, &v)?;
        writeln!(out)?;
        return Ok(EXIT_OK);
    }
    for ch in plan.changes.iter() {
        let text = crate::plan::diff(ch);
        if ch.kind == Kind::Keep {
            writeln!(out, "# kept: {} is edited and no longer generated", ch.path)?;
            continue;
        }
        if let Some(new) = &ch.beside_file {
            writeln!(
                out,
                "# conflict: {} is not UTF-8 text and is kept as it is; the new version goes to {new}",
                ch.path
            )?;
            continue;
        }
        for line in text.lines() {
            writeln!(out, "{}", paint(line, color))?;
        }
    }
    writeln!(out, "{}", plan.summary())?;
    Ok(EXIT_OK)
}

/// ANSI colour for a diff line.
fn paint(line: &str, on: bool) -> String {
    if !on {
        return line.to_owned();
    }
    let code = if line.starts_with("+++") || line.starts_with("---") {
        "1"
    } else if line.starts_with('+') {
        "32"
    } else if line.starts_with('-') {
        "31"
    } else if line.starts_with("@@") {
        "36"
    } else {
        return line.to_owned();
    };
    format!("\x1b[{code}m{line}\x1b[0m")
}

pub fn apply(file: &Path, out: &mut dyn Write, err: &mut dyn Write) -> Outcome {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => {
            writeln!(err, "error: cannot read `{}`: {e}", file.display())?;
            return Ok(EXIT_USAGE);
        }
    };
    let saved: SavedPlan = match serde_json::from_str(&text) {
        Ok(s)
            if serde_json::from_str::<serde_json::Value>(&text)
                .is_ok_and(|v| v["format"] == PLAN_FORMAT) =>
        {
            s
        }
        _ => {
            writeln!(
                err,
                "error: `{}` is not a plan saved by `archgen plan --out`",
                file.display()
            )?;
            return Ok(EXIT_USAGE);
        }
    };
    let plan = Plan {
        changes: saved
            .changes
            .into_iter()
            .map(|s| {
                let mut ch = s.change;
                ch.after = s.after;
                ch.before = s.before_exists.then(Vec::new);
                ch.beside = s.beside;
                ch
            })
            .collect(),
        warnings: vec![],
        lock: Default::default(),
        lock_text: saved.lock_text,
        journal_text: saved.journal_text,
        lock_changed: saved.lock_changed,
        bases: saved.bases,
        preconditions: saved.preconditions,
    };
    let dir = Path::new(&saved.output);
    if plan.conflicts() > 0 {
        writeln!(err, "{}", conflict_reason(&plan))?;
    }
    match crate::plan::apply(dir, &plan, true) {
        Ok(n) => {
            writeln!(
                out,
                "archgen: applied {} to {}: {} files written",
                saved.summary,
                dir.display(),
                n
            )?;
            Ok(if plan.conflicts() > 0 {
                EXIT_UNUSABLE
            } else {
                EXIT_OK
            })
        }
        Err(e) => {
            writeln!(err, "error: {e}")?;
            Ok(EXIT_UNUSABLE)
        }
    }
}

pub fn check(
    c: &Common,
    p: &PackArg,
    dir: &Path,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Outcome {
    if !dir.is_dir() {
        writeln!(err, "error: `{}` is not a folder", dir.display())?;
        return Ok(EXIT_USAGE);
    }
    let mut diag = Vec::new();
    let (_, plan, _) = match make_plan(c, p, dir, &mut diag)? {
        Ok(x) => x,
        Err(code) => {
            err.write_all(&diag)?;
            return Ok(code);
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
        return Ok(EXIT_OK);
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
    Ok(EXIT_UNUSABLE)
}

pub fn explain(
    c: &Common,
    p: &PackArg,
    json: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Outcome {
    let (_, _, ir) = match front(c, p, None, err)? {
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
    if let Err(e) = crate::write::atomic_write(file, STARTER.as_bytes()) {
        writeln!(err, "error: {e}")?;
        return Ok(EXIT_USAGE);
    }
    writeln!(out, "archgen: wrote the starter blueprint {}; open it in Archi with File > Import > Open Exchange File, or run `archgen gen {} -o app/`", file.display(), file.display())?;
    Ok(EXIT_OK)
}
