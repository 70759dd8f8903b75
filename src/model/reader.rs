//! The exchange-format reader: one pass of archgen's tokenizer
//! ([`super::xml`]) over the decoded text, no DOM, an explicit stack instead
//! of recursion. In a large file part of the views is read on a second
//! thread at the same time (see `State::run`, and [`super::cpus`] for where
//! that thread starts); the result is the same as reading it all on one.
//!
//! In: a [`SourceFile`]. Out: the [`Model`] as the file states it (2.1
//! spellings mapped onto 3.x, the original kept in `sourceType`) and the
//! diagnostics of reading. References are checked afterwards, by
//! [`super::validate`].
//!
//! The reader accepts both dialects everywhere (`name` or `label`,
//! `propertyDefinitions` or `propertydefs`, `identifierRef` or
//! `identifierref`, …): what a file uses decides the version it reports only
//! when its namespace does not.

use super::attr_scan::RawAttr;
use super::chars;
use super::xml::{quick_xml_reader, to_usize, Token, Tokenizer};
use super::{
    AccessType, Color, Connection, ConnectionKind, Element, ElementType, Font, FormatVersion,
    Model, Node, NodeKind, OrgItem, Point, Pos, Property, PropertyDefinition, Relationship,
    RelationshipType, Style, Texts, View,
};
use crate::diagnostic::{shown, Code, Diagnostic};
use crate::source::SourceFile;
use quick_xml::errors::{Error as XmlError, SyntaxError};
use quick_xml::events::attributes::AttrError;
use quick_xml::events::Event;

pub const NS_30: &str = "http://www.opengroup.org/xsd/archimate/3.0/";
pub const NS_31_BOGUS: &str = "http://www.opengroup.org/xsd/archimate/3.1/";
pub const NS_21: &str = "http://www.opengroup.org/xsd/archimate";
const NS_ARCHI_NATIVE: &str = "http://www.archimatetool.com/archimate";

/// How to read a file.
#[derive(Clone, Debug)]
pub struct ReadOptions {
    /// The language to pick among `xml:lang` variants (default `en`).
    pub lang: String,
    /// Files at least this many bytes long have their `<views>` read on a
    /// second thread while the first reads the rest (default 1 MiB;
    /// `usize::MAX` reads everything on one thread). The model and the
    /// diagnostics are the same either way.
    pub parallel_from: usize,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            lang: "en".into(),
            parallel_from: 1 << 20,
        }
    }
}

/// Reads a model. `None` when the file is not a usable XML exchange-format
/// document at all (the diagnostics say why); otherwise the model, possibly
/// with error diagnostics that make it unusable for generation.
pub fn read(src: &SourceFile, opts: &ReadOptions) -> (Option<Model>, Vec<Diagnostic>) {
    // A character XML forbids makes the file not well-formed, wherever it is.
    if let Some((at, c, count)) = chars::first_forbidden(&src.text) {
        return (None, vec![chars::raw_error(at, c, count)]);
    }
    let mut st = State::new(&src.text);
    let outcome = st.run(&src.text, opts.parallel_from);
    st.settle_version();
    let State {
        mut model,
        mut diags,
        ..
    } = st;
    match outcome {
        Ok(()) => {
            finish(&mut model, opts);
            model.resolve_positions(src);
            (Some(model), diags)
        }
        Err(fatal) => {
            diags.push(*fatal);
            (None, diags)
        }
    }
}

/// Reads `src` and tells where the second thread's share, when taken in,
/// began: 1 at the `<views>` element, 2 or 3 at a `<view>` inside them (in
/// `<views>` or in `<views><diagrams>`); `None` when everything was read on
/// one thread. For tests of that path, which must change nothing else.
#[doc(hidden)]
pub fn parallel_split(src: &SourceFile, opts: &ReadOptions) -> Option<usize> {
    let mut st = State::new(&src.text);
    st.run(&src.text, opts.parallel_from).ok()?;
    st.adopted_split
}

type Fatal = Box<Diagnostic>;

/// Who owns a list of properties.
#[derive(Clone, Copy, Debug, PartialEq)]
enum PropOwner {
    Model,
    Element(usize),
    Relationship(usize),
    View(usize),
}

/// Who receives the text of a `name`, `label`, `documentation` or `value`.
#[derive(Clone, Copy, Debug)]
enum TextOwner {
    Model,
    Element(usize),
    Relationship(usize),
    PropDef(usize),
    Property(PropOwner, usize),
    Org(usize),
    View(usize),
    Node(usize, usize),
    Connection(usize, usize),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TextField {
    Name,
    Documentation,
    Value,
}

/// Who owns a `style`.
#[derive(Clone, Copy, Debug, PartialEq)]
enum StyleOwner {
    Node(usize, usize),
    Connection(usize, usize),
}

/// What the reader is inside of: one entry per open XML element.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Ctx {
    Model,
    Elements,
    Element(usize),
    Relationships,
    Relationship(usize),
    Properties(PropOwner),
    Property(PropOwner, usize),
    PropertyDefs,
    PropertyDef(usize),
    Orgs,
    OrgItem(usize),
    Views,
    Diagrams,
    View(usize),
    Node(usize, usize),
    Connection(usize, usize),
    Style(StyleOwner),
    Font(StyleOwner),
    Text,
    Skip,
}

/// Declares the attributes archgen reads: one slot each in [`Attrs`], with an
/// accessor of the same name.
macro_rules! attr_slots {
    ($($slot:ident),* $(,)?) => {
        #[allow(non_camel_case_types, clippy::upper_case_acronyms)]
        #[derive(Clone, Copy)]
        #[repr(u8)]
        enum Slot { $($slot),* }

        /// How many slots there are (at most 64: presence is a bit mask).
        const SLOTS: usize = [$(Slot::$slot),*].len();
        const _: () = assert!(SLOTS <= 64);

        impl Attrs<'_> {
            $(
                #[allow(dead_code)]
                fn $slot(&self) -> Option<(&str, usize)> {
                    self.get(Slot::$slot)
                }
            )*
        }
    };
}

attr_slots!(
    identifier,
    xsi_type,
    plain_type,
    source,
    target,
    access_type,
    modifier,
    is_directed,
    identifier_ref,
    element_ref,
    relationship_ref,
    property_definition_ref,
    view_ref,
    reference,
    name,
    lang,
    viewpoint,
    viewpoint_ref,
    version,
    schema_location,
    default_ns,
    x,
    y,
    w,
    h,
    r,
    g,
    b,
    a,
    size,
    style,
    line_width,
);

/// The attributes of one tag that archgen reads: for each, where its value
/// starts and how long it is. Values without references are slices of the
/// input; the few with references are unescaped into `owned`. One table is
/// reused for every tag: clearing it resets a bit mask, nothing else.
struct Attrs<'a> {
    text: &'a str,
    present: u64,
    /// Slots whose value is in `owned` (at index `spans[slot].1`).
    unescaped: u64,
    /// (offset of the value in the input, length or index into `owned`).
    spans: [(usize, usize); SLOTS],
    owned: Vec<String>,
}

impl<'a> Attrs<'a> {
    fn new(text: &'a str) -> Self {
        Attrs {
            text,
            present: 0,
            unescaped: 0,
            spans: [(0, 0); SLOTS],
            owned: Vec::new(),
        }
    }

    fn clear(&mut self) {
        self.present = 0;
        self.unescaped = 0;
        self.owned.clear();
    }

    fn get(&self, slot: Slot) -> Option<(&str, usize)> {
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

    fn set_borrowed(&mut self, slot: Slot, at: usize, len: usize) {
        let bit = 1u64 << slot as u8;
        self.present |= bit;
        self.unescaped &= !bit;
        self.spans[slot as usize] = (at, len);
    }

    fn set_owned(&mut self, slot: Slot, at: usize, value: String) {
        let bit = 1u64 << slot as u8;
        self.present |= bit;
        self.unescaped |= bit;
        self.spans[slot as usize] = (at, self.owned.len());
        self.owned.push(value);
    }
}

struct State<'a> {
    text: &'a str,
    base: usize,
    model: Model,
    diags: Vec<Diagnostic>,
    stack: Vec<Ctx>,
    /// Namespace prefixes in scope, with the depth that declared them.
    prefixes: Vec<(&'a [u8], usize)>,
    /// Prefixes already reported as undeclared.
    reported_prefixes: Vec<Vec<u8>>,
    root_seen: bool,
    root_closed: bool,
    /// Text being collected for a `name`/`label`/`documentation`/`value`.
    text_buf: String,
    text_lang: Option<String>,
    text_slot: Option<(TextOwner, TextField)>,
    /// Seen a 2.1-only spelling (used when the namespace does not tell).
    saw_v21: bool,
    /// Seen a 3.1-only feature (ValueStream, isDirected).
    saw_v31: bool,
    schema_location_31: bool,
    /// The root is in the 3.x namespace.
    ns3: bool,
    /// Where the views read on a second thread and taken in began (see
    /// [`parallel_split`]).
    adopted_split: Option<usize>,
}

impl<'a> State<'a> {
    fn new(text: &'a str) -> Self {
        State {
            text,
            base: text.as_ptr() as usize,
            model: Model::default(),
            diags: Vec::new(),
            stack: Vec::with_capacity(64),
            prefixes: vec![(b"xml".as_slice(), 0)],
            reported_prefixes: Vec::new(),
            root_seen: false,
            root_closed: false,
            text_buf: String::new(),
            text_lang: None,
            text_slot: None,
            saw_v21: false,
            saw_v31: false,
            schema_location_31: false,
            ns3: false,
            adopted_split: None,
        }
    }

    /// Byte offset of a slice borrowed from the input.
    fn off(&self, s: &[u8], fallback: usize) -> usize {
        let p = s.as_ptr() as usize;
        if p >= self.base && p <= self.base + self.text.len() {
            p - self.base
        } else {
            fallback
        }
    }

    /// Reads the whole file. In a large file the second half of the views
    /// (see [`split_point`]) is read speculatively on a second thread; the
    /// first thread adopts that result when it meets the very same tag in
    /// the place the second thread assumed, and otherwise reads those views
    /// itself (the text matched inside a comment, the second thread found an
    /// error, …).
    ///
    /// `shared` is the text itself (`self.text` borrows it), for the second
    /// thread to hold. That thread is waited for before this returns.
    fn run(&mut self, shared: &std::sync::Arc<String>, parallel_from: usize) -> Result<(), Fatal> {
        let text = self.text;
        let split = if text.len() >= parallel_from {
            split_point(text)
        } else {
            None
        };
        // A thread that cannot be had (resource limits) only means reading
        // on one thread.
        let second = split.and_then(|split| {
            let shared = std::sync::Arc::clone(shared);
            let handle = std::thread::Builder::new()
                .name("archgen-views".into())
                .spawn(move || read_views(&shared, split))
                .ok()?;
            Some((split, handle))
        });
        self.events(second)?;
        if !self.root_seen {
            return Err(Box::new(
                Diagnostic::error(Code::NotXml, "the file holds no XML element")
                    .at(self.text.len(), 0)
                    .help(
                        "an exchange-format file starts with `<model …>`; is this the right file?",
                    ),
            ));
        }
        if !self.root_closed {
            let open = self.stack.len();
            return Err(Box::new(
                Diagnostic::error(
                    Code::Truncated,
                    format!("the file ends with {open} element(s) still open: it is truncated"),
                )
                .at(self.text.trim_end().len(), 0)
                .help("export the model again; the copy you have is cut short"),
            ));
        }
        if self.adopted_split.is_some() {
            dedupe_prefix_warnings(&mut self.diags);
        }
        Ok(())
    }

    /// The token loop, to the end of the file. `split` is where the second
    /// thread started reading, and that thread.
    fn events(
        &mut self,
        mut split: Option<(Split, std::thread::JoinHandle<Option<ViewsPart>>)>,
    ) -> Result<(), Fatal> {
        // However this ends, the second thread is waited for: no thread
        // outlives the read.
        let result = self.tokens(&mut split);
        if let Some((_, handle)) = split {
            let _ = handle.join();
        }
        result
    }

    fn tokens(
        &mut self,
        split: &mut Option<(Split, std::thread::JoinHandle<Option<ViewsPart>>)>,
    ) -> Result<(), Fatal> {
        let mut tok = Tokenizer::new(self.text, 0);
        let mut attrs = Attrs::new(self.text);
        loop {
            let token = match tok.next_token() {
                Ok(t) => t,
                Err(_) => return Err(self.syntax_error(tok.pos())),
            };
            if let (
                Token::Start {
                    at,
                    name_len,
                    empty,
                },
                Some((candidate, _)),
            ) = (&token, &*split)
            {
                if *at == candidate.at
                    && self.stack == candidate.stack()
                    // Prefixes declared below the root: not in the other
                    // thread's scope.
                    && self.prefixes.iter().all(|&(_, d)| d <= 1)
                    && &self.text.as_bytes()[at + 1..at + 1 + name_len] == candidate.name()
                {
                    let (_, handle) = split.take().expect("checked above");
                    // The other thread read from this very tag, in this very
                    // place, cleanly: go on after what it read. Otherwise
                    // read it here.
                    if let Some(part) = handle.join().ok().flatten() {
                        tok.resume_after(*empty, part.end);
                        self.adopt(part);
                        continue;
                    }
                }
            }
            if let Token::Eof = token {
                return Ok(());
            }
            self.token(token, &tok, &mut attrs)?;
        }
    }

    /// Takes in the views read on the second thread.
    fn adopt(&mut self, part: ViewsPart) {
        self.model.views.extend(part.views);
        self.diags.extend(part.diags);
        self.saw_v21 |= part.saw_v21;
        self.saw_v31 |= part.saw_v31;
        self.adopted_split = Some(part.depth);
    }

    /// Handles one token.
    fn token(
        &mut self,
        token: Token<'a>,
        tok: &Tokenizer<'a>,
        attrs: &mut Attrs<'a>,
    ) -> Result<(), Fatal> {
        match token {
            Token::Start {
                at,
                name_len,
                empty,
            } => self.start(at, name_len, empty, tok.attrs(), tok.attr_error(), attrs)?,
            Token::End => self.end(),
            Token::Text { at, raw } => self.text(at, raw)?,
            Token::Other(event) => self.other(event)?,
            Token::Eof => {}
        }
        Ok(())
    }

    /// Text between tags: the content of a name, documentation or value, or
    /// white space.
    fn text(&mut self, at: usize, t: &'a str) -> Result<(), Fatal> {
        if self.text_slot.is_some() {
            let s = self.unescape(t, at)?;
            self.text_buf.push_str(&s);
        } else if !t.bytes().all(|b| b.is_ascii_whitespace()) {
            if !self.root_seen || self.root_closed {
                return Err(Box::new(
                    Diagnostic::error(Code::NotXml, "text outside the root element")
                        .at(at + t.bytes().take_while(|b| b.is_ascii_whitespace()).count(), 1)
                        .help("an XML document holds exactly one root element and nothing but markup around it"),
                ));
            }
            // Text where the schema allows none: check its entities
            // (well-formedness), otherwise ignore it.
            self.unescape(t, at)?;
        }
        Ok(())
    }

    /// `raw` (at `at`) with its references replaced, refusing undefined
    /// entities and references to characters XML forbids.
    fn unescape(&self, raw: &'a str, at: usize) -> Result<std::borrow::Cow<'a, str>, Fatal> {
        let forbidden = || {
            chars::first_forbidden_reference(raw).map(|(i, len, code)| {
                Box::new(chars::reference_error(at + i, len, &raw[i..i + len], code))
            })
        };
        match quick_xml::escape::unescape(raw) {
            Ok(s @ std::borrow::Cow::Borrowed(_)) => Ok(s),
            Ok(s) => forbidden().map_or(Ok(s), Err),
            Err(e) => Err(forbidden().unwrap_or_else(|| self.xml_error(&XmlError::Escape(e), at))),
        }
    }

    /// A comment, CDATA section, DOCTYPE, XML declaration or processing
    /// instruction.
    fn other(&mut self, event: Event<'a>) -> Result<(), Fatal> {
        match event {
            Event::CData(t) if self.text_slot.is_some() => {
                self.text_buf.push_str(&String::from_utf8_lossy(&t));
            }
            Event::DocType(d) => {
                let at = self.off(&d, 0);
                if memchr::memmem::find(&d, b"<!ENTITY").is_some() {
                    return Err(Box::new(
                        Diagnostic::error(
                            Code::Doctype,
                            "the DOCTYPE declares entities; archgen never expands or fetches them",
                        )
                        .at(at.saturating_sub(10), 9)
                        .help("remove the DOCTYPE: exchange-format files need none"),
                    ));
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// The exact syntax error, as quick-xml reports it: the tokenizer stopped
    /// at `at` and only knows that something is wrong there. Reading the text
    /// again with quick-xml costs a second pass, but only on a broken file.
    #[cold]
    fn syntax_error(&self, at: usize) -> Fatal {
        let mut reader = quick_xml_reader(self.text);
        loop {
            match reader.read_event() {
                Ok(Event::Eof) => break,
                Ok(_) => {}
                Err(e) => return self.xml_error(&e, to_usize(reader.error_position())),
            }
        }
        // The tokenizer and quick-xml disagree, which their tests say they
        // do not; say what is known rather than nothing.
        Box::new(
            Diagnostic::error(Code::NotXml, "not well-formed XML")
                .at(at.min(self.text.len()), 1)
                .help("fix the XML at this place (an XML editor or `xmllint --noout FILE` shows the problem)"),
        )
    }

    fn xml_error(&self, e: &XmlError, at: usize) -> Fatal {
        let (code, msg) = match e {
            XmlError::Syntax(
                s @ (SyntaxError::UnclosedTag
                | SyntaxError::UnclosedComment
                | SyntaxError::UnclosedCData
                | SyntaxError::UnclosedDoctype
                | SyntaxError::UnclosedPIOrXmlDecl
                | SyntaxError::InvalidBangMarkup),
            ) => (
                Code::Truncated,
                format!("the file ends inside markup ({s}): it is truncated"),
            ),
            XmlError::Escape(quick_xml::escape::EscapeError::UnrecognizedEntity(range, name)) => {
                let at = (at + range.start.saturating_sub(1)).min(self.text.len());
                return Box::new(
                    Diagnostic::error(
                        Code::NotXml,
                        format!("undefined entity reference {}", shown(&format!("&{name};"))),
                    )
                    .at(at, name.len() + 2)
                    .help("XML predefines only &amp; &lt; &gt; &quot; &apos;: write the character itself, or a character reference such as &#160;"),
                );
            }
            XmlError::Escape(esc) => (
                Code::NotXml,
                format!("bad character or entity reference: {esc}"),
            ),
            other => (Code::NotXml, format!("not well-formed XML: {other}")),
        };
        let help = match code {
            Code::Truncated => "export the model again; the copy you have is cut short",
            _ => "fix the XML at this place (an XML editor or `xmllint --noout FILE` shows the problem)",
        };
        let msg = truncate_message(&msg);
        Box::new(
            Diagnostic::error(code, msg)
                .at(at.min(self.text.len()), 1)
                .help(help),
        )
    }

    fn warn(&mut self, code: Code, msg: String, at: usize, len: usize, help: &str) {
        self.diags
            .push(Diagnostic::new(code, msg).at(at, len).help(help));
    }

    /// A start tag at `tag_at` whose name is `name_len` bytes long, with
    /// its attributes as the tokenizer found them.
    fn start(
        &mut self,
        tag_at: usize,
        name_len: usize,
        empty: bool,
        raw: &[RawAttr],
        attr_error: Option<&AttrError>,
        attrs: &mut Attrs<'a>,
    ) -> Result<(), Fatal> {
        let name_off = tag_at + 1;
        let text: &'a str = self.text;
        let qname = &text.as_bytes()[name_off..name_off + name_len];
        let colon = qname.iter().position(|&b| b == b':');
        let local = colon.map_or(qname, |i| &qname[i + 1..]);
        let depth = self.stack.len() + 1;
        self.attrs(raw, attr_error, name_off, depth, attrs)?;
        let attrs = &*attrs;
        if let Some(colon) = colon {
            self.check_prefix(&qname[..colon], name_off);
        }

        if !self.root_seen {
            self.root_seen = true;
            self.root(local, attrs, tag_at, name_off)?;
            self.stack.push(Ctx::Model);
            if empty {
                self.end();
            }
            return Ok(());
        }
        if self.root_closed {
            return Err(Box::new(
                Diagnostic::error(Code::NotXml, "a second root element after the model")
                    .at(tag_at, 1)
                    .help("an XML document holds exactly one root element"),
            ));
        }

        let parent = *self.stack.last().unwrap_or(&Ctx::Skip);
        let ctx = self.child(parent, local, attrs, tag_at);
        self.stack.push(ctx);
        if empty {
            self.end();
        }
        Ok(())
    }

    fn check_prefix(&mut self, prefix: &[u8], at: usize) {
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
    fn attrs(
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

    fn root(
        &mut self,
        local: &[u8],
        a: &Attrs<'_>,
        tag_at: usize,
        name_off: usize,
    ) -> Result<(), Fatal> {
        let ns = a.default_ns().map(|(n, _)| n.to_owned());
        if local != b"model" {
            let name = String::from_utf8_lossy(local);
            return Err(Box::new(
                Diagnostic::error(
                    Code::NotAModel,
                    format!("the root element is {}, not an exchange-format `model`", shown(&name)),
                )
                .at(name_off, local.len())
                .help("archgen reads the Open Group ArchiMate Model Exchange File Format; in Archi use File > Export > Model to Open Exchange File"),
            ));
        }
        if ns.as_deref() == Some(NS_ARCHI_NATIVE)
            || self.prefixes.iter().any(|(p, _)| *p == b"archimate") && ns.is_none()
        {
            return Err(Box::new(
                Diagnostic::error(Code::NotAModel, "this is an Archi model file (.archimate), not an exchange-format file")
                    .at(name_off, local.len())
                    .help("in Archi use File > Export > Model to Open Exchange File, then give archgen that file"),
            ));
        }
        match ns.as_deref() {
            Some(NS_30) => self.ns3 = true,
            Some(n) if n.trim_end_matches('/') == NS_21 => self.model.format = Some(FormatVersion::V2_1),
            Some(NS_31_BOGUS) => {
                self.model.format = Some(FormatVersion::V3_1);
                self.warn(
                    Code::UnknownNamespace,
                    format!("the namespace {} does not exist; read as the 3.x namespace", shown(NS_31_BOGUS)),
                    tag_at,
                    6,
                    &format!("ArchiMate 3.0 and 3.1 both use xmlns=\"{NS_30}\""),
                );
            }
            Some(other) => self.warn(
                Code::UnknownNamespace,
                format!("the root element is in the unknown namespace {}; read as an exchange-format model", shown(other)),
                tag_at,
                6,
                &format!("exchange-format files use xmlns=\"{NS_30}\" (3.x) or \"{NS_21}\" (2.1)"),
            ),
            None => self.warn(
                Code::UnknownNamespace,
                "the root element has no namespace; read as an exchange-format model".into(),
                tag_at,
                6,
                &format!("add xmlns=\"{NS_30}\" (3.x) or xmlns=\"{NS_21}\" (2.1) to the root element"),
            ),
        }
        self.model.namespace = ns;
        if let Some((loc, _)) = a.schema_location() {
            self.schema_location_31 = loc.contains("/3.1/");
        }
        self.model.pos = Pos::at(tag_at);
        match a.identifier() {
            Some((id, _)) => self.model.identifier = id.to_string(),
            None => self.missing(tag_at, "identifier", "the model"),
        }
        self.model.version = a.version().map(|(v, _)| v.to_string());
        Ok(())
    }

    fn missing(&mut self, at: usize, attr: &str, what: &str) {
        self.diags.push(
            Diagnostic::error(
                Code::MissingAttribute,
                format!("{what} has no `{attr}` attribute"),
            )
            .at(at, 1)
            .help(format!("add {attr}=\"…\"; the exchange format requires it")),
        );
    }

    /// Decides what a child element is, and records it.
    fn child(&mut self, parent: Ctx, local: &[u8], a: &Attrs<'_>, at: usize) -> Ctx {
        let mut buf = [0u8; 32];
        let l = lower(local, &mut buf);
        match (parent, l) {
            (Ctx::Skip | Ctx::Text, _) => Ctx::Skip,
            (_, b"name" | b"label") if text_owner(parent).is_some() => {
                if l == b"label"
                    && !matches!(
                        parent,
                        Ctx::Node(..) | Ctx::Connection(..) | Ctx::OrgItem(_)
                    )
                {
                    self.saw_v21 = true;
                }
                self.begin_text(parent, TextField::Name, a)
            }
            (_, b"documentation") if text_owner(parent).is_some() => {
                self.begin_text(parent, TextField::Documentation, a)
            }
            (Ctx::Property(..), b"value") => self.begin_text(parent, TextField::Value, a),
            (Ctx::Model, b"elements") => {
                let n = count_children(self.text, at, b"element");
                self.model.elements.reserve(n);
                Ctx::Elements
            }
            (Ctx::Model, b"relationships") => {
                let n = count_children(self.text, at, b"relationship");
                self.model.relationships.reserve(n);
                Ctx::Relationships
            }
            (Ctx::Model, b"properties") => Ctx::Properties(PropOwner::Model),
            (Ctx::Model, b"propertydefinitions") => Ctx::PropertyDefs,
            (Ctx::Model, b"propertydefs") => {
                self.saw_v21 = true;
                Ctx::PropertyDefs
            }
            (Ctx::Model, b"organizations") => Ctx::Orgs,
            (Ctx::Model, b"organization") => {
                self.saw_v21 = true;
                Ctx::Orgs
            }
            (Ctx::Model, b"views") => Ctx::Views,
            (Ctx::Views, b"diagrams") => Ctx::Diagrams,
            (Ctx::Views | Ctx::Diagrams, b"view") => self.view(a, at),
            (Ctx::Elements, b"element") => self.element(a, at),
            (Ctx::Relationships, b"relationship") => self.relationship(a, at),
            (Ctx::Element(i), b"properties") => Ctx::Properties(PropOwner::Element(i)),
            (Ctx::Relationship(i), b"properties") => Ctx::Properties(PropOwner::Relationship(i)),
            (Ctx::View(i), b"properties") => Ctx::Properties(PropOwner::View(i)),
            (Ctx::Properties(o), b"property") => self.property(o, a, at),
            (Ctx::PropertyDefs, b"propertydefinition" | b"propertydef") => self.property_def(a, at),
            (Ctx::Orgs | Ctx::OrgItem(_), b"item") => self.org_item(parent, a, at),
            (Ctx::View(_) | Ctx::Node(..), b"node") => self.node(parent, a, at),
            (Ctx::View(v), b"connection") => self.connection(v, a, at),
            (Ctx::Node(v, n), b"style") => Ctx::Style(StyleOwner::Node(v, n)),
            (Ctx::Connection(v, c), b"style") => Ctx::Style(StyleOwner::Connection(v, c)),
            // 2.1 draft 0.602 puts colours directly under the node.
            (Ctx::Node(v, n), b"fillcolor" | b"linecolor") => {
                self.color(StyleOwner::Node(v, n), l, a);
                Ctx::Skip
            }
            (Ctx::Style(o), b"fillcolor" | b"linecolor") => {
                self.color(o, l, a);
                Ctx::Skip
            }
            (Ctx::Style(o), b"font") => {
                let font = Font {
                    name: a.name().map(|(v, _)| v.to_string()),
                    size: a.size().map(|(v, _)| v.to_string()),
                    style: a.style().map(|(v, _)| v.to_string()),
                    color: None,
                };
                self.style_mut(o).font = Some(font);
                Ctx::Font(o)
            }
            (Ctx::Font(o), b"color") => {
                let c = self.parse_color(a);
                if let Some(f) = self.style_mut(o).font.as_mut() {
                    f.color = c;
                }
                Ctx::Skip
            }
            (Ctx::Node(v, n), b"viewref") => {
                if let Some((r, off)) = a.reference() {
                    let node = &mut self.model.views[v].nodes[n];
                    node.view_ref = Some(r.to_string());
                    node.view_ref_pos = Pos::at(off);
                }
                Ctx::Skip
            }
            (Ctx::Connection(v, c), b"bendpoint" | b"sourceattachment" | b"targetattachment") => {
                let p = Point {
                    x: self.int(a.x()).unwrap_or(0),
                    y: self.int(a.y()).unwrap_or(0),
                };
                let conn = &mut self.model.views[v].connections[c];
                match l {
                    b"bendpoint" => conn.bendpoints.push(p),
                    b"sourceattachment" => conn.source_attachment = Some(p),
                    _ => conn.target_attachment = Some(p),
                }
                Ctx::Skip
            }
            _ => Ctx::Skip,
        }
    }

    fn begin_text(&mut self, parent: Ctx, field: TextField, a: &Attrs<'_>) -> Ctx {
        let Some(owner) = text_owner(parent) else {
            return Ctx::Skip;
        };
        self.text_buf.clear();
        self.text_lang = a.lang().map(|(l, _)| l.to_owned());
        self.text_slot = Some((owner, field));
        Ctx::Text
    }

    fn end(&mut self) {
        let Some(ctx) = self.stack.pop() else { return };
        let depth = self.stack.len() + 1;
        while self
            .prefixes
            .last()
            .is_some_and(|(_, d)| *d >= depth && *d > 0)
        {
            self.prefixes.pop();
        }
        if self.stack.is_empty() {
            self.root_closed = true;
        }
        if let Ctx::Text = ctx {
            if let Some((owner, field)) = self.text_slot.take() {
                let text = std::mem::take(&mut self.text_buf);
                let lang = self.text_lang.take();
                if let Some(t) = self.texts_mut(owner, field) {
                    t.push(lang, text);
                }
            }
        }
    }

    fn texts_mut(&mut self, owner: TextOwner, field: TextField) -> Option<&mut Texts> {
        use TextField::{Documentation as D, Name as N};
        let m = &mut self.model;
        Some(match (owner, field) {
            (TextOwner::Model, N) => &mut m.names,
            (TextOwner::Model, D) => &mut m.documentations,
            (TextOwner::Element(i), N) => &mut m.elements[i].names,
            (TextOwner::Element(i), D) => &mut m.elements[i].documentations,
            (TextOwner::Relationship(i), N) => &mut m.relationships[i].names,
            (TextOwner::Relationship(i), D) => &mut m.relationships[i].documentations,
            (TextOwner::PropDef(i), N) => &mut m.property_definitions[i].names,
            (TextOwner::Property(o, i), TextField::Value) => &mut props_mut(m, o)[i].values,
            (TextOwner::Org(i), N) => &mut m.organizations[i].labels,
            (TextOwner::Org(i), D) => &mut m.organizations[i].documentations,
            (TextOwner::View(i), N) => &mut m.views[i].names,
            (TextOwner::View(i), D) => &mut m.views[i].documentations,
            (TextOwner::Node(v, n), N) => &mut m.views[v].nodes[n].labels,
            (TextOwner::Connection(v, c), N) => &mut m.views[v].connections[c].labels,
            _ => return None,
        })
    }

    fn element(&mut self, a: &Attrs<'_>, at: usize) -> Ctx {
        let Some((id, _)) = a.identifier() else {
            self.missing(at, "identifier", "this element");
            return Ctx::Skip;
        };
        let Some((ty, ty_at)) = a.xsi_type() else {
            self.missing(at, "xsi:type", "this element");
            return Ctx::Skip;
        };
        let Some(kind) = ElementType::parse(ty) else {
            let help = match RelationshipType::parse(ty) {
                Some(r) => format!("`{r}` is a relationship type: move it under <relationships>"),
                None => "use one of the ArchiMate 3.1 element types (BusinessActor, ApplicationComponent, DataObject, Node, …); `archgen validate` accepts the 2.1 names too".into(),
            };
            self.diags.push(
                Diagnostic::error(
                    Code::UnknownElementType,
                    format!("unknown element type {}", shown(ty)),
                )
                .at(ty_at, ty.len())
                .help(help),
            );
            return Ctx::Skip;
        };
        if kind == ElementType::ValueStream {
            self.saw_v31 = true;
        }
        let source_type = (kind.as_str() != ty).then(|| ty.to_string());
        if source_type.as_deref().is_some_and(|t| !t.contains(':')) {
            self.saw_v21 = true;
        }
        self.model.elements.push(Element {
            identifier: id.to_string(),
            kind,
            source_type,
            name: None,
            names: Texts::default(),
            documentation: None,
            documentations: Texts::default(),
            properties: Vec::new(),
            pos: Pos::at(at),
        });
        Ctx::Element(self.model.elements.len() - 1)
    }

    fn relationship(&mut self, a: &Attrs<'_>, at: usize) -> Ctx {
        let Some((id, _)) = a.identifier() else {
            self.missing(at, "identifier", "this relationship");
            return Ctx::Skip;
        };
        let Some((ty, ty_at)) = a.xsi_type() else {
            self.missing(at, "xsi:type", "this relationship");
            return Ctx::Skip;
        };
        let Some(kind) = RelationshipType::parse(ty) else {
            let help = match ElementType::parse(ty) {
                Some(e) => format!("`{e}` is an element type: move it under <elements>"),
                None => "use one of Composition, Aggregation, Assignment, Realization, Serving, Access, Influence, Triggering, Flow, Specialization, Association".into(),
            };
            self.diags.push(
                Diagnostic::error(
                    Code::UnknownRelationshipType,
                    format!("unknown relationship type {}", shown(ty)),
                )
                .at(ty_at, ty.len())
                .help(help),
            );
            return Ctx::Skip;
        };
        let (Some((source, s_at)), Some((target, t_at))) = (a.source(), a.target()) else {
            let which = if a.source().is_none() {
                "source"
            } else {
                "target"
            };
            self.missing(at, which, "this relationship");
            return Ctx::Skip;
        };
        let source_type = (kind.as_str() != ty).then(|| ty.to_string());
        if source_type
            .as_deref()
            .is_some_and(|t| t.ends_with("Relationship"))
        {
            self.saw_v21 = true;
        }
        let access_type = (kind == RelationshipType::Access).then(|| match a.access_type() {
            None => AccessType::Access,
            Some((v, v_at)) => AccessType::parse(v).unwrap_or_else(|| {
                self.diags.push(
                    Diagnostic::new(
                        Code::InvalidValue,
                        format!(
                            "accessType {} is not Access, Read, Write or ReadWrite",
                            shown(v)
                        ),
                    )
                    .at(v_at, v.len())
                    .help("the value is ignored and the access read as unspecified (Access)"),
                );
                AccessType::Access
            }),
        });
        let is_directed = if kind == RelationshipType::Association {
            match a.is_directed() {
                None => Some(false),
                Some((v, v_at)) => {
                    self.saw_v31 = true;
                    Some(match v.trim() {
                        "true" | "1" => true,
                        "false" | "0" => false,
                        _ => {
                            self.diags.push(
                                Diagnostic::new(
                                    Code::InvalidValue,
                                    format!("isDirected {} is not a boolean", shown(v)),
                                )
                                .at(v_at, v.len())
                                .help("write isDirected=\"true\" or \"false\"; read as false"),
                            );
                            false
                        }
                    })
                }
            }
        } else {
            None
        };
        let modifier = (kind == RelationshipType::Influence)
            .then(|| a.modifier().map(|(m, _)| m.to_string()))
            .flatten();
        self.model.relationships.push(Relationship {
            identifier: id.to_string(),
            kind,
            source_type,
            source: source.to_string(),
            target: target.to_string(),
            name: None,
            names: Texts::default(),
            documentation: None,
            documentations: Texts::default(),
            access_type,
            modifier,
            is_directed,
            properties: Vec::new(),
            pos: Pos::at(at),
            source_pos: Pos::at(s_at),
            target_pos: Pos::at(t_at),
        });
        Ctx::Relationship(self.model.relationships.len() - 1)
    }

    fn property(&mut self, owner: PropOwner, a: &Attrs<'_>, at: usize) -> Ctx {
        let Some((r, r_at)) = a.property_definition_ref().or(a.identifier_ref()) else {
            self.missing(at, "propertyDefinitionRef", "this property");
            return Ctx::Skip;
        };
        let list = props_mut(&mut self.model, owner);
        list.push(Property {
            property_definition_ref: r.to_string(),
            key: None,
            value: None,
            values: Texts::default(),
            pos: Pos::at(at),
            ref_pos: Pos::at(r_at),
        });
        Ctx::Property(owner, list.len() - 1)
    }

    fn property_def(&mut self, a: &Attrs<'_>, at: usize) -> Ctx {
        let Some((id, _)) = a.identifier() else {
            self.missing(at, "identifier", "this property definition");
            return Ctx::Skip;
        };
        let mut names = Texts::default();
        if let Some((n, _)) = a.name() {
            names.push(None, n.to_string());
        }
        self.model.property_definitions.push(PropertyDefinition {
            identifier: id.to_string(),
            name: None,
            names,
            data_type: a.plain_type().map(|(t, _)| t.to_string()),
            pos: Pos::at(at),
        });
        Ctx::PropertyDef(self.model.property_definitions.len() - 1)
    }

    fn org_item(&mut self, parent: Ctx, a: &Attrs<'_>, at: usize) -> Ctx {
        let (parent, depth) = match parent {
            Ctx::OrgItem(p) => (Some(p), self.model.organizations[p].depth + 1),
            _ => (None, 0),
        };
        let r = a.identifier_ref();
        self.model.organizations.push(OrgItem {
            parent,
            depth,
            identifier: a.identifier().map(|(i, _)| i.to_string()),
            identifier_ref: r.map(|(i, _)| i.to_string()),
            label: None,
            labels: Texts::default(),
            documentation: None,
            documentations: Texts::default(),
            pos: Pos::at(at),
            ref_pos: Pos::at(r.map_or(at, |(_, o)| o)),
        });
        Ctx::OrgItem(self.model.organizations.len() - 1)
    }

    fn view(&mut self, a: &Attrs<'_>, at: usize) -> Ctx {
        let Some((id, _)) = a.identifier() else {
            self.missing(at, "identifier", "this view");
            return Ctx::Skip;
        };
        let kind = a
            .xsi_type()
            .map_or("Diagram", |(t, _)| strip_qname(t))
            .to_owned();
        self.model.views.push(View {
            identifier: id.to_string(),
            kind,
            name: None,
            names: Texts::default(),
            documentation: None,
            documentations: Texts::default(),
            viewpoint: a.viewpoint().map(|(v, _)| v.to_string()),
            viewpoint_ref: a.viewpoint_ref().map(|(v, _)| v.to_string()),
            properties: Vec::new(),
            nodes: Vec::new(),
            connections: Vec::new(),
            pos: Pos::at(at),
        });
        Ctx::View(self.model.views.len() - 1)
    }

    fn node(&mut self, parent: Ctx, a: &Attrs<'_>, at: usize) -> Ctx {
        let (v, parent_node) = match parent {
            Ctx::View(v) => (v, None),
            Ctx::Node(v, n) => (v, Some(n)),
            _ => return Ctx::Skip,
        };
        let Some((id, _)) = a.identifier() else {
            self.missing(at, "identifier", "this node");
            return Ctx::Skip;
        };
        let ty = a.xsi_type().map(|(t, _)| strip_qname(t));
        let kind = match (ty, a.element_ref(), a.plain_type().map(|(t, _)| t)) {
            (Some("Element"), ..) | (None, Some(_), _) => NodeKind::Element,
            (Some("Container"), ..) | (None, None, Some("group")) => NodeKind::Container,
            (Some("Label"), ..) | (None, None, _) => NodeKind::Label,
            (Some(other), ..) => {
                let other = other.to_owned();
                let (t, t_at) = a.xsi_type().map_or(("", at), |(t, o)| (t, o));
                self.diags.push(
                    Diagnostic::new(
                        Code::InvalidValue,
                        format!("node type {} is not Element, Container or Label", shown(t)),
                    )
                    .at(t_at, t.len())
                    .help("read as a Label node"),
                );
                let _ = other;
                NodeKind::Label
            }
        };
        let depth = parent_node.map_or(0, |p| self.model.views[v].nodes[p].depth + 1);
        let (x, y, w, h) = (
            self.int(a.x()),
            self.int(a.y()),
            self.int(a.w()),
            self.int(a.h()),
        );
        let r = a.element_ref();
        let nodes = &mut self.model.views[v].nodes;
        nodes.push(Node {
            identifier: id.to_string(),
            kind,
            parent: parent_node,
            depth,
            element_ref: r.map(|(e, _)| e.to_string()),
            view_ref: a.view_ref().map(|(e, _)| e.to_string()),
            x,
            y,
            w,
            h,
            label: None,
            labels: Texts::default(),
            style: None,
            pos: Pos::at(at),
            ref_pos: Pos::at(r.map_or(at, |(_, o)| o)),
            view_ref_pos: Pos::at(a.view_ref().map_or(at, |(_, o)| o)),
        });
        Ctx::Node(v, nodes.len() - 1)
    }

    fn connection(&mut self, v: usize, a: &Attrs<'_>, at: usize) -> Ctx {
        let Some((id, _)) = a.identifier() else {
            self.missing(at, "identifier", "this connection");
            return Ctx::Skip;
        };
        let (Some((s, s_at)), Some((t, t_at))) = (a.source(), a.target()) else {
            let which = if a.source().is_none() {
                "source"
            } else {
                "target"
            };
            self.missing(at, which, "this connection");
            return Ctx::Skip;
        };
        let r = a.relationship_ref();
        let kind = match (a.xsi_type().map(|(t, _)| strip_qname(t)), r) {
            (Some("Line"), _) | (None, None) => ConnectionKind::Line,
            _ => ConnectionKind::Relationship,
        };
        let conns = &mut self.model.views[v].connections;
        conns.push(Connection {
            identifier: id.to_string(),
            kind,
            relationship_ref: r.map(|(x, _)| x.to_string()),
            source: s.to_string(),
            target: t.to_string(),
            label: None,
            labels: Texts::default(),
            bendpoints: Vec::new(),
            source_attachment: None,
            target_attachment: None,
            style: None,
            pos: Pos::at(at),
            ref_pos: Pos::at(r.map_or(at, |(_, o)| o)),
            source_pos: Pos::at(s_at),
            target_pos: Pos::at(t_at),
        });
        Ctx::Connection(v, conns.len() - 1)
    }

    fn style_mut(&mut self, o: StyleOwner) -> &mut Style {
        let slot = match o {
            StyleOwner::Node(v, n) => &mut self.model.views[v].nodes[n].style,
            StyleOwner::Connection(v, c) => &mut self.model.views[v].connections[c].style,
        };
        slot.get_or_insert_with(Box::default)
    }

    fn color(&mut self, o: StyleOwner, which: &[u8], a: &Attrs<'_>) {
        let c = self.parse_color(a);
        let style = self.style_mut(o);
        if which == b"fillcolor" {
            style.fill_color = c;
        } else {
            style.line_color = c;
        }
    }

    fn parse_color(&mut self, a: &Attrs<'_>) -> Option<Color> {
        let mut channel = |v: Option<(&str, usize)>| {
            self.int(v)
                .map(|n| u8::try_from(n.clamp(0, 255)).unwrap_or(0))
        };
        Some(Color {
            r: channel(a.r())?,
            g: channel(a.g())?,
            b: channel(a.b())?,
            a: channel(a.a()),
        })
    }

    /// An integer attribute; a value that is not one is a warning. Decimals
    /// are rounded (some tools write them).
    fn int(&mut self, v: Option<(&str, usize)>) -> Option<i64> {
        let (s, at) = v?;
        if let Some(n) = small_uint(s) {
            return Some(n);
        }
        let t = s.trim();
        if let Ok(n) = t.parse::<i64>() {
            return Some(n);
        }
        #[allow(clippy::cast_possible_truncation)]
        if let Some(f) = t
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite() && f.abs() < 1e15)
        {
            return Some(f.round() as i64);
        }
        self.diags.push(
            Diagnostic::new(Code::InvalidValue, format!("{} is not a number", shown(s)))
                .at(at, s.len())
                .help("write a whole number; the value is ignored"),
        );
        None
    }
}

/// The common case of a coordinate or colour: one to nine ASCII digits,
/// nothing else. Anything else goes the general way.
fn small_uint(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.is_empty() || b.len() > 9 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0i64, |n, d| n * 10 + i64::from(d - b'0')))
}

fn text_owner(ctx: Ctx) -> Option<TextOwner> {
    Some(match ctx {
        Ctx::Model => TextOwner::Model,
        Ctx::Element(i) => TextOwner::Element(i),
        Ctx::Relationship(i) => TextOwner::Relationship(i),
        Ctx::PropertyDef(i) => TextOwner::PropDef(i),
        Ctx::Property(o, i) => TextOwner::Property(o, i),
        Ctx::OrgItem(i) => TextOwner::Org(i),
        Ctx::View(i) => TextOwner::View(i),
        Ctx::Node(v, n) => TextOwner::Node(v, n),
        Ctx::Connection(v, c) => TextOwner::Connection(v, c),
        _ => return None,
    })
}

fn props_mut(m: &mut Model, o: PropOwner) -> &mut Vec<Property> {
    match o {
        PropOwner::Model => &mut m.properties,
        PropOwner::Element(i) => &mut m.elements[i].properties,
        PropOwner::Relationship(i) => &mut m.relationships[i].properties,
        PropOwner::View(i) => &mut m.views[i].properties,
    }
}

/// The slot of an unprefixed attribute archgen reads; names are compared
/// without regard to case (2.1 files write `identifierref`).
fn attr_slot(local: &[u8]) -> Option<Slot> {
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
fn lower<'b>(s: &[u8], buf: &'b mut [u8; 32]) -> &'b [u8] {
    if s.len() > buf.len() {
        return &[];
    }
    for (d, c) in buf.iter_mut().zip(s) {
        *d = c.to_ascii_lowercase();
    }
    &buf[..s.len()]
}

fn strip_qname(s: &str) -> &str {
    s.rsplit_once(':').map_or(s, |(_, l)| l)
}

fn truncate_message(msg: &str) -> String {
    if msg.chars().count() <= 160 {
        return msg.to_owned();
    }
    let mut s: String = msg.chars().take(160).collect();
    s.push('…');
    s
}

/// What the second thread read: the views, and what it noticed on the way.
struct ViewsPart {
    /// The depth of the split it began at.
    depth: usize,
    /// The offset just past the views' end tag.
    end: usize,
    views: Vec<View>,
    diags: Vec<Diagnostic>,
    saw_v21: bool,
    saw_v31: bool,
}

/// Where the second thread starts: a tag the first thread checks it meets
/// in the very place assumed, as the root's child `views` or as a `view`
/// inside them.
#[derive(Clone, Copy, Debug)]
struct Split {
    at: usize,
    /// 1: the `<views` tag itself, the root's child; 2: a `<view` in 2.1's
    /// `<views>`; 3: a `<view` in `<views><diagrams>`.
    depth: usize,
}

impl Split {
    /// What the reader is inside of at the tag.
    fn stack(&self) -> &'static [Ctx] {
        &[Ctx::Model, Ctx::Views, Ctx::Diagrams][..self.depth]
    }

    fn name(&self) -> &'static [u8] {
        if self.depth == 1 {
            b"views"
        } else {
            b"view"
        }
    }
}

/// Views cost about this much more to read than the same number of bytes
/// of elements and relationships (more attributes per byte), as measured
/// on the synthetic model in docs/benchmarks.md.
const VIEW_BYTE_COST: (usize, usize) = (4, 3);

/// Where to split the work between two threads so that they take about as
/// long: the first thread reads everything before the split and after what
/// the second reads. That is the first `<views` tag when the views are the
/// smaller share, otherwise a `<view` tag in the middle of the views.
/// `None` when the text holds no `<views`.
fn split_point(text: &str) -> Option<Split> {
    let bytes = text.as_bytes();
    let views = find_tag(bytes, 0, b"views")?;
    // Before the views p bytes, in them q (weighted w = 4/3): the first
    // thread takes p + w·x, the second w·(q − x); equal when
    // x = (w·q − p) / 2w.
    let (num, den) = VIEW_BYTE_COST;
    let p = views;
    let q = bytes.len() - views;
    let x = (q * num).saturating_sub(p * den) / (2 * num);
    if x == 0 {
        return Some(Split {
            at: views,
            depth: 1,
        });
    }
    let Some(view) = find_tag(bytes, views + x, b"view") else {
        return Some(Split {
            at: views,
            depth: 1,
        });
    };
    let diagrams = memchr::memmem::find(&bytes[views..view], b"<diagrams").is_some();
    Some(Split {
        at: view,
        depth: if diagrams { 3 } else { 2 },
    })
}

/// The byte after a tag's name: white space, `>` or `/`.
fn ends_name(c: u8) -> bool {
    c == b'>' || c == b'/' || quick_xml::utils::is_whitespace(c)
}

/// The first `<name` tag (followed by space, `>` or `/`) at or after `from`.
fn find_tag(bytes: &[u8], from: usize, name: &[u8]) -> Option<usize> {
    let mut pat = Vec::with_capacity(name.len() + 1);
    pat.push(b'<');
    pat.extend_from_slice(name);
    let finder = memchr::memmem::Finder::new(&pat);
    let mut from = from;
    while let Some(i) = finder.find(bytes.get(from..)?) {
        let at = from + i;
        match bytes.get(at + pat.len()) {
            Some(&c) if ends_name(c) => return Some(at),
            Some(_) => from = at + 1,
            None => return None,
        }
    }
    None
}

/// Reads from the split on: the `<views>` element, or the `<view>`
/// elements from there to the end of their parent. The root's namespace
/// prefixes are in scope, and the reader is inside what the split assumes.
/// `None` on any fatal error, or when the text ends first: the first thread
/// then reads that part itself and reports what is wrong.
fn read_views(text: &str, split: Split) -> Option<ViewsPart> {
    let mut st = State::new(text);
    let mut attrs = Attrs::new(text);
    let mut tok = Tokenizer::new(text, 0);
    loop {
        match tok.next_token().ok()? {
            Token::Start { at, .. } => {
                st.attrs(tok.attrs(), tok.attr_error(), at + 1, 1, &mut attrs)
                    .ok()?;
                break;
            }
            Token::Eof => return None,
            _ => {}
        }
    }
    // The root's own attributes are the first thread's to report on.
    st.diags.clear();
    st.reported_prefixes.clear();
    st.root_seen = true;
    st.stack.extend_from_slice(split.stack());
    let mut tok = Tokenizer::new(text, split.at);
    loop {
        let token = tok.next_token().ok()?;
        if let Token::Eof = token {
            return None;
        }
        st.token(token, &tok, &mut attrs).ok()?;
        // The views element read, or the views up to their parent's end.
        if st.stack.len() == split.depth && (split.depth == 1 || tok.at_end_of_parent()) {
            break;
        }
    }
    Some(ViewsPart {
        depth: split.depth,
        end: tok.pos(),
        views: st.model.views,
        diags: st.diags,
        saw_v21: st.saw_v21,
        saw_v31: st.saw_v31,
    })
}

/// About how many `<name` children the section whose start tag is at
/// `from` holds: the `<name` tags up to the first `</names`. One quick scan,
/// so that a list of thousands is allocated once instead of doubling a
/// dozen times (each time copying it, and for a while holding both). A tag
/// inside a comment counts too: that only reserves a little too much.
fn count_children(text: &str, from: usize, name: &[u8]) -> usize {
    let bytes = &text.as_bytes()[from..];
    let mut n = 0;
    for i in memchr::memmem::find_iter(bytes, name) {
        let before = i.checked_sub(1).map(|j| bytes[j]);
        let after = bytes.get(i + name.len()).copied();
        match (before, after) {
            (Some(b'<'), Some(c)) if ends_name(c) => n += 1,
            // `</names` ends the section.
            (Some(b'/'), Some(b's')) if i >= 2 && bytes[i - 2] == b'<' => break,
            _ => {}
        }
    }
    n
}

/// Each undeclared prefix is reported once, where it is first used: when two
/// threads each reported one, the later report goes.
fn dedupe_prefix_warnings(diags: &mut Vec<Diagnostic>) {
    let mut first: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let at = |d: &Diagnostic| d.span.map_or(usize::MAX, |(o, _)| o);
    for d in diags.iter().filter(|d| d.code == Code::UndeclaredPrefix) {
        let e = first.entry(d.message.clone()).or_insert(at(d));
        *e = (*e).min(at(d));
    }
    diags.retain(|d| d.code != Code::UndeclaredPrefix || first.get(&d.message) == Some(&at(d)));
}

/// Picks the texts in the chosen language, resolves property keys, settles
/// the format version and guesses the exporter.
fn finish(m: &mut Model, opts: &ReadOptions) {
    let lang = opts.lang.as_str();
    let pick = |t: &mut Texts| t.take_pick(lang);
    for d in &mut m.property_definitions {
        d.name = pick(&mut d.names);
    }
    let defs: std::collections::HashMap<&str, &str> = m
        .property_definitions
        .iter()
        .filter_map(|d| Some((d.identifier.as_str(), d.name.as_deref()?)))
        .collect();
    let fix_props = |ps: &mut Vec<Property>| {
        for p in ps {
            p.key = defs
                .get(p.property_definition_ref.as_str())
                .map(|s| (*s).to_owned());
            p.value = pick(&mut p.values);
        }
    };
    m.name = pick(&mut m.names);
    m.documentation = pick(&mut m.documentations);
    fix_props(&mut m.properties);
    for e in &mut m.elements {
        e.name = pick(&mut e.names);
        e.documentation = pick(&mut e.documentations);
        fix_props(&mut e.properties);
        if e.source_type.as_deref() == Some("Junction")
            && e.properties.iter().any(|p| {
                p.key
                    .as_deref()
                    .is_some_and(|k| k.eq_ignore_ascii_case("JunctionType"))
                    && p.value
                        .as_deref()
                        .is_some_and(|v| v.trim().eq_ignore_ascii_case("or"))
            })
        {
            e.kind = ElementType::OrJunction;
        }
    }
    for r in &mut m.relationships {
        r.name = pick(&mut r.names);
        r.documentation = pick(&mut r.documentations);
        fix_props(&mut r.properties);
    }
    for o in &mut m.organizations {
        o.label = pick(&mut o.labels);
        o.documentation = pick(&mut o.documentations);
    }
    for v in &mut m.views {
        v.name = pick(&mut v.names);
        v.documentation = pick(&mut v.documentations);
        fix_props(&mut v.properties);
        for n in &mut v.nodes {
            n.label = pick(&mut n.labels);
        }
        for c in &mut v.connections {
            c.label = pick(&mut c.labels);
        }
    }
    m.exporter = guess_exporter(m).map(str::to_owned);
}

fn guess_exporter(m: &Model) -> Option<&'static str> {
    let ids = || {
        m.elements
            .iter()
            .map(|e| e.identifier.as_str())
            .chain(std::iter::once(m.identifier.as_str()))
    };
    if ids().any(|i| i.starts_with("EAID_") || i.starts_with("EAPK_")) {
        return Some("Sparx Enterprise Architect");
    }
    if m.property_definitions
        .iter()
        .any(|d| d.identifier.starts_with("vp-"))
        || (m.identifier.starts_with("Id-") && m.identifier.len() == 19)
    {
        return Some("Visual Paradigm");
    }
    if m.property_definitions
        .iter()
        .any(|d| d.identifier.starts_with("propid-"))
        || (m.identifier.starts_with("id-") && ids().all(|i| i.starts_with("id-")))
    {
        return Some("Archi");
    }
    None
}

impl State<'_> {
    /// The version: from the namespace, else from the spellings the file uses.
    fn settle_version(&mut self) {
        let v = match self.model.format {
            Some(v) => v,
            None if !self.ns3 && self.saw_v21 => FormatVersion::V2_1,
            None if self.saw_v31 || self.schema_location_31 => FormatVersion::V3_1,
            None => FormatVersion::V3_0,
        };
        self.model.format = Some(v);
    }
}
