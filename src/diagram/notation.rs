//! The ArchiMate notation, drawn from the specification's descriptions:
//! each element type's outline and corner icon, the layers' colours, and
//! each relationship's line and ends.
//!
//! Every outline and icon stays inside the box it is given.

use super::geom::{Pt, Rect};
use super::svg::{Ink, Svg, D};
use crate::model::{AccessType, ElementType, RelationshipType};
use serde::Serialize;

/// The outline of a box.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Outline {
    /// Structure elements.
    Rect,
    /// Behaviour elements: rounded corners.
    Round,
    /// Services: rounded ends.
    Stadium,
    /// Events: a notch on the left, round on the right.
    Event,
    /// Motivation elements: bevelled corners.
    Bevel,
    /// Business and data objects: a band at the top.
    Object,
    /// Contracts: the object's band and a second line.
    Contract,
    /// Representations and deliverables: a wavy bottom edge.
    Wavy,
    /// Products: a tab at the top left.
    Product,
    /// Artifacts: a folded corner.
    Artifact,
    /// Nodes: a three-dimensional box.
    Node,
    /// Values, and interfaces drawn as their symbol.
    Ellipse,
    /// Meanings.
    Cloud,
    /// Value streams: an arrow-like chevron.
    Chevron,
    /// Application components drawn as their symbol: two tabs on the left.
    Component,
    /// Devices drawn as their symbol: a screen on a stand.
    Device,
    /// System software drawn as its symbol: two overlapping discs.
    Disc,
    /// Junctions: a small circle, filled (and) or hollow (or).
    Junction,
    /// Groups (view containers): a tab holding the name, over a body.
    Group,
    /// Grouping elements: a group drawn with a dashed line.
    Grouping,
    /// Notes: a folded corner at the bottom right.
    Note,
}

/// The small type icon in a box's top-right corner.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Icon {
    Actor,
    Role,
    Collaboration,
    Interface,
    Process,
    Function,
    Interaction,
    Event,
    Service,
    Component,
    Node,
    Device,
    SystemSoftware,
    Path,
    Network,
    Artifact,
    Equipment,
    Facility,
    Distribution,
    Material,
    Driver,
    Assessment,
    Goal,
    Outcome,
    Principle,
    Requirement,
    Constraint,
    Resource,
    Capability,
    ValueStream,
    CourseOfAction,
    WorkPackage,
    Plateau,
    Gap,
    Location,
    /// A diagram-model reference: a small window.
    View,
}

/// The outline and icon of an element type: its box form (`symbol`
/// false: a box with the type icon in the corner) or its symbol form (the
/// shape that is the type's icon, as Visual Paradigm's "Symbol" option and
/// Archi's alternative figures draw it). Types whose usual form is already
/// a shape (services, events, nodes, values, meanings, value streams) draw
/// that shape unless asked for the box.
pub fn figure(t: ElementType, symbol: Option<bool>) -> (Outline, Option<Icon>) {
    use ElementType as E;
    use Icon as I;
    use Outline as O;
    let boxed = |o: Outline, i: Icon| (o, Some(i));
    match (t, symbol) {
        (E::BusinessActor, _) => boxed(O::Rect, I::Actor),
        (E::BusinessRole, _) => boxed(O::Rect, I::Role),
        (
            E::BusinessCollaboration | E::ApplicationCollaboration | E::TechnologyCollaboration,
            _,
        ) => boxed(O::Rect, I::Collaboration),
        (E::BusinessInterface | E::ApplicationInterface | E::TechnologyInterface, Some(true)) => {
            (O::Ellipse, None)
        }
        (E::BusinessInterface | E::ApplicationInterface | E::TechnologyInterface, _) => {
            boxed(O::Rect, I::Interface)
        }
        (E::BusinessProcess | E::ApplicationProcess | E::TechnologyProcess, _) => {
            boxed(O::Round, I::Process)
        }
        (E::BusinessFunction | E::ApplicationFunction | E::TechnologyFunction, _) => {
            boxed(O::Round, I::Function)
        }
        (E::BusinessInteraction | E::ApplicationInteraction | E::TechnologyInteraction, _) => {
            boxed(O::Round, I::Interaction)
        }
        (
            E::BusinessEvent | E::ApplicationEvent | E::TechnologyEvent | E::ImplementationEvent,
            Some(false),
        ) => boxed(O::Round, I::Event),
        (
            E::BusinessEvent | E::ApplicationEvent | E::TechnologyEvent | E::ImplementationEvent,
            _,
        ) => (O::Event, None),
        (E::BusinessService | E::ApplicationService | E::TechnologyService, Some(false)) => {
            boxed(O::Round, I::Service)
        }
        (E::BusinessService | E::ApplicationService | E::TechnologyService, _) => {
            (O::Stadium, None)
        }
        (E::BusinessObject | E::DataObject, _) => (O::Object, None),
        (E::Contract, _) => (O::Contract, None),
        (E::Representation | E::Deliverable, _) => (O::Wavy, None),
        (E::Product, _) => (O::Product, None),
        (E::ApplicationComponent, Some(true)) => (O::Component, None),
        (E::ApplicationComponent, _) => boxed(O::Rect, I::Component),
        (E::Node, Some(false)) => boxed(O::Rect, I::Node),
        (E::Node, _) => (O::Node, None),
        (E::Device, Some(true)) => (O::Device, None),
        (E::Device, _) => boxed(O::Rect, I::Device),
        (E::SystemSoftware, Some(true)) => (O::Disc, None),
        (E::SystemSoftware, _) => boxed(O::Rect, I::SystemSoftware),
        (E::Path, _) => boxed(O::Rect, I::Path),
        (E::CommunicationNetwork, _) => boxed(O::Rect, I::Network),
        (E::Artifact, Some(false)) => boxed(O::Rect, I::Artifact),
        (E::Artifact, _) => (O::Artifact, None),
        (E::Equipment, _) => boxed(O::Rect, I::Equipment),
        (E::Facility, _) => boxed(O::Rect, I::Facility),
        (E::DistributionNetwork, _) => boxed(O::Rect, I::Distribution),
        (E::Material, _) => boxed(O::Rect, I::Material),
        (E::Stakeholder, _) => boxed(O::Bevel, I::Role),
        (E::Driver, _) => boxed(O::Bevel, I::Driver),
        (E::Assessment, _) => boxed(O::Bevel, I::Assessment),
        (E::Goal, _) => boxed(O::Bevel, I::Goal),
        (E::Outcome, _) => boxed(O::Bevel, I::Outcome),
        (E::Principle, _) => boxed(O::Bevel, I::Principle),
        (E::Requirement, _) => boxed(O::Bevel, I::Requirement),
        (E::Constraint, _) => boxed(O::Bevel, I::Constraint),
        (E::Meaning, _) => (O::Cloud, None),
        (E::Value, _) => (O::Ellipse, None),
        (E::Resource, _) => boxed(O::Rect, I::Resource),
        (E::Capability, _) => boxed(O::Round, I::Capability),
        (E::ValueStream, Some(false)) => boxed(O::Round, I::ValueStream),
        (E::ValueStream, _) => (O::Chevron, None),
        (E::CourseOfAction, _) => boxed(O::Round, I::CourseOfAction),
        (E::WorkPackage, _) => boxed(O::Round, I::WorkPackage),
        (E::Plateau, _) => boxed(O::Rect, I::Plateau),
        (E::Gap, _) => boxed(O::Rect, I::Gap),
        (E::Grouping, _) => (O::Grouping, None),
        (E::Location, _) => boxed(O::Rect, I::Location),
        (E::AndJunction | E::OrJunction, _) => (O::Junction, None),
    }
}

/// An RGB colour.
pub type Rgb = [u8; 3];

/// The fill an element type has when the view gives none: the usual
/// colour of its layer.
pub fn default_fill(t: ElementType) -> Rgb {
    use ElementType as E;
    match t {
        E::WorkPackage | E::Deliverable | E::ImplementationEvent => [255, 224, 224],
        E::Plateau | E::Gap => [224, 255, 224],
        E::Location => [251, 184, 117],
        E::Grouping => [210, 215, 215],
        E::AndJunction | E::OrJunction => [0, 0, 0],
        _ => match t.layer() {
            "business" => [255, 255, 181],
            "application" => [181, 255, 255],
            "technology" | "physical" => [201, 231, 183],
            "motivation" => [204, 204, 255],
            "strategy" => [245, 222, 170],
            _ => [255, 255, 255],
        },
    }
}

/// Fill of groups (view containers).
pub const GROUP_FILL: Rgb = [210, 215, 215];
/// Fill of notes.
pub const NOTE_FILL: Rgb = [255, 255, 255];
/// Fill of diagram-model references.
pub const REFERENCE_FILL: Rgb = [220, 235, 235];

/// The line colour that goes with a fill when the view gives none: the
/// fill, darker.
pub fn derived_line(fill: Rgb) -> Rgb {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    fill.map(|c| (f64::from(c) * 0.55).round() as u8)
}

pub fn hex(c: Rgb) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(7);
    s.push('#');
    for v in c {
        s.push(char::from(DIGITS[usize::from(v >> 4)]));
        s.push(char::from(DIGITS[usize::from(v & 15)]));
    }
    s
}

/// Size of a corner icon.
pub const ICON: f64 = 14.0;
/// Distance of the corner icon from the box's top and right edges.
pub const ICON_MARGIN: f64 = 5.0;

/// Depth of a node's third dimension, a note's or artifact's fold, a
/// bevel: small against the box.
fn corner(r: &Rect, max: f64) -> f64 {
    max.min(r.w / 4.0).min(r.h / 4.0).max(0.0)
}

/// Height of an object's top band or a group's tab.
pub fn band(r: &Rect) -> f64 {
    18.0_f64.min(r.h / 2.0)
}

/// Width of a group's tab holding a name `label_width` px wide.
pub fn tab_width(r: &Rect, label_width: f64) -> f64 {
    (label_width + 12.0).max(60.0).min(r.w)
}

/// Draws an outline filling `r`: the body with `body` (fill and line),
/// the outline's inner lines with `body`'s line only.
pub fn outline(svg: &mut Svg, o: Outline, r: &Rect, body: &Ink, tab: f64) {
    let Rect { x, y, w, h } = *r;
    let lines = body.unfilled();
    match o {
        Outline::Rect => svg.rect(x, y, w, h, 0.0, body),
        Outline::Round => svg.rect(x, y, w, h, 10.0_f64.min(w / 4.0).min(h / 4.0), body),
        Outline::Stadium => svg.rect(x, y, w, h, (h / 2.0).min(w / 2.0), body),
        Outline::Event => {
            let notch = (h / 4.0).min(w / 4.0);
            let rr = (h / 2.0).min(w / 3.0);
            let mut d = D::default();
            d.m(x, y)
                .h(x + w - rr)
                .a(rr, h / 2.0, false, true, x + w - rr, y + h)
                .h(x)
                .l(x + notch, y + h / 2.0)
                .z();
            svg.path(&d, body);
        }
        Outline::Bevel => {
            let c = corner(r, 10.0);
            let mut d = D::default();
            d.m(x + c, y)
                .h(x + w - c)
                .l(x + w, y + c)
                .v(y + h - c)
                .l(x + w - c, y + h)
                .h(x + c)
                .l(x, y + h - c)
                .v(y + c)
                .z();
            svg.path(&d, body);
        }
        Outline::Object | Outline::Contract => {
            svg.rect(x, y, w, h, 0.0, body);
            let b = band(r);
            let mut d = D::default();
            d.m(x, y + b).h(x + w);
            if o == Outline::Contract {
                d.m(x, y + h - b).h(x + w);
            }
            svg.path(&d, &lines);
        }
        Outline::Wavy => {
            let wv = 8.0_f64.min(h / 6.0);
            let base = y + h - wv;
            let mut d = D::default();
            d.m(x, y).h(x + w).v(base);
            d.0.push_str(&format!(
                " C {} {} {} {} {} {}",
                super::geom::num(x + w * 0.75),
                super::geom::num(base - wv),
                super::geom::num(x + w * 0.25),
                super::geom::num(y + h),
                super::geom::num(x),
                super::geom::num(base)
            ));
            d.z();
            svg.path(&d, body);
        }
        Outline::Product => {
            svg.rect(x, y, w, h, 0.0, body);
            let b = band(r);
            let mut d = D::default();
            d.m(x, y + b).h(x + w / 2.0).v(y);
            svg.path(&d, &lines);
        }
        Outline::Artifact | Outline::Note => {
            let f = corner(r, 12.0);
            let mut d = D::default();
            let mut fold = D::default();
            if o == Outline::Artifact {
                d.m(x, y).h(x + w - f).l(x + w, y + f).v(y + h).h(x).z();
                fold.m(x + w - f, y).v(y + f).h(x + w);
            } else {
                d.m(x, y).h(x + w).v(y + h - f).l(x + w - f, y + h).h(x).z();
                fold.m(x + w - f, y + h).v(y + h - f).h(x + w);
            }
            svg.path(&d, body);
            svg.path(&fold, &lines);
        }
        Outline::Node => {
            let dd = corner(r, 12.0);
            svg.rect(x, y + dd, w - dd, h - dd, 0.0, body);
            let mut top = D::default();
            top.m(x, y + dd)
                .l(x + dd, y)
                .h(x + w)
                .l(x + w - dd, y + dd)
                .z();
            svg.path(&top, body);
            let mut side = D::default();
            side.m(x + w - dd, y + dd)
                .l(x + w, y)
                .v(y + h - dd)
                .l(x + w - dd, y + h)
                .z();
            svg.path(&side, body);
        }
        Outline::Ellipse => svg.ellipse(x + w / 2.0, y + h / 2.0, w / 2.0, h / 2.0, body),
        Outline::Cloud => {
            let p = |fx: f64, fy: f64| (x + w * fx, y + h * fy);
            let mut d = D::default();
            let (sx, sy) = p(0.15, 0.45);
            d.m(sx, sy);
            for (c, e) in [
                ((0.03, 0.05), (0.45, 0.15)),
                ((0.7, 0.0), (0.85, 0.25)),
                ((1.0, 0.45), (0.9, 0.65)),
                ((0.85, 1.0), (0.55, 0.88)),
                ((0.3, 1.0), (0.15, 0.8)),
                ((0.0, 0.65), (0.15, 0.45)),
            ] {
                let (cx, cy) = p(c.0, c.1);
                let (ex, ey) = p(e.0, e.1);
                d.q(cx, cy, ex, ey);
            }
            d.z();
            svg.path(&d, body);
        }
        Outline::Chevron => {
            let c = (h / 2.0).min(w / 4.0);
            let mut d = D::default();
            d.m(x, y)
                .h(x + w - c)
                .l(x + w, y + h / 2.0)
                .l(x + w - c, y + h)
                .h(x)
                .l(x + c, y + h / 2.0)
                .z();
            svg.path(&d, body);
        }
        Outline::Component => {
            let tw = 16.0_f64.min(w / 3.0);
            let th = 10.0_f64.min(h / 5.0);
            svg.rect(x + tw / 2.0, y, w - tw / 2.0, h, 0.0, body);
            svg.rect(x, y + h / 4.0 - th / 2.0, tw, th, 0.0, body);
            svg.rect(x, y + 3.0 * h / 4.0 - th / 2.0, tw, th, 0.0, body);
        }
        Outline::Device => {
            let screen = h * 0.75;
            svg.rect(
                x,
                y,
                w,
                screen,
                6.0_f64.min(w / 4.0).min(screen / 4.0),
                body,
            );
            let mut d = D::default();
            d.m(x + w * 0.15, y + h)
                .l(x + w * 0.25, y + screen)
                .h(x + w * 0.75)
                .l(x + w * 0.85, y + h)
                .z();
            svg.path(&d, body);
        }
        Outline::Disc => {
            svg.ellipse(x + w * 0.55, y + h * 0.45, w * 0.45, h * 0.45, body);
            svg.ellipse(x + w * 0.45, y + h * 0.55, w * 0.45, h * 0.45, body);
        }
        Outline::Junction => {
            let rr = w.min(h) / 2.0;
            svg.circle(x + w / 2.0, y + h / 2.0, rr, body);
        }
        Outline::Group | Outline::Grouping => {
            let ink = if o == Outline::Grouping {
                body.dashed("6 3")
            } else {
                body.clone()
            };
            let t = band(r);
            let tw = tab.min(w);
            svg.rect(x, y, tw, t, 0.0, &ink);
            svg.rect(x, y + t, w, h - t, 0.0, &ink);
        }
    }
}

/// Draws `icon` in the `s`-sized square at (`x`, `y`): lines with `line`,
/// closed shapes filled with `fill`.
pub fn icon(svg: &mut Svg, icon: Icon, x: f64, y: f64, s: f64, line: &Ink, fill: &Ink) {
    let p = |fx: f64, fy: f64| (x + s * fx, y + s * fy);
    let path = |svg: &mut Svg, pts: &[(f64, f64)], closed: bool, ink: &Ink| {
        let mut d = D::default();
        for (i, &(fx, fy)) in pts.iter().enumerate() {
            let (px, py) = p(fx, fy);
            if i == 0 {
                d.m(px, py);
            } else {
                d.l(px, py);
            }
        }
        if closed {
            d.z();
        }
        svg.path(&d, ink);
    };
    let circle = |svg: &mut Svg, fx: f64, fy: f64, fr: f64, ink: &Ink| {
        let (cx, cy) = p(fx, fy);
        svg.circle(cx, cy, s * fr, ink);
    };
    let solid = Ink::solid(&line.stroke);
    match icon {
        Icon::Actor => {
            circle(svg, 0.5, 0.17, 0.15, fill);
            path(svg, &[(0.5, 0.32), (0.5, 0.68)], false, line);
            path(svg, &[(0.18, 0.45), (0.82, 0.45)], false, line);
            path(svg, &[(0.22, 1.0), (0.5, 0.68), (0.78, 1.0)], false, line);
        }
        Icon::Role => {
            let (lx, top) = p(0.2, 0.2);
            let (rx, bottom) = p(0.8, 0.8);
            let (ex, ey) = (s * 0.15, s * 0.3);
            let mut d = D::default();
            d.m(rx, top).h(lx).a(ex, ey, false, false, lx, bottom).h(rx);
            svg.path(&d, fill);
            let (cx, cy) = p(0.8, 0.5);
            svg.ellipse(cx, cy, ex, ey, fill);
        }
        Icon::Collaboration => {
            circle(svg, 0.36, 0.5, 0.34, &line.unfilled());
            circle(svg, 0.64, 0.5, 0.34, &line.unfilled());
        }
        Icon::Interface => {
            circle(svg, 0.7, 0.5, 0.28, fill);
            path(svg, &[(0.0, 0.5), (0.42, 0.5)], false, line);
        }
        Icon::Process => path(
            svg,
            &[
                (0.0, 0.35),
                (0.6, 0.35),
                (0.6, 0.15),
                (1.0, 0.5),
                (0.6, 0.85),
                (0.6, 0.65),
                (0.0, 0.65),
            ],
            true,
            fill,
        ),
        Icon::Function => path(
            svg,
            &[
                (0.1, 0.3),
                (0.5, 0.02),
                (0.9, 0.3),
                (0.9, 1.0),
                (0.5, 0.72),
                (0.1, 1.0),
            ],
            true,
            fill,
        ),
        Icon::Interaction => {
            for (from, to, sweep) in [
                ((0.45, 0.05), (0.45, 0.95), false),
                ((0.55, 0.05), (0.55, 0.95), true),
            ] {
                let (ax, ay) = p(from.0, from.1);
                let (bx, by) = p(to.0, to.1);
                let mut d = D::default();
                d.m(ax, ay).a(s * 0.45, s * 0.45, false, sweep, bx, by).z();
                svg.path(&d, fill);
            }
        }
        Icon::Event => {
            let r = Rect::new(x, y + s * 0.2, s, s * 0.6);
            outline(svg, Outline::Event, &r, fill, 0.0);
        }
        Icon::Service => svg.rect(x, y + s * 0.2, s, s * 0.6, s * 0.3, fill),
        Icon::Component => {
            let (ax, ay) = p(0.25, 0.0);
            svg.rect(ax, ay, s * 0.75, s, 0.0, fill);
            for fy in [0.2, 0.6] {
                let (bx, by) = p(0.0, fy);
                svg.rect(bx, by, s * 0.5, s * 0.2, 0.0, fill);
            }
        }
        Icon::Node => outline(svg, Outline::Node, &Rect::new(x, y, s, s), fill, 0.0),
        Icon::Device => outline(
            svg,
            Outline::Device,
            &Rect::new(x, y + s * 0.05, s, s * 0.9),
            fill,
            0.0,
        ),
        Icon::SystemSoftware => {
            circle(svg, 0.6, 0.4, 0.38, fill);
            circle(svg, 0.42, 0.58, 0.38, fill);
        }
        Icon::Path => {
            path(svg, &[(0.1, 0.5), (0.9, 0.5)], false, &line.dashed("2 2"));
            path(svg, &[(0.3, 0.25), (0.05, 0.5), (0.3, 0.75)], false, line);
            path(svg, &[(0.7, 0.25), (0.95, 0.5), (0.7, 0.75)], false, line);
        }
        Icon::Network => {
            let corners = [(0.3, 0.25), (0.95, 0.25), (0.7, 0.75), (0.05, 0.75)];
            path(svg, &corners, true, &line.unfilled());
            for (fx, fy) in corners {
                circle(svg, fx, fy, 0.09, &solid);
            }
        }
        Icon::Artifact => outline(
            svg,
            Outline::Artifact,
            &Rect::new(x + s * 0.15, y, s * 0.7, s),
            fill,
            0.0,
        ),
        Icon::Equipment => {
            circle(svg, 0.36, 0.62, 0.3, fill);
            circle(svg, 0.36, 0.62, 0.1, &line.unfilled());
            circle(svg, 0.74, 0.28, 0.22, fill);
            circle(svg, 0.74, 0.28, 0.07, &line.unfilled());
        }
        Icon::Facility => path(
            svg,
            &[
                (0.0, 1.0),
                (0.0, 0.05),
                (0.2, 0.05),
                (0.2, 0.55),
                (0.45, 0.35),
                (0.45, 0.55),
                (0.7, 0.35),
                (0.7, 0.55),
                (1.0, 0.35),
                (1.0, 1.0),
            ],
            true,
            fill,
        ),
        Icon::Distribution => {
            path(svg, &[(0.15, 0.4), (0.85, 0.4)], false, line);
            path(svg, &[(0.15, 0.6), (0.85, 0.6)], false, line);
            path(svg, &[(0.3, 0.2), (0.05, 0.5), (0.3, 0.8)], false, line);
            path(svg, &[(0.7, 0.2), (0.95, 0.5), (0.7, 0.8)], false, line);
        }
        Icon::Material => path(
            svg,
            &[
                (0.25, 0.07),
                (0.75, 0.07),
                (1.0, 0.5),
                (0.75, 0.93),
                (0.25, 0.93),
                (0.0, 0.5),
            ],
            true,
            fill,
        ),
        Icon::Driver => {
            circle(svg, 0.5, 0.5, 0.36, fill);
            for (a, b) in [
                ((0.5, 0.0), (0.5, 1.0)),
                ((0.0, 0.5), (1.0, 0.5)),
                ((0.15, 0.15), (0.85, 0.85)),
                ((0.85, 0.15), (0.15, 0.85)),
            ] {
                path(svg, &[a, b], false, line);
            }
            circle(svg, 0.5, 0.5, 0.1, &solid);
        }
        Icon::Assessment => {
            circle(svg, 0.6, 0.4, 0.3, fill);
            path(svg, &[(0.39, 0.61), (0.03, 0.97)], false, line);
        }
        Icon::Goal | Icon::Outcome => {
            for r in [0.46, 0.3, 0.14] {
                circle(svg, 0.5, 0.5, r, fill);
            }
            circle(svg, 0.5, 0.5, 0.05, &solid);
            if icon == Icon::Outcome {
                path(svg, &[(1.0, 0.0), (0.5, 0.5)], false, line);
                path(svg, &[(0.55, 0.3), (0.5, 0.5), (0.7, 0.45)], false, line);
            }
        }
        Icon::Principle => {
            let (ax, ay) = p(0.15, 0.0);
            svg.rect(ax, ay, s * 0.7, s, 0.0, fill);
            path(svg, &[(0.5, 0.15), (0.5, 0.62)], false, line);
            circle(svg, 0.5, 0.8, 0.07, &solid);
        }
        Icon::Requirement | Icon::Constraint => {
            path(
                svg,
                &[(0.25, 0.2), (1.0, 0.2), (0.75, 0.8), (0.0, 0.8)],
                true,
                fill,
            );
            if icon == Icon::Constraint {
                path(svg, &[(0.45, 0.2), (0.2, 0.8)], false, line);
            }
        }
        Icon::Resource => {
            let (ax, ay) = p(0.0, 0.2);
            svg.rect(ax, ay, s * 0.85, s * 0.6, s * 0.1, fill);
            let (bx, by) = p(0.85, 0.38);
            svg.rect(bx, by, s * 0.15, s * 0.24, 0.0, fill);
            for fx in [0.25, 0.45, 0.65] {
                path(svg, &[(fx, 0.33), (fx, 0.67)], false, line);
            }
        }
        Icon::Capability => {
            for (fx, fy) in [
                (0.67, 0.0),
                (0.67, 0.33),
                (0.67, 0.67),
                (0.33, 0.33),
                (0.33, 0.67),
                (0.0, 0.67),
            ] {
                let (ax, ay) = p(fx, fy);
                svg.rect(ax, ay, s * 0.33, s * 0.33, 0.0, fill);
            }
        }
        Icon::ValueStream => outline(
            svg,
            Outline::Chevron,
            &Rect::new(x, y + s * 0.2, s, s * 0.6),
            fill,
            0.0,
        ),
        Icon::CourseOfAction => {
            circle(svg, 0.65, 0.35, 0.32, fill);
            circle(svg, 0.65, 0.35, 0.14, fill);
            path(svg, &[(0.02, 0.98), (0.45, 0.55)], false, line);
            path(
                svg,
                &[(0.28, 0.57), (0.45, 0.55), (0.43, 0.72)],
                false,
                line,
            );
        }
        Icon::WorkPackage => {
            let (ax, ay) = p(0.5, 0.1);
            let (bx, by) = p(0.9, 0.5);
            let mut d = D::default();
            d.m(ax, ay).a(s * 0.4, s * 0.4, true, false, bx, by);
            svg.path(&d, &line.unfilled());
            path(svg, &[(0.32, 0.0), (0.5, 0.1), (0.32, 0.22)], false, line);
        }
        Icon::Plateau => {
            let thick = Ink {
                width: line.width * 2.0,
                ..line.clone()
            };
            for (a, b, fy) in [(0.3, 1.0, 0.2), (0.15, 0.85, 0.5), (0.0, 0.7, 0.8)] {
                path(svg, &[(a, fy), (b, fy)], false, &thick);
            }
        }
        Icon::Gap => {
            circle(svg, 0.5, 0.5, 0.35, fill);
            path(svg, &[(0.0, 0.4), (1.0, 0.4)], false, line);
            path(svg, &[(0.0, 0.6), (1.0, 0.6)], false, line);
        }
        Icon::Location => {
            let (tx, ty) = p(0.5, 1.0);
            let (lx, ly) = p(0.2, 0.5);
            let (rx, ry) = p(0.8, 0.5);
            let mut d = D::default();
            d.m(tx, ty)
                .l(lx, ly)
                .a(s * 0.335, s * 0.335, true, true, rx, ry)
                .z();
            svg.path(&d, fill);
            circle(svg, 0.5, 0.35, 0.12, &line.unfilled());
        }
        Icon::View => {
            let (ax, ay) = p(0.0, 0.1);
            svg.rect(ax, ay, s, s * 0.8, 0.0, fill);
            path(svg, &[(0.0, 0.3), (1.0, 0.3)], false, line);
            for (fx, fy) in [(0.15, 0.45), (0.55, 0.6)] {
                let (bx, by) = p(fx, fy);
                svg.rect(bx, by, s * 0.3, s * 0.18, 0.0, &line.unfilled());
            }
        }
    }
}

/// How a connection's line is dashed.
pub fn dash(kind: Option<RelationshipType>) -> Option<&'static str> {
    use RelationshipType as R;
    match kind {
        Some(R::Realization) => Some("6 3"),
        Some(R::Flow) => Some("9 4"),
        Some(R::Influence) => Some("4 4"),
        Some(R::Access) => Some("1.5 3"),
        _ => None,
    }
}

/// The mark at one end of a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum End {
    None,
    /// A filled arrowhead (triggering, flow, assignment).
    Arrow,
    /// Two strokes (serving, influence, directed association).
    OpenArrow,
    /// A small open arrowhead (access).
    SmallArrow,
    /// A hollow triangle (realization, specialization).
    Triangle,
    /// A filled diamond (composition).
    Diamond,
    /// A hollow diamond (aggregation).
    HollowDiamond,
    /// A dot (assignment's source).
    Dot,
}

/// Which way an association points.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Direction {
    Undirected,
    Forward,
    Backward,
}

/// The marks at the source and target end of a relationship.
pub fn ends(kind: RelationshipType, access: Option<AccessType>, dir: Direction) -> (End, End) {
    use RelationshipType as R;
    match kind {
        R::Composition => (End::Diamond, End::None),
        R::Aggregation => (End::HollowDiamond, End::None),
        R::Assignment => (End::Dot, End::Arrow),
        R::Realization | R::Specialization => (End::None, End::Triangle),
        R::Serving | R::Influence => (End::None, End::OpenArrow),
        R::Triggering | R::Flow => (End::None, End::Arrow),
        R::Access => match access.unwrap_or(AccessType::Access) {
            AccessType::Access => (End::None, End::None),
            AccessType::Write => (End::None, End::SmallArrow),
            AccessType::Read => (End::SmallArrow, End::None),
            AccessType::ReadWrite => (End::SmallArrow, End::SmallArrow),
        },
        R::Association => match dir {
            Direction::Undirected => (End::None, End::None),
            Direction::Forward => (End::None, End::OpenArrow),
            Direction::Backward => (End::OpenArrow, End::None),
        },
    }
}

/// How far a mark at an end covers the line: the line stops there, so a
/// hollow mark stays hollow.
pub fn inset(end: End) -> f64 {
    match end {
        End::Triangle => 12.0,
        End::Arrow => 9.0,
        End::Diamond | End::HollowDiamond => 16.0,
        End::None | End::OpenArrow | End::SmallArrow | End::Dot => 0.0,
    }
}

/// Draws `end` at `tip`, the line arriving from direction `from` (a unit
/// vector pointing from the line towards the tip).
pub fn draw_end(svg: &mut Svg, end: End, tip: Pt, from: Pt, stroke: &str, width: f64) {
    let n = Pt::new(-from.y, from.x);
    let back = |k: f64| tip.along(from, -k);
    let side = |p: Pt, k: f64| p.along(n, k);
    let line = Ink::line(stroke, width);
    let poly = |svg: &mut Svg, pts: &[Pt], closed: bool, ink: &Ink| {
        let mut d = D::through(pts);
        if closed {
            d.z();
        }
        svg.path(&d, ink);
    };
    match end {
        End::None => {}
        End::Arrow => {
            let b = back(9.0);
            poly(
                svg,
                &[tip, side(b, 4.0), side(b, -4.0)],
                true,
                &line.filled(stroke),
            );
        }
        End::OpenArrow => {
            let b = back(9.0);
            poly(svg, &[side(b, 5.0), tip, side(b, -5.0)], false, &line);
        }
        End::SmallArrow => {
            let b = back(6.0);
            poly(svg, &[side(b, 3.5), tip, side(b, -3.5)], false, &line);
        }
        End::Triangle => {
            let b = back(12.0);
            poly(
                svg,
                &[tip, side(b, 6.5), side(b, -6.5)],
                true,
                &line.filled("#ffffff"),
            );
        }
        End::Diamond | End::HollowDiamond => {
            let m = back(8.0);
            let fill = if end == End::Diamond {
                stroke
            } else {
                "#ffffff"
            };
            poly(
                svg,
                &[tip, side(m, 5.0), back(16.0), side(m, -5.0)],
                true,
                &line.filled(fill),
            );
        }
        End::Dot => {
            let c = back(3.0);
            svg.circle(c.x, c.y, 3.0, &Ink::solid(stroke));
        }
    }
}

/// The type as words: `BusinessActor` → `Business actor`.
pub fn type_words(t: &str) -> String {
    let mut out = String::with_capacity(t.len() + 4);
    for (i, c) in t.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push(' ');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_element_type_has_a_figure_and_a_colour() {
        for t in ElementType::ALL {
            for symbol in [None, Some(true), Some(false)] {
                let (o, i) = figure(*t, symbol);
                // A plain box always says its type with an icon.
                if matches!(o, Outline::Rect | Outline::Round | Outline::Bevel) {
                    assert!(i.is_some(), "{t} as {o:?} has no icon");
                }
            }
            let _ = default_fill(*t);
        }
    }

    #[test]
    fn every_relationship_has_its_ends() {
        use RelationshipType as R;
        assert_eq!(
            ends(R::Composition, None, Direction::Undirected),
            (End::Diamond, End::None)
        );
        assert_eq!(
            ends(R::Assignment, None, Direction::Undirected),
            (End::Dot, End::Arrow)
        );
        assert_eq!(
            ends(R::Access, Some(AccessType::Read), Direction::Undirected),
            (End::SmallArrow, End::None)
        );
        assert_eq!(
            ends(R::Association, None, Direction::Forward),
            (End::None, End::OpenArrow)
        );
        for t in RelationshipType::ALL {
            let _ = ends(*t, None, Direction::Undirected);
        }
    }

    #[test]
    fn type_words_read_as_words() {
        assert_eq!(type_words("BusinessActor"), "Business actor");
        assert_eq!(type_words("Node"), "Node");
    }
}
