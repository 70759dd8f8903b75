//! Text in a drawing: how wide a line is, and how a label wraps into a box.
//!
//! SVG has no text layout of its own, so archgen wraps labels itself. Widths
//! are those of DejaVu Sans (the widest of the common sans-serif faces, and
//! what a Linux browser falls back to), in thousandths of an em, for ASCII
//! and Latin-1; kerning only ever makes a line narrower. Other characters
//! count a conservative 0.8 em (1 em for East Asian wide characters,
//! nothing for combining marks), so a label measured here fits its box in
//! Segoe UI, Arial or Helvetica as well.

/// Advance widths of U+0020–U+007E, then U+00A0–U+00FF, in 1/1000 em.
const REGULAR: [u16; 191] = [
    318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636, 636,
    636, 636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531, 1000, 684, 686, 698, 770, 632,
    575, 775, 752, 295, 295, 656, 557, 863, 748, 787, 603, 787, 695, 635, 611, 732, 684, 989, 685,
    611, 685, 390, 337, 390, 838, 500, 500, 613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579,
    278, 974, 634, 612, 635, 635, 411, 521, 392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838,
    318, 401, 636, 636, 636, 636, 337, 500, 500, 1000, 471, 612, 838, 361, 1000, 500, 500, 838,
    401, 401, 500, 636, 636, 318, 500, 401, 471, 612, 969, 969, 969, 531, 684, 684, 684, 684, 684,
    684, 974, 698, 632, 632, 632, 632, 295, 295, 295, 295, 775, 748, 787, 787, 787, 787, 787, 838,
    787, 732, 732, 732, 732, 611, 605, 630, 613, 613, 613, 613, 613, 613, 982, 550, 615, 615, 615,
    615, 278, 278, 278, 278, 612, 634, 612, 612, 612, 612, 612, 838, 612, 634, 634, 634, 634, 592,
    635, 592,
];

/// The same for the bold face.
const BOLD: [u16; 191] = [
    348, 456, 521, 838, 696, 1002, 872, 306, 457, 457, 523, 838, 380, 415, 380, 365, 696, 696, 696,
    696, 696, 696, 696, 696, 696, 696, 400, 400, 838, 838, 838, 580, 1000, 774, 762, 734, 830, 683,
    683, 821, 837, 372, 372, 775, 637, 995, 837, 850, 733, 850, 770, 720, 682, 812, 774, 1103, 771,
    724, 725, 457, 365, 457, 838, 500, 500, 675, 716, 593, 716, 678, 435, 716, 712, 343, 343, 665,
    343, 1042, 712, 687, 716, 716, 493, 595, 478, 712, 652, 924, 645, 652, 582, 712, 365, 712, 838,
    348, 456, 696, 696, 636, 696, 365, 500, 500, 1000, 564, 646, 838, 415, 1000, 500, 500, 838,
    438, 438, 500, 736, 636, 380, 500, 438, 564, 646, 1035, 1035, 1035, 580, 774, 774, 774, 774,
    774, 774, 1085, 734, 683, 683, 683, 683, 372, 372, 372, 372, 838, 837, 850, 850, 850, 850, 850,
    838, 850, 812, 812, 812, 812, 724, 738, 719, 675, 675, 675, 675, 675, 675, 1048, 593, 678, 678,
    678, 678, 343, 343, 343, 343, 687, 712, 687, 687, 687, 687, 687, 838, 687, 712, 712, 712, 712,
    652, 716, 652,
];

/// The top of a line's box to its baseline, and the baseline to the box's
/// bottom, in em (DejaVu Sans: 0.928 and 0.236, rounded up).
pub const ASCENT: f64 = 0.95;
pub const DESCENT: f64 = 0.25;
/// Baseline to baseline, in em.
pub const LINE: f64 = 1.2;

/// Width of one character in 1/1000 em.
fn advance(c: char, bold: bool) -> u32 {
    let table = if bold { &BOLD } else { &REGULAR };
    let u = c as u32;
    match u {
        0x20..=0x7e => u32::from(table[(u - 0x20) as usize]),
        0xa0..=0xff => u32::from(table[(u - 0xa0 + 95) as usize]),
        // Combining marks: drawn over the character before them.
        0x300..=0x36f | 0x64b..=0x65f | 0x670 | 0x200b..=0x200f | 0xfe00..=0xfe0f => 0,
        // East Asian wide and full-width forms.
        0x1100..=0x115f
        | 0x2e80..=0xa4cf
        | 0xac00..=0xd7a3
        | 0xf900..=0xfaff
        | 0xfe30..=0xfe4f
        | 0xff00..=0xff60
        | 0xffe0..=0xffe6
        | 0x20000.. => 1000,
        // Emoji and pictographs.
        0x1f000..=0x1ffff => 1250,
        _ if bold => 880,
        _ => 800,
    }
}

/// Width of `text` in 1/1000 em.
fn units(text: &str, bold: bool) -> u32 {
    text.chars().map(|c| advance(c, bold)).sum()
}

/// Width of `text` in pixels at `size` px.
pub fn width(text: &str, size: f64, bold: bool) -> f64 {
    f64::from(units(text, bold)) * size / 1000.0
}

/// Height of `lines` lines of `size` px, from the top of the first to the
/// bottom of the last.
pub fn block(lines: usize, size: f64) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let more = lines.saturating_sub(1) as f64;
    more * LINE * size + (ASCENT + DESCENT) * size
}

/// How many lines of `size` px fit in `height` px.
pub fn lines_that_fit(height: f64, size: f64) -> usize {
    let first = (ASCENT + DESCENT) * size;
    if height < first {
        return 0;
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let more = ((height - first) / (LINE * size)).floor() as usize;
    1 + more.min(10_000)
}

/// `text` wrapped into lines at most `max_width` px wide, at most
/// `max_lines` of them; the last one ends in `…` when text was left out.
/// Line breaks in the text are kept; other control characters read as
/// spaces. A word wider than a line is broken between characters. Empty
/// when not even one character fits.
pub fn wrap(text: &str, max_width: f64, size: f64, bold: bool, max_lines: usize) -> Vec<String> {
    wrap_with(text, &|_| max_width, size, bold, max_lines)
}

/// [`wrap`] with a width per line: `widths(i)` for the line at index `i`.
pub fn wrap_with(
    text: &str,
    widths: &dyn Fn(usize) -> f64,
    size: f64,
    bold: bool,
    max_lines: usize,
) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    if max_lines == 0 {
        return lines;
    }
    // Widths are sums of advances: a line's is kept as it grows, in
    // units, rather than measured again for every word.
    let px = |u: u32| f64::from(u) * size / 1000.0;
    let fits = |s: &str, i: usize| width(s, size, bold) <= widths(i);
    let space = advance(' ', bold);
    let mut cut = false;
    'paragraphs: for para in text.split('\n') {
        let para: String = para
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let mut cur = String::new();
        let mut cur_units = 0u32;
        for word in para.split_whitespace() {
            let word_units = units(word, bold);
            let joined = if cur.is_empty() {
                word_units
            } else {
                cur_units + space + word_units
            };
            if px(joined) <= widths(lines.len()) {
                if !cur.is_empty() {
                    cur.push(' ');
                }
                cur.push_str(word);
                cur_units = joined;
                continue;
            }
            if !cur.is_empty() {
                lines.push(std::mem::take(&mut cur));
                if lines.len() > max_lines {
                    cut = true;
                    break 'paragraphs;
                }
            }
            let mut rest = word;
            while !fits(rest, lines.len()) {
                let max = widths(lines.len());
                let mut end = 0;
                let mut used = 0.0;
                for (i, c) in rest.char_indices() {
                    let w = f64::from(advance(c, bold)) * size / 1000.0;
                    if used + w > max {
                        break;
                    }
                    used += w;
                    end = i + c.len_utf8();
                }
                if end == 0 {
                    return Vec::new();
                }
                lines.push(rest[..end].to_owned());
                rest = &rest[end..];
                if lines.len() > max_lines {
                    cut = true;
                    break 'paragraphs;
                }
            }
            cur = rest.to_owned();
            cur_units = units(rest, bold);
        }
        lines.push(cur);
        if lines.len() > max_lines {
            cut = true;
            break;
        }
    }
    // Blank lines at the end say nothing.
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        cut = true;
    }
    if cut {
        let last = lines.len().saturating_sub(1);
        if let Some(line) = lines.last_mut() {
            ellipsize(line, widths(last), size, bold);
        }
        if lines.last().is_some_and(String::is_empty) {
            lines.pop();
        }
    }
    lines
}

/// Width of the first word of `text` (what must fit a line for the text
/// to start on it).
pub fn first_word_width(text: &str, size: f64, bold: bool) -> f64 {
    text.split_whitespace()
        .next()
        .map_or(0.0, |w| width(w, size, bold))
}

/// `line` shortened until it and a following `…` fit `max_width`.
fn ellipsize(line: &mut String, max_width: f64, size: f64, bold: bool) {
    let ellipsis = advance('…', bold);
    let mut all = units(line, bold);
    loop {
        let kept = line.trim_end().len();
        let kept_units = all - units(&line[kept..], bold);
        if f64::from(kept_units + ellipsis) * size / 1000.0 <= max_width {
            line.truncate(kept);
            line.push('…');
            return;
        }
        match line.pop() {
            Some(c) => all -= advance(c, bold),
            None => return,
        }
    }
}

/// One line: `text` cut with `…` to `max_width` (empty when nothing fits).
pub fn one_line(text: &str, max_width: f64, size: f64, bold: bool) -> String {
    let folded: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let folded = folded.split_whitespace().collect::<Vec<_>>().join(" ");
    if width(&folded, size, bold) <= max_width {
        return folded;
    }
    let mut line = folded;
    ellipsize(&mut line, max_width, size, bold);
    if line == "…" && width("…", size, bold) > max_width {
        return String::new();
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_follow_the_table() {
        assert!((width("i", 10.0, false) - 2.78).abs() < 1e-9);
        assert!((width("M", 10.0, true) - 9.95).abs() < 1e-9);
        assert!(width("é", 12.0, false) > 0.0);
        assert_eq!(width("e\u{301}", 10.0, false), width("e", 10.0, false));
    }

    #[test]
    fn wraps_at_words_and_keeps_every_line_inside() {
        let lines = wrap("Customer Data Access Service", 100.0, 12.0, false, 5);
        assert_eq!(lines, ["Customer Data", "Access Service"]);
        for l in &lines {
            assert!(width(l, 12.0, false) <= 100.0);
        }
    }

    #[test]
    fn breaks_a_long_word_and_cuts_with_an_ellipsis() {
        let lines = wrap(&"x".repeat(100), 50.0, 12.0, false, 2);
        assert_eq!(lines.len(), 2);
        assert!(lines[1].ends_with('…'));
        for l in &lines {
            assert!(width(l, 12.0, false) <= 50.0, "{l}");
        }
    }

    #[test]
    fn keeps_line_breaks_and_drops_trailing_blank_lines() {
        assert_eq!(wrap("a\n\nb\n\n", 100.0, 12.0, false, 9), ["a", "", "b"]);
    }

    #[test]
    fn nothing_when_nothing_fits() {
        assert!(wrap("Name", 3.0, 12.0, false, 3).is_empty());
        assert!(wrap("Name", 100.0, 12.0, false, 0).is_empty());
        assert_eq!(lines_that_fit(10.0, 12.0), 0);
        assert_eq!(lines_that_fit(15.0, 12.0), 1);
        assert_eq!(one_line("Name", 2.0, 12.0, false), "");
    }

    #[test]
    fn wide_scripts_count_wide() {
        assert!(width("漢字", 10.0, false) >= 20.0);
        assert!(width("مرحبا", 10.0, false) >= 5.0 * 6.0);
    }
}
