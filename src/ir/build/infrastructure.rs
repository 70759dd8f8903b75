//! Infrastructure: the database, the serving and scheduled processes and
//! what hosts them, runtimes and their versions, and how the pack deploys
//! them.

use super::*;

impl<'m> Builder<'m> {
    /// `what` deployed as the pack's unit for `runs`, when it has one.
    pub(super) fn deployed_as(&self, what: &str, runs: Runs) -> String {
        match self.stack.deployments.iter().find(|d| d.runs == runs) {
            Some(d) => format!("{what} (deployed as `{}`)", d.key),
            None => what.to_owned(),
        }
    }

    pub(super) fn infrastructure(&mut self, roles: &HashMap<&str, Option<Role>>) -> Infrastructure {
        let db_like = |e: &Element| {
            let n = e.text.name.as_deref().unwrap_or("");
            has_stem(n, &["postgres"])
                || has_word(n, &["db", "database", "rdbms", "sql"])
                || (has_word(n, &["analytics"]) && has_word(n, &["store", "warehouse"]))
        };
        let mut db_from: Vec<String> = Vec::new();
        let database = self.deployed_as("the database", Runs::Database);
        for ss in self
            .elements(T::SystemSoftware)
            .into_iter()
            .filter(|e| db_like(e))
        {
            db_from.push(ss.identifier.clone());
            self.explain(
                ss,
                database.clone(),
                "rule: SystemSoftware named like a database (DB, SQL, an engine's name)",
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
                        format!("hosts {database}"),
                        "rule: a Node that holds the database SystemSoftware",
                    );
                }
            }
        }
        // Which process each component runs in, and what hosts it.
        let mut serving_from: Vec<String> = Vec::new();
        let mut scheduled_from: Vec<String> = Vec::new();
        let serving = self.deployed_as("the serving process", Runs::Serving);
        let scheduled = self.deployed_as("the scheduled jobs' process", Runs::Scheduled);
        for c in self.elements(T::ApplicationComponent) {
            let (target, process) = match roles.get(c.identifier.as_str()).copied().flatten() {
                Some(Role::Aggregator | Role::Worker) => (&mut scheduled_from, &scheduled),
                Some(_) => (&mut serving_from, &serving),
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
                    format!("the image of {process}"),
                    "rule: an Artifact that realises a component",
                );
                for host in self.incoming(&art.identifier, R::Assignment) {
                    if matches!(host.kind, T::SystemSoftware | T::Node | T::Device)
                        && !db_like(host)
                    {
                        target.push(host.identifier.clone());
                        self.explain(
                            host,
                            format!("runtime of {process}"),
                            "rule: assigned to the Artifact deployed on it",
                        );
                        for n in self.incoming(&host.identifier, R::Composition) {
                            if matches!(n.kind, T::Node | T::Device) {
                                target.push(n.identifier.clone());
                                self.explain(
                                    n,
                                    format!("hosts {process}"),
                                    "rule: a Node that holds the runtime",
                                );
                            }
                        }
                    }
                }
            }
        }
        for v in [&mut db_from, &mut serving_from, &mut scheduled_from] {
            let mut seen = BTreeSet::new();
            v.retain(|x| seen.insert(x.clone()));
        }
        let db = db_from
            .first()
            .and_then(|id| self.by_id.get(id.as_str()))
            .copied();
        let db_name = db.map(display);
        let engine = db.and_then(|e| database_engine(e.text.name.as_deref().unwrap_or("")));
        let mut runtimes: Vec<Runtime> = Vec::new();
        let mut hosts: Vec<&Element> = [T::SystemSoftware, T::Node, T::Device]
            .into_iter()
            .flat_map(|k| self.elements(k))
            .collect();
        hosts.sort_by(|a, b| a.identifier.cmp(&b.identifier));
        for e in hosts {
            if let Some((name, version)) = e.text.name.as_deref().and_then(runtime_of) {
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
        let deployments = self
            .stack
            .deployments
            .iter()
            .map(|d| Deployed {
                key: d.key.clone(),
                purpose: d.purpose.clone(),
                runs: d.runs,
                from: match d.runs {
                    Runs::Serving => serving_from.clone(),
                    Runs::Scheduled => scheduled_from.clone(),
                    Runs::Database => db_from.clone(),
                },
            })
            .collect();
        Infrastructure {
            runtimes,
            database: Database {
                engine,
                name: db_name,
                from: db_from,
            },
            serving: serving_from,
            scheduled: scheduled_from,
            deployments,
        }
    }
}

/// The engine a database element's name names (`PostgreSQL 15`,
/// `MySQL`, `Oracle DB`), when it names one.
pub(super) fn database_engine(name: &str) -> Option<String> {
    let engines: [(&[&str], &str); 6] = [
        (&["postgres"], "postgresql"),
        (&["mysql", "mariadb"], "mysql"),
        (&["sqlite"], "sqlite"),
        (&["oracle"], "oracle"),
        (&["mssql", "sqlserver"], "sqlserver"),
        (&["mongo"], "mongodb"),
    ];
    let compact: String = name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    engines
        .iter()
        .find(|(names, _)| names.iter().any(|n| compact.contains(n)))
        .map(|(_, e)| (*e).to_owned())
        .or_else(|| has_word(name, &["pg"]).then(|| "postgresql".to_owned()))
}

#[cfg(test)]
#[test]
pub(super) fn database_engines_come_from_the_name() {
    assert_eq!(
        database_engine("PostgreSQL Analytics DB").as_deref(),
        Some("postgresql")
    );
    assert_eq!(database_engine("PG cluster").as_deref(), Some("postgresql"));
    assert_eq!(database_engine("MariaDB 10").as_deref(), Some("mysql"));
    assert_eq!(
        database_engine("SQL Server 2019").as_deref(),
        Some("sqlserver")
    );
    assert_eq!(database_engine("Customer DB"), None);
    assert_eq!(database_engine("Upgrade service"), None);
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

#[cfg(test)]
mod tests {
    use super::runtime_of;

    #[test]
    pub(super) fn runtimes_are_read_from_names() {
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
