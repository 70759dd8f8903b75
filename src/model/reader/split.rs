//! The parallel split: where in a large file the second half of the views
//! begins, and reading that part on a second thread.

use super::*;

/// What the second thread read: the views, and what it noticed on the way.
pub(super) struct ViewsPart {
    /// The depth of the split it began at.
    pub(super) depth: usize,
    /// The offset just past the views' end tag.
    pub(super) end: usize,
    pub(super) views: Vec<View>,
    pub(super) diags: Vec<Diagnostic>,
    pub(super) saw_v21: bool,
    pub(super) saw_v31: bool,
}

/// Where the second thread starts: a tag the first thread checks it meets
/// in the very place assumed, as the root's child `views` or as a `view`
/// inside them.
#[derive(Clone, Copy, Debug)]
pub(super) struct Split {
    pub(super) at: usize,
    /// 1: the `<views` tag itself, the root's child; 2: a `<view` in 2.1's
    /// `<views>`; 3: a `<view` in `<views><diagrams>`.
    pub(super) depth: usize,
}

impl Split {
    /// What the reader is inside of at the tag.
    pub(super) fn stack(&self) -> &'static [Ctx] {
        &[Ctx::Model, Ctx::Views, Ctx::Diagrams][..self.depth]
    }

    pub(super) fn name(&self) -> &'static [u8] {
        if self.depth == 1 {
            b"views"
        } else {
            b"view"
        }
    }
}

/// Views cost about this much more to read than the same number of bytes
/// of elements and relationships (more attributes per byte), as measured
/// on the synthetic model in docs/benchmarks.md.
pub(super) const VIEW_BYTE_COST: (usize, usize) = (4, 3);

/// Where to split the work between two threads so that they take about as
/// long: the first thread reads everything before the split and after what
/// the second reads. That is the first `<views` tag when the views are the
/// smaller share, otherwise a `<view` tag in the middle of the views.
/// `None` when the text holds no `<views`.
pub(super) fn split_point(text: &str) -> Option<Split> {
    let bytes = text.as_bytes();
    let views = find_tag(bytes, 0, b"views")?;
    // Before the views p bytes, in them q (weighted w = 4/3): the first
    // thread takes p + w·x, the second w·(q − x); equal when
    // x = (w·q − p) / 2w.
    let (num, den) = VIEW_BYTE_COST;
    let p = views;
    let q = bytes.len() - views;
    let x = (q * num).saturating_sub(p * den) / (2 * num);
    if x == 0 {
        return Some(Split {
            at: views,
            depth: 1,
        });
    }
    let Some(view) = find_tag(bytes, views + x, b"view") else {
        return Some(Split {
            at: views,
            depth: 1,
        });
    };
    let diagrams = memchr::memmem::find(&bytes[views..view], b"<diagrams").is_some();
    Some(Split {
        at: view,
        depth: if diagrams { 3 } else { 2 },
    })
}

/// The byte after a tag's name: white space, `>` or `/`.
pub(super) fn ends_name(c: u8) -> bool {
    c == b'>' || c == b'/' || quick_xml::utils::is_whitespace(c)
}

/// The first `<name` tag (followed by space, `>` or `/`) at or after `from`.
pub(super) fn find_tag(bytes: &[u8], from: usize, name: &[u8]) -> Option<usize> {
    let mut pat = Vec::with_capacity(name.len() + 1);
    pat.push(b'<');
    pat.extend_from_slice(name);
    let finder = memchr::memmem::Finder::new(&pat);
    let mut from = from;
    while let Some(i) = finder.find(bytes.get(from..)?) {
        let at = from + i;
        match bytes.get(at + pat.len()) {
            Some(&c) if ends_name(c) => return Some(at),
            Some(_) => from = at + 1,
            None => return None,
        }
    }
    None
}

/// Reads from the split on: the `<views>` element, or the `<view>`
/// elements from there to the end of their parent. The root's namespace
/// prefixes are in scope, and the reader is inside what the split assumes.
/// `None` on any fatal error, or when the text ends first: the first thread
/// then reads that part itself and reports what is wrong.
pub(super) fn read_views(text: &str, split: Split) -> Option<ViewsPart> {
    let mut st = State::new(text);
    let mut attrs = Attrs::new(text);
    let mut tok = Tokenizer::new(text, 0);
    loop {
        match tok.next_token().ok()? {
            Token::Start { at, .. } => {
                st.attrs(tok.attrs(), tok.attr_error(), at + 1, 1, &mut attrs)
                    .ok()?;
                break;
            }
            Token::Eof => return None,
            _ => {}
        }
    }
    // The root's own attributes are the first thread's to report on.
    st.diags.clear();
    st.reported_prefixes.clear();
    st.root_seen = true;
    st.stack.extend_from_slice(split.stack());
    let mut tok = Tokenizer::new(text, split.at);
    loop {
        let token = tok.next_token().ok()?;
        if let Token::Eof = token {
            return None;
        }
        st.token(token, &tok, &mut attrs).ok()?;
        // The views element read, or the views up to their parent's end.
        if st.stack.len() == split.depth && (split.depth == 1 || tok.at_end_of_parent()) {
            break;
        }
    }
    Some(ViewsPart {
        depth: split.depth,
        end: tok.pos(),
        views: st.model.views,
        diags: st.diags,
        saw_v21: st.saw_v21,
        saw_v31: st.saw_v31,
    })
}

/// About how many `<name` children the section whose start tag is at
/// `from` holds: the `<name` tags up to the first `</names`. One quick scan,
/// so that a list of thousands is allocated once instead of doubling a
/// dozen times (each time copying it, and for a while holding both). A tag
/// inside a comment counts too: that only reserves a little too much.
pub(super) fn count_children(text: &str, from: usize, name: &[u8]) -> usize {
    let bytes = &text.as_bytes()[from..];
    let mut n = 0;
    for i in memchr::memmem::find_iter(bytes, name) {
        let before = i.checked_sub(1).map(|j| bytes[j]);
        let after = bytes.get(i + name.len()).copied();
        match (before, after) {
            (Some(b'<'), Some(c)) if ends_name(c) => n += 1,
            // `</names` ends the section.
            (Some(b'/'), Some(b's')) if i >= 2 && bytes[i - 2] == b'<' => break,
            _ => {}
        }
    }
    n
}
