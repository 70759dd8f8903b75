//! Model → IR: read the archgen profile properties, infer what they do not
//! say, and record why.
//!
//! Properties win over inference. Inference follows ArchiMate's meaning: a
//! component (or a function/process assigned to it) *realises* a service;
//! an interface is *assigned* to a service; *Serving* points from provider to
//! consumer; *Access* says what is read and written (unspecified means both).

use super::profile::{
    self, FieldKind, FieldSpec, FieldType, Framework, Grain, KindDef, Measure, MetricDef, Role,
};
use super::{
    Auth, Compliance, Component, Database, Decision, Dimension, Entity, EntityOrigin, EventType,
    Explanation, Field, Frontend, InfraService, Infrastructure, Ir, Job, KeyMemory, Metric,
    Project, Provenance, Runtime, Service, ServiceKind,
};
use crate::diagnostic::{shown, Code, Diagnostic};
use crate::model::{
    AccessType, Element, ElementType as T, Model, Property, Relationship, RelationshipType as R,
};
use crate::naming::{self, is_key, Allocator};
use rustc_hash::FxHashMap as HashMap;
use std::collections::{BTreeMap, BTreeSet};

/// An entity a pack always provides (organizations, users, …), written in
/// the `archgen:fields` syntax.
#[derive(Clone, Debug)]
pub struct PlatformEntity {
    pub key: String,
    pub name: String,
    pub fields: String,
    pub tenant: bool,
    /// Only when the blueprint names a compliance framework.
    pub compliance_only: bool,
}

/// Builds the IR. Errors (bad profile values, metrics over unknown fields)
/// come back as diagnostics; warnings ride along with the IR.
///
/// `reserved_tables` are table names the pack creates itself; entities get
/// other names.
pub fn build(
    m: &Model,
    pack: &str,
    platform: &[PlatformEntity],
    reserved_tables: &[String],
) -> (Option<Ir>, Vec<Diagnostic>) {
    build_with(m, pack, platform, reserved_tables, &KeyMemory::default())
}

/// [`build`] for a project an earlier generation made: items keep the keys
/// `memory` has for them.
pub fn build_with(
    m: &Model,
    pack: &str,
    platform: &[PlatformEntity],
    reserved_tables: &[String],
    memory: &KeyMemory,
) -> (Option<Ir>, Vec<Diagnostic>) {
    let mut b = Builder::new(m, memory);
    let ir = b.run(pack, platform, reserved_tables);
    let failed = b.diags.iter().any(Diagnostic::is_error);
    (if failed { None } else { Some(ir) }, b.diags)
}

struct Builder<'m> {
    m: &'m Model,
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

/// Entities by key, by table and by the data object they come from (the
/// first of each): a metric finds its source at once.
/// What a metric is built against: the entities, their index, the
/// aggregators and the metrics built so far (a ratio divides two of them).
#[derive(Clone, Copy)]
struct Known<'a, 'm> {
    entities: &'a [Entity],
    index: &'a EntityIndex<'a>,
    aggregators: &'a Aggregators<'m>,
    built: &'a [Metric],
}

struct EntityIndex<'e> {
    by_key: HashMap<&'e str, usize>,
    by_table: HashMap<&'e str, usize>,
    by_first_from: HashMap<&'e str, usize>,
}

impl<'e> EntityIndex<'e> {
    fn new(entities: &'e [Entity]) -> Self {
        let mut ix = EntityIndex {
            by_key: HashMap::default(),
            by_table: HashMap::default(),
            by_first_from: HashMap::default(),
        };
        for (i, e) in entities.iter().enumerate() {
            ix.by_key.entry(&e.key).or_insert(i);
            ix.by_table.entry(&e.table).or_insert(i);
            if let Some(f) = e.from.first() {
                ix.by_first_from.entry(f).or_insert(i);
            }
        }
        ix
    }
}

/// What the aggregators read, and which of them write each data object:
/// the default metric of a data object is found without going through
/// every aggregator.
struct Aggregators<'m> {
    /// The data objects each aggregator reads, aggregators in identifier
    /// order.
    reads: Vec<Vec<&'m Element>>,
    /// Data object identifier → the aggregators (indices) that write it.
    writers: HashMap<&'m str, Vec<usize>>,
}

impl<'m> Aggregators<'m> {
    fn new(b: &Builder<'m>, aggregators: &[&'m Element]) -> Self {
        let mut reads = Vec::with_capacity(aggregators.len());
        let mut writers: HashMap<&'m str, Vec<usize>> = HashMap::default();
        for (i, a) in aggregators.iter().enumerate() {
            let access = b.access(a, &[T::DataObject]);
            for w in access.writes {
                writers.entry(w.identifier.as_str()).or_default().push(i);
            }
            reads.push(access.reads);
        }
        Aggregators { reads, writers }
    }
}

impl<'m> Builder<'m> {
    fn new(m: &'m Model, memory: &'m KeyMemory) -> Self {
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
    #[allow(clippy::too_many_arguments)]
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
            e.name.as_deref(),
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

    fn elements(&self, t: T) -> Vec<&'m Element> {
        self.by_kind.get(&t).cloned().unwrap_or_default()
    }

    /// The relationships from `src`, in file order.
    fn rels_from(&self, src: &str) -> &[&'m Relationship] {
        self.from_src.get(src).map_or(&[], Vec::as_slice)
    }

    /// The relationships into `dst`, in file order.
    fn rels_to(&self, dst: &str) -> &[&'m Relationship] {
        self.to_dst.get(dst).map_or(&[], Vec::as_slice)
    }

    /// Targets of relationships of type `r` from `src`.
    fn out(&self, src: &str, r: R) -> Vec<&'m Element> {
        let mut v: Vec<&Element> = self
            .rels_from(src)
            .iter()
            .filter(|x| x.kind == r)
            .filter_map(|x| self.by_id.get(x.target.as_str()).copied())
            .collect();
        v.sort_by(|a, b| a.identifier.cmp(&b.identifier));
        v.dedup_by(|a, b| a.identifier == b.identifier);
        v
    }

    /// Sources of relationships of type `r` into `dst`.
    fn incoming(&self, dst: &str, r: R) -> Vec<&'m Element> {
        let mut v: Vec<&Element> = self
            .rels_to(dst)
            .iter()
            .filter(|x| x.kind == r)
            .filter_map(|x| self.by_id.get(x.source.as_str()).copied())
            .collect();
        v.sort_by(|a, b| a.identifier.cmp(&b.identifier));
        v.dedup_by(|a, b| a.identifier == b.identifier);
        v
    }

    /// The element and the behaviour (functions, processes, interactions)
    /// assigned to it.
    fn with_behaviour(&self, c: &'m Element) -> Vec<&'m Element> {
        let mut v = vec![c];
        v.extend(
            self.out(&c.identifier, R::Assignment)
                .into_iter()
                .filter(|e| {
                    matches!(
                        e.kind,
                        T::ApplicationFunction | T::ApplicationProcess | T::ApplicationInteraction
                    )
                }),
        );
        v
    }

    /// What `c` (with its assigned behaviour) reads and writes among `kinds`.
    fn access(&self, c: &'m Element, kinds: &[T]) -> Access<'m> {
        let mut a = Access::default();
        for actor in self.with_behaviour(c) {
            for r in self
                .rels_from(&actor.identifier)
                .iter()
                .filter(|r| r.kind == R::Access)
            {
                let Some(t) = self.by_id.get(r.target.as_str()).copied() else {
                    continue;
                };
                if !kinds.contains(&t.kind) {
                    continue;
                }
                let (rd, wr) = match r.access_type.unwrap_or(AccessType::Access) {
                    AccessType::Read => (true, false),
                    AccessType::Write => (false, true),
                    AccessType::ReadWrite | AccessType::Access => (true, true),
                };
                if rd {
                    a.reads.push(t);
                }
                if wr {
                    a.writes.push(t);
                }
            }
        }
        for l in [&mut a.reads, &mut a.writes] {
            l.sort_by(|x, y| x.identifier.cmp(&y.identifier));
            l.dedup_by(|x, y| x.identifier == y.identifier);
        }
        a
    }

    fn is_metric_object(&self, e: &Element) -> bool {
        e.kind == T::DataObject
            && (prop(&e.properties, "archgen:metric").is_some()
                || has_stem(
                    e.name.as_deref().unwrap_or(""),
                    &["metric", "kpi", "statistic", "aggregate"],
                )
                || has_word(
                    e.name.as_deref().unwrap_or(""),
                    &["daily", "weekly", "monthly"],
                ))
    }

    fn realised_services(&self, c: &'m Element) -> Vec<&'m Element> {
        let mut v: Vec<&Element> = self
            .with_behaviour(c)
            .into_iter()
            .flat_map(|a| self.out(&a.identifier, R::Realization))
            .filter(|e| e.kind == T::ApplicationService)
            .collect();
        for iface in self.interfaces(c) {
            v.extend(
                self.out(&iface.identifier, R::Assignment)
                    .into_iter()
                    .filter(|e| e.kind == T::ApplicationService),
            );
        }
        v.sort_by(|a, b| a.identifier.cmp(&b.identifier));
        v.dedup_by(|a, b| a.identifier == b.identifier);
        v
    }

    fn interfaces(&self, c: &'m Element) -> Vec<&'m Element> {
        let mut v: Vec<&Element> = [R::Composition, R::Assignment, R::Aggregation]
            .into_iter()
            .flat_map(|r| self.out(&c.identifier, r))
            .filter(|e| e.kind == T::ApplicationInterface)
            .collect();
        v.sort_by(|a, b| a.identifier.cmp(&b.identifier));
        v.dedup_by(|a, b| a.identifier == b.identifier);
        v
    }

    fn role_of(&mut self, c: &'m Element) -> (Option<Role>, String) {
        if let Some(p) = prop(&c.properties, "archgen:role") {
            match Role::parse(p.value.as_deref().unwrap_or("")) {
                Ok(r) => return (Some(r), "property archgen:role".into()),
                Err(e) => {
                    self.bad_prop(Code::ProfileValue, p, e);
                    return (None, "invalid archgen:role".into());
                }
            }
        }
        let name = c.name.as_deref().unwrap_or("");
        let data = self.access(c, &[T::DataObject]);
        let writes_metric = data.writes.iter().any(|d| self.is_metric_object(d));
        let reads_raw = data.reads.iter().any(|d| !self.is_metric_object(d));
        let writes_raw = data.writes.iter().any(|d| !self.is_metric_object(d));
        if has_stem(name, &["aggregat"]) {
            return (Some(Role::Aggregator), "rule: named for aggregation".into());
        }
        if writes_metric && reads_raw {
            return (
                Some(Role::Aggregator),
                "rule: reads raw data objects and writes metric data objects".into(),
            );
        }
        if has_word(
            name,
            &[
                "auth",
                "authentication",
                "identity",
                "login",
                "iam",
                "sso",
                "oauth",
                "signin",
            ],
        ) {
            return (
                Some(Role::Auth),
                "rule: named Auth, Identity or Login".into(),
            );
        }
        if has_word(name, &["web", "frontend", "portal", "ui", "spa", "front"]) {
            return (
                Some(Role::Frontend),
                "rule: named Web, Frontend or Portal".into(),
            );
        }
        if has_stem(name, &["ingest", "collect", "event"]) {
            return (
                Some(Role::Ingestion),
                "rule: named for ingestion, events or collection".into(),
            );
        }
        if !self.realised_services(c).is_empty() || !self.interfaces(c).is_empty() {
            return (
                Some(Role::Api),
                "rule: realises application services or has an application interface".into(),
            );
        }
        if writes_raw {
            return (
                Some(Role::Ingestion),
                "rule: writes raw (non-metric) data objects".into(),
            );
        }
        if has_stem(name, &["worker", "scheduler", "batch", "job"]) {
            return (Some(Role::Worker), "rule: named for background work".into());
        }
        (
            None,
            "no role: no property and no inference rule matched".into(),
        )
    }

    fn run(&mut self, pack: &str, platform: &[PlatformEntity], reserved_tables: &[String]) -> Ir {
        let m = self.m;
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
                documentation: c.documentation.clone(),
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

        // Entities: platform first (they keep their names), then DataObjects.
        let mut tables = Allocator::new();
        for t in reserved_tables {
            tables.reserve(t);
        }
        let mut entities: Vec<Entity> = Vec::new();
        for p in platform
            .iter()
            .filter(|p| !p.compliance_only || !compliance.is_empty())
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
        self.resolve_refs(&mut entities);
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
            m.name.as_deref(),
            "project",
            &m.identifier,
            0,
        );
        let project = Project {
            name: m
                .name
                .clone()
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| "ArchiMate model".into()),
            key: project_key,
            description: m.documentation.clone(),
            pack: pack.to_owned(),
            model_id: m.identifier.clone(),
            format: m.format.map_or("?", |f| f.as_str()).into(),
            from: vec![m.identifier.clone()],
        };
        let decisions = self.decisions(&project, &metrics, &compliance, &infrastructure, &auth);
        for e in &mut entities {
            let note = match e.origin {
                EntityOrigin::Platform => "extends the pack's platform entity",
                EntityOrigin::Blueprint => "",
            };
            for id in e.from.clone() {
                if let Some(el) = self.by_id.get(id.as_str()).copied() {
                    if el.kind == T::DataObject {
                        let why = if prop(&el.properties, "archgen:fields").is_some() {
                            "property archgen:fields"
                        } else {
                            "rule: a DataObject is a table (default fields)"
                        };
                        let became = if note.is_empty() {
                            format!("table `{}`", e.table)
                        } else {
                            format!("table `{}` ({note})", e.table)
                        };
                        self.explain(el, became, why);
                    } else if el.kind == T::BusinessObject {
                        self.explain(
                            el,
                            format!("table `{}`", e.table),
                            "rule: a BusinessObject realised by a DataObject shares its table",
                        );
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

    fn compliance(&mut self) -> Vec<Compliance> {
        let mut found: BTreeMap<Framework, (Vec<String>, Vec<String>)> = BTreeMap::new();
        if let Some(p) = prop(&self.m.properties, "archgen:compliance") {
            match profile::parse_compliance(p.value.as_deref().unwrap_or("")) {
                Ok(fs) => {
                    for f in fs {
                        let e = found.entry(f).or_default();
                        e.0.push("property archgen:compliance".into());
                        e.1.push(self.m.identifier.clone());
                    }
                }
                Err(e) => self.bad_prop(Code::ProfileValue, p, e),
            }
        }
        for t in [T::Requirement, T::Constraint, T::Principle] {
            for el in self.elements(t) {
                let text = format!(
                    "{} {}",
                    el.name.as_deref().unwrap_or(""),
                    el.documentation.as_deref().unwrap_or("")
                );
                let named = Framework::mentioned_in(&text);
                if !named.is_empty() {
                    let list: Vec<&str> = named.iter().map(|f| f.title()).collect();
                    self.explain(
                        el,
                        format!("compliance framework(s) {}", list.join(", ")),
                        "rule: a Requirement, Constraint or Principle that names a framework",
                    );
                }
                for f in named {
                    let e = found.entry(f).or_default();
                    e.0.push(format!("{} {} names it", el.kind, shown(&display(el))));
                    e.1.push(el.identifier.clone());
                }
            }
        }
        found
            .into_iter()
            .map(|(f, (why, from))| Compliance {
                framework: f,
                key: naming::snake(f.key()).unwrap_or_default(),
                title: f.title().into(),
                why: why.join("; "),
                from,
            })
            .collect()
    }

    /// Whether a metric-like DataObject can become a metric: it has a
    /// definition, or an aggregator reads a source for the default one.
    fn metric_source_known(&self, d: &Element, aggregators: &Aggregators<'m>) -> bool {
        prop(&d.properties, "archgen:metric").is_some()
            || self.default_metric_source(d, aggregators).is_some()
    }

    /// The first raw data object read by an aggregator that writes `d`
    /// (aggregators in identifier order).
    fn default_metric_source(
        &self,
        d: &Element,
        aggregators: &Aggregators<'m>,
    ) -> Option<&'m Element> {
        aggregators
            .writers
            .get(d.identifier.as_str())?
            .iter()
            .flat_map(|&a| aggregators.reads[a].iter().copied())
            .find(|r| !self.is_metric_object(r))
    }

    fn entity(
        &mut self,
        d: &'m Element,
        tables: &mut Allocator,
        entities: &mut Vec<Entity>,
    ) -> usize {
        let parsed = match prop(&d.properties, "archgen:fields") {
            Some(p) => {
                let parsed = profile::parse_fields(p.value.as_deref().unwrap_or(""));
                // One error per bad entry; the others still make the table.
                for e in &parsed.errors {
                    self.bad_prop(Code::ProfileValue, p, e.clone());
                }
                parsed
            }
            None => {
                profile::parse_fields("id uuid pk; created_at timestamp index; data json nullable")
            }
        };
        let broken: Vec<String> = parsed
            .broken
            .iter()
            .map(|n| naming::snake(n).unwrap_or_else(|| n.to_ascii_lowercase()))
            .collect();
        let specs = parsed.specs;
        let slot = format!("entity:{}", d.identifier);
        let table_prop = prop(&d.properties, "archgen:table");
        let mut requested = match table_prop {
            Some(_) => naming::key_for(d.name.as_deref(), "entity", &d.identifier),
            None => self.wanted_key(
                &slot,
                d.name.as_deref(),
                "entity",
                &d.identifier,
                d.pos.offset,
            ),
        };
        if let Some(p) = table_prop {
            let v = p.value.as_deref().unwrap_or("").trim();
            match naming::snake(v) {
                Some(k) if k == v => requested = k,
                _ => self.bad_prop(
                    Code::ProfileValue,
                    p,
                    profile::ProfileError {
                        message: format!("table name {} is not a snake_case name", shown(v)),
                        help: format!(
                            "write lower-case letters, digits and single underscores, e.g. `{}`",
                            naming::snake(v).unwrap_or_else(|| "events".into())
                        ),
                    },
                ),
            }
        }
        let retention = prop(&d.properties, "archgen:retention").and_then(|p| {
            match profile::parse_retention(p.value.as_deref().unwrap_or("")) {
                Ok(r) => Some(r),
                Err(e) => {
                    self.bad_prop(Code::ProfileValue, p, e);
                    None
                }
            }
        });
        let mut from = vec![d.identifier.clone()];
        // BusinessObjects this DataObject realises share the entity.
        from.extend(
            self.out(&d.identifier, R::Realization)
                .into_iter()
                .filter(|e| e.kind == T::BusinessObject)
                .map(|e| e.identifier.clone()),
        );

        // A DataObject named like a platform entity extends it.
        // Platform entities come first.
        if let Some(i) = entities
            .iter()
            .take_while(|e| e.origin == EntityOrigin::Platform)
            .position(|e| e.key == requested && e.from.is_empty())
        {
            let e = &mut entities[i];
            for s in specs {
                let key = naming::snake(&s.name).unwrap_or_else(|| s.name.to_ascii_lowercase());
                match e.fields.iter_mut().find(|f| f.key == key) {
                    Some(f) => {
                        f.pii |= s.pii;
                        f.index |= s.index;
                        f.from.push(d.identifier.clone());
                    }
                    None if key == "organization_id" => {}
                    None => {
                        let mut f = field_from_spec(&s, key, vec![d.identifier.clone()]);
                        f.pk = false;
                        f.nullable = true;
                        e.fields.push(f);
                    }
                }
            }
            e.from = from;
            e.documentation = d.documentation.clone();
            e.retention = retention;
            e.broken_fields = broken;
            return i;
        }

        let key = tables.claim(&requested);
        if table_prop.is_none()
            && key != naming::key_for(d.name.as_deref(), "entity", &d.identifier)
        {
            self.remember.insert(slot, key.clone());
        }
        let mut field_keys = Allocator::new();
        let mut fields: Vec<Field> = Vec::new();
        let fields_at =
            prop(&d.properties, "archgen:fields").map_or(d.pos.offset, |p| p.pos.offset);
        for s in &specs {
            if naming::snake(&s.name).as_deref() == Some("organization_id") {
                continue; // Tenancy adds it.
            }
            let key = self.claim_key(
                &mut field_keys,
                format!("field:{}:{}", d.identifier, s.name),
                Some(&s.name),
                "field",
                &d.identifier,
                fields_at,
            );
            if key != s.name.to_ascii_lowercase() {
                self.diags.push(
                    Diagnostic::new(
                        Code::ProfileAdjusted,
                        format!(
                            "field {} of `{}` is the column `{key}`",
                            shown(&s.name),
                            display(d)
                        ),
                    )
                    .at(fields_at, 1)
                    .help("columns are snake_case keys made unique in their table; name the field so if you want the column to have its name"),
                );
            }
            fields.push(field_from_spec(s, key, vec![d.identifier.clone()]));
        }
        if !fields.iter().any(|f| f.pk) {
            match fields.iter_mut().find(|f| f.key == "id") {
                Some(f) => {
                    f.pk = true;
                    f.nullable = false;
                }
                None => {
                    fields.insert(
                        0,
                        Field {
                            key: "id".into(),
                            column: "id".into(),
                            ty: FieldType::simple(FieldKind::Uuid),
                            pk: true,
                            index: false,
                            unique: false,
                            nullable: false,
                            pii: false,
                            reference: None,
                            from: vec![],
                        },
                    );
                }
            }
        }
        entities.push(Entity {
            table: naming::sql_ident(&key),
            key,
            pascal: String::new(),
            name: display(d),
            origin: EntityOrigin::Blueprint,
            tenant: true,
            documentation: d.documentation.clone(),
            fields,
            retention,
            time_field: None,
            broken_fields: broken,
            from,
        });
        entities.len() - 1
    }

    /// Turns `ref=<name>` into entity keys; unknown targets are errors.
    fn resolve_refs(&mut self, entities: &mut [Entity]) {
        let keys: Vec<String> = entities.iter().map(|e| e.key.clone()).collect();
        // A reference names an entity's key, or its singular or plural.
        let exact: BTreeSet<&str> = keys.iter().map(String::as_str).collect();
        let mut by_stem: HashMap<&str, &String> = HashMap::default();
        for k in &keys {
            by_stem.entry(k.trim_end_matches('s')).or_insert(k);
        }
        for e in entities.iter_mut() {
            for f in &mut e.fields {
                let Some(r) = f.reference.clone() else {
                    continue;
                };
                let want = naming::snake(&r).unwrap_or_default();
                let hit = exact
                    .get(want.as_str())
                    .map(|k| (*k).to_owned())
                    .or_else(|| {
                        by_stem
                            .get(want.trim_end_matches('s'))
                            .map(|k| (*k).clone())
                    });
                match hit {
                    Some(k) => f.reference = Some(k),
                    None => {
                        let p = e
                            .from
                            .first()
                            .and_then(|id| self.by_id.get(id.as_str()))
                            .and_then(|el| prop(&el.properties, "archgen:fields"));
                        let pos = p.map_or(0, |p| p.pos.offset);
                        self.diags.push(
                            Diagnostic::error(
                                Code::ProfileReference,
                                format!(
                                    "field `{}` of `{}` refers to {}, which is no entity",
                                    f.key,
                                    e.key,
                                    shown(&r)
                                ),
                            )
                            .at(pos, 1)
                            .help(format!(
                                "ref= names an entity's table: one of {}",
                                keys.join(", ")
                            )),
                        );
                        f.reference = None;
                    }
                }
            }
        }
    }

    fn metric_key(&mut self, metric_keys: &mut Allocator, d: &Element, name: &str) -> String {
        self.claim_key(
            metric_keys,
            format!("metric:{}", d.identifier),
            Some(name),
            "metric",
            &d.identifier,
            d.pos.offset,
        )
    }

    fn metric(
        &mut self,
        d: &'m Element,
        known: &Known<'_, 'm>,
        metric_keys: &mut Allocator,
        tables: &mut Allocator,
    ) -> Option<Metric> {
        let Known {
            entities,
            index,
            aggregators,
            built,
        } = *known;
        let name = display(d);
        // False when a term of the definition did not read: the metric is
        // not made, but its other terms are still checked.
        let mut ok = true;
        let (def, text, why, p) = match prop(&d.properties, "archgen:metric") {
            Some(p) => {
                let v = p.value.clone().unwrap_or_default();
                let parsed = profile::parse_metric(&v);
                for e in parsed.errors {
                    ok = false;
                    self.bad_prop(Code::ProfileValue, p, e);
                }
                (
                    parsed.def?,
                    v,
                    "property archgen:metric".to_owned(),
                    Some(p),
                )
            }
            None => {
                let src = self.default_metric_source(d, aggregators)?;
                let source = entities[*index.by_first_from.get(src.identifier.as_str())?]
                    .key
                    .clone();
                let grain = if has_word(&name, &["weekly", "week"]) {
                    Grain::Week
                } else if has_word(&name, &["monthly", "month"]) {
                    Grain::Month
                } else {
                    Grain::Day
                };
                let g = match grain {
                    Grain::Day => "day",
                    Grain::Week => "week",
                    Grain::Month => "month",
                };
                let def = MetricDef {
                    measure: Measure::Count,
                    field: None,
                    divisor: None,
                    source: source.clone(),
                    conditions: vec![],
                    grain,
                    time_field: None,
                    dimensions: vec![],
                    kind: KindDef::Simple,
                };
                (
                    def,
                    format!("count(*) from {source} per {g}"),
                    "rule: written by the aggregator that reads its source; counts rows (default)"
                        .to_owned(),
                    None,
                )
            }
        };
        let at = p.map_or(d.pos.offset, |p| p.pos.offset);
        let fail = |s: &mut Self, msg: String, help: String| {
            s.diags.push(
                Diagnostic::error(Code::ProfileReference, msg)
                    .at(at, 1)
                    .help(help),
            );
        };
        if let KindDef::Ratio {
            numerator,
            denominator,
            scale,
        } = &def.kind
        {
            let find = |k: &str| {
                let k = naming::snake(k).unwrap_or_default();
                built.iter().find(|m| m.key == k)
            };
            let keys = built
                .iter()
                .map(|m| m.key.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            let (Some(num), Some(den)) = (find(numerator), find(denominator)) else {
                let missing = if find(numerator).is_none() {
                    numerator
                } else {
                    denominator
                };
                fail(
                    self,
                    format!(
                        "metric `{name}` divides by or into {}, which is no metric",
                        shown(missing)
                    ),
                    if keys.is_empty() {
                        "a ratio divides two metrics defined in the model; none is defined yet"
                            .to_string()
                    } else {
                        format!("name metrics by their keys: {keys}")
                    },
                );
                return None;
            };
            let dims = |m: &Metric| {
                m.dimensions
                    .iter()
                    .map(|d| d.key.clone())
                    .collect::<Vec<_>>()
            };
            let divisible = |m: &Metric| {
                matches!(
                    m.kind,
                    KindDef::Simple | KindDef::Rolling { .. } | KindDef::Snapshot { .. }
                )
            };
            if num.grain != den.grain
                || dims(num) != dims(den)
                || !divisible(num)
                || !divisible(den)
            {
                fail(
                    self,
                    format!("metric `{name}` divides `{}` by `{}`, which do not share their period and dimensions", num.key, den.key),
                    "a ratio divides two simple, rolling or snapshot metrics of the same grain and the same dimensions".into(),
                );
                return None;
            }
            let key = self.metric_key(metric_keys, d, &name);
            let table = naming::sql_ident(&tables.claim(&key));
            self.explain(
                d,
                format!(
                    "metric `{key}` (ratio, table `{table}`): {} / {}",
                    num.key, den.key
                ),
                why,
            );
            return Some(Metric {
                key,
                pascal: String::new(),
                name,
                table,
                measure: Measure::Ratio,
                field: None,
                source: num.source.clone(),
                conditions: vec![],
                grain: num.grain,
                time_field: num.time_field.clone(),
                dimensions: num.dimensions.clone(),
                value_type: "float".into(),
                unit: self.metric_unit(d),
                divisor: None,
                kind: KindDef::Ratio {
                    numerator: num.key.clone(),
                    denominator: den.key.clone(),
                    scale: *scale,
                },
                definition: text,
                documentation: d.documentation.clone(),
                from: vec![d.identifier.clone()],
            });
        }
        let want = naming::snake(&def.source).unwrap_or_default();
        let first = [
            index.by_key.get(want.as_str()),
            index.by_table.get(want.as_str()),
        ];
        let Some(src) = first.into_iter().flatten().min().map(|&i| &entities[i]) else {
            let names: Vec<&str> = entities
                .iter()
                .filter(|e| e.origin == EntityOrigin::Blueprint)
                .map(|e| e.key.as_str())
                .collect();
            fail(
                self,
                format!(
                    "metric `{name}` reads {}, which is no entity",
                    shown(&def.source)
                ),
                format!(
                    "`from` names an entity's table: one of {}",
                    names.join(", ")
                ),
            );
            return None;
        };
        let field = |k: &str| {
            src.fields
                .iter()
                .find(|f| f.key == naming::snake(k).unwrap_or_default())
        };
        // A field whose own entry was refused has had its error already.
        let broken = |k: &str| {
            let k = naming::snake(k).unwrap_or_default();
            src.broken_fields.contains(&k)
        };
        let fields_list = src
            .fields
            .iter()
            .map(|f| f.key.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let mut check = |s: &mut Self, k: &str, what: &str| -> Option<Field> {
            let f = field(k).cloned();
            if f.is_none() {
                ok = false;
                if broken(k) {
                    return None;
                }
                fail(
                    s,
                    format!(
                        "metric `{name}` uses {} as {what}, but `{}` has no such field",
                        shown(k),
                        src.key
                    ),
                    format!("fields of `{}`: {fields_list}", src.key),
                );
            }
            f
        };
        let measured = def
            .field
            .as_deref()
            .and_then(|k| check(self, k, "its measured field"));
        let norm = |cs: &[profile::Condition]| -> Vec<profile::Condition> {
            cs.iter()
                .map(|c| profile::Condition {
                    field: naming::snake(&c.field).unwrap_or_default(),
                    op: c.op,
                    values: c.values.clone(),
                })
                .collect()
        };
        for c in &def.conditions {
            check(self, &c.field, "a condition");
        }
        // What the kind reads beside the measure.
        let mut interval: Option<(Field, Field)> = None;
        let kind = match &def.kind {
            KindDef::Snapshot {
                start_field,
                end_field,
            } => {
                let f = check(self, start_field, "the start of its interval");
                let t = check(self, end_field, "the end of its interval");
                if let (Some(f), Some(t)) = (f, t) {
                    interval = Some((f.clone(), t.clone()));
                    KindDef::Snapshot {
                        start_field: f.key,
                        end_field: t.key,
                    }
                } else {
                    def.kind.clone()
                }
            }
            KindDef::Cohort {
                first,
                then,
                periods,
            } => {
                for c in first.iter().chain(then) {
                    check(self, &c.field, "a condition");
                }
                KindDef::Cohort {
                    first: norm(first),
                    then: norm(then),
                    periods: *periods,
                }
            }
            KindDef::Funnel { steps, within_days } => {
                for c in steps.iter().flatten() {
                    check(self, &c.field, "a funnel step");
                }
                KindDef::Funnel {
                    steps: steps.iter().map(|st| norm(st)).collect(),
                    within_days: *within_days,
                }
            }
            other => other.clone(),
        };
        let divisor = match &def.divisor {
            Some(profile::Operand::Field(k)) => {
                check(self, k, "its divisor").map(|f| profile::Operand::Field(f.key))
            }
            other => other.clone(),
        };
        let mut dims: Vec<Dimension> = def
            .dimensions
            .iter()
            .filter_map(|k| check(self, k, "a dimension"))
            .map(|f| Dimension {
                key: f.key,
                column: f.column,
                ty: f.ty,
                derived: false,
            })
            .collect();
        let derived = match kind {
            KindDef::Cohort { .. } => Some("period_offset"),
            KindDef::Funnel { .. } => Some("step"),
            _ => None,
        };
        if let Some(k) = derived {
            dims.push(Dimension {
                key: k.into(),
                column: k.into(),
                ty: FieldType::simple(FieldKind::Integer),
                derived: true,
            });
        }
        let time = match (&def.time_field, &interval) {
            (Some(k), _) => check(self, k, "its time field"),
            (None, Some((from, _))) => Some(from.clone()),
            (None, None) => src.time_field.as_deref().and_then(field).cloned(),
        };
        if let Some((f, t)) = &interval {
            if !f.ty.kind.is_time() || !t.ty.kind.is_time() {
                fail(
                    self,
                    format!("metric `{name}` is active from `{}` to `{}`: both must be dates or timestamps", f.key, t.key),
                    "name the fields that hold when each row starts and stops being active".into(),
                );
                return None;
            }
        }
        if let Some(profile::Operand::Field(k)) = &divisor {
            if !src
                .fields
                .iter()
                .any(|f| f.key == *k && f.ty.kind.is_number())
            {
                fail(
                    self,
                    format!("metric `{name}` divides by `{k}`, which is not a number"),
                    "divide by an integer or numeric field, or by a number".into(),
                );
                return None;
            }
        }
        if !ok {
            return None;
        }
        let Some(time) = time.filter(|t| t.ty.kind.is_time()) else {
            if !src.broken_fields.is_empty() {
                return None; // Its time field may be the refused entry.
            }
            fail(self, format!("metric `{name}` has no timestamp field to group by"), format!("give `{}` a timestamp field (occurred_at or created_at), or name one with `of <field>`", src.key));
            return None;
        };
        if let Some(f) = &measured {
            let numeric_needed = matches!(
                def.measure,
                Measure::Sum | Measure::Avg | Measure::Min | Measure::Max
            );
            if numeric_needed && !f.ty.kind.is_number() {
                fail(
                    self,
                    format!(
                        "metric `{name}` takes {:?} of `{}`, which is not a number",
                        def.measure, f.key
                    ),
                    "sum, avg, min and max need an integer, bigint or numeric field".into(),
                );
                return None;
            }
        }
        // JSON values have no equality in PostgreSQL: they cannot be grouped,
        // compared or counted distinctly.
        let json_use = measured
            .iter()
            .filter(|_| def.measure == Measure::CountDistinct)
            .map(|f| (f.key.clone(), "with count_distinct"))
            .chain(dims.iter().map(|d| (d.key.clone(), "as a dimension")))
            .chain(
                def.conditions
                    .iter()
                    .filter(|c| !matches!(c.op, profile::Op::IsNull | profile::Op::IsNotNull))
                    .map(|c| {
                        (
                            naming::snake(&c.field).unwrap_or_default(),
                            "in a comparison",
                        )
                    }),
            )
            .find(|(k, _)| {
                src.fields
                    .iter()
                    .any(|f| f.key == *k && f.ty.kind == FieldKind::Json)
            });
        if let Some((k, how)) = json_use {
            fail(
                self,
                format!("metric `{name}` cannot use the json field `{k}` {how}"),
                "a json field can only be tested with `is null` / `is not null`; use a text or number field".into(),
            );
            return None;
        }
        let value_type = match (def.measure, &measured) {
            (Measure::Count | Measure::CountDistinct | Measure::Cohort | Measure::Funnel, _) => {
                "integer"
            }
            (Measure::Sum | Measure::Min | Measure::Max, Some(f))
                if f.ty.kind.is_integer() && divisor.is_none() =>
            {
                "integer"
            }
            _ => "float",
        };
        let conditions = def
            .conditions
            .iter()
            .map(|c| profile::Condition {
                field: naming::snake(&c.field).unwrap_or_default(),
                op: c.op,
                values: c.values.clone(),
            })
            .collect();
        let key = self.metric_key(metric_keys, d, &name);
        let requested_table = match prop(&d.properties, "archgen:table")
            .and_then(|p| p.value.as_deref())
            .and_then(|v| naming::snake(v.trim()).filter(|k| k == v.trim()))
        {
            Some(t) => t,
            None => key.clone(),
        };
        let table = naming::sql_ident(&tables.claim(&requested_table));
        self.explain(
            d,
            format!("metric `{key}` ({}, table `{table}`)", kind.name()),
            why,
        );
        let unit = self.metric_unit(d);
        Some(Metric {
            key,
            pascal: String::new(),
            name,
            table,
            measure: def.measure,
            field: measured.map(|f| f.key),
            source: src.key.clone(),
            conditions,
            grain: def.grain,
            time_field: time.key,
            dimensions: dims,
            value_type: value_type.into(),
            unit,
            divisor,
            kind,
            definition: text,
            documentation: d.documentation.clone(),
            from: vec![d.identifier.clone()],
        })
    }

    /// `archgen:unit`, or an error diagnostic.
    fn metric_unit(&mut self, d: &Element) -> Option<profile::Unit> {
        let p = prop(&d.properties, "archgen:unit")?;
        match profile::parse_unit(p.value.as_deref().unwrap_or_default()) {
            Ok(u) => Some(u),
            Err(e) => {
                self.bad_prop(Code::ProfileValue, p, e);
                None
            }
        }
    }

    fn services(
        &mut self,
        roles: &HashMap<&str, Option<Role>>,
        comp_keys: &HashMap<&str, String>,
        entity_by_do: &HashMap<&str, usize>,
        metric_by_do: &HashMap<&str, String>,
        entities: &[Entity],
    ) -> Vec<Service> {
        let mut keys = Allocator::new();
        for reserved in RESERVED_MODULES {
            keys.reserve(reserved);
        }
        let mut paths: BTreeSet<String> = BTreeSet::new();
        let mut out = Vec::new();
        for s in self.elements(T::ApplicationService) {
            let name = display(s);
            // Who provides it.
            let mut providers: Vec<&Element> = self
                .incoming(&s.identifier, R::Realization)
                .into_iter()
                .flat_map(|x| {
                    if x.kind == T::ApplicationComponent {
                        vec![x]
                    } else {
                        self.incoming(&x.identifier, R::Assignment)
                            .into_iter()
                            .filter(|c| c.kind == T::ApplicationComponent)
                            .collect()
                    }
                })
                .collect();
            let ifaces: Vec<&Element> = self
                .incoming(&s.identifier, R::Assignment)
                .into_iter()
                .filter(|e| e.kind == T::ApplicationInterface)
                .collect();
            for i in &ifaces {
                providers.extend(
                    [R::Composition, R::Assignment, R::Aggregation]
                        .into_iter()
                        .flat_map(|r| self.incoming(&i.identifier, r))
                        .filter(|c| c.kind == T::ApplicationComponent),
                );
            }
            providers.sort_by(|a, b| a.identifier.cmp(&b.identifier));
            providers.dedup_by(|a, b| a.identifier == b.identifier);
            let provider = providers.first().copied();
            let role = provider.and_then(|p| roles.get(p.identifier.as_str()).copied().flatten());

            // What it reads: its own Access, else the provider's that match its name.
            let own = self.access(s, &[T::DataObject]).reads;
            let mut why = String::new();
            let reads: Vec<&Element> = if !own.is_empty() {
                why.push_str("reads what its own Access relationships name");
                own
            } else if let Some(p) = provider {
                let all = self.access(p, &[T::DataObject]).reads;
                let sw: BTreeSet<String> = words(&name)
                    .into_iter()
                    .filter(|w| !STOP_WORDS.contains(&w.as_str()))
                    .collect();
                let mentions = |w: &String| {
                    sw.contains(w)
                        || sw.contains(&format!("{w}s"))
                        || sw.contains(w.trim_end_matches('s'))
                };
                let content = |d: &&Element| -> Vec<String> {
                    words(d.name.as_deref().unwrap_or(""))
                        .into_iter()
                        .filter(|w| !STOP_WORDS.contains(&w.as_str()))
                        .collect()
                };
                // Data objects whose whole name the service's name holds; else any overlap.
                let mut matched: Vec<&Element> = all
                    .iter()
                    .copied()
                    .filter(|d| {
                        let c = content(d);
                        !c.is_empty() && c.iter().all(mentions)
                    })
                    .collect();
                if matched.is_empty() {
                    matched = all
                        .iter()
                        .copied()
                        .filter(|d| content(d).iter().any(mentions))
                        .collect();
                }
                if !matched.is_empty() {
                    why.push_str("reads the provider's data objects its name mentions");
                    matched
                } else if all
                    .iter()
                    .any(|d| metric_by_do.contains_key(d.identifier.as_str()))
                {
                    why.push_str("reads the metrics its provider reads");
                    all.into_iter()
                        .filter(|d| metric_by_do.contains_key(d.identifier.as_str()))
                        .collect()
                } else {
                    why.push_str("reads what its provider reads");
                    all
                }
            } else {
                why.push_str("has no provider");
                vec![]
            };
            let ms: Vec<String> = reads
                .iter()
                .filter_map(|d| metric_by_do.get(d.identifier.as_str()).cloned())
                .collect();
            let es: Vec<String> = reads
                .iter()
                .filter_map(|d| {
                    entity_by_do
                        .get(d.identifier.as_str())
                        .map(|&i| entities[i].key.clone())
                })
                .collect();
            let kind = match role {
                Some(Role::Ingestion) => ServiceKind::Ingest,
                Some(Role::Auth) => ServiceKind::Auth,
                Some(Role::Frontend | Role::Aggregator | Role::Worker) => ServiceKind::Other,
                Some(Role::Api) | None if provider.is_none() && ms.is_empty() && es.is_empty() => {
                    ServiceKind::Other
                }
                _ if ms.is_empty() && !es.is_empty() => ServiceKind::EntityList,
                _ => ServiceKind::Metrics,
            };
            let key = self.claim_key(
                &mut keys,
                format!("service:{}", s.identifier),
                Some(&name),
                "service",
                &s.identifier,
                s.pos.offset,
            );
            let mut path = match prop(&s.properties, "archgen:path") {
                Some(p) => match profile::parse_path(p.value.as_deref().unwrap_or("")) {
                    Ok(v) => v,
                    Err(e) => {
                        self.bad_prop(Code::ProfileValue, p, e);
                        String::new()
                    }
                },
                None => format!("/api/{}", naming::kebab(&key)),
            };
            if matches!(kind, ServiceKind::Metrics | ServiceKind::EntityList) {
                let clash = RESERVED_PATHS
                    .iter()
                    .any(|r| path == *r || path.starts_with(&format!("{r}/")))
                    || path == "/";
                if clash || paths.contains(&path) {
                    let moved = format!("/api/services/{}", naming::kebab(&key));
                    let at =
                        prop(&s.properties, "archgen:path").map_or(s.pos.offset, |p| p.pos.offset);
                    self.diags.push(
                        Diagnostic::new(Code::ProfileAdjusted, format!("service `{name}`: path {} is taken; it is served at `{moved}`", shown(&path)))
                            .at(at, 1)
                            .help("give the service an archgen:path that no other route uses (the pack owns /api/auth, /api/admin, /api/ingest, /api/dashboard/metrics, /health)"),
                    );
                    path = moved;
                }
                paths.insert(path.clone());
            }
            let consumers: Vec<String> = self
                .out(&s.identifier, R::Serving)
                .iter()
                .filter_map(|c| comp_keys.get(c.identifier.as_str()).cloned())
                .collect();
            let became = match kind {
                ServiceKind::Metrics => format!(
                    "route GET {path} (metrics: {})",
                    if ms.is_empty() {
                        "none".into()
                    } else {
                        ms.join(", ")
                    }
                ),
                ServiceKind::EntityList => {
                    format!("route GET {path} (paged rows of {})", es.join(", "))
                }
                ServiceKind::Ingest => "the ingestion endpoint POST /api/ingest/{table}".into(),
                ServiceKind::Auth => "the session endpoints under /api/auth".into(),
                ServiceKind::Other => "no route (not provided by an API component)".into(),
            };
            let why_full = match provider {
                Some(p) => format!("rule: provided by `{}`; {why}", display(p)),
                None => format!("rule: {why}"),
            };
            self.explain(s, became, why_full.clone());
            for i in &ifaces {
                let became = match self.why.get(i.identifier.as_str()) {
                    Some((b, _)) if b.starts_with("interface of service") => {
                        format!("{b}, `{key}`")
                    }
                    _ => format!("interface of service `{key}`"),
                };
                self.explain(i, became, "rule: assigned to the service");
            }
            out.push(Service {
                key,
                name,
                kind,
                path,
                provider: provider.and_then(|p| comp_keys.get(p.identifier.as_str()).cloned()),
                interfaces: ifaces.iter().map(|i| display(i)).collect(),
                metrics: ms,
                entities: es,
                consumers,
                documentation: s.documentation.clone(),
                why: why_full,
                from: std::iter::once(s.identifier.clone())
                    .chain(ifaces.iter().map(|i| i.identifier.clone()))
                    .collect(),
            });
        }
        out
    }

    fn infrastructure(&mut self, roles: &HashMap<&str, Option<Role>>) -> Infrastructure {
        let db_like = |e: &Element| {
            let n = e.name.as_deref().unwrap_or("");
            has_stem(n, &["postgres"])
                || has_word(n, &["db", "database", "rdbms", "sql"])
                || (has_word(n, &["analytics"]) && has_word(n, &["store", "warehouse"]))
        };
        let mut db_from: Vec<String> = Vec::new();
        for ss in self
            .elements(T::SystemSoftware)
            .into_iter()
            .filter(|e| db_like(e))
        {
            db_from.push(ss.identifier.clone());
            self.explain(
                ss,
                "compose service `db` (PostgreSQL)",
                "rule: SystemSoftware named PostgreSQL or a database",
            );
            for n in self
                .incoming(&ss.identifier, R::Composition)
                .into_iter()
                .chain(self.incoming(&ss.identifier, R::Assignment))
            {
                if n.kind == T::Node || n.kind == T::Device {
                    db_from.push(n.identifier.clone());
                    self.explain(
                        n,
                        "hosts compose service `db`",
                        "rule: a Node that holds the database SystemSoftware",
                    );
                }
            }
        }
        // Which compose service each component runs in, and what hosts it.
        let mut api_from: Vec<String> = Vec::new();
        let mut worker_from: Vec<String> = Vec::new();
        for c in self.elements(T::ApplicationComponent) {
            let (target, service) = match roles.get(c.identifier.as_str()).copied().flatten() {
                Some(Role::Aggregator | Role::Worker) => (&mut worker_from, "worker"),
                Some(_) => (&mut api_from, "api"),
                None => continue,
            };
            target.push(c.identifier.clone());
            for art in self
                .incoming(&c.identifier, R::Realization)
                .into_iter()
                .filter(|a| a.kind == T::Artifact)
            {
                target.push(art.identifier.clone());
                self.explain(
                    art,
                    format!("the image of compose service `{service}`"),
                    "rule: an Artifact that realises a component",
                );
                for host in self.incoming(&art.identifier, R::Assignment) {
                    if matches!(host.kind, T::SystemSoftware | T::Node | T::Device)
                        && !db_like(host)
                    {
                        target.push(host.identifier.clone());
                        self.explain(
                            host,
                            format!("runtime of compose service `{service}`"),
                            "rule: assigned to the Artifact deployed on it",
                        );
                        for n in self.incoming(&host.identifier, R::Composition) {
                            if matches!(n.kind, T::Node | T::Device) {
                                target.push(n.identifier.clone());
                                self.explain(
                                    n,
                                    format!("hosts compose service `{service}`"),
                                    "rule: a Node that holds the runtime",
                                );
                            }
                        }
                    }
                }
            }
        }
        for v in [&mut db_from, &mut api_from, &mut worker_from] {
            let mut seen = BTreeSet::new();
            v.retain(|x| seen.insert(x.clone()));
        }
        let db_name = db_from
            .first()
            .and_then(|id| self.by_id.get(id.as_str()))
            .map_or_else(|| "PostgreSQL".into(), |e| display(e));
        let mut runtimes: Vec<Runtime> = Vec::new();
        let mut hosts: Vec<&Element> = [T::SystemSoftware, T::Node, T::Device]
            .into_iter()
            .flat_map(|k| self.elements(k))
            .collect();
        hosts.sort_by(|a, b| a.identifier.cmp(&b.identifier));
        for e in hosts {
            if let Some((name, version)) = e.name.as_deref().and_then(runtime_of) {
                // Said beside what else it became (the host of a service, say).
                let (mut became, mut why) = self
                    .why
                    .get(e.identifier.as_str())
                    .cloned()
                    .unwrap_or_default();
                for (text, part) in [
                    (&mut became, format!("runtime `{name}` version {version}")),
                    (
                        &mut why,
                        "rule: its name gives a runtime and its version".to_owned(),
                    ),
                ] {
                    if !text.is_empty() {
                        text.push_str("; ");
                    }
                    text.push_str(&part);
                }
                self.explain(e, became, why);
                runtimes.push(Runtime {
                    name,
                    version,
                    from: vec![e.identifier.clone()],
                });
            }
        }
        Infrastructure {
            runtimes,
            database: Database {
                engine: "postgresql".into(),
                name: db_name,
                from: db_from.clone(),
            },
            services: vec![
                InfraService {
                    key: "api".into(),
                    purpose: "the HTTP API (and the dashboard page when there is a frontend)"
                        .into(),
                    from: api_from,
                },
                InfraService {
                    key: "worker".into(),
                    purpose: "the scheduled jobs: aggregation and retention".into(),
                    from: worker_from,
                },
                InfraService {
                    key: "db".into(),
                    purpose: "PostgreSQL".into(),
                    from: db_from,
                },
            ],
        }
    }

    /// The model's principles and constraints whose name or documentation
    /// mentions one of `words` (lower-case stems), as "Principle: Name".
    fn related_motivation(&self, words: &[&str]) -> Vec<String> {
        let mut out = Vec::new();
        for kind in [T::Principle, T::Constraint, T::Requirement] {
            for e in self.elements(kind) {
                let text = format!(
                    "{} {}",
                    e.name.as_deref().unwrap_or_default(),
                    e.documentation.as_deref().unwrap_or_default()
                )
                .to_lowercase();
                if words.iter().any(|w| text.contains(w)) {
                    out.push(format!("{}: {}", e.kind.as_str(), display(e)));
                }
            }
        }
        out.sort();
        out
    }

    fn decisions(
        &mut self,
        project: &Project,
        metrics: &[Metric],
        compliance: &[super::Compliance],
        infra: &Infrastructure,
        auth: &Auth,
    ) -> Vec<Decision> {
        let mut out: Vec<Decision> = Vec::new();
        let add = |out: &mut Vec<Decision>, d: Decision| {
            let number = out.len() + 1;
            out.push(Decision { number, ..d });
        };
        let lines = |xs: &[&str]| xs.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
        let generator = |key: &str, title: String, context: String| Decision {
            number: 0,
            key: key.into(),
            title,
            context,
            drivers: Vec::new(),
            options: Vec::new(),
            decision: String::new(),
            consequences: Vec::new(),
            source: "generator".into(),
            from: Vec::new(),
            supersedes: None,
        };
        let mut stack = generator(
            "stack",
            format!("Generate the service with the `{}` template pack", project.pack),
            "The blueprint describes what the system is, not how it is built; a stack had to be chosen to make it run.".into(),
        );
        stack.drivers = lines(&[
            "The model's elements should become running code without hand translation",
            "Regeneration must keep hand edits",
        ]);
        stack.options = vec![
            format!("archgen's `{}` pack", project.pack),
            "Another archgen pack (`archgen packs`, or `--pack DIR`)".into(),
            "Code written by hand from the model".into(),
        ];
        stack.decision = format!("The blueprint's archgen:pack property or archgen's default names `{}`; it renders every part the model describes and regenerates without losing hand edits.", project.pack);
        stack.consequences = lines(&["Good, because the code follows the model on every regeneration, with hand edits merged", "Bad, because changing the stack means another pack and a regeneration"]);
        stack.from = project.from.clone();
        add(&mut out, stack);

        let mut database = generator(
            "database",
            "PostgreSQL in production, SQLite embedded for development and tests".into(),
            format!(
                "The blueprint's data store is `{}`. Tests must run without a server.",
                infra.database.name
            ),
        );
        database.drivers = self.related_motivation(&["postgres", "database", "sql", "storage"]);
        database.drivers.insert(
            0,
            "The tests must run anywhere, without a database server".into(),
        );
        database.options = lines(&[
            "PostgreSQL in production, SQLite for development and tests, one SQL dialect both accept",
            "PostgreSQL everywhere",
            "SQLite everywhere",
        ]);
        database.decision = "One database URL switches the engine; migrations and queries are written for both, and the tests run on both in CI.".into();
        database.consequences = lines(&[
            "Good, because the tests need no server, and production gets PostgreSQL's concurrency",
            "Bad, because only SQL both engines accept is generated, and engine-specific behaviour (locks, unique keys with NULLs) needs code and tests for each",
        ]);
        database.from = infra.database.from.clone();
        add(&mut out, database);

        let mut session = generator(
            "session-auth",
            "Server-side sessions in HttpOnly cookies".into(),
            "Dashboard users sign in from a browser; a token kept in browser storage can be read by any injected script.".into(),
        );
        session.drivers =
            self.related_motivation(&["session", "cookie", "auth", "sign-in", "login", "security"]);
        session.options = lines(&[
            "Server-side sessions, their id only in an HttpOnly, Secure, SameSite=Lax cookie, with CSRF tokens",
            "JWT bearer tokens kept by the page's script",
            "An OAuth2/OIDC proxy in front of the application",
        ]);
        session.decision = "Sign-in creates a server-side session stored as a hash; its id travels only in the cookie, so no script can read it, and the server can end it at any time.".into();
        session.consequences = lines(&[
            "Good, because sessions can be revoked on the server and stolen scripts cannot read them",
            "Bad, because state-changing requests need a CSRF token, and the API is meant for the same-site page (ingestion uses API keys)",
        ]);
        session.from = auth.from.clone();
        add(&mut out, session);

        let mut tenancy = generator(
            "tenancy",
            "Every tenant row carries its organization".into(),
            "The dashboard serves many organizations from one database.".into(),
        );
        tenancy.drivers =
            self.related_motivation(&["tenant", "organization", "customer", "isolation"]);
        tenancy.options = lines(&[
            "An organization_id column on every tenant table, every query scoped by it",
            "A schema per organization",
            "A database per organization",
        ]);
        tenancy.decision = "One schema keeps migrations and aggregation simple; every tenant table has an `organization_id`, and the code reads and writes only the caller's organization.".into();
        tenancy.consequences = lines(&[
            "Good, because one migration chain and one set of queries serve every organization",
            "Bad, because no query may be written without the organization scope: tests prove organizations cannot see each other's data",
        ]);
        add(&mut out, tenancy);

        if !metrics.is_empty() {
            let mut pre = generator(
                "pre-aggregated-metrics",
                "Dashboards read only pre-aggregated metric tables".into(),
                "The blueprint defines metrics over raw data that grows without bound.".into(),
            );
            pre.drivers = self.related_motivation(&[
                "aggregat",
                "metric",
                "dashboard",
                "latency",
                "performance",
            ]);
            pre.options = lines(&[
                "Metric tables per organization and period, filled by a scheduled job with set-based SQL, incrementally",
                "Aggregate the raw rows on every dashboard request",
                "A separate streaming or OLAP engine",
            ]);
            pre.decision = "Each run recomputes only the periods new rows fall into; the dashboard API reads only the metric tables.".into();
            pre.consequences = lines(&[
                "Good, because dashboard latency does not grow with raw data, and a run's cost follows what arrived",
                "Bad, because figures are as fresh as the last run (the page says when), and a new metric kind needs its own SQL",
            ]);
            pre.from = metrics.iter().flat_map(|m| m.from.clone()).collect();
            add(&mut out, pre);
        }
        for c in compliance {
            let mut d = generator(
                &format!("compliance-{}", naming::kebab(&c.key)),
                format!("Implement {} controls", c.title),
                format!("The blueprint names {} ({}).", c.title, c.why),
            );
            d.drivers =
                self.related_motivation(&["complian", "privacy", "audit", "retention", &c.key]);
            d.options = vec![
                format!("The {} controls in the generated code, each with its test, listed in COMPLIANCE_REPORT.md", c.title),
                "Controls left to the team".into(),
            ];
            d.decision = "What code can enforce is generated and proven by tests; the report points at each control's line and test.".into();
            d.consequences = lines(&[
                "Good, because each claim in the report is checked by a test on every run",
                "Bad, because controls outside the code (processes, encryption at rest, backups) stay the team's to do, listed in the report",
            ]);
            d.from = c.from.clone();
            add(&mut out, d);
        }
        let mut motivation: Vec<&Element> = self.elements(T::Principle);
        motivation.extend(self.elements(T::Constraint));
        motivation.sort_by(|a, b| a.identifier.cmp(&b.identifier));
        let mut keys = Allocator::new();
        for e in motivation {
            let kind = if e.kind == T::Principle {
                "principle"
            } else {
                "constraint"
            };
            let key = self.element_key(&mut keys, "decision", kind, e);
            let name = display(e);
            add(
                &mut out,
                Decision {
                    number: 0,
                    key: naming::kebab(&key),
                    title: name.clone(),
                    context: e
                        .documentation
                        .clone()
                        .unwrap_or_else(|| format!("The blueprint states this {kind}.")),
                    drivers: Vec::new(),
                    options: vec![name],
                    decision: format!("The model states this {kind}; the implementation follows it."),
                    consequences: vec!["Bad, for any change that would break it: that needs a new decision that supersedes this one".into()],
                    source: "blueprint".into(),
                    from: vec![e.identifier.clone()],
                    supersedes: None,
                },
            );
            self.explain(
                e,
                format!("ADR-{:03}", out.len()),
                format!("rule: every {kind} becomes an architecture decision record"),
            );
        }
        out
    }

    fn explanations(&self) -> Vec<Explanation> {
        self.m
            .elements
            .iter()
            .map(|e| {
                let (became, why) = self
                    .why
                    .get(e.identifier.as_str())
                    .cloned()
                    .unwrap_or_else(|| ("nothing".into(), "not used by the generator".into()));
                Explanation {
                    element: e.identifier.clone(),
                    kind: e.kind.as_str().into(),
                    name: display(e),
                    became,
                    why,
                }
            })
            .collect()
    }
}

/// Module names the pack uses itself; services get other keys.
const RESERVED_MODULES: &[&str] = &[
    "admin",
    "api",
    "audit",
    "auth",
    "cli",
    "compliance",
    "config",
    "dashboard",
    "db",
    "deps",
    "frontend",
    "health",
    "ingest",
    "jobs",
    "main",
    "models",
    "routes",
    "schemas",
    "security",
    "services",
    "tenancy",
    "web",
];

/// Routes the pack serves itself.
const RESERVED_PATHS: &[&str] = &[
    "/api/auth",
    "/api/admin",
    "/api/ingest",
    "/api/dashboard/metrics",
    "/health",
    "/metrics",
    "/docs",
    "/openapi.json",
    "/static",
    "/redoc",
];

fn field_from_spec(s: &FieldSpec, key: String, from: Provenance) -> Field {
    Field {
        column: naming::sql_ident(&key),
        key,
        ty: s.ty,
        pk: s.pk,
        index: s.index,
        unique: s.unique,
        nullable: s.nullable && !s.pk,
        pii: s.pii,
        reference: s.reference.clone(),
        from,
    }
}

/// The runtime and version a name gives: "Python 3.12 Runtime" →
/// (`python`, `3.12`), "CPython3.13" → (`cpython`, `3.13`), "Node.js 20" →
/// (`node.js`, `20`). The version is the first run of digits and dots that
/// follows a word; None when there is no such pair.
pub(crate) fn runtime_of(name: &str) -> Option<(String, String)> {
    let chars: Vec<char> = name.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && (chars[i].is_ascii_alphabetic() || chars[i] == '.') {
            i += 1;
        }
        let word: String = chars[start..i].iter().collect::<String>();
        let word = word.trim_end_matches('.').to_ascii_lowercase();
        let mut j = i;
        while j < chars.len() && (chars[j] == ' ' || chars[j] == '-') {
            j += 1;
        }
        if j < chars.len() && chars[j] == 'v' && chars.get(j + 1).is_some_and(char::is_ascii_digit)
        {
            j += 1;
        }
        let vstart = j;
        while j < chars.len() && (chars[j].is_ascii_digit() || chars[j] == '.') {
            j += 1;
        }
        let version: String = chars[vstart..j].iter().collect::<String>();
        let version = version.trim_end_matches('.');
        let followed = chars.get(j).is_none_or(|c| !c.is_ascii_alphanumeric());
        if !version.is_empty() && version.starts_with(|c: char| c.is_ascii_digit()) && followed {
            return Some((word, version.to_owned()));
        }
    }
    None
}

fn display(e: &Element) -> String {
    match e.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => n.to_owned(),
        None => format!("{} {}", e.kind, e.identifier),
    }
}

#[cfg(test)]
mod tests {
    use super::runtime_of;

    #[test]
    fn runtimes_are_read_from_names() {
        let r = |n: &str| runtime_of(n).map(|(a, b)| format!("{a} {b}"));
        assert_eq!(r("Python 3.12 Runtime").as_deref(), Some("python 3.12"));
        assert_eq!(r("CPython3.13").as_deref(), Some("cpython 3.13"));
        assert_eq!(r("Node.js 20").as_deref(), Some("node.js 20"));
        assert_eq!(r("python-v3.11.4").as_deref(), Some("python 3.11.4"));
        assert_eq!(r("PostgreSQL Analytics DB"), None);
        assert_eq!(r("Server 2x"), None);
        assert_eq!(r("3.12"), None);
    }
}
