//! The characters XML 1.0 allows (its `Char` production): tab, line feed,
//! carriage return, U+0020–U+D7FF, U+E000–U+FFFD and U+10000–U+10FFFF.
//! Anything else (NUL, ESC and the other C0 controls, U+FFFE, U+FFFF) makes
//! a document not well-formed, whether it is written raw or as a character
//! reference (`&#x1;`, `&#0;`). Surrogates cannot occur in decoded text.
//!
//! quick-xml, and the tokenizer that agrees with it, let such characters
//! through; the reader checks them here: the whole text once before
//! reading ([`first_forbidden`]), and each text or attribute value that
//! holds a reference ([`first_forbidden_reference`]).

use crate::diagnostic::{Code, Diagnostic};

/// True when XML 1.0 allows `c` in a document.
pub fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Bytes looked at per step of the fast scan.
const CHUNK: usize = 64;

/// True for a byte that starts a forbidden character, or may: a C0 control
/// other than tab, line feed and carriage return, or 0xEF (the lead byte of
/// U+FFFE and U+FFFF, and of many allowed characters).
#[inline(always)]
fn suspicious(c: u8) -> bool {
    (c < 0x20 && c != b'\t' && c != b'\n' && c != b'\r') | (c == 0xEF)
}

/// The first character of `text` that XML 1.0 forbids, with its offset,
/// and how many there are in all.
pub fn first_forbidden(text: &str) -> Option<(usize, char, usize)> {
    let b = text.as_bytes();
    let mut chunks = b.chunks_exact(CHUNK);
    let mut at = 0;
    let mut first = None;
    for chunk in chunks.by_ref() {
        // No early exit inside a chunk, so that the loop is vectorised.
        if chunk.iter().fold(false, |acc, &c| acc | suspicious(c)) {
            first = forbidden_in(b, at, at + CHUNK);
            if first.is_some() {
                break;
            }
        }
        at += CHUNK;
    }
    let (off, c) = first.or_else(|| forbidden_in(b, at, b.len()))?;
    let more = text[off..].chars().filter(|&c| !is_xml_char(c)).count();
    Some((off, c, more))
}

/// The first forbidden character starting in `b[from..to]`.
fn forbidden_in(b: &[u8], from: usize, to: usize) -> Option<(usize, char)> {
    (from..to).find_map(|i| match b[i] {
        c if c < 0x20 && !matches!(c, b'\t' | b'\n' | b'\r') => Some((i, char::from(c))),
        0xEF if b.get(i + 1) == Some(&0xBF) => match b.get(i + 2) {
            Some(0xBE) => Some((i, '\u{FFFE}')),
            Some(0xBF) => Some((i, '\u{FFFF}')),
            _ => None,
        },
        _ => None,
    })
}

/// The first character reference in `raw` (a text or attribute value) that
/// stands for a character XML 1.0 forbids: its offset in `raw`, its length
/// and the code point. References that are not numbers are left to the
/// unescaper, which refuses them.
pub fn first_forbidden_reference(raw: &str) -> Option<(usize, usize, u32)> {
    memchr::memmem::find_iter(raw.as_bytes(), b"&#").find_map(|at| {
        let rest = &raw[at + 2..];
        let end = rest.find(';')?;
        let digits = &rest[..end];
        let code = match digits.strip_prefix('x') {
            Some(hex) if hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
                u32::from_str_radix(hex, 16).ok()?
            }
            None if digits.bytes().all(|b| b.is_ascii_digit()) => digits.parse().ok()?,
            _ => return None,
        };
        let allowed = char::from_u32(code).is_some_and(is_xml_char);
        (!allowed).then_some((at, end + 3, code))
    })
}

/// `U+001B (ESC)`: a forbidden character, named so that it can be seen.
fn described(code: u32) -> String {
    const C0: [&str; 32] = [
        "NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS", "TAB", "LF", "VT", "FF",
        "CR", "SO", "SI", "DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB", "CAN", "EM",
        "SUB", "ESC", "FS", "GS", "RS", "US",
    ];
    match usize::try_from(code).ok().and_then(|i| C0.get(i)) {
        Some(name) => format!("U+{code:04X} ({name})"),
        None if (0xD800..0xE000).contains(&code) => format!("U+{code:04X} (a surrogate)"),
        None if code > 0x10FFFF => format!("{code:#X} (beyond Unicode)"),
        None => format!("U+{code:04X} (a noncharacter)"),
    }
}

const HELP: &str = "XML 1.0 allows no control character but tab, line feed and carriage return, and neither U+FFFE nor U+FFFF, not even as a character reference: remove it (it usually comes from text pasted into a name, documentation or property)";

/// The error for a forbidden character written as itself at `at`; `count`
/// is how many the file holds.
pub fn raw_error(at: usize, c: char, count: usize) -> Diagnostic {
    let more = match count {
        0 | 1 => String::new(),
        n => format!(" (the file holds {n} such characters; the first is shown)"),
    };
    Diagnostic::error(
        Code::ForbiddenChar,
        format!(
            "the character {} is not allowed in XML 1.0{more}",
            described(u32::from(c))
        ),
    )
    .at(at, c.len_utf8())
    .help(HELP)
}

/// The error for a character reference of `len` bytes at `at` that stands
/// for the forbidden `code`.
pub fn reference_error(at: usize, len: usize, raw: &str, code: u32) -> Diagnostic {
    Diagnostic::error(
        Code::ForbiddenChar,
        format!(
            "the character reference {} stands for {}, which XML 1.0 does not allow",
            crate::diagnostic::shown(raw),
            described(code)
        ),
    )
    .at(at, len)
    .help(HELP)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_char_production() {
        for c in [
            '\t',
            '\n',
            '\r',
            ' ',
            'é',
            '\u{D7FF}',
            '\u{E000}',
            '\u{FFFD}',
            '\u{10000}',
            '\u{10FFFF}',
        ] {
            assert!(is_xml_char(c), "{c:?}");
        }
        for c in [
            '\0', '\u{1}', '\u{8}', '\u{B}', '\u{C}', '\u{E}', '\u{1B}', '\u{1F}', '\u{FFFE}',
            '\u{FFFF}',
        ] {
            assert!(!is_xml_char(c), "{c:?}");
        }
    }

    #[test]
    fn the_fast_scan_finds_exactly_what_the_char_production_refuses() {
        // Every forbidden character, at every offset around a chunk's end.
        for c in (0u32..0x20)
            .chain([0xFFFE, 0xFFFF])
            .filter_map(char::from_u32)
        {
            for at in [
                0,
                1,
                CHUNK - 3,
                CHUNK - 2,
                CHUNK - 1,
                CHUNK,
                CHUNK + 1,
                3 * CHUNK - 1,
            ] {
                let text = format!("{}{c}{}", "a".repeat(at), "\u{FEFF}é\u{FFFD}\n".repeat(40));
                let want = (!is_xml_char(c)).then_some((at, c, 1));
                assert_eq!(first_forbidden(&text), want, "{c:?} at {at}");
            }
        }
        // Lead byte 0xEF of allowed characters, in and across chunks.
        let ok = "\u{F000}\u{FEFF}\u{FFFD}\u{FFEE}x".repeat(100);
        assert_eq!(first_forbidden(&ok), None);
        assert_eq!(first_forbidden("\0a\0"), Some((0, '\0', 2)));
    }

    #[test]
    fn forbidden_references() {
        assert_eq!(first_forbidden_reference("a &#x1; b"), Some((2, 5, 1)));
        assert_eq!(first_forbidden_reference("&#0;"), Some((0, 4, 0)));
        assert_eq!(first_forbidden_reference("&#65535;"), Some((0, 8, 0xFFFF)));
        assert_eq!(first_forbidden_reference("&#xD800;"), Some((0, 8, 0xD800)));
        assert_eq!(
            first_forbidden_reference("&#x110000;"),
            Some((0, 10, 0x110000))
        );
        assert_eq!(
            first_forbidden_reference("&#9;&#xA;&#13;&#x20;&#xFFFD;&amp;"),
            None
        );
        // Not numbers: the unescaper's to refuse.
        assert_eq!(first_forbidden_reference("&#x;&#-1;&#+1;&#1x;&#"), None);
    }

    #[test]
    fn names_are_readable() {
        assert_eq!(described(0x1B), "U+001B (ESC)");
        assert_eq!(described(0), "U+0000 (NUL)");
        assert_eq!(described(0xFFFE), "U+FFFE (a noncharacter)");
    }
}
