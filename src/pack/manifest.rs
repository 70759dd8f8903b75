//! `pack.toml`: what a pack is, what it tells the IR builder about its
//! stack, and which files it makes.

use crate::ir::stack::{DecisionRule, Deployment, PlatformEntity, Reserved, Stack};
use serde::{Deserialize, Serialize};

/// What happens to a file on regeneration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lifecycle {
    /// Rewritten from the blueprint every time (hand edits are merged).
    Regenerate,
    /// Written once; the user owns it afterwards.
    Once,
    /// Never rewritten; new versions are new files (migrations, ADRs).
    Append,
}

impl Lifecycle {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Regenerate => "regenerate",
            Self::Once => "once",
            Self::Append => "append",
        }
    }
}

/// One file rule.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FileRule {
    /// The template, relative to the pack folder.
    pub template: String,
    /// The output path, itself a template (`app/models/{{ entity.key }}.py`).
    pub path: String,
    #[serde(default = "default_lifecycle")]
    pub lifecycle: Lifecycle,
    /// Render once per item of this IR list (`view`: each view, with its
    /// drawing's SVG text as `view.svg`, rendered after every other rule).
    #[serde(default)]
    pub each: Option<Each>,
    /// Only when this condition holds (default `application`).
    #[serde(default)]
    pub when: When,
    /// A minijinja expression over `ir` (and the item) that must be true.
    #[serde(default)]
    pub filter: Option<String>,
    /// Copy the template verbatim instead of rendering it.
    #[serde(default)]
    pub verbatim: bool,
    /// A minijinja expression over `ir` (and the item) giving the
    /// identifiers of the model elements the file comes from, beyond the
    /// item's own: a list of strings, or of lists of strings. The files an
    /// element comes to are where its box in a drawn view links.
    #[serde(default)]
    pub from: Option<String>,
}

fn default_lifecycle() -> Lifecycle {
    Lifecycle::Regenerate
}

/// The IR list a file rule renders once per item of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Each {
    Entity,
    Metric,
    Service,
    Job,
    Decision,
    Compliance,
    Component,
    /// Each revision of the migration chain.
    Migration,
    /// Each view of the model, drawn.
    View,
}

impl Each {
    /// The name the item has in the template's context.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Entity => "entity",
            Self::Metric => "metric",
            Self::Service => "service",
            Self::Job => "job",
            Self::Decision => "decision",
            Self::Compliance => "compliance",
            Self::Component => "component",
            Self::Migration => "migration",
            Self::View => "view",
        }
    }
}

/// When a file rule applies.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum When {
    /// The model has application-layer elements.
    #[default]
    Application,
    /// It has none: the project is documentation only.
    DocsOnly,
    /// An application with a web frontend.
    Frontend,
    /// An application with metrics.
    Metrics,
    /// An application under a compliance framework.
    Compliance,
    /// An application whose components send each other messages.
    Channels,
    Always,
}

impl When {
    pub fn holds(self, ir: &crate::ir::Ir) -> bool {
        match self {
            Self::Always => true,
            Self::Application => ir.application,
            Self::DocsOnly => !ir.application,
            Self::Frontend => ir.application && ir.frontend.is_some(),
            Self::Metrics => ir.application && !ir.metrics.is_empty(),
            Self::Compliance => ir.application && !ir.compliance.is_empty(),
            Self::Channels => ir.application && !ir.channels.is_empty(),
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlatformToml {
    key: String,
    name: String,
    fields: String,
    #[serde(default = "yes")]
    tenant: bool,
    #[serde(default)]
    compliance_only: bool,
    #[serde(default)]
    channels_only: bool,
}

fn yes() -> bool {
    true
}

fn level_one() -> u32 {
    1
}

/// `[tests]`: a test is a line, in a file under one of `dirs`, that starts
/// (after indentation) with one of `starts` followed by an identifier; its
/// name is the identifier with the part of the start after the last space
/// (`def test_x` → `test_x`).
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TestsToml {
    #[serde(default)]
    pub dirs: Vec<String>,
    #[serde(default)]
    pub starts: Vec<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ManifestToml {
    name: String,
    version: String,
    description: String,
    #[serde(default)]
    platform: Vec<PlatformToml>,
    /// The level of the tables and constraints the pack's own code needs
    /// beyond the blueprint's (1 when absent). Raising it makes the next
    /// generation of an existing project write a migration that takes its
    /// database from the old level to the new one.
    #[serde(default = "level_one")]
    schema_level: u32,
    /// Names the blueprint may not take.
    #[serde(default)]
    reserved: Reserved,
    /// The column the pack adds to every tenant table.
    #[serde(default)]
    tenant_column: Option<String>,
    /// The database's name in texts when the model draws none.
    #[serde(default)]
    database_name: Option<String>,
    /// The columns of a metric table besides its dimensions and the
    /// tenant column.
    #[serde(default)]
    metric_columns: Vec<String>,
    /// Where the pack's tests are and how a test function starts.
    #[serde(default)]
    tests: TestsToml,
    /// How the pack deploys the model's processes.
    #[serde(default)]
    deployment: Vec<Deployment>,
    /// The decisions the pack makes (architecture decision records).
    #[serde(default)]
    decision: Vec<DecisionRule>,
    /// Further TOML files (relative to the pack) holding `[[file]]` rules.
    #[serde(default)]
    include: Vec<String>,
    #[serde(default)]
    file: Vec<FileRule>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesToml {
    #[serde(default)]
    file: Vec<FileRule>,
    #[serde(default)]
    decision: Vec<DecisionRule>,
}

/// A parsed manifest.
#[derive(Clone, Debug)]
pub struct Manifest {
    pub name: String,
    pub version: String,
    pub description: String,
    pub platform: Vec<PlatformEntity>,
    /// See `schema_level` in `pack.toml`.
    pub schema_level: u32,
    /// Names the blueprint's items may not take.
    pub reserved: Reserved,
    /// See `tenant_column` in `pack.toml`.
    pub tenant_column: Option<String>,
    pub database_name: Option<String>,
    /// See `metric_columns` in `pack.toml`.
    pub metric_columns: Vec<String>,
    /// How rendering finds the tests a file defines (for the compliance
    /// report's links from controls to tests).
    pub tests: TestsToml,
    pub deployments: Vec<Deployment>,
    pub decisions: Vec<DecisionRule>,
    pub files: Vec<FileRule>,
}

impl Manifest {
    /// Parses `pack.toml`; `read` returns the text of an included rules file.
    pub fn parse(text: &str, read: impl Fn(&str) -> Option<String>) -> Result<Manifest, String> {
        let mut t: ManifestToml = toml::from_str(text).map_err(|e| e.to_string())?;
        for inc in &t.include {
            let body =
                read(inc).ok_or_else(|| format!("included rules file `{inc}` is missing"))?;
            let rules: RulesToml = toml::from_str(&body).map_err(|e| format!("{inc}: {e}"))?;
            t.file.extend(rules.file);
            t.decision.extend(rules.decision);
        }
        if t.schema_level == 0 {
            return Err("`schema_level` starts at 1".into());
        }
        for p in &t.platform {
            crate::ir::profile::parse_fields(&p.fields)
                .into_result()
                .map_err(|e| format!("platform entity `{}`: {}", p.key, e.message))?;
        }
        Ok(Manifest {
            name: t.name,
            version: t.version,
            description: t.description,
            platform: t
                .platform
                .into_iter()
                .map(|p| PlatformEntity {
                    key: p.key,
                    name: p.name,
                    fields: p.fields,
                    tenant: p.tenant,
                    compliance_only: p.compliance_only,
                    channels_only: p.channels_only,
                })
                .collect(),
            schema_level: t.schema_level,
            reserved: t.reserved,
            tenant_column: t.tenant_column,
            database_name: t.database_name,
            metric_columns: t.metric_columns,
            tests: t.tests,
            deployments: t.deployment,
            decisions: t.decision,
            files: t.file,
        })
    }

    /// What the IR builder takes from this pack.
    pub fn stack(&self) -> Stack {
        Stack {
            pack: self.name.clone(),
            platform: self.platform.clone(),
            reserved: self.reserved.clone(),
            tenant_column: self.tenant_column.clone(),
            deployments: self.deployments.clone(),
            database_name: self.database_name.clone(),
            decisions: self.decisions.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "name = \"p\"\nversion = \"1\"\ndescription = \"d\"\n";

    fn parse(body: &str) -> Result<Manifest, String> {
        Manifest::parse(&format!("{HEAD}{body}"), |_| None)
    }

    #[test]
    fn unknown_keys_and_values_are_refused_with_their_line() {
        let e = parse("handles = [\"entities\"]\n").unwrap_err();
        assert!(e.contains("line 4") && e.contains("handles"), "{e}");
        let e =
            parse("[[file]]\ntemplate = \"a\"\npath = \"a\"\nwhen = \"sometimes\"\n").unwrap_err();
        assert!(e.contains("line 7") && e.contains("sometimes"), "{e}");
        assert!(
            e.contains("docs_only"),
            "the allowed values are listed: {e}"
        );
        let e = parse("[[decision]]\nkey = \"k\"\ntitle = \"t\"\ncontext = \"c\"\noptions = []\ndecision = \"d\"\nconsequences = []\nfrom = \"moon\"\n").unwrap_err();
        assert!(e.contains("line 11") && e.contains("moon"), "{e}");
    }

    #[test]
    fn a_manifest_gives_the_stack_its_facts() {
        let m = parse(
            "tenant_column = \"tenant\"\n[reserved]\nmodules = [\"main\"]\n[[deployment]]\nkey = \"web\"\npurpose = \"p\"\nruns = \"serving\"\n[[file]]\ntemplate = \"a\"\npath = \"a\"\neach = \"metric\"\n",
        )
        .unwrap();
        let s = m.stack();
        assert_eq!(s.tenant_column.as_deref(), Some("tenant"));
        assert_eq!(s.reserved.modules, ["main"]);
        assert_eq!(s.deployments[0].runs, crate::ir::stack::Runs::Serving);
        assert_eq!(m.files[0].each, Some(Each::Metric));
        assert_eq!(m.files[0].when, When::Application);
    }
}
