//! CLI tests: exact stdout, stderr and exit code of `validate` and
//! `inspect`, run from `tests/fixtures` so that paths print short.

use std::process::Command;

mod common;
use common::Out;

fn archgen(args: &[&str]) -> Out {
    common::run(
        args,
        std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures")),
    )
}

#[test]
fn validate_good_file() {
    let o = archgen(&["validate", "ok/everything-3.1.xml"]);
    assert_eq!(o.code, 0);
    // The model is clean; its one DataObject has no archgen:fields (W0103).
    assert!(
        o.stderr
            .starts_with("warning[W0103]: `Orders` has no archgen:fields"),
        "{}",
        o.stderr
    );
    assert_eq!(o.stderr.matches("warning[").count(), 1, "{}", o.stderr);
    assert_eq!(
        o.stdout,
        "ok/everything-3.1.xml: usable ArchiMate 3.1 model: 8 elements, 7 relationships, 2 views (0 errors, 1 warning); generates with the python-fastapi pack\n"
    );
}

#[test]
fn validate_file_with_a_warning() {
    let o = archgen(&["validate", "warn/undefined-property-definition.xml"]);
    assert_eq!(o.code, 0);
    assert_eq!(
        o.stdout,
        "warn/undefined-property-definition.xml: usable ArchiMate 3.0 model: 1 element, 0 relationships, 0 views (0 errors, 2 warnings); generates with the python-fastapi pack\n"
    );
    assert_eq!(
        o.stderr,
        r#"warning[W0103]: `Events` has no archgen:fields: its table `events` gets only `id`, `created_at` and the references its relationships make
 --> warn/undefined-property-definition.xml:5:5
  |
5 |     <element identifier="e-1" xsi:type="DataObject">
  |     ^
  = help: give it a property archgen:fields with the columns it holds, e.g. `id uuid pk; events_number string(64) unique; name string(200); status string(32) index; created_at timestamp index`

warning[W0001]: property refers to the undefined property definition `pd-missing`
 --> warn/undefined-property-definition.xml:9:42
  |
9 |         <property propertyDefinitionRef="pd-missing"><value>who defines me?</value></property>
  |                                          ^^^^^^^^^^
  = help: define it under <propertyDefinitions> with a <name>; until then the property has no key and archgen ignores it

"#
    );
}

#[test]
fn validate_broken_file() {
    let o = archgen(&["validate", "err/unknown-types.xml"]);
    assert_eq!(o.code, 1);
    assert_eq!(o.stdout, "");
    assert_eq!(
        o.stderr,
        r#"error: `err/unknown-types.xml` is not a usable blueprint: 3 errors, 0 warnings
error[E0008]: unknown element type `Microservice`
 --> err/unknown-types.xml:5:41
  |
5 |     <element identifier="e-1" xsi:type="Microservice"><name>Orders</name></element>
  |                                         ^^^^^^^^^^^^
  = help: use one of the ArchiMate 3.1 element types (BusinessActor, ApplicationComponent, DataObject, Node, …); `archgen validate` accepts the 2.1 names too

error[E0008]: unknown element type `Serving`
 --> err/unknown-types.xml:6:41
  |
6 |     <element identifier="e-2" xsi:type="Serving"><name>Wrong place</name></element>
  |                                         ^^^^^^^
  = help: `Serving` is a relationship type: move it under <relationships>

error[E0009]: unknown relationship type `DependsOn`
  --> err/unknown-types.xml:10:72
   |
10 |     <relationship identifier="r-1" source="e-3" target="e-3" xsi:type="DependsOn"/>
   |                                                                        ^^^^^^^^^
   = help: use one of Composition, Aggregation, Assignment, Realization, Serving, Access, Influence, Triggering, Flow, Specialization, Association

"#
    );
}

#[test]
fn validate_json_lines() {
    let o = archgen(&[
        "validate",
        "--format",
        "json",
        "err/truncated-between-tags.xml",
    ]);
    assert_eq!(o.code, 1);
    assert_eq!(
        o.stderr,
        "error: `err/truncated-between-tags.xml` is not a usable blueprint: 1 error, 0 warnings\n"
    );
    let lines: Vec<serde_json::Value> = o
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["code"], "E0002");
    assert_eq!(lines[0]["severity"], "error");
    assert_eq!(lines[0]["file"], "err/truncated-between-tags.xml");
    assert_eq!(lines[0]["line"], 5);
    assert_eq!(lines[0]["column"], 84);
}

#[test]
fn inspect_summary() {
    let o = archgen(&["inspect", "ok/archisurance-2.1.xml"]);
    assert_eq!(o.code, 0);
    assert_eq!(o.stderr, "");
    assert_eq!(
        o.stdout,
        "\
model:          Insurer (2.1) [m-21]
format:         ArchiMate exchange format 2.1 (http://www.opengroup.org/xsd/archimate)
exporter:       Archi
encoding:       UTF-8
elements:       8
  ApplicationComponent (application)     1
  AndJunction (connector)                1
  OrJunction (connector)                 1
  CommunicationNetwork (technology)      1
  Path (technology)                      1
  TechnologyFunction (technology)        1
  TechnologyInterface (technology)       1
  TechnologyService (technology)         1
relationships:  5
  Access                                 1
  Flow                                   1
  Realization                            1
  Serving                                1
  Specialization                         1
properties:     2 (2 definitions)
organizations:  2 items
views:          1
  Layered View [v-1]: 3 nodes, 1 connections
"
    );
}

#[test]
fn inspect_json_is_one_object_with_the_documented_arrays() {
    let o = archgen(&["inspect", "--json", "ok/windows-1252.xml"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    for key in [
        "elements",
        "relationships",
        "views",
        "properties",
        "propertyDefinitions",
        "organizations",
    ] {
        assert!(v[key].is_array(), "{key} missing");
    }
    assert_eq!(v["name"], "Café € model");
    assert_eq!(v["elements"][0]["name"], "Renée");
    assert_eq!(v["exporter"], "Sparx Enterprise Architect");
}

#[test]
fn inspect_of_broken_file_exits_1_with_reason_first() {
    let o = archgen(&["inspect", "--json", "err/doctype-entities.xml"]);
    assert_eq!(o.code, 1);
    assert_eq!(o.stdout, "");
    assert_eq!(
        o.stderr,
        "\
error: `err/doctype-entities.xml` is not a usable blueprint: 1 error, 0 warnings
error[E0004]: the DOCTYPE declares entities; archgen never expands or fetches them
 --> err/doctype-entities.xml:2:1
  |
2 | <!DOCTYPE model [
  | ^^^^^^^^^
  = help: remove the DOCTYPE: exchange-format files need none

"
    );
}

#[test]
fn lang_option_picks_the_variant() {
    let o = archgen(&["inspect", "--json", "--lang", "FR", "ok/everything-3.1.xml"]);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v["name"], "Boutique");
    let o = archgen(&["inspect", "--json", "ok/everything-3.1.xml"]);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v["name"], "Shop");
}

#[test]
fn missing_file_exits_2() {
    let o = archgen(&["validate", "no-such-file.xml"]);
    assert_eq!(o.code, 2);
    assert_eq!(o.stdout, "");
    assert_eq!(
        o.stderr,
        "error: cannot read `no-such-file.xml`: No such file or directory (os error 2)\n"
    );
}

#[test]
fn usage_error_exits_2() {
    let o = archgen(&["validate"]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr
            .starts_with("error: the following required arguments were not provided:"),
        "{}",
        o.stderr
    );
    let o = archgen(&["frobnicate"]);
    assert_eq!(o.code, 2);
}

#[test]
fn help_documents_exit_codes() {
    let o = archgen(&["--help"]);
    assert_eq!(o.code, 0);
    assert!(
        o.stdout.contains(
            "Exit codes:\n  0  success (warnings allowed); for `check`: in sync\n  1  the blueprint is unusable"
        ),
        "{}",
        o.stdout
    );
    let o = archgen(&["validate", "--help"]);
    assert!(o
        .stdout
        .contains("2  usage error (for `diagram`: no view has the --view given), the file"));
    let o = archgen(&["diagram", "--help"]);
    assert!(o
        .stdout
        .contains("a drawing cannot be written\n     (`diagram`)"));
}

#[test]
fn validate_refuses_what_gen_refuses() {
    let o = archgen(&["validate", "profile/gen-refuses.xml"]);
    assert_eq!(o.code, 1);
    assert_eq!(o.stdout, "");
    assert_eq!(
        o.stderr,
        r#"error: `profile/gen-refuses.xml` is not a usable blueprint: 3 errors, 0 warnings
error[E0101]: field `total` is listed twice
 --> profile/gen-refuses.xml:7:9
  |
7 |         <property propertyDefinitionRef="pd-fields"><value>id uuid pk; total bigint; total bigint</v…
  |         ^
  = help: list each field once

error[E0101]: field `amount` has the unknown type `money`
  --> profile/gen-refuses.xml:11:9
   |
11 |         <property propertyDefinitionRef="pd-fields"><value>id uuid pk; amount money</value></propert…
   |         ^
   = help: types: uuid, text, string(N), integer, bigint, numeric(P,S), boolean, date, timestamp, json; flags: pk, index, unique, nullable, pii, ref=<entity>

error[E0102]: field `customer_id` of `invoices` refers to `customers`, which is no entity
  --> profile/gen-refuses.xml:15:9
   |
15 |         <property propertyDefinitionRef="pd-fields"><value>id uuid pk; customer_id uuid ref=customer…
   |         ^
   = help: ref= names an entity's table: one of organizations, users, sessions, api_keys, orders, refunds, invoices

"#
    );
    // As JSON lines on stdout, like the model's own diagnostics.
    let o = archgen(&["validate", "--format", "json", "profile/gen-refuses.xml"]);
    assert_eq!(o.code, 1);
    let codes: Vec<String> = o
        .stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["code"].to_string())
        .collect();
    assert_eq!(codes, ["\"E0101\"", "\"E0101\"", "\"E0102\""]);
    // --pack is accepted: a pack folder, or a name that is not built in.
    let pack = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/pack-test");
    let o = archgen(&["validate", "ok/everything-3.1.xml", "--pack", pack]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stdout.ends_with("; generates with the test-pack pack\n"),
        "{}",
        o.stdout
    );
    let o = archgen(&["validate", "ok/everything-3.1.xml", "--pack", "cobol"]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.starts_with("error: "), "{}", o.stderr);
}

/// Whatever `gen` (through `explain`, which stops at the same place) says
/// of a blueprint, `validate` says the same: exit code and diagnostics.
#[test]
fn validate_gives_the_verdict_of_gen_on_every_fixture() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let mut n = 0;
    for sub in ["ok", "warn", "err", "profile", "gen"] {
        let mut files: Vec<_> = std::fs::read_dir(format!("{root}/{sub}"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for f in files {
            let rel = format!("{sub}/{}", f.file_name().unwrap().to_string_lossy());
            let v = archgen(&["validate", &rel]);
            let e = archgen(&["explain", &rel]);
            assert_eq!(v.code, e.code, "{rel}: {}", v.stderr);
            assert_eq!(v.stderr, e.stderr, "{rel}");
            n += 1;
        }
    }
    assert!(n > 30, "{n} fixtures");
}

/// `archgen explain x.xml | head`: the reader goes away; archgen stops
/// quietly with 141 (128 + SIGPIPE), as `cat` or `grep` would.
#[test]
fn a_closed_pipe_ends_quietly_with_141() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/blueprints");
    for cmd in [
        &["explain", "saas-dashboard.xml"][..],
        &["inspect", "--json", "regulated.xml"],
    ] {
        let mut codes = Vec::new();
        // The read end is closed right after the start; archgen writes only
        // once it has read the blueprint, so (almost always) after that.
        for _ in 0..5 {
            let mut child = Command::new(env!("CARGO_BIN_EXE_archgen"))
                .args(cmd)
                .current_dir(dir)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            drop(child.stdout.take());
            let o = child.wait_with_output().unwrap();
            assert_eq!(String::from_utf8_lossy(&o.stderr), "", "{cmd:?}");
            codes.push(o.status.code());
        }
        assert!(codes.contains(&Some(141)), "{cmd:?}: {codes:?}");
        assert!(
            codes.iter().all(|c| *c == Some(141) || *c == Some(0)),
            "{codes:?}"
        );
    }
}
