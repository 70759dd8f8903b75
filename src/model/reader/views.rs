//! Views: diagrams, their nodes and connections with bounds, bendpoints
//! and styles (colours, fonts), and the numbers they are written in.

use super::*;

impl<'a> State<'a> {
    pub(super) fn view(&mut self, a: &Attrs<'_>, at: usize) -> Ctx {
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
            text: Described::default(),
            viewpoint: a.viewpoint().map(|(v, _)| v.to_string()),
            viewpoint_ref: a.viewpoint_ref().map(|(v, _)| v.to_string()),
            properties: Vec::new(),
            nodes: Vec::new(),
            connections: Vec::new(),
            pos: Pos::at(at),
        });
        Ctx::View(self.model.views.len() - 1)
    }

    pub(super) fn node(&mut self, parent: Ctx, a: &Attrs<'_>, at: usize) -> Ctx {
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

    pub(super) fn connection(&mut self, v: usize, a: &Attrs<'_>, at: usize) -> Ctx {
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

    pub(super) fn style_mut(&mut self, o: StyleOwner) -> &mut Style {
        let slot = match o {
            StyleOwner::Node(v, n) => &mut self.model.views[v].nodes[n].style,
            StyleOwner::Connection(v, c) => &mut self.model.views[v].connections[c].style,
        };
        slot.get_or_insert_with(Box::default)
    }

    pub(super) fn color(&mut self, o: StyleOwner, which: &[u8], a: &Attrs<'_>) {
        let c = self.parse_color(a);
        let style = self.style_mut(o);
        if which == b"fillcolor" {
            style.fill_color = c;
        } else {
            style.line_color = c;
        }
    }

    pub(super) fn parse_color(&mut self, a: &Attrs<'_>) -> Option<Color> {
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
    pub(super) fn int(&mut self, v: Option<(&str, usize)>) -> Option<i64> {
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
pub(super) fn small_uint(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.is_empty() || b.len() > 9 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0i64, |n, d| n * 10 + i64::from(d - b'0')))
}
