//! Model → IR: read the archgen profile properties, infer what they do not
//! say, and record why.
//!
//! Properties win over inference. Inference follows ArchiMate's meaning: a
//! component (or a function/process assigned to it) *realises* a service;
//! an interface is *assigned* to a service; *Serving* points from provider to
//! consumer; *Access* says what is read and written (unspecified means both).
//!
//! The parts follow the pipeline of `Builder::run`: `graph` (the model as
//! a graph), `roles` (what each component does), `compliance`, `entities`,
//! `metrics`, `services`, `infrastructure`, `decisions` and `explain`.

use super::profile::{
    self, FieldKind, FieldSpec, FieldType, Framework, Grain, KindDef, Measure, MetricDef, Role,
};
use super::stack::{self, DecisionFrom, DecisionWhen, Runs, Stack};
use super::{
    Auth, Channel, ChannelKind, Compliance, Component, Database, Decision, Deployed, Dimension,
    Entity, EntityOrigin, EventType, Explanation, Field, Frontend, Infrastructure, Ir, Job,
    KeyMemory, Message, Metric, Project, Provenance, Runtime, Service, ServiceKind,
};
use crate::diagnostic::{shown, Code, Diagnostic};
use crate::model::{
    AccessType, Element, ElementType as T, Model, Property, Relationship, RelationshipType as R,
};
use crate::naming::{self, is_key, Allocator};
use std::collections::HashMap;
use std::collections::{BTreeMap, BTreeSet};

mod channels;
mod compliance;
mod decisions;
mod entities;
mod explain;
mod graph;
mod infrastructure;
mod metrics;
mod relations;
mod roles;
mod services;

use entities::{field_from_spec, EntityIndex};
use metrics::{Aggregators, Known};

/// Builds the IR. Errors (bad profile values, metrics over unknown fields)
/// come back as diagnostics; warnings ride along with the IR.
///
/// `stack` is what the pack says about the stack it targets (see
/// [`Stack`]): its platform entities, reserved names, deployments and
/// decisions.
pub fn build(m: &Model, stack: &Stack) -> (Option<Ir>, Vec<Diagnostic>) {
    build_with(m, stack, &KeyMemory::default())
}

/// [`build`] for a project an earlier generation made: items keep the keys
/// `memory` has for them.
pub fn build_with(m: &Model, stack: &Stack, memory: &KeyMemory) -> (Option<Ir>, Vec<Diagnostic>) {
    let mut b = Builder::new(m, stack, memory);
    let ir = b.run();
    let failed = b.diags.iter().any(Diagnostic::is_error);
    (if failed { None } else { Some(ir) }, b.diags)
}

struct Builder<'m> {
    m: &'m Model,
    stack: &'m Stack,
    memory: &'m KeyMemory,
    /// The keys to record for the next generation (see [`Ir::keys`]).
    remember: BTreeMap<String, String>,
    by_id: HashMap<&'m str, &'m Element>,
    /// The relationships from and to each identifier, in file order: every
    /// look-up costs the item's own relationships, not the model's.
    from_src: HashMap<&'m str, Vec<&'m Relationship>>,
    to_dst: HashMap<&'m str, Vec<&'m Relationship>>,
    /// The elements of each type, in identifier order.
    by_kind: HashMap<T, Vec<&'m Element>>,
    diags: Vec<Diagnostic>,
    why: BTreeMap<&'m str, (String, String)>,
}

/// What a behaviour or active element reads and writes.
#[derive(Default)]
struct Access<'m> {
    reads: Vec<&'m Element>,
    writes: Vec<&'m Element>,
    /// The writes an Access says outright (Write, ReadWrite), not those an
    /// unspecified one implies: only these take write routes.
    stated_writes: Vec<&'m Element>,
}

const STOP_WORDS: &[&str] = &[
    "service",
    "services",
    "api",
    "apis",
    "data",
    "the",
    "and",
    "of",
    "for",
    "a",
    "an",
    "system",
    "management",
    "application",
    "app",
    "component",
    "interface",
    "rest",
    "http",
    "web",
    "explorer",
    "view",
    "viewer",
    "list",
];

fn words(name: &str) -> Vec<String> {
    naming::snake(name)
        .map(|s| s.split('_').map(str::to_owned).collect())
        .unwrap_or_default()
}

fn has_word(name: &str, ws: &[&str]) -> bool {
    words(name).iter().any(|w| ws.contains(&w.as_str()))
}

fn has_stem(name: &str, stems: &[&str]) -> bool {
    words(name)
        .iter()
        .any(|w| stems.iter().any(|s| w.starts_with(s)))
}

fn prop<'p>(props: &'p [Property], key: &str) -> Option<&'p Property> {
    props.iter().find(|p| {
        p.key
            .as_deref()
            .is_some_and(|k| k.trim().eq_ignore_ascii_case(key))
    })
}

impl<'m> Builder<'m> {
    fn new(m: &'m Model, stack: &'m Stack, memory: &'m KeyMemory) -> Self {
        let by_id = m
            .elements
            .iter()
            .map(|e| (e.identifier.as_str(), e))
            .collect();
        let mut from_src: HashMap<&str, Vec<&Relationship>> = HashMap::default();
        let mut to_dst: HashMap<&str, Vec<&Relationship>> = HashMap::default();
        for r in &m.relationships {
            from_src.entry(&r.source).or_default().push(r);
            to_dst.entry(&r.target).or_default().push(r);
        }
        let mut by_kind: HashMap<T, Vec<&Element>> = HashMap::default();
        for e in &m.elements {
            by_kind.entry(e.kind).or_default().push(e);
        }
        for v in by_kind.values_mut() {
            v.sort_by(|a, b| a.identifier.cmp(&b.identifier));
        }
        Builder {
            m,
            stack,
            memory,
            remember: BTreeMap::new(),
            by_id,
            from_src,
            to_dst,
            by_kind,
            diags: Vec::new(),
            why: BTreeMap::new(),
        }
    }

    /// The key the item in `slot` asks for: the one an earlier generation
    /// gave it, else the one its name gives (with a warning at `at` when
    /// that is cut to fit 63 bytes).
    fn wanted_key(
        &mut self,
        slot: &str,
        name: Option<&str>,
        prefix: &str,
        identifier: &str,
        at: usize,
    ) -> String {
        let fresh = naming::key_for(name, prefix, identifier);
        let memory = self.memory;
        if let Some(k) = memory.recorded.get(slot).filter(|k| is_key(k)) {
            return k.clone();
        }
        if let Some(used) = &memory.legacy_in_use {
            let old = naming::legacy_key_for(name, prefix, identifier);
            if old != fresh && used.contains(&old) {
                return old;
            }
        }
        if let Some(n) = name.filter(|n| naming::key_is_cut(n)) {
            self.diags.push(
                Diagnostic::new(
                    Code::KeyCut,
                    format!(
                        "the name {} is longer than a key can be (63 bytes in snake_case): its key is `{fresh}`",
                        shown(n)
                    ),
                )
                .at(at, 1)
                .help("give it a shorter name if that key does not say what it is; table, column and route names come from it"),
            );
        }
        fresh
    }

    /// The unique key of the item in `slot` (see [`Self::wanted_key`]),
    /// remembered when it is not the one its name gives.
    fn claim_key(
        &mut self,
        keys: &mut Allocator,
        slot: String,
        name: Option<&str>,
        prefix: &str,
        identifier: &str,
        at: usize,
    ) -> String {
        let key = keys.claim(&self.wanted_key(&slot, name, prefix, identifier, at));
        if key != naming::key_for(name, prefix, identifier) {
            self.remember.insert(slot, key.clone());
        }
        key
    }

    /// [`Self::claim_key`] for an element named by its own name: slot
    /// `kind:identifier`, fallback keys starting with `prefix`.
    fn element_key(
        &mut self,
        keys: &mut Allocator,
        kind: &str,
        prefix: &str,
        e: &Element,
    ) -> String {
        let slot = format!("{kind}:{}", e.identifier);
        self.claim_key(
            keys,
            slot,
            e.text.name.as_deref(),
            prefix,
            &e.identifier,
            e.pos.offset,
        )
    }

    fn explain(&mut self, e: &'m Element, became: impl Into<String>, why: impl Into<String>) {
        self.why.insert(&e.identifier, (became.into(), why.into()));
    }

    fn bad_prop(&mut self, code: Code, p: &Property, e: profile::ProfileError) {
        self.diags.push(
            Diagnostic::error(code, e.message)
                .at(p.pos.offset, 1)
                .help(e.help),
        );
    }

    fn run(&mut self) -> Ir {
        let m = self.m;
        let stack = self.stack;
        let application = m.elements.iter().any(|e| e.kind.layer() == "application");

        // Compliance first: it decides which platform entities exist.
        let compliance = self.compliance();

        // Components and roles.
        let mut comp_keys = Allocator::new();
        let mut components = Vec::new();
        let mut role_by_id: HashMap<&str, Option<Role>> = HashMap::default();
        let mut comp_key_by_id: HashMap<&str, String> = HashMap::default();
        for c in self.elements(T::ApplicationComponent) {
            let (role, why) = self.role_of(c);
            let key = self.element_key(&mut comp_keys, "component", "component", c);
            let became = match role {
                Some(r) => format!("component `{key}` with role {}", r.as_str()),
                None => format!("component `{key}` (no generated code)"),
            };
            self.explain(c, became, why.clone());
            for b in self.with_behaviour(c).into_iter().skip(1) {
                self.explain(b, format!("behaviour of component `{key}` (its access and realisations count as the component's)"), "rule: assigned to the component");
            }
            role_by_id.insert(&c.identifier, role);
            comp_key_by_id.insert(&c.identifier, key.clone());
            components.push(Component {
                key,
                name: display(c),
                role,
                why,
                documentation: c.text.documentation.clone(),
                from: vec![c.identifier.clone()],
            });
        }
        let mut by_role: BTreeMap<Role, Vec<&'m Element>> = BTreeMap::new();
        for c in self.elements(T::ApplicationComponent) {
            if let Some(Some(r)) = role_by_id.get(c.identifier.as_str()) {
                by_role.entry(*r).or_default().push(c);
            }
        }
        let with_role =
            |r: Role| -> Vec<&'m Element> { by_role.get(&r).cloned().unwrap_or_default() };
        let aggregators = Aggregators::new(self, &with_role(Role::Aggregator));

        // Which components talk: the pack's platform may add tables for it.
        let links = self.links();

        // Entities: platform first (they keep their names), then DataObjects.
        let mut tables = Allocator::new();
        for t in &stack.reserved.tables {
            tables.reserve(t);
        }
        let mut entities: Vec<Entity> = Vec::new();
        for p in stack
            .platform
            .iter()
            .filter(|p| !p.compliance_only || !compliance.is_empty())
            .filter(|p| !p.channels_only || !links.is_empty())
        {
            tables.reserve(&p.key);
            let specs = profile::parse_fields(&p.fields)
                .into_result()
                .unwrap_or_else(|e| panic!("pack platform entity {}: {}", p.key, e.message));
            let fields = specs
                .into_iter()
                .map(|s| field_from_spec(&s, s.name.clone(), vec![]))
                .collect();
            entities.push(Entity {
                key: p.key.clone(),
                pascal: String::new(),
                name: p.name.clone(),
                table: naming::sql_ident(&p.key),
                origin: EntityOrigin::Platform,
                tenant: p.tenant,
                documentation: None,
                fields,
                retention: None,
                time_field: None,
                broken_fields: vec![],
                placeholder: false,
                relations: vec![],
                from: vec![],
            });
        }
        let data_objects = self.elements(T::DataObject);
        let (metric_objects, plain_objects): (Vec<&Element>, Vec<&Element>) = data_objects
            .iter()
            .partition(|d| self.is_metric_object(d) && self.metric_source_known(d, &aggregators));
        let mut entity_by_do: HashMap<&str, usize> = HashMap::default();
        for d in &plain_objects {
            let idx = self.entity(d, &mut tables, &mut entities);
            entity_by_do.insert(&d.identifier, idx);
        }
        // BusinessObjects no DataObject realises are entities of their own.
        for b in self.elements(T::BusinessObject) {
            if !entities.iter().any(|e| e.from.contains(&b.identifier)) {
                self.entity(b, &mut tables, &mut entities);
            }
        }
        self.resolve_refs(&mut entities);
        let relation_notes = self.relations(&mut entities, &mut tables);
        for e in &mut entities {
            e.time_field = ["occurred_at", "created_at"]
                .iter()
                .find(|k| e.fields.iter().any(|f| f.key == **k && f.ty.kind.is_time()))
                .map(|k| (*k).to_owned())
                .or_else(|| {
                    e.fields
                        .iter()
                        .find(|f| f.ty.kind.is_time())
                        .map(|f| f.key.clone())
                });
        }

        // Metrics.
        let mut metric_keys = Allocator::new();
        let mut metrics: Vec<Metric> = Vec::new();
        let mut metric_by_do: HashMap<&str, String> = HashMap::default();
        let index = EntityIndex::new(&entities);
        // Ratios divide other metrics: made once those are.
        let (ratio_objects, plain_metrics): (Vec<&Element>, Vec<&Element>) =
            metric_objects.iter().partition(|d| {
                prop(&d.properties, "archgen:metric")
                    .and_then(|p| p.value.as_deref())
                    .is_some_and(|v| {
                        profile::parse_metric(v)
                            .def
                            .is_some_and(|def| def.measure == Measure::Ratio)
                    })
            });
        for d in plain_metrics.into_iter().chain(ratio_objects) {
            let known = Known {
                entities: &entities,
                index: &index,
                aggregators: &aggregators,
                built: &metrics,
            };
            if let Some(mt) = self.metric(d, &known, &mut metric_keys, &mut tables) {
                metric_by_do.insert(&d.identifier, mt.key.clone());
                metrics.push(mt);
            }
        }
        let mut classes = Allocator::new();
        for e in &mut entities {
            e.pascal = classes.claim(&naming::pascal(&e.key));
        }
        for mt in &mut metrics {
            mt.pascal = classes.claim(&naming::pascal(&mt.key));
        }

        // Jobs: one per aggregator; metrics nobody computes go to the first.
        let mut job_keys = Allocator::new();
        let mut jobs: Vec<Job> = Vec::new();
        let mut assigned: BTreeSet<String> = BTreeSet::new();
        for a in with_role(Role::Aggregator) {
            let writes = self.access(a, &[T::DataObject]).writes;
            let ms: Vec<String> = writes
                .iter()
                .filter_map(|d| metric_by_do.get(d.identifier.as_str()).cloned())
                .filter(|k| assigned.insert(k.clone()))
                .collect();
            let key = self.element_key(&mut job_keys, "job", "job", a);
            jobs.push(Job {
                key,
                name: display(a),
                metrics: ms,
                from: vec![a.identifier.clone()],
            });
        }
        let orphans: Vec<String> = metrics
            .iter()
            .map(|mt| mt.key.clone())
            .filter(|k| !assigned.contains(k))
            .collect();
        if !orphans.is_empty() {
            match jobs.first_mut() {
                Some(j) => j.metrics.extend(orphans),
                None => jobs.push(Job {
                    key: "metrics_aggregator".into(),
                    name: "Metrics aggregator".into(),
                    metrics: orphans,
                    from: vec![],
                }),
            }
        }

        // Services.
        let services = self.services(
            &role_by_id,
            &comp_key_by_id,
            &entity_by_do,
            &metric_by_do,
            &entities,
        );

        // Events and ingestion.
        let mut events = Vec::new();
        let mut event_keys = Allocator::new();
        let mut ingested: Vec<String> = Vec::new();
        let mut seen_events: BTreeSet<&str> = BTreeSet::new();
        let mut seen_ingested: BTreeSet<String> = BTreeSet::new();
        for c in with_role(Role::Ingestion) {
            let mut evs: Vec<&Element> = self
                .with_behaviour(c)
                .iter()
                .flat_map(|t| self.rels_to(&t.identifier))
                .filter(|r| matches!(r.kind, R::Triggering | R::Flow))
                .filter_map(|r| self.by_id.get(r.source.as_str()).copied())
                .filter(|e| matches!(e.kind, T::ApplicationEvent | T::BusinessEvent))
                .collect();
            evs.sort_by(|a, b| a.identifier.cmp(&b.identifier));
            evs.dedup_by(|a, b| a.identifier == b.identifier);
            for ev in evs {
                if !seen_events.insert(&ev.identifier) {
                    continue;
                }
                let key = self.element_key(&mut event_keys, "event", "event", ev);
                self.explain(
                    ev,
                    format!("event type `{key}` accepted by the ingestion endpoint"),
                    "rule: triggers or flows to the ingestion component",
                );
                events.push(EventType {
                    key,
                    name: display(ev),
                    from: vec![ev.identifier.clone()],
                });
            }
            for d in self.access(c, &[T::DataObject]).writes {
                if let Some(&i) = entity_by_do.get(d.identifier.as_str()) {
                    let k = entities[i].key.clone();
                    if seen_ingested.insert(k.clone()) {
                        ingested.push(k);
                    }
                }
            }
        }

        let channels = self.channels(links, &comp_key_by_id, &entities);

        let auth_comp = with_role(Role::Auth).into_iter().next();
        let auth = Auth {
            component: auth_comp.and_then(|c| comp_key_by_id.get(c.identifier.as_str()).cloned()),
            roles: vec!["admin".into(), "analyst".into(), "viewer".into()],
            from: auth_comp
                .map(|c| vec![c.identifier.clone()])
                .unwrap_or_default(),
        };
        let frontend = with_role(Role::Frontend)
            .into_iter()
            .next()
            .map(|c| Frontend {
                component: comp_key_by_id[c.identifier.as_str()].clone(),
                name: display(c),
                from: vec![c.identifier.clone()],
            });

        let infrastructure = self.infrastructure(&role_by_id);
        let project_key = self.claim_key(
            &mut Allocator::new(),
            format!("project:{}", m.identifier),
            m.text.name.as_deref(),
            "project",
            &m.identifier,
            0,
        );
        let project = Project {
            name: m
                .text
                .name
                .clone()
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| "ArchiMate model".into()),
            key: project_key,
            description: m.text.documentation.clone(),
            pack: stack.pack.clone(),
            model_id: m.identifier.clone(),
            format: m.format.map_or("?", |f| f.as_str()).into(),
            from: vec![m.identifier.clone()],
        };
        let decisions = self.decisions(&project, &metrics, &compliance, &infrastructure, &auth);
        for (i, e) in entities.iter().enumerate() {
            let note = match e.origin {
                EntityOrigin::Platform => "extends the pack's platform entity",
                EntityOrigin::Blueprint => "",
            };
            // What its relationships made, and what they did not.
            let mut made = String::new();
            for r in &e.relations {
                made.push_str(&match &r.link {
                    None => format!("; column `{}` -> `{}` ({})", r.field, r.target, r.why),
                    Some(_) => format!(
                        "; column `{}` -> `{}` (link table: {})",
                        r.field, r.target, r.why
                    ),
                });
            }
            for n in relation_notes.get(&i).into_iter().flatten() {
                made.push_str(&format!("; {n}"));
            }
            let assumed = if e.placeholder {
                let fs: Vec<&str> = e
                    .fields
                    .iter()
                    .filter(|f| {
                        f.reference.is_none() || !e.relations.iter().any(|r| r.field == f.key)
                    })
                    .map(|f| f.key.as_str())
                    .collect();
                format!(" (no archgen:fields: assumed {})", fs.join(", "))
            } else {
                String::new()
            };
            for (n, id) in e.from.iter().enumerate() {
                if let Some(el) = self.by_id.get(id.as_str()).copied() {
                    let first = n == 0;
                    let became = match (note.is_empty(), first) {
                        (true, true) => format!("table `{}`{made}", e.table),
                        (false, true) => format!("table `{}` ({note}){made}", e.table),
                        _ => format!("table `{}`", e.table),
                    };
                    let why = if !first {
                        "rule: a BusinessObject realised by a DataObject shares its table"
                            .to_owned()
                    } else if prop(&el.properties, "archgen:fields").is_some() {
                        "property archgen:fields".to_owned()
                    } else if el.kind == T::DataObject {
                        format!("rule: a DataObject is a table{assumed}")
                    } else {
                        format!("rule: a BusinessObject is a table{assumed}")
                    };
                    if matches!(el.kind, T::DataObject | T::BusinessObject) {
                        self.explain(el, became, why);
                    }
                }
            }
        }
        let explanations = self.explanations();
        Ir {
            project,
            application,
            components,
            entities,
            metrics,
            jobs,
            services,
            events,
            ingested,
            channels,
            auth,
            frontend,
            infrastructure,
            compliance,
            decisions,
            views: super::views::views(m),
            explanations,
            keys: std::mem::take(&mut self.remember),
        }
    }
}

fn display(e: &Element) -> String {
    match e
        .text
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        Some(n) => n.to_owned(),
        None => format!("{} {}", e.kind, e.identifier),
    }
}
