//! archgen's XML tokenizer against quick-xml on arbitrary text: the same
//! tokens (names, attributes, texts, positions) and the same errors.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Err(e) = archgen::model::agrees_with_quick_xml(text) {
            panic!("the tokenizer and quick-xml disagree on {text:?}:\n{e}");
        }
    }
});
