//! After the last tag: the version the file is in, the exporter that wrote
//! it, and what the model keeps of what was read.

use super::*;

/// Each undeclared prefix is reported once, where it is first used: when two
/// threads each reported one, the later report goes.
pub(super) fn dedupe_prefix_warnings(diags: &mut Vec<Diagnostic>) {
    let mut first: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let at = |d: &Diagnostic| d.span.map_or(usize::MAX, |(o, _)| o);
    for d in diags.iter().filter(|d| d.code == Code::UndeclaredPrefix) {
        let e = first.entry(d.message.clone()).or_insert(at(d));
        *e = (*e).min(at(d));
    }
    diags.retain(|d| d.code != Code::UndeclaredPrefix || first.get(&d.message) == Some(&at(d)));
}

/// Picks the texts in the chosen language, resolves property keys, settles
/// the format version and guesses the exporter.
pub(super) fn finish(m: &mut Model, opts: &ReadOptions) {
    let lang = opts.lang.as_str();
    let pick = |t: &mut Texts| t.take_pick(lang);
    for d in &mut m.property_definitions {
        d.name = pick(&mut d.names);
    }
    let defs: std::collections::HashMap<&str, &str> = m
        .property_definitions
        .iter()
        .filter_map(|d| Some((d.identifier.as_str(), d.name.as_deref()?)))
        .collect();
    let fix_props = |ps: &mut Vec<Property>| {
        for p in ps {
            p.key = defs
                .get(p.property_definition_ref.as_str())
                .map(|s| (*s).to_owned());
            p.value = pick(&mut p.values);
        }
    };
    m.text.name = pick(&mut m.text.names);
    m.text.documentation = pick(&mut m.text.documentations);
    fix_props(&mut m.properties);
    for e in &mut m.elements {
        e.text.name = pick(&mut e.text.names);
        e.text.documentation = pick(&mut e.text.documentations);
        fix_props(&mut e.properties);
        if e.source_type.as_deref() == Some("Junction")
            && e.properties.iter().any(|p| {
                p.key
                    .as_deref()
                    .is_some_and(|k| k.eq_ignore_ascii_case("JunctionType"))
                    && p.value
                        .as_deref()
                        .is_some_and(|v| v.trim().eq_ignore_ascii_case("or"))
            })
        {
            e.kind = ElementType::OrJunction;
        }
    }
    for r in &mut m.relationships {
        r.text.name = pick(&mut r.text.names);
        r.text.documentation = pick(&mut r.text.documentations);
        fix_props(&mut r.properties);
    }
    for o in &mut m.organizations {
        o.label = pick(&mut o.labels);
        o.documentation = pick(&mut o.documentations);
    }
    for v in &mut m.views {
        v.text.name = pick(&mut v.text.names);
        v.text.documentation = pick(&mut v.text.documentations);
        fix_props(&mut v.properties);
        for n in &mut v.nodes {
            n.label = pick(&mut n.labels);
        }
        for c in &mut v.connections {
            c.label = pick(&mut c.labels);
        }
    }
    m.exporter = guess_exporter(m).map(str::to_owned);
}

pub(super) fn guess_exporter(m: &Model) -> Option<&'static str> {
    let ids = || {
        m.elements
            .iter()
            .map(|e| e.identifier.as_str())
            .chain(std::iter::once(m.identifier.as_str()))
    };
    if ids().any(|i| i.starts_with("EAID_") || i.starts_with("EAPK_")) {
        return Some("Sparx Enterprise Architect");
    }
    if m.property_definitions
        .iter()
        .any(|d| d.identifier.starts_with("vp-"))
        || (m.identifier.starts_with("Id-") && m.identifier.len() == 19)
    {
        return Some("Visual Paradigm");
    }
    if m.property_definitions
        .iter()
        .any(|d| d.identifier.starts_with("propid-"))
        || (m.identifier.starts_with("id-") && ids().all(|i| i.starts_with("id-")))
    {
        return Some("Archi");
    }
    None
}

impl State<'_> {
    /// The version: from the namespace, else from the spellings the file uses.
    pub(super) fn settle_version(&mut self) {
        let v = match self.model.format {
            Some(v) => v,
            None if !self.ns3 && self.saw_v21 => FormatVersion::V2_1,
            None if self.saw_v31 || self.schema_location_31 => FormatVersion::V3_1,
            None => FormatVersion::V3_0,
        };
        self.model.format = Some(v);
    }
}
