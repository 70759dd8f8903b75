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
use std::collections::HashMap;
use std::sync::Arc;

/// The tables of a schema, as migrations see them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub tables: Vec<Table>,
    /// The pack's `schema_level`: the tables and constraints its own code
    /// needs beyond the blueprint's. Level 1 is not written, so snapshots
    /// recorded before levels existed read back unchanged.
    #[serde(default = "level_one", skip_serializing_if = "is_level_one")]
    pub pack_level: u32,
}

impl Default for Snapshot {
    fn default() -> Self {
        Snapshot {
            tables: Vec::new(),
            pack_level: 1,
        }
    }
}

fn level_one() -> u32 {
    1
}

fn is_level_one(level: &u32) -> bool {
    *level == 1
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Table {
    pub table: String,
    /// `entity` or `metric`.
    pub kind: String,
    pub tenant: bool,
    /// The IR item (entity or metric) without provenance and prose.
    /// Shared, as the fields are: a revision's operations refer to the
    /// tables it creates (the initial revision: every table), and a copy
    /// of each would double the largest thing rendering holds.
    pub item: Arc<serde_json::Value>,
    pub fields: Arc<Vec<serde_json::Value>>,
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
    /// The pack's own tables and constraints go from level `from` to `to`;
    /// `tables` are the blueprint's tables before this revision. Always the
    /// first operation of its revision.
    PackSchema {
        from: u32,
        to: u32,
        tables: Vec<Table>,
    },
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
    /// A metric's definition changed (measure, grain, conditions…) while
    /// its table stays: `old` and `new` are its items.
    AlterMetric {
        table: String,
        old: serde_json::Value,
        new: serde_json::Value,
    },
}

fn strip(mut v: serde_json::Value) -> serde_json::Value {
    if let Some(o) = v.as_object_mut() {
        // Prose and display: nothing a migration acts on.
        for k in ["from", "name", "documentation", "definition", "why", "unit"] {
            o.remove(k);
        }
        // Defaults added with metric kinds: absent from older locks, so
        // left out here too (a simple metric without a divisor).
        if o.get("divisor").is_some_and(serde_json::Value::is_null) {
            o.remove("divisor");
        }
        if o.get("kind").and_then(serde_json::Value::as_str) == Some("simple") {
            o.remove("kind");
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
        item: Arc::new(item),
        fields: Arc::new(e.fields.iter().map(field_json).collect()),
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
        item: Arc::new(item),
        fields: Arc::new(fields),
    }
}

/// The schema the IR describes, with the pack's own tables at `pack_level`.
pub fn snapshot(ir: &Ir, pack_level: u32) -> Snapshot {
    let mut tables: Vec<Table> = ir
        .entities
        .iter()
        .map(entity_table)
        .chain(ir.metrics.iter().map(metric_table))
        .collect();
    tables.sort_by(|a, b| a.table.cmp(&b.table));
    Snapshot { tables, pack_level }
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

/// The chain as the lock records it: every object's keys in alphabetical
/// order, as the lock has always written them (it held the chain as a
/// `serde_json::Value`), without making that tree of values.
pub fn lock_form(chain: &[Revision]) -> impl Serialize + '_ {
    #[derive(Serialize)]
    struct LockRevision<'a> {
        down_revision: &'a Option<String>,
        number: usize,
        revision: &'a str,
        snapshot: LockSnapshot<'a>,
    }
    #[derive(Serialize)]
    struct LockSnapshot<'a> {
        #[serde(skip_serializing_if = "is_level_one")]
        pack_level: u32,
        tables: Vec<LockTable<'a>>,
    }
    #[derive(Serialize)]
    struct LockTable<'a> {
        fields: &'a [serde_json::Value],
        item: &'a serde_json::Value,
        kind: &'a str,
        table: &'a str,
        tenant: bool,
    }
    chain
        .iter()
        .map(|r| LockRevision {
            down_revision: &r.down_revision,
            number: r.number,
            revision: &r.revision,
            snapshot: LockSnapshot {
                pack_level: r.snapshot.pack_level,
                tables: r
                    .snapshot
                    .tables
                    .iter()
                    .map(|t| LockTable {
                        fields: &t.fields[..],
                        item: &t.item,
                        kind: &t.kind,
                        table: &t.table,
                        tenant: t.tenant,
                    })
                    .collect(),
            },
        })
        .collect::<Vec<_>>()
}

/// The chain after this generation: `recorded` plus a new revision when the
/// schema (the blueprint's tables or the pack's level) changed.
pub fn chain(recorded: Vec<Revision>, ir: &Ir, pack_level: u32) -> Vec<Revision> {
    let now = snapshot(ir, pack_level);
    // Taken, not copied: a long chain of a large schema is big.
    let mut out = recorded;
    match out.last() {
        Some(last) if !needs_revision(&last.snapshot, &now) => {}
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

/// Whether going from `last` to `now` needs a migration: not when nothing a
/// migration would do changed (an entity's retention, say), so that no
/// migration is ever empty.
pub fn needs_revision(last: &Snapshot, now: &Snapshot) -> bool {
    last != now && !ops(last, now).is_empty()
}

/// Operations that take `old` to `new`.
pub fn ops<'a>(old: &'a Snapshot, new: &'a Snapshot) -> Vec<Op> {
    let mut out = Vec::new();
    if old.pack_level != new.pack_level {
        out.push(Op::PackSchema {
            from: old.pack_level,
            to: new.pack_level,
            tables: old.tables.clone(),
        });
    }
    // By name, looked up once per table: a revision of a large schema
    // compares thousands of tables.
    let index = |s: &'a Snapshot| -> HashMap<&'a str, &'a Table> {
        s.tables.iter().map(|t| (t.table.as_str(), t)).collect()
    };
    let (old_tables, new_tables) = (index(old), index(new));
    for t in &new.tables {
        match old_tables.get(t.table.as_str()) {
            None => out.push(Op::CreateTable { table: t.clone() }),
            Some(o) => {
                if t.kind == "metric" && o.item != t.item {
                    out.push(Op::AlterMetric {
                        table: t.table.clone(),
                        old: (*o.item).clone(),
                        new: (*t.item).clone(),
                    });
                }
                let key =
                    |f: &serde_json::Value| f["column"].as_str().unwrap_or_default().to_owned();
                for f in t.fields.iter() {
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
                for f in o.fields.iter() {
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
        if !new_tables.contains_key(t.table.as_str()) {
            out.push(Op::DropTable {
                table: t.table.clone(),
            });
        }
    }
    out
}

/// The chain as templates see it. The chain is taken: its tables move
/// into the revisions' `tables` rather than being copied.
pub fn for_render(chain: Vec<Revision>) -> Vec<RenderRevision> {
    let ops: Vec<Vec<Op>> = chain
        .iter()
        .enumerate()
        .map(|(i, r)| {
            // The first revision creates everything at its own level.
            let empty = Snapshot {
                tables: Vec::new(),
                pack_level: r.snapshot.pack_level,
            };
            let prev = if i == 0 {
                &empty
            } else {
                &chain[i - 1].snapshot
            };
            ops(prev, &r.snapshot)
        })
        .collect();
    chain
        .into_iter()
        .zip(ops)
        .enumerate()
        .map(|(i, (r, ops))| RenderRevision {
            revision: r.revision,
            down_revision: r.down_revision,
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
            ops,
            tables: r.snapshot.tables,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(level: u32) -> Snapshot {
        Snapshot {
            tables: vec![Table {
                table: "events".into(),
                kind: "entity".into(),
                tenant: true,
                item: serde_json::json!({"key": "events"}).into(),
                fields: vec![serde_json::json!({"column": "id"})].into(),
            }],
            pack_level: level,
        }
    }

    #[test]
    fn a_simple_metric_reads_as_it_did_before_metric_kinds() {
        // Locks written before kinds existed hold no `kind` or `divisor`:
        // a simple metric without a divisor must compare equal to them, or
        // upgrading archgen would clear every metric table.
        let before = serde_json::json!({"key": "m", "measure": "count"});
        let now =
            serde_json::json!({"key": "m", "measure": "count", "kind": "simple", "divisor": null});
        assert_eq!(strip(now), before);
        let rolling = serde_json::json!({"key": "m", "kind": "rolling", "days": 7, "divisor": "n"});
        assert_eq!(strip(rolling.clone()), rolling);
    }

    #[test]
    fn level_one_snapshots_serialise_as_before_levels_existed() {
        let text = serde_json::to_string(&snap(1)).unwrap();
        assert!(!text.contains("pack_level"), "{text}");
        let back: Snapshot = serde_json::from_str(&text).unwrap();
        assert_eq!(back, snap(1));
        let two: Snapshot =
            serde_json::from_str(&serde_json::to_string(&snap(2)).unwrap()).unwrap();
        assert_eq!(two.pack_level, 2);
    }

    #[test]
    fn a_raised_level_is_the_first_operation_and_carries_the_old_tables() {
        let ops = ops(&snap(1), &snap(2));
        assert_eq!(ops.len(), 1);
        match &ops[0] {
            Op::PackSchema { from, to, tables } => {
                assert_eq!((*from, *to), (1, 2));
                assert_eq!(tables, &snap(1).tables);
            }
            other => panic!("{other:?}"),
        }
        assert!(super::ops(&snap(2), &snap(2)).is_empty());
    }

    #[test]
    fn a_changed_metric_definition_is_an_operation() {
        let mut old = snap(2);
        old.tables[0].kind = "metric".into();
        let mut new = old.clone();
        new.tables[0].item = serde_json::json!({"key": "events", "grain": "month"}).into();
        let ops = ops(&old, &new);
        assert!(
            matches!(&ops[..], [Op::AlterMetric { table, .. }] if table == "events"),
            "{ops:?}"
        );
    }

    #[test]
    fn a_change_no_migration_needs_makes_no_revision() {
        let old = snap(2);
        let mut new = old.clone();
        // An entity's item changes (its retention), its columns do not.
        new.tables[0].item = serde_json::json!({"key": "events", "retention": {"days": 30}}).into();
        assert!(!needs_revision(&old, &new));
        Arc::make_mut(&mut new.tables[0].fields).push(serde_json::json!({"column": "name"}));
        assert!(needs_revision(&old, &new));
        assert!(needs_revision(&snap(1), &snap(2)));
        assert!(!needs_revision(&old, &old));
    }

    #[test]
    fn the_first_revision_has_no_level_step() {
        let chain = vec![Revision {
            revision: "a".into(),
            down_revision: None,
            number: 1,
            snapshot: snap(2),
        }];
        let r = for_render(chain);
        assert!(r[0].ops.iter().all(|o| !matches!(o, Op::PackSchema { .. })));
    }
}
