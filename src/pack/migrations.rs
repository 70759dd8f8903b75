//! The migration chain: which schema each revision reached, and the
//! operations between them.
//!
//! In: the chain recorded in the lock (revision → schema snapshot) and the
//! IR. Out: the chain to render: the recorded revisions, plus a new one when
//! the IR's schema differs from the last. Revision ids derive from content
//! (the parent revision and the new schema), never from the clock.

use crate::ir::{Entity, Field, Ir, Metric};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The tables of a schema, as migrations see them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub tables: Vec<Table>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Table {
    pub table: String,
    /// `entity` or `metric`.
    pub kind: String,
    pub tenant: bool,
    /// The IR item (entity or metric) without provenance and prose.
    pub item: serde_json::Value,
    pub fields: Vec<serde_json::Value>,
}

/// One revision of the chain.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Revision {
    pub revision: String,
    pub down_revision: Option<String>,
    pub number: usize,
    pub snapshot: Snapshot,
}

/// A revision with its operations, for templates.
#[derive(Clone, Debug, Serialize)]
pub struct RenderRevision {
    pub revision: String,
    pub down_revision: Option<String>,
    pub number: usize,
    /// `initial` (creates every table) or `delta`.
    pub kind: String,
    /// A short name for the file: `initial_schema` or `schema_update`.
    pub slug: String,
    pub ops: Vec<Op>,
    /// The tables after this revision (entity and metric items).
    pub tables: Vec<Table>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Op {
    CreateTable {
        table: Table,
    },
    DropTable {
        table: String,
    },
    AddColumn {
        table: String,
        field: serde_json::Value,
    },
    DropColumn {
        table: String,
        field: serde_json::Value,
    },
    AlterColumn {
        table: String,
        old: serde_json::Value,
        new: serde_json::Value,
    },
}

fn strip(mut v: serde_json::Value) -> serde_json::Value {
    if let Some(o) = v.as_object_mut() {
        for k in ["from", "name", "documentation", "definition", "why"] {
            o.remove(k);
        }
    }
    v
}

fn field_json(f: &Field) -> serde_json::Value {
    strip(serde_json::to_value(f).expect("fields serialise"))
}

fn entity_table(e: &Entity) -> Table {
    let mut item = strip(serde_json::to_value(e).expect("entities serialise"));
    item.as_object_mut().map(|o| o.remove("fields"));
    Table {
        table: e.table.clone(),
        kind: "entity".into(),
        tenant: e.tenant,
        item,
        fields: e.fields.iter().map(field_json).collect(),
    }
}

fn metric_table(m: &Metric) -> Table {
    let item = strip(serde_json::to_value(m).expect("metrics serialise"));
    let fields = m
        .dimensions
        .iter()
        .map(|d| strip(serde_json::to_value(d).expect("dimensions serialise")))
        .collect();
    Table {
        table: m.table.clone(),
        kind: "metric".into(),
        tenant: true,
        item,
        fields,
    }
}

/// The schema the IR describes.
pub fn snapshot(ir: &Ir) -> Snapshot {
    let mut tables: Vec<Table> = ir
        .entities
        .iter()
        .map(entity_table)
        .chain(ir.metrics.iter().map(metric_table))
        .collect();
    tables.sort_by(|a, b| a.table.cmp(&b.table));
    Snapshot { tables }
}

fn revision_id(parent: Option<&str>, s: &Snapshot) -> String {
    let mut h = Sha256::new();
    h.update(parent.unwrap_or("").as_bytes());
    h.update(
        serde_json::to_string(s)
            .expect("snapshots serialise")
            .as_bytes(),
    );
    super::hex(&h.finalize())[..12].to_owned()
}

/// The chain after this generation: `recorded` plus a new revision when the
/// schema changed.
pub fn chain(recorded: &[Revision], ir: &Ir) -> Vec<Revision> {
    let now = snapshot(ir);
    let mut out = recorded.to_vec();
    match out.last() {
        Some(last) if last.snapshot == now => {}
        last => {
            let parent = last.map(|l| l.revision.clone());
            out.push(Revision {
                revision: revision_id(parent.as_deref(), &now),
                down_revision: parent,
                number: out.len() + 1,
                snapshot: now,
            });
        }
    }
    out
}

/// Operations that take `old` to `new`.
pub fn ops(old: &Snapshot, new: &Snapshot) -> Vec<Op> {
    let mut out = Vec::new();
    let find = |s: &Snapshot, t: &str| s.tables.iter().find(|x| x.table == t).cloned();
    for t in &new.tables {
        match find(old, &t.table) {
            None => out.push(Op::CreateTable { table: t.clone() }),
            Some(o) => {
                let key =
                    |f: &serde_json::Value| f["column"].as_str().unwrap_or_default().to_owned();
                for f in &t.fields {
                    match o.fields.iter().find(|x| key(x) == key(f)) {
                        None => out.push(Op::AddColumn {
                            table: t.table.clone(),
                            field: f.clone(),
                        }),
                        Some(of) if of != f => out.push(Op::AlterColumn {
                            table: t.table.clone(),
                            old: of.clone(),
                            new: f.clone(),
                        }),
                        Some(_) => {}
                    }
                }
                for f in &o.fields {
                    if !t.fields.iter().any(|x| key(x) == key(f)) {
                        out.push(Op::DropColumn {
                            table: t.table.clone(),
                            field: f.clone(),
                        });
                    }
                }
            }
        }
    }
    for t in &old.tables {
        if find(new, &t.table).is_none() {
            out.push(Op::DropTable {
                table: t.table.clone(),
            });
        }
    }
    out
}

/// The chain as templates see it.
pub fn for_render(chain: &[Revision]) -> Vec<RenderRevision> {
    let empty = Snapshot::default();
    chain
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let prev = if i == 0 {
                &empty
            } else {
                &chain[i - 1].snapshot
            };
            RenderRevision {
                revision: r.revision.clone(),
                down_revision: r.down_revision.clone(),
                number: r.number,
                kind: if i == 0 {
                    "initial".into()
                } else {
                    "delta".into()
                },
                slug: if i == 0 {
                    "initial_schema".into()
                } else {
                    "schema_update".into()
                },
                ops: ops(prev, &r.snapshot),
                tables: r.snapshot.tables.clone(),
            }
        })
        .collect()
}
