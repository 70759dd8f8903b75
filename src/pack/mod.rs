//! Template packs: a manifest (`pack.toml`) and minijinja templates.
//!
//! In: a pack (built in, embedded from `templates/`, or a folder given with
//! `--pack`) and an [`Ir`](crate::ir::Ir). Out: every file of the project, rendered in
//! memory ([`RenderedFile`]), in path order ([`render`]), or handed on one
//! at a time as it is rendered ([`render_each`]). Nothing here touches the disk
//! except reading a pack folder.

pub mod check;
mod manifest;
pub mod migrations;
pub mod records;
mod render;
pub mod starter;
mod values;

pub use crate::naming::hex;
pub use manifest::{Each, FileRule, Lifecycle, Manifest};
pub use render::{render, render_all, render_each, RenderError, RenderedFile, Sink};

/// SHA-256 of bytes, as lower-case hex.
pub fn hex_digest(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    hex(&sha2::Sha256::digest(bytes))
}

/// SHA-256 of a value's JSON, as lower-case hex: the same as
/// `hex_digest(serde_json::to_string(value))`, without holding the JSON.
pub fn json_digest<T: serde::Serialize>(value: &T) -> String {
    use sha2::Digest as _;
    let mut hasher = sha2::Sha256::new();
    serde_json::to_writer(&mut hasher, value).expect("a value that serialises");
    hex(&hasher.finalize())
}

use include_dir::{include_dir, Dir};
use std::collections::BTreeMap;
use std::path::Path;

static BUILTIN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates");

/// The name of the pack used when neither `--pack` nor `archgen:pack` says.
pub const DEFAULT_PACK: &str = "python-fastapi";

/// A loaded pack: its manifest and its templates by relative path.
#[derive(Debug, Clone)]
pub struct Pack {
    pub manifest: Manifest,
    pub templates: BTreeMap<String, String>,
    /// Where it came from: `built-in` or the folder.
    pub origin: String,
}

#[derive(Debug, thiserror::Error)]
pub enum PackError {
    #[error("no built-in pack is named `{0}` (built-in packs: {1})")]
    Unknown(String, String),
    #[error("cannot read pack folder `{0}`: {1}")]
    Io(String, std::io::Error),
    #[error("pack manifest `{0}` is invalid: {1}")]
    Manifest(String, String),
}

impl Pack {
    /// A built-in pack by name.
    pub fn builtin(name: &str) -> Result<Pack, PackError> {
        let dir = BUILTIN
            .get_dir(name)
            .filter(|d| d.get_file(format!("{name}/pack.toml")).is_some());
        let Some(dir) = dir.filter(|_| !name.contains(['/', '\\', '.'])) else {
            return Err(PackError::Unknown(
                name.to_owned(),
                builtin_names().join(", "),
            ));
        };
        let mut templates = BTreeMap::new();
        let mut stack = vec![dir];
        while let Some(d) = stack.pop() {
            for f in d.files() {
                let rel = f.path().strip_prefix(name).unwrap_or(f.path());
                let text = f.contents_utf8().unwrap_or_default().to_owned();
                templates.insert(rel.to_string_lossy().replace('\\', "/"), text);
            }
            stack.extend(d.dirs());
        }
        let toml = templates.remove("pack.toml").unwrap_or_default();
        let manifest = Manifest::parse(&toml, |p| templates.get(p).cloned())
            .map_err(|e| PackError::Manifest(format!("{name}/pack.toml"), e))?;
        Ok(Pack {
            manifest,
            templates,
            origin: "built-in".into(),
        })
    }

    /// A pack from a folder on disk.
    pub fn from_dir(dir: &Path) -> Result<Pack, PackError> {
        let shown = dir.display().to_string();
        let toml = std::fs::read_to_string(dir.join("pack.toml"))
            .map_err(|e| PackError::Io(shown.clone(), e))?;
        let mut templates = BTreeMap::new();
        for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
            let entry = entry.map_err(|e| PackError::Io(shown.clone(), e.into()))?;
            if !entry.file_type().is_file() {
                continue;
            }
            let path = entry.path();
            let rel = path
                .strip_prefix(dir)
                .unwrap_or(path)
                .to_string_lossy()
                .replace('\\', "/");
            if rel != "pack.toml" {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| PackError::Io(path.display().to_string(), e))?;
                templates.insert(rel, text);
            }
        }
        let manifest = Manifest::parse(&toml, |p| templates.get(p).cloned())
            .map_err(|e| PackError::Manifest(format!("{shown}/pack.toml"), e))?;
        Ok(Pack {
            manifest,
            templates,
            origin: shown,
        })
    }

    /// What the IR builder takes from the pack (see [`crate::ir::Stack`]).
    pub fn stack(&self) -> crate::ir::Stack {
        self.manifest.stack()
    }
}

/// Names of the built-in packs.
pub fn builtin_names() -> Vec<String> {
    let mut v: Vec<String> = BUILTIN
        .dirs()
        .filter(|d| d.get_file(d.path().join("pack.toml")).is_some())
        .map(|d| d.path().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Every built-in pack, loaded.
pub fn builtins() -> Vec<Pack> {
    builtin_names()
        .iter()
        .filter_map(|n| Pack::builtin(n).ok())
        .collect()
}
