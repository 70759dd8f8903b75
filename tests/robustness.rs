//! Hostile shapes: nesting thousands of levels deep must neither overflow the
//! stack while reading nor while serialising or dropping the model.

use archgen::load::load_bytes;
use archgen::model::ReadOptions;

const DEPTH: usize = 20_000;

fn deep_model() -> String {
    let mut s = String::from(
        r#"<model xmlns="http://www.opengroup.org/xsd/archimate/3.0/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" identifier="m"><name>Deep</name><elements><element identifier="e" xsi:type="Node"><name>N</name></element></elements><organizations>"#,
    );
    for i in 0..DEPTH {
        s.push_str(&format!("<item identifier=\"f{i}\"><label>F{i}</label>"));
    }
    s.push_str("<item identifierRef=\"e\"/>");
    s.push_str(&"</item>".repeat(DEPTH));
    s.push_str("</organizations><views><diagrams><view identifier=\"v\"><name>V</name>");
    for i in 0..DEPTH {
        s.push_str(&format!("<node identifier=\"n{i}\" xsi:type=\"Element\" elementRef=\"e\" x=\"{i}\" y=\"0\" w=\"10\" h=\"10\">"));
    }
    s.push_str(&"</node>".repeat(DEPTH));
    s.push_str("</view></diagrams></views></model>");
    s
}

#[test]
fn deep_nesting_reads_serialises_and_drops_on_a_small_stack() {
    let text = deep_model();
    // Run on a thread with a deliberately small stack.
    let handle = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            let l = load_bytes("deep.xml", text.into_bytes(), &ReadOptions::default());
            assert_eq!(l.errors(), 0, "{:?}", l.diagnostics.first());
            let m = l.model.as_ref().unwrap();
            assert_eq!(m.organizations.len(), DEPTH + 1);
            assert_eq!(m.organizations.last().unwrap().depth, DEPTH);
            assert_eq!(m.views[0].nodes.len(), DEPTH);
            assert_eq!(m.views[0].nodes[DEPTH - 1].depth, DEPTH - 1);
            assert_eq!(m.views[0].nodes[DEPTH - 1].parent, Some(DEPTH - 2));
            let json = serde_json::to_string(m).unwrap();
            assert!(json.len() > DEPTH * 50);
        })
        .unwrap();
    handle.join().expect("no stack overflow");
}

#[test]
fn deep_truncated_file_is_an_error_not_a_crash() {
    let mut text = deep_model();
    text.truncate(text.len() / 2);
    let l = load_bytes("deep.xml", text.into_bytes(), &ReadOptions::default());
    assert!(l.model.is_none());
    assert_eq!(l.diagnostics[0].code.as_str(), "E0002");
}

#[test]
fn diagnostics_never_echo_more_than_a_short_excerpt() {
    let huge = "x".repeat(100_000);
    let text = format!(
        r#"<model xmlns="http://www.opengroup.org/xsd/archimate/3.0/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" identifier="m"><elements><element identifier="{huge}" xsi:type="{huge}"/></elements></model>"#
    );
    let l = load_bytes("big.xml", text.into_bytes(), &ReadOptions::default());
    assert!(!l.diagnostics.is_empty());
    for d in &l.diagnostics {
        let r = d.render("big.xml");
        assert!(r.len() < 1_000, "{} bytes: {r}", r.len());
        assert!(d.to_json("big.xml").to_string().len() < 1_000);
    }
}
