//! Views drawn as SVG (`archgen diagram`): snapshots of small fixtures'
//! drawings, the command line (exact output and exit codes), hostile
//! names, and every view of the 47 real files (well-formed SVG, every
//! name present), which needs `../shared`.

mod common;

use archgen::diagram::{self, Drawer, ViewFiles};
use archgen::load::{load_bytes, Loaded};
use archgen::model::ReadOptions;
use quick_xml::events::Event;
use std::path::Path;

fn load(path: &Path, lang: &str) -> Loaded {
    let opts = ReadOptions {
        lang: lang.into(),
        ..ReadOptions::default()
    };
    load_bytes(
        &path.display().to_string(),
        std::fs::read(path).unwrap(),
        &opts,
    )
}

/// Every view of a file: its file name and SVG text.
fn drawn(l: &Loaded) -> Vec<(String, String)> {
    let m = l.model.as_ref().expect("a model");
    let names = diagram::file_names(m);
    let links = ViewFiles::new(m);
    let drawer = Drawer::new(m);
    (0..m.views.len())
        .map(|i| (names[i].clone(), diagram::svg(&drawer.draw(i), &links)))
        .collect()
}

/// What a parser sees in an SVG: the root's name, every `<title>`'s text,
/// the node groups (`data-id`, and the `<text>` lines inside each), and
/// every `<text>`. Panics when it is not well-formed.
struct Parsed {
    root: String,
    titles: Vec<String>,
    nodes: Vec<(String, Vec<String>)>,
    texts: Vec<String>,
}

fn parse(svg: &str, what: &str) -> Parsed {
    let mut r = quick_xml::Reader::from_str(svg);
    r.config_mut().check_end_names = true;
    let mut p = Parsed {
        root: String::new(),
        titles: Vec::new(),
        nodes: Vec::new(),
        texts: Vec::new(),
    };
    let mut depth = 0usize;
    let mut node_depth: Option<usize> = None;
    let mut in_title = false;
    let mut in_text = false;
    loop {
        match r.read_event() {
            Ok(Event::Start(e)) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                if depth == 0 {
                    p.root = name.clone();
                }
                depth += 1;
                let attr = |k: &str| {
                    e.try_get_attribute(k)
                        .unwrap()
                        .map(|a| a.unescape_value().unwrap().into_owned())
                };
                if attr("class").as_deref() == Some("node") {
                    p.nodes.push((attr("data-id").unwrap(), Vec::new()));
                    node_depth = Some(depth);
                }
                in_title = name == "title";
                in_text = name == "text";
                if in_title {
                    p.titles.push(String::new());
                }
                if in_text {
                    p.texts.push(String::new());
                    if node_depth.is_some() {
                        p.nodes.last_mut().unwrap().1.push(String::new());
                    }
                }
            }
            Ok(Event::End(_)) => {
                if node_depth == Some(depth) {
                    node_depth = None;
                }
                depth -= 1;
                in_title = false;
                in_text = false;
            }
            Ok(Event::Text(t)) => {
                let s = t.unescape().unwrap().into_owned();
                if in_title {
                    p.titles.last_mut().unwrap().push_str(&s);
                }
                if in_text {
                    p.texts.last_mut().unwrap().push_str(&s);
                    if node_depth.is_some() {
                        p.nodes
                            .last_mut()
                            .unwrap()
                            .1
                            .last_mut()
                            .unwrap()
                            .push_str(&s);
                    }
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("{what}: not well-formed at {}: {e}", r.buffer_position()),
        }
    }
    assert_eq!(depth, 0, "{what}: unclosed elements");
    p
}

/// Checks a drawing of view `vi` of `l`: well-formed, an `svg` root, one
/// node group per node, and every node's name in a tooltip.
fn check(l: &Loaded, vi: usize, svg: &str) {
    let m = l.model.as_ref().unwrap();
    let v = &m.views[vi];
    let what = format!("{} view {}", l.path, v.identifier);
    let p = parse(svg, &what);
    assert_eq!(p.root, "svg", "{what}");
    assert_eq!(p.nodes.len(), v.nodes.len(), "{what}: node groups");
    for n in &v.nodes {
        let name = match &n.element_ref {
            Some(e) => m
                .element(e)
                .and_then(|e| e.text.name.clone())
                .filter(|s| !s.trim().is_empty())
                .or_else(|| n.label.clone()),
            None => n.label.clone(),
        };
        let name = match name.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()) {
            Some(s) => s,
            None => continue,
        };
        assert!(
            p.titles.iter().any(|t| t.contains(&name)),
            "{what}: node {} ({name:?}) has no tooltip with its name",
            n.identifier
        );
    }
}

fn fixture(rel: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

#[test]
fn snapshots_of_small_views() {
    insta::glob!(
        "fixtures/{diagram/*,warn/no-positions,ok/*-2.1,ok/everything-3.1}.xml",
        |path| {
            let lang = if path.ends_with("v21.xml") {
                "fr"
            } else {
                "en"
            };
            let l = load(path, lang);
            let mut all = String::new();
            for (i, (name, svg)) in drawn(&l).into_iter().enumerate() {
                check(&l, i, &svg);
                all.push_str(&format!("===== {name} =====\n{svg}"));
            }
            insta::assert_snapshot!(all);
        }
    );
}

#[test]
fn the_same_model_draws_the_same_bytes() {
    for f in [
        "diagram/relationships.xml",
        "diagram/styles.xml",
        "warn/no-positions.xml",
    ] {
        let a = drawn(&load(&fixture(f), "en"));
        let b = drawn(&load(&fixture(f), "en"));
        assert_eq!(a, b, "{f}");
    }
}

#[test]
fn every_element_type_and_relationship_has_its_figure() {
    let l = load(&fixture("diagram/elements.xml"), "en");
    let m = l.model.as_ref().unwrap();
    assert_eq!(m.elements.len(), archgen::model::ElementType::ALL.len());
    let d = Drawer::new(m).draw(0);
    assert_eq!(d.boxes.len(), 62);
    // Each non-junction box says its type, in words, in its tooltip.
    for b in &d.boxes {
        let t = b.element_type.unwrap();
        let words = diagram::notation::type_words(t.as_str());
        assert!(b.title.ends_with(&words), "{}: {}", t, b.title);
    }
    let l = load(&fixture("diagram/relationships.xml"), "en");
    let m = l.model.as_ref().unwrap();
    let d = Drawer::new(m).draw(0);
    let kinds: std::collections::BTreeSet<_> = d.lines.iter().filter_map(|l| l.kind).collect();
    assert_eq!(kinds.len(), archgen::model::RelationshipType::ALL.len());
    let line = |id: &str| d.lines.iter().find(|l| l.connection == id).unwrap();
    // A connection to a connection ends at that connection's midpoint.
    let serving = line("cs-1");
    let mid = diagram::geom::midpoint(&serving.points).unwrap();
    assert_eq!(*line("cr-1").points.last().unwrap(), mid);
    // Attachments are the ends as given; bendpoints are passed through.
    let note = line("cn-1");
    assert_eq!(note.points.first().unwrap().x, 720.0);
    assert_eq!(note.points.last().unwrap().y, 250.0);
    assert_eq!(serving.points.len(), 4);
    // Ends sit on the borders of their boxes.
    let c0 = line("c-0");
    assert_eq!(c0.points[0].x, 120.0);
    assert_eq!(c0.points[1].x, 320.0);
}

#[test]
fn hostile_names_are_escaped_and_file_names_stay_plain() {
    let l = load(&fixture("diagram/styles.xml"), "en");
    let views = drawn(&l);
    let names: Vec<&str> = views.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["etc-passwd-main.svg", "details.svg", "view-361a9418.svg"]
    );
    let svg = &views[0].1;
    assert!(!svg.contains("<script"), "{svg}");
    assert!(svg.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; ]]&gt; 'quote'"));
    // A font name cannot carry CSS.
    assert!(svg.contains("font-family=\"'Arial evil urlx', "));
    // The reference links to the other view's file.
    assert!(svg.contains("href=\"details.svg\""));
    let p = parse(svg, "styles");
    assert!(
        p.texts.iter().any(|t| t == "<script>alert(\"x\")"),
        "{:?}",
        p.texts
    );
}

#[test]
fn labels_break_no_word_before_their_last_line() {
    let l = load(&fixture("diagram/narrow-labels.xml"), "en");
    let m = l.model.as_ref().unwrap();
    let d = Drawer::new(m).draw(0);
    let p = parse(&diagram::svg(&d, &diagram::NoLinks), "narrow-labels");
    assert_eq!(p.nodes.len(), 4);
    for ((id, lines), b) in p.nodes.iter().zip(&d.boxes) {
        let mut words = b.label.split_whitespace();
        let (last, before) = lines.split_last().expect("a label");
        for w in before.iter().flat_map(|l| l.split_whitespace()) {
            assert_eq!(Some(w), words.next(), "{id}: {lines:?}");
        }
        assert!(!last.is_empty(), "{id}: {lines:?}");
    }
}

#[test]
fn labels_fit_their_boxes_by_the_measure_used() {
    // Every line of every box's label is narrower than the box, by DejaVu
    // Sans' widths (the browser test measures as Chromium draws).
    for f in [
        "diagram/elements.xml",
        "diagram/styles.xml",
        "diagram/visual-paradigm.xml",
        "diagram/v21.xml",
        "diagram/narrow-labels.xml",
    ] {
        let l = load(&fixture(f), "en");
        let m = l.model.as_ref().unwrap();
        let d = Drawer::new(m).draw(0);
        let svg = diagram::svg(&d, &diagram::NoLinks);
        let p = parse(&svg, f);
        for ((id, lines), b) in p.nodes.iter().zip(&d.boxes) {
            assert_eq!(id, &b.node);
            for t in lines {
                let w = diagram::text::width(t, b.look.font.size, b.look.font.bold);
                assert!(
                    w <= b.rect.w - 8.0,
                    "{f}: `{t}` ({w} px) overflows {} ({} px)",
                    b.node,
                    b.rect.w
                );
            }
        }
    }
}

use common::{run as archgen, Out};

/// `archgen diagram FILE EXTRA… -o OUT`, run in the fixtures folder.
fn diagram(file: &str, out: &Path, extra: &[&str]) -> Out {
    let mut args = vec!["diagram", file];
    args.extend_from_slice(extra);
    args.extend(["-o", out.to_str().unwrap()]);
    archgen(&args, &fixtures_dir())
}

fn fixtures_dir() -> std::path::PathBuf {
    fixture("")
}

#[test]
fn cli_draws_every_view_into_the_folder() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("views");
    let o = diagram("diagram/styles.xml", &out, &[]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(o.stderr, "");
    let shown = out.display();
    assert_eq!(
        o.stdout,
        format!("{shown}/etc-passwd-main.svg\n{shown}/details.svg\n{shown}/view-361a9418.svg\n")
    );
    let l = load(&fixture("diagram/styles.xml"), "en");
    for (name, svg) in drawn(&l) {
        assert_eq!(
            std::fs::read_to_string(out.join(&name)).unwrap(),
            svg,
            "{name}"
        );
    }
    // Nothing else: no temporary file left behind.
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 3);
}

#[test]
fn cli_draws_the_view_named_by_identifier_or_name() {
    let t = tempfile::tempdir().unwrap();
    for (arg, file) in [("v-details", "details.svg"), ("Details", "details.svg")] {
        let o = diagram("diagram/styles.xml", t.path(), &["--view", arg]);
        assert_eq!(o.code, 0, "{}", o.stderr);
        assert_eq!(o.stdout, format!("{}/{file}\n", t.path().display()));
    }
    assert_eq!(std::fs::read_dir(t.path()).unwrap().count(), 1);
}

#[test]
fn cli_names_the_views_when_none_matches() {
    let t = tempfile::tempdir().unwrap();
    let o = diagram("diagram/styles.xml", t.path(), &["--view", "Nope"]);
    assert_eq!(o.code, 2);
    assert_eq!(o.stdout, "");
    assert_eq!(
        o.stderr,
        "error: no view of diagram/styles.xml has the identifier or name `Nope`\n  = help: its views: `../../etc/passwd <main>` (`v-main`), `Details` (`v-details`), `v-unnamed`\n"
    );
    assert_eq!(std::fs::read_dir(t.path()).unwrap().count(), 0);
}

#[test]
fn cli_picks_names_in_the_language_asked_for() {
    let t = tempfile::tempdir().unwrap();
    let o = diagram("diagram/v21.xml", t.path(), &["--lang", "fr"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let file = t.path().join("coordonn-es-n-gatives.svg");
    assert_eq!(o.stdout, format!("{}\n", file.display()));
    let svg = std::fs::read_to_string(file).unwrap();
    assert!(svg.contains("Traiter la"), "{svg}");
}

#[test]
fn cli_warns_about_a_view_without_positions_and_draws_it() {
    let t = tempfile::tempdir().unwrap();
    let o = diagram("warn/no-positions.xml", t.path(), &[]);
    assert_eq!(o.code, 0);
    assert_eq!(
        o.stderr,
        "warning[W0006]: 7 of the 7 nodes of view `Exported without its diagram` have no position (`x`, `y`); archgen draws the view with a layout of its own
  --> warn/no-positions.xml:22:9
   |
22 |         <node identifier=\"n-goal\" xsi:type=\"Element\" elementRef=\"e-goal\"/>
   |         ^
   = help: export the view with its diagram from the modelling tool; the automatic layout puts the boxes in rows by layer, children inside their parents

"
    );
    assert!(t.path().join("exported-without-its-diagram.svg").is_file());
}

#[test]
fn cli_refuses_an_unusable_blueprint() {
    let t = tempfile::tempdir().unwrap();
    let o = diagram("err/dangling-references.xml", t.path(), &[]);
    assert_eq!(o.code, 1);
    assert_eq!(o.stdout, "");
    assert!(
        o.stderr
            .starts_with("error: `err/dangling-references.xml` is not a usable blueprint: "),
        "{}",
        o.stderr
    );
    assert_eq!(std::fs::read_dir(t.path()).unwrap().count(), 0);
}

#[test]
fn cli_refuses_a_file_or_a_link_as_the_folder_and_writes_through_no_link() {
    let t = tempfile::tempdir().unwrap();
    let file = t.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let o = diagram("diagram/styles.xml", &file, &[]);
    assert_eq!(o.code, 1);
    assert_eq!(
        o.stderr,
        format!("error: `{}` is not a folder\n", file.display())
    );

    #[cfg(unix)]
    {
        let out = t.path().join("out");
        std::fs::create_dir(&out).unwrap();
        let victim = t.path().join("victim.txt");
        std::fs::write(&victim, "keep me").unwrap();
        std::os::unix::fs::symlink(&victim, out.join("details.svg")).unwrap();
        let o = diagram("diagram/styles.xml", &out, &["--view", "Details"]);
        assert_eq!(o.code, 1);
        assert_eq!(
            o.stderr,
            format!(
                "error: refusing to write through the symbolic link `{}`\n",
                out.join("details.svg").display()
            )
        );
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");

        let link = t.path().join("link");
        std::os::unix::fs::symlink(t.path(), &link).unwrap();
        let o = diagram("diagram/styles.xml", &link, &[]);
        assert_eq!(o.code, 1);
        assert_eq!(
            o.stderr,
            format!(
                "error: refusing to write through the symbolic link `{}`\n",
                link.display()
            )
        );
    }
}

#[test]
fn cli_says_when_there_is_nothing_to_draw() {
    let t = tempfile::tempdir().unwrap();
    let o = diagram("warn/undefined-property-definition.xml", t.path(), &[]);
    assert_eq!(o.code, 0);
    assert_eq!(
        o.stdout,
        "archgen: warn/undefined-property-definition.xml has no views; nothing to draw\n"
    );
    assert_eq!(std::fs::read_dir(t.path()).unwrap().count(), 0);
}

#[test]
fn every_view_of_every_real_file_draws() {
    let Some(dir) = common::shared("blueprints/real", "every_view_of_every_real_file_draws") else {
        return;
    };
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 47);
    let mut views = 0;
    for f in &files {
        let l = load(f, "en");
        assert!(l.usable().is_some(), "{}", f.display());
        for (i, (name, svg)) in drawn(&l).into_iter().enumerate() {
            assert!(name.ends_with(".svg") && !name.contains('/'), "{name}");
            check(&l, i, &svg);
            views += 1;
        }
    }
    assert!(views > 700, "{views} views");
}
