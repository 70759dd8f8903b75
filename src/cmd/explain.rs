//! `archgen explain`: the model's elements and what they became.

use super::{front, Input, Outcome};
use std::io::Write;

/// `archgen explain`: what each element of the model became, and why.
pub fn explain(c: &Input, json: bool, out: &mut dyn Write, err: &mut dyn Write) -> Outcome {
    let (_, _, ir) = front(c, None, err)?;
    if json {
        for e in &ir.explanations {
            writeln!(out, "{}", serde_json::to_string(e)?)?;
        }
        return Ok(());
    }
    for e in &ir.explanations {
        let name = crate::naming::truncate(&crate::naming::comment(&e.name), 60);
        writeln!(out, "{} {} [{}]", e.kind, name, e.element)?;
        writeln!(out, "    became: {}", e.became)?;
        writeln!(out, "    why:    {}", e.why)?;
    }
    let elements = ir.explanations.iter().filter(|e| !e.relationship);
    let used = elements.clone().filter(|e| e.became != "nothing").count();
    let total = elements.count();
    writeln!(out, "{used} of {total} elements shape the project")?;
    Ok(())
}
