//! A [`Drawing`] as SVG text.

use super::geom::{midpoint, num, push_num, Pt, Rect};
use super::notation::{self, hex, Outline, ICON, ICON_MARGIN};
use super::svg::{escape_into, href, Ink, Svg, D};
use super::text::{self, ASCENT, DESCENT, LINE};
use super::{BoxKind, Drawing, FontLook, Line, Links, Shape, FONT_SIZE};
use std::fmt::Write as _;

/// Space around the drawing.
const MARGIN: f64 = 10.0;
/// Fonts tried after the one a view names.
const FONTS: &str = "'Segoe UI', 'DejaVu Sans', Arial, Helvetica, sans-serif";
/// Widest label on a connection.
const LINE_LABEL_MAX: f64 = 240.0;
/// A connection's label stands this far above the line's midpoint.
const LABEL_LIFT: f64 = 5.0;

/// The SVG of a drawing. `links` says where element boxes and view
/// references lead; text and attributes are escaped, so any name is safe.
pub fn svg(d: &Drawing, links: &dyn Links) -> String {
    let mut s = Svg {
        out: String::with_capacity(512 + 700 * d.boxes.len() + 300 * d.lines.len()),
    };
    let e = d.extent;
    let (w, h) = (e.w + 2.0 * MARGIN, e.h + 2.0 * MARGIN);
    let _ = write!(
        s.out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"{}\" height=\"{}\" viewBox=\"{} {} {} {}\" font-family=\"{FONTS}\" font-size=\"{}\" role=\"img\" aria-label=\"",
        num(w),
        num(h),
        num(e.x - MARGIN),
        num(e.y - MARGIN),
        num(w),
        num(h),
        num(FONT_SIZE)
    );
    escape_into(&mut s.out, &d.name);
    s.raw("\">\n");
    s.title(&d.name);
    s.raw("\n");
    if let Some(doc) = d.documentation.as_deref().filter(|t| !t.trim().is_empty()) {
        s.raw("<desc>");
        escape_into(&mut s.out, doc);
        s.raw("</desc>\n");
    }
    s.rect(
        e.x - MARGIN,
        e.y - MARGIN,
        w,
        h,
        0.0,
        &Ink::solid("#ffffff"),
    );
    s.raw("\n<g class=\"view\">\n");
    for b in &d.boxes {
        shape(&mut s, b, links);
    }
    for l in &d.lines {
        line(&mut s, l);
    }
    s.raw("</g>\n</svg>\n");
    s.out
}

fn shape(s: &mut Svg, b: &Shape, links: &dyn Links) {
    let link = match &b.kind {
        BoxKind::Element(id) => links.element(id),
        BoxKind::Reference(v) => links.view(v).map(|href| super::Link {
            href,
            title: "opens that view".into(),
        }),
        _ => None,
    };
    let tag = if link.is_some() { "a" } else { "g" };
    let _ = write!(s.out, "<{tag} class=\"node\" data-id=\"");
    escape_into(&mut s.out, &b.node);
    s.raw("\"");
    if let Some(l) = &link {
        let _ = write!(s.out, " href=\"{}\"", href(&l.href));
    }
    s.raw(">");
    match &link {
        Some(l) if !l.title.is_empty() => s.title(&format!("{}\n{}", b.title, l.title)),
        _ => s.title(&b.title),
    }
    let look = &b.look;
    let body = Ink {
        fill: hex(look.fill),
        fill_opacity: look.fill_opacity,
        stroke: hex(look.line),
        width: look.line_width,
        dash: None,
    };
    let r = b.rect;
    let size = look.font.size;
    let bold = look.font.bold;
    let tab = if matches!(b.outline, Outline::Group | Outline::Grouping) {
        notation::tab_width(&r, text::width(&b.label, size, bold))
    } else {
        0.0
    };
    notation::outline(s, b.outline, &r, &body, tab);
    if let Some(icon) = b.icon {
        if r.w >= ICON + 2.0 * ICON_MARGIN && r.h >= ICON + 2.0 * ICON_MARGIN {
            let stroke = hex(look.font.color);
            let line = Ink::line(&stroke, 1.0);
            let fill = line.filled(&hex(look.fill));
            let x = r.right() - ICON - ICON_MARGIN;
            notation::icon(s, icon, x, r.y + ICON_MARGIN, ICON, &line, &fill);
        }
    }
    label(s, b, tab);
    let _ = writeln!(s.out, "</{tag}>");
}

/// The part of a box its label may use, whether it is centred, whether it
/// sits in the middle (rather than at the top), and whether the type icon
/// takes the top-right corner of that part.
fn label_area(b: &Shape) -> (Rect, bool, bool, bool) {
    let r = b.rect;
    let base = r.inset(5.0, 5.0);
    let icon = b.icon.is_some() || b.outline == Outline::Artifact;
    match b.outline {
        Outline::Ellipse | Outline::Cloud | Outline::Disc => {
            (r.inset(r.w * 0.15, r.h * 0.15), true, true, false)
        }
        Outline::Stadium => {
            let rr = (r.h / 2.0).min(r.w / 2.0);
            let a = Rect::new(
                r.x + rr * 0.3 + 3.0,
                base.y,
                (r.w - rr * 0.6 - 6.0).max(0.0),
                base.h,
            );
            (a, true, false, false)
        }
        Outline::Event => {
            let notch = (r.h / 4.0).min(r.w / 4.0);
            let rr = (r.h / 2.0).min(r.w / 3.0);
            let x = r.x + notch + 3.0;
            let a = Rect::new(x, base.y, (r.right() - rr * 0.6 - x).max(0.0), base.h);
            (a, true, false, false)
        }
        Outline::Chevron => {
            let c = (r.h / 2.0).min(r.w / 4.0);
            let a = Rect::new(
                r.x + c + 2.0,
                base.y,
                (r.w - 2.0 * c - 4.0).max(0.0),
                base.h,
            );
            (a, true, true, false)
        }
        Outline::Component => {
            let tw = 16.0_f64.min(r.w / 3.0);
            let x = r.x + tw + 4.0;
            (
                Rect::new(x, base.y, (r.right() - 5.0 - x).max(0.0), base.h),
                true,
                false,
                false,
            )
        }
        Outline::Device => {
            let a = Rect::new(base.x, base.y, base.w, (r.h * 0.75 - 10.0).max(0.0));
            (a, true, false, false)
        }
        Outline::Node => {
            let d = 12.0_f64.min(r.w / 4.0).min(r.h / 4.0);
            let a = Rect::new(r.x, r.y + d, r.w - d, r.h - d).inset(5.0, 5.0);
            (a, true, false, icon)
        }
        Outline::Wavy => {
            let wv = 8.0_f64.min(r.h / 6.0);
            (
                Rect::new(base.x, base.y, base.w, (base.h - wv).max(0.0)),
                true,
                false,
                icon,
            )
        }
        // The name in the object's band, the rest below it.
        Outline::Object | Outline::Contract | Outline::Product => {
            let top =
                r.y + ((notation::band(&r) - text::block(1, b.look.font.size)) / 2.0).max(0.0);
            (
                Rect::new(base.x, top, base.w, (base.bottom() - top).max(0.0)),
                true,
                false,
                false,
            )
        }
        Outline::Note | Outline::Group | Outline::Grouping => (base, false, false, false),
        Outline::Junction => (Rect::default(), true, false, false),
        _ => (base, true, false, icon),
    }
}

fn font_attrs(out: &mut String, f: &FontLook) {
    if !f.family.is_empty() {
        let _ = write!(out, " font-family=\"'{}', {FONTS}\"", f.family);
    }
    if (f.size - FONT_SIZE).abs() > 1e-9 {
        let _ = write!(out, " font-size=\"{}\"", num(f.size));
    }
    if f.bold {
        out.push_str(" font-weight=\"bold\"");
    }
    if f.italic {
        out.push_str(" font-style=\"italic\"");
    }
    if f.color != [0, 0, 0] {
        let _ = write!(out, " fill=\"{}\"", hex(f.color));
    }
}

fn text_line(s: &mut Svg, x: f64, y: f64, anchor: &str, f: &FontLook, t: &str) {
    s.out.push_str("<text x=\"");
    push_num(&mut s.out, x);
    s.out.push_str("\" y=\"");
    push_num(&mut s.out, y);
    s.out.push('"');
    if anchor != "start" {
        let _ = write!(s.out, " text-anchor=\"{anchor}\"");
    }
    font_attrs(&mut s.out, f);
    s.raw(">");
    escape_into(&mut s.out, t);
    s.raw("</text>");
}

/// Lines of a label in a box with the type icon in its top-right corner,
/// and the part of the box they take. The first of these that shows the
/// whole label without breaking a word wins: the first line kept clear of
/// the icon on both sides (so the text stays centred); every line kept
/// clear of it on the right; the text below the icon. When none does, the
/// first that shows most of it.
fn around_icon(b: &Shape, area: Rect, size: f64, bold: bool) -> (Rect, Vec<String>) {
    let side = ICON + 4.0;
    let icon_bottom = b.rect.y + ICON_MARGIN + ICON;
    let fit = text::lines_that_fit(area.h, size);
    let clear = |i: usize| {
        #[allow(clippy::cast_precision_loss)]
        let top = area.y + i as f64 * LINE * size;
        top >= icon_bottom
    };
    let narrow = area.w - 2.0 * side;
    let centred = text::wrap_with(
        &b.label,
        &|i| if clear(i) { area.w } else { narrow },
        size,
        bold,
        fit,
    );
    let whole = |lines: &[String]| {
        lines
            .iter()
            .flat_map(|l| l.split_whitespace())
            .eq(b.label.split_whitespace())
    };
    if whole(&centred) {
        return (area, centred);
    }
    let right = Rect::new(area.x, area.y, (area.w - side).max(0.0), area.h);
    let beside = text::wrap(&b.label, right.w, size, bold, fit);
    if whole(&beside) {
        return (right, beside);
    }
    let below_top = icon_bottom + 2.0;
    let below = Rect::new(
        area.x,
        below_top,
        area.w,
        (area.bottom() - below_top).max(0.0),
    );
    let under = text::wrap(
        &b.label,
        below.w,
        size,
        bold,
        text::lines_that_fit(below.h, size),
    );
    if whole(&under) {
        return (below, under);
    }
    // None shows it all: rather one that breaks no word before its last
    // line (`Home & Away Financial…`, not `Hom|e & Away…`), then the one
    // that shows most.
    let shown = |l: &[String]| l.iter().map(|x| x.chars().count()).sum::<usize>();
    let unbroken = |l: &[String]| {
        let mut words = b.label.split_whitespace();
        l.iter()
            .take(l.len().saturating_sub(1))
            .flat_map(|x| x.split_whitespace())
            .all(|w| words.next() == Some(w))
    };
    let score = |l: &[String]| (unbroken(l), shown(l));
    let mut best = (area, centred);
    for c in [(right, beside), (below, under)] {
        if score(&c.1) > score(&best.1) {
            best = c;
        }
    }
    best
}

fn label(s: &mut Svg, b: &Shape, tab: f64) {
    if b.label.trim().is_empty() {
        return;
    }
    let f = &b.look.font;
    let size = f.size;
    if matches!(b.outline, Outline::Group | Outline::Grouping) {
        // One line in the tab.
        let band = notation::band(&b.rect);
        let t = text::one_line(&b.label, tab - 8.0, size, f.bold);
        let block = text::block(1, size);
        if t.is_empty() || block > b.rect.h {
            return;
        }
        let top = b.rect.y + ((band - block) / 2.0).max(0.0);
        text_line(s, b.rect.x + 4.0, top + ASCENT * size, "start", f, &t);
        return;
    }
    let (area, centred, middle, icon) = label_area(b);
    let (area, lines) = if icon {
        around_icon(b, area, size, f.bold)
    } else {
        let n = text::lines_that_fit(area.h, size);
        (area, text::wrap(&b.label, area.w, size, f.bold, n))
    };
    if lines.is_empty() {
        return;
    }
    let block = text::block(lines.len(), size);
    let top = if middle {
        area.y + ((area.h - block) / 2.0).max(0.0)
    } else {
        area.y
    };
    let (x, anchor) = if centred {
        (area.x + area.w / 2.0, "middle")
    } else {
        (area.x, "start")
    };
    for (i, l) in lines.iter().enumerate() {
        if l.is_empty() {
            continue;
        }
        #[allow(clippy::cast_precision_loss)]
        let y = top + ASCENT * size + i as f64 * LINE * size;
        text_line(s, x, y, anchor, f, l);
    }
}

/// A connection's points with each end pulled back under its mark.
fn trimmed(l: &Line) -> Vec<Pt> {
    let mut pts = l.points.clone();
    let n = pts.len();
    if n < 2 {
        return pts;
    }
    let pull = |pts: &mut Vec<Pt>, at: usize, next: usize, by: f64| {
        if by <= 0.0 {
            return;
        }
        let (a, b) = (pts[at], pts[next]);
        if let Some(u) = a.towards(b) {
            if a.dist(b) > by {
                pts[at] = a.along(u, by);
            }
        }
    };
    pull(&mut pts, 0, 1, notation::inset(l.ends.0));
    pull(&mut pts, n - 1, n - 2, notation::inset(l.ends.1));
    pts
}

/// Where a connection's label goes, and its text.
fn line_label(l: &Line) -> Option<(Pt, String)> {
    if l.label.is_empty() {
        return None;
    }
    let mid = midpoint(&l.points)?;
    let t = text::one_line(&l.label, LINE_LABEL_MAX, l.look.font.size, l.look.font.bold);
    (!t.is_empty()).then_some((mid, t))
}

/// The box a connection's label covers, for the drawing's extent.
pub(super) fn line_label_box(l: &Line) -> Option<Rect> {
    let (mid, t) = line_label(l)?;
    let size = l.look.font.size;
    let w = text::width(&t, size, l.look.font.bold);
    let base = mid.y - LABEL_LIFT;
    Some(Rect::new(
        mid.x - w / 2.0,
        base - ASCENT * size,
        w,
        (ASCENT + DESCENT) * size,
    ))
}

fn line(s: &mut Svg, l: &Line) {
    if l.points.len() < 2 {
        return;
    }
    s.raw("<g class=\"connection\" data-id=\"");
    escape_into(&mut s.out, &l.connection);
    s.raw("\">");
    s.title(&l.title);
    let stroke = hex(l.look.line);
    let width = l.look.line_width;
    let pts = trimmed(l);
    let d = D::through(&pts);
    let mut ink = Ink::line(&stroke, width);
    ink.dash = notation::dash(l.kind);
    s.path(&d, &ink);
    let n = l.points.len();
    let (first, last) = (l.points[0], l.points[n - 1]);
    if let Some(u) = l.points[1].towards(first) {
        notation::draw_end(s, l.ends.0, first, u, &stroke, width);
    }
    if let Some(u) = l.points[n - 2].towards(last) {
        notation::draw_end(s, l.ends.1, last, u, &stroke, width);
    }
    if let Some((mid, t)) = line_label(l) {
        let _ = write!(
            s.out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\"",
            num(mid.x),
            num(mid.y - LABEL_LIFT)
        );
        font_attrs(&mut s.out, &l.look.font);
        s.raw(">");
        escape_into(&mut s.out, &t);
        s.raw("</text>");
    }
    s.raw("</g>\n");
}
