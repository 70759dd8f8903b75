//! The archgen:fields and archgen:metric parsers on arbitrary text: no
//! panic, and what they return holds together (each field once, at most one
//! primary key, an error whenever nothing was read).
#![no_main]

use archgen::ir::profile::{parse_fields, parse_metric};
use libfuzzer_sys::fuzz_target;
use std::collections::HashSet;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let f = parse_fields(text);
    let mut names = HashSet::new();
    for spec in &f.specs {
        assert!(
            names.insert(spec.name.to_ascii_lowercase()),
            "{text:?}: field {} kept twice",
            spec.name
        );
    }
    assert!(f.specs.iter().filter(|s| s.pk).count() <= 1, "{text:?}");
    assert!(!f.specs.is_empty() || !f.errors.is_empty(), "{text:?}");
    let entries = text.split(';').filter(|e| !e.trim().is_empty()).count();
    assert!(f.specs.len() <= entries, "{text:?}");

    let m = parse_metric(text);
    assert!(m.def.is_some() || !m.errors.is_empty(), "{text:?}");
    assert_eq!(parse_metric(text), m, "{text:?}: not deterministic");
});
