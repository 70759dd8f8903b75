//! Components' roles: what each application component does (ingestion,
//! aggregation, dashboard API, auth, web frontend, worker), from its
//! `archgen:role` or from what it accesses and its name.

use super::*;

impl<'m> Builder<'m> {
    pub(super) fn is_metric_object(&self, e: &Element) -> bool {
        e.kind == T::DataObject
            && (prop(&e.properties, "archgen:metric").is_some()
                || has_stem(
                    e.text.name.as_deref().unwrap_or(""),
                    &["metric", "kpi", "statistic", "aggregate"],
                )
                || has_word(
                    e.text.name.as_deref().unwrap_or(""),
                    &["daily", "weekly", "monthly"],
                ))
    }

    pub(super) fn role_of(&mut self, c: &'m Element) -> (Option<Role>, String) {
        if let Some(p) = prop(&c.properties, "archgen:role") {
            match Role::parse(p.value.as_deref().unwrap_or("")) {
                Ok(r) => return (Some(r), "property archgen:role".into()),
                Err(e) => {
                    self.bad_prop(Code::ProfileValue, p, e);
                    return (None, "invalid archgen:role".into());
                }
            }
        }
        let name = c.text.name.as_deref().unwrap_or("");
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
}
