//! Three-way merge of text, by lines: the last generated content (base), the
//! file as the user left it (ours) and the newly generated content
//! (theirs). Changes on one side only are taken; the same change on both
//! sides is taken once; different changes to the same lines are a conflict,
//! written with git-style markers so that no edit is ever lost.

use similar::algorithms::{self, Capture, Replace};
use similar::{Algorithm, DiffOp};

/// The merged text and how many conflicts it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    pub text: String,
    pub conflicts: usize,
}

/// A change to base lines `start..end`, replaced by `lines`.
#[derive(Debug, Clone)]
struct Hunk<'a> {
    start: usize,
    end: usize,
    lines: Vec<&'a str>,
}

fn lines(s: &str) -> Vec<&str> {
    s.split_inclusive('\n').collect()
}

/// The changes that take `base` to `other`, in order, adjacent ones joined.
///
/// The ops come from Myers' diff without `similar`'s compaction step:
/// `capture_diff_slices` compacts, and compaction can leave ops whose
/// indices run backwards (mitsuhiko/similar#78), which made hunks overlap
/// and the merge panic (found by the `merge` fuzz target).
fn hunks<'a>(base: &[&'a str], other: &[&'a str]) -> Vec<Hunk<'a>> {
    let mut out: Vec<Hunk<'a>> = Vec::new();
    let mut capture = Replace::new(Capture::new());
    algorithms::diff(
        Algorithm::Myers,
        &mut capture,
        base,
        0..base.len(),
        other,
        0..other.len(),
    )
    .expect("capturing ops cannot fail");
    for op in capture.into_inner().into_ops() {
        let h = match op {
            DiffOp::Equal { .. } => continue,
            DiffOp::Delete {
                old_index, old_len, ..
            } => Hunk {
                start: old_index,
                end: old_index + old_len,
                lines: vec![],
            },
            DiffOp::Insert {
                old_index,
                new_index,
                new_len,
            } => Hunk {
                start: old_index,
                end: old_index,
                lines: other[new_index..new_index + new_len].to_vec(),
            },
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => Hunk {
                start: old_index,
                end: old_index + old_len,
                lines: other[new_index..new_index + new_len].to_vec(),
            },
        };
        match out.last_mut() {
            Some(prev) if prev.end == h.start => {
                prev.end = h.end;
                prev.lines.extend(h.lines);
            }
            _ => out.push(h),
        }
    }
    out
}

/// Base lines `start..end` with `hs` applied.
fn apply<'a>(base: &[&'a str], start: usize, end: usize, hs: &[Hunk<'a>]) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut pos = start;
    for h in hs {
        out.extend_from_slice(&base[pos..h.start]);
        out.extend_from_slice(&h.lines);
        pos = h.end;
    }
    out.extend_from_slice(&base[pos..end]);
    out
}

/// Merges `ours` and `theirs`, both derived from `base`.
pub fn merge3(base: &str, ours: &str, theirs: &str) -> Merged {
    if ours == theirs {
        return Merged {
            text: ours.to_owned(),
            conflicts: 0,
        };
    }
    if ours == base {
        return Merged {
            text: theirs.to_owned(),
            conflicts: 0,
        };
    }
    if theirs == base {
        return Merged {
            text: ours.to_owned(),
            conflicts: 0,
        };
    }
    let (b, o, t) = (lines(base), lines(ours), lines(theirs));
    let (ho, ht) = (hunks(&b, &o), hunks(&b, &t));
    let mut out = String::with_capacity(ours.len().max(theirs.len()));
    let (mut i, mut j, mut pos, mut conflicts) = (0, 0, 0, 0);
    while i < ho.len() || j < ht.len() {
        let start = match (ho.get(i), ht.get(j)) {
            (Some(x), Some(y)) => x.start.min(y.start),
            (Some(x), None) => x.start,
            (None, Some(y)) => y.start,
            (None, None) => unreachable!(),
        };
        let mut end = start;
        let (i0, j0) = (i, j);
        loop {
            let mut grew = false;
            if let Some(h) = ho.get(i).filter(|h| h.start <= end) {
                end = end.max(h.end);
                i += 1;
                grew = true;
            }
            if let Some(h) = ht.get(j).filter(|h| h.start <= end) {
                end = end.max(h.end);
                j += 1;
                grew = true;
            }
            if !grew {
                break;
            }
        }
        b[pos..start].iter().for_each(|l| out.push_str(l));
        let mine = apply(&b, start, end, &ho[i0..i]);
        let new = apply(&b, start, end, &ht[j0..j]);
        if j0 == j || mine == new {
            mine.iter().for_each(|l| out.push_str(l));
        } else if i0 == i {
            new.iter().for_each(|l| out.push_str(l));
        } else {
            conflicts += 1;
            let side = |out: &mut String, v: &[&str]| {
                v.iter().for_each(|l| out.push_str(l));
                if !out.ends_with('\n') && !out.is_empty() {
                    out.push('\n');
                }
            };
            if !out.ends_with('\n') && !out.is_empty() {
                out.push('\n');
            }
            out.push_str("<<<<<<< your edit\n");
            side(&mut out, &mine);
            out.push_str("=======\n");
            side(&mut out, &new);
            out.push_str(">>>>>>> generated by archgen\n");
        }
        pos = end;
    }
    b[pos..].iter().for_each(|l| out.push_str(l));
    Merged {
        text: out,
        conflicts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disjoint_changes_merge_cleanly() {
        let base = "a\nb\nc\nd\ne\n";
        let ours = "a\nB (mine)\nc\nd\ne\n";
        let theirs = "a\nb\nc\nd\nE (new)\nf\n";
        let m = merge3(base, ours, theirs);
        assert_eq!(
            m,
            Merged {
                text: "a\nB (mine)\nc\nd\nE (new)\nf\n".into(),
                conflicts: 0
            }
        );
    }

    #[test]
    fn identical_changes_are_taken_once() {
        let m = merge3("a\nb\n", "a\nx\n", "a\nx\n");
        assert_eq!(m.text, "a\nx\n");
        let m = merge3("a\nb\nc\n", "a\nx\nc\nmine\n", "a\nx\nc\n");
        assert_eq!(
            m,
            Merged {
                text: "a\nx\nc\nmine\n".into(),
                conflicts: 0
            }
        );
    }

    #[test]
    fn overlapping_changes_conflict_and_keep_both() {
        let m = merge3("a\nb\nc\n", "a\nmine\nc\n", "a\nnew\nc\n");
        assert_eq!(m.conflicts, 1);
        assert_eq!(
            m.text,
            "a\n<<<<<<< your edit\nmine\n=======\nnew\n>>>>>>> generated by archgen\nc\n"
        );
    }

    #[test]
    fn insertions_at_the_same_place_conflict_unless_equal() {
        let m = merge3("a\nb\n", "a\nmine\nb\n", "a\nnew\nb\n");
        assert_eq!(m.conflicts, 1);
        assert!(m.text.contains("mine\n") && m.text.contains("new\n"));
    }

    #[test]
    fn edit_against_deletion_conflicts() {
        let m = merge3("a\nb\nc\n", "a\nb edited\nc\n", "a\nc\n");
        assert_eq!(m.conflicts, 1);
        assert!(m.text.contains("b edited"));
    }

    #[test]
    fn missing_final_newline_is_handled() {
        let m = merge3("a\nb", "a\nb\nmine", "x\na\nb");
        assert_eq!(
            m,
            Merged {
                text: "x\na\nb\nmine".into(),
                conflicts: 0
            }
        );
        let m = merge3("a", "mine", "new");
        assert_eq!(m.conflicts, 1);
        assert!(m.text.ends_with(">>>>>>> generated by archgen\n"));
    }

    /// Found by the `merge` fuzz target: compacted diff ops ran backwards,
    /// hunks overlapped, and `apply` sliced out of order (a panic).
    #[test]
    fn regression_ops_out_of_order_no_longer_panic() {
        let (base, ours, theirs) = ("\na\nY\nc\n", "\naBz", "\nc\n\u{1}a\nb\nc\nd\n");
        let m = merge3(base, ours, theirs);
        assert_eq!(m.conflicts, 1);
        for line in ["aBz", "\u{1}a", "b", "d"] {
            assert!(
                m.text.lines().any(|l| l == line),
                "{line:?} lost: {:?}",
                m.text
            );
        }
    }

    #[test]
    fn property_no_edit_is_ever_lost() {
        // Every line the user added survives the merge, conflict or not.
        let base: Vec<String> = (0..30).map(|i| format!("line {i}\n")).collect();
        let mut seed = 12345u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..500 {
            let mut ours = base.clone();
            let mut theirs = base.clone();
            let at = (next() % 30) as usize;
            ours[at] = format!("user edit {at}\n");
            let at2 = (next() % 30) as usize;
            theirs[at2] = format!("generated {at2}\n");
            if next() % 2 == 0 {
                theirs.remove((next() % 29) as usize);
            }
            let m = merge3(&base.concat(), &ours.concat(), &theirs.concat());
            assert!(m.text.contains(&format!("user edit {at}\n")), "{}", m.text);
        }
    }
}
