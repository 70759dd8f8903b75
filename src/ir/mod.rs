//! The intermediate representation: what the system *is*, with no stack in
//! it.
//!
//! In: a usable [`crate::model::Model`]. Out: an [`Ir`] (or diagnostics when
//! the archgen profile properties are wrong). Every item names the model
//! elements it came from (`from`), and [`Ir::explanations`] says for each
//! element what it became and why (a property, or an inference rule).
//!
//! Keys are unique snake_case identifiers (see [`crate::naming`]); packs
//! derive every target name from them.

pub mod build;
pub mod profile;
pub mod stack;
pub mod views;

pub use build::build;
pub use profile::{FieldKind, FieldType, Framework, Grain, KindDef, Measure, Operand, Role, Unit};
pub use stack::Stack;

use profile::{Condition, Retention};
use serde::Serialize;

/// The identifiers of the model elements an item came from.
pub type Provenance = Vec<String>;

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Ir {
    pub project: Project,
    /// True when the model has application-layer elements; when false, packs
    /// write a documentation-only project.
    pub application: bool,
    pub components: Vec<Component>,
    pub entities: Vec<Entity>,
    pub metrics: Vec<Metric>,
    pub jobs: Vec<Job>,
    pub services: Vec<Service>,
    pub events: Vec<EventType>,
    /// Keys of the entities the ingestion endpoint accepts.
    pub ingested: Vec<String>,
    /// The messages components send each other: one per Flow or Triggering
    /// the model draws between two application components.
    pub channels: Vec<Channel>,
    pub auth: Auth,
    pub frontend: Option<Frontend>,
    pub infrastructure: Infrastructure,
    pub compliance: Vec<Compliance>,
    pub decisions: Vec<Decision>,
    /// The model's views, for packs that draw them (see [`views`]).
    pub views: Vec<views::View>,
    pub explanations: Vec<Explanation>,
    /// The keys to remember for the next generation (see [`KeyMemory`]):
    /// `kind:identifier` → key, for every item whose key is not the one its
    /// name gives today (kept from an earlier generation, or made unique
    /// with a suffix), and every channel's.
    #[serde(skip)]
    pub keys: std::collections::BTreeMap<String, String>,
}

/// Keys an earlier generation gave, so that regenerating a project renames
/// nothing: no table, column, route or module. Slots are `kind:identifier`
/// (`entity:`, `metric:`, `service:`, `component:`, `job:`, `event:`,
/// `channel:`, `decision:`, `project:`), and `field:<entity identifier>:<field name>`.
#[derive(Clone, Debug, Default)]
pub struct KeyMemory {
    /// The keys the lock recorded.
    pub recorded: std::collections::BTreeMap<String, String>,
    /// For a project whose lock predates recorded keys: the names it uses
    /// (tables, columns, the segments of its files' paths). An item whose
    /// name an archgen before 0.2 cut to 28 bytes keeps that key when the
    /// project uses it.
    pub legacy_in_use: Option<std::collections::BTreeSet<String>>,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Project {
    /// The model's name, as written (for prose).
    pub name: String,
    /// A key for package and directory names.
    pub key: String,
    pub description: Option<String>,
    pub pack: String,
    pub model_id: String,
    pub format: String,
    pub from: Provenance,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Component {
    pub key: String,
    pub name: String,
    pub role: Option<Role>,
    /// Why it has that role: `property archgen:role`, or the rule that fired.
    pub why: String,
    pub documentation: Option<String>,
    pub from: Provenance,
}

/// Where an entity comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum EntityOrigin {
    /// A DataObject of the blueprint.
    Blueprint,
    /// An entity every dashboard needs (organizations, users, sessions, …),
    /// possibly extended by a DataObject of the same name.
    Platform,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Entity {
    pub key: String,
    /// The class-name form of the key, unique among entities.
    pub pascal: String,
    pub name: String,
    /// The SQL table name (the key, avoiding reserved words).
    pub table: String,
    pub origin: EntityOrigin,
    /// Rows belong to one organization (`organization_id`).
    pub tenant: bool,
    pub documentation: Option<String>,
    pub fields: Vec<Field>,
    pub retention: Option<Retention>,
    /// The field that orders rows in time (for lists and retention).
    pub time_field: Option<String>,
    /// Keys of the `archgen:fields` entries that were refused (each had its
    /// error); nothing that names them is reported again.
    #[serde(skip)]
    pub broken_fields: Vec<String>,
    /// No `archgen:fields`: its fields were assumed (`id`, `created_at`,
    /// `name` when the model suggests one, and the references).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub placeholder: bool,
    /// The references the model's relationships between data made (its
    /// columns), or the link table one made (`link`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub relations: Vec<Relation>,
    pub from: Provenance,
}

/// How a relationship between two data elements became a reference.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RelationKind {
    /// The part is owned: a required reference, deleted with the whole.
    Composition,
    /// An optional reference (cleared when the whole goes).
    Aggregation,
    /// A reference (optional), or a link table when many-to-many.
    Association,
    /// The specific entity references the general one (required, unique).
    Specialization,
}

/// One column (or link table) a relationship between data made.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Relation {
    pub kind: RelationKind,
    /// The column of this entity that holds the reference.
    pub field: String,
    /// The referenced entity's key.
    pub target: String,
    /// The other side of a link table (its entity is the link).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// The relationship's identifier.
    pub relationship: String,
    /// In words, for `explain`.
    pub why: String,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Field {
    pub key: String,
    /// The SQL column name (the key, avoiding reserved words).
    pub column: String,
    pub ty: FieldType,
    pub pk: bool,
    pub index: bool,
    pub unique: bool,
    pub nullable: bool,
    pub pii: bool,
    /// The key of the referenced entity.
    pub reference: Option<String>,
    pub from: Provenance,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Metric {
    pub key: String,
    pub pascal: String,
    pub name: String,
    pub table: String,
    pub measure: Measure,
    pub field: Option<String>,
    /// The key of the entity read.
    pub source: String,
    pub conditions: Vec<Condition>,
    pub grain: Grain,
    pub time_field: String,
    pub dimensions: Vec<Dimension>,
    /// `integer` or `float`.
    pub value_type: String,
    /// What the values are measured in (`archgen:unit`), for display.
    pub unit: Option<Unit>,
    /// `sum(amount / months)`: what the measured field is divided by, row
    /// by row (a field key or a number).
    pub divisor: Option<Operand>,
    /// The metric's kind (`simple`, `ratio`, `rolling`, `snapshot`,
    /// `cohort`, `funnel`) and what it needs, as fields of the metric.
    #[serde(flatten)]
    pub kind: KindDef,
    /// The definition as written (or as inferred).
    pub definition: String,
    pub documentation: Option<String>,
    pub from: Provenance,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Dimension {
    pub key: String,
    pub column: String,
    pub ty: FieldType,
    /// Not a field of the source but made by the metric's kind: a cohort's
    /// `period_offset`, a funnel's `step`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub derived: bool,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Job {
    pub key: String,
    pub name: String,
    /// Keys of the metrics it computes.
    pub metrics: Vec<String>,
    pub from: Provenance,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ServiceKind {
    /// Reads aggregated metrics.
    Metrics,
    /// Lists the rows of plain entities, paged.
    EntityList,
    /// Ingestion (served by the pack's ingest endpoint).
    Ingest,
    /// Sign-in and sessions (served by the pack's auth endpoints).
    Auth,
    /// Realised by the frontend or by nothing the pack serves.
    Other,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Service {
    pub key: String,
    pub name: String,
    pub kind: ServiceKind,
    pub path: String,
    /// The component that provides it.
    pub provider: Option<String>,
    pub interfaces: Vec<String>,
    pub metrics: Vec<String>,
    /// Keys of the entities it reads (list and detail routes).
    pub entities: Vec<String>,
    /// Keys of the entities it writes (create, update and delete routes).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub writes: Vec<String>,
    /// Keys of the components it serves.
    pub consumers: Vec<String>,
    pub documentation: Option<String>,
    pub why: String,
    pub from: Provenance,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct EventType {
    pub key: String,
    pub name: String,
    pub from: Provenance,
}

/// What a relationship between two components says they exchange.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChannelKind {
    /// A Flow: the sender passes something to the receiver.
    Flow,
    /// A Triggering: the sender starts the receiver's work.
    Trigger,
}

/// A message one application component sends another: a Flow or Triggering
/// between them (or their behaviour, or through an event between them).
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Channel {
    pub key: String,
    /// The relationship's name, else the event's, else "sender to receiver".
    pub name: String,
    pub kind: ChannelKind,
    /// The sending component's key.
    pub sender: String,
    /// The receiving component's key.
    pub receiver: String,
    pub message: Message,
    /// In words, for `explain`: the relationships that made it.
    pub why: String,
    /// The relationships (and the event) it came from.
    pub from: Provenance,
}

/// What a channel carries.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Message {
    /// As written (for prose).
    pub name: String,
    /// The key of the entity it carries, when the model says which: a data
    /// object associated with the relationship, or one named like it.
    pub entity: Option<String>,
    /// The event it is, when an ApplicationEvent stands between the two
    /// components (its identifier).
    pub event: Option<String>,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Auth {
    /// The auth component, when the blueprint draws one.
    pub component: Option<String>,
    pub roles: Vec<String>,
    pub from: Provenance,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Frontend {
    pub component: String,
    pub name: String,
    pub from: Provenance,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Infrastructure {
    /// The database the model draws (a SystemSoftware named like one).
    pub database: Database,
    /// The elements of the processes that answer requests: components with
    /// a serving role, their artifacts, runtimes and nodes.
    pub serving: Provenance,
    /// The same for the components that run scheduled work (aggregation,
    /// background jobs).
    pub scheduled: Provenance,
    /// How the pack deploys them (its `[[deployment]]`s): empty for a pack
    /// that says nothing about deployment.
    pub deployments: Vec<Deployed>,
    /// Versioned runtimes the model names (a SystemSoftware, Node or Device
    /// called like "Python 3.12" or "Node.js 20"), in identifier order.
    pub runtimes: Vec<Runtime>,
}

/// A runtime and the version the model asks for.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Runtime {
    /// The name before the version, lower-case (`python`, `node.js`).
    pub name: String,
    /// As written: `3.12`, `20`, `3.12.1`.
    pub version: String,
    pub from: Provenance,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Database {
    /// The engine the model's name for it gives (`postgresql`, `mysql`,
    /// `sqlite`…), when it gives one.
    pub engine: Option<String>,
    /// The model's name for it; none when the model draws no database.
    pub name: Option<String>,
    pub from: Provenance,
}

/// One deployment unit of the pack and the model elements it runs.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Deployed {
    pub key: String,
    pub purpose: String,
    pub runs: stack::Runs,
    pub from: Provenance,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Compliance {
    pub framework: Framework,
    pub key: String,
    pub title: String,
    /// `property archgen:compliance` and/or the elements that name it.
    pub why: String,
    pub from: Provenance,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Decision {
    /// 1-based, in a stable order: the generator's choices first, then the
    /// blueprint's principles and constraints in identifier order.
    pub number: usize,
    pub key: String,
    pub title: String,
    /// Context and problem statement.
    pub context: String,
    /// What the choice had to weigh: the model's own principles and
    /// constraints that bear on it, and the generator's concerns.
    pub drivers: Vec<String>,
    /// The options considered, the chosen one first; a single entry when
    /// the model states the decision without alternatives.
    pub options: Vec<String>,
    /// Why the chosen option.
    pub decision: String,
    /// "Good, …" and "Bad, …" lines.
    pub consequences: Vec<String>,
    /// `generator` or `blueprint`.
    pub source: String,
    pub from: Provenance,
    /// The earlier record this one replaces, when the decision changed since
    /// the last generation (set by the generator from the lock, not by the
    /// IR builder).
    pub supersedes: Option<Superseded>,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema, serde::Deserialize, PartialEq, Eq)]
pub struct Superseded {
    pub number: usize,
    pub key: String,
}

#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Explanation {
    pub element: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub name: String,
    pub became: String,
    pub why: String,
    /// A relationship (that made a channel), not an element.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub relationship: bool,
}

impl Ir {
    /// The entity keys in an order tables can be created in: every table a
    /// field refers to comes before the tables that refer to it (see
    /// [`creation_order`]).
    pub fn table_order(&self) -> Vec<String> {
        let refs: Vec<(&str, Vec<&str>)> = self
            .entities
            .iter()
            .map(|e| {
                let r = e.fields.iter().filter_map(|f| f.reference.as_deref());
                (e.key.as_str(), r.collect())
            })
            .collect();
        creation_order(&refs)
            .into_iter()
            .map(|i| self.entities[i].key.clone())
            .collect()
    }
}

/// An order of `items` (a key, and the keys it refers to) in which every
/// item comes after those it refers to (references to itself aside); items
/// caught in a reference cycle, or referring to one or to no item, come
/// last, in list order.
///
/// It is the order a pass-by-pass rule gives: each pass goes through the
/// list and takes every item whose references are all taken, counting
/// those taken earlier in the same pass. It is computed from the references
/// in one go (an item's pass follows from those of the items it refers
/// to), so it costs the number of items and references, not their square.
pub fn creation_order(items: &[(&str, Vec<&str>)]) -> Vec<usize> {
    let index: std::collections::HashMap<&str, usize> = items
        .iter()
        .enumerate()
        .map(|(i, (k, _))| (*k, i))
        .rev()
        .collect();
    let n = items.len();
    // deps[i]: the items i refers to; a reference to no item can never be
    // taken, so `None` blocks i.
    let mut deps: Vec<Option<Vec<usize>>> = Vec::with_capacity(n);
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, (key, refs)) in items.iter().enumerate() {
        let mut ds = Vec::new();
        let mut blocked = false;
        for r in refs.iter().filter(|r| *r != key) {
            match index.get(r) {
                Some(&d) if !ds.contains(&d) => ds.push(d),
                Some(_) => {}
                None => blocked = true,
            }
        }
        for &d in &ds {
            dependents[d].push(i);
        }
        deps.push((!blocked).then_some(ds));
    }
    // An item's pass: 1 with no references; otherwise the latest pass among
    // those it refers to, plus one where that item comes later in the list
    // (it is taken after this one's turn in that pass).
    let mut pass: Vec<Option<usize>> = vec![None; n];
    let mut waiting: Vec<usize> = deps
        .iter()
        .map(|d| d.as_ref().map_or(usize::MAX, Vec::len))
        .collect();
    let mut ready: Vec<usize> = (0..n).filter(|&i| waiting[i] == 0).collect();
    while let Some(i) = ready.pop() {
        let ds = deps[i].as_ref().expect("only unblocked items get ready");
        let p = ds
            .iter()
            .map(|&d| pass[d].expect("references first") + usize::from(d > i))
            .max()
            .unwrap_or(1);
        pass[i] = Some(p);
        for &j in &dependents[i] {
            if waiting[j] != usize::MAX {
                waiting[j] -= 1;
                if waiting[j] == 0 {
                    ready.push(j);
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| (pass[i].unwrap_or(usize::MAX), i));
    order
}

/// The `table.column` a foreign key to `e` points at, and its kind: its one
/// primary-key column, when it has exactly one.
pub fn primary_key_target(e: &Entity) -> Option<(FieldKind, String)> {
    let mut pks = e.fields.iter().filter(|f| f.pk);
    match (pks.next(), pks.next()) {
        (Some(pk), None) => Some((
            pk.ty.kind,
            format!(
                "{}.{}",
                crate::naming::sql_ident(&e.table),
                crate::naming::sql_ident(&pk.key)
            ),
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::creation_order;

    /// The rule itself, pass by pass, as the template used to run it.
    fn by_passes(items: &[(&str, Vec<&str>)]) -> Vec<usize> {
        let mut done: Vec<usize> = Vec::new();
        for _ in 0..items.len() {
            for (i, (key, refs)) in items.iter().enumerate() {
                let taken = |k: &str| done.iter().any(|&d| items[d].0 == k);
                if !taken(key) && refs.iter().all(|r| r == key || taken(r)) {
                    done.push(i);
                }
            }
        }
        for i in 0..items.len() {
            if !done.contains(&i) {
                done.push(i);
            }
        }
        done
    }

    #[test]
    fn creation_order_is_the_pass_by_pass_order() {
        let mut seed = 0x9e37_79b9_u64;
        let mut next = |m: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % m as u64) as usize
        };
        let names: Vec<String> = (0..12).map(|i| format!("t{i}")).collect();
        for _ in 0..3_000 {
            let n = 1 + next(10);
            let items: Vec<(&str, Vec<&str>)> = (0..n)
                .map(|i| {
                    let refs = (0..next(4))
                        .map(|_| names[next(n + 1)].as_str()) // sometimes no item
                        .collect();
                    (names[i].as_str(), refs)
                })
                .collect();
            assert_eq!(creation_order(&items), by_passes(&items), "{items:?}");
        }
    }
}
