//! What a template pack tells the IR builder about the stack it targets.
//!
//! The IR describes the system the model draws; it knows no language,
//! framework or database. What depends on the stack comes from the pack
//! (`pack.toml` and the rules files it includes) through [`Stack`]: the
//! entities every project of the pack has, the names the pack's own code
//! takes, the tenant column it adds, how it deploys the model's processes,
//! and the decisions it makes with their reasons. An empty [`Stack`] builds
//! the IR of the model alone.

use serde::{Deserialize, Serialize};

/// An entity a pack always provides (organizations, users, …), written in
/// the `archgen:fields` syntax.
#[derive(Clone, Debug)]
pub struct PlatformEntity {
    pub key: String,
    pub name: String,
    pub fields: String,
    pub tenant: bool,
    /// Only when the blueprint names a compliance framework.
    pub compliance_only: bool,
    /// Only when the blueprint's components send each other messages (it
    /// has channels).
    pub channels_only: bool,
}

/// Names the pack's own code takes: items of the blueprint get others.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Reserved {
    /// Table names the pack creates itself (its migration table, queues…).
    #[serde(default)]
    pub tables: Vec<String>,
    /// Module (file) names the pack uses itself: services get other keys.
    #[serde(default)]
    pub modules: Vec<String>,
    /// Route prefixes the pack serves itself: a service path under one of
    /// them is refused.
    #[serde(default)]
    pub paths: Vec<String>,
}

/// Which of the model's processes a deployment unit of the pack runs.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Runs {
    /// Components that answer requests (every role but aggregation and
    /// background work).
    Serving,
    /// Components whose role is aggregation or background work.
    Scheduled,
    /// The model's database: a SystemSoftware named like one, and its node.
    Database,
}

/// One deployment unit of the pack (a compose service, a pod, a process).
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Deployment {
    pub key: String,
    pub purpose: String,
    pub runs: Runs,
}

/// When a pack's decision applies.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum DecisionWhen {
    #[default]
    Always,
    /// The blueprint defines metrics.
    Metrics,
    /// Once per compliance framework the blueprint names; the texts may
    /// use `{key}`, `{title}` and `{why}` of the framework.
    EachCompliance,
}

/// Which model elements a pack's decision comes from (its provenance).
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum DecisionFrom {
    #[default]
    None,
    /// The database elements.
    Database,
    /// The auth component.
    Auth,
    /// Every metric's elements.
    Metrics,
    /// The compliance framework's elements (with `each_compliance`).
    Item,
}

/// A decision the pack makes, written as an architecture decision record.
///
/// Texts may use `{pack}` (the pack's name) and `{database}` (the model's
/// database, or the pack's `database_name` when the model draws none).
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct DecisionRule {
    /// Stable key (kebab-case); with `each_compliance` it may use `{key}`.
    pub key: String,
    #[serde(default)]
    pub when: DecisionWhen,
    pub title: String,
    pub context: String,
    /// Drivers the pack states itself, before those found in the model.
    #[serde(default)]
    pub drivers: Vec<String>,
    /// Word stems (lower-case): the model's principles, constraints and
    /// requirements whose name or documentation holds one are drivers.
    #[serde(default)]
    pub model_drivers: Vec<String>,
    /// The options considered, the chosen one first.
    pub options: Vec<String>,
    pub decision: String,
    /// "Good, because …" and "Bad, because …" lines.
    pub consequences: Vec<String>,
    #[serde(default)]
    pub from: DecisionFrom,
}

/// Everything the IR builder takes from the pack.
#[derive(Clone, Debug, Default)]
pub struct Stack {
    /// The pack's name, recorded in the IR's project.
    pub pack: String,
    pub platform: Vec<PlatformEntity>,
    pub reserved: Reserved,
    /// The column the pack adds to every tenant table: a blueprint field of
    /// that name is left to the pack.
    pub tenant_column: Option<String>,
    /// How the pack deploys the model's processes.
    pub deployments: Vec<Deployment>,
    /// The database's name when the model draws none.
    pub database_name: Option<String>,
    pub decisions: Vec<DecisionRule>,
}

impl Stack {
    /// A stack with nothing but a name: the IR of the model alone.
    pub fn named(pack: &str) -> Stack {
        Stack {
            pack: pack.to_owned(),
            ..Stack::default()
        }
    }
}

/// `text` with each `{name}` of `vars` replaced by its value; other braces
/// stay as they are.
pub fn fill(text: &str, vars: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        match vars.iter().find(|(k, _)| {
            after
                .strip_prefix(k)
                .is_some_and(|tail| tail.starts_with('}'))
        }) {
            Some((k, v)) => {
                out.push_str(v);
                rest = &after[k.len() + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_replaces_known_names_only() {
        let vars = [("pack", "p"), ("title", "GDPR")];
        assert_eq!(
            fill("{pack}: {title} {other} {", &vars),
            "p: GDPR {other} {"
        );
        assert_eq!(fill("{{pack}}", &vars), "{p}");
        assert_eq!(fill("", &vars), "");
    }
}
