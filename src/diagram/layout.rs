//! A layout for views whose nodes have no position (some tools export a
//! view's contents without its diagram).
//!
//! When any node of a view lacks `x` or `y`, the whole view is laid out
//! anew, so nothing overlaps: top-level boxes go in rows by layer
//! (strategy and motivation, business, application, technology, physical,
//! implementation, the rest), at most [`PER_ROW`] to a row, in document
//! order; the children of a box go in a grid inside it, which grows to hold
//! them. A node keeps its own size when it has one. Bendpoints and
//! attachments, which belong to the lost positions, are dropped.

use super::geom::Rect;
use crate::model::{ElementType, Node, View};

/// Size of a box that has none.
pub const DEFAULT_W: f64 = 120.0;
pub const DEFAULT_H: f64 = 55.0;
/// Size of a junction that has none.
pub const JUNCTION: f64 = 15.0;
/// Top-level boxes per row.
pub const PER_ROW: usize = 6;
const GAP_X: f64 = 40.0;
const GAP_Y: f64 = 50.0;
const PAD: f64 = 15.0;
const HEADER: f64 = 28.0;
const MARGIN: f64 = 20.0;

/// True when some node of the view has no position.
pub fn needed(v: &View) -> bool {
    v.nodes.iter().any(|n| n.x.is_none() || n.y.is_none())
}

/// The row a top-level box goes in: by the layer of its element, or of the
/// first element inside it.
fn rank(t: Option<ElementType>) -> usize {
    match t.map(ElementType::layer) {
        Some("strategy" | "motivation") => 0,
        Some("business") => 1,
        Some("application") => 2,
        Some("technology") => 3,
        Some("physical") => 4,
        Some("implementation") => 5,
        _ => 6,
    }
}

/// The size a node asks for itself: its own, else the default for its kind.
fn own_size(n: &Node, t: Option<ElementType>) -> (f64, f64) {
    let (dw, dh) = if t.is_some_and(ElementType::is_junction) {
        (JUNCTION, JUNCTION)
    } else {
        (DEFAULT_W, DEFAULT_H)
    };
    let pick =
        |v: Option<i64>, d: f64| v.filter(|v| *v > 0).map_or(d, |v| super::clamp(v).max(1.0));
    (pick(n.w, dw), pick(n.h, dh))
}

/// A box for every node of `v`, in node order.
pub fn layout(v: &View, types: &[Option<ElementType>]) -> Vec<Rect> {
    let n = v.nodes.len();
    // A parent comes before its children in the list; anything else is
    // taken for a top-level node.
    let parent = |i: usize| v.nodes[i].parent.filter(|&p| p < i);
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut top = Vec::new();
    for i in 0..n {
        match parent(i) {
            Some(p) => children[p].push(i),
            None => top.push(i),
        }
    }
    // Sizes, children first (they come later in the list).
    let mut size: Vec<(f64, f64)> = (0..n).map(|i| own_size(&v.nodes[i], types[i])).collect();
    let mut first_type: Vec<Option<ElementType>> = types.to_vec();
    for i in (0..n).rev() {
        if let Some(p) = parent(i) {
            if first_type[p].is_none() {
                first_type[p] = first_type[i];
            }
        }
        if children[i].is_empty() {
            continue;
        }
        let (gw, gh) = grid_size(&children[i], &size);
        let (w, h) = size[i];
        size[i] = (w.max(gw + 2.0 * PAD), h.max(gh + HEADER + PAD));
    }
    let mut rects = vec![Rect::default(); n];
    // Top-level boxes in rows by layer.
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); 7];
    for &i in &top {
        rows[rank(first_type[i])].push(i);
    }
    let mut y = MARGIN;
    for row in rows.iter().filter(|r| !r.is_empty()) {
        for chunk in row.chunks(PER_ROW) {
            let mut x = MARGIN;
            let mut tallest: f64 = 0.0;
            for &i in chunk {
                let (w, h) = size[i];
                rects[i] = Rect::new(x, y, w, h);
                x += w + GAP_X;
                tallest = tallest.max(h);
            }
            y += tallest + GAP_Y;
        }
    }
    // Children in a grid inside their parent, parents first.
    for i in 0..n {
        if children[i].is_empty() {
            continue;
        }
        let origin = (rects[i].x + PAD, rects[i].y + HEADER);
        place_grid(&children[i], &size, origin, &mut rects);
    }
    rects
}

/// Columns of a grid of `k` boxes.
fn columns(k: usize) -> usize {
    let mut c = 1;
    while c * c < k {
        c += 1;
    }
    c
}

/// Widths of the columns and heights of the rows of the grid of `items`.
fn tracks(items: &[usize], size: &[(f64, f64)]) -> (Vec<f64>, Vec<f64>) {
    let cols = columns(items.len());
    let mut widths = vec![0.0_f64; cols];
    let mut heights = vec![0.0_f64; items.len().div_ceil(cols)];
    for (k, &i) in items.iter().enumerate() {
        widths[k % cols] = widths[k % cols].max(size[i].0);
        heights[k / cols] = heights[k / cols].max(size[i].1);
    }
    (widths, heights)
}

fn grid_size(items: &[usize], size: &[(f64, f64)]) -> (f64, f64) {
    let (w, h) = tracks(items, size);
    let gaps = |t: &[f64], g: f64| t.iter().sum::<f64>() + g * (t.len().saturating_sub(1)) as f64;
    (gaps(&w, GAP_X), gaps(&h, GAP_Y))
}

fn place_grid(items: &[usize], size: &[(f64, f64)], origin: (f64, f64), rects: &mut [Rect]) {
    let (widths, heights) = tracks(items, size);
    let cols = widths.len();
    for (k, &i) in items.iter().enumerate() {
        let (c, r) = (k % cols, k / cols);
        let x = origin.0 + widths[..c].iter().sum::<f64>() + GAP_X * c as f64;
        let y = origin.1 + heights[..r].iter().sum::<f64>() + GAP_Y * r as f64;
        rects[i] = Rect::new(x, y, size[i].0, size[i].1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grids_are_square_enough() {
        assert_eq!(columns(1), 1);
        assert_eq!(columns(4), 2);
        assert_eq!(columns(5), 3);
    }
}
