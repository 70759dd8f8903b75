//! The front end in one call: file → decoded text → model → checks.
//!
//! In: a path (or bytes) and [`ReadOptions`]. Out: a [`Loaded`] holding the
//! source, the model when one could be read, and every diagnostic in file
//! order.

use crate::diagnostic::Diagnostic;
use crate::model::{self, Model, ReadOptions};
use crate::source::SourceFile;
use std::path::Path;

/// A loaded file's text while it is let go (see [`Text::let_go`]).
pub enum Text {
    Kept(SourceFile),
    LetGo(crate::source::Fingerprint),
}

impl Text {
    /// Lets go of `source` (as large as the file) while the model is
    /// worked on, keeping what [`Loaded::place`] needs: a UTF-8 file is read
    /// again a line at a time; a file in another encoding is kept (its
    /// offsets are not the file's).
    pub fn let_go(source: &mut Option<SourceFile>) -> Option<Text> {
        let source = source.take()?;
        Some(match source.fingerprint() {
            Some(f) => Text::LetGo(f),
            None => Text::Kept(source),
        })
    }
}

/// What loading a blueprint produced.
#[derive(Debug)]
pub struct Loaded {
    /// The path as given, for diagnostics.
    pub path: String,
    pub source: Option<SourceFile>,
    pub model: Option<Model>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Loaded {
    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    pub fn warnings(&self) -> usize {
        self.diagnostics.len() - self.errors()
    }

    /// Places `diags` (line, column, excerpt) in the text `text` stood for,
    /// reading the file at `path` again when it was let go; a kept text is
    /// put back. A file that changed since it was read is not used: the
    /// diagnostics then go without the lines they point at.
    pub fn place(&mut self, text: Option<Text>, path: &Path, diags: &mut [Diagnostic]) {
        match text {
            Some(Text::LetGo(f)) => {
                crate::source::resolve_from_file(path, &f, diags);
            }
            Some(Text::Kept(source)) => self.source = Some(source),
            None => {}
        }
        if let Some(source) = &self.source {
            for d in diags {
                d.resolve(source);
            }
        }
    }

    /// The model, when it was read without errors.
    pub fn usable(&self) -> Option<&Model> {
        self.model.as_ref().filter(|_| self.errors() == 0)
    }
}

/// Reads and checks a file. The error is an I/O error (the file cannot be
/// read at all), which is not a diagnostic of the blueprint.
pub fn load_file(path: &Path, opts: &ReadOptions) -> std::io::Result<Loaded> {
    let bytes = std::fs::read(path)?;
    Ok(load_bytes(&path.display().to_string(), bytes, opts))
}

/// Reads and checks bytes that came from `path`.
pub fn load_bytes(path: &str, bytes: Vec<u8>, opts: &ReadOptions) -> Loaded {
    let source = match SourceFile::decode(path, bytes) {
        Ok(s) => s,
        Err(d) => {
            return Loaded {
                path: path.to_owned(),
                source: None,
                model: None,
                diagnostics: vec![*d],
            };
        }
    };
    let (model, mut diagnostics) = model::read(&source, opts);
    if let Some(m) = &model {
        diagnostics.extend(model::validate(m));
    }
    diagnostics.sort_by_key(|d| d.span.map_or(usize::MAX, |(o, _)| o));
    for d in &mut diagnostics {
        d.resolve(&source);
    }
    Loaded {
        path: path.to_owned(),
        source: Some(source),
        model,
        diagnostics,
    }
}
