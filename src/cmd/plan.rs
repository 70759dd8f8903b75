//! `archgen plan` (the changes as a diff, optionally saved) and `archgen
//! apply` (a saved plan written).

use super::generate::{conflict_reason, make_plan, settled};
use super::{Failure, Input, Outcome};
use crate::plan::{Kind, Plan};
use std::io::Write;
use std::path::{Path, PathBuf};

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

/// How `archgen plan` shows and keeps what it found.
#[derive(Clone, Debug, Default)]
pub struct PlanOptions {
    /// The changes as one JSON object instead of a diff.
    pub json: bool,
    /// Save the plan there, for `archgen apply`.
    pub save: Option<PathBuf>,
    /// ANSI colours in the diff.
    pub color: bool,
}

/// `archgen plan`: what `gen` would change, as a diff, writing nothing to
/// the output folder.
pub fn plan(
    c: &Input,
    dir: &Path,
    o: &PlanOptions,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Outcome {
    let plan = make_plan(c, dir, false, true, err)?.plan;
    if let Some(file) = &o.save {
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
            return Err(Failure::Usage);
        }
    }
    if o.json {
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
        return Ok(());
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
            writeln!(out, "{}", paint(line, o.color))?;
        }
    }
    writeln!(out, "{}", plan.summary())?;
    Ok(())
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

/// `archgen apply`: writes a plan `archgen plan --out` saved, when the disk
/// still holds what the plan was made against.
pub fn apply(file: &Path, out: &mut dyn Write, err: &mut dyn Write) -> Outcome {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => {
            writeln!(err, "error: cannot read `{}`: {e}", file.display())?;
            return Err(Failure::Usage);
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
            return Err(Failure::Usage);
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
            settled(&plan)
        }
        Err(e) => {
            writeln!(err, "error: {e}")?;
            Err(Failure::Drift)
        }
    }
}
