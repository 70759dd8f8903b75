//! The three-way merge on arbitrary texts (base, yours and new, split at
//! the first two U+0001): no line either side added is ever lost, in a
//! conflict or not; a merge without conflicts writes no marker; and the
//! trivial cases give what they must.
#![no_main]

use archgen::plan::merge::merge3;
use libfuzzer_sys::fuzz_target;
use std::collections::HashMap;

fn counts(text: &str) -> HashMap<&str, usize> {
    let mut m = HashMap::new();
    for l in text.split_inclusive('\n') {
        *m.entry(l.strip_suffix('\n').unwrap_or(l)).or_default() += 1;
    }
    m
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.splitn(3, '\u{1}');
    let base = parts.next().unwrap_or("");
    let ours = parts.next().unwrap_or("");
    let theirs = parts.next().unwrap_or("");
    let m = merge3(base, ours, theirs);
    if ours == theirs || theirs == base {
        assert_eq!(m.text, ours);
    } else if ours == base {
        assert_eq!(m.text, theirs);
    }
    let (b, r) = (counts(base), counts(&m.text));
    for side in [ours, theirs] {
        for (line, n) in counts(side) {
            if n > b.get(line).copied().unwrap_or(0) {
                assert!(
                    r.contains_key(line),
                    "line {line:?} added on one side is lost:\nbase {base:?}\nours {ours:?}\ntheirs {theirs:?}\nmerged {:?}",
                    m.text
                );
            }
        }
    }
    let marked = |t: &str| t.lines().any(|l| l == "<<<<<<< your edit");
    if m.conflicts == 0 && !marked(ours) && !marked(theirs) {
        assert!(
            !marked(&m.text),
            "a marker without a conflict: {:?}",
            m.text
        );
    }
    assert_eq!(m.conflicts > 0, m.conflicts > 0 && marked(&m.text));
});
