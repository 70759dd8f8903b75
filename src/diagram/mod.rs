//! Views, drawn: an exchange file's diagrams as SVG, in the ArchiMate
//! notation.
//!
//! In: a [`Model`] (names already in the chosen language). Out: for each
//! view a [`Drawing`] (every box and line placed, styled and labelled), and
//! from a drawing its SVG text ([`svg`]). A [`Links`] says where a box
//! leads: `archgen diagram` links diagram-model references to the other
//! views' files; a generated project also links each element's box to the
//! files it became.
//!
//! Boxes are drawn in document order (a parent before its children, so
//! children lie on top), then the connections. A connection runs from its
//! source's border through its bendpoints to its target's border (or to
//! the attachment points the file gives); one that ends on another
//! connection ends at that connection's midpoint. A view without positions
//! is laid out by [`layout`]. Nothing here reads the disk or prints, and
//! the same model always gives the same bytes.

mod draw;
pub mod geom;
pub mod layout;
pub mod notation;
pub mod svg;
pub mod text;

pub use draw::svg;
use geom::{midpoint, Pt, Rect};
use notation::{Direction, End, Icon, Outline, Rgb};

use crate::model::{ElementType, Model, NodeKind, RelationshipType, Style, View};
use crate::naming;
use serde::Serialize;
use std::collections::HashMap;

/// Coordinates beyond this (either sign) are taken as this: no drawing is
/// made kilometres wide by one wrong number.
pub const MAX_COORD: f64 = 1_000_000.0;

/// A coordinate or size from the file, as drawn.
fn clamp(v: i64) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    (v as f64).clamp(-MAX_COORD, MAX_COORD)
}

/// Where a box leads, and what to say about it on hover.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    /// A relative URL (encoded by the writer).
    pub href: String,
    /// Added to the box's tooltip (say what the element became).
    pub title: String,
}

/// Links out of a drawing.
pub trait Links {
    /// Where the box of element `id` leads.
    fn element(&self, _id: &str) -> Option<Link> {
        None
    }
    /// The file of view `id`, for diagram-model references.
    fn view(&self, _id: &str) -> Option<String> {
        None
    }
}

/// No links at all.
pub struct NoLinks;
impl Links for NoLinks {}

/// Links between the views of one folder: a reference leads to the file of
/// the view it names.
pub struct ViewFiles(pub HashMap<String, String>);

impl ViewFiles {
    pub fn new(m: &Model) -> Self {
        ViewFiles(
            m.views
                .iter()
                .zip(file_names(m))
                .map(|(v, f)| (v.identifier.clone(), f))
                .collect(),
        )
    }
}

impl Links for ViewFiles {
    fn view(&self, id: &str) -> Option<String> {
        self.0.get(id).cloned()
    }
}

/// How text is painted.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FontLook {
    /// A font family the view names, reduced to letters, digits, spaces,
    /// `-` and `_`; empty for the default.
    pub family: String,
    /// Pixels.
    pub size: f64,
    pub bold: bool,
    pub italic: bool,
    pub color: Rgb,
}

/// Default text size in pixels (9 pt, as modelling tools use).
pub const FONT_SIZE: f64 = 12.0;

impl Default for FontLook {
    fn default() -> Self {
        FontLook {
            family: String::new(),
            size: FONT_SIZE,
            bold: false,
            italic: false,
            color: [0, 0, 0],
        }
    }
}

/// How a box or line is painted.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Look {
    pub fill: Rgb,
    /// 0–1, when the view gives an alpha below 100.
    pub fill_opacity: Option<f64>,
    pub line: Rgb,
    pub line_width: f64,
    pub font: FontLook,
}

/// What a box stands for.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum BoxKind {
    /// An element of the model (its identifier).
    Element(String),
    /// A group: a view's own container.
    Group,
    /// A note: free text on the view.
    Note,
    /// A diagram-model reference to another view (its identifier).
    Reference(String),
}

/// One node of a view, placed: a box (or another figure) on the drawing.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Shape {
    /// The node's identifier.
    pub node: String,
    pub kind: BoxKind,
    /// The element type, for element boxes.
    pub element_type: Option<ElementType>,
    pub rect: Rect,
    pub outline: Outline,
    pub icon: Option<Icon>,
    /// The text shown (wrapped when drawn).
    pub label: String,
    /// The tooltip: the whole name and the type.
    pub title: String,
    pub look: Look,
}

/// One connection of a view, routed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Line {
    /// The connection's identifier.
    pub connection: String,
    /// The relationship's type; `None` for a plain line.
    pub kind: Option<RelationshipType>,
    /// Marks at the source and target end.
    pub ends: (End, End),
    /// From the source's border to the target's.
    pub points: Vec<Pt>,
    pub label: String,
    pub title: String,
    pub look: Look,
}

/// A view, ready to write.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Drawing {
    /// The view's identifier.
    pub view: String,
    pub name: String,
    pub documentation: Option<String>,
    /// True when archgen placed the boxes itself (see [`layout`]).
    pub laid_out: bool,
    pub boxes: Vec<Shape>,
    pub lines: Vec<Line>,
    /// What the drawing covers: every box, every line's points and labels.
    pub extent: Rect,
}

/// One safe, unique file name per view (`<kebab-case name>.svg`, or
/// `view-<hash>.svg` for a name with no Latin letters or digits), in view
/// order.
pub fn file_names(m: &Model) -> Vec<String> {
    view_keys(m)
        .iter()
        .map(|k| format!("{}.svg", naming::kebab(k)))
        .collect()
}

/// One unique snake_case key per view, from its name, in view order.
pub fn view_keys(m: &Model) -> Vec<String> {
    let mut keys = naming::Allocator::new();
    m.views
        .iter()
        .map(|v| {
            keys.claim(&naming::key_for(
                v.text.name.as_deref(),
                "view",
                &v.identifier,
            ))
        })
        .collect()
}

/// Draws the views of one model: look-ups are made once for all of them.
pub struct Drawer<'m> {
    m: &'m Model,
    elements: HashMap<&'m str, usize>,
    relationships: HashMap<&'m str, usize>,
    views: HashMap<&'m str, usize>,
}

/// What a connection's end is attached to.
#[derive(Clone, Copy)]
enum Anchor {
    Node(usize),
    Connection(usize),
}

impl<'m> Drawer<'m> {
    pub fn new(m: &'m Model) -> Self {
        let index = |ids: Vec<&'m str>| {
            ids.into_iter()
                .enumerate()
                .map(|(i, id)| (id, i))
                .rev()
                .collect()
        };
        Drawer {
            m,
            elements: index(m.elements.iter().map(|e| e.identifier.as_str()).collect()),
            relationships: index(
                m.relationships
                    .iter()
                    .map(|r| r.identifier.as_str())
                    .collect(),
            ),
            views: index(m.views.iter().map(|v| v.identifier.as_str()).collect()),
        }
    }

    /// Every view, in order.
    pub fn all(&self) -> Vec<Drawing> {
        (0..self.m.views.len()).map(|i| self.draw(i)).collect()
    }

    /// The view at `index` in [`Model::views`].
    pub fn draw(&self, index: usize) -> Drawing {
        let v = &self.m.views[index];
        let symbols = symbol_options(v);
        let types: Vec<Option<ElementType>> = v
            .nodes
            .iter()
            .map(|n| {
                n.element_ref
                    .as_deref()
                    .and_then(|e| self.elements.get(e))
                    .map(|&i| self.m.elements[i].kind)
            })
            .collect();
        let laid_out = layout::needed(v);
        let rects = if laid_out {
            layout::layout(v, &types)
        } else {
            v.nodes
                .iter()
                .zip(&types)
                .map(|(n, t)| {
                    let junction = t.is_some_and(ElementType::is_junction);
                    let (dw, dh) = if junction {
                        (layout::JUNCTION, layout::JUNCTION)
                    } else {
                        (layout::DEFAULT_W, layout::DEFAULT_H)
                    };
                    let size = |s: Option<i64>, d: f64| {
                        s.filter(|s| *s > 0).map_or(d, |s| clamp(s).max(1.0))
                    };
                    Rect::new(
                        clamp(n.x.unwrap_or(0)),
                        clamp(n.y.unwrap_or(0)),
                        size(n.w, dw),
                        size(n.h, dh),
                    )
                })
                .collect()
        };
        let boxes: Vec<Shape> = v
            .nodes
            .iter()
            .zip(rects)
            .zip(&types)
            .map(|((n, rect), t)| self.node_box(n, rect, *t, &symbols))
            .collect();
        let lines = self.lines(v, &boxes, laid_out);
        let mut extent: Option<Rect> = None;
        let mut grow = |r: Rect| {
            extent = Some(extent.map_or(r, |e| e.union(&r)));
        };
        for b in &boxes {
            grow(b.rect);
        }
        for l in &lines {
            for p in &l.points {
                grow(Rect::new(p.x, p.y, 0.0, 0.0));
            }
            if let Some(r) = draw::line_label_box(l) {
                grow(r);
            }
        }
        Drawing {
            view: v.identifier.clone(),
            name: v.text.name.clone().unwrap_or_else(|| v.identifier.clone()),
            documentation: v.text.documentation.clone(),
            laid_out,
            boxes,
            lines,
            extent: extent.unwrap_or_default(),
        }
    }

    fn node_box(
        &self,
        n: &crate::model::Node,
        rect: Rect,
        t: Option<ElementType>,
        symbols: &HashMap<ElementType, bool>,
    ) -> Shape {
        let style = n.style.as_deref();
        let font = font_look(style);
        let text = |s: Option<&String>| s.map(|s| s.trim().to_owned()).unwrap_or_default();
        let element = n
            .element_ref
            .as_deref()
            .and_then(|e| self.elements.get(e))
            .map(|&i| &self.m.elements[i]);
        let (kind, outline, icon, label, title, fill) = match (n.kind, element, &n.view_ref) {
            (NodeKind::Element, Some(e), _) => {
                let (outline, icon) = notation::figure(e.kind, symbols.get(&e.kind).copied());
                let name = text(e.text.name.as_ref()).to_owned();
                let name = if name.is_empty() {
                    text(n.label.as_ref())
                } else {
                    name
                };
                let words = notation::type_words(e.kind.as_str());
                let title = if name.is_empty() {
                    words
                } else {
                    format!("{name}\n{words}")
                };
                let label = if e.kind.is_junction() {
                    String::new()
                } else {
                    name
                };
                (
                    BoxKind::Element(e.identifier.clone()),
                    outline,
                    icon,
                    label,
                    title,
                    notation::default_fill(e.kind),
                )
            }
            (_, _, Some(r)) if n.kind != NodeKind::Element => {
                let target = self.views.get(r.as_str()).map(|&i| &self.m.views[i]);
                let mut label = text(n.label.as_ref());
                if label.is_empty() {
                    label = target.and_then(|v| v.text.name.clone()).unwrap_or_default();
                }
                let title = format!("{label}\nView reference");
                (
                    BoxKind::Reference(r.clone()),
                    Outline::Rect,
                    Some(Icon::View),
                    label,
                    title,
                    notation::REFERENCE_FILL,
                )
            }
            (NodeKind::Container, _, _) => {
                let label = text(n.label.as_ref());
                let title = format!("{label}\nGroup");
                (
                    BoxKind::Group,
                    Outline::Group,
                    None,
                    label,
                    title,
                    notation::GROUP_FILL,
                )
            }
            _ => {
                // A note, or an element node whose element is missing.
                let label = n.label.clone().unwrap_or_default();
                let title = format!("{}\nNote", label.trim());
                (
                    BoxKind::Note,
                    Outline::Note,
                    None,
                    label,
                    title,
                    notation::NOTE_FILL,
                )
            }
        };
        let fill = match t {
            Some(ElementType::OrJunction) => [255, 255, 255],
            _ => fill,
        };
        let junction = t.is_some_and(ElementType::is_junction);
        let (fill, fill_opacity) = match style.and_then(|s| s.fill_color) {
            Some(c) => (
                [c.r, c.g, c.b],
                c.a.filter(|a| *a < 100).map(|a| f64::from(a) / 100.0),
            ),
            None => (fill, None),
        };
        let line = match style.and_then(|s| s.line_color) {
            Some(c) => [c.r, c.g, c.b],
            None if junction => [0, 0, 0],
            None => notation::derived_line(fill),
        };
        Shape {
            node: n.identifier.clone(),
            kind,
            element_type: t,
            rect,
            outline,
            icon,
            label,
            title,
            look: Look {
                fill,
                fill_opacity,
                line,
                line_width: line_width(style),
                font,
            },
        }
    }

    /// Routes every connection of `v`.
    fn lines(&self, v: &View, boxes: &[Shape], laid_out: bool) -> Vec<Line> {
        let mut anchors: HashMap<&str, Anchor> = HashMap::default();
        for (i, n) in v.nodes.iter().enumerate() {
            anchors
                .entry(n.identifier.as_str())
                .or_insert(Anchor::Node(i));
        }
        for (i, c) in v.connections.iter().enumerate() {
            anchors
                .entry(c.identifier.as_str())
                .or_insert(Anchor::Connection(i));
        }
        let mut routes: Vec<Option<Vec<Pt>>> = vec![None; v.connections.len()];
        let mut state = vec![0u8; v.connections.len()]; // 0 new, 1 in progress, 2 done
        for start in 0..v.connections.len() {
            // Depth-first over the connections this one ends on, without
            // recursion; a cycle leaves its members unrouted.
            let mut stack = vec![start];
            while let Some(&ci) = stack.last() {
                if state[ci] == 2 {
                    stack.pop();
                    continue;
                }
                let c = &v.connections[ci];
                let pending: Vec<usize> = [&c.source, &c.target]
                    .into_iter()
                    .filter_map(|id| match anchors.get(id.as_str()) {
                        Some(Anchor::Connection(o)) if state[*o] == 0 && *o != ci => Some(*o),
                        _ => None,
                    })
                    .collect();
                if state[ci] == 0 && !pending.is_empty() {
                    state[ci] = 1;
                    stack.extend(pending);
                    continue;
                }
                stack.pop();
                state[ci] = 2;
                routes[ci] = self.route(c, &anchors, boxes, &routes, laid_out);
            }
        }
        v.connections
            .iter()
            .zip(routes)
            .filter_map(|(c, pts)| Some(self.line(c, pts?, &anchors, boxes, v)))
            .collect()
    }

    /// The points of one connection, from border to border; `None` when an
    /// end names nothing drawable.
    fn route(
        &self,
        c: &crate::model::Connection,
        anchors: &HashMap<&str, Anchor>,
        boxes: &[Shape],
        routes: &[Option<Vec<Pt>>],
        laid_out: bool,
    ) -> Option<Vec<Pt>> {
        let end_of = |id: &str| -> Option<(Pt, Option<usize>)> {
            match anchors.get(id)? {
                Anchor::Node(i) => Some((boxes[*i].rect.center(), Some(*i))),
                Anchor::Connection(o) => Some((midpoint(routes[*o].as_deref()?)?, None)),
            }
        };
        let (src_c, src_box) = end_of(&c.source)?;
        let (tgt_c, tgt_box) = end_of(&c.target)?;
        let mut bends: Vec<Pt> = if laid_out {
            Vec::new()
        } else {
            c.bendpoints
                .iter()
                .map(|p| Pt::new(clamp(p.x), clamp(p.y)))
                .collect()
        };
        // A connection from a box to itself goes round its top-right corner.
        if bends.is_empty() && src_box.is_some() && src_box == tgt_box {
            let r = boxes[src_box?].rect;
            bends = vec![
                Pt::new(r.right() + 20.0, r.y + r.h / 2.0),
                Pt::new(r.right() + 20.0, r.y - 20.0),
                Pt::new(r.x + r.w / 2.0, r.y - 20.0),
            ];
        }
        let attach = |p: Option<crate::model::Point>| {
            p.filter(|_| !laid_out)
                .map(|p| Pt::new(clamp(p.x), clamp(p.y)))
        };
        let src_attach = attach(c.source_attachment);
        let tgt_attach = attach(c.target_attachment);
        let toward_src = bends.first().copied().or(tgt_attach).unwrap_or(tgt_c);
        let toward_tgt = bends.last().copied().or(src_attach).unwrap_or(src_c);
        let border = |b: Option<usize>, center: Pt, toward: Pt| match b {
            Some(i) => exit(&boxes[i], toward),
            None => center,
        };
        let start = src_attach.unwrap_or_else(|| border(src_box, src_c, toward_src));
        let end = tgt_attach.unwrap_or_else(|| border(tgt_box, tgt_c, toward_tgt));
        let mut pts = Vec::with_capacity(bends.len() + 2);
        pts.push(start);
        pts.extend(bends);
        pts.push(end);
        Some(pts)
    }

    fn line(
        &self,
        c: &crate::model::Connection,
        points: Vec<Pt>,
        anchors: &HashMap<&str, Anchor>,
        boxes: &[Shape],
        v: &View,
    ) -> Line {
        let rel = c
            .relationship_ref
            .as_deref()
            .and_then(|r| self.relationships.get(r))
            .map(|&i| &self.m.relationships[i]);
        let kind = rel.map(|r| r.kind);
        let ends = match rel {
            Some(r) => notation::ends(r.kind, r.access_type, direction(r)),
            None => (End::None, End::None),
        };
        let mut label = match rel {
            Some(r) => {
                let name = r.text.name.as_deref().unwrap_or("").trim().to_owned();
                match r
                    .modifier
                    .as_deref()
                    .map(str::trim)
                    .filter(|m| !m.is_empty())
                {
                    Some(m) if name.is_empty() => m.to_owned(),
                    Some(m) => format!("{name} {m}"),
                    None => name,
                }
            }
            None => String::new(),
        };
        if label.is_empty() {
            label = c.label.as_deref().unwrap_or("").trim().to_owned();
        }
        let name_of = |id: &str| -> String {
            match anchors.get(id) {
                Some(Anchor::Node(i)) => {
                    let t = boxes[*i].title.lines().next().unwrap_or("").to_owned();
                    if t.is_empty() {
                        "(unnamed)".into()
                    } else {
                        t
                    }
                }
                Some(Anchor::Connection(o)) => {
                    format!("connection {}", v.connections[*o].identifier)
                }
                None => "?".into(),
            }
        };
        let what = match kind {
            Some(k) => format!("{} relationship", notation::type_words(k.as_str())),
            None => "Line".to_owned(),
        };
        let mut title = format!("{what}: {} → {}", name_of(&c.source), name_of(&c.target));
        if !label.is_empty() {
            title = format!("{label}\n{title}");
        }
        let style = c.style.as_deref();
        Line {
            connection: c.identifier.clone(),
            kind,
            ends,
            points,
            label,
            title,
            look: Look {
                fill: [255, 255, 255],
                fill_opacity: None,
                line: style
                    .and_then(|s| s.line_color)
                    .map_or([0, 0, 0], |c| [c.r, c.g, c.b]),
                line_width: line_width(style),
                font: font_look(style),
            },
        }
    }
}

/// Where a line towards `toward` leaves a box: its ellipse for round
/// figures, its rectangle otherwise.
fn exit(b: &Shape, toward: Pt) -> Pt {
    match b.outline {
        Outline::Ellipse | Outline::Junction | Outline::Disc => {
            let r = if b.outline == Outline::Junction {
                let s = b.rect.w.min(b.rect.h);
                let c = b.rect.center();
                Rect::new(c.x - s / 2.0, c.y - s / 2.0, s, s)
            } else {
                b.rect
            };
            r.exit_ellipse_towards(toward)
        }
        _ => b.rect.exit_towards(toward),
    }
}

/// The element types a view asks to be drawn as their symbol (`true`) or
/// as a box (`false`): Visual Paradigm's `vp-show-option-ArchiMate<Type>`
/// properties, `Symbol` or `Box`.
fn symbol_options(v: &View) -> HashMap<ElementType, bool> {
    let mut out = HashMap::default();
    for p in &v.properties {
        let Some(t) = p
            .key
            .as_deref()
            .and_then(|k| k.trim().strip_prefix("vp-show-option-ArchiMate"))
            .and_then(ElementType::parse)
        else {
            continue;
        };
        match p.value.as_deref().map(str::trim) {
            Some(v) if v.eq_ignore_ascii_case("symbol") => {
                out.insert(t, true);
            }
            Some(v) if v.eq_ignore_ascii_case("box") => {
                out.insert(t, false);
            }
            _ => {}
        }
    }
    out
}

/// Which way an association points: `isDirected="true"`, or Visual
/// Paradigm's `vp-association-direction` property (`To`, `From`; the
/// reader cannot tell an absent `isDirected` from `false`).
fn direction(r: &crate::model::Relationship) -> Direction {
    if r.is_directed == Some(true) {
        return Direction::Forward;
    }
    let vp = r.properties.iter().find(|p| {
        p.key
            .as_deref()
            .is_some_and(|k| k.trim().eq_ignore_ascii_case("vp-association-direction"))
    });
    match vp.and_then(|p| p.value.as_deref()).map(str::trim) {
        Some(v) if v.eq_ignore_ascii_case("to") => Direction::Forward,
        Some(v) if v.eq_ignore_ascii_case("from") => Direction::Backward,
        _ => Direction::Undirected,
    }
}

fn line_width(style: Option<&Style>) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    style
        .and_then(|s| s.line_width)
        .map_or(1.0, |w| (w as f64).clamp(0.0, 20.0))
}

/// The font a style asks for; sizes are points, drawn as pixels at 96 dpi.
fn font_look(style: Option<&Style>) -> FontLook {
    let mut f = FontLook::default();
    let Some(font) = style.and_then(|s| s.font.as_ref()) else {
        return f;
    };
    if let Some(name) = &font.name {
        f.family = name
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '_'))
            .collect::<String>()
            .trim()
            .chars()
            .take(60)
            .collect();
    }
    if let Some(size) = font
        .size
        .as_deref()
        .and_then(|s| s.trim().parse::<f64>().ok())
    {
        if size.is_finite() && size > 0.0 {
            f.size = (size * 4.0 / 3.0).clamp(4.0, 72.0);
        }
    }
    if let Some(s) = &font.style {
        let s = s.to_ascii_lowercase();
        f.bold = s.contains("bold");
        f.italic = s.contains("italic");
    }
    if let Some(c) = font.color {
        f.color = [c.r, c.g, c.b];
    }
    f
}

/// Every view of `m`, drawn.
pub fn draw_all(m: &Model) -> Vec<Drawing> {
    Drawer::new(m).all()
}
