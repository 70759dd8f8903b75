//! Large files have their views read on a second thread. Whatever the file,
//! the model and the diagnostics must be exactly those of reading it all on
//! one thread: every real file, every fixture, and files made to trip the
//! split (a `<views` in a comment, an error inside the views, prefixes used
//! on both sides, two views sections).

mod common;

use archgen::load::load_bytes;
use archgen::model::{parallel_split, ReadOptions};
use archgen::source::SourceFile;
use std::path::{Path, PathBuf};

/// The model as JSON and the diagnostics as rendered, read with the views
/// on a second thread (`parallel`) or not.
fn read(name: &str, bytes: &[u8], parallel: bool) -> (String, Vec<String>) {
    let opts = ReadOptions {
        parallel_from: if parallel { 0 } else { usize::MAX },
        ..ReadOptions::default()
    };
    let l = load_bytes(name, bytes.to_vec(), &opts);
    let model = serde_json::to_string(&l.model).unwrap();
    let diags = l.diagnostics.iter().map(|d| d.render(name)).collect();
    (model, diags)
}

fn same_either_way(name: &str, bytes: &[u8]) {
    let one = read(name, bytes, false);
    let two = read(name, bytes, true);
    assert!(one.0 == two.0, "{name}: the models differ");
    assert_eq!(one.1, two.1, "{name}: the diagnostics differ");
}

fn xml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            xml_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "xml") {
            out.push(p);
        }
    }
}

#[test]
fn every_fixture_and_example_reads_the_same_on_two_threads() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    xml_files(&root.join("tests/fixtures"), &mut files);
    xml_files(&root.join("blueprints"), &mut files);
    assert!(files.len() > 20, "found only {} files", files.len());
    for f in &files {
        same_either_way(&f.display().to_string(), &std::fs::read(f).unwrap());
    }
}

#[test]
fn every_real_file_reads_the_same_on_two_threads() {
    let Some(dir) = common::shared(
        "blueprints/real",
        "the one-thread/two-thread comparison on the real files",
    ) else {
        return;
    };
    let mut files = Vec::new();
    xml_files(&dir, &mut files);
    let opts = ReadOptions {
        parallel_from: 0,
        ..ReadOptions::default()
    };
    let (mut split, mut mid) = (0, 0);
    for f in &files {
        let name = f.display().to_string();
        let bytes = std::fs::read(f).unwrap();
        same_either_way(&name, &bytes);
        if let Ok(src) = SourceFile::decode(&name, bytes) {
            match parallel_split(&src, &opts) {
                Some(1) => split += 1,
                Some(_) => (split, mid) = (split + 1, mid + 1),
                None => {}
            }
        }
    }
    eprintln!(
        "compared {} real files read on one and on two threads; {split} had views read on the second, {mid} of them from a view in the middle",
        files.len()
    );
    // Nearly every real file has views: the comparison must have covered
    // the second thread, both ways of splitting, not only the fallback.
    assert!(
        split * 2 > files.len(),
        "only {split} of {} split",
        files.len()
    );
    assert!(
        mid * 4 > files.len(),
        "only {mid} of {} split in the middle of the views",
        files.len()
    );
}

const HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<model xmlns="http://www.opengroup.org/xsd/archimate/3.0/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" identifier="m">
<name>M</name>
<elements>
  <element identifier="e1" xsi:type="Node"><name>One</name></element>
  <element identifier="e2" xsi:type="Node"><name>Two</name></element>
</elements>
<relationships>
  <relationship identifier="r1" xsi:type="Serving" source="e1" target="e2"/>
</relationships>
"#;

const VIEWS: &str = r#"<views><diagrams>
  <view identifier="v1" xsi:type="Diagram"><name>V</name>
    <node identifier="n1" xsi:type="Element" elementRef="e1" x="1" y="2" w="3" h="4"/>
    <node identifier="n2" xsi:type="Element" elementRef="e2" x="10" y="20" w="30" h="40"/>
    <connection identifier="c1" xsi:type="Relationship" relationshipRef="r1" source="n1" target="n2"/>
  </view>
</diagrams></views>
"#;

/// `n` views in `<views><diagrams>`; `each` is put before every view.
fn many_views(n: usize, each: &str) -> String {
    let mut s = String::from("<views><diagrams>\n");
    for i in 0..n {
        s.push_str(each);
        s.push_str(&format!(
            "<view identifier=\"v{i}\" xsi:type=\"Diagram\"><name>V{i}</name>\n\
             <node identifier=\"n{i}a\" xsi:type=\"Element\" elementRef=\"e1\" x=\"1\" y=\"2\" w=\"3\" h=\"4\"/>\n\
             <node identifier=\"n{i}b\" xsi:type=\"Element\" elementRef=\"e2\" x=\"10\" y=\"20\" w=\"30\" h=\"40\"/>\n\
             <connection identifier=\"c{i}\" xsi:type=\"Relationship\" relationshipRef=\"r1\" source=\"n{i}a\" target=\"n{i}b\"/>\n\
             </view>\n"
        ));
    }
    s.push_str("</diagrams></views>\n");
    s
}

fn model(parts: &[&str]) -> Vec<u8> {
    let mut s = String::from(HEAD);
    for p in parts {
        s.push_str(p);
    }
    s.push_str("</model>\n");
    s.into_bytes()
}

#[test]
fn files_made_to_trip_the_split_read_the_same() {
    let many = many_views(30, "");
    // (name, file, where the second thread's share that is taken in begins:
    // 1 at <views>, 3 at a <view> in <diagrams>, 2 at a <view> in 2.1's
    // <views>, None when nothing is taken in)
    let cases: Vec<(&str, Vec<u8>, Option<usize>)> = vec![
        ("plain", model(&[VIEWS]), Some(1)),
        ("views in a comment first", model(&["<!-- <views> not here -->\n", VIEWS]), Some(3)),
        ("views in a comment first, and no view", model(&["<!-- <views> not here -->\n<views/>\n"]), None),
        ("many views", model(&[&many]), Some(3)),
        ("many views after many relationships", model(&[&"<properties/>\n".repeat(2000), &many]), Some(1)),
        ("many views, a view tag in a comment before each", model(&[&many_views(30, "<!-- <view > -->")]), None),
        ("many views, a prefix declared on diagrams", model(&[&many.replace("<diagrams>", "<diagrams xmlns:q=\"urn:q\">")]), None),
        ("many views, a prefix declared on views", model(&[&many.replace("<views>", "<views xmlns:q=\"urn:q\">")]), None),
        ("many views, in Views and Diagrams spelt otherwise", model(&[&many.replace("views>", "Views>").replace("diagrams>", "Diagrams>")]), None),
        ("many views, something after the diagrams", model(&[&many.replace("</diagrams>", "</diagrams><extra/>")]), Some(3)),
        ("many views, the last never closed", String::from_utf8(model(&[&many])).unwrap()
            .replacen("</view>\n</diagrams>", "\n</diagrams>", 1).into_bytes(), None),
        ("many views, an error in the last", model(&[&many.replace("x=\"1\"", "x=1")]), None),
        ("many views, a warning and an undeclared prefix in the last", model(&[&many.replacen(
            "<view identifier=\"v29\"", "<view dc:y=\"2\" identifier=\"v29\"", 1).replace("x=\"1\"", "x=\"one\"")]), Some(3)),
        ("many 2.1 views", model(&[&many.replace("<diagrams>", "").replace("</diagrams>", "")]), Some(2)),
        ("properties first", model(&["<properties/>\n", VIEWS]), Some(1)),
        ("empty views", model(&["<views/>\n"]), Some(1)),
        ("two views sections", model(&[VIEWS, VIEWS]), Some(3)),
        ("an error inside the views", model(&[&VIEWS.replace("x=\"1\"", "x=1")]), None),
        ("an undefined entity inside the views", model(&[&VIEWS.replace("<name>V</name>", "<name>&nope;</name>")]), None),
        ("a warning inside the views", model(&[&VIEWS.replace("x=\"1\"", "x=\"one\"")]), Some(1)),
        ("a dangling reference inside the views", model(&[&VIEWS.replace("elementRef=\"e2\"", "elementRef=\"e9\"")]), Some(1)),
        ("an undeclared prefix on both sides", model(&[
            "<properties><property propertyDefinitionRef=\"p\" dc:x=\"1\"><value>v</value></property></properties>\n",
            &VIEWS.replace("<view identifier=\"v1\"", "<view dc:y=\"2\" identifier=\"v1\""),
        ]), Some(1)),
        ("an undeclared prefix only in the views", model(&[
            &VIEWS.replace("<view identifier=\"v1\"", "<view dc:y=\"2\" identifier=\"v1\""),
        ]), Some(1)),
        ("a prefix declared on a view", model(&[
            &VIEWS.replace("<view identifier=\"v1\"", "<view xmlns:q=\"urn:q\" q:y=\"2\" identifier=\"v1\""),
        ]), Some(1)),
        ("views never closed", String::from_utf8(model(&[VIEWS])).unwrap()
            .replace("</views>\n</model>\n", "").into_bytes(), None),
        ("a mismatched end tag inside the views", model(&[&VIEWS.replace("</view>", "</vieww>")]), None),
        ("2.1 views", model(&[
            "<views><view identifier=\"v21\"><label>Old</label><node identifier=\"n9\" elementref=\"e1\"/></view></views>\n",
        ]), Some(1)),
    ];
    let opts = ReadOptions {
        parallel_from: 0,
        ..ReadOptions::default()
    };
    let mut wrong = Vec::new();
    for (name, bytes, expected) in cases {
        same_either_way(name, &bytes);
        let src = SourceFile::decode(name, bytes).unwrap();
        let split = parallel_split(&src, &opts);
        if split != expected {
            wrong.push(format!("{name}: split {split:?}, expected {expected:?}"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn small_files_stay_on_one_thread_unless_asked() {
    let src = SourceFile::decode("plain", model(&[VIEWS])).unwrap();
    assert_eq!(parallel_split(&src, &ReadOptions::default()), None);
    let (m, d) = read("plain", &model(&[VIEWS]), true);
    assert!(d.is_empty(), "{d:?}");
    assert!(m.contains("\"n2\"") && m.contains("\"c1\""), "{m}");
}
