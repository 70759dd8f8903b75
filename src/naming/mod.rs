//! Safe names for every target a blueprint's names end up in.
//!
//! Blueprint text is hostile input. The IR derives one *key* per item: a
//! snake_case ASCII identifier matching `^[a-z][a-z0-9]*(_[a-z0-9]+)*$`, the
//! whole snake_case form of its name up to [`KEY_MAX`] bytes (PostgreSQL's
//! identifier limit; a longer name is cut at a word, and the IR warns),
//! unique within its kind (collisions get `_2`, `_3`, … in identifier order,
//! see [`Allocator`]). Every target form derives from a key and stays unique
//! because keys never end in `_`: [`python_ident`] and [`sql_ident`] append
//! `_` to reserved words, [`pascal`] is resolved for uniqueness by the IR as
//! well. SQL names built from several keys (`ix_<table>_<column>`) go
//! through [`sql_name`], which shortens them to the limit with a stable
//! hash.
//!
//! Free text (names, documentation) is escaped per target: [`py_str`],
//! [`yaml_str`], [`markdown`], [`asciidoc`], [`comment`], [`sql_str`]; file
//! names from arbitrary text go through [`path_segment`].

use std::collections::BTreeSet;

/// Longest key: PostgreSQL's identifier limit (NAMEDATALEN − 1 bytes), so
/// that a key can be a table or column name as it is.
pub const KEY_MAX: usize = 63;

/// Longest key before archgen 0.2 kept whole names: projects generated then
/// keep their keys (see `crate::ir::KeyMemory`).
pub const LEGACY_KEY_MAX: usize = 28;

/// The snake_case key of a name: ASCII letters and digits, words split at
/// spaces, punctuation and camelCase humps, whole words up to [`KEY_MAX`]
/// bytes. `None` when nothing is left (a name in a non-Latin script, say):
/// callers then use [`fallback_key`].
pub fn snake(name: &str) -> Option<String> {
    snake_within(name, KEY_MAX)
}

/// True when the snake_case form of `name` is longer than [`KEY_MAX`], so
/// that its key is cut.
pub fn key_is_cut(name: &str) -> bool {
    snake_within(name, usize::MAX).is_some_and(|k| k.len() > KEY_MAX)
}

/// The key an archgen before 0.2 gave `name` (whole words up to
/// [`LEGACY_KEY_MAX`] bytes).
pub fn legacy_key_for(name: Option<&str>, prefix: &str, identifier: &str) -> String {
    name.and_then(|n| snake_within(n, LEGACY_KEY_MAX))
        .unwrap_or_else(|| fallback_key(prefix, identifier))
}

/// [`snake`] with whole words up to `max` bytes.
fn snake_within(name: &str, max: usize) -> Option<String> {
    let mut words: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut prev: Option<char> = None;
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_alphanumeric() {
            // A hump starts a word only when the word goes on after it
            // ("SaaS" stays one word, "userId" is two).
            let hump = c.is_ascii_uppercase()
                && chars.get(i + 1).is_some_and(char::is_ascii_alphanumeric)
                && prev.is_some_and(|p| {
                    p.is_ascii_lowercase()
                        || p.is_ascii_digit()
                        || (p.is_ascii_uppercase()
                            && chars.get(i + 1).is_some_and(char::is_ascii_lowercase))
                });
            if hump && !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            cur.push(c.to_ascii_lowercase());
        } else if !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        prev = Some(c);
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    if words.is_empty() {
        return None;
    }
    let mut key = String::new();
    for w in words {
        let sep = usize::from(!key.is_empty());
        if key.len().saturating_add(sep + w.len()) > max {
            if key.is_empty() {
                key.push_str(&w[..max]);
            }
            break;
        }
        if sep == 1 {
            key.push('_');
        }
        key.push_str(&w);
    }
    if key.starts_with(|c: char| c.is_ascii_digit()) {
        key.insert_str(0, "n_");
        key.truncate(max);
        while key.ends_with('_') {
            key.pop();
        }
    }
    Some(key)
}

/// An SQL name built from keys (`ix_<table>_<column>`, `fk_…`, `uq_…`,
/// `pk_<table>`) that fits PostgreSQL's 63 bytes: as it is when it does,
/// else its first 54 bytes, `_` and 8 hex digits of its SHA-256, so that
/// two long names that share their start still differ. The generated code
/// shortens the names SQLAlchemy makes from its naming convention the same
/// way, on every database.
pub fn sql_name(name: &str) -> String {
    if name.len() <= KEY_MAX {
        return name.to_owned();
    }
    use sha2::Digest as _;
    let hash = hex(&sha2::Sha256::digest(name.as_bytes()));
    let mut end = 54;
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}_{}", &name[..end], &hash[..8])
}

/// True when `k` is a key: `^[a-z][a-z0-9]*(_[a-z0-9]+)*$`, at most
/// [`KEY_MAX`] bytes.
pub fn is_key(k: &str) -> bool {
    let b = k.as_bytes();
    !k.is_empty()
        && k.len() <= KEY_MAX
        && b[0].is_ascii_lowercase()
        && !k.ends_with('_')
        && !k.contains("__")
        && k.bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
}

/// A key for a name with no Latin letters or digits: `prefix` plus a short,
/// stable hash of the element identifier.
pub fn fallback_key(prefix: &str, identifier: &str) -> String {
    format!("{prefix}_{:08x}", fnv32(identifier))
}

/// The key of `name`, or the fallback when the name gives none.
pub fn key_for(name: Option<&str>, prefix: &str, identifier: &str) -> String {
    name.and_then(snake)
        .unwrap_or_else(|| fallback_key(prefix, identifier))
}

/// FNV-1a, 32 bits: small, stable across machines and releases.
/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn fnv32(s: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in s.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// Hands out unique keys: the first claimant keeps a key, later ones get
/// `_2`, `_3`, …. Claim in identifier order for stable results.
#[derive(Debug, Default, Clone)]
pub struct Allocator {
    taken: BTreeSet<String>,
    /// For a key claimed more than once, the suffix number to try next:
    /// every smaller one is taken already, so many claimants of one name
    /// cost no more than one each.
    next: std::collections::HashMap<String, usize>,
}

impl Allocator {
    pub fn new() -> Self {
        Self::default()
    }

    /// Marks keys as used (reserved by the pack, say).
    pub fn reserve(&mut self, key: &str) {
        self.taken.insert(key.to_owned());
    }

    pub fn is_taken(&self, key: &str) -> bool {
        self.taken.contains(key)
    }

    /// A unique form of `key`.
    pub fn claim(&mut self, key: &str) -> String {
        if self.taken.insert(key.to_owned()) {
            return key.to_owned();
        }
        let start = self.next.get(key).copied().unwrap_or(2);
        for n in start.. {
            let suffix = format!("_{n}");
            let mut base = key.to_owned();
            base.truncate(KEY_MAX - suffix.len());
            while base.ends_with('_') {
                base.pop();
            }
            let candidate = format!("{base}{suffix}");
            if self.taken.insert(candidate.clone()) {
                self.next.insert(key.to_owned(), n + 1);
                return candidate;
            }
        }
        unreachable!("the counter is unbounded")
    }
}

const PYTHON_RESERVED: &[&str] = &[
    "false",
    "none",
    "true",
    "and",
    "as",
    "assert",
    "async",
    "await",
    "break",
    "class",
    "continue",
    "def",
    "del",
    "elif",
    "else",
    "except",
    "finally",
    "for",
    "from",
    "global",
    "if",
    "import",
    "in",
    "is",
    "lambda",
    "nonlocal",
    "not",
    "or",
    "pass",
    "raise",
    "return",
    "try",
    "while",
    "with",
    "yield",
    // Names a SQLAlchemy declarative model or pydantic model must not use as
    // attributes, and names the generated code uses itself.
    "metadata",
    "registry",
    "query",
    "self",
    "cls",
    "model_config",
    "model_fields",
    "json",
    "dict",
    "copy",
    "schema",
    "validate",
    "construct",
    "fields",
];

const SQL_RESERVED: &[&str] = &[
    "abort",
    "action",
    "add",
    "after",
    "all",
    "alter",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "attach",
    "authorization",
    "autoincrement",
    "before",
    "begin",
    "between",
    "binary",
    "both",
    "by",
    "cascade",
    "case",
    "cast",
    "check",
    "collate",
    "collation",
    "column",
    "commit",
    "concurrently",
    "conflict",
    "constraint",
    "create",
    "cross",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "database",
    "default",
    "deferrable",
    "deferred",
    "delete",
    "desc",
    "detach",
    "distinct",
    "do",
    "drop",
    "each",
    "else",
    "end",
    "escape",
    "except",
    "exclusive",
    "exists",
    "explain",
    "fail",
    "false",
    "fetch",
    "filter",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "glob",
    "grant",
    "group",
    "having",
    "if",
    "ignore",
    "ilike",
    "immediate",
    "in",
    "index",
    "indexed",
    "initially",
    "inner",
    "insert",
    "instead",
    "intersect",
    "into",
    "is",
    "isnull",
    "join",
    "key",
    "lateral",
    "leading",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "match",
    "natural",
    "no",
    "not",
    "notnull",
    "null",
    "of",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "outer",
    "over",
    "overlaps",
    "partition",
    "placing",
    "pragma",
    "primary",
    "raise",
    "range",
    "recursive",
    "references",
    "regexp",
    "reindex",
    "release",
    "rename",
    "replace",
    "restrict",
    "returning",
    "right",
    "rollback",
    "row",
    "rows",
    "savepoint",
    "select",
    "session_user",
    "set",
    "similar",
    "some",
    "symmetric",
    "table",
    "tablesample",
    "temp",
    "temporary",
    "then",
    "to",
    "trailing",
    "transaction",
    "trigger",
    "true",
    "union",
    "unique",
    "update",
    "user",
    "using",
    "vacuum",
    "values",
    "variadic",
    "verbose",
    "view",
    "virtual",
    "when",
    "where",
    "window",
    "with",
    "without",
];

/// `name`, with a trailing `_` when it is one of `reserved`.
fn avoiding(name: String, reserved: &[&str]) -> String {
    if reserved.contains(&name.as_str()) {
        format!("{name}_")
    } else {
        name
    }
}

/// A Python identifier from a key: reserved words and names the generated
/// code uses get a trailing `_`.
pub fn python_ident(key: &str) -> String {
    avoiding(sanitize_ident(key), PYTHON_RESERVED)
}

/// An SQL identifier from a key that needs no quoting in PostgreSQL or
/// SQLite: reserved words get a trailing `_`.
pub fn sql_ident(key: &str) -> String {
    avoiding(sanitize_ident(key), SQL_RESERVED)
}

/// Keys are already safe; anything else is forced into `[a-z0-9_]`.
fn sanitize_ident(key: &str) -> String {
    let s: String = key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    match s.chars().next() {
        Some(c) if c.is_ascii_lowercase() => s,
        _ => format!("x_{s}"),
    }
}

/// `daily_active_users` → `DailyActiveUsers` (a Python class name).
pub fn pascal(key: &str) -> String {
    let mut out = String::new();
    for w in key.split('_').filter(|w| !w.is_empty()) {
        let mut cs = w.chars();
        if let Some(c) = cs.next() {
            out.push(c.to_ascii_uppercase());
            out.extend(cs);
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'X');
    }
    out
}

/// `daily_active_users` → `daily-active-users` (URLs, compose names).
pub fn kebab(key: &str) -> String {
    key.replace('_', "-")
}

/// A single file-name segment from any text: no separators, no control
/// characters, no leading dot (so never `.` or `..`), never empty, at most
/// 255 bytes.
pub fn path_segment(text: &str) -> String {
    let mut s: String = text
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    let trimmed = s
        .trim_start_matches(['.', ' '])
        .trim_end_matches(['.', ' '])
        .to_owned();
    s = if trimmed.is_empty() {
        "_".to_owned()
    } else {
        trimmed
    };
    if s.len() > 255 {
        let mut end = 255;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
    s
}

/// The anchor a document gives the place that describes element `id`
/// (drawn views link there): `element-` and the identifier when it is made
/// of ASCII letters, digits, `-`, `_` and `.`; otherwise those characters
/// of it, `_` for the others, and a hash of the whole, so that two
/// identifiers never share an anchor by accident.
pub fn element_anchor(id: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    let cleaned: String = id
        .chars()
        .take(80)
        .map(|c| if plain(c) { c } else { '_' })
        .collect();
    if !id.is_empty() && id.len() <= 80 && id.chars().all(plain) {
        format!("element-{cleaned}")
    } else {
        format!("element-{cleaned}-{:08x}", fnv32(id))
    }
}

/// A Python string literal (double-quoted) holding exactly `text`.
pub fn py_str(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // Braces as escapes, so no template syntax can appear in the
            // output; and the controls and line/paragraph separators.
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '{' | '}') => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A YAML double-quoted scalar holding exactly `text`.
pub fn yaml_str(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control()
                || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}' | '{' | '}') =>
            {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text for one line of Markdown: line breaks folded, markup characters
/// escaped, so a name can neither break a table nor open a link or HTML.
pub fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in fold(text).chars() {
        if matches!(
            c,
            '\\' | '`'
                | '*'
                | '_'
                | '{'
                | '}'
                | '['
                | ']'
                | '('
                | ')'
                | '#'
                | '+'
                | '-'
                | '.'
                | '!'
                | '|'
                | '<'
                | '>'
                | '~'
                | '$'
                | '&'
                | '%'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Text for one line of AsciiDoc, passed through literally (`+++` passthrough
/// would allow markup, so use the pass macro-free form: escape the specials).
pub fn asciidoc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in fold(text).chars() {
        match c {
            '{' => out.push_str("&#123;"),
            '}' => out.push_str("&#125;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '*' | '_' | '`' | '#' | '^' | '~' | '[' | ']' | '|' | '+' | '\\' | '$' => {
                out.push_str(&format!("&#{};", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

/// Text for a one-line code comment (Python, YAML, SQL, Dockerfile): line
/// breaks folded, template-like braces kept harmless.
pub fn comment(text: &str) -> String {
    fold(text).replace('{', "(").replace('}', ")")
}

/// An SQL string literal (single-quoted, quotes doubled, no NUL).
pub fn sql_str(text: &str) -> String {
    format!("'{}'", text.replace('\0', "").replace('\'', "''"))
}

/// Folds line breaks and other controls to spaces and trims.
fn fold(text: &str) -> String {
    let s: String = text
        .chars()
        .map(|c| {
            if c.is_control() || c == '\u{2028}' || c == '\u{2029}' {
                ' '
            } else {
                c
            }
        })
        .collect();
    s.trim().to_owned()
}

/// Text cut to `max` characters, with `…` when cut.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
    s.push('…');
    s
}

/// Words JavaScript and TypeScript reserve, or give a meaning that makes
/// them poor names for variables and functions (strict mode, modules,
/// TypeScript's type names and contextual keywords).
const JS_RESERVED: &[&str] = &[
    "abstract",
    "any",
    "arguments",
    "as",
    "async",
    "await",
    "bigint",
    "boolean",
    "break",
    "case",
    "catch",
    "class",
    "const",
    "constructor",
    "continue",
    "debugger",
    "declare",
    "default",
    "delete",
    "do",
    "else",
    "enum",
    "eval",
    "export",
    "extends",
    "false",
    "finally",
    "for",
    "from",
    "function",
    "get",
    "if",
    "implements",
    "import",
    "in",
    "infer",
    "instanceof",
    "interface",
    "is",
    "keyof",
    "let",
    "module",
    "namespace",
    "never",
    "new",
    "null",
    "number",
    "object",
    "of",
    "package",
    "private",
    "protected",
    "public",
    "readonly",
    "require",
    "return",
    "satisfies",
    "set",
    "static",
    "string",
    "super",
    "switch",
    "symbol",
    "this",
    "throw",
    "true",
    "try",
    "type",
    "typeof",
    "undefined",
    "unique",
    "unknown",
    "var",
    "void",
    "while",
    "with",
    "yield",
];

/// Rust's keywords (2021 edition and reserved for later ones). All but
/// `self`, `Self`, `super`, `crate` and `_` can be raw identifiers.
const RUST_KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// `daily_active_users` → `dailyActiveUsers` (JavaScript, TypeScript,
/// Java, JSON field names). Never empty, never starts with a digit.
pub fn camel(key: &str) -> String {
    let p = pascal(&sanitize_ident(key));
    let mut cs = p.chars();
    match cs.next() {
        Some(c) => c.to_ascii_lowercase().to_string() + cs.as_str(),
        None => "x".into(),
    }
}

/// A JavaScript or TypeScript identifier from a key: camelCase, with a
/// trailing `_` when that is a reserved word (`delete` → `delete_`,
/// `default` → `default_`).
pub fn ts_ident(key: &str) -> String {
    avoiding(camel(key), JS_RESERVED)
}

/// A Rust identifier from a key: snake_case; a keyword becomes a raw
/// identifier (`type` → `r#type`), or takes a trailing `_` where Rust
/// allows no raw form (`self`, `super`, `crate`).
pub fn rust_ident(key: &str) -> String {
    let k = sanitize_ident(key);
    match k.as_str() {
        "self" | "super" | "crate" | "_" => format!("{k}_"),
        kw if RUST_KEYWORDS.contains(&kw) => format!("r#{k}"),
        _ => k,
    }
}

/// A JavaScript (and JSON) string literal in double quotes: any text,
/// escaped so that it stays one literal on one line, including U+2028 and
/// U+2029 and a `</script` inside it.
pub fn js_str(text: &str) -> String {
    let json = serde_json::to_string(text).expect("a string serialises");
    json.replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
        .replace("</", "<\\/")
}

#[cfg(test)]
mod tests;
