//! Attributes: the slots the reader looks for on a tag, how a tag's
//! attributes are scanned into them, and namespace prefixes.

use super::*;

impl<'a> State<'a> {
    pub(super) fn check_prefix(&mut self, prefix: &[u8], at: usize) {
        if prefix == b"xmlns" || self.prefixes.iter().any(|(p, _)| *p == prefix) {
            return;
        }
        if self.reported_prefixes.iter().any(|p| p == prefix) {
            return;
        }
        self.reported_prefixes.push(prefix.to_vec());
        let p = String::from_utf8_lossy(prefix);
        self.warn(
            Code::UndeclaredPrefix,
            format!("the namespace prefix {} is used but never declared; read by its local names", shown(&p)),
            at,
            prefix.len(),
            &format!("declare it on the root element, e.g. xmlns:{p}=\"…\" (for Dublin Core: http://purl.org/dc/elements/1.1/)"),
        );
    }

    /// Fills `out` with the attributes archgen reads among those of the
    /// tag whose name is at `name_off`, refusing any that appears twice;
    /// `attr_error` is a malformed attribute after `raw`.
    pub(super) fn attrs(
        &mut self,
        raw: &[RawAttr],
        attr_error: Option<&AttrError>,
        name_off: usize,
        depth: usize,
        out: &mut Attrs<'a>,
    ) -> Result<(), Fatal> {
        out.clear();
        let text = self.text;
        // Keys seen so far, to refuse duplicates; most tags have a handful.
        let mut seen: [&[u8]; 16] = [&[]; 16];
        let mut n_seen = 0;
        let mut more_seen: Vec<&[u8]> = Vec::new();
        for attr in raw {
            let key_at = attr.key.start;
            let key: &'a [u8] = &text.as_bytes()[attr.key.clone()];
            let voff = attr.value.start;
            let value: &'a str = &text[attr.value.clone()];
            let twice = |k: &&[u8]| k.len() == key.len() && k.first() == key.first() && *k == key;
            if seen[..n_seen].iter().any(twice) || more_seen.iter().any(twice) {
                return Err(Box::new(
                    Diagnostic::error(
                        Code::NotXml,
                        format!(
                            "the attribute {} appears twice on one element",
                            shown(&String::from_utf8_lossy(key))
                        ),
                    )
                    .at(key_at, key.len())
                    .help("an XML element holds each attribute once; remove one of them"),
                ));
            }
            if n_seen < seen.len() {
                seen[n_seen] = key;
                n_seen += 1;
            } else {
                more_seen.push(key);
            }
            // Every value with a reference is checked, read or not: an
            // undefined entity or a forbidden character is an error anywhere.
            let unescaped = if attr.has_reference {
                Some(self.unescape(value, voff)?)
            } else {
                None
            };
            // Keys are short: a plain loop finds the colon sooner than memchr.
            let (prefix, local) = match key.iter().position(|&b| b == b':') {
                Some(i) => (Some(&key[..i]), &key[i + 1..]),
                None => (None, key),
            };
            let slot = match prefix {
                None if local == b"xmlns" => Slot::default_ns,
                Some(b"xmlns") => {
                    // A prefix declared here, borrowed from the text.
                    self.prefixes.push((&key[6..], depth));
                    continue;
                }
                Some(p) => {
                    if p != b"xml" {
                        self.check_prefix(p, key_at);
                    }
                    if local == b"lang" && p == b"xml" {
                        Slot::lang
                    } else if local == b"type" {
                        Slot::xsi_type
                    } else if local.eq_ignore_ascii_case(b"schemaLocation") {
                        Slot::schema_location
                    } else {
                        continue;
                    }
                }
                None => match attr_slot(local) {
                    Some(slot) => slot,
                    None => continue,
                },
            };
            match unescaped {
                None => out.set_borrowed(slot, voff, value.len()),
                Some(v) => out.set_owned(slot, voff, v.into_owned()),
            }
        }
        match attr_error {
            None => Ok(()),
            Some(err) => {
                let at = match err {
                    AttrError::ExpectedEq(p)
                    | AttrError::ExpectedValue(p)
                    | AttrError::UnquotedValue(p)
                    | AttrError::ExpectedQuote(p, _)
                    | AttrError::Duplicated(p, _) => name_off + p,
                };
                Err(self.xml_error(&XmlError::InvalidAttr(err.clone()), at))
            }
        }
    }
}

/// The attributes of one tag that archgen reads: for each, where its value
/// starts and how long it is. Values without references are slices of the
/// input; the few with references are unescaped into `owned`. One table is
/// reused for every tag: clearing it resets a bit mask, nothing else.
pub(super) struct Attrs<'a> {
    pub(super) text: &'a str,
    pub(super) present: u64,
    /// Slots whose value is in `owned` (at index `spans[slot].1`).
    pub(super) unescaped: u64,
    /// (offset of the value in the input, length or index into `owned`).
    pub(super) spans: [(usize, usize); SLOTS],
    pub(super) owned: Vec<String>,
}

impl<'a> Attrs<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        Attrs {
            text,
            present: 0,
            unescaped: 0,
            spans: [(0, 0); SLOTS],
            owned: Vec::new(),
        }
    }

    pub(super) fn clear(&mut self) {
        self.present = 0;
        self.unescaped = 0;
        self.owned.clear();
    }

    pub(super) fn get(&self, slot: Slot) -> Option<(&str, usize)> {
        let bit = 1u64 << slot as u8;
        if self.present & bit == 0 {
            return None;
        }
        let (at, n) = self.spans[slot as usize];
        if self.unescaped & bit != 0 {
            Some((self.owned[n].as_str(), at))
        } else {
            Some((self.text.get(at..at + n).unwrap_or(""), at))
        }
    }

    pub(super) fn set_borrowed(&mut self, slot: Slot, at: usize, len: usize) {
        let bit = 1u64 << slot as u8;
        self.present |= bit;
        self.unescaped &= !bit;
        self.spans[slot as usize] = (at, len);
    }

    pub(super) fn set_owned(&mut self, slot: Slot, at: usize, value: String) {
        let bit = 1u64 << slot as u8;
        self.present |= bit;
        self.unescaped |= bit;
        self.spans[slot as usize] = (at, self.owned.len());
        self.owned.push(value);
    }
}

/// The slot of an unprefixed attribute archgen reads; names are compared
/// without regard to case (2.1 files write `identifierref`).
pub(super) fn attr_slot(local: &[u8]) -> Option<Slot> {
    let mut buf = [0u8; 32];
    Some(match lower(local, &mut buf) {
        b"identifier" => Slot::identifier,
        b"type" => Slot::plain_type,
        b"source" => Slot::source,
        b"target" => Slot::target,
        b"accesstype" => Slot::access_type,
        b"modifier" => Slot::modifier,
        b"isdirected" => Slot::is_directed,
        b"identifierref" => Slot::identifier_ref,
        b"elementref" => Slot::element_ref,
        b"relationshipref" => Slot::relationship_ref,
        b"propertydefinitionref" => Slot::property_definition_ref,
        b"viewref" => Slot::view_ref,
        b"ref" => Slot::reference,
        b"name" => Slot::name,
        b"viewpoint" => Slot::viewpoint,
        b"viewpointref" => Slot::viewpoint_ref,
        b"version" => Slot::version,
        b"x" => Slot::x,
        b"y" => Slot::y,
        b"w" => Slot::w,
        b"h" => Slot::h,
        b"r" => Slot::r,
        b"g" => Slot::g,
        b"b" => Slot::b,
        b"a" => Slot::a,
        b"size" => Slot::size,
        b"style" => Slot::style,
        b"linewidth" => Slot::line_width,
        _ => return None,
    })
}

/// `s` in lower case, without allocating; names longer than the buffer
/// (none that archgen reads) come back empty.
pub(super) fn lower<'b>(s: &[u8], buf: &'b mut [u8; 32]) -> &'b [u8] {
    if s.len() > buf.len() {
        return &[];
    }
    for (d, c) in buf.iter_mut().zip(s) {
        *d = c.to_ascii_lowercase();
    }
    &buf[..s.len()]
}

pub(super) fn strip_qname(s: &str) -> &str {
    s.rsplit_once(':').map_or(s, |(_, l)| l)
}
