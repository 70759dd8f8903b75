//! Relations between data: Composition, Aggregation, Association and
//! Specialization between DataObjects and BusinessObjects become
//! references (foreign-key columns) or, for a many-to-many association,
//! link tables.

use super::super::{Relation, RelationKind};
use super::*;
use std::collections::HashSet;

/// What `archgen:cardinality` (or the relationship's name) says.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Cardinality {
    ManyToOne,
    OneToOne,
    ManyToMany,
}

impl<'m> Builder<'m> {
    /// Adds the references the model's relationships between data elements
    /// make. Returns, per entity, what was not made and why (for `explain`).
    pub(super) fn relations(
        &mut self,
        entities: &mut Vec<Entity>,
        tables: &mut Allocator,
    ) -> BTreeMap<usize, Vec<String>> {
        let mut notes: BTreeMap<usize, Vec<String>> = BTreeMap::new();
        let mut by_el: HashMap<&str, usize> = HashMap::default();
        for (i, e) in entities.iter().enumerate() {
            for id in &e.from {
                if let Some(el) = self.by_id.get(id.as_str()) {
                    if matches!(el.kind, T::DataObject | T::BusinessObject) {
                        by_el.entry(el.identifier.as_str()).or_insert(i);
                    }
                }
            }
        }
        let mut rels: Vec<&'m Relationship> = self
            .m
            .relationships
            .iter()
            .filter(|r| {
                matches!(
                    r.kind,
                    R::Composition | R::Aggregation | R::Association | R::Specialization
                )
            })
            .filter(|r| {
                by_el.contains_key(r.source.as_str()) && by_el.contains_key(r.target.as_str())
            })
            .collect();
        rels.sort_by(|a, b| a.identifier.cmp(&b.identifier));
        // Entities by key, for following references: built once, and kept
        // up to date as link tables are added (they are pushed at the end).
        let mut by_key: HashMap<String, usize> = HashMap::default();
        let mut indexed = 0;
        for r in rels {
            for (i, e) in entities.iter().enumerate().skip(indexed) {
                by_key.insert(e.key.clone(), i);
            }
            indexed = entities.len();
            let (src, dst) = (by_el[r.source.as_str()], by_el[r.target.as_str()]);
            let src_name = self
                .by_id
                .get(r.source.as_str())
                .map_or_else(String::new, |e| display(e));
            let dst_name = self
                .by_id
                .get(r.target.as_str())
                .map_or_else(String::new, |e| display(e));
            let cardinality = self.cardinality(r);
            // The part (or the specific, or the association's source) holds
            // the reference.
            let (holder, target, kind, other_name) = match r.kind {
                R::Composition => (dst, src, RelationKind::Composition, src_name.clone()),
                R::Aggregation => (dst, src, RelationKind::Aggregation, src_name.clone()),
                R::Specialization => (src, dst, RelationKind::Specialization, dst_name.clone()),
                _ => (src, dst, RelationKind::Association, dst_name.clone()),
            };
            let label = format!("{} {}", r.kind.as_str(), shown(&r.identifier));
            if holder == target && r.source != r.target {
                notes.entry(holder).or_default().push(format!(
                    "no reference for {label} between `{src_name}` and `{dst_name}`: both share the table"
                ));
                continue;
            }
            if cardinality == Some(Cardinality::ManyToMany)
                && matches!(kind, RelationKind::Association | RelationKind::Aggregation)
            {
                if let Some(link) = self.link_table(entities, tables, r, src, dst, kind, &label) {
                    for end in [src, dst] {
                        notes
                            .entry(end)
                            .or_default()
                            .push(format!("link table `{link}` for {label} (many to many)"));
                    }
                }
                continue;
            }
            if entities[holder].origin == EntityOrigin::Platform {
                notes.entry(holder).or_default().push(format!(
                    "no reference for {label} to `{other_name}`: the pack owns this table's columns"
                ));
                continue;
            }
            let target_key = entities[target].key.clone();
            if let Some(f) = entities[holder]
                .fields
                .iter()
                .find(|f| f.reference.as_deref() == Some(target_key.as_str()))
                .filter(|f| !entities[holder].relations.iter().any(|x| x.field == f.key))
            {
                notes.entry(holder).or_default().push(format!(
                    "no reference for {label} to `{other_name}`: field `{}` of archgen:fields refers to `{target_key}` already",
                    f.key
                ));
                continue;
            }
            if holder != target && reaches(entities, &by_key, target, holder) {
                notes.entry(holder).or_default().push(format!(
                    "no reference for {label} to `{other_name}`: `{target_key}` refers to this table already (a cycle)"
                ));
                continue;
            }
            let Some(pk) = entities[target].fields.iter().find(|f| f.pk).cloned() else {
                continue;
            };
            if entities[target].fields.iter().filter(|f| f.pk).count() != 1 {
                continue;
            }
            let (nullable, unique, what) = match kind {
                RelationKind::Composition => (
                    false,
                    cardinality == Some(Cardinality::OneToOne),
                    format!("part of `{other_name}`: owned, deleted with it (required, ON DELETE CASCADE)"),
                ),
                RelationKind::Aggregation => (
                    true,
                    cardinality == Some(Cardinality::OneToOne),
                    format!("aggregated in `{other_name}`: optional reference (nullable, ON DELETE SET NULL)"),
                ),
                RelationKind::Specialization => (
                    false,
                    true,
                    format!("specialises `{other_name}`: each row extends one of its rows (required, unique, ON DELETE CASCADE)"),
                ),
                RelationKind::Association => (
                    true,
                    cardinality == Some(Cardinality::OneToOne),
                    format!("associated with `{other_name}`: optional reference (nullable, ON DELETE SET NULL)"),
                ),
            };
            // A table that refers to itself: the first row has no parent.
            let (nullable, what) = if holder == target && !nullable {
                (true, format!("part of another `{other_name}` row: optional for the first one (nullable, ON DELETE SET NULL)"))
            } else {
                (nullable, what)
            };
            let field = claim_column(&entities[holder], &target_key);
            let e = &mut entities[holder];
            e.fields.push(Field {
                column: naming::sql_ident(&field),
                key: field.clone(),
                ty: pk.ty,
                pk: false,
                index: !unique,
                unique,
                nullable,
                pii: false,
                reference: Some(target_key.clone()),
                from: vec![r.identifier.clone()],
            });
            e.relations.push(Relation {
                kind,
                field,
                target: target_key,
                link: None,
                relationship: r.identifier.clone(),
                why: format!("{label}: {what}"),
            });
        }
        notes
    }

    /// A link table for a many-to-many relationship: one row per pair.
    #[allow(clippy::too_many_arguments)]
    fn link_table(
        &mut self,
        entities: &mut Vec<Entity>,
        tables: &mut Allocator,
        r: &'m Relationship,
        src: usize,
        dst: usize,
        kind: RelationKind,
        label: &str,
    ) -> Option<String> {
        let (a, b) = (entities[src].key.clone(), entities[dst].key.clone());
        let wanted = naming::snake(&format!("{a} {b}"))
            .filter(|k| k.len() > a.len())
            .unwrap_or_else(|| naming::fallback_key("link", &r.identifier));
        let key = tables.claim(&wanted);
        let mut fields = vec![
            super::entities::id_field(),
            Field {
                key: "created_at".into(),
                column: "created_at".into(),
                ty: FieldType::simple(FieldKind::Timestamp),
                index: true,
                pk: false,
                ..super::entities::id_field()
            },
        ];
        let mut relations = Vec::new();
        let link = Entity {
            key: key.clone(),
            table: naming::sql_ident(&key),
            pascal: String::new(),
            name: format!("{} and {}", entities[src].name, entities[dst].name),
            origin: EntityOrigin::Blueprint,
            tenant: true,
            documentation: Some(format!("Links `{a}` and `{b}`, many to many ({label}).")),
            fields: vec![],
            retention: None,
            time_field: None,
            broken_fields: vec![],
            placeholder: false,
            relations: vec![],
            from: vec![r.identifier.clone()],
        };
        let mut probe = link.clone();
        for (end, other) in [(src, dst), (dst, src)] {
            let target = entities[end].key.clone();
            let pk = entities[end].fields.iter().find(|f| f.pk).cloned()?;
            probe.fields = fields.clone();
            let field = claim_column(&probe, &target);
            fields.push(Field {
                column: naming::sql_ident(&field),
                key: field.clone(),
                ty: pk.ty,
                pk: false,
                index: true,
                unique: false,
                nullable: false,
                pii: false,
                reference: Some(target.clone()),
                from: vec![r.identifier.clone()],
            });
            relations.push(Relation {
                kind,
                field,
                target,
                link: Some(entities[other].key.clone()),
                relationship: r.identifier.clone(),
                why: format!(
                    "{label}: many to many, one row per pair (required, ON DELETE CASCADE)"
                ),
            });
        }
        entities.push(Entity {
            fields,
            relations,
            ..link
        });
        Some(key)
    }

    /// `archgen:cardinality` on the relationship, else its name: "many",
    /// "n:m", "*..*" say many to many.
    fn cardinality(&mut self, r: &Relationship) -> Option<Cardinality> {
        if let Some(p) = prop(&r.properties, "archgen:cardinality") {
            let v = p.value.as_deref().unwrap_or("").trim().to_ascii_lowercase();
            let v: String = v.chars().filter(|c| !c.is_whitespace()).collect();
            return match v.as_str() {
                "many-to-one" | "n:1" | "*:1" => Some(Cardinality::ManyToOne),
                "one-to-one" | "1:1" => Some(Cardinality::OneToOne),
                "many-to-many" | "n:m" | "m:n" | "*:*" => Some(Cardinality::ManyToMany),
                _ => {
                    self.bad_prop(
                        Code::ProfileValue,
                        p,
                        profile::ProfileError {
                            message: format!(
                                "cardinality {} is none of many-to-one, one-to-one, many-to-many",
                                shown(&v)
                            ),
                            help: "write `many-to-one` (a reference, the default), `one-to-one` (a unique reference) or `many-to-many` (a link table)".into(),
                        },
                    );
                    None
                }
            };
        }
        let name = r.text.name.as_deref().unwrap_or("").to_ascii_lowercase();
        let many = name
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|w| w == "many")
            || ["n:m", "m:n", "*:*", "n..m", "*..*"]
                .iter()
                .any(|p| name.contains(p));
        many.then_some(Cardinality::ManyToMany)
    }
}

/// A column for a reference to `target` in `e`: `<target>_id`, made unique
/// among its columns (and apart from the tenant column).
fn claim_column(e: &Entity, target: &str) -> String {
    let mut keys = Allocator::new();
    for f in &e.fields {
        keys.reserve(&f.key);
    }
    keys.reserve("organization_id");
    let mut base = target.to_owned();
    base.truncate(naming::KEY_MAX - 3);
    while base.ends_with('_') {
        base.pop();
    }
    keys.claim(&format!("{base}_id"))
}

/// True when entity `from` refers, directly or not, to entity `to`
/// (`by_key`: the entities' indexes by key). Visits only what `from`
/// reaches.
fn reaches(entities: &[Entity], by_key: &HashMap<String, usize>, from: usize, to: usize) -> bool {
    let mut seen: HashSet<usize> = HashSet::default();
    let mut stack = vec![from];
    while let Some(i) = stack.pop() {
        if i == to {
            return true;
        }
        if !seen.insert(i) {
            continue;
        }
        for f in &entities[i].fields {
            if let Some(&j) = f.reference.as_deref().and_then(|k| by_key.get(k)) {
                if j != i {
                    stack.push(j);
                }
            }
        }
    }
    false
}
