//! `archgen validate`: the model's checks, then the profile and IR checks of
//! the pack `gen` would use, so that a blueprint `validate` calls usable
//! generates.

use super::{counts, front, plural, Format, Input, Outcome};
use std::io::Write;

pub fn validate(c: &Input, out: &mut dyn Write, err: &mut dyn Write) -> Outcome {
    let (l, pack, ir) = front(c, Some(&mut *out), err)?;
    if c.format == Format::Human {
        let m = l.usable().expect("usable");
        writeln!(
            out,
            "{}: usable ArchiMate {} model: {}, {}, {} ({}); generates with the {} pack",
            l.path,
            m.format.map_or("?", |v| v.as_str()),
            plural(m.elements.len(), "element"),
            plural(m.relationships.len(), "relationship"),
            plural(m.views.len(), "view"),
            counts(l.errors(), l.warnings()),
            pack.manifest.name
        )?;
    }
    // The process ends right after: freeing a large model piece by piece
    // only costs time.
    std::mem::forget((l, pack, ir));
    Ok(())
}
