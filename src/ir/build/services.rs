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
                    words(d.text.name.as_deref().unwrap_or(""))
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
