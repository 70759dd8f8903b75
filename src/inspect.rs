//! Summaries of a model for people (`archgen inspect`).
//!
//! In: a [`Model`]. Out: text.

use crate::model::Model;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The human summary: format, exporter, counts by type, views.
pub fn summary(m: &Model, encoding: &str) -> String {
    let mut s = String::new();
    let name = m.text.name.as_deref().unwrap_or("(unnamed)");
    let _ = writeln!(
        s,
        "model:          {} [{}]",
        one_line(name),
        one_line(&m.identifier)
    );
    let version = m.format.map_or("unknown", |v| v.as_str());
    let ns = m.namespace.as_deref().unwrap_or("(no namespace)");
    let _ = writeln!(
        s,
        "format:         ArchiMate exchange format {version} ({ns})"
    );
    let _ = writeln!(
        s,
        "exporter:       {}",
        m.exporter.as_deref().unwrap_or("unknown")
    );
    let _ = writeln!(s, "encoding:       {encoding}");

    let mut by_type: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for e in &m.elements {
        *by_type
            .entry((e.kind.layer(), e.kind.as_str()))
            .or_default() += 1;
    }
    let _ = writeln!(s, "elements:       {}", m.elements.len());
    for ((layer, ty), n) in &by_type {
        let _ = writeln!(s, "  {:<34}{n:>6}", format!("{ty} ({layer})"));
    }
    let mut rels: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &m.relationships {
        *rels.entry(r.kind.as_str()).or_default() += 1;
    }
    let _ = writeln!(s, "relationships:  {}", m.relationships.len());
    for (ty, n) in &rels {
        let _ = writeln!(s, "  {ty:<34}{n:>6}");
    }
    let props = m.properties.len()
        + m.elements.iter().map(|e| e.properties.len()).sum::<usize>()
        + m.relationships
            .iter()
            .map(|r| r.properties.len())
            .sum::<usize>()
        + m.views.iter().map(|v| v.properties.len()).sum::<usize>();
    let _ = writeln!(
        s,
        "properties:     {props} ({} definitions)",
        m.property_definitions.len()
    );
    let _ = writeln!(s, "organizations:  {} items", m.organizations.len());
    let _ = writeln!(s, "views:          {}", m.views.len());
    for v in &m.views {
        let _ = writeln!(
            s,
            "  {} [{}]: {} nodes, {} connections",
            one_line(v.text.name.as_deref().unwrap_or("(unnamed)")),
            one_line(&v.identifier),
            v.nodes.len(),
            v.connections.len()
        );
    }
    s
}

/// A name on one line, cut to 80 characters, for terminal output.
fn one_line(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(80)
        .collect();
    if s.chars().count() > 80 {
        out.push('…');
    }
    out
}
