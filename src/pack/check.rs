//! `archgen pack check`: a pack rendered against probe IRs, in strict mode.
//!
//! In: a loaded [`Pack`]. Out: a [`Report`]: for every probe IR (the
//! example blueprint, every metric kind, hostile names, empty lists, a
//! documentation-only model) how many files the pack renders for it, and
//! every error, each once, with its template, line, column and the item
//! that was being rendered. Nothing is written, nothing is printed.

use super::render::{render_all, RenderError};
use super::Pack;
use crate::model::ReadOptions;
use std::time::Duration;

/// A blueprint built into archgen to render packs against.
#[derive(Debug)]
pub struct Probe {
    /// Its short name in reports.
    pub name: &'static str,
    /// Where it lives in archgen's repository.
    pub path: &'static str,
    /// What it is there to catch.
    pub about: &'static str,
    xml: &'static str,
}

/// A probe from a file of archgen's repository, built into the binary.
macro_rules! probe {
    ($name:literal, $path:literal, $about:literal) => {
        Probe {
            name: $name,
            path: $path,
            about: $about,
            xml: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/", $path)),
        }
    };
}

/// The probe IRs, in the order they are rendered. The first is the
/// example; each of the others is rendered as the regeneration of a
/// project first generated from the example (a second migration, and
/// decisions that supersede the example's), which is the chain a pack
/// meets in use.
pub const PROBES: &[Probe] = &[
    probe!(
        "example",
        "blueprints/saas-dashboard.xml",
        "the example blueprint"
    ),
    probe!(
        "metric-kinds",
        "blueprints/metric-kinds.xml",
        "every metric kind: simple, ratio, rolling, snapshot, churn, cohort, funnel"
    ),
    probe!(
        "regulated",
        "blueprints/regulated.xml",
        "compliance frameworks, retention, personal data"
    ),
    probe!(
        "hostile-names",
        "tests/fixtures/gen/hostile-names.xml",
        "names with quotes, newlines, template syntax, paths and reserved words"
    ),
    probe!(
        "empty",
        "src/pack/probes/empty.xml",
        "an application with nothing in it: every list the blueprint fills is empty"
    ),
    probe!(
        "docs-only",
        "src/pack/probes/docs-only.xml",
        "no application layer: a documentation-only project"
    ),
];

/// Where an error is, in the pack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// The template's path in the pack (`app/models.py.j2`); for an error
    /// in a rule's `path` or `filter`, the rule's template.
    pub template: String,
    /// 1-based; 0 when unknown.
    pub line: usize,
    /// 1-based, in characters; 0 when unknown.
    pub column: usize,
    /// Characters the error spans on that line (at least 1 when known).
    pub width: usize,
    /// The text of that line, for an excerpt.
    pub text: Option<String>,
}

impl Location {
    /// A whole file of the pack, no line in it.
    fn file(template: &str) -> Location {
        Location {
            template: template.to_owned(),
            line: 0,
            column: 0,
            width: 0,
            text: None,
        }
    }
}

/// One error, with every place it occurred.
#[derive(Debug)]
pub struct Problem {
    /// What went wrong (minijinja's words, or archgen's).
    pub message: String,
    pub location: Option<Location>,
    /// What to do about it.
    pub help: &'static str,
    /// The item being rendered when it first occurred (`entity `users``),
    /// when the rule renders one file per item.
    pub item: String,
    /// The probes it occurred with, the first first (none for a template
    /// that does not parse).
    pub probes: Vec<&'static Probe>,
    /// How many files (or items) met it, across the probes.
    pub occurrences: usize,
}

/// What rendering against one probe gave.
#[derive(Debug)]
pub struct ProbeRun {
    pub probe: &'static Probe,
    pub files: usize,
    pub errors: usize,
    pub took: Duration,
}

/// The outcome of [`check`].
#[derive(Debug, Default)]
pub struct Report {
    pub runs: Vec<ProbeRun>,
    pub problems: Vec<Problem>,
}

impl Report {
    /// Every template renders against every probe.
    pub fn passed(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Renders `pack` against every probe IR; see [`Report`].
pub fn check(pack: &Pack) -> Report {
    let mut report = Report::default();
    // Templates that do not parse are reported, then left out: the others
    // are rendered all the same (rules for the ones left out are skipped).
    let (syntax, broken) = syntax_problems(pack);
    report.problems = syntax;
    let pruned;
    let pack = if broken.is_empty() {
        pack
    } else {
        let mut p = pack.clone();
        p.templates.retain(|name, _| !broken.contains(name));
        p.manifest.files.retain(|f| !broken.contains(&f.template));
        pruned = p;
        &pruned
    };
    let mut earlier: Option<(
        Vec<super::migrations::Revision>,
        Vec<super::records::Record>,
    )> = None;
    for probe in PROBES {
        let started = std::time::Instant::now();
        let ir = match probe_ir(pack, probe) {
            Ok(ir) => ir,
            Err(message) => {
                report.problems.push(Problem {
                    message,
                    location: None,
                    help: "the pack's `[[platform]]` entities or `[reserved]` names do not fit this blueprint: make them valid archgen:fields and plain table names",
                    item: String::new(),
                    probes: vec![probe],
                    occurrences: 1,
                });
                continue;
            }
        };
        let (mut ir, drawings) = ir;
        let (recorded, records) = earlier.clone().unwrap_or_default();
        let adrs = super::records::renumber(&mut ir.decisions, &records);
        let chain = super::migrations::chain(recorded, &ir, pack.manifest.schema_level);
        if earlier.is_none() {
            earlier = Some((chain.clone(), adrs));
        }
        let (files, errors) = match render_all(pack, ir, chain, &drawings) {
            Ok(x) => x,
            Err(e) => (Vec::new(), vec![e]),
        };
        report.runs.push(ProbeRun {
            probe,
            files: files.len(),
            errors: errors.len(),
            took: started.elapsed(),
        });
        for e in errors {
            add(&mut report.problems, problem(pack, probe, e));
        }
    }
    report
}

/// The IR of a probe for this pack, as `gen` would build it, and its
/// views drawn.
fn probe_ir(
    pack: &Pack,
    probe: &Probe,
) -> Result<(crate::ir::Ir, Vec<crate::diagram::Drawing>), String> {
    let loaded = crate::load::load_bytes(
        probe.path,
        probe.xml.as_bytes().to_vec(),
        &ReadOptions::default(),
    );
    let Some(model) = loaded.usable() else {
        return Err(format!("the probe `{}` does not load", probe.name));
    };
    let (ir, diags) = crate::ir::build::build(model, &pack.manifest.stack());
    let drawings = crate::diagram::draw_all(model);
    ir.map(|ir| (ir, drawings)).ok_or_else(|| {
        let first = diags
            .iter()
            .find(|d| d.is_error())
            .map(|d| d.message.clone())
            .unwrap_or_default();
        format!(
            "the probe IR `{}` cannot be built for this pack: {first}",
            probe.name
        )
    })
}

/// Adds `p`, or counts it with an earlier problem at the same place.
fn add(problems: &mut Vec<Problem>, p: Problem) {
    match problems
        .iter_mut()
        .find(|q| q.message == p.message && q.location == p.location)
    {
        Some(q) => {
            q.occurrences += 1;
            if !q.probes.iter().any(|x| std::ptr::eq(*x, p.probes[0])) {
                q.probes.push(p.probes[0]);
            }
        }
        None => problems.push(p),
    }
}

/// Every template of the pack that does not parse (rendering stops at the
/// first; a check reports them all), and their names.
fn syntax_problems(pack: &Pack) -> (Vec<Problem>, Vec<String>) {
    let mut out = Vec::new();
    let mut broken = Vec::new();
    for (name, text) in &pack.templates {
        if !(name.ends_with(".j2") || name.ends_with(".jinja")) {
            continue;
        }
        let mut env = minijinja::Environment::new();
        if let Err(e) = env.add_template(name, text) {
            let location = locate(pack, name, e.line(), e.range());
            out.push(Problem {
                message: message_of(e.kind(), e.detail()),
                location,
                help: help_for(e.kind()),
                item: String::new(),
                probes: Vec::new(),
                occurrences: 1,
            });
            broken.push(name.clone());
        }
    }
    (out, broken)
}

fn message_of(kind: minijinja::ErrorKind, detail: Option<&str>) -> String {
    match detail {
        Some(d) => format!("{kind}: {d}"),
        None => kind.to_string(),
    }
}

fn problem(pack: &Pack, probe: &'static Probe, e: RenderError) -> Problem {
    let (message, location, help, item) = match &e {
        RenderError::Template {
            template,
            line,
            detail,
            item,
            kind,
            range,
        } => {
            let line: Option<usize> = line.trim().strip_prefix("line ").and_then(|l| l.parse().ok());
            // An error in a rule's `path` or `filter` names the rule's
            // template, which of the two, and the expression.
            let rule_part = ["path", "filter"].into_iter().find_map(|part| {
                let (name, rest) = template.split_once(&format!(" ({part} `"))?;
                Some((name, part, rest.strip_suffix("`)")?))
            });
            let (location, detail) = match rule_part {
                Some((name, part, expr)) => (
                    None,
                    format!("in the `{part}` `{expr}` of the file rule for `{name}`: {detail}"),
                ),
                None => (locate(pack, template, line, range.clone()), detail.clone()),
            };
            (detail, location, help_for(*kind), item.clone())
        }
        RenderError::BadPath { template, item, .. } => (
            strip_item(&e.to_string(), item),
            Some(Location::file(template)),
            "build output paths from keys (`{{ entity.key }}`), which are safe names, or pass names through the `path_segment` filter",
            item.clone(),
        ),
        RenderError::Duplicate(_) => (
            e.to_string(),
            None,
            "make the `path` of each file rule differ, for example by the key of the item it renders (`each`)",
            String::new(),
        ),
        RenderError::MissingTemplate { template, .. } => (
            e.to_string(),
            Some(Location::file(template)),
            "add the file to the pack folder, or correct `template =` in the file rule",
            String::new(),
        ),
    };
    Problem {
        message,
        location,
        help,
        item: item
            .trim()
            .trim_start_matches("(rendering ")
            .trim_end_matches(')')
            .to_owned(),
        probes: vec![probe],
        occurrences: 1,
    }
}

fn strip_item(message: &str, item: &str) -> String {
    message.strip_suffix(item).unwrap_or(message).to_owned()
}

/// Line, column and excerpt of a byte range (or a line) in a template.
fn locate(
    pack: &Pack,
    template: &str,
    line: Option<usize>,
    range: Option<std::ops::Range<usize>>,
) -> Option<Location> {
    let text = pack.templates.get(template)?;
    let mut loc = Location {
        template: template.to_owned(),
        line: line.unwrap_or(0),
        column: 0,
        width: 0,
        text: None,
    };
    if let Some(r) = range.filter(|r| r.start <= text.len() && text.is_char_boundary(r.start)) {
        let line_start = text[..r.start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[r.start..]
            .find('\n')
            .map_or(text.len(), |i| r.start + i);
        loc.line = text[..r.start].matches('\n').count() + 1;
        loc.column = text[line_start..r.start].chars().count() + 1;
        let end = r.end.clamp(r.start, line_end);
        let end = (end..=line_end)
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(line_end);
        loc.width = text[r.start..end].chars().count().max(1);
        loc.text = Some(text[line_start..line_end].to_owned());
    } else if loc.line > 0 {
        loc.text = text.lines().nth(loc.line - 1).map(str::to_owned);
    }
    Some(loc)
}

fn help_for(kind: minijinja::ErrorKind) -> &'static str {
    use minijinja::ErrorKind as K;
    match kind {
        K::UndefinedError => "the template reads a value this IR does not have: docs/ir.schema.json and docs/pack-authoring.md say what each variable holds; test a value that may be missing with `is defined` or `is none`",
        K::SyntaxError => "fix the template's syntax (minijinja, close to Jinja2; see docs/pack-authoring.md)",
        K::TemplateNotFound => "add the file to the pack, or correct the name given to `include`, `import`, `extends` or `pack_file`",
        K::UnknownFilter | K::UnknownFunction | K::UnknownTest | K::UnknownMethod => "use a filter, function, test or method that docs/pack-authoring.md lists",
        _ => "the operation does not fit the values this probe IR gives; see them with `archgen inspect --ir --json` on the probe's blueprint",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_pack_renders_every_probe() {
        let pack = Pack::builtin("python-fastapi").unwrap();
        let report = check(&pack);
        assert!(report.passed(), "{:#?}", report.problems);
        assert_eq!(report.runs.len(), PROBES.len());
        assert!(report.runs.iter().all(|r| r.files > 0));
    }

    #[test]
    fn an_error_is_reported_once_with_its_place() {
        let mut pack = Pack::builtin("python-fastapi").unwrap();
        let name = pack.manifest.files[0].template.clone();
        pack.templates
            .insert(name.clone(), "first\n  {{ ir.project.nope }}\n".into());
        let report = check(&pack);
        let p = &report.problems[0];
        let loc = p.location.as_ref().unwrap();
        assert_eq!((loc.template.as_str(), loc.line), (name.as_str(), 2));
        // minijinja points at the attribute look-up: the caret ends on `nope`.
        let text: Vec<char> = loc.text.as_deref().unwrap().chars().collect();
        let marked: String = text[loc.column - 1..loc.column - 1 + loc.width]
            .iter()
            .collect();
        assert!(marked.ends_with(".nope"), "{marked:?}");
        assert_eq!(p.message, "undefined value");
        assert_eq!(
            report
                .problems
                .iter()
                .filter(|q| q.location == p.location)
                .count(),
            1
        );
    }
}
