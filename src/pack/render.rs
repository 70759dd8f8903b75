//! Rendering: IR + pack → files in memory.
//!
//! Undefined values are errors (strict), and an error names the template,
//! its line and the IR item being rendered. Output paths are templates too;
//! every rendered path is checked to stay inside the project.

use super::manifest::Each;
use super::migrations::{Op, RenderRevision, Table};
use super::{Lifecycle, Pack};
use crate::diagram::Drawing;
use crate::ir::Ir;
use crate::naming;
use minijinja::{Environment, UndefinedBehavior, Value};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

/// One file of the generated project.
#[derive(Clone, Debug, Serialize)]
pub struct RenderedFile {
    /// Relative path with `/` separators.
    pub path: String,
    pub content: String,
    pub lifecycle: Lifecycle,
    pub template: String,
    /// Identifiers of the model elements the file came from.
    pub from: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("template `{template}`{line}: {detail}{item}")]
    Template {
        template: String,
        line: String,
        detail: String,
        item: String,
        /// What went wrong, as minijinja says.
        kind: minijinja::ErrorKind,
        /// Where in the template (`template`), in bytes, when known.
        range: Option<std::ops::Range<usize>>,
    },
    #[error("template `{template}` renders the path {path:?}, which would leave the project folder or is not a plain relative path{item}")]
    BadPath {
        template: String,
        path: String,
        item: String,
    },
    #[error("two file rules write `{0}`")]
    Duplicate(String),
    #[error("pack `{pack}` has no template `{template}`")]
    MissingTemplate { pack: String, template: String },
}

/// Where a control anchor (`archgen:control <name>`) was written.
#[derive(Clone, Debug, Serialize)]
struct Anchor {
    path: String,
    line: usize,
}

/// Renders every file of `pack` for `ir`, in path order. `chain` is the
/// migration chain (see [`super::migrations::chain`]); `drawings` are the
/// model's views, drawn (see [`crate::diagram`]), for rules with
/// `each = "view"`. The IR is taken: once the templates' view of it is
/// made, the explanations (which only templates read, and which are as
/// many as the model's elements) are let go rather than held twice.
///
/// Rules render in their order, except that `each = "view"` rules come
/// last: a view's drawing links each element's box to the files the other
/// rules made from that element.
pub fn render(
    pack: &Pack,
    ir: Ir,
    chain: Vec<super::migrations::Revision>,
    drawings: &[Drawing],
) -> Result<Vec<RenderedFile>, RenderError> {
    let mut files = BTreeMap::new();
    render_with(pack, ir, chain, drawings, None, &mut files)?;
    Ok(files.into_values().collect())
}

/// Where [`render_each`] puts the files it renders.
pub trait Sink {
    /// One rendered file (in rule order, not path order).
    fn file(&mut self, f: RenderedFile);
    /// Every file has been given: whether to render the whole project once
    /// more, from the same template values (for a caller that must see
    /// every file before it writes the first, and would rather render twice
    /// than hold them all).
    fn again(&mut self) -> bool {
        false
    }
    /// About how many bytes the file at `path` will hold (say, its size on
    /// disk from the last generation), so that its text is allocated once
    /// instead of grown by doubling, each step a copy: a 26 MB file grown
    /// so needs 48 MB for a moment.
    fn size_hint(&self, _path: &str) -> Option<usize> {
        None
    }
}

/// Files in path order.
impl Sink for BTreeMap<String, RenderedFile> {
    fn file(&mut self, f: RenderedFile) {
        self.insert(f.path.clone(), f);
    }
}

/// [`render`] that hands each file to `sink` as soon as it is rendered
/// instead of holding them all: a large project's files need not all be in
/// memory at once.
pub fn render_each(
    pack: &Pack,
    ir: Ir,
    chain: Vec<super::migrations::Revision>,
    drawings: &[Drawing],
    sink: &mut dyn Sink,
) -> Result<(), RenderError> {
    render_with(pack, ir, chain, drawings, None, sink)
}

/// [`render`] that goes on past a file (or an item) that fails, for
/// `archgen pack check`: the files that render, and every error in rule
/// order. Only an error no file can render past (a template that does not
/// parse) comes back as `Err`.
pub fn render_all(
    pack: &Pack,
    ir: Ir,
    chain: Vec<super::migrations::Revision>,
    drawings: &[Drawing],
) -> Result<(Vec<RenderedFile>, Vec<RenderError>), RenderError> {
    let mut errors = Vec::new();
    let mut files = BTreeMap::new();
    render_with(pack, ir, chain, drawings, Some(&mut errors), &mut files)?;
    Ok((files.into_values().collect(), errors))
}

/// Renders into `sink` (again while it asks); with `errors`, records an
/// error there and goes on with the next file instead of returning it.
fn render_with(
    pack: &Pack,
    mut ir: Ir,
    chain: Vec<super::migrations::Revision>,
    drawings: &[Drawing],
    mut errors: Option<&mut Vec<RenderError>>,
    sink: &mut dyn Sink,
) -> Result<(), RenderError> {
    macro_rules! attempt {
        ($e:expr) => {
            match $e {
                Ok(v) => v,
                Err(e) => match errors.as_deref_mut() {
                    Some(errors) => {
                        errors.push(e);
                        continue;
                    }
                    None => return Err(e),
                },
            }
        };
    }
    let anchors: Arc<Mutex<BTreeMap<String, Anchor>>> = Arc::default();
    let tests: Arc<Mutex<Vec<String>>> = Arc::default();
    let mut env = environment(pack, &anchors, &tests)?;
    // The chain first, and let go once templates have their view of it:
    // with the IR's, the largest values rendering holds.
    let migrations = super::migrations::for_render(chain);
    // `schema.revision`: the head of the migration chain.
    let schema = serde_json::json!({ "revision": migrations.last().map(|m| m.revision.as_str()) });
    let labels: Vec<String> = migrations.iter().map(|m| m.revision.clone()).collect();
    // Templates see the chain as values; the structs are not needed again.
    let migrations_value = migration_values(migrations);
    // The explanations, one per element of the model, are read by few
    // templates: they become values only as those read them.
    let explanations = Arc::new(std::mem::take(&mut ir.explanations));
    let ir_value = Value::from_serialize(&ir);
    let ir_value = with_attr(
        &ir_value,
        "explanations",
        Value::from_object(super::values::Items(Arc::clone(&explanations))),
    );
    let became: HashMap<&str, &str> = explanations
        .iter()
        .map(|e| (e.element.as_str(), e.became.as_str()))
        .collect();
    add_ir_functions(&mut env, &ir, &ir_value);
    // What rendering still needs of the IR's structs: which rules hold, the
    // label and provenance of each item, the views. The rest goes: the
    // templates have their values of it.
    let holds: Vec<bool> = pack
        .manifest
        .files
        .iter()
        .map(|r| r.when.holds(&ir))
        .collect();
    let mut labelled: HashMap<&str, Vec<(String, Vec<String>)>> = HashMap::new();
    for kind in pack.manifest.files.iter().filter_map(|r| r.each) {
        labelled
            .entry(kind.as_str())
            .or_insert_with(|| labels_of(&ir, kind));
    }
    let views = std::mem::take(&mut ir.views);
    drop(ir);
    let base = |item_name: Option<&str>, item: Option<Value>| {
        let mut ctx: BTreeMap<&str, Value> = BTreeMap::new();
        ctx.insert("ir", ir_value.clone());
        ctx.insert(
            "pack",
            Value::from_serialize(
                serde_json::json!({"name": pack.manifest.name, "version": pack.manifest.version}),
            ),
        );
        ctx.insert(
            "archgen",
            Value::from_serialize(serde_json::json!({"version": env!("CARGO_PKG_VERSION")})),
        );
        ctx.insert("schema", Value::from_serialize(&schema));
        ctx.insert("migrations", migrations_value.clone());
        if let (Some(n), Some(v)) = (item_name, item) {
            ctx.insert(n, v);
        }
        Value::from_serialize(&ctx)
    };

    let drawing_of: HashMap<&str, &Drawing> =
        drawings.iter().map(|d| (d.view.as_str(), d)).collect();

    // What a view's drawing links to is only needed when the pack draws
    // views and the model has some.
    let draws = !views.is_empty()
        && pack
            .manifest
            .files
            .iter()
            .any(|r| r.each == Some(Each::View));
    loop {
        // Each run starts afresh: no anchor, test or file is known yet.
        anchors.lock().expect("anchors").clear();
        tests.lock().expect("tests").clear();
        let mut paths: std::collections::HashSet<String> = Default::default();
        let mut made = MadeFrom::default();
        let mut links: Option<ProjectLinks> = None;
        for views_pass in [false, true] {
            for (rule, holds) in pack.manifest.files.iter().zip(&holds) {
                if (rule.each == Some(Each::View)) != views_pass || !holds {
                    continue;
                }
                if !pack.templates.contains_key(&rule.template) {
                    attempt!(Err(RenderError::MissingTemplate {
                        pack: pack.manifest.name.clone(),
                        template: rule.template.clone(),
                    }));
                }
                if views_pass && links.is_none() {
                    links = Some(ProjectLinks::new(
                        std::mem::take(&mut made),
                        &became,
                        &views,
                    ));
                }
                let items: Vec<(Option<Value>, String, Vec<String>)> = match rule.each {
                    None => vec![(None, String::new(), vec![])],
                    Some(Each::Migration) => values_of(&migrations_value)
                        .zip(&labels)
                        .map(|(v, label)| (Some(v), label.clone(), vec![]))
                        .collect(),
                    Some(kind) => items_of(&ir_value, kind, &labelled[kind.as_str()]),
                };
                for (index, (item, label, from)) in items.into_iter().enumerate() {
                    let mut ctx = base(rule.each.map(Each::as_str), item.clone());
                    let item_note = if label.is_empty() {
                        String::new()
                    } else {
                        format!(
                            " (rendering {} `{label}`)",
                            rule.each.map_or("", Each::as_str)
                        )
                    };
                    let fail = |what: &str, e: &minijinja::Error| {
                        template_error(&format!("{} ({what})", rule.template), e, &item_note)
                    };
                    if let Some(f) = &rule.filter {
                        let what = format!("filter `{f}`");
                        let expr = attempt!(env.compile_expression(f).map_err(|e| fail(&what, &e)));
                        let keep = attempt!(expr.eval(&ctx).map_err(|e| fail(&what, &e)));
                        if !keep.is_true() {
                            continue;
                        }
                    }
                    let path = attempt!(env
                        .render_str(&rule.path, &ctx)
                        .map_err(|e| fail(&format!("path `{}`", rule.path), &e)));
                    let path = attempt!(check_path(&path).ok_or_else(|| RenderError::BadPath {
                        template: rule.template.clone(),
                        path: path.clone(),
                        item: item_note.clone(),
                    }));
                    if let (true, Some(links), Some(item)) = (views_pass, &links, item) {
                        // The drawing, its links relative to where it goes.
                        let view = &views[index];
                        let svg = drawing_of
                            .get(view.identifier.as_str())
                            .map_or_else(String::new, |d| {
                                crate::diagram::svg(d, &links.from(&path))
                            });
                        ctx = base(
                            rule.each.map(Each::as_str),
                            Some(with_attr(&item, "svg", Value::from(svg))),
                        );
                    }
                    let content = if rule.verbatim {
                        pack.templates[&rule.template].clone()
                    } else {
                        let t = attempt!(env
                            .get_template(&rule.template)
                            .map_err(|e| template_error(&rule.template, &e, &item_note)));
                        // Room for a little growth past the hint: a file
                        // that outgrows its room is copied once.
                        let room = sink.size_hint(&path).map_or(0, |n| n + n / 64 + 4096);
                        let mut bytes = Vec::with_capacity(room);
                        attempt!(t
                            .render_captured_to(&ctx, &mut bytes)
                            .map_err(|e| template_error(&rule.template, &e, &item_note)));
                        let mut s = String::from_utf8(bytes).expect("templates write text");
                        if !s.ends_with('\n') && !s.is_empty() {
                            s.push('\n');
                        }
                        // A file may be held until the plan is written: without
                        // the room the string grew into.
                        s.shrink_to_fit();
                        s
                    };
                    record_anchors(&anchors, &tests, &pack.manifest.tests, &path, &content);
                    if paths.contains(&path) {
                        attempt!(Err(RenderError::Duplicate(path.clone())));
                    }
                    let mut from = from;
                    if let Some(f) = &rule.from {
                        let what = format!("from `{f}`");
                        from.extend(attempt!(
                            provenance(&env, f, &ctx).map_err(|e| fail(&what, &e))
                        ));
                    }
                    from.sort();
                    from.dedup();
                    let file = RenderedFile {
                        path: path.clone(),
                        content,
                        lifecycle: rule.lifecycle,
                        template: rule.template.clone(),
                        from,
                    };
                    if draws && !views_pass {
                        made.note(&file);
                    }
                    paths.insert(path);
                    sink.file(file);
                }
            }
        }
        if !sink.again() {
            return Ok(());
        }
    }
}

/// The files rendered so far that each element went into: (how many
/// elements the file came from, its path, whether it holds the element's
/// anchor).
#[derive(Default)]
struct MadeFrom(HashMap<String, Vec<(usize, Arc<str>, bool)>>);

impl MadeFrom {
    fn note(&mut self, f: &RenderedFile) {
        let anchors = Anchors::of(&f.content);
        // One copy of the path for every element the file came from.
        let path: Arc<str> = Arc::from(f.path.as_str());
        for id in &f.from {
            let anchored = anchors.contains(&naming::element_anchor(id));
            let made = match self.0.get_mut(id.as_str()) {
                Some(made) => made,
                None => self.0.entry(id.clone()).or_default(),
            };
            made.push((f.from.len(), Arc::clone(&path), anchored));
        }
    }
}

/// The element anchors a file holds, found in one pass over its text: a file
/// made from every element of the model (ARCHITECTURE.adoc, say) would
/// otherwise be searched once per element, a cost that grows with the
/// square of the model.
struct Anchors<'a>(Vec<&'a str>);

impl<'a> Anchors<'a> {
    /// Every run of anchor characters that starts with `element-`.
    fn of(text: &'a str) -> Self {
        let plain = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.');
        let mut runs: Vec<&str> = text
            .match_indices("element-")
            .map(|(at, _)| {
                let len = text.as_bytes()[at..]
                    .iter()
                    .take_while(|&&b| plain(b))
                    .count();
                &text[at..at + len]
            })
            .collect();
        runs.sort_unstable();
        runs.dedup();
        Anchors(runs)
    }

    /// Whether the text holds `anchor` (anchor characters only), as
    /// `str::contains` would say: it is the start of one of the runs.
    fn contains(&self, anchor: &str) -> bool {
        let i = self.0.partition_point(|run| *run < anchor);
        self.0.get(i).is_some_and(|run| run.starts_with(anchor))
    }
}

/// The element identifiers a rule's `from` expression gives: strings, in
/// lists nested up to three deep.
fn provenance(
    env: &Environment<'_>,
    expr: &str,
    ctx: &Value,
) -> Result<Vec<String>, minijinja::Error> {
    let value = env.compile_expression(expr)?.eval(ctx)?;
    let mut out = Vec::new();
    let mut stack = vec![(value, 0usize)];
    while let Some((v, depth)) = stack.pop() {
        if let Some(s) = v.as_str() {
            out.push(s.to_owned());
        } else if v.is_none() || v.is_undefined() {
        } else if depth < 3 && v.try_iter().is_ok() && v.kind() == minijinja::value::ValueKind::Seq
        {
            let items: Vec<Value> = values_of(&v).collect();
            stack.extend(items.into_iter().rev().map(|x| (x, depth + 1)));
        } else {
            return Err(minijinja::Error::new(
                minijinja::ErrorKind::InvalidOperation,
                format!("`from` gives {v}, not a list of element identifiers"),
            ));
        }
    }
    Ok(out)
}

/// Where the boxes of a drawn view lead in the project: each element to
/// the most specific file made from it (the one made from the fewest
/// elements; at the element's anchor when the file has one, see
/// [`naming::element_anchor`]), with what it became and the files it went
/// into as the tooltip.
struct ProjectLinks<'a> {
    /// Element → the files made from it, most specific first.
    files: HashMap<String, Vec<(Arc<str>, bool)>>,
    became: &'a HashMap<&'a str, &'a str>,
    /// View → its drawing's file name.
    views: HashMap<String, String>,
}

/// How many files a tooltip lists.
const LISTED_FILES: usize = 6;

impl<'a> ProjectLinks<'a> {
    fn new(
        made: MadeFrom,
        became: &'a HashMap<&'a str, &'a str>,
        views: &[crate::ir::views::View],
    ) -> Self {
        ProjectLinks {
            files: made
                .0
                .into_iter()
                .map(|(id, mut v)| {
                    v.sort();
                    (id, v.into_iter().map(|(_, p, a)| (p, a)).collect())
                })
                .collect(),
            became,
            views: views
                .iter()
                .map(|v| (v.identifier.clone(), v.file.clone()))
                .collect(),
        }
    }

    /// The links of a drawing written to `path`.
    fn from<'b>(&'b self, path: &str) -> RelativeLinks<'b, 'a> {
        let depth = path.matches('/').count();
        RelativeLinks {
            links: self,
            up: "../".repeat(depth),
        }
    }
}

struct RelativeLinks<'b, 'a> {
    links: &'b ProjectLinks<'a>,
    /// From the drawing's folder to the project's.
    up: String,
}

impl crate::diagram::Links for RelativeLinks<'_, '_> {
    fn element(&self, id: &str) -> Option<crate::diagram::Link> {
        let files = self.links.files.get(id);
        let became = self.links.became.get(id);
        let (first, anchored) = files?.first()?;
        let mut href = format!("{}{first}", self.up);
        if *anchored {
            href.push('#');
            href.push_str(&naming::element_anchor(id));
        }
        let mut title = String::new();
        if let Some(b) = became {
            title.push_str(&format!("became: {b}"));
        }
        let files = files.map_or(&[][..], Vec::as_slice);
        let listed: Vec<&str> = files.iter().take(LISTED_FILES).map(|(p, _)| &**p).collect();
        if !listed.is_empty() {
            if !title.is_empty() {
                title.push('\n');
            }
            title.push_str(&format!("files: {}", listed.join(", ")));
            if files.len() > LISTED_FILES {
                title.push_str(&format!(" and {} more", files.len() - LISTED_FILES));
            }
        }
        Some(crate::diagram::Link { href, title })
    }

    /// Every view's drawing goes to the same folder, by its file name.
    fn view(&self, id: &str) -> Option<String> {
        self.links.views.get(id).cloned()
    }
}

/// The migration chain as templates see it, each table's value made once:
/// a table that is the same in several revisions, or in a revision's
/// `tables` and its `create_table` operation, is one shared value, so a
/// long chain of a large schema holds its tables once, not once per
/// revision and operation (nor, even for a moment, twice).
fn migration_values(migrations: Vec<RenderRevision>) -> Value {
    let mut shared: HashMap<String, Value> = HashMap::new();
    let mut json = super::values::Json::default();
    let mut value_of = |t: &Table| {
        shared
            .entry(super::json_digest(t))
            .or_insert_with(|| table_value(&mut json, t))
            .clone()
    };
    let revisions: Vec<Value> = migrations
        .into_iter()
        .map(|mut r| {
            let tables: Vec<Value> = std::mem::take(&mut r.tables)
                .iter()
                .map(&mut value_of)
                .collect();
            let ops: Vec<Value> = std::mem::take(&mut r.ops)
                .into_iter()
                .map(|op| match op {
                    Op::CreateTable { table } => {
                        let shared = value_of(&table);
                        let shell = Op::CreateTable {
                            table: Table {
                                fields: Default::default(),
                                item: Default::default(),
                                ..table
                            },
                        };
                        with_attr(&Value::from_serialize(&shell), "table", shared)
                    }
                    op => Value::from_serialize(&op),
                })
                .collect();
            let v = with_attr(&Value::from_serialize(&r), "tables", Value::from(tables));
            with_attr(&v, "ops", Value::from(ops))
        })
        .collect();
    Value::from(revisions)
}

/// A table of the chain as a template value: what `Value::from_serialize`
/// gives, with its JSON parts held compactly (see [`super::values::Json`]).
fn table_value(json: &mut super::values::Json, t: &Table) -> Value {
    /// [`Table`], its fields in the same order, with values made already
    /// (minijinja takes a value inside a serialised struct as it is).
    #[derive(Serialize)]
    struct Shell<'a> {
        table: &'a str,
        kind: &'a str,
        tenant: bool,
        item: Value,
        fields: Value,
    }
    let Table {
        table,
        kind,
        tenant,
        item,
        fields,
    } = t;
    Value::from_serialize(Shell {
        table,
        kind,
        tenant: *tenant,
        item: json.value(item),
        fields: Value::from(fields.iter().map(|f| json.value(f)).collect::<Vec<_>>()),
    })
}

/// A map value like `map` with `key` set to `value`.
fn with_attr(map: &Value, key: &str, value: Value) -> Value {
    let mut out: BTreeMap<String, Value> = BTreeMap::new();
    for k in values_of(map) {
        let v = map.get_item(&k).unwrap_or_default();
        out.insert(k.to_string(), v);
    }
    out.insert(key.to_owned(), value);
    Value::from_serialize(&out)
}

/// The items of a list value (none when it is not a list).
fn values_of(list: &Value) -> impl Iterator<Item = Value> {
    list.try_iter().into_iter().flatten()
}

/// An IR item a file rule can render one file per: its key labels it,
/// its provenance goes with the file.
trait Item {
    fn label(&self) -> String;
    fn provenance(&self) -> Vec<String>;
}

macro_rules! items {
    ($($t:ty),*) => {$(
        impl Item for $t {
            fn label(&self) -> String {
                self.key.clone()
            }
            fn provenance(&self) -> Vec<String> {
                self.from.clone()
            }
        }
    )*};
}
items!(
    crate::ir::Entity,
    crate::ir::Metric,
    crate::ir::Service,
    crate::ir::Job,
    crate::ir::Decision,
    crate::ir::Compliance,
    crate::ir::Component,
    crate::ir::views::View
);

/// The label and provenance of each item of an IR list.
fn labels_of(ir: &Ir, kind: Each) -> Vec<(String, Vec<String>)> {
    fn each<T: Item>(items: &[T]) -> Vec<(String, Vec<String>)> {
        items.iter().map(|x| (x.label(), x.provenance())).collect()
    }
    match kind {
        Each::Entity => each(&ir.entities),
        Each::Metric => each(&ir.metrics),
        Each::Service => each(&ir.services),
        Each::Job => each(&ir.jobs),
        Each::Decision => each(&ir.decisions),
        Each::Compliance => each(&ir.compliance),
        Each::Component => each(&ir.components),
        Each::View => each(&ir.views),
        Each::Migration => vec![],
    }
}

/// The items of an IR list, each with its label and provenance (see
/// [`labels_of`]). The values are those of `ir_value`, the IR as templates
/// see it: shared, not serialised again for every file rule.
fn items_of(
    ir_value: &Value,
    kind: Each,
    labels: &[(String, Vec<String>)],
) -> Vec<(Option<Value>, String, Vec<String>)> {
    let list = match kind {
        Each::Entity => "entities",
        Each::Metric => "metrics",
        Each::Service => "services",
        Each::Job => "jobs",
        Each::Decision => "decisions",
        Each::Compliance => "compliance",
        Each::Component => "components",
        Each::View => "views",
        Each::Migration => return vec![],
    };
    let values = ir_value.get_attr(list).unwrap_or_default();
    labels
        .iter()
        .zip(values_of(&values))
        .map(|((label, from), value)| (Some(value), label.clone(), from.clone()))
        .collect()
}

/// A relative path whose every segment is a plain name: no `..`, no
/// absolute path, no empty segment, no backslash, at most 255 bytes each.
fn check_path(p: &str) -> Option<String> {
    let p = p.trim();
    if p.is_empty() || p.starts_with('/') || p.contains('\\') || p.contains('\0') {
        return None;
    }
    for seg in p.split('/') {
        if seg.is_empty()
            || seg == "."
            || seg == ".."
            || seg.len() > 255
            || seg.chars().any(char::is_control)
        {
            return None;
        }
    }
    Some(p.to_owned())
}

fn record_anchors(
    anchors: &Mutex<BTreeMap<String, Anchor>>,
    tests: &Mutex<Vec<String>>,
    found: &super::manifest::TestsToml,
    path: &str,
    content: &str,
) {
    let mut a = anchors.lock().expect("anchors");
    let mut t = tests.lock().expect("tests");
    for (i, line) in content.lines().enumerate() {
        if let Some(rest) = line.split("archgen:control ").nth(1) {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
                .collect();
            if !name.is_empty() {
                a.entry(name).or_insert(Anchor {
                    path: path.to_owned(),
                    line: i + 1,
                });
            }
        }
        let l = line.trim_start();
        let in_tests = found
            .dirs
            .iter()
            .any(|d| path.starts_with(d.as_str()) || path.contains(&format!("/{d}")));
        if in_tests {
            if let Some((start, rest)) = found
                .starts
                .iter()
                .find_map(|s| l.strip_prefix(s.as_str()).map(|r| (s, r)))
            {
                // The start's last word is the name's beginning (`test_`).
                let head = start.rsplit(' ').next().unwrap_or_default();
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                t.push(format!("{path}::{head}{name}"));
            }
        }
    }
}

fn template_error(template: &str, e: &minijinja::Error, item: &str) -> RenderError {
    let line = e.line().map(|l| format!(" line {l}")).unwrap_or_default();
    // A rule's `path` or `filter` is no named template (minijinja calls it
    // `<string>` or `<expression>`): the rule's template and the part say
    // where it is.
    let name = e
        .name()
        .filter(|n| !n.starts_with('<'))
        .map_or_else(|| template.to_owned(), str::to_owned);
    let mut detail = e.kind().to_string();
    if let Some(d) = e.detail() {
        detail = format!("{detail}: {d}");
    }
    RenderError::Template {
        template: name,
        line,
        detail,
        item: item.to_owned(),
        kind: e.kind(),
        range: e.range(),
    }
}

/// `archimate_layers()`: the element families (strategy, business, …) as
/// `{key, title, types}`, for a template that groups elements by layer.
fn archimate_layers() -> Value {
    let layers: Vec<serde_json::Value> = crate::model::types::LAYERS
        .iter()
        .map(|(key, title, layers)| {
            serde_json::json!({
                "key": key,
                "title": title,
                "types": crate::model::types::layer_types(layers),
            })
        })
        .collect();
    Value::from_serialize(layers)
}

/// `combines_from_days(metric)`: whether a weekly or monthly metric's value
/// can be combined from per-day partial values (a simple count, sum, min,
/// max or average), so that a new row costs a recompute of its day rather
/// than of its whole period. `metric` is an IR metric or a migration's
/// metric item (older locks hold no `kind`: simple).
fn combines_from_days(metric: Value) -> bool {
    let text = |k: &str| {
        metric
            .get_attr(k)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
    };
    text("kind").is_none_or(|k| k == "simple")
        && text("grain").is_some_and(|g| g == "week" || g == "month")
        && text("measure")
            .is_some_and(|m| ["count", "sum", "min", "max", "avg"].contains(&m.as_str()))
}

/// Look-ups over the whole IR that templates would otherwise compute with
/// loops over every entity for every entity (a cost that grows with the
/// square of the model):
/// - `entity(key)`: the entity with that key (undefined when none has it);
/// - `entity_order()`: the entity keys, every referenced table before the
///   tables that refer to it ([`Ir::table_order`]);
/// - `foreign_key(reference, kind)`: `table.column` of the referenced
///   entity's one primary key when it is of that kind, else `""`;
/// - `published(service)`: `[entity, [channel, …]]` pairs, in the order of
///   the service's writes: the channels its provider sends whose message is
///   an entity the service writes (empty for any other service);
/// - `channels_to(component)`: the channels the component receives, in the
///   IR's order (empty for any other component);
/// - `archimate_layers()` and `combines_from_days(metric)` (below).
fn add_ir_functions(env: &mut Environment<'static>, ir: &Ir, ir_value: &Value) {
    // The entities of `ir_value` itself: shared, not copied.
    let by_key: HashMap<String, Value> = ir
        .entities
        .iter()
        .zip(values_of(
            &ir_value.get_attr("entities").unwrap_or_default(),
        ))
        .map(|(e, v)| (e.key.clone(), v))
        .collect();
    env.add_function("entity", move |key: String| {
        by_key.get(&key).cloned().unwrap_or(Value::UNDEFINED)
    });
    let mut to: HashMap<String, Vec<Value>> = HashMap::new();
    for (c, v) in ir.channels.iter().zip(values_of(
        &ir_value.get_attr("channels").unwrap_or_default(),
    )) {
        to.entry(c.receiver.clone()).or_default().push(v);
    }
    env.add_function("channels_to", move |component: String| {
        Value::from(to.get(&component).cloned().unwrap_or_default())
    });
    let order = ir.table_order();
    env.add_function("entity_order", move || order.clone());
    env.add_function("archimate_layers", archimate_layers);
    env.add_function("combines_from_days", combines_from_days);
    let targets: HashMap<String, (String, String)> = ir
        .entities
        .iter()
        .filter_map(|e| {
            let (kind, target) = crate::ir::primary_key_target(e)?;
            let kind = serde_json::to_value(kind).ok()?.as_str()?.to_owned();
            Some((e.key.clone(), (kind, target)))
        })
        .collect();
    let published: HashMap<String, Vec<(String, Vec<String>)>> = ir
        .services
        .iter()
        .filter_map(|sv| {
            let provider = sv.provider.as_deref()?;
            let pairs: Vec<(String, Vec<String>)> = sv
                .writes
                .iter()
                .filter_map(|entity| {
                    let keys: Vec<String> = ir
                        .channels
                        .iter()
                        .filter(|c| c.sender == provider)
                        .filter(|c| c.message.entity.as_deref() == Some(entity.as_str()))
                        .map(|c| c.key.clone())
                        .collect();
                    (!keys.is_empty()).then(|| (entity.clone(), keys))
                })
                .collect();
            (!pairs.is_empty()).then(|| (sv.key.clone(), pairs))
        })
        .collect();
    env.add_function("published", move |service: String| {
        Value::from_serialize(published.get(&service).cloned().unwrap_or_default())
    });
    env.add_function("foreign_key", move |reference: String, kind: String| {
        targets
            .get(&reference)
            .filter(|(k, _)| *k == kind)
            .map(|(_, t)| t.clone())
            .unwrap_or_default()
    });
}

fn environment(
    pack: &Pack,
    anchors: &Arc<Mutex<BTreeMap<String, Anchor>>>,
    tests: &Arc<Mutex<Vec<String>>>,
) -> Result<Environment<'static>, RenderError> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    // Escaping is explicit, per target (filters), never by file name.
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    env.set_keep_trailing_newline(true);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    for (name, text) in &pack.templates {
        if name.ends_with(".j2") || name.ends_with(".jinja") {
            env.add_template_owned(name.clone(), text.clone())
                .map_err(|e| template_error(name, &e, ""))?;
        }
    }
    // The raw text of any file of the pack (a lock file, say), by its path
    // in the pack; an error names the file when the pack has none.
    let files = pack.templates.clone();
    env.add_function(
        "pack_file",
        move |name: String| -> Result<String, minijinja::Error> {
            files.get(&name).cloned().ok_or_else(|| {
                minijinja::Error::new(
                    minijinja::ErrorKind::TemplateNotFound,
                    format!("the pack has no file `{name}`"),
                )
            })
        },
    );
    env.add_filter("py_ident", |s: String| naming::python_ident(&s));
    env.add_filter("sql_ident", |s: String| naming::sql_ident(&s));
    env.add_filter("sql_name", |s: String| naming::sql_name(&s));
    env.add_filter("pascal", |s: String| naming::pascal(&s));
    env.add_filter("kebab", |s: String| naming::kebab(&s));
    env.add_filter("snake", |s: String| {
        naming::snake(&s).unwrap_or_else(|| "x".into())
    });
    env.add_filter("py_str", |s: String| naming::py_str(&s));
    env.add_filter("yaml_str", |s: String| naming::yaml_str(&s));
    env.add_filter("md", |s: String| naming::markdown(&s));
    env.add_filter("adoc", |s: String| naming::asciidoc(&s));
    env.add_filter("comment", |s: String| naming::comment(&s));
    env.add_filter("sql_str", |s: String| naming::sql_str(&s));
    env.add_filter("path_segment", |s: String| naming::path_segment(&s));
    env.add_filter("element_anchor", |s: String| naming::element_anchor(&s));
    env.add_filter("clip", |s: String, n: usize| naming::truncate(&s, n));
    env.add_filter("camel", |s: String| naming::camel(&s));
    env.add_filter("ts_ident", |s: String| naming::ts_ident(&s));
    env.add_filter("rust_ident", |s: String| naming::rust_ident(&s));
    env.add_filter("js_str", |s: String| naming::js_str(&s));
    let a = Arc::clone(anchors);
    env.add_function(
        "anchor",
        move |name: String| -> Result<Value, minijinja::Error> {
            let map = a.lock().expect("anchors");
            map.get(&name).map(Value::from_serialize).ok_or_else(|| {
                minijinja::Error::new(
                    minijinja::ErrorKind::UndefinedError,
                    format!("no file rendered so far holds `archgen:control {name}`"),
                )
            })
        },
    );
    let a = Arc::clone(anchors);
    env.add_function("has_anchor", move |name: String| {
        a.lock().expect("anchors").contains_key(&name)
    });
    let t = Arc::clone(tests);
    env.add_function("test_exists", move |name: String| {
        t.lock()
            .expect("tests")
            .iter()
            .any(|x| x == &name || x.ends_with(&format!("::{name}")))
    });
    Ok(env)
}

#[cfg(test)]
mod tests {
    use super::Anchors;

    /// Anchors::contains says what str::contains says, for anchors made of
    /// anchor characters, on texts where they overlap, nest, repeat and
    /// stand at the very end (a fixed pseudo-random sequence: the same
    /// cases every run).
    #[test]
    fn anchors_agree_with_a_plain_search() {
        let pieces = [
            "element-", "id-1", "id-10", "a.b", "_", "-", "x", " ", "\"", "]]", "[[", "é", "\n",
        ];
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let anchors = [
            "element-id-1",
            "element-id-10",
            "element-id",
            "element-a.b",
            "element-x_",
            "element-",
            "element-element-x",
            "element-id-1-",
        ];
        for _ in 0..3000 {
            let text: String = (0..next(24)).map(|_| pieces[next(pieces.len())]).collect();
            let found = Anchors::of(&text);
            for a in anchors {
                assert_eq!(found.contains(a), text.contains(a), "{a:?} in {text:?}");
            }
        }
    }
}
