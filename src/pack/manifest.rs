//! `pack.toml`: what a pack is, what it handles, and which files it makes.

use crate::ir::build::PlatformEntity;
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
    /// Render once per item of this IR list: `entity`, `metric`, `service`,
    /// `job`, `decision`, `compliance`, `component`, `migration` (each
    /// revision of the migration chain), `view` (each view, with its
    /// drawing's SVG text as `view.svg`; rendered after every other rule).
    #[serde(default)]
    pub each: Option<String>,
    /// Only when this condition holds: `application`, `docs_only`,
    /// `frontend`, `metrics`, `compliance`, `always` (default `application`).
    #[serde(default = "default_when")]
    pub when: String,
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

fn default_when() -> String {
    "application".into()
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
}

fn yes() -> bool {
    true
}

fn level_one() -> u32 {
    1
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReservedToml {
    /// Table names the pack creates itself (its migration table, queues,
    /// run records…): entities of the blueprint get other table names.
    #[serde(default)]
    tables: Vec<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ManifestToml {
    name: String,
    version: String,
    description: String,
    handles: Vec<String>,
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
    reserved: ReservedToml,
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
}

/// A parsed manifest.
#[derive(Clone, Debug)]
pub struct Manifest {
    pub name: String,
    pub version: String,
    pub description: String,
    /// The IR parts the pack handles.
    pub handles: Vec<String>,
    pub platform: Vec<PlatformEntity>,
    /// See `schema_level` in `pack.toml`.
    pub schema_level: u32,
    /// Table names entities of the blueprint may not take.
    pub reserved_tables: Vec<String>,
    pub files: Vec<FileRule>,
}

const EACH: &[&str] = &[
    "entity",
    "metric",
    "service",
    "job",
    "decision",
    "compliance",
    "component",
    "migration",
    "view",
];
const WHEN: &[&str] = &[
    "application",
    "docs_only",
    "frontend",
    "metrics",
    "compliance",
    "always",
];

impl Manifest {
    /// Parses `pack.toml`; `read` returns the text of an included rules file.
    pub fn parse(text: &str, read: impl Fn(&str) -> Option<String>) -> Result<Manifest, String> {
        let mut t: ManifestToml = toml::from_str(text).map_err(|e| e.to_string())?;
        for inc in &t.include {
            let body =
                read(inc).ok_or_else(|| format!("included rules file `{inc}` is missing"))?;
            let rules: RulesToml = toml::from_str(&body).map_err(|e| format!("{inc}: {e}"))?;
            t.file.extend(rules.file);
        }
        for f in &t.file {
            if let Some(e) = &f.each {
                if !EACH.contains(&e.as_str()) {
                    return Err(format!(
                        "file rule for `{}`: `each = \"{e}\"` is not one of {}",
                        f.template,
                        EACH.join(", ")
                    ));
                }
            }
            if !WHEN.contains(&f.when.as_str()) {
                return Err(format!(
                    "file rule for `{}`: `when = \"{}\"` is not one of {}",
                    f.template,
                    f.when,
                    WHEN.join(", ")
                ));
            }
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
            handles: t.handles,
            platform: t
                .platform
                .into_iter()
                .map(|p| PlatformEntity {
                    key: p.key,
                    name: p.name,
                    fields: p.fields,
                    tenant: p.tenant,
                    compliance_only: p.compliance_only,
                })
                .collect(),
            schema_level: t.schema_level,
            reserved_tables: t.reserved.tables,
            files: t.file,
        })
    }
}
