//! Services: what each ApplicationService serves (metrics, entity lists,
//! ingestion, sessions), its path and its consumers.

use super::*;

impl<'m> Builder<'m> {
    pub(super) fn taken_paths_help(&self) -> String {
        let mut help = "give the service an archgen:path that no other route uses".to_owned();
        if !self.stack.reserved.paths.is_empty() {
            help.push_str(&format!(
                " (the pack `{}` serves {} itself)",
                self.stack.pack,
                self.stack.reserved.paths.join(", ")
            ));
        }
        help
    }

    pub(super) fn services(
        &mut self,
        roles: &HashMap<&str, Option<Role>>,
        comp_keys: &HashMap<&str, String>,
        entity_by_do: &HashMap<&str, usize>,
        metric_by_do: &HashMap<&str, String>,
        entities: &[Entity],
    ) -> Vec<Service> {
        let mut keys = Allocator::new();
        for reserved in &self.stack.reserved.modules {
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

            // What it reads and writes: its own Access, else the provider's
            // that its name mentions.
            let own = self.access(s, &[T::DataObject]);
            let mut why = String::new();
            let (reads, writes): (Vec<&Element>, Vec<&Element>) =
                if !own.reads.is_empty() || !own.stated_writes.is_empty() {
                    why.push_str(if own.stated_writes.is_empty() {
                        "reads what its own Access relationships name"
                    } else {
                        "reads and writes what its own Access relationships name"
                    });
                    (own.reads, own.stated_writes)
                } else if let Some(p) = provider {
                    let all = self.access(p, &[T::DataObject]);
                    let mr = mentioned(&name, &all.reads);
                    let mw = mentioned(&name, &all.stated_writes);
                    if !mr.is_empty() || !mw.is_empty() {
                        why.push_str(if mr.is_empty() {
                            "writes the provider's data objects its name mentions"
                        } else if mw.is_empty() {
                            "reads the provider's data objects its name mentions"
                        } else {
                            "reads and writes the provider's data objects its name mentions"
                        });
                        (mr, mw)
                    } else if all
                        .reads
                        .iter()
                        .any(|d| metric_by_do.contains_key(d.identifier.as_str()))
                    {
                        why.push_str("reads the metrics its provider reads");
                        let ms = all
                            .reads
                            .into_iter()
                            .filter(|d| metric_by_do.contains_key(d.identifier.as_str()))
                            .collect();
                        (ms, vec![])
                    } else {
                        why.push_str(if all.stated_writes.is_empty() {
                            "reads what its provider reads"
                        } else {
                            "reads and writes what its provider reads and writes"
                        });
                        (all.reads, all.stated_writes)
                    }
                } else {
                    why.push_str("has no provider");
                    (vec![], vec![])
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
            // The plain tables it writes (metric tables are the aggregation's).
            let ws: Vec<String> = writes
                .iter()
                .filter(|d| !metric_by_do.contains_key(d.identifier.as_str()))
                .filter_map(|d| {
                    entity_by_do
                        .get(d.identifier.as_str())
                        .map(|&i| entities[i].key.clone())
                })
                .fold(Vec::new(), |mut v, k| {
                    if !v.contains(&k) {
                        v.push(k);
                    }
                    v
                });
            let kind = match role {
                Some(Role::Ingestion) => ServiceKind::Ingest,
                Some(Role::Auth) => ServiceKind::Auth,
                Some(Role::Frontend | Role::Aggregator | Role::Worker) => ServiceKind::Other,
                // Nothing to serve: no route rather than an empty one.
                _ if ms.is_empty() && es.is_empty() && ws.is_empty() => ServiceKind::Other,
                _ if ms.is_empty() => ServiceKind::EntityList,
                _ => ServiceKind::Metrics,
            };
            let ws = if kind == ServiceKind::EntityList {
                ws
            } else {
                vec![]
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
                let clash = self
                    .stack
                    .reserved
                    .paths
                    .iter()
                    .any(|r| path == *r || path.starts_with(&format!("{r}/")))
                    || path == "/";
                if clash || paths.contains(&path) {
                    let moved = format!("/api/services/{}", naming::kebab(&key));
                    let at =
                        prop(&s.properties, "archgen:path").map_or(s.pos.offset, |p| p.pos.offset);
                    self.diags.push(
                        Diagnostic::new(
                            Code::ProfileAdjusted,
                            format!(
                                "service `{name}`: path {} is taken; it is served at `{moved}`",
                                shown(&path)
                            ),
                        )
                        .at(at, 1)
                        .help(self.taken_paths_help()),
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
                    let mut routes = Vec::new();
                    if !es.is_empty() {
                        routes.push(format!(
                            "GET {path} (paged rows of {}) and GET {path}/<entity>/<id> (one row)",
                            es.join(", ")
                        ));
                    }
                    if !ws.is_empty() {
                        routes.push(format!(
                            "POST {path}/<entity>, PATCH and DELETE {path}/<entity>/<id> (writes {})",
                            ws.join(", ")
                        ));
                    }
                    format!("routes {}", routes.join("; "))
                }
                ServiceKind::Ingest => "the ingestion endpoint POST /api/ingest/{table}".into(),
                ServiceKind::Auth => "the session endpoints under /api/auth".into(),
                ServiceKind::Other => match (provider, role) {
                    (Some(_), None | Some(Role::Api)) => {
                        "no route: it reads no metric, and reads and writes no table archgen generates"
                            .into()
                    }
                    _ => "no route (not provided by an API component)".into(),
                },
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
                writes: ws,
                consumers,
                documentation: s.text.documentation.clone(),
                why: why_full,
                from: std::iter::once(s.identifier.clone())
                    .chain(ifaces.iter().map(|i| i.identifier.clone()))
                    .collect(),
            });
        }
        out
    }
}

/// The data objects among `candidates` that a service's name mentions:
/// those whose whole name it holds, else those sharing a word with it.
fn mentioned<'m>(name: &str, candidates: &[&'m Element]) -> Vec<&'m Element> {
    let sw: BTreeSet<String> = words(name)
        .into_iter()
        .filter(|w| !STOP_WORDS.contains(&w.as_str()))
        .collect();
    let mentions = |w: &String| {
        sw.contains(w) || sw.contains(&format!("{w}s")) || sw.contains(w.trim_end_matches('s'))
    };
    let content = |d: &&Element| -> Vec<String> {
        words(d.text.name.as_deref().unwrap_or(""))
            .into_iter()
            .filter(|w| !STOP_WORDS.contains(&w.as_str()))
            .collect()
    };
    let whole: Vec<&Element> = candidates
        .iter()
        .copied()
        .filter(|d| {
            let c = content(d);
            !c.is_empty() && c.iter().all(mentions)
        })
        .collect();
    if !whole.is_empty() {
        return whole;
    }
    candidates
        .iter()
        .copied()
        .filter(|d| content(d).iter().any(mentions))
        .collect()
}
