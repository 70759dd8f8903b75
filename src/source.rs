//! Source files: bytes → text, and offsets → line and column.
//!
//! In: the raw bytes of a file. Out: a [`SourceFile`] holding its text decoded
//! from the encoding the file declares (UTF-8 by default, a BOM wins), or a
//! diagnostic. Decoding is never lossy: a byte that is not valid in the
//! encoding is an error, never a replacement character.

use crate::diagnostic::{Code, Diagnostic};
use encoding_rs::Encoding;

/// A decoded file with an index of its line starts.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as the user gave it, used in diagnostics.
    pub path: String,
    /// Shared, so that a reader thread can hold it (see `model::read`).
    pub text: std::sync::Arc<String>,
    /// The encoding the text was decoded from (`UTF-8`, `windows-1252`, …).
    pub encoding: &'static str,
    line_starts: Vec<usize>,
    /// The text is all ASCII: a column is a byte distance, nothing to count.
    ascii: bool,
    /// The last position resolved: (line index, byte offset, column), so that
    /// positions met in file order cost one pass over a line, not one each
    /// (some exporters write a whole model on one line).
    last: std::cell::Cell<(usize, usize, usize)>,
}

impl SourceFile {
    /// Decodes `bytes`. The error is a diagnostic for the offending byte.
    pub fn decode(path: impl Into<String>, bytes: Vec<u8>) -> Result<Self, Box<Diagnostic>> {
        let path = path.into();
        let (text, encoding) = decode(bytes)?;
        Ok(Self::from_text(path, text, encoding))
    }

    /// A file whose text is already known (tests, generated blueprints).
    pub fn from_text(path: impl Into<String>, text: String, encoding: &'static str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        let ascii = text.is_ascii();
        SourceFile {
            path: path.into(),
            text: std::sync::Arc::new(text),
            encoding,
            line_starts,
            ascii,
            last: std::cell::Cell::new((0, 0, 1)),
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (u32, u32) {
        let offset = self.floor_char_boundary(offset.min(self.text.len()));
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        if self.ascii {
            return (
                to_u32(line + 1),
                to_u32(offset - self.line_starts[line] + 1),
            );
        }
        let (last_line, last_offset, last_col) = self.last.get();
        let col = if last_line == line && last_offset <= offset {
            last_col + self.text[last_offset..offset].chars().count()
        } else {
            self.text[self.line_starts[line]..offset].chars().count() + 1
        };
        self.last.set((line, offset, col));
        (to_u32(line + 1), to_u32(col))
    }

    /// The text of a 1-based line, without its line break.
    pub fn line_text(&self, line: u32) -> &str {
        let i = (line as usize)
            .saturating_sub(1)
            .min(self.line_starts.len() - 1);
        let start = self.line_starts[i];
        let end = self
            .line_starts
            .get(i + 1)
            .copied()
            .unwrap_or(self.text.len());
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }

    fn floor_char_boundary(&self, mut i: usize) -> usize {
        while !self.text.is_char_boundary(i) {
            i -= 1;
        }
        i
    }
}

/// What tells that a UTF-8 file read again is still the text a
/// [`SourceFile`] held, so that diagnostics can be placed in it without
/// holding the whole text (see [`resolve_from_file`]).
#[derive(Debug, Clone)]
pub struct Fingerprint {
    len: usize,
    hash: u64,
}

impl SourceFile {
    /// The text's fingerprint; `None` unless it was UTF-8 (only then are
    /// its offsets those of the file, after a byte-order mark).
    pub fn fingerprint(&self) -> Option<Fingerprint> {
        (self.encoding == "UTF-8").then(|| Fingerprint {
            len: self.text.len(),
            hash: {
                let mut h = std::collections::hash_map::DefaultHasher::new();
                std::hash::Hasher::write(&mut h, self.text.as_bytes());
                std::hash::Hasher::finish(&h)
            },
        })
    }
}

/// Places `diags` (their line, column and excerpt, as
/// [`Diagnostic::resolve`] would) by reading the UTF-8 file at `path` a
/// line at a time: only the lines they point at are held. False, with the
/// diagnostics left as they were, when the file cannot be read or is no
/// longer the text `fp` was taken of.
pub fn resolve_from_file(
    path: &std::path::Path,
    fp: &Fingerprint,
    diags: &mut [Diagnostic],
) -> bool {
    use std::hash::Hasher;
    use std::io::BufRead;
    let mut todo: Vec<(usize, usize, usize)> = diags
        .iter()
        .enumerate()
        .filter(|(_, d)| d.excerpt.is_none())
        .filter_map(|(i, d)| d.span.map(|(at, len)| (at.min(fp.len), len, i)))
        .collect();
    todo.sort_unstable();
    if todo.is_empty() {
        return true;
    }
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    let mut r = std::io::BufReader::with_capacity(64 * 1024, file);
    let mut hash = std::collections::hash_map::DefaultHasher::new();
    let mut line = Vec::new();
    let (mut start, mut number) = (0usize, 0u32);
    let mut placed: Vec<(usize, crate::diagnostic::Excerpt)> = Vec::with_capacity(todo.len());
    let mut next = 0;
    // The last position placed on the line, and its column: positions come
    // in order, so a line is counted once however many point into it.
    let mut last = (0u32, 0usize, 1usize);
    let mut place = |at: usize, len: usize, i: usize, number: u32, text: &str, start: usize| {
        let raw = at - start;
        let mut rel = raw;
        while !text.is_char_boundary(rel) {
            rel -= 1;
        }
        if last.0 != number || last.1 > rel {
            last = (number, 0, 1);
        }
        let column = last.2 + text[last.1..rel].chars().count();
        last = (number, rel, column);
        // Counted within the line: a span that runs past its line break is
        // shown to the end of the line.
        let len = text
            .get(raw..(raw + len).min(text.len()))
            .map_or(1, |s| s.chars().count());
        let shown = text.trim_end_matches(['\n', '\r']);
        placed.push((
            i,
            crate::diagnostic::excerpt(number, to_u32(column), shown, len),
        ));
    };
    loop {
        line.clear();
        if r.read_until(b'\n', &mut line).is_err() {
            return false;
        }
        if number == 0 && line.starts_with(b"\xEF\xBB\xBF") {
            line.drain(..3);
        }
        if line.is_empty() {
            break;
        }
        hash.write(&line);
        number += 1;
        let end = start + line.len();
        // The end of a file that does not end with a line break is on its
        // last line.
        let at_end = line.last() != Some(&b'\n');
        let Ok(text) = std::str::from_utf8(&line) else {
            return false;
        };
        while let Some(&(at, len, i)) = todo.get(next) {
            if at > end || (at == end && !at_end) {
                break;
            }
            place(at, len, i, number, text, start);
            next += 1;
        }
        start = end;
    }
    // Past a final line break: the empty line after it.
    while let Some(&(at, len, i)) = todo.get(next) {
        place(at, len, i, number + 1, "", at);
        next += 1;
    }
    if start != fp.len || hash.finish() != fp.hash {
        return false;
    }
    for (i, x) in placed {
        diags[i].excerpt = Some(x);
    }
    true
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Decodes bytes to text: a BOM decides, else the XML declaration's
/// `encoding`, else UTF-8.
fn decode(mut bytes: Vec<u8>) -> Result<(String, &'static str), Box<Diagnostic>> {
    let (encoding, bom) = match Encoding::for_bom(&bytes) {
        Some((enc, len)) => (enc, len),
        None if bytes.starts_with(b"<\0?\0") => (encoding_rs::UTF_16LE, 0),
        None if bytes.starts_with(b"\0<\0?") => (encoding_rs::UTF_16BE, 0),
        None => (declared_encoding(&bytes)?, 0),
    };
    if encoding == encoding_rs::UTF_8 {
        bytes.drain(..bom);
        return match String::from_utf8(bytes) {
            Ok(text) => Ok((text, "UTF-8")),
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let bytes = e.into_bytes();
                Err(bad_byte(&bytes, at, bom, "UTF-8"))
            }
        };
    }
    let body = &bytes[bom..];
    match encoding.decode_without_bom_handling_and_without_replacement(body) {
        Some(text) => Ok((text.into_owned(), encoding.name())),
        None => {
            let at = first_undecodable(encoding, body);
            Err(bad_byte(body, at, bom, encoding.name()))
        }
    }
}

/// The `encoding` pseudo-attribute of an ASCII-compatible XML declaration.
fn declared_encoding(bytes: &[u8]) -> Result<&'static Encoding, Box<Diagnostic>> {
    if !bytes.starts_with(b"<?xml") {
        return Ok(encoding_rs::UTF_8);
    }
    let end = memchr::memmem::find(bytes, b"?>").unwrap_or(bytes.len().min(200));
    let decl = &bytes[..end];
    let Some(at) = memchr::memmem::find(decl, b"encoding") else {
        return Ok(encoding_rs::UTF_8);
    };
    let rest = &decl[at + 8..];
    let rest = rest
        .trim_ascii_start()
        .strip_prefix(b"=")
        .unwrap_or(rest)
        .trim_ascii_start();
    let Some((&quote, value)) = rest.split_first() else {
        return Ok(encoding_rs::UTF_8);
    };
    let label = value.split(|&b| b == quote).next().unwrap_or_default();
    Encoding::for_label(label).ok_or_else(|| {
        let shown = String::from_utf8_lossy(&label[..label.len().min(40)]).into_owned();
        let at = label.as_ptr() as usize - bytes.as_ptr() as usize;
        locate(
            bytes,
            at,
            label.len(),
            Diagnostic::error(
                Code::Encoding,
                format!("the file declares the encoding `{shown}`, which archgen cannot decode"),
            )
            .help("save the file as UTF-8 (or windows-1252, ISO-8859-x, UTF-16) and declare that encoding"),
        )
    })
}

fn first_undecodable(encoding: &'static Encoding, body: &[u8]) -> usize {
    // Narrow down by decoding growing prefixes; only runs on the error path.
    let mut lo = 0;
    let mut hi = body.len();
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        let mut decoder = encoding.new_decoder_without_bom_handling();
        let mut out = String::with_capacity(mid * 3 + 16);
        let (res, _) = decoder.decode_to_string_without_replacement(&body[..mid], &mut out, false);
        if matches!(res, encoding_rs::DecoderResult::Malformed(..)) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    lo
}

fn bad_byte(bytes: &[u8], at: usize, bom: usize, encoding: &str) -> Box<Diagnostic> {
    let byte = bytes.get(at).copied().unwrap_or(0);
    locate(
        bytes,
        at,
        1,
        Diagnostic::error(
            Code::Encoding,
            format!("byte 0x{byte:02X} at offset {} is not valid {encoding}", at + bom),
        )
        .help(format!(
            "the file is not valid {encoding}: re-export it, or declare its real encoding in the XML declaration (e.g. encoding=\"windows-1252\")"
        )),
    )
}

/// Places a diagnostic on undecoded bytes: line, column and a displayable
/// excerpt of the line (undecodable bytes shown as U+FFFD, for display only).
fn locate(bytes: &[u8], at: usize, len: usize, d: Diagnostic) -> Box<Diagnostic> {
    let prefix = &bytes[..at];
    let line = memchr::memchr_iter(b'\n', prefix).count() + 1;
    let line_start = memchr::memrchr(b'\n', prefix).map_or(0, |i| i + 1);
    let line_end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |i| at + i);
    let col = String::from_utf8_lossy(&prefix[line_start..])
        .chars()
        .count()
        + 1;
    let text = String::from_utf8_lossy(&bytes[line_start..line_end]);
    Box::new(d.with_excerpt(to_u32(line), to_u32(col), text.trim_end_matches('\r'), len))
}

#[cfg(test)]
mod tests {
    #[test]
    fn diagnostics_placed_from_the_file_read_as_from_the_text() {
        let dir = tempfile::tempdir().unwrap();
        let texts: &[&[u8]] = &[
            b"<a>\n  <b x=\"1\"/>\n</a>\n",
            b"<a>\r\n\xC3\xA9t\xC3\xA9 \xE2\x9C\x93 <b/>\r\n</a>",
            b"\xEF\xBB\xBF<a>\n<b>\xF0\x9D\x84\x9E</b>\n\n</a>\n",
            b"",
            b"\n\n\n",
            b"one long line without a break \xC3\xA9",
        ];
        for (n, bytes) in texts.iter().enumerate() {
            let path = dir.path().join(format!("t{n}.xml"));
            std::fs::write(&path, bytes).unwrap();
            let src = SourceFile::decode("t.xml", bytes.to_vec()).unwrap();
            let len = src.text.len();
            let diags: Vec<Diagnostic> = (0..=len + 1)
                .flat_map(|at| [(at, 1), (at, 3), (at, 0)])
                .map(|(at, l)| Diagnostic::new(Code::NotXml, "m").at(at.min(len), l))
                .collect();
            let mut expected = diags.clone();
            for d in &mut expected {
                d.resolve(&src);
            }
            let mut got = diags;
            assert!(resolve_from_file(
                &path,
                &src.fingerprint().unwrap(),
                &mut got
            ));
            let mut compared = 0;
            for (g, e) in got.iter().zip(&expected) {
                let (at, l) = e.span.unwrap();
                // A span that runs past a line break is shown to its end.
                let span = src.text.get(at..(at + l).min(len)).unwrap_or("");
                if span.trim_end_matches('\n').contains('\n') {
                    continue;
                }
                assert!(e.excerpt.is_some());
                assert_eq!(g.excerpt, e.excerpt, "text {n}, span {:?}", e.span);
                compared += 1;
            }
            assert!(compared > len, "text {n}: {compared} compared");
            // A file that changed is not used.
            std::fs::write(&path, [*bytes, b"x"].concat()).unwrap();
            let mut got = vec![Diagnostic::new(Code::NotXml, "m").at(0, 1)];
            assert!(!resolve_from_file(
                &path,
                &src.fingerprint().unwrap(),
                &mut got
            ));
            assert!(got[0].excerpt.is_none());
        }
    }

    use super::*;

    #[test]
    fn ascii_columns_are_byte_distances() {
        let f = SourceFile::from_text("t", "ab\n\tcd\r\nx".into(), "UTF-8");
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(2), (1, 3));
        assert_eq!(f.line_col(5), (2, 3));
        assert_eq!(f.line_col(1), (1, 2));
        assert_eq!(f.line_col(8), (3, 1));
        assert_eq!(f.line_col(99), (3, 2));
    }

    #[test]
    fn line_col_counts_characters() {
        let f = SourceFile::from_text("t", "ab\nçd\n".into(), "UTF-8");
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(3), (2, 1));
        assert_eq!(f.line_col(5), (2, 2));
        assert_eq!(f.line_text(2), "çd");
        // Out of order, and back again: the cache must not change answers.
        let f = SourceFile::from_text("t", "aé bé cé\nx".into(), "UTF-8");
        let cols: Vec<_> = [9, 0, 4, 3, 10, 1, 11, 12]
            .iter()
            .map(|&o| f.line_col(o))
            .collect();
        assert_eq!(
            cols,
            vec![
                (1, 8),
                (1, 1),
                (1, 4),
                (1, 3),
                (1, 8),
                (1, 2),
                (1, 9),
                (2, 1)
            ]
        );
    }

    #[test]
    fn decodes_windows_1252_and_boms() {
        let bytes = b"<?xml version=\"1.0\" encoding=\"windows-1252\"?><a>caf\xe9</a>".to_vec();
        let f = SourceFile::decode("t", bytes).unwrap();
        assert!(f.text.ends_with("<a>café</a>"));
        assert_eq!(f.encoding, "windows-1252");
        let f = SourceFile::decode("t", b"\xEF\xBB\xBF<a/>".to_vec()).unwrap();
        assert_eq!(f.text.as_str(), "<a/>");
        let f = SourceFile::decode("t", b"\xFF\xFE<\0a\0/\0>\0".to_vec()).unwrap();
        assert_eq!(f.text.as_str(), "<a/>");
    }

    #[test]
    fn invalid_utf8_is_an_error_not_a_replacement() {
        let e = SourceFile::decode("t", b"<a>\n ok \xff</a>".to_vec()).unwrap_err();
        assert_eq!(e.code, Code::Encoding);
        assert!(e.message.contains("0xFF"), "{}", e.message);
    }

    #[test]
    fn unknown_declared_encoding_is_an_error() {
        let e = SourceFile::decode(
            "t",
            b"<?xml version='1.0' encoding='klingon'?><a/>".to_vec(),
        )
        .unwrap_err();
        assert!(e.message.contains("klingon"));
    }
}
