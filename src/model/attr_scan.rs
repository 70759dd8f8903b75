//! The attributes of one start tag, scanned straight from its bytes.
//!
//! The tokenizer ([`super::xml`]) splits plainly well-formed start tags
//! itself; this scanner splits the content of any other start tag
//! (`name key="value" …`) into keys and values. It follows the XML
//! rules quick-xml applies in its strict mode (every attribute has `=` and a
//! quoted value) and reports the same errors at the same offsets, but it
//! keeps no state between tags and checks nothing the reader does not need:
//! duplicate names are checked by the reader, which knows which attributes
//! it reads.

use quick_xml::events::attributes::AttrError;
// XML whitespace as quick-xml defines it: the same bytes end keys here.
use super::xml::value_len;
use quick_xml::utils::is_whitespace as is_space;
use std::ops::Range;

/// A key and its value (without the quotes), as ranges of the tag content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct RawAttr {
    pub key: Range<usize>,
    pub value: Range<usize>,
    /// The value holds a `&`: it needs unescaping.
    pub has_reference: bool,
}

/// Iterates over the attributes of `content` (a start tag without `<`, `>`
/// and a closing `/`), starting after the element name.
pub(super) struct AttrScanner<'b> {
    buf: &'b [u8],
    pos: usize,
}

impl<'b> AttrScanner<'b> {
    pub fn new(content: &'b [u8], name_len: usize) -> Self {
        AttrScanner {
            buf: content,
            pos: name_len.min(content.len()),
        }
    }

    fn skip_space(&mut self) {
        while self.pos < self.buf.len() && is_space(self.buf[self.pos]) {
            self.pos += 1;
        }
    }

    fn fail(&mut self, e: AttrError) -> Option<Result<RawAttr, AttrError>> {
        self.pos = self.buf.len();
        Some(Err(e))
    }
}

impl Iterator for AttrScanner<'_> {
    type Item = Result<RawAttr, AttrError>;

    fn next(&mut self) -> Option<Self::Item> {
        let buf = self.buf;
        self.skip_space();
        if self.pos >= buf.len() {
            return None;
        }
        // The first character belongs to the key whatever it is, as in
        // quick-xml: `="x"` is a key `="x"` with no `=` after it.
        let key_start = self.pos;
        self.pos += 1;
        while self.pos < buf.len() && buf[self.pos] != b'=' && !is_space(buf[self.pos]) {
            self.pos += 1;
        }
        let key = key_start..self.pos;
        self.skip_space();
        match buf.get(self.pos) {
            Some(b'=') => self.pos += 1,
            Some(_) => return self.fail(AttrError::ExpectedEq(self.pos)),
            None => return self.fail(AttrError::ExpectedEq(buf.len())),
        }
        self.skip_space();
        let quote = match buf.get(self.pos) {
            Some(&q @ (b'"' | b'\'')) => q,
            Some(_) => return self.fail(AttrError::UnquotedValue(self.pos)),
            None => return self.fail(AttrError::ExpectedValue(buf.len())),
        };
        let value_start = self.pos + 1;
        match value_len(&buf[value_start..], quote) {
            Some((n, has_reference)) => {
                self.pos = value_start + n + 1;
                Some(Ok(RawAttr {
                    key,
                    value: value_start..value_start + n,
                    has_reference,
                }))
            }
            None => self.fail(AttrError::ExpectedQuote(buf.len(), quote)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quick_xml::events::attributes::Attributes;

    /// What quick-xml's own strict iterator makes of `content`.
    fn quick_xml(content: &str, name_len: usize) -> Vec<Result<(String, String), String>> {
        let mut out = Vec::new();
        for a in Attributes::new(content, name_len).with_checks(false) {
            match a {
                Ok(a) => out.push(Ok((
                    String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                    String::from_utf8(a.value.to_vec()).unwrap(),
                ))),
                Err(e) => {
                    out.push(Err(format!("{e:?}")));
                    break;
                }
            }
        }
        out
    }

    fn ours(content: &str, name_len: usize) -> Vec<Result<(String, String), String>> {
        AttrScanner::new(content.as_bytes(), name_len)
            .map(|a| {
                a.map(|a| (content[a.key].to_owned(), content[a.value].to_owned()))
                    .map_err(|e| format!("{e:?}"))
            })
            .collect()
    }

    #[test]
    fn agrees_with_quick_xml_on_good_and_broken_tags() {
        let cases = [
            "e",
            "e ",
            "e a=\"1\"",
            "e a='1' b=\"2\"",
            "e\n\ta = \"x y\"\r\n b='it\"s'",
            "e a=\"\"",
            "e a=\"1\"b=\"2\"",
            "e xsi:type=\"Node\" identifier=\"id-1\"",
            "e a",
            "e a ",
            "e a b=\"1\"",
            "e a=",
            "e a= ",
            "e a=1",
            "e a=\"1",
            "e a='1",
            "e a=\"1\" =\"2\"",
            "e =\"2\"",
            "e a=\"&amp;\"",
            "e a=\"é\" ü='ß'",
            "e a=\"0123456789012345678901234567890123456789012345678901234567890123\"",
            "e a=\"01234567890123456789012345678901234567890123456789012345678901234567\" b='x'",
            "e a=\"0123456789012345678901234567890123456789012345678901234567890123456789",
        ];
        for c in cases {
            assert_eq!(ours(c, 1), quick_xml(c, 1), "content {c:?}");
        }
    }

    #[test]
    fn references_are_noticed_in_short_and_long_values() {
        let long = "x".repeat(100);
        for (content, want) in [
            ("e a=\"1\"".to_owned(), false),
            ("e a=\"&amp;\"".to_owned(), true),
            (format!("e a=\"{long}\""), false),
            (format!("e a=\"&lt;{long}\""), true),
            (format!("e a=\"{long}&gt;\""), true),
            (format!("e a=\"{long}\" b=\"&amp;\""), false),
        ] {
            let first = AttrScanner::new(content.as_bytes(), 1)
                .next()
                .unwrap()
                .unwrap();
            assert_eq!(first.has_reference, want, "{content}");
        }
    }

    #[test]
    fn a_name_length_past_the_end_yields_nothing() {
        assert!(ours("e", 5).is_empty());
    }
}
