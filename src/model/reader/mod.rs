//! The exchange-format reader: one pass of archgen's tokenizer
//! ([`super::xml`]) over the decoded text, no DOM, an explicit stack instead
//! of recursion. In a large file part of the views is read on a second
//! thread at the same time (see `State::run` and [`split`]); the result is
//! the same as reading it all on one.
//!
//! The parts: this file holds the entry points and the event loop; `attrs`
//! the attribute slots, `items` elements, relationships, properties and
//! organizations, `views` diagrams, `split` the parallel split, `finish`
//! what follows the last tag.
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
    AccessType, Color, Connection, ConnectionKind, Described, Element, ElementType, Font,
    FormatVersion, Model, Node, NodeKind, OrgItem, Point, Pos, Property, PropertyDefinition,
    Relationship, RelationshipType, Style, Texts, View,
};
use crate::diagnostic::{shown, Code, Diagnostic};
use crate::source::SourceFile;
use quick_xml::errors::{Error as XmlError, SyntaxError};
use quick_xml::events::attributes::AttrError;
use quick_xml::events::Event;

mod attrs;
mod finish;
mod items;
mod split;
mod views;

use attrs::{lower, strip_qname, Attrs};
use finish::{dedupe_prefix_warnings, finish};
use split::{count_children, read_views, split_point, Split, ViewsPart};

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
}

fn truncate_message(msg: &str) -> String {
    if msg.chars().count() <= 160 {
        return msg.to_owned();
    }
    let mut s: String = msg.chars().take(160).collect();
    s.push('…');
    s
}
