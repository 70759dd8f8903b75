//! `archgen inspect`: a summary of the model (or the whole model as JSON),
//! or with `--ir` of what archgen will generate.

use super::{front, load, report, Failure, Input, Outcome};
use std::io::Write;

/// `archgen inspect`: the model, summarised or as JSON.
pub fn inspect(c: &Input, json: bool, out: &mut dyn Write, err: &mut dyn Write) -> Outcome {
    let l = load(c, err)?;
    if !report(&l, c.format, None, err)? {
        return Err(Failure::Unusable);
    }
    let m = l.usable().expect("usable");
    if json {
        serde_json::to_writer_pretty(&mut *out, m)?;
        writeln!(out)?;
    } else {
        let enc = l.source.as_ref().map_or("UTF-8", |s| s.encoding);
        write!(out, "{}", crate::inspect::summary(m, enc))?;
    }
    Ok(())
}

/// `archgen inspect --ir`: the IR, summarised or as JSON.
pub fn inspect_ir(c: &Input, json: bool, out: &mut dyn Write, err: &mut dyn Write) -> Outcome {
    let (_, pack, ir) = front(c, None, err)?;
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
    Ok(())
}
