//! Plans: the rendered project against the disk.
//!
//! In: the output folder (its files, `.archgen/lock.json` and the merge
//! bases under `.archgen/base/`) and the rendered files. Out: a [`Plan`]:
//! every create, update, merge, conflict and delete, with its lifecycle,
//! provenance and the bytes to write, plus the new lock. Nothing is written
//! here; [`apply`] writes a plan, and refuses when the disk no longer is what
//! the plan was made from.
//!
//! - `regenerate` files: unchanged on disk since the last generation →
//!   overwritten; edited by hand → three-way merge (last generated, on disk,
//!   new); conflicts get markers. Files are compared and hashed as bytes; a
//!   text merge happens only when all three versions are UTF-8, otherwise a
//!   hand edit that meets a change is a conflict resolved beside the file:
//!   yours stays byte for byte, the new version goes to `PATH.archgen-new`.
//! - `once` files are never touched after creation; `append` files are never
//!   rewritten.
//! - Orphans (`regenerate` files the model no longer produces) are deleted
//!   when unedited and kept (and reported) when edited.

pub mod merge;

use crate::pack::{hex_digest, Lifecycle, RenderedFile};
use crate::write::{atomic_write, remove_leftover_temps, safe_join, WriteError, STATE_DIR};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;

/// File content held once and shared: the new version of a file is both
/// what a plan writes and its next merge base. The rendered string is moved
/// in, not copied.
pub type Text = std::sync::Arc<String>;

/// Marker opening a conflict in a merged file.
pub const CONFLICT_MARK: &str = "<<<<<<< your edit";
/// Suffix of the file that holds the new version of a file archgen could
/// not merge (it is not UTF-8 text). While it exists, the file is in
/// conflict.
pub const NEW_SUFFIX: &str = ".archgen-new";

/// What the lock file records.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Lock {
    pub archgen_version: String,
    pub pack: String,
    pub pack_version: String,
    /// Hash of what the generation depended on (the IR), not of the
    /// blueprint's bytes: moving a box in a view changes nothing.
    pub input_hash: String,
    /// The schema the migrations have reached: table → columns.
    #[serde(default)]
    pub schema: BTreeMap<String, Vec<String>>,
    /// Pack-defined state carried between generations (e.g. the migration
    /// chain), as JSON.
    #[serde(default)]
    pub state: State,
    pub files: BTreeMap<String, LockedFile>,
}

/// The pack state of a lock, kept as the JSON text it is in the lock file
/// rather than as a tree of values: the migration chain of a large schema
/// is tens of megabytes of JSON, and several times that as
/// `serde_json::Value`s. Its parts are read when needed ([`State::part`]);
/// the journal of the next run writes it back as it was read.
///
/// In memory the text is compact, half the size of the indented layout the
/// lock file gives it (see [`layout`]), which is made only as the lock is
/// written.
#[derive(Clone, Debug)]
pub struct State(Box<serde_json::value::RawValue>);

impl Default for State {
    fn default() -> Self {
        State::raw("null".into())
    }
}

impl PartialEq for State {
    fn eq(&self, other: &Self) -> bool {
        self.0.get() == other.0.get()
    }
}

impl Eq for State {}

/// As `serde_json::to_string_pretty` would write the state where the lock
/// holds it (one level deep), so that the lock file reads as if the state
/// were part of its tree.
impl Serialize for State {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let text = layout(self.0.get(), 1);
        serde_json::value::RawValue::from_string(text)
            .map_err(serde::ser::Error::custom)?
            .serialize(s)
    }
}

impl<'de> Deserialize<'de> for State {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = Box::<serde_json::value::RawValue>::deserialize(d)?;
        Ok(State::raw(compact(raw.get())))
    }
}

impl State {
    fn raw(text: String) -> State {
        State(serde_json::value::RawValue::from_string(text).expect("serde_json writes JSON"))
    }

    /// The state `value` gives. `value` should write its keys in order, as
    /// a `serde_json::Value` would.
    pub fn new<T: Serialize>(value: &T) -> State {
        State::raw(serde_json::to_string(value).expect("the state serialises"))
    }

    /// The JSON text of the part `key` (`None` when absent, or when the
    /// state is no object).
    pub fn part(&self, key: &str) -> Option<&str> {
        let parts: BTreeMap<String, &serde_json::value::RawValue> =
            serde_json::from_str(self.0.get()).ok()?;
        parts.get(key).map(|v| v.get())
    }
}

/// Valid JSON `text` without the white space between its tokens.
fn compact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut escaped = false;
    for c in text.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if !matches!(c, ' ' | '\n' | '\r' | '\t') {
            in_string = c == '"';
            out.push(c);
        }
    }
    out
}

/// Compact JSON `text` laid out as `serde_json::to_string_pretty` lays out
/// its value (two spaces a level), as if it stood `depth` levels deep.
fn layout(text: &str, depth: usize) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    let mut depth = depth;
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        for _ in 0..depth {
            out.push_str("  ");
        }
    };
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                // The whole string, escapes and all.
                let start = i;
                i += 1;
                while bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                out.push_str(&text[start..=i]);
            }
            open @ (b'[' | b'{') => {
                out.push(open as char);
                let close = if open == b'[' { b']' } else { b'}' };
                if bytes.get(i + 1) == Some(&close) {
                    out.push(close as char);
                    i += 1;
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            close @ (b']' | b'}') => {
                depth -= 1;
                newline(&mut out, depth);
                out.push(close as char);
            }
            b',' => {
                out.push(',');
                newline(&mut out, depth);
            }
            b':' => out.push_str(": "),
            _ => {
                // A number or a literal: up to the next structural byte.
                let start = i;
                while i + 1 < bytes.len() && !matches!(bytes[i + 1], b',' | b']' | b'}' | b':') {
                    i += 1;
                }
                out.push_str(&text[start..=i]);
            }
        }
        i += 1;
    }
    out
}

/// A serde_json error without its position (a position in a part of the
/// lock's state means nothing to the user).
pub fn without_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let at = format!(" at line {} column {}", e.line(), e.column());
    match text.strip_suffix(&at) {
        Some(t) if e.line() > 0 => t.to_owned(),
        _ => text,
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct LockedFile {
    pub lifecycle: Lifecycle,
    /// SHA-256 of the content archgen last generated for this path.
    pub sha256: String,
    /// Contents a run was writing when it stopped (the journal of an
    /// interrupted run): archgen's own output, not hand edits.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pending: Vec<String>,
}

impl LockedFile {
    fn new(lifecycle: Lifecycle, sha256: String) -> Self {
        LockedFile {
            lifecycle,
            sha256,
            pending: vec![],
        }
    }

    /// True when `sha` is content archgen itself wrote here.
    fn generated(&self, sha: &str) -> bool {
        self.sha256 == sha || self.pending.iter().any(|p| p == sha)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Create,
    Update,
    /// A hand edit merged cleanly with the new content.
    Merge,
    /// A hand edit that conflicts with the new content: markers written.
    Conflict,
    Delete,
    /// An edited orphan, left in place.
    Keep,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Update => "update",
            Self::Merge => "merge",
            Self::Conflict => "conflict",
            Self::Delete => "delete",
            Self::Keep => "keep",
        }
    }
}

/// One change of a plan.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Change {
    pub path: String,
    pub kind: Kind,
    pub lifecycle: Lifecycle,
    /// Identifiers of the model elements the file comes from.
    pub provenance: Vec<String>,
    /// What is on disk now (`None` when absent), byte for byte.
    #[serde(skip)]
    pub before: Option<Vec<u8>>,
    /// What to write (`None`: delete; for `keep` and `conflict`, leave the
    /// file as it is).
    #[serde(skip)]
    pub after: Option<Text>,
    /// For a conflict on a file that is not UTF-8 text: where the new
    /// version goes (`PATH.archgen-new`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub beside_file: Option<String>,
    /// What to write to `beside_file` (`None` when it holds that already).
    #[serde(skip)]
    pub beside: Option<String>,
}

impl Change {
    fn new(path: &str, kind: Kind, lifecycle: Lifecycle, before: Option<Vec<u8>>) -> Self {
        Change {
            path: path.to_owned(),
            kind,
            lifecycle,
            provenance: vec![],
            before,
            after: None,
            beside_file: None,
            beside: None,
        }
    }

    /// Bytes of contents it holds.
    fn held(&self) -> usize {
        let len = |t: Option<usize>| t.unwrap_or(0);
        len(self.before.as_ref().map(Vec::len))
            + len(self.after.as_ref().map(|t| t.len()))
            + len(self.beside.as_ref().map(String::len))
    }

    /// True when applying it touches the disk.
    pub fn writes(&self) -> bool {
        match self.kind {
            Kind::Keep => false,
            Kind::Conflict => self.after.is_some() || self.beside.is_some(),
            _ => true,
        }
    }
}

/// A whole plan.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Plan {
    pub changes: Vec<Change>,
    /// Warnings to show (data the next migration drops).
    pub warnings: Vec<String>,
    #[serde(skip)]
    pub lock: Lock,
    /// The lock file's new text, and whether it differs from the disk.
    #[serde(skip)]
    pub lock_text: String,
    /// The lock written before any file: the old lock plus the hashes this
    /// plan is about to write, so that a killed run's files are not taken
    /// for hand edits. Empty when the plan writes no file.
    #[serde(skip)]
    pub journal_text: String,
    pub lock_changed: bool,
    /// Merge bases to write (path → generated content) or remove (`None`).
    #[serde(skip)]
    pub bases: BTreeMap<String, Option<Text>>,
    /// SHA-256 of every path the plan looked at, as it was (`None`: absent).
    #[serde(skip)]
    pub preconditions: BTreeMap<String, Option<String>>,
}

impl Plan {
    pub fn count(&self, k: Kind) -> usize {
        self.changes.iter().filter(|c| c.kind == k).count()
    }

    pub fn conflicts(&self) -> usize {
        self.count(Kind::Conflict)
    }

    /// `+12 ~3 -1, 1 conflict` (merges count as updates).
    pub fn summary(&self) -> String {
        let mut s = format!(
            "+{} ~{} -{}",
            self.count(Kind::Create),
            self.count(Kind::Update) + self.count(Kind::Merge),
            self.count(Kind::Delete)
        );
        let c = self.conflicts();
        if c > 0 {
            s.push_str(&format!(", {c} conflict{}", if c == 1 { "" } else { "s" }));
        }
        let k = self.count(Kind::Keep);
        if k > 0 {
            s.push_str(&format!(
                ", {k} edited orphan{} kept",
                if k == 1 { "" } else { "s" }
            ));
        }
        s
    }

    /// True when applying it would write nothing at all, the lock included.
    pub fn is_empty(&self) -> bool {
        !self.lock_changed
            && self.bases.is_empty()
            && !self.changes.iter().any(Change::writes)
            && self.conflicts() == 0
    }
}

fn base_path(rel: &str) -> String {
    format!("{STATE_DIR}/base/{rel}")
}

/// The bytes of `out/rel`, `None` when there is no such file.
fn read(out: &Path, rel: &str) -> Result<Option<Vec<u8>>, WriteError> {
    let p = safe_join(out, rel)?;
    match std::fs::read(&p) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(WriteError::Io(p.display().to_string(), e)),
    }
}

/// The lock file of `out`, as a path to show.
pub fn lock_path(out: &Path) -> String {
    out.join(STATE_DIR).join("lock.json").display().to_string()
}

/// Why the lock file cannot be used. Every command that needs it stops:
/// without it archgen cannot tell its own files from hand edits, nor where
/// the migration chain ends.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("cannot read `{path}`: {source}; nothing was written")]
    Unreadable {
        path: String,
        source: std::io::Error,
    },
    #[error("`{path}` is corrupt ({why}), so archgen cannot tell the files it generated from your edits; nothing was written")]
    Corrupt { path: String, why: String },
    #[error("`{path}` changed while archgen was reading it; nothing was written")]
    Changed { path: String },
    #[error("`{path}` was written by archgen {version}, which is newer than this archgen ({ours}); nothing was written")]
    Newer {
        path: String,
        version: String,
        ours: String,
    },
}

impl LockError {
    /// What the user can do about it.
    pub fn help(&self) -> String {
        match self {
            Self::Unreadable { path, .. } | Self::Corrupt { path, .. } => format!(
                "restore it from version control (`git checkout -- {path}`) and run archgen again"
            ),
            Self::Changed { .. } => {
                "run archgen again once nothing else is writing to the folder".to_owned()
            }
            Self::Newer { path, version, .. } => format!(
                "run archgen {version} or newer on this folder, or restore the lock an older archgen wrote (`git checkout -- {path}`)"
            ),
        }
    }

    /// The lock of `out` is not the one read a moment ago.
    pub fn changed(out: &Path) -> Self {
        Self::Changed {
            path: lock_path(out),
        }
    }

    fn corrupt(out: &Path, why: impl Into<String>) -> Self {
        Self::Corrupt {
            path: lock_path(out),
            why: why.into(),
        }
    }
}

/// `major.minor.patch` of a version (a pre-release or build suffix ignored).
fn version_triple(v: &str) -> Option<(u64, u64, u64)> {
    let core = v.split(['-', '+']).next()?;
    let mut parts = core.split('.').map(|p| p.parse::<u64>().ok());
    let t = (parts.next()??, parts.next()??, parts.next()??);
    parts.next().is_none().then_some(t)
}

/// Reads the lock file of `out`; `None` when there is none (a first
/// generation). A lock that cannot be read, is not a lock, or was written
/// by a newer archgen is an error: taking it for no lock would make a new
/// initial migration and take every generated file for a hand edit.
pub fn read_lock(out: &Path) -> Result<Option<Lock>, LockError> {
    read_lock_hashed(out).map(|(lock, _)| lock)
}

/// [`read_lock`], and the SHA-256 of the lock file's bytes (empty when
/// there is none), to tell whether a second read found the same lock.
pub fn read_lock_hashed(out: &Path) -> Result<(Option<Lock>, String), LockError> {
    let path = out.join(STATE_DIR).join("lock.json");
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((None, String::new())),
        Err(source) => {
            return Err(LockError::Unreadable {
                path: lock_path(out),
                source,
            })
        }
    };
    let sha = hex_digest(&bytes);
    let lock: Lock = serde_json::from_slice(&bytes).map_err(|e| {
        let why = if e.is_data() {
            format!("not an archgen lock: {e}")
        } else {
            format!("not valid JSON: {e}")
        };
        LockError::corrupt(out, why)
    })?;
    let ours = env!("CARGO_PKG_VERSION");
    let Some(theirs) = version_triple(&lock.archgen_version) else {
        return Err(LockError::corrupt(
            out,
            format!(
                "its archgen_version {} is not a version",
                crate::diagnostic::shown(&lock.archgen_version)
            ),
        ));
    };
    if Some(theirs) > version_triple(ours) {
        return Err(LockError::Newer {
            path: lock_path(out),
            version: lock.archgen_version,
            ours: ours.to_owned(),
        });
    }
    Ok((Some(lock), sha))
}

/// The list `key` of the pack state a lock carries (empty when absent).
pub fn state_list<T: serde::de::DeserializeOwned>(
    out: &Path,
    lock: &Lock,
    key: &str,
) -> Result<Vec<T>, LockError> {
    match lock.state.part(key) {
        None | Some("null") => Ok(vec![]),
        Some(text) => serde_json::from_str(text).map_err(|e| {
            LockError::corrupt(
                out,
                format!("its state `{key}` is unreadable: {}", without_position(&e)),
            )
        }),
    }
}

/// Plans writing `files` (with the new `lock` metadata) into `out`, whose
/// last generation recorded `old` (see [`read_lock`]).
pub fn plan(
    out: &Path,
    files: Vec<RenderedFile>,
    lock: Lock,
    old: Lock,
) -> Result<Plan, WriteError> {
    let mut p = Planner::new(out, lock, old);
    for f in files {
        p.add(f)?;
    }
    p.finish()
}

/// The journal: the `old` lock plus the `pending` hashes (path,
/// lifecycle, SHA-256 of what is about to be written there).
fn journal(mut old: Lock, pending: &[(String, Lifecycle, String)]) -> String {
    for (path, lifecycle, sha) in pending {
        old.files
            .entry(path.clone())
            .or_insert_with(|| LockedFile::new(*lifecycle, String::new()))
            .pending
            .push(sha.clone());
    }
    serde_json::to_string_pretty(&old).expect("the journal serialises") + "\n"
}

/// What a [`Planner`] does with each file it plans.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Holds what the plan writes (and what it replaces, for a diff).
    Hold,
    /// Keeps only what the plan does, not the bytes: which files change
    /// and the hashes of their new contents (for the journal).
    Look,
    /// Writes each change (and its merge base) as soon as it is planned;
    /// the journal must be on disk first.
    Write,
}

/// What `out/rel` holds (`None`: no such file). A file that holds just
/// `new` is compared with it a piece at a time, not read whole, and comes
/// back borrowed from `new`: a file in sync costs no copy of itself.
fn read_against<'n>(
    out: &Path,
    rel: &str,
    new: &'n [u8],
) -> Result<Option<Cow<'n, [u8]>>, WriteError> {
    use std::io::{Read, Seek};
    let p = safe_join(out, rel)?;
    let io = |e| WriteError::Io(p.display().to_string(), e);
    let mut file = match std::fs::File::open(&p) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(e)),
    };
    let len = file.metadata().map_err(io)?.len();
    if len == new.len() as u64 && holds(&mut file, new).map_err(io)? {
        return Ok(Some(Cow::Borrowed(new)));
    }
    let mut bytes = Vec::new();
    file.rewind().map_err(io)?;
    file.read_to_end(&mut bytes).map_err(io)?;
    Ok(Some(Cow::Owned(bytes)))
}

/// Whether what is left to read of `file` is `new`.
fn holds(file: &mut std::fs::File, new: &[u8]) -> std::io::Result<bool> {
    use std::io::Read;
    let mut buf = vec![0; 64 * 1024];
    let mut at = 0;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok(at == new.len());
        }
        if new.get(at..at + n) != Some(&buf[..n]) {
            return Ok(false);
        }
        at += n;
    }
}

/// The SHA-256 of what [`read_against`] read, `new_sha` being that of `new`.
fn sha_of(content: &Option<Cow<[u8]>>, new_sha: &str) -> Option<String> {
    match content {
        None => None,
        Some(Cow::Borrowed(_)) => Some(new_sha.to_owned()),
        Some(Cow::Owned(bytes)) => Some(hex_digest(bytes)),
    }
}

/// What [`read_against`] read, as bytes of its own.
fn owned(content: &Option<Cow<[u8]>>) -> Option<Vec<u8>> {
    content.as_deref().map(<[u8]>::to_vec)
}

/// Notes the SHA-256 of `content`, what `rel` held (`None`: absent).
fn record(pre: &mut BTreeMap<String, Option<String>>, rel: &str, content: &Option<Vec<u8>>) {
    pre.insert(rel.to_owned(), content.as_deref().map(hex_digest));
}

/// A plan made a file at a time ([`Planner::add`], in any order): a file
/// that changes nothing is let go at once, so that only what the plan
/// writes (or shows) is held.
pub struct Planner<'a> {
    out: &'a Path,
    mode: Mode,
    lock: Lock,
    old: Lock,
    pre: BTreeMap<String, Option<String>>,
    changes: Vec<Change>,
    bases: BTreeMap<String, Option<Text>>,
    /// The hashes of what changes write, once their contents are let go
    /// (path, lifecycle, SHA-256).
    pending: Vec<(String, Lifecycle, String)>,
    /// Whether a change or a merge base writes (in `Look` mode), and how
    /// many changes were written (in `Write` mode).
    writes: bool,
    written: usize,
    /// Bytes of contents held, and how many `Hold` mode may hold.
    held: usize,
    hold_at_most: usize,
}

impl<'a> Planner<'a> {
    /// A plan of the new `lock` metadata into `out`, whose last generation
    /// recorded `old` (see [`read_lock`]).
    pub fn new(out: &'a Path, lock: Lock, old: Lock) -> Self {
        Planner {
            out,
            mode: Mode::Hold,
            lock,
            old,
            pre: BTreeMap::new(),
            changes: Vec::new(),
            bases: BTreeMap::new(),
            pending: Vec::new(),
            writes: false,
            written: 0,
            held: 0,
            hold_at_most: usize::MAX,
        }
    }

    /// What it does with each file.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The same plan started over, in `mode` (nothing planned yet).
    pub fn restart(self, mode: Mode) -> Self {
        let mut lock = self.lock;
        lock.files.clear();
        Planner {
            mode,
            ..Planner::new(self.out, lock, self.old)
        }
    }

    /// The size of the file at `rel` in the output folder, if there is one.
    pub fn size_on_disk(&self, rel: &str) -> Option<usize> {
        let p = safe_join(self.out, rel).ok()?;
        usize::try_from(std::fs::metadata(p).ok()?.len()).ok()
    }

    /// In `Look` mode: whether applying the plan so far writes a file, a
    /// merge base, or deletes a file. (Orphans are found by [`finish`].)
    ///
    /// [`finish`]: Planner::finish
    pub fn writes(&self) -> bool {
        self.writes || self.changes.iter().any(Change::writes)
    }

    /// The journal of what the files planned so far write (see
    /// [`Plan::journal_text`]).
    pub fn journal(&self) -> String {
        journal(self.old.clone(), &self.pending)
    }

    /// In `Look` mode, when the plan so far writes: the journal written,
    /// the same plan started over in `Write` mode.
    pub fn start_writing(self) -> Result<Self, WriteError> {
        prepare(self.out)?;
        atomic_write(&safe_join(self.out, LOCK)?, self.journal().as_bytes())?;
        Ok(self.restart(Mode::Write))
    }

    /// In `Write` mode: the whole plan, its deletions done and the new lock
    /// written; and how many files were written or deleted.
    pub fn finish_writing(self) -> Result<(Plan, usize), WriteError> {
        let out = self.out;
        let mut written = self.written;
        let plan = self.finish()?;
        for c in plan.changes.iter().filter(|c| c.kind == Kind::Delete) {
            remove(out, &c.path)?;
            written += 1;
        }
        for rel in plan.bases.keys() {
            remove(out, rel)?;
        }
        if plan.lock_changed || written > 0 {
            atomic_write(&safe_join(out, LOCK)?, plan.lock_text.as_bytes())?;
        }
        Ok((plan, written))
    }

    /// Plans one rendered file; in `Look` and `Write` mode, lets its
    /// contents go (having written them, in `Write` mode).
    pub fn add(&mut self, f: RenderedFile) -> Result<(), WriteError> {
        let first = self.changes.len();
        let base_rel = base_path(&f.path);
        self.plan_file(f)?;
        if self.mode != Mode::Hold {
            return self.let_go(first);
        }
        let mut held: usize = self.changes[first..].iter().map(Change::held).sum();
        if !self.changes[first..].iter().any(|c| c.after.is_some()) {
            if let Some(Some(base)) = self.bases.get(&base_rel) {
                held += base.len();
            }
        }
        self.held += held;
        if self.held > self.hold_at_most {
            // Too much to hold: from now on, only look.
            self.mode = Mode::Look;
            return self.let_go(0);
        }
        Ok(())
    }

    /// In `Hold` mode, hold at most about `bytes` of contents, then go on
    /// in `Look` mode (having let go of what was held).
    pub fn holding_at_most(mut self, bytes: usize) -> Self {
        self.hold_at_most = bytes;
        self
    }

    /// Lets go of the contents of the changes from `first` on and of the
    /// merge bases (having written them, in `Write` mode), keeping the
    /// hashes of what they write for the journal.
    fn let_go(&mut self, first: usize) -> Result<(), WriteError> {
        for c in &mut self.changes[first..] {
            let writes = c.writes();
            if self.mode == Mode::Write {
                if let Some(text) = &c.after {
                    atomic_write(&safe_join(self.out, &c.path)?, text.as_bytes())?;
                }
                if let (Some(text), Some(rel)) = (&c.beside, &c.beside_file) {
                    atomic_write(&safe_join(self.out, rel)?, text.as_bytes())?;
                }
                self.written += usize::from(writes);
            }
            self.writes |= writes;
            if let Some(after) = c.after.take() {
                let sha = hex_digest(after.as_bytes());
                self.pending.push((c.path.clone(), c.lifecycle, sha));
            }
            c.before = None;
            c.beside = None;
        }
        // Before `finish`, every base is one to write.
        for (rel, text) in std::mem::take(&mut self.bases) {
            let Some(text) = text else { continue };
            self.writes = true;
            if self.mode == Mode::Write {
                atomic_write(&safe_join(self.out, &rel)?, text.as_bytes())?;
            }
        }
        Ok(())
    }

    fn plan_file(&mut self, f: RenderedFile) -> Result<(), WriteError> {
        let Planner {
            out,
            lock,
            old,
            pre,
            changes,
            bases,
            ..
        } = self;
        let out: &Path = out;
        let content: Text = Text::new(f.content);
        let new = content.as_bytes();
        let new_sha = hex_digest(new);
        let disk = read_against(out, &f.path, new)?;
        pre.insert(f.path.clone(), sha_of(&disk, &new_sha));
        let prev = old.files.get(&f.path);
        let mut change = |kind: Kind, after: Option<Text>| {
            let mut c = Change::new(&f.path, kind, f.lifecycle, owned(&disk));
            c.provenance.clone_from(&f.from);
            c.after = after;
            changes.push(c);
        };
        match f.lifecycle {
            Lifecycle::Regenerate => {
                let base_rel = base_path(&f.path);
                let base = read_against(out, &base_rel, new)?;
                pre.insert(base_rel.clone(), sha_of(&base, &new_sha));
                if base.as_deref() != Some(new) {
                    bases.insert(base_rel, Some(content.clone()));
                }
                lock.files.insert(
                    f.path.clone(),
                    LockedFile::new(f.lifecycle, new_sha.clone()),
                );
                let Some(d) = disk.as_deref() else {
                    change(Kind::Create, Some(content.clone()));
                    return Ok(());
                };
                let beside_rel = format!("{}{NEW_SUFFIX}", f.path);
                let beside = read(out, &beside_rel)?;
                if beside.is_some() {
                    record(pre, &beside_rel, &beside);
                }
                // Yours, kept byte for byte; the new version beside it.
                let beside_conflict = |changes: &mut Vec<Change>| {
                    let mut c = Change::new(&f.path, Kind::Conflict, f.lifecycle, owned(&disk));
                    c.provenance.clone_from(&f.from);
                    c.beside = (beside.as_deref() != Some(new)).then(|| content.to_string());
                    c.beside_file = Some(beside_rel.clone());
                    changes.push(c);
                };
                if beside.is_some() {
                    // Not merged by hand yet: still a conflict.
                    beside_conflict(changes);
                    return Ok(());
                }
                if has_conflict_markers(d) {
                    change(Kind::Conflict, None);
                } else if d == new {
                } else if prev.is_some_and(|p| p.generated(&hex_digest(d))) {
                    change(Kind::Update, Some(content.clone()));
                } else if base.as_deref() == Some(new) {
                    // Nothing new to bring in: the edit stays as it is.
                } else {
                    let base_text = std::str::from_utf8(base.as_deref().unwrap_or_default());
                    match (base_text, std::str::from_utf8(d)) {
                        (Ok(b), Ok(d)) => {
                            let m = merge::merge3(b, d, &content);
                            if m.text == d {
                                // The edit already holds everything new.
                            } else if m.conflicts > 0 {
                                change(Kind::Conflict, Some(m.text.into()));
                            } else {
                                change(Kind::Merge, Some(m.text.into()));
                            }
                        }
                        _ => beside_conflict(changes),
                    }
                }
            }
            Lifecycle::Once | Lifecycle::Append => {
                match (disk.as_deref(), prev) {
                    (None, None) => {
                        change(Kind::Create, Some(content.clone()));
                        lock.files
                            .insert(f.path.clone(), LockedFile::new(f.lifecycle, new_sha));
                    }
                    // A killed run was creating it: finish the job.
                    (None, Some(p)) if p.sha256.is_empty() => {
                        change(Kind::Create, Some(content.clone()));
                        lock.files
                            .insert(f.path.clone(), LockedFile::new(f.lifecycle, new_sha));
                    }
                    // The user owns it (or deleted it on purpose): keep what the lock knew.
                    (_, Some(p)) => {
                        let sha = if p.sha256.is_empty() {
                            p.pending.first().cloned().unwrap_or_default()
                        } else {
                            p.sha256.clone()
                        };
                        lock.files
                            .insert(f.path.clone(), LockedFile::new(p.lifecycle, sha));
                    }
                    (Some(d), None) => {
                        lock.files
                            .insert(f.path.clone(), LockedFile::new(f.lifecycle, hex_digest(d)));
                    }
                }
            }
        }
        Ok(())
    }

    /// The whole plan: the files planned, and the orphans.
    pub fn finish(self) -> Result<Plan, WriteError> {
        let Planner {
            out,
            mut lock,
            old,
            mut pre,
            mut changes,
            mut bases,
            pending,
            ..
        } = self;
        // Orphans: files the last generation wrote that this one does not.
        for (path, prev) in &old.files {
            if lock.files.contains_key(path) {
                continue;
            }
            match prev.lifecycle {
                Lifecycle::Once | Lifecycle::Append => {
                    if !prev.sha256.is_empty() {
                        lock.files.insert(
                            path.clone(),
                            LockedFile::new(prev.lifecycle, prev.sha256.clone()),
                        );
                    }
                }
                Lifecycle::Regenerate => {
                    let disk = read(out, path)?;
                    record(&mut pre, path, &disk);
                    let base_rel = base_path(path);
                    if read(out, &base_rel)?.is_some() {
                        bases.insert(base_rel, None);
                    }
                    let Some(d) = disk else { continue };
                    let unedited = prev.generated(&hex_digest(&d));
                    let kind = if unedited { Kind::Delete } else { Kind::Keep };
                    changes.push(Change::new(path, kind, prev.lifecycle, Some(d)));
                }
            }
        }
        changes.sort_by(|a, b| a.path.cmp(&b.path));

        let warnings = data_loss(&old.schema, &lock.schema, !old.files.is_empty());
        let mut lock_text = serde_json::to_string_pretty(&lock).expect("the lock serialises");
        lock_text.push('\n');
        // Compared a piece at a time: a large project's lock is tens of
        // megabytes.
        let current_lock = read_against(out, LOCK, lock_text.as_bytes())?;
        let lock_changed = !matches!(current_lock, Some(Cow::Borrowed(_)));
        pre.insert(
            LOCK.to_owned(),
            sha_of(&current_lock, &hex_digest(lock_text.as_bytes())),
        );
        drop(current_lock);
        // The journal goes to disk only before files are written: none
        // for a plan that writes none.
        let journal_text = if changes.iter().any(Change::writes) {
            let mut pending = pending;
            pending.extend(changes.iter().filter_map(|c| {
                let after = c.after.as_ref()?;
                Some((c.path.clone(), c.lifecycle, hex_digest(after.as_bytes())))
            }));
            journal(old, &pending)
        } else {
            String::new()
        };
        Ok(Plan {
            changes,
            warnings,
            lock,
            lock_text,
            journal_text,
            lock_changed,
            bases,
            preconditions: pre,
        })
    }
}

fn has_conflict_markers(bytes: &[u8]) -> bool {
    bytes
        .split(|&b| b == b'\n')
        .any(|l| l.strip_suffix(b"\r").unwrap_or(l) == CONFLICT_MARK.as_bytes())
}

/// Tables and columns present before and gone now.
fn data_loss(
    old: &BTreeMap<String, Vec<String>>,
    new: &BTreeMap<String, Vec<String>>,
    had_generation: bool,
) -> Vec<String> {
    if !had_generation {
        return vec![];
    }
    let mut out = Vec::new();
    for (table, cols) in old {
        match new.get(table) {
            None => out.push(format!("table `{table}` is no longer in the blueprint: the next migration drops it and its data")),
            Some(now) => {
                for c in cols.iter().filter(|c| !now.contains(c)) {
                    out.push(format!("column `{table}.{c}` is no longer in the blueprint: the next migration drops it and its data"));
                }
            }
        }
    }
    out
}

/// Why [`apply`] refused.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error(
        "the disk changed since the plan was made: `{0}` is not what the plan saw; make a new plan"
    )]
    Stale(String),
    #[error(transparent)]
    Write(#[from] WriteError),
}

/// Writes a plan into `out`. With `check_preconditions`, refuses when any
/// file the plan looked at has changed since.
pub fn apply(out: &Path, plan: &Plan, check_preconditions: bool) -> Result<usize, ApplyError> {
    if check_preconditions {
        for (rel, sha) in &plan.preconditions {
            let now = read(out, rel)?.as_deref().map(hex_digest);
            if now != *sha {
                return Err(ApplyError::Stale(rel.clone()));
            }
        }
    }
    prepare(out)?;
    let lock_path = safe_join(out, LOCK)?;
    if plan.changes.iter().any(Change::writes) {
        atomic_write(&lock_path, plan.journal_text.as_bytes())?;
    }
    let mut written = 0;
    for c in plan.changes.iter().filter(|c| c.writes()) {
        let dest = safe_join(out, &c.path)?;
        match (&c.after, c.kind) {
            (Some(text), _) => atomic_write(&dest, text.as_bytes())?,
            (None, Kind::Delete) => remove(out, &c.path)?,
            (None, _) => {}
        }
        if let (Some(text), Some(rel)) = (&c.beside, &c.beside_file) {
            atomic_write(&safe_join(out, rel)?, text.as_bytes())?;
        }
        written += 1;
    }
    for (rel, content) in &plan.bases {
        match content {
            Some(text) => atomic_write(&safe_join(out, rel)?, text.as_bytes())?,
            None => remove(out, rel)?,
        }
    }
    if plan.lock_changed || plan.changes.iter().any(Change::writes) {
        atomic_write(&lock_path, plan.lock_text.as_bytes())?;
    }
    Ok(written)
}

/// The lock file, relative to the output folder (in [`STATE_DIR`]).
const LOCK: &str = ".archgen/lock.json";

/// The output folder, made if need be, without the temporary files of a
/// run that was stopped.
fn prepare(out: &Path) -> Result<(), WriteError> {
    if out.exists() {
        remove_leftover_temps(out);
    }
    std::fs::create_dir_all(out).map_err(|e| WriteError::Io(out.display().to_string(), e))
}

/// Deletes `out/rel` (already gone is fine), and the folders it leaves empty.
fn remove(out: &Path, rel: &str) -> Result<(), WriteError> {
    let dest = safe_join(out, rel)?;
    let _ = std::fs::remove_file(&dest);
    remove_empty_parents(out, &dest);
    Ok(())
}

fn remove_empty_parents(out: &Path, file: &Path) {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if d == out || std::fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}

/// A unified diff of one change, for `archgen plan`.
pub fn diff(c: &Change) -> String {
    let before_text = String::from_utf8_lossy(c.before.as_deref().unwrap_or_default());
    let before: &str = &before_text;
    let after = match (c.kind, &c.after) {
        (Kind::Keep | Kind::Conflict, None) => before,
        (_, after) => after.as_deref().map_or("", String::as_str),
    };
    let (a, b) = match c.kind {
        Kind::Create => ("/dev/null".to_owned(), format!("b/{}", c.path)),
        Kind::Delete => (format!("a/{}", c.path), "/dev/null".to_owned()),
        _ => (format!("a/{}", c.path), format!("b/{}", c.path)),
    };
    similar::TextDiff::configure()
        .algorithm(similar::Algorithm::Patience)
        .diff_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(&a, &b)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A JSON value of every kind, made from `seed`.
    fn random_json(seed: &mut u64, depth: u32) -> serde_json::Value {
        fn next(seed: &mut u64) -> u64 {
            *seed ^= *seed << 13;
            *seed ^= *seed >> 7;
            *seed ^= *seed << 17;
            *seed
        }
        const STRINGS: &[&str] = &[
            "",
            "a",
            "with \"quotes\" and \\ back",
            "line\nbreak\ttab",
            "{[,:]}",
            "é ✓ 𝄞",
            "\u{1}",
        ];
        match next(seed) % if depth == 0 { 5 } else { 7 } {
            0 => serde_json::Value::Null,
            1 => serde_json::json!(next(seed) % 2 == 0),
            2 => serde_json::json!((next(seed) % 2001) as i64 - 1000),
            3 => serde_json::json!((next(seed) % 1000) as f64 / 7.0 - 50.0),
            4 => serde_json::json!(STRINGS[(next(seed) % STRINGS.len() as u64) as usize]),
            5 => {
                let n = next(seed) % 4;
                serde_json::Value::Array((0..n).map(|_| random_json(seed, depth - 1)).collect())
            }
            _ => {
                let n = next(seed) % 4;
                serde_json::Value::Object(
                    (0..n)
                        .map(|i| {
                            let key = format!("{}{i}", STRINGS[(next(seed) % 7) as usize]);
                            (key, random_json(seed, depth - 1))
                        })
                        .collect(),
                )
            }
        }
    }

    #[test]
    fn state_text_is_laid_out_as_serde_json_lays_it_out() {
        let mut seed = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..3000 {
            let v = random_json(&mut seed, 4);
            let flat = serde_json::to_string(&v).unwrap();
            let pretty = serde_json::to_string_pretty(&v).unwrap();
            assert_eq!(layout(&flat, 0), pretty, "{flat}");
            assert_eq!(layout(&flat, 1), pretty.replace('\n', "\n  "), "{flat}");
            assert_eq!(compact(&pretty), flat, "{pretty}");
        }
    }

    fn file(path: &str, content: &str) -> RenderedFile {
        RenderedFile {
            path: path.into(),
            content: content.into(),
            lifecycle: Lifecycle::Regenerate,
            template: "t.j2".into(),
            from: vec![],
        }
    }

    /// Generates `files` into `out` over what is there, either held and
    /// applied, or looked at then written as planned (as `gen` does past
    /// what it holds); the number of files written.
    fn generate(out: &Path, files: &[(&str, &str)], stream: bool) -> usize {
        let old = read_lock(out).unwrap().unwrap_or_default();
        let lock = Lock {
            archgen_version: "0.1.0".into(),
            ..Default::default()
        };
        let mut p =
            Planner::new(out, lock, old).holding_at_most(if stream { 0 } else { usize::MAX });
        for (path, content) in files {
            p.add(file(path, content)).unwrap();
        }
        if !stream {
            let plan = p.finish().unwrap();
            return apply(out, &plan, false).unwrap();
        }
        assert_eq!(p.mode(), Mode::Look);
        let mut p = p.start_writing().unwrap();
        for (path, content) in files {
            p.add(file(path, content)).unwrap();
        }
        p.finish_writing().unwrap().1
    }

    #[test]
    fn written_as_planned_or_held_then_applied_the_disk_ends_the_same() {
        let tree = |out: &Path| {
            let mut v: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(out)
                .sort_by_file_name()
                .into_iter()
                .map(|e| e.unwrap())
                .filter(|e| e.file_type().is_file())
                .map(|e| {
                    (
                        e.path().display().to_string(),
                        std::fs::read(e.path()).unwrap(),
                    )
                })
                .collect();
            v.iter_mut()
                .for_each(|(p, _)| *p = p.replace(&out.display().to_string(), ""));
            v
        };
        let runs: [&[(&str, &str)]; 3] = [
            &[
                ("a.txt", "one\ntwo\n"),
                ("d/b.txt", "b\n"),
                ("gone.txt", "x\n"),
            ],
            &[("a.txt", "one\ntwo\nthree\n"), ("d/b.txt", "b\n")],
            &[("a.txt", "zero\none\ntwo\nthree\n")],
        ];
        let held = tempfile::tempdir().unwrap();
        let streamed = tempfile::tempdir().unwrap();
        for (i, files) in runs.iter().enumerate() {
            if i == 2 {
                // A hand edit, merged with the next generation.
                for dir in [held.path(), streamed.path()] {
                    std::fs::write(dir.join("a.txt"), "one\ntwo\nthree\nmine\n").unwrap();
                }
            }
            let n = generate(held.path(), files, false);
            assert_eq!(generate(streamed.path(), files, true), n, "run {i}");
            assert_eq!(tree(held.path()), tree(streamed.path()), "run {i}");
        }
        let a = std::fs::read_to_string(streamed.path().join("a.txt")).unwrap();
        assert_eq!(a, "zero\none\ntwo\nthree\nmine\n");
        assert!(!streamed.path().join("d").exists());
    }

    #[test]
    fn a_state_written_from_its_parts_reads_as_the_tree_of_values_did() {
        // Locks are compared byte for byte (`check`): the state laid out
        // apart must give the very text the whole lock as values gave.
        let state = serde_json::json!({
            "decisions": [{"number": 1, "key": "a"}],
            "empty": [],
            "migrations": [{"revision": "r1", "snapshot": {"tables": [{"table": "t", "fields": [{"column": "id"}]}]}}],
        });
        let lock = |state: State| Lock {
            archgen_version: "0.1.0".into(),
            state,
            ..Default::default()
        };
        let text = serde_json::to_string_pretty(&lock(State::new(&state))).unwrap();
        let alone = serde_json::to_string_pretty(&serde_json::json!({ "state": state })).unwrap();
        let part = alone
            .strip_prefix("{\n")
            .unwrap()
            .strip_suffix("\n}")
            .unwrap();
        assert!(text.contains(&format!("{part},\n")), "{text}");
        // And it reads back as it was, a part at a time.
        let back: Lock = serde_json::from_str(&text).unwrap();
        assert_eq!(back.state.part("empty"), Some("[]"));
        assert_eq!(back.state.part("none"), None);
        assert_eq!(serde_json::to_string_pretty(&back).unwrap(), text);
        // The state is held compact.
        assert_eq!(back.state.0.get(), serde_json::to_string(&state).unwrap());
        // An older lock without state, or with a state that is no object.
        let old: Lock = serde_json::from_str(r#"{"archgen_version": "0.1.0", "pack": "p", "pack_version": "1", "input_hash": "h", "files": {}}"#).unwrap();
        assert_eq!(old.state.part("migrations"), None);
    }
}
