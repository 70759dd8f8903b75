//! Points, boxes, and where a line from a box's centre leaves it.

use serde::Serialize;

#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Pt {
    pub x: f64,
    pub y: f64,
}

impl Pt {
    pub fn new(x: f64, y: f64) -> Self {
        Pt { x, y }
    }

    pub fn dist(self, o: Pt) -> f64 {
        (self.x - o.x).hypot(self.y - o.y)
    }

    /// The unit vector from `self` towards `o`; `None` when they coincide.
    pub fn towards(self, o: Pt) -> Option<Pt> {
        let d = self.dist(o);
        (d > 1e-9).then(|| Pt::new((o.x - self.x) / d, (o.y - self.y) / d))
    }

    /// `self + v * k`.
    pub fn along(self, v: Pt, k: f64) -> Pt {
        Pt::new(self.x + v.x * k, self.y + v.y * k)
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub fn new(x: f64, y: f64, w: f64, h: f64) -> Self {
        Rect { x, y, w, h }
    }

    pub fn right(&self) -> f64 {
        self.x + self.w
    }

    pub fn bottom(&self) -> f64 {
        self.y + self.h
    }

    pub fn center(&self) -> Pt {
        Pt::new(self.x + self.w / 2.0, self.y + self.h / 2.0)
    }

    /// The smallest box holding both.
    pub fn union(&self, o: &Rect) -> Rect {
        let x = self.x.min(o.x);
        let y = self.y.min(o.y);
        Rect::new(
            x,
            y,
            self.right().max(o.right()) - x,
            self.bottom().max(o.bottom()) - y,
        )
    }

    /// The smallest box holding this one and `p`.
    pub fn with_point(&self, p: Pt) -> Rect {
        self.union(&Rect::new(p.x, p.y, 0.0, 0.0))
    }

    /// Shrunk by `dx` left and right and `dy` top and bottom (never below
    /// zero size).
    pub fn inset(&self, dx: f64, dy: f64) -> Rect {
        Rect::new(
            self.x + dx,
            self.y + dy,
            (self.w - 2.0 * dx).max(0.0),
            (self.h - 2.0 * dy).max(0.0),
        )
    }

    /// Where the ray from the centre towards `to` leaves the box (the
    /// centre when `to` is the centre).
    pub fn exit_towards(&self, to: Pt) -> Pt {
        let c = self.center();
        let (dx, dy) = (to.x - c.x, to.y - c.y);
        if dx.abs() < 1e-9 && dy.abs() < 1e-9 {
            return c;
        }
        let tx = if dx.abs() < 1e-9 {
            f64::INFINITY
        } else {
            (self.w / 2.0) / dx.abs()
        };
        let ty = if dy.abs() < 1e-9 {
            f64::INFINITY
        } else {
            (self.h / 2.0) / dy.abs()
        };
        let t = tx.min(ty);
        Pt::new(c.x + dx * t, c.y + dy * t)
    }

    /// Where the ray from the centre towards `to` leaves the ellipse that
    /// fills the box.
    pub fn exit_ellipse_towards(&self, to: Pt) -> Pt {
        let c = self.center();
        let (dx, dy) = (to.x - c.x, to.y - c.y);
        let (a, b) = (self.w / 2.0, self.h / 2.0);
        if (dx.abs() < 1e-9 && dy.abs() < 1e-9) || a <= 0.0 || b <= 0.0 {
            return c;
        }
        let t = 1.0 / ((dx / a).powi(2) + (dy / b).powi(2)).sqrt();
        Pt::new(c.x + dx * t, c.y + dy * t)
    }
}

/// The point halfway along a polyline, by length (its first point when it
/// has no length).
pub fn midpoint(points: &[Pt]) -> Option<Pt> {
    let first = *points.first()?;
    let total: f64 = points.windows(2).map(|w| w[0].dist(w[1])).sum();
    if total <= 1e-9 {
        return Some(first);
    }
    let mut left = total / 2.0;
    for w in points.windows(2) {
        let d = w[0].dist(w[1]);
        if d >= left && d > 0.0 {
            let k = left / d;
            return Some(Pt::new(
                w[0].x + (w[1].x - w[0].x) * k,
                w[0].y + (w[1].y - w[0].y) * k,
            ));
        }
        left -= d;
    }
    points.last().copied()
}

/// A number for SVG: at most two decimals, no trailing zeros, never `-0`.
pub fn num(v: f64) -> String {
    let mut s = String::new();
    push_num(&mut s, v);
    s
}

/// [`num`], appended to `out` (no allocation of its own: drawings write
/// many numbers).
pub fn push_num(out: &mut String, v: f64) {
    if !v.is_finite() {
        out.push('0');
        return;
    }
    #[allow(clippy::cast_possible_truncation)]
    let hundredths = (v * 100.0).round().clamp(-9.0e15, 9.0e15) as i64;
    if hundredths == 0 {
        out.push('0');
        return;
    }
    if hundredths < 0 {
        out.push('-');
    }
    let a = hundredths.unsigned_abs();
    push_digits(out, a / 100);
    let f = a % 100;
    if f != 0 {
        out.push('.');
        out.push(digit(f / 10));
        if f % 10 != 0 {
            out.push(digit(f % 10));
        }
    }
}

fn digit(d: u64) -> char {
    #[allow(clippy::cast_possible_truncation)]
    char::from(b'0' + d as u8)
}

/// The decimal digits of `n`, without `fmt`'s machinery (a drawing
/// writes hundreds of thousands of numbers).
fn push_digits(out: &mut String, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        #[allow(clippy::cast_possible_truncation)]
        let d = (n % 10) as u8;
        buf[i] = b'0' + d;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &b in &buf[i..] {
        out.push(char::from(b));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ray_leaves_a_box_on_its_border() {
        let r = Rect::new(0.0, 0.0, 100.0, 50.0);
        assert_eq!(r.exit_towards(Pt::new(500.0, 25.0)), Pt::new(100.0, 25.0));
        assert_eq!(r.exit_towards(Pt::new(50.0, -10.0)), Pt::new(50.0, 0.0));
        assert_eq!(r.exit_towards(Pt::new(50.0, 25.0)), Pt::new(50.0, 25.0));
        let p = r.exit_ellipse_towards(Pt::new(50.0, 1000.0));
        assert!((p.y - 50.0).abs() < 1e-9);
    }

    #[test]
    fn midpoint_by_length() {
        let pts = [Pt::new(0.0, 0.0), Pt::new(10.0, 0.0), Pt::new(10.0, 30.0)];
        assert_eq!(midpoint(&pts), Some(Pt::new(10.0, 10.0)));
        assert_eq!(midpoint(&[]), None);
    }

    #[test]
    fn numbers_are_short_and_stable() {
        assert_eq!(num(1.0), "1");
        assert_eq!(num(-0.001), "0");
        assert_eq!(num(2.346), "2.35");
        assert_eq!(num(-3.05), "-3.05");
        assert_eq!(num(0.1), "0.1");
        assert_eq!(num(1e300), "90000000000000");
        assert_eq!(num(10.5), "10.5");
        assert_eq!(num(f64::NAN), "0");
        assert_eq!(num(1_234_567.0), "1234567");
        assert_eq!(num(100.07), "100.07");
        assert_eq!(num(-0.5), "-0.5");
        assert_eq!(num(9.999), "10");
    }
}
