//! Entities: DataObjects and the pack's platform entities, their fields
//! (`archgen:fields` or inferred), keys and references.

use super::*;

impl<'m> Builder<'m> {
    pub(super) fn entity(
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
            None => profile::parse_fields(if self.suggests_name(d) {
                "id uuid pk; created_at timestamp index; name string(200)"
            } else {
                "id uuid pk; created_at timestamp index"
            }),
        };
        let placeholder = prop(&d.properties, "archgen:fields").is_none();
        let broken: Vec<String> = parsed
            .broken
            .iter()
            .map(|n| naming::snake(n).unwrap_or_else(|| n.to_ascii_lowercase()))
            .collect();
        let specs = parsed.specs;
        let slot = format!("entity:{}", d.identifier);
        let table_prop = prop(&d.properties, "archgen:table");
        let mut requested = match table_prop {
            Some(_) => naming::key_for(d.text.name.as_deref(), "entity", &d.identifier),
            None => self.wanted_key(
                &slot,
                d.text.name.as_deref(),
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
                    None if self.stack.tenant_column.as_deref() == Some(key.as_str()) => {}
                    None => {
                        let mut f = field_from_spec(&s, key, vec![d.identifier.clone()]);
                        f.pk = false;
                        f.nullable = true;
                        e.fields.push(f);
                    }
                }
            }
            e.from = from;
            e.documentation = d.text.documentation.clone();
            e.retention = retention;
            e.broken_fields = broken;
            return i;
        }

        let key = tables.claim(&requested);
        if table_prop.is_none()
            && key != naming::key_for(d.text.name.as_deref(), "entity", &d.identifier)
        {
            self.remember.insert(slot, key.clone());
        }
        let mut field_keys = Allocator::new();
        let mut fields: Vec<Field> = Vec::new();
        let fields_at =
            prop(&d.properties, "archgen:fields").map_or(d.pos.offset, |p| p.pos.offset);
        for s in &specs {
            if self.stack.tenant_column.is_some()
                && naming::snake(&s.name) == self.stack.tenant_column
            {
                continue; // The pack's tenancy adds it.
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
                    fields.insert(0, id_field());
                }
            }
        }
        if placeholder {
            let example = fields_example(&key);
            self.diags.push(
                Diagnostic::new(
                    Code::AssumedFields,
                    format!(
                        "`{}` has no archgen:fields: its table `{key}` gets only {} and the references its relationships make",
                        display(d),
                        fields.iter().map(|f| format!("`{}`", f.key)).collect::<Vec<_>>().join(", ")
                    ),
                )
                .at(d.pos.offset, 1)
                .help(format!(
                    "give it a property archgen:fields with the columns it holds, e.g. `{example}`"
                )),
            );
        }
        entities.push(Entity {
            table: naming::sql_ident(&key),
            key,
            pascal: String::new(),
            name: display(d),
            origin: EntityOrigin::Blueprint,
            tenant: true,
            documentation: d.text.documentation.clone(),
            fields,
            retention,
            time_field: None,
            broken_fields: broken,
            placeholder,
            relations: vec![],
            from,
        });
        entities.len() - 1
    }

    /// True when the element's documentation or properties speak of a name
    /// or a title: its placeholder fields then include `name`.
    pub(super) fn suggests_name(&self, d: &Element) -> bool {
        const NAMES: &[&str] = &["name", "names", "named", "title", "titled", "label"];
        // Every word of the text, not only a key's worth.
        let speaks = |text: &str| {
            text.split(|c: char| !c.is_ascii_alphanumeric())
                .any(|w| NAMES.iter().any(|n| w.eq_ignore_ascii_case(n)))
        };
        speaks(d.text.documentation.as_deref().unwrap_or(""))
            || d.properties.iter().any(|p| {
                p.key.as_deref().is_some_and(|k| {
                    !k.trim().to_ascii_lowercase().starts_with("archgen:") && speaks(k)
                })
            })
    }

    /// Turns `ref=<name>` into entity keys; unknown targets are errors.
    pub(super) fn resolve_refs(&mut self, entities: &mut [Entity]) {
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
}

/// Entities by key, by table and by the data object they come from (the
/// first of each): a metric finds its source at once.
pub(super) struct EntityIndex<'e> {
    pub(super) by_key: HashMap<&'e str, usize>,
    pub(super) by_table: HashMap<&'e str, usize>,
    pub(super) by_first_from: HashMap<&'e str, usize>,
}

impl<'e> EntityIndex<'e> {
    pub(super) fn new(entities: &'e [Entity]) -> Self {
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

/// A one-line `archgen:fields` for an entity with key `key`, to start from.
fn fields_example(key: &str) -> String {
    let mut stem = key.to_owned();
    stem.truncate(naming::KEY_MAX - "_number".len());
    let stem = stem.trim_end_matches('_');
    format!("id uuid pk; {stem}_number string(64) unique; name string(200); status string(32) index; created_at timestamp index")
}

/// The `id uuid pk` archgen adds when no field is the key.
pub(super) fn id_field() -> Field {
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
    }
}

pub(super) fn field_from_spec(s: &FieldSpec, key: String, from: Provenance) -> Field {
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
