//! Diagnostics: what went wrong, where, and what to do about it.
//!
//! The library produces [`Diagnostic`]s with byte spans; [`Diagnostic::resolve`]
//! turns a span into a line, a column and a short excerpt of that line, and
//! [`Diagnostic::render`] / [`Diagnostic::to_json`] format it the way rustc
//! does, or as one JSON object. No diagnostic ever carries more than a short
//! window of the input.

use crate::source::SourceFile;
use serde::Serialize;
use std::fmt::Write as _;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

macro_rules! codes {
    ($($variant:ident = $code:literal : $summary:literal,)*) => {
        /// Every diagnostic code archgen emits. `docs/diagnostics.md` lists them.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Code { $($variant),* }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code),* }
            }

            /// One line saying what the code is about.
            pub fn summary(self) -> &'static str {
                match self { $(Code::$variant => $summary),* }
            }
        }
    };
}

codes! {
    NotXml = "E0001": "the file is not well-formed XML",
    Truncated = "E0002": "the file ends before the model is closed",
    Encoding = "E0003": "the bytes are not valid in the file's encoding",
    Doctype = "E0004": "a DOCTYPE declares entities (never expanded)",
    NotAModel = "E0005": "the root element is not an exchange-format `model`",
    DuplicateId = "E0006": "an identifier is used twice",
    DanglingRef = "E0007": "a reference names no item of the model",
    UnknownElementType = "E0008": "an element's type is not an ArchiMate element type",
    UnknownRelationshipType = "E0009": "a relationship's type is not an ArchiMate relationship type",
    MissingAttribute = "E0010": "a required attribute is missing",
    ForbiddenChar = "E0011": "a character XML 1.0 forbids (raw or as a character reference)",
    ProfileValue = "E0101": "an archgen property has a value archgen cannot read",
    ProfileReference = "E0102": "an archgen property names an entity or field that does not exist",
    UnknownPack = "E0103": "the template pack named is not built in and is no pack folder",
    UndefinedProperty = "W0001": "a property refers to an undefined property definition",
    EmptyName = "W0002": "an element has an empty or blank name",
    UnknownNamespace = "W0003": "the root element is in no known exchange-format namespace",
    UndeclaredPrefix = "W0004": "a namespace prefix is used without being declared",
    InvalidValue = "W0005": "an attribute value is invalid and was ignored",
    NoPositions = "W0006": "nodes of a view have no position: archgen lays the view out itself",
    ProfileAdjusted = "W0101": "archgen changed a profile value to keep the project working",
    KeyCut = "W0102": "a name is longer than a key can be: its key is cut to 63 bytes",
    AssumedFields = "W0103": "a data element has no archgen:fields: its table has assumed fields",
}

impl Code {
    pub fn severity(self) -> Severity {
        if self.as_str().starts_with('E') {
            Severity::Error
        } else {
            Severity::Warning
        }
    }
}

/// Where a diagnostic points, once resolved against its source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Excerpt {
    pub line: u32,
    pub column: u32,
    /// The source line, cut to a window around the column.
    pub text: String,
    /// Caret start within `text` (characters, 0-based) and length.
    pub caret: usize,
    pub caret_len: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: Code,
    pub message: String,
    /// Byte offset and length in the decoded text.
    pub span: Option<(usize, usize)>,
    pub excerpt: Option<Excerpt>,
    pub help: Option<String>,
}

/// Longest excerpt shown, in characters.
const WINDOW: usize = 100;
/// Characters kept before the column when the line is cut.
const LEAD: usize = 40;

impl Diagnostic {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: code.severity(),
            code,
            message: message.into(),
            span: None,
            excerpt: None,
            help: None,
        }
    }

    pub fn error(code: Code, message: impl Into<String>) -> Self {
        Self::new(code, message)
    }

    pub fn at(mut self, offset: usize, len: usize) -> Self {
        self.span = Some((offset, len));
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Sets the location from a line of text that is not (yet) a
    /// [`SourceFile`]: used for bytes that could not be decoded.
    pub fn with_excerpt(mut self, line: u32, column: u32, line_text: &str, len: usize) -> Self {
        self.excerpt = Some(excerpt(line, column, line_text, len));
        self
    }

    /// Turns the span into line, column and excerpt.
    pub fn resolve(&mut self, src: &SourceFile) {
        let Some((offset, len)) = self.span else {
            return;
        };
        if self.excerpt.is_some() {
            return;
        }
        let (line, column) = src.line_col(offset);
        let text = src.line_text(line);
        let end = (offset + len).min(src.text.len());
        let len = src.text.get(offset..end).map_or(1, |s| s.chars().count());
        self.excerpt = Some(excerpt(line, column, text, len));
    }

    /// Renders like rustc: `error[E0007]: …`, ` --> file:line:col`, the line,
    /// a caret, and `= help: …`.
    pub fn render(&self, path: &str) -> String {
        let mut out = String::new();
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let _ = writeln!(out, "{sev}[{}]: {}", self.code.as_str(), self.message);
        match &self.excerpt {
            Some(x) => {
                let gutter = x.line.to_string().len();
                let pad = " ".repeat(gutter);
                let _ = writeln!(out, "{pad}--> {path}:{}:{}", x.line, x.column);
                let _ = writeln!(out, "{pad} |");
                let _ = writeln!(out, "{} | {}", x.line, x.text);
                let caret = format!("{}{}", " ".repeat(x.caret), "^".repeat(x.caret_len.max(1)));
                let _ = writeln!(out, "{pad} | {caret}");
                if let Some(h) = &self.help {
                    let _ = writeln!(out, "{pad} = help: {h}");
                }
            }
            None => {
                let _ = writeln!(out, " --> {path}");
                if let Some(h) = &self.help {
                    let _ = writeln!(out, "  = help: {h}");
                }
            }
        }
        out
    }

    /// One JSON object: severity, code, message, file, line, column, excerpt, help.
    pub fn to_json(&self, path: &str) -> serde_json::Value {
        let x = self.excerpt.as_ref();
        serde_json::json!({
            "severity": self.severity,
            "code": self.code.as_str(),
            "message": self.message,
            "file": path,
            "line": x.map(|x| x.line),
            "column": x.map(|x| x.column),
            "excerpt": x.map(|x| x.text.as_str()),
            "help": self.help,
        })
    }
}

/// The excerpt of the line `text` for a position at `column` (1-based,
/// in characters) spanning `len` characters: the line cut to a window
/// around the column. Only the window is copied (some exporters write a
/// whole model on one line).
pub fn excerpt(line: u32, column: u32, text: &str, len: usize) -> Excerpt {
    let count = text.chars().count();
    let col0 = (column as usize).saturating_sub(1).min(count);
    let (start, end) = if count <= WINDOW {
        (0, count)
    } else {
        let start = col0.saturating_sub(LEAD);
        (start, (start + WINDOW).min(count))
    };
    let mut shown: String = text
        .chars()
        .skip(start)
        .take(end - start)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut caret = col0 - start;
    if start > 0 {
        shown.insert(0, '…');
        caret += 1;
    }
    if end < count {
        shown.push('…');
    }
    let room = (end - start).saturating_sub(col0 - start).max(1);
    Excerpt {
        line,
        column,
        text: shown.trim_end().to_owned(),
        caret,
        caret_len: len.clamp(1, room),
    }
}

/// A value from the input, fit to be quoted in a message: at most 60
/// characters, control characters escaped, in backticks.
pub fn shown(value: &str) -> String {
    const MAX: usize = 60;
    let mut out = String::from("`");
    for (i, c) in value.chars().enumerate() {
        if i == MAX {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out.push('`');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_rustc() {
        let src = SourceFile::from_text("m.xml", "<a>\n  <b x=\"1\"/>\n</a>\n".into(), "UTF-8");
        let mut d = Diagnostic::error(Code::DanglingRef, "bad")
            .at(7, 1)
            .help("fix it");
        d.resolve(&src);
        assert_eq!(
            d.render("m.xml"),
            "error[E0007]: bad\n --> m.xml:2:4\n  |\n2 |   <b x=\"1\"/>\n  |    ^\n  = help: fix it\n"
        );
    }

    #[test]
    fn long_lines_are_cut_to_a_window() {
        let line = format!("{}X{}", "a".repeat(5000), "b".repeat(5000));
        let src = SourceFile::from_text("m.xml", line, "UTF-8");
        let mut d = Diagnostic::error(Code::NotXml, "m").at(5000, 1);
        d.resolve(&src);
        let x = d.excerpt.unwrap();
        assert!(x.text.chars().count() <= WINDOW + 2);
        assert_eq!(x.text.chars().nth(x.caret), Some('X'));
        assert_eq!(x.column, 5001);
    }

    #[test]
    fn shown_values_are_short_and_escaped() {
        assert_eq!(shown("a\nb"), "`a\\nb`");
        assert_eq!(shown(&"x".repeat(100)).chars().count(), 63);
    }

    #[test]
    fn codes_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for c in Code::ALL {
            assert!(seen.insert(c.as_str()), "{}", c.as_str());
        }
    }
}
