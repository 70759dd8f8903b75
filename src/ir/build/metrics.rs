//! Metrics: `archgen:metric` definitions read against their source
//! entity, or inferred from an aggregator's access; each kind's parts.

use super::*;

impl<'m> Builder<'m> {
    /// Whether a metric-like DataObject can become a metric: it has a
    /// definition, or an aggregator reads a source for the default one.
    pub(super) fn metric_source_known(&self, d: &Element, aggregators: &Aggregators<'m>) -> bool {
        prop(&d.properties, "archgen:metric").is_some()
            || self.default_metric_source(d, aggregators).is_some()
    }

    /// The first raw data object read by an aggregator that writes `d`
    /// (aggregators in identifier order).
    pub(super) fn default_metric_source(
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

    pub(super) fn metric_key(
        &mut self,
        metric_keys: &mut Allocator,
        d: &Element,
        name: &str,
    ) -> String {
        self.claim_key(
            metric_keys,
            format!("metric:{}", d.identifier),
            Some(name),
            "metric",
            &d.identifier,
            d.pos.offset,
        )
    }

    pub(super) fn metric(
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
                documentation: d.text.documentation.clone(),
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
            documentation: d.text.documentation.clone(),
            from: vec![d.identifier.clone()],
        })
    }

    /// `archgen:unit`, or an error diagnostic.
    pub(super) fn metric_unit(&mut self, d: &Element) -> Option<profile::Unit> {
        let p = prop(&d.properties, "archgen:unit")?;
        match profile::parse_unit(p.value.as_deref().unwrap_or_default()) {
            Ok(u) => Some(u),
            Err(e) => {
                self.bad_prop(Code::ProfileValue, p, e);
                None
            }
        }
    }
}

/// What a metric is built against: the entities, their index, the
/// aggregators and the metrics built so far (a ratio divides two of them).
#[derive(Clone, Copy)]
pub(super) struct Known<'a, 'm> {
    pub(super) entities: &'a [Entity],
    pub(super) index: &'a EntityIndex<'a>,
    pub(super) aggregators: &'a Aggregators<'m>,
    pub(super) built: &'a [Metric],
}

/// What the aggregators read, and which of them write each data object:
/// the default metric of a data object is found without going through
/// every aggregator.
pub(super) struct Aggregators<'m> {
    /// The data objects each aggregator reads, aggregators in identifier
    /// order.
    pub(super) reads: Vec<Vec<&'m Element>>,
    /// Data object identifier → the aggregators (indices) that write it.
    pub(super) writers: HashMap<&'m str, Vec<usize>>,
}

impl<'m> Aggregators<'m> {
    pub(super) fn new(b: &Builder<'m>, aggregators: &[&'m Element]) -> Self {
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
