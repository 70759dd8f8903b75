//! Attribute values as the reader hands them to the model: references
//! unescaped, positions kept, duplicates refused, names matched as the 2.1
//! and 3.x spellings require.

use archgen::load::load_bytes;
use archgen::model::ReadOptions;

fn load(body: &str) -> archgen::load::Loaded {
    let text = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<model xmlns="http://www.opengroup.org/xsd/archimate/3.0/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" identifier="m">
<name>M</name>
{body}
</model>"#
    );
    load_bytes("attrs.xml", text.into_bytes(), &ReadOptions::default())
}

#[test]
fn references_in_values_are_unescaped_and_plain_values_kept() {
    let l = load(
        r#"<elements>
  <element identifier="a&amp;b" xsi:type="Business&#65;ctor"><name>A</name></element>
  <element identifier="plain" xsi:type="Node"><name>P</name></element>
</elements>
<relationships>
  <relationship identifier="r&lt;1&gt;" xsi:type="Serving" source="a&amp;b" target="plain"/>
</relationships>
<views><diagrams><view identifier="v"><name>V</name>
  <node identifier="n1" xsi:type="Element" elementRef="a&#x26;b" x="&#49;0" y="20" w="120" h="55"/>
</view></diagrams></views>"#,
    );
    assert_eq!(l.errors(), 0, "{:?}", l.diagnostics);
    let m = l.model.as_ref().unwrap();
    assert_eq!(m.elements[0].identifier, "a&b");
    assert_eq!(m.elements[0].kind.as_str(), "BusinessActor");
    assert_eq!(m.elements[1].identifier, "plain");
    let r = &m.relationships[0];
    assert_eq!((r.identifier.as_str(), r.source.as_str()), ("r<1>", "a&b"));
    let n = &m.views[0].nodes[0];
    assert_eq!(n.element_ref.as_deref(), Some("a&b"));
    assert_eq!(
        (n.x, n.y, n.w, n.h),
        (Some(10), Some(20), Some(120), Some(55))
    );
}

#[test]
fn a_reference_in_a_value_keeps_the_value_position() {
    // The dangling source is reported where its value starts, escaped or not.
    let l = load(
        r#"<elements><element identifier="e" xsi:type="Node"><name>E</name></element></elements>
<relationships>
  <relationship identifier="r" xsi:type="Serving" source="x&amp;y" target="e"/>
</relationships>"#,
    );
    let d = l
        .diagnostics
        .iter()
        .find(|d| d.code.as_str() == "E0007")
        .expect("a dangling reference");
    let text = d.render("attrs.xml");
    assert!(text.contains("attrs.xml:6:"), "{text}");
    let col: usize = text
        .split("attrs.xml:6:")
        .nth(1)
        .and_then(|s| s.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|s| s.parse().ok())
        .expect("a column");
    let line = "  <relationship identifier=\"r\" xsi:type=\"Serving\" source=\"x&amp;y\"";
    assert_eq!(col, line.find("x&amp;").unwrap() + 1, "{text}");
}

#[test]
fn an_undefined_entity_in_a_value_is_an_error() {
    let l = load(r#"<elements><element identifier="a&nope;" xsi:type="Node"/></elements>"#);
    assert!(l.model.is_none());
    assert_eq!(l.diagnostics[0].code.as_str(), "E0001");
    assert!(
        l.diagnostics[0].message.contains("&nope;"),
        "{:?}",
        l.diagnostics[0]
    );
}

#[test]
fn a_duplicate_attribute_is_an_error_known_or_not() {
    for tag in [
        r#"<element identifier="a" identifier="b" xsi:type="Node"/>"#,
        r#"<element identifier="a" foo="1" xsi:type="Node" foo="2"/>"#,
        // Two spellings that fill one slot, then the first again.
        r#"<element identifier="a" xsi:type="Node" q:type="x" xsi:type="Node"/>"#,
        r#"<element identifier="a" xsi:type="Node" q:type="x" q:type="y"/>"#,
        r#"<element identifier="a" xmlns:q="urn:q" xsi:type="Node" xmlns:q="urn:q"/>"#,
        r#"<element a="1" b="2" c="3" d="4" e="5" f="6" g="7" h="8" i="9" j="10" a="11" identifier="a" xsi:type="Node"/>"#,
        r#"<element a="1" b="2" c="3" d="4" e="5" f="6" g="7" h="8" i="9" j="10" j="11" identifier="a" xsi:type="Node"/>"#,
    ] {
        let l = load(&format!("<elements>{tag}</elements>"));
        assert!(l.model.is_none(), "{tag}");
        assert!(
            l.diagnostics
                .iter()
                .any(|d| d.is_error() && d.message.contains("appears twice")),
            "{tag}: {:?}",
            l.diagnostics
        );
    }
}

#[test]
fn spellings_that_differ_in_case_are_different_attributes() {
    // 2.1 writes identifierref, 3.x identifierRef: both are read, and a tag
    // with both is not a duplicate in XML terms (the last one wins).
    let l = load(
        r#"<elements><element identifier="e" xsi:type="Node"><name>E</name></element></elements>
<organizations><item identifierref="zzz" identifierRef="e"/></organizations>"#,
    );
    assert_eq!(l.errors(), 0, "{:?}", l.diagnostics);
    let m = l.model.as_ref().unwrap();
    assert_eq!(m.organizations[0].identifier_ref.as_deref(), Some("e"));
}

#[test]
fn keys_that_fill_one_slot_are_different_attributes() {
    // Any prefix's `type` is read as xsi:type; two of them on one tag are
    // two attributes in XML terms (the last one wins), not a duplicate.
    let l = load(
        r#"<elements><element identifier="e" q:type="Node" xsi:type="Device"><name>E</name></element></elements>"#,
    );
    assert_eq!(l.errors(), 0, "{:?}", l.diagnostics);
    let m = l.model.as_ref().unwrap();
    assert_eq!(m.elements[0].kind.to_string(), "Device");
}
