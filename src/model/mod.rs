//! The model: a faithful, typed picture of one exchange-format file.
//!
//! In: the decoded text of a file (see [`crate::source`]). Out: a [`Model`]
//! and the diagnostics found while reading ([`read`]) and checking
//! ([`validate`]) it. Every item keeps the byte offset it was read at, so
//! diagnostics and `inspect --json` can name its line and column.
//!
//! Trees (folders, view nodes) are stored flat, each item naming its parent by
//! index: nothing that walks them recurses, however deep a file nests them.

mod attr_scan;
mod chars;
mod lang;
mod reader;
pub mod types;
mod validate;
mod xml;

pub use lang::{LangString, Texts};
pub use reader::{parallel_split, read, ReadOptions};
pub use types::{ElementType, RelationshipType};
pub use validate::validate;
#[doc(hidden)]
pub use xml::compare::agrees_with_quick_xml;

use serde::Serialize;

/// Which version of the format a file was written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum FormatVersion {
    #[serde(rename = "2.1")]
    V2_1,
    #[serde(rename = "3.0")]
    V3_0,
    #[serde(rename = "3.1")]
    V3_1,
}

impl FormatVersion {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::V2_1 => "2.1",
            Self::V3_0 => "3.0",
            Self::V3_1 => "3.1",
        }
    }
}

/// A position in the decoded source: byte offset, and the line and column
/// (1-based, columns in characters) that [`crate::source::SourceFile`] derives.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Pos {
    #[serde(skip)]
    pub offset: usize,
    pub line: u32,
    pub column: u32,
}

impl Pos {
    pub fn at(offset: usize) -> Self {
        Pos {
            offset,
            line: 0,
            column: 0,
        }
    }
}

/// The whole model.
/// The name and documentation of a model, element, relationship or view:
/// in the language chosen (`name`, `documentation`) and in every language
/// the file gives (`names`, `documentations`, written out only when there
/// is more than one variant). Serialised flat into its owner.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Described {
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Texts::is_single")]
    pub names: Texts,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub documentation: Option<String>,
    #[serde(skip_serializing_if = "Texts::is_single")]
    pub documentations: Texts,
}

#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Model {
    pub identifier: String,
    /// `model@version`: the model's own version label, not the format's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    pub format: Option<FormatVersion>,
    pub namespace: Option<String>,
    /// Which tool most likely wrote the file, guessed from its identifiers and
    /// property definitions; `None` when nothing tells.
    pub exporter: Option<String>,
    #[serde(flatten)]
    pub text: Described,
    pub properties: Vec<Property>,
    pub property_definitions: Vec<PropertyDefinition>,
    pub elements: Vec<Element>,
    pub relationships: Vec<Relationship>,
    pub organizations: Vec<OrgItem>,
    pub views: Vec<View>,
    #[serde(flatten)]
    pub pos: Pos,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Element {
    pub identifier: String,
    #[serde(rename = "type")]
    pub kind: ElementType,
    /// The type as the file spelled it, when that differs (2.1 names).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_type: Option<String>,
    #[serde(flatten)]
    pub text: Described,
    pub properties: Vec<Property>,
    #[serde(flatten)]
    pub pos: Pos,
}

/// `accessType` of an Access relationship. `Access` is the schema's default:
/// the direction is not specified.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum AccessType {
    Access,
    Read,
    Write,
    ReadWrite,
}

impl AccessType {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.trim() {
            "Access" => Self::Access,
            "Read" => Self::Read,
            "Write" => Self::Write,
            "ReadWrite" => Self::ReadWrite,
            _ => return None,
        })
    }
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Relationship {
    pub identifier: String,
    #[serde(rename = "type")]
    pub kind: RelationshipType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_type: Option<String>,
    pub source: String,
    pub target: String,
    #[serde(flatten)]
    pub text: Described,
    /// Only on Access relationships; `Access` when the file gives none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_type: Option<AccessType>,
    /// Only on Influence relationships.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modifier: Option<String>,
    /// Only on Association relationships (3.1); `false` when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_directed: Option<bool>,
    pub properties: Vec<Property>,
    #[serde(flatten)]
    pub pos: Pos,
    #[serde(skip)]
    pub source_pos: Pos,
    #[serde(skip)]
    pub target_pos: Pos,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PropertyDefinition {
    pub identifier: String,
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Texts::is_single")]
    pub names: Texts,
    /// string | boolean | currency | date | time | number
    #[serde(rename = "type")]
    pub data_type: Option<String>,
    #[serde(flatten)]
    pub pos: Pos,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Property {
    pub property_definition_ref: String,
    /// The name of the referenced definition; `None` when it is undefined.
    pub key: Option<String>,
    pub value: Option<String>,
    #[serde(skip_serializing_if = "Texts::is_single")]
    pub values: Texts,
    #[serde(flatten)]
    pub pos: Pos,
    #[serde(skip)]
    pub ref_pos: Pos,
}

/// One folder or entry of the organizations tree, stored flat.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrgItem {
    /// Index of the enclosing item in [`Model::organizations`].
    pub parent: Option<usize>,
    pub depth: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identifier: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identifier_ref: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(skip_serializing_if = "Texts::is_single")]
    pub labels: Texts,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub documentation: Option<String>,
    #[serde(skip_serializing_if = "Texts::is_single")]
    pub documentations: Texts,
    #[serde(flatten)]
    pub pos: Pos,
    #[serde(skip)]
    pub ref_pos: Pos,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct View {
    pub identifier: String,
    /// `Diagram` for every view the format defines.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(flatten)]
    pub text: Described,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub viewpoint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub viewpoint_ref: Option<String>,
    pub properties: Vec<Property>,
    pub nodes: Vec<Node>,
    pub connections: Vec<Connection>,
    #[serde(flatten)]
    pub pos: Pos,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum NodeKind {
    Element,
    Container,
    Label,
}

/// A box on a view, stored flat; `parent` is an index into [`View::nodes`].
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Node {
    pub identifier: String,
    #[serde(rename = "type")]
    pub kind: NodeKind,
    pub parent: Option<usize>,
    pub depth: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub element_ref: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub view_ref: Option<String>,
    /// Absolute diagram coordinates, as the file gives them.
    pub x: Option<i64>,
    pub y: Option<i64>,
    pub w: Option<i64>,
    pub h: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(skip_serializing_if = "Texts::is_single")]
    pub labels: Texts,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub style: Option<Box<Style>>,
    #[serde(flatten)]
    pub pos: Pos,
    #[serde(skip)]
    pub ref_pos: Pos,
    #[serde(skip)]
    pub view_ref_pos: Pos,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum ConnectionKind {
    Relationship,
    Line,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Connection {
    pub identifier: String,
    #[serde(rename = "type")]
    pub kind: ConnectionKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relationship_ref: Option<String>,
    pub source: String,
    pub target: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(skip_serializing_if = "Texts::is_single")]
    pub labels: Texts,
    pub bendpoints: Vec<Point>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_attachment: Option<Point>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_attachment: Option<Point>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub style: Option<Box<Style>>,
    #[serde(flatten)]
    pub pos: Pos,
    #[serde(skip)]
    pub ref_pos: Pos,
    #[serde(skip)]
    pub source_pos: Pos,
    #[serde(skip)]
    pub target_pos: Pos,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Point {
    pub x: i64,
    pub y: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Style {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line_color: Option<Color>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fill_color: Option<Color>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line_width: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub font: Option<Font>,
}

/// An RGB colour; `a` is the alpha, 0–100, when given.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Color {
    pub r: u8,
    pub g: u8,
    pub b: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub a: Option<u8>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Font {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub style: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub color: Option<Color>,
}

impl Model {
    /// The element with this identifier.
    pub fn element(&self, id: &str) -> Option<&Element> {
        self.elements.iter().find(|e| e.identifier == id)
    }

    /// Number of nodes across all views.
    pub fn node_count(&self) -> usize {
        self.views.iter().map(|v| v.nodes.len()).sum()
    }

    /// Fills in line and column of every position, from byte offsets.
    pub fn resolve_positions(&mut self, src: &crate::source::SourceFile) {
        let fix = |p: &mut Pos| {
            let (l, c) = src.line_col(p.offset);
            p.line = l;
            p.column = c;
        };
        fix(&mut self.pos);
        let props = |ps: &mut Vec<Property>| ps.iter_mut().for_each(|p| fix(&mut p.pos));
        props(&mut self.properties);
        self.property_definitions
            .iter_mut()
            .for_each(|d| fix(&mut d.pos));
        for e in &mut self.elements {
            fix(&mut e.pos);
            props(&mut e.properties);
        }
        for r in &mut self.relationships {
            fix(&mut r.pos);
            props(&mut r.properties);
        }
        self.organizations.iter_mut().for_each(|o| fix(&mut o.pos));
        for v in &mut self.views {
            fix(&mut v.pos);
            props(&mut v.properties);
            v.nodes.iter_mut().for_each(|n| fix(&mut n.pos));
            v.connections.iter_mut().for_each(|c| fix(&mut c.pos));
        }
    }
}
