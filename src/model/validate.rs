//! Checks that need the whole model: unique identifiers, references that
//! resolve, names, property definitions.
//!
//! In: a [`Model`] as read. Out: diagnostics (errors make it unusable).

use super::{Model, Pos, Property};
use crate::diagnostic::{shown, Code, Diagnostic};
use std::collections::HashMap;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Model,
    Element,
    Relationship,
    PropertyDefinition,
    Folder,
    View,
    Node,
    Connection,
}

impl Kind {
    fn noun(self) -> &'static str {
        match self {
            Kind::Model => "the model",
            Kind::Element => "an element",
            Kind::Relationship => "a relationship",
            Kind::PropertyDefinition => "a property definition",
            Kind::Folder => "a folder",
            Kind::View => "a view",
            Kind::Node => "a view node",
            Kind::Connection => "a view connection",
        }
    }
}

/// Runs every whole-model check.
pub fn validate(m: &Model) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let ids = identifiers(m, &mut out);
    let dangling = |out: &mut Vec<Diagnostic>, what: &str, id: &str, pos: Pos, wanted: &str| {
        let found = ids.get(id).map(|(k, _)| *k);
        let msg = match found {
            Some(k) => format!("{what} {} names {}, not {wanted}", shown(id), k.noun()),
            None => format!("{what} {} names nothing in the model", shown(id)),
        };
        out.push(
            Diagnostic::error(Code::DanglingRef, msg)
                .at(pos.offset, id.len())
                .help(format!(
                    "point it at the identifier of {wanted} defined in this file, or remove it"
                )),
        );
    };
    let is = |id: &str, kinds: &[Kind]| ids.get(id).is_some_and(|(k, _)| kinds.contains(k));

    for r in &m.relationships {
        for (end, id, pos) in [
            ("source", &r.source, r.source_pos),
            ("target", &r.target, r.target_pos),
        ] {
            if !is(id, &[Kind::Element, Kind::Relationship]) {
                dangling(
                    &mut out,
                    &format!("the {end} of relationship {}", shown(&r.identifier)),
                    id,
                    pos,
                    "an element or relationship",
                );
            }
        }
    }
    for o in &m.organizations {
        if let Some(r) = &o.identifier_ref {
            if !ids.contains_key(r.as_str()) {
                dangling(
                    &mut out,
                    "the folder entry",
                    r,
                    o.ref_pos,
                    "an element, relationship or view",
                );
            }
        }
    }
    for v in &m.views {
        let local: HashMap<&str, ()> = v
            .nodes
            .iter()
            .map(|n| (n.identifier.as_str(), ()))
            .chain(v.connections.iter().map(|c| (c.identifier.as_str(), ())))
            .collect();
        for n in &v.nodes {
            if let Some(e) = &n.element_ref {
                if !is(e, &[Kind::Element]) {
                    dangling(
                        &mut out,
                        &format!("the elementRef of node {}", shown(&n.identifier)),
                        e,
                        n.ref_pos,
                        "an element",
                    );
                }
            }
            if let Some(r) = &n.view_ref {
                if !is(r, &[Kind::View]) {
                    dangling(
                        &mut out,
                        &format!("the viewRef of node {}", shown(&n.identifier)),
                        r,
                        n.view_ref_pos,
                        "a view",
                    );
                }
            }
        }
        for c in &v.connections {
            if let Some(r) = &c.relationship_ref {
                if !is(r, &[Kind::Relationship]) {
                    dangling(
                        &mut out,
                        &format!("the relationshipRef of connection {}", shown(&c.identifier)),
                        r,
                        c.ref_pos,
                        "a relationship",
                    );
                }
            }
            for (end, id, pos) in [
                ("source", &c.source, c.source_pos),
                ("target", &c.target, c.target_pos),
            ] {
                if !local.contains_key(id.as_str()) {
                    dangling(
                        &mut out,
                        &format!("the {end} of connection {}", shown(&c.identifier)),
                        id,
                        pos,
                        "a node or connection of the same view",
                    );
                }
            }
        }
    }

    for v in &m.views {
        let unplaced = v.nodes.iter().filter(|n| n.x.is_none() || n.y.is_none());
        let count = unplaced.clone().count();
        if let Some(first) = unplaced.clone().next() {
            out.push(
                Diagnostic::new(
                    Code::NoPositions,
                    format!(
                        "{count} of the {} nodes of view {} {} no position (`x`, `y`); archgen draws the view with a layout of its own",
                        v.nodes.len(),
                        shown(v.text.name.as_deref().unwrap_or(&v.identifier)),
                        if count == 1 { "has" } else { "have" }
                    ),
                )
                .at(first.pos.offset, 1)
                .help("export the view with its diagram from the modelling tool; the automatic layout puts the boxes in rows by layer, children inside their parents"),
            );
        }
    }

    let defined = |p: &Property| p.key.is_some();
    let all_props = m
        .properties
        .iter()
        .chain(m.elements.iter().flat_map(|e| &e.properties))
        .chain(m.relationships.iter().flat_map(|r| &r.properties))
        .chain(m.views.iter().flat_map(|v| &v.properties));
    for p in all_props.filter(|p| !defined(p)) {
        let known = m
            .property_definitions
            .iter()
            .any(|d| d.identifier == p.property_definition_ref);
        let msg = if known {
            format!(
                "property definition {} has no name",
                shown(&p.property_definition_ref)
            )
        } else {
            format!(
                "property refers to the undefined property definition {}",
                shown(&p.property_definition_ref)
            )
        };
        out.push(
            Diagnostic::new(Code::UndefinedProperty, msg)
                .at(p.ref_pos.offset, p.property_definition_ref.len())
                .help("define it under <propertyDefinitions> with a <name>; until then the property has no key and archgen ignores it"),
        );
    }

    for e in &m.elements {
        if !e.kind.is_junction() && e.text.name.as_deref().is_none_or(|n| n.trim().is_empty()) {
            out.push(
                Diagnostic::new(
                    Code::EmptyName,
                    format!("{} {} has an empty name", e.kind, shown(&e.identifier)),
                )
                .at(e.pos.offset, 1)
                .help("give it a name: archgen derives identifiers, tables and files from names"),
            );
        }
    }
    out
}

/// Every identifier of the model, reporting duplicates. Each maps to its kind
/// and the line it is defined on: a small value, as the map holds every
/// identifier of the file.
fn identifiers<'m>(m: &'m Model, out: &mut Vec<Diagnostic>) -> HashMap<&'m str, (Kind, u32)> {
    let count = 1
        + m.elements.len()
        + m.relationships.len()
        + m.property_definitions.len()
        + m.organizations.len()
        + m.views
            .iter()
            .map(|v| 1 + v.nodes.len() + v.connections.len())
            .sum::<usize>();
    let mut ids: HashMap<&str, (Kind, u32)> =
        HashMap::with_capacity_and_hasher(count, Default::default());
    let mut add = |id: &'m str, kind: Kind, pos: Pos| match ids.entry(id) {
        std::collections::hash_map::Entry::Occupied(o) => {
            let (k, first_line) = o.get();
            out.push(
                Diagnostic::error(
                    Code::DuplicateId,
                    format!(
                        "identifier {} is used twice: {} at line {} already has it",
                        shown(id),
                        k.noun(),
                        first_line
                    ),
                )
                .at(pos.offset, 1)
                .help("identifiers are unique across the whole file; give this item a new one"),
            );
        }
        std::collections::hash_map::Entry::Vacant(v) => {
            v.insert((kind, pos.line));
        }
    };
    if !m.identifier.is_empty() {
        add(&m.identifier, Kind::Model, m.pos);
    }
    m.elements
        .iter()
        .for_each(|e| add(&e.identifier, Kind::Element, e.pos));
    m.relationships
        .iter()
        .for_each(|r| add(&r.identifier, Kind::Relationship, r.pos));
    m.property_definitions
        .iter()
        .for_each(|d| add(&d.identifier, Kind::PropertyDefinition, d.pos));
    for o in &m.organizations {
        if let Some(i) = &o.identifier {
            add(i, Kind::Folder, o.pos);
        }
    }
    for v in &m.views {
        add(&v.identifier, Kind::View, v.pos);
        v.nodes
            .iter()
            .for_each(|n| add(&n.identifier, Kind::Node, n.pos));
        v.connections
            .iter()
            .for_each(|c| add(&c.identifier, Kind::Connection, c.pos));
    }
    ids
}
