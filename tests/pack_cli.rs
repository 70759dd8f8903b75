//! `archgen pack check` and `archgen pack new`: exact stdout, stderr and
//! exit code, run from `tests/fixtures` so that paths print short; the
//! diagnostic of a broken pack is a snapshot.

use std::path::Path;

mod common;

use common::Out;

/// Runs archgen in `dir` (the arguments after it, as tests/common's `run`
/// takes them).
fn archgen_in(dir: &Path, args: &[&str]) -> Out {
    common::run(args, dir)
}

fn archgen(args: &[&str]) -> Out {
    archgen_in(
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures")),
        args,
    )
}

/// `archgen pack check PACK` exits 0, quietly on stderr, printing `stdout`.
fn check_passes(pack: &str, stdout: &str) {
    let o = archgen(&["pack", "check", pack]);
    assert_eq!(o.stderr, "");
    assert_eq!(o.code, 0);
    assert_eq!(o.stdout, stdout);
}

#[test]
fn pack_check_passes_the_builtin_pack() {
    check_passes(
        "../../templates/python-fastapi",
        "\
pack `python-fastapi` 0.1.0 (../../templates/python-fastapi), strict mode, against 6 probe IRs:
  example         117 files  ok         blueprints/saas-dashboard.xml
  metric-kinds    103 files  ok         blueprints/metric-kinds.xml
  regulated       115 files  ok         blueprints/regulated.xml
  hostile-names   123 files  ok         tests/fixtures/gen/hostile-names.xml
  empty            85 files  ok         src/pack/probes/empty.xml
  docs-only         4 files  ok         src/pack/probes/docs-only.xml
ok: every template renders against every probe IR
",
    );
    // By name, the same.
    let by_name = archgen(&["pack", "check", "python-fastapi"]);
    assert_eq!(by_name.code, 0);
    assert_eq!(by_name.stderr, "");
}

#[test]
fn pack_check_fails_a_broken_pack_at_the_right_place() {
    let o = archgen(&["pack", "check", "pack-broken"]);
    assert_eq!(o.code, 1);
    assert_eq!(
        o.stdout,
        "\
pack `broken-pack` 0.0.1 (pack-broken), strict mode, against 6 probe IRs:
  example           0 files  3 errors   blueprints/saas-dashboard.xml
  metric-kinds      0 files  2 errors   blueprints/metric-kinds.xml
  regulated         0 files  5 errors   blueprints/regulated.xml
  hostile-names     0 files  10 errors  tests/fixtures/gen/hostile-names.xml
  empty             0 files  ok         src/pack/probes/empty.xml
  docs-only         0 files  ok         src/pack/probes/docs-only.xml
"
    );
    assert!(
        o.stderr
            .starts_with("error: the pack `broken-pack` does not render: 1 error\n"),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains(" --> pack-broken/entity.txt.j2:3:22\n"));
    insta::assert_snapshot!(o.stderr);
}

/// A scratch pack: `pack.toml` with one file rule per template given.
fn scratch_pack(templates: &[(&str, &str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut toml =
        String::from("name = \"scratch\"\nversion = \"0.0.1\"\ndescription = \"a test pack\"\n");
    for (name, path, text) in templates {
        toml.push_str(&format!(
            "\n[[file]]\ntemplate = \"{name}\"\npath = \"{path}\"\nwhen = \"always\"\n"
        ));
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    std::fs::write(dir.path().join("pack.toml"), toml).unwrap();
    dir
}

#[test]
fn pack_check_reports_every_template_that_does_not_parse_and_renders_the_others() {
    let pack = scratch_pack(&[
        (
            "a.txt.j2",
            "a.txt",
            "ok\n{% for x in ir.entities %}\n{{ x.key }\n",
        ),
        (
            "b.txt.j2",
            "b.txt",
            "{{ ir.project.name | no_such_filter }}\n",
        ),
        ("c.txt.j2", "c.txt", "line\n\tline {% if %}\n"),
    ]);
    let o = archgen_in(pack.path(), &["pack", "check", "."]);
    assert_eq!(o.code, 1);
    assert_eq!(
        o.stderr,
        "\
error: the pack `scratch` does not render: 3 errors
error: syntax error: unexpected `}`, expected end of variable block
 --> ./a.txt.j2:3:10
  |
3 | {{ x.key }
  |          ^
  = help: fix the template's syntax (minijinja, close to Jinja2; see docs/pack-authoring.md)

error: syntax error: unexpected end of block
 --> ./c.txt.j2:2:13
  |
2 | \tline {% if %}
  | \t           ^^
  = help: fix the template's syntax (minijinja, close to Jinja2; see docs/pack-authoring.md)

error: unknown filter: filter no_such_filter is unknown
 --> ./b.txt.j2:1:22
  |
1 | {{ ir.project.name | no_such_filter }}
  |                      ^^^^^^^^^^^^^^
  = note: with the probe IR `example` (blueprints/saas-dashboard.xml); 6 files in 6 probe IRs meet it
  = help: use a filter, function, test or method that docs/pack-authoring.md lists

"
    );
}

#[test]
fn pack_check_names_what_is_wrong_with_the_folder() {
    let empty = tempfile::tempdir().unwrap();
    let o = archgen_in(empty.path(), &["pack", "check", "."]);
    assert_eq!(o.code, 2);
    assert_eq!(o.stdout, "");
    assert_eq!(
        o.stderr,
        "error: `.` has no pack.toml\n  = help: name a pack folder (one with pack.toml), or start one with `archgen pack new NAME .`\n"
    );
    let o = archgen(&["pack", "check", "no-such-pack"]);
    assert_eq!(o.code, 2);
    assert_eq!(
        o.stderr,
        "error: no built-in pack is named `no-such-pack` (built-in packs: python-fastapi)\n"
    );
    std::fs::write(
        empty.path().join("pack.toml"),
        "name = \"x\"\nversion = \"1\"\ndescription = \"d\"\nflavour = 1\n",
    )
    .unwrap();
    let o = archgen_in(empty.path(), &["pack", "check", "."]);
    assert_eq!(o.code, 1);
    assert!(
        o.stderr.starts_with(
            "error: pack manifest `./pack.toml` is invalid: TOML parse error at line 4, column 1"
        ),
        "{}",
        o.stderr
    );
    assert!(o.stderr.ends_with(
        "  = help: docs/pack-authoring.md lists every key of pack.toml and its values\n"
    ));
}

#[test]
fn pack_new_writes_a_pack_that_passes_check_and_generates() {
    let tmp = tempfile::tempdir().unwrap();
    let o = archgen_in(tmp.path(), &["pack", "new", "my-pack", "mine"]);
    assert_eq!(o.stderr, "");
    assert_eq!(o.code, 0);
    assert_eq!(
        o.stdout,
        "wrote the starter pack `my-pack` to mine (5 files); check it with `archgen pack check mine`, use it with `archgen gen BLUEPRINT -o OUT --pack mine`\n"
    );
    let o = archgen_in(tmp.path(), &["pack", "check", "mine"]);
    assert_eq!(o.stderr, "");
    assert_eq!(o.code, 0);
    assert!(o.stdout.starts_with("pack `my-pack` 0.1.0 (mine)"));
    let blueprint = concat!(env!("CARGO_MANIFEST_DIR"), "/blueprints/saas-dashboard.xml");
    let o = archgen_in(
        tmp.path(),
        &["gen", blueprint, "-o", "out", "--pack", "mine"],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let readme = std::fs::read_to_string(tmp.path().join("out/README.md")).unwrap();
    assert!(
        readme.contains("[Events](docs/entities/events.md)"),
        "{readme}"
    );
}

#[test]
fn pack_new_refuses_a_bad_name_and_a_folder_in_use() {
    let tmp = tempfile::tempdir().unwrap();
    let o = archgen_in(tmp.path(), &["pack", "new", "My Pack", "p"]);
    assert_eq!(o.code, 2);
    assert_eq!(
        o.stderr,
        "error: `My Pack` is not a pack name\n  = help: use lower-case ASCII letters, digits and dashes, starting with a letter (`my-pack`)\n"
    );
    assert!(!tmp.path().join("p").exists());
    std::fs::create_dir(tmp.path().join("p")).unwrap();
    std::fs::write(tmp.path().join("p/notes.txt"), "mine").unwrap();
    let o = archgen_in(tmp.path(), &["pack", "new", "ok", "p"]);
    assert_eq!(o.code, 2);
    assert_eq!(
        o.stderr,
        "error: `p` is not empty\n  = help: name a new folder, or an empty one; archgen does not write a pack over other files\n"
    );
    assert_eq!(std::fs::read_dir(tmp.path().join("p")).unwrap().count(), 1);
}

#[test]
fn pack_check_passes_the_node_pack() {
    check_passes(
        "../packs/node-minimal",
        "\
pack `node-minimal` 0.1.0 (../packs/node-minimal), strict mode, against 6 probe IRs:
  example          11 files  ok         blueprints/saas-dashboard.xml
  metric-kinds     11 files  ok         blueprints/metric-kinds.xml
  regulated        11 files  ok         blueprints/regulated.xml
  hostile-names    11 files  ok         tests/fixtures/gen/hostile-names.xml
  empty            10 files  ok         src/pack/probes/empty.xml
  docs-only         1 file   ok         src/pack/probes/docs-only.xml
ok: every template renders against every probe IR
",
    );
}

#[test]
fn pack_check_reports_errors_in_file_rules() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.j2"), "a\n").unwrap();
    std::fs::write(dir.path().join("b.j2"), "b\n").unwrap();
    std::fs::write(
        dir.path().join("pack.toml"),
        r#"name = "rules"
version = "1"
description = "file rules that cannot work"

[[file]]
template = "b.j2"
path = "x/{{ entity.nope }}.txt"
each = "entity"

[[file]]
template = "a.j2"
path = "y/{{ entity.key }}.txt"
each = "entity"
filter = "entity.nope == 1"

[[file]]
template = "a.j2"
path = "../z.txt"

[[file]]
template = "missing.j2"
path = "m.txt"
when = "always"

[[file]]
template = "a.j2"
path = "twice.txt"

[[file]]
template = "b.j2"
path = "twice.txt"
"#,
    )
    .unwrap();
    let o = archgen_in(dir.path(), &["pack", "check", "."]);
    assert_eq!(o.code, 1);
    assert_eq!(
        o.stderr,
        "\
error: the pack `rules` does not render: 5 errors
error: in the `path` `x/{{ entity.nope }}.txt` of the file rule for `b.j2`: undefined value
  = note: rendering entity `events` with the probe IR `example` (blueprints/saas-dashboard.xml); 20 files in 4 probe IRs meet it
  = help: the template reads a value this IR does not have: docs/ir.schema.json and docs/pack-authoring.md say what each variable holds; test a value that may be missing with `is defined` or `is none`

error: in the `filter` `entity.nope == 1` of the file rule for `a.j2`: undefined value
  = note: rendering entity `events` with the probe IR `example` (blueprints/saas-dashboard.xml); 20 files in 4 probe IRs meet it
  = help: the template reads a value this IR does not have: docs/ir.schema.json and docs/pack-authoring.md say what each variable holds; test a value that may be missing with `is defined` or `is none`

error: template `a.j2` renders the path \"../z.txt\", which would leave the project folder or is not a plain relative path
 --> ./a.j2
  = note: with the probe IR `example` (blueprints/saas-dashboard.xml); 5 files in 5 probe IRs meet it
  = help: build output paths from keys (`{{ entity.key }}`), which are safe names, or pass names through the `path_segment` filter

error: pack `rules` has no template `missing.j2`
 --> ./missing.j2
  = note: with the probe IR `example` (blueprints/saas-dashboard.xml); 6 files in 6 probe IRs meet it
  = help: add the file to the pack folder, or correct `template =` in the file rule

error: two file rules write `twice.txt`
  = note: with the probe IR `example` (blueprints/saas-dashboard.xml); 5 files in 5 probe IRs meet it
  = help: make the `path` of each file rule differ, for example by the key of the item it renders (`each`)

"
    );
}

/// What the node pack builds from holds nothing of the Python stack: the
/// model's own facts only (its blueprint draws a PostgreSQL database and a
/// Python runtime, which stay).
#[test]
fn the_ir_for_the_node_pack_holds_no_python_stack_fact() {
    let o = archgen(&[
        "inspect",
        "--ir",
        "--json",
        "../../blueprints/saas-dashboard.xml",
        "--pack",
        "../packs/node-minimal",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let ir = o.stdout.to_lowercase();
    for fact in [
        "fastapi",
        "sqlalchemy",
        "alembic",
        "pytest",
        "def test_",
        "compose",
    ] {
        assert!(!ir.contains(fact), "`{fact}` in the IR for node-minimal");
    }
    assert!(ir.contains("\"pack\": \"node-minimal\""));
}
