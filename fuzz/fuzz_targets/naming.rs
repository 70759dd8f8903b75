//! The naming functions on arbitrary names (one per line): every key is a
//! safe identifier, keys handed out by one allocator are distinct, and so
//! are their Python and SQL forms (injective); file-name segments never
//! leave their folder; string literals hold exactly one line.
#![no_main]

use archgen::naming::{self, Allocator};
use libfuzzer_sys::fuzz_target;
use std::collections::HashSet;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut alloc = Allocator::new();
    let (mut keys, mut py, mut sql) = (HashSet::new(), HashSet::new(), HashSet::new());
    for (i, name) in text.split('\n').enumerate() {
        let k = alloc.claim(&naming::key_for(Some(name), "entity", &i.to_string()));
        assert!(naming::is_key(&k), "{name:?} -> {k:?}");
        assert!(keys.insert(k.clone()), "{k} handed out twice");
        assert!(
            py.insert(naming::python_ident(&k)),
            "python form of {k} taken"
        );
        assert!(sql.insert(naming::sql_ident(&k)), "SQL form of {k} taken");

        let seg = naming::path_segment(name);
        assert!(!seg.is_empty() && seg.len() <= 255, "{name:?} -> {seg:?}");
        assert!(
            !seg.contains(['/', '\\', '\0']) && !seg.starts_with('.'),
            "{seg:?}"
        );
        for lit in [naming::py_str(name), naming::yaml_str(name)] {
            assert!(!lit.contains(['\n', '\r', '\0']), "{lit:?}");
            assert!(lit.len() >= 2 && lit.starts_with('"') && lit.ends_with('"'));
        }
        for one_line in [
            naming::markdown(name),
            naming::asciidoc(name),
            naming::comment(name),
        ] {
            assert!(!one_line.contains('\n'), "{one_line:?}");
        }
    }
});
