//! Writing SVG: escaped text and attributes, path data, and the few
//! elements a drawing is made of.

use super::geom::{push_num, Pt};
use std::fmt::Write as _;

/// Text for XML character data or a double-quoted attribute: `&`, `<`, `>`
/// and `"` escaped, and characters XML 1.0 forbids dropped (the reader
/// refuses them, but a model can be built in code).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(&mut out, text);
    out
}

pub fn escape_into(out: &mut String, text: &str) {
    // Runs of plain text are copied whole; the bytes are scanned, not
    // decoded: every character that needs a change starts with an ASCII
    // byte or (U+FFFE, U+FFFF) with 0xEF.
    let bytes = text.as_bytes();
    let mut plain = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let (replacement, len) = match b {
            b'&' => ("&amp;", 1),
            b'<' => ("&lt;", 1),
            b'>' => ("&gt;", 1),
            b'"' => ("&quot;", 1),
            b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            0..=0x1f => ("", 1),
            0xef if matches!(bytes.get(i + 1..i + 3), Some([0xbf, 0xbe | 0xbf])) => ("", 3),
            _ => {
                i += 1;
                continue;
            }
        };
        out.push_str(&text[plain..i]);
        out.push_str(replacement);
        i += len;
        plain = i;
    }
    out.push_str(&text[plain..]);
}

/// A URL path for `href`: every byte outside the unreserved characters,
/// `/`, `#` and `.` percent-encoded, so no name can turn a link into a
/// `javascript:` URL or leave the attribute.
pub fn href(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/' | b'#') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// SVG path data, numbers written by [`num`].
#[derive(Default)]
pub struct D(pub String);

impl D {
    fn cmd(&mut self, c: char, vals: &[f64]) -> &mut Self {
        if !self.0.is_empty() {
            self.0.push(' ');
        }
        self.0.push(c);
        for (i, v) in vals.iter().enumerate() {
            if i > 0 {
                self.0.push(' ');
            }
            push_num(&mut self.0, *v);
        }
        self
    }
    /// The path through `pts`: a move to the first, lines to the others.
    pub fn through(pts: &[Pt]) -> Self {
        let mut d = D::default();
        for (i, p) in pts.iter().enumerate() {
            if i == 0 {
                d.m(p.x, p.y);
            } else {
                d.l(p.x, p.y);
            }
        }
        d
    }
    pub fn m(&mut self, x: f64, y: f64) -> &mut Self {
        self.cmd('M', &[x, y])
    }
    pub fn l(&mut self, x: f64, y: f64) -> &mut Self {
        self.cmd('L', &[x, y])
    }
    pub fn h(&mut self, x: f64) -> &mut Self {
        self.cmd('H', &[x])
    }
    pub fn v(&mut self, y: f64) -> &mut Self {
        self.cmd('V', &[y])
    }
    pub fn q(&mut self, cx: f64, cy: f64, x: f64, y: f64) -> &mut Self {
        self.cmd('Q', &[cx, cy, x, y])
    }
    /// Elliptical arc with radii `rx`, `ry`; `large` and `sweep` flags.
    pub fn a(&mut self, rx: f64, ry: f64, large: bool, sweep: bool, x: f64, y: f64) -> &mut Self {
        self.cmd(
            'A',
            &[
                rx,
                ry,
                0.0,
                f64::from(u8::from(large)),
                f64::from(u8::from(sweep)),
                x,
                y,
            ],
        )
    }
    pub fn z(&mut self) -> &mut Self {
        self.cmd('Z', &[])
    }
}

/// How a mark is painted.
#[derive(Clone, Debug, PartialEq)]
pub struct Ink {
    /// `#rrggbb` or `none`.
    pub fill: String,
    pub fill_opacity: Option<f64>,
    pub stroke: String,
    pub width: f64,
    pub dash: Option<&'static str>,
}

impl Ink {
    pub fn line(stroke: &str, width: f64) -> Ink {
        Ink {
            fill: "none".into(),
            fill_opacity: None,
            stroke: stroke.to_owned(),
            width,
            dash: None,
        }
    }

    pub fn solid(fill: &str) -> Ink {
        Ink {
            fill: fill.to_owned(),
            fill_opacity: None,
            stroke: "none".into(),
            width: 0.0,
            dash: None,
        }
    }

    pub fn filled(&self, fill: &str) -> Ink {
        Ink {
            fill: fill.to_owned(),
            fill_opacity: None,
            ..self.clone()
        }
    }

    pub fn unfilled(&self) -> Ink {
        self.filled("none")
    }

    pub fn dashed(&self, dash: &'static str) -> Ink {
        Ink {
            dash: Some(dash),
            ..self.clone()
        }
    }

    fn write(&self, out: &mut String) {
        out.push_str(" fill=\"");
        out.push_str(&self.fill);
        out.push('"');
        if let Some(o) = self.fill_opacity {
            out.push_str(" fill-opacity=\"");
            push_num(out, o);
            out.push('"');
        }
        if self.stroke != "none" && self.width > 0.0 {
            out.push_str(" stroke=\"");
            out.push_str(&self.stroke);
            out.push('"');
            if (self.width - 1.0).abs() > 1e-9 {
                out.push_str(" stroke-width=\"");
                push_num(out, self.width);
                out.push('"');
            }
            if let Some(d) = self.dash {
                out.push_str(" stroke-dasharray=\"");
                out.push_str(d);
                out.push('"');
            }
        }
    }
}

/// The SVG text being written.
#[derive(Default)]
pub struct Svg {
    pub out: String,
}

impl Svg {
    pub fn raw(&mut self, s: &str) {
        self.out.push_str(s);
    }

    pub fn path(&mut self, d: &D, ink: &Ink) {
        self.out.push_str("<path d=\"");
        self.out.push_str(&d.0);
        self.out.push('"');
        ink.write(&mut self.out);
        self.out.push_str("/>");
    }

    /// ` name="value"` for a number.
    fn attr(&mut self, name: &str, v: f64) {
        self.out.push(' ');
        self.out.push_str(name);
        self.out.push_str("=\"");
        push_num(&mut self.out, v);
        self.out.push('"');
    }

    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, r: f64, ink: &Ink) {
        self.out.push_str("<rect");
        self.attr("x", x);
        self.attr("y", y);
        self.attr("width", w.max(0.0));
        self.attr("height", h.max(0.0));
        if r > 0.0 {
            self.attr("rx", r);
        }
        ink.write(&mut self.out);
        self.out.push_str("/>");
    }

    pub fn ellipse(&mut self, cx: f64, cy: f64, rx: f64, ry: f64, ink: &Ink) {
        self.out.push_str("<ellipse");
        self.attr("cx", cx);
        self.attr("cy", cy);
        self.attr("rx", rx.max(0.0));
        self.attr("ry", ry.max(0.0));
        ink.write(&mut self.out);
        self.out.push_str("/>");
    }

    pub fn circle(&mut self, cx: f64, cy: f64, r: f64, ink: &Ink) {
        self.ellipse(cx, cy, r, r, ink);
    }

    /// `<title>` with the text escaped.
    pub fn title(&mut self, text: &str) {
        self.out.push_str("<title>");
        escape_into(&mut self.out, text);
        self.out.push_str("</title>");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_forbidden_characters() {
        assert_eq!(
            escape("a<b>&\"c\"\u{1}\u{fffe}]]>"),
            "a&lt;b&gt;&amp;&quot;c&quot;]]&gt;"
        );
        // Other characters, multi-byte ones included, are kept.
        assert_eq!(
            escape("\u{ffff}é\t\u{fffd}→\n\u{1f}x\u{feff}"),
            "é\t\u{fffd}→\nx\u{feff}"
        );
    }

    #[test]
    fn hrefs_cannot_become_scripts_or_leave_the_attribute() {
        assert_eq!(href("javascript:alert(1)"), "javascript%3Aalert%281%29");
        assert_eq!(href("../../app/x y.py#a"), "../../app/x%20y.py#a");
        assert_eq!(href("\"><script>"), "%22%3E%3Cscript%3E");
    }
}
