//! `archgen gen`, and the planning it shares with `plan` and `check`: read
//! the last generation's lock, build the IR with the keys it remembers,
//! render the pack, and plan the changes against the output folder.

use super::{front_with, plural, Failure, Input, Outcome};
use crate::ir::{Ir, KeyMemory};
use crate::load::Loaded;
use crate::pack;
use crate::plan::{Kind, Lock, Mode, Plan};
use crate::write::check_out_dir;
use std::io::Write;
use std::path::Path;

/// The tables and columns the IR describes, with the columns the pack adds
/// (its tenant column, a metric table's own columns), for the lock and for
/// data-loss warnings.
fn schema_of(ir: &Ir, m: &pack::Manifest) -> std::collections::BTreeMap<String, Vec<String>> {
    let mut out = std::collections::BTreeMap::new();
    let tenant = m.tenant_column.iter().cloned();
    for e in &ir.entities {
        let mut cols: Vec<String> = e.fields.iter().map(|f| f.column.clone()).collect();
        if e.tenant {
            cols.extend(tenant.clone());
        }
        cols.sort();
        out.insert(e.table.clone(), cols);
    }
    for mt in &ir.metrics {
        let mut cols: Vec<String> = mt.dimensions.iter().map(|d| d.column.clone()).collect();
        cols.extend(tenant.clone());
        cols.extend(m.metric_columns.iter().cloned());
        cols.sort();
        out.insert(mt.table.clone(), cols);
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
    if let Some(keys) = old.state.part("keys") {
        let recorded = serde_json::from_str(keys).map_err(|e| crate::plan::LockError::Corrupt {
            path: crate::plan::lock_path(dir),
            why: format!(
                "its state `keys` is unreadable: {}",
                crate::plan::without_position(&e)
            ),
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

/// Plans each file as it is rendered. To write (`gen`), the first run holds
/// what is to be written, up to [`HOLD_AT_MOST`], and [`crate::plan::apply`]
/// writes it as before. Past that, it only looks (which files change, and
/// the hashes of their new contents, for the journal); the journal goes to
/// disk and a second run writes each file as soon as it is planned: a large
/// project's files are never all in memory at once, and a template that
/// fails still fails before anything is written.
/// The bytes of new contents `gen` holds before it renders a second time
/// rather than hold more: a project this size renders once.
const HOLD_AT_MOST: usize = 16 << 20;

struct Planning<'a> {
    planner: Option<crate::plan::Planner<'a>>,
    failed: Option<crate::write::WriteError>,
    /// Files rendered by the last run.
    total: usize,
}

impl pack::Sink for Planning<'_> {
    fn file(&mut self, f: pack::RenderedFile) {
        self.total += 1;
        if let (None, Some(p)) = (&self.failed, &mut self.planner) {
            if let Err(e) = p.add(f) {
                self.failed = Some(e);
            }
        }
    }

    fn size_hint(&self, path: &str) -> Option<usize> {
        self.planner.as_ref()?.size_on_disk(path)
    }

    fn again(&mut self) -> bool {
        match self.planner.take() {
            Some(p) if self.failed.is_none() && p.mode() == Mode::Look && p.writes() => {
                match p.start_writing() {
                    Ok(p) => self.planner = Some(p),
                    Err(e) => self.failed = Some(e),
                }
                self.total = 0;
                self.failed.is_none()
            }
            p => {
                self.planner = p;
                false
            }
        }
    }
}

/// A plan, and when it was written as it was made (see [`Planning`]), how
/// many files that wrote or deleted.
pub(super) struct Planned {
    pub loaded: Loaded,
    pub plan: Plan,
    /// Files rendered.
    pub total: usize,
    pub written: Option<usize>,
}

/// Front end, render, and plan against `dir`; with `write` (`gen`), write
/// the files as they are planned (the rest of the plan, if anything, is
/// for [`crate::plan::apply`]). Without `journal` (`check`, which never
/// writes the plan) the plan has no journal, and the previous lock's state
/// is let go once read.
pub(super) fn make_plan(
    c: &Input,
    dir: &Path,
    write: bool,
    journal: bool,
    err: &mut dyn Write,
) -> Result<Planned, Failure> {
    // The last generation's lock: read first for the keys and the records
    // (and to stop before anything else when it is unreadable), then let
    // go while the model is read and the IR built, and read again for the
    // plan once the model is let go: a large project's lock is tens of
    // megabytes, and so is its model.
    let read_state = || -> Result<_, crate::plan::LockError> {
        let (old, sha) = crate::plan::read_lock_hashed(dir)?;
        let old = old.unwrap_or_default();
        crate::plan::state_list::<pack::migrations::Revision>(dir, &old, "migrations")?;
        let recorded_adrs: Vec<pack::records::Record> =
            crate::plan::state_list(dir, &old, "decisions")?;
        let memory = key_memory(dir, &old, &recorded_adrs)?;
        Ok((sha, recorded_adrs, memory))
    };
    let failed = |err: &mut dyn Write, e: crate::plan::LockError| -> Result<Planned, Failure> {
        writeln!(err, "error: {e}")?;
        writeln!(err, "  = help: {}", e.help())?;
        Err(Failure::Usage)
    };
    let (first_read, recorded_adrs, memory) = match read_state() {
        Ok(x) => x,
        Err(e) => return failed(err, e),
    };
    let (mut l, pack, ir) = front_with(c, &memory, None, err)?;
    // The views, drawn, for a pack that writes them.
    let drawings = match &l.model {
        Some(m)
            if pack
                .manifest
                .files
                .iter()
                .any(|r| r.each == Some(pack::Each::View)) =>
        {
            crate::diagram::draw_all(m)
        }
        _ => Vec::new(),
    };
    // The model and its text have done their part once the IR is built:
    // the memory goes to rendering.
    l.model = None;
    l.source = None;
    // Printed already (a large model can have tens of thousands).
    l.diagnostics = Vec::new();
    // The lock again: the same lock, or the plan would mix two.
    let mut old = match crate::plan::read_lock_hashed(dir) {
        Ok((old, sha)) if sha == first_read => old.unwrap_or_default(),
        Ok(_) => return failed(err, crate::plan::LockError::changed(dir)),
        Err(e) => return failed(err, e),
    };
    let recorded: Vec<pack::migrations::Revision> =
        crate::plan::state_list(dir, &old, "migrations").expect("read once already");
    if !journal {
        // Only a journal writes it back.
        old.state = Default::default();
    }
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
    let schema = schema_of(&ir, &pack.manifest);
    // The state is written out before rendering, which takes the chain.
    #[derive(serde::Serialize)]
    struct State<'a, M: serde::Serialize> {
        decisions: serde_json::Value,
        // Only the keys that are not what the names give today, so that a
        // project whose names all fit keeps the lock it had; and none for
        // a project from before keys were recorded: the names it uses give
        // its keys back every time (see `key_memory`).
        #[serde(skip_serializing_if = "Option::is_none")]
        keys: Option<&'a std::collections::BTreeMap<String, String>>,
        migrations: M,
    }
    let state = crate::plan::State::new(&State {
        decisions: serde_json::json!(adrs),
        keys: (!keys.is_empty() && memory.legacy_in_use.is_none()).then_some(&keys),
        migrations: pack::migrations::lock_form(&chain),
    });
    let lock = Lock {
        archgen_version: env!("CARGO_PKG_VERSION").into(),
        pack: pack.manifest.name.clone(),
        pack_version: pack.manifest.version.clone(),
        input_hash,
        schema,
        state,
        files: Default::default(),
    };
    let planner = crate::plan::Planner::new(dir, lock, old);
    let mut planning = Planning {
        planner: Some(if write {
            planner.holding_at_most(HOLD_AT_MOST)
        } else {
            planner
        }),
        failed: None,
        total: 0,
    };
    if let Err(e) = pack::render_each(&pack, ir, chain, &drawings, &mut planning) {
        writeln!(
            err,
            "error: the pack `{}` failed to render: {e}",
            pack.manifest.name
        )?;
        return Err(Failure::Unusable);
    }
    let planner = planning.planner.expect("a planner after rendering");
    let finished = match planning.failed {
        Some(e) => Err(e),
        None if planner.mode() == Mode::Write => {
            planner.finish_writing().map(|(plan, n)| (plan, Some(n)))
        }
        None => planner.finish().map(|plan| (plan, None)),
    };
    match finished {
        Ok((plan, written)) => {
            for w in &plan.warnings {
                writeln!(err, "warning: {w}")?;
            }
            Ok(Planned {
                loaded: l,
                plan,
                total: planning.total,
                written,
            })
        }
        Err(e) => {
            writeln!(err, "error: {e}")?;
            Err(Failure::Unusable)
        }
    }
}

/// How a written plan ends: a failure while conflicts wait for a hand.
pub(super) fn settled(plan: &Plan) -> Outcome {
    if plan.conflicts() > 0 {
        Err(Failure::Drift)
    } else {
        Ok(())
    }
}

pub(super) fn conflict_reason(plan: &Plan) -> String {
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

/// `archgen gen`: writes the project, merging hand edits.
pub fn gen(
    c: &Input,
    dir: &Path,
    force: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Outcome {
    if let Err(e) = check_out_dir(dir, force) {
        writeln!(err, "error: {e}")?;
        return Err(Failure::Unusable);
    }
    let Planned {
        loaded: l,
        plan,
        total,
        written,
    } = make_plan(c, dir, true, true, err)?;
    if plan.conflicts() > 0 {
        writeln!(err, "{}", conflict_reason(&plan))?;
    }
    let written = match written {
        Some(n) => Ok(n),
        None => crate::plan::apply(dir, &plan, false),
    };
    match written {
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
            settled(&plan)
        }
        Err(e) => {
            writeln!(err, "error: {e}")?;
            Err(Failure::Unusable)
        }
    }
}
