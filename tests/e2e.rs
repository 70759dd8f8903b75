//! End-to-end: generate projects, then run *their* checks.
//!
//! Needs the Python toolchain (`scripts/setup-python.sh`, then
//! `source scripts/tool-paths.sh`) and, for the PostgreSQL leg, a database
//! URL in `ARCHGEN_PG_URL` (`scripts/pg-throwaway.sh`). `scripts/test.sh`
//! sets all of it up. Without the tools these tests say so loudly and check
//! nothing — unless `ARCHGEN_REQUIRE_TOOLS=1`, when they fail.

mod common;
use common::tree;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// PostgreSQL is one database: its users take turns.
static PG: Mutex<()> = Mutex::new(());

struct Tools {
    python: String,
    ruff: String,
    hadolint: String,
    actionlint: String,
    compose: String,
    pg_url: Option<String>,
}

fn required() -> bool {
    std::env::var("ARCHGEN_REQUIRE_TOOLS").is_ok_and(|v| v == "1")
}

fn tools() -> Option<Tools> {
    let var = |k: &str| std::env::var(k).ok().filter(|v| Path::new(v).exists());
    let t = (|| {
        Some(Tools {
            python: var("ARCHGEN_PYTHON")?,
            ruff: var("ARCHGEN_RUFF")?,
            hadolint: var("ARCHGEN_HADOLINT")?,
            actionlint: var("ARCHGEN_ACTIONLINT")?,
            compose: var("ARCHGEN_COMPOSE")?,
            pg_url: std::env::var("ARCHGEN_PG_URL")
                .ok()
                .filter(|s| !s.is_empty()),
        })
    })();
    match &t {
        None if required() => panic!("ARCHGEN_REQUIRE_TOOLS=1 but the Python toolchain is missing: run `source scripts/tool-paths.sh`"),
        None => eprintln!("\n!!! SKIPPED end-to-end checks: ARCHGEN_PYTHON etc. are not set (run scripts/test.sh) !!!\n"),
        Some(t) if t.pg_url.is_none() && required() => panic!("ARCHGEN_REQUIRE_TOOLS=1 but ARCHGEN_PG_URL is not set"),
        _ => {}
    }
    t
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs a command; on failure returns its output's tail.
fn run(cmd: &mut Command) -> Result<String, String> {
    let shown = format!("{cmd:?}");
    let o = cmd.output().map_err(|e| format!("{shown}: {e}"))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    if o.status.success() {
        Ok(text)
    } else {
        let tail: Vec<&str> = text.lines().rev().take(40).collect();
        Err(format!(
            "{shown} exited {:?}:\n{}",
            o.status.code(),
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        ))
    }
}

fn gen(blueprint: &Path, out: &Path) -> Result<String, String> {
    run(Command::new(env!("CARGO_BIN_EXE_archgen"))
        .arg("gen")
        .arg(blueprint)
        .arg("-o")
        .arg(out))
}

fn py(t: &Tools, dir: &Path, args: &[&str], db: &str) -> Result<String, String> {
    run(Command::new(&t.python)
        .args(args)
        .current_dir(dir)
        .env("DATABASE_URL", db)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env_remove("APP_ENV"))
}

/// The test database beside `db`: the generated tests run only on a
/// database whose name ends in `_test` (`x.db` → `x_test.db`, `…/archgen` →
/// `…/archgen_test`, which `scripts/pg-throwaway.sh` creates).
fn test_url(db: &str) -> String {
    match db.strip_suffix(".db") {
        Some(stem) => format!("{stem}_test.db"),
        None => format!("{db}_test"),
    }
}

/// The project's pytest on the test database beside `db` (TEST_DATABASE_URL).
fn pytest(t: &Tools, dir: &Path, db: &str) -> Result<String, String> {
    run(Command::new(&t.python)
        .args(["-m", "pytest", "-q", "-x", "-p", "no:cacheprovider"])
        .current_dir(dir)
        .env("TEST_DATABASE_URL", test_url(db))
        .env_remove("DATABASE_URL")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env_remove("APP_ENV"))
}

fn alembic(t: &Tools, dir: &Path, db: &str) -> Result<(), String> {
    py(t, dir, &["-m", "alembic", "upgrade", "head"], db)?;
    py(t, dir, &["-m", "alembic", "check"], db)?;
    Ok(())
}

/// No template syntax left in generated text (GitHub's `${{` is not one).
fn leftovers(dir: &Path) -> Vec<String> {
    let mut bad = Vec::new();
    for (path, bytes) in tree(dir) {
        if path.starts_with(".archgen/") {
            continue; // archgen's own state (JSON data), not rendered output
        }
        let text = String::from_utf8_lossy(&bytes);
        for (i, line) in text.lines().enumerate() {
            let cleaned = line.replace("${{", "");
            if ["{%", "%}", "{#", "{{"].iter().any(|m| cleaned.contains(m)) {
                bad.push(format!(
                    "{path}:{}: {}",
                    i + 1,
                    line.chars().take(120).collect::<String>()
                ));
            }
        }
    }
    bad
}

fn reset_pg(t: &Tools, url: &str) -> Result<(), String> {
    let plain = url.replace("postgresql+psycopg://", "postgresql://");
    let code = "import sys, psycopg\nwith psycopg.connect(sys.argv[1], autocommit=True) as c:\n    c.execute('DROP SCHEMA public CASCADE')\n    c.execute('CREATE SCHEMA public')\n";
    run(Command::new(&t.python).args(["-c", code, &plain])).map(|_| ())
}

/// The checks of one example project, SQLite and linters.
fn check_project(t: &Tools, dir: &Path, scratch: &Path) -> Result<(), String> {
    let left = leftovers(dir);
    if !left.is_empty() {
        return Err(format!("template syntax left over:\n{}", left.join("\n")));
    }
    // It installs (without dependencies: they are in the shared venv).
    let site = scratch.join("site");
    run(Command::new(&t.python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--ignore-requires-python",
            "--target",
        ])
        .arg(&site)
        .arg(dir))?;
    let db = format!("sqlite:///{}", scratch.join("check.db").display());
    pytest(t, dir, &db)?;
    alembic(t, dir, &db)?;
    run(Command::new(&t.ruff)
        .args(["check", "--no-cache", "."])
        .current_dir(dir))?;
    run(Command::new(&t.hadolint)
        .args(["--no-color", "docker/Dockerfile"])
        .current_dir(dir))?;
    run(Command::new(&t.actionlint)
        .args([
            "-no-color",
            "-shellcheck=",
            "-pyflakes=",
            ".github/workflows/ci.yml",
        ])
        .current_dir(dir))?;
    // Production shape: without the secrets compose refuses to start; with
    // .env.example's development values the file is valid.
    let bare = Command::new(&t.compose)
        .args(["-f", "docker/compose.yaml", "config", "--quiet"])
        .current_dir(dir)
        .env_remove("SECRET_KEY")
        .env_remove("POSTGRES_PASSWORD")
        .output()
        .map_err(|e| e.to_string())?;
    let said = String::from_utf8_lossy(&bare.stderr);
    if bare.status.success() || !(said.contains("SECRET_KEY") || said.contains("POSTGRES_PASSWORD"))
    {
        return Err(format!(
            "compose accepted the file without SECRET_KEY and POSTGRES_PASSWORD: {said}"
        ));
    }
    run(Command::new(&t.compose)
        .args([
            "--env-file",
            ".env.example",
            "-f",
            "docker/compose.yaml",
            "config",
            "--quiet",
        ])
        .current_dir(dir))?;
    Ok(())
}

fn check_on_postgres(t: &Tools, dir: &Path) -> Result<(), String> {
    let Some(url) = &t.pg_url else { return Ok(()) };
    let _turn = PG.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    reset_pg(t, url)?;
    alembic(t, dir, url)?;
    reset_pg(t, &test_url(url))?;
    pytest(t, dir, url)?;
    Ok(())
}

#[test]
fn example_blueprints_generate_projects_that_pass_their_checks() {
    let Some(t) = tools() else { return };
    let mut failures = Vec::new();
    for name in ["minimal", "saas-dashboard", "regulated", "metric-kinds"] {
        let scratch = tempfile::tempdir().unwrap();
        let out = scratch.path().join("project");
        let bp = root().join(format!("blueprints/{name}.xml"));
        let result = gen(&bp, &out)
            .and_then(|_| check_project(&t, &out, scratch.path()))
            .and_then(|()| check_on_postgres(&t, &out));
        match result {
            Ok(()) => eprintln!("e2e: {name}: pytest, alembic upgrade+check (SQLite{}), ruff, hadolint, actionlint, compose: ok", if t.pg_url.is_some() { " and PostgreSQL" } else { "" }),
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn real_models_generate_projects_whose_tests_pass() {
    let Some(t) = tools() else { return };
    let Some(dir) = common::shared(
        "blueprints/real",
        "the generated projects of the 47 real models",
    ) else {
        return;
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    files.sort();
    let (mut app, mut docs) = (0, 0);
    let mut failures = Vec::new();
    for f in &files {
        let scratch = tempfile::tempdir().unwrap();
        let out = scratch.path().join("project");
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        if let Err(e) = gen(f, &out) {
            failures.push(format!("{name}: gen failed: {e}"));
            continue;
        }
        if out.join("app").is_dir() {
            let db = format!("sqlite:///{}", scratch.path().join("t.db").display());
            match pytest(&t, &out, &db) {
                Ok(_) => app += 1,
                Err(e) => failures.push(format!("{name}: {e}")),
            }
        } else {
            let ok = out.join("README.md").is_file()
                && out.join("ARCHITECTURE.adoc").is_file()
                && out.join("docs/adr").is_dir();
            if ok {
                docs += 1;
            } else {
                failures.push(format!(
                    "{name}: docs-only project lacks README.md, ARCHITECTURE.adoc or docs/adr/"
                ));
            }
        }
    }
    eprintln!("e2e: real models: {} files, {app} projects passed pytest, {docs} docs-only projects, {} failed", files.len(), failures.len());
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Issue 16, point 4: the Flows between ArchiSurance's and ArchiMetal's
/// components are channels; each project's own tests (tests/test_outbox.py
/// among them) pass on SQLite and PostgreSQL.
#[test]
fn real_models_components_talk_through_the_outbox_on_sqlite_and_postgresql() {
    let Some(t) = tools() else { return };
    // The fixture's sender also writes a channel's entity through its
    // service's routes, which publish it.
    let mut models = vec![(root().join("tests/fixtures/gen/channels.xml"), 4)];
    if let Some(dir) = common::shared(
        "blueprints/real",
        "the outbox of ArchiSurance and ArchiMetal",
    ) {
        models.push((dir.join("og_ArchiSurance_3.1_casestudy.xml"), 29));
        models.push((dir.join("architools_ArchiMetal_V3.xml"), 34));
    }
    let mut failures = Vec::new();
    for (bp, channels) in models {
        let file = bp.file_name().unwrap().to_string_lossy().into_owned();
        let o = Command::new(env!("CARGO_BIN_EXE_archgen"))
            .args(["inspect", "--ir", "--json"])
            .arg(&bp)
            .output()
            .unwrap();
        let ir: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(
            ir["channels"].as_array().map(Vec::len),
            Some(channels),
            "{file}"
        );
        let scratch = tempfile::tempdir().unwrap();
        let out = scratch.path().join("project");
        let result = gen(&bp, &out)
            .and_then(|_| {
                if out.join("tests/test_outbox.py").is_file() {
                    Ok(())
                } else {
                    Err("no tests/test_outbox.py".into())
                }
            })
            .and_then(|()| check_project(&t, &out, scratch.path()))
            .and_then(|()| check_on_postgres(&t, &out));
        match result {
            Ok(()) => eprintln!("e2e: {file}: {channels} channels; pytest (SQLite{}), ruff, hadolint, actionlint, compose: ok", if t.pg_url.is_some() { " and PostgreSQL" } else { "" }),
            Err(e) => failures.push(format!("{file}: {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn hostile_names_generate_a_project_that_passes_and_stays_inside() {
    let Some(t) = tools() else { return };
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("project");
    gen(&root().join("tests/fixtures/gen/hostile-names.xml"), &out).unwrap();
    // Nothing outside -o.
    let siblings: Vec<_> = std::fs::read_dir(scratch.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(siblings, vec![std::ffi::OsString::from("project")]);
    let files = tree(&out);
    assert!(files
        .keys()
        .all(|p| !p.contains("..") && !p.starts_with('/')));
    let left = leftovers(&out);
    assert!(
        left.is_empty(),
        "template syntax in the output:\n{}",
        left.join("\n")
    );
    let db = format!("sqlite:///{}", scratch.path().join("t.db").display());
    pytest(&t, &out, &db).unwrap();
    alembic(&t, &out, &db).unwrap();
    run(Command::new(&t.ruff)
        .args(["check", "--no-cache", "."])
        .current_dir(&out))
    .unwrap();
}

#[test]
fn the_dashboard_page_works_in_headless_chromium() {
    let Some(t) = tools() else { return };
    if !chromium_is_there("the dashboard's browser test") {
        return;
    }
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("project");
    gen(&root().join("blueprints/saas-dashboard.xml"), &out).unwrap();
    let script = root().join("tests/browser/dashboard_test.py");
    // The screenshots (desktop and phone widths) stay under target/ for a person to look at.
    let shots = root().join("target/screenshots");
    let text = run(Command::new(&t.python)
        .arg(&script)
        .arg(&out)
        .arg(&shots)
        .env_remove("DATABASE_URL"))
    .unwrap();
    assert!(text.contains("daily_active_users card shows 3"), "{text}");
    assert!(
        text.contains("axe-core finds no serious or critical violation"),
        "{text}"
    );
    assert!(shots.join("dashboard-phone.png").is_file());
    eprintln!("e2e: {}", text.trim());
}

/// The entity browser of a project without metrics, in headless Chromium
/// (tests/browser/browse_test.py): signs in, creates a record of an entity
/// through its form, then one of an entity that must refer to it through
/// the reference's drop-down, and sees both in their lists; axe-core finds
/// no serious or critical violation; nothing scrolls sideways at a phone's
/// width. The data-relations fixture always; with `../shared`, the Open
/// Group's ArchiSurance case study. Screenshots go to
/// target/screenshots/<name>/browser-*.png.
#[test]
fn the_entity_browser_works_in_headless_chromium() {
    let Some(t) = tools() else { return };
    if !chromium_is_there("the entity browser's test") {
        return;
    }
    let mut models = vec![(
        "data-relations",
        root().join("tests/fixtures/gen/data-relations.xml"),
    )];
    if let Some(real) = common::shared("blueprints/real", "the entity browser on ArchiSurance") {
        models.push((
            "archisurance",
            real.join("og_ArchiSurance_3.1_casestudy.xml"),
        ));
    }
    for (name, model) in models {
        let scratch = tempfile::tempdir().unwrap();
        let out = scratch.path().join("project");
        gen(&model, &out).unwrap();
        let shots = root().join("target/screenshots").join(name);
        let text = run(Command::new(&t.python)
            .arg(root().join("tests/browser/browse_test.py"))
            .arg(&out)
            .arg(&shots)
            .env_remove("DATABASE_URL"))
        .unwrap();
        assert!(
            text.contains("through its form; the list shows it"),
            "{name}: {text}"
        );
        assert!(text.contains("through the drop-down"), "{name}: {text}");
        assert!(
            text.contains("axe-core finds no serious or critical violation"),
            "{name}: {text}"
        );
        assert!(shots.join("browser-phone.png").is_file(), "{name}");
        eprintln!("e2e {name}: {}", text.trim());
    }
}

/// Whether headless Chromium is there for a browser test (`ARCHGEN_CHROMIUM`,
/// by default /usr/bin/chromium); when it is not, the test is skipped with
/// one loud line, or fails under `ARCHGEN_REQUIRE_TOOLS=1`.
fn chromium_is_there(test: &str) -> bool {
    let chromium = std::env::var("ARCHGEN_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if Path::new(&chromium).exists() {
        return true;
    }
    assert!(
        !required(),
        "ARCHGEN_REQUIRE_TOOLS=1 but {chromium} is missing"
    );
    eprintln!("\n!!! SKIPPED {test}: {chromium} is missing !!!\n");
    false
}

/// The extent of view `v` as the exchange file gives it: every node's box
/// and every bendpoint. `None` when a node lacks a position or a size (archgen
/// lays such a view out itself).
fn view_bounds(v: &archgen::model::View) -> Option<[i64; 4]> {
    let mut b = [i64::MAX, i64::MAX, i64::MIN, i64::MIN];
    let mut add = |x0: i64, y0: i64, x1: i64, y1: i64| {
        b = [b[0].min(x0), b[1].min(y0), b[2].max(x1), b[3].max(y1)];
    };
    for n in &v.nodes {
        let (x, y, w, h) = (n.x?, n.y?, n.w?, n.h?);
        add(x, y, x + w, y + h);
    }
    for c in &v.connections {
        for p in &c.bendpoints {
            add(p.x, p.y, p.x, p.y);
        }
    }
    (b[0] <= b[2]).then_some(b)
}

/// A handful of views drawn by `archgen diagram`, opened in headless
/// Chromium (tests/browser/views_test.py): the drawing's extent is the
/// view's bounds from the file, nothing is clipped, no label overflows its
/// box as Chromium measures it. The example's view and two fixtures always;
/// with `../shared`, the two largest views of an Archi export, a Sparx EA
/// export and the Open Group's ArchiSurance case study. Screenshots go to
/// target/screenshots/view-*.png for a person to look at.
#[test]
fn drawn_views_fit_their_bounds_in_headless_chromium() {
    let Some(t) = tools() else { return };
    if !chromium_is_there("the views' browser test") {
        return;
    }
    let mut files: Vec<(String, PathBuf, usize)> = vec![
        (
            "example".into(),
            root().join("blueprints/saas-dashboard.xml"),
            1,
        ),
        (
            "styles".into(),
            root().join("tests/fixtures/diagram/styles.xml"),
            1,
        ),
        (
            "relationships".into(),
            root().join("tests/fixtures/diagram/relationships.xml"),
            1,
        ),
    ];
    if let Some(real) = common::shared("blueprints/real", "the real views of the browser test") {
        for (short, file) in [
            ("archi", "archi_test_archisurance_2019.xml"),
            ("sparx", "arktect_aoeff_3_0_sparx.xml"),
            ("opengroup", "og_ArchiSurance_3.1_casestudy.xml"),
        ] {
            files.push((short.into(), real.join(file), 2));
        }
    }
    let scratch = tempfile::tempdir().unwrap();
    let mut manifest = Vec::new();
    for (short, file, most) in &files {
        let l = archgen::load::load_bytes(
            &file.display().to_string(),
            std::fs::read(file).unwrap(),
            &archgen::model::ReadOptions::default(),
        );
        let m = l.usable().expect("a usable model");
        let names = archgen::diagram::file_names(m);
        // The largest views with bounds, in document order on a tie.
        let mut chosen: Vec<(usize, [i64; 4])> = m
            .views
            .iter()
            .enumerate()
            .filter_map(|(i, v)| Some((i, view_bounds(v)?)))
            .collect();
        chosen.sort_by_key(|&(i, _)| (std::cmp::Reverse(m.views[i].nodes.len()), i));
        chosen.truncate(*most);
        assert!(
            !chosen.is_empty(),
            "{}: no view with bounds",
            file.display()
        );
        for (i, bounds) in chosen {
            let v = &m.views[i];
            let dir = scratch.path().join(format!("{short}-{i}"));
            run(Command::new(env!("CARGO_BIN_EXE_archgen"))
                .arg("diagram")
                .arg(file)
                .args(["--view", &v.identifier, "-o"])
                .arg(&dir))
            .unwrap();
            let stem = names[i].trim_end_matches(".svg");
            manifest.push(serde_json::json!({
                "name": format!("{short}-{stem}"),
                "svg": dir.join(&names[i]),
                "bounds": bounds,
            }));
        }
    }
    let list = scratch.path().join("views.json");
    std::fs::write(&list, serde_json::to_vec_pretty(&manifest).unwrap()).unwrap();
    let shots = root().join("target/screenshots");
    let text = run(Command::new(&t.python)
        .arg(root().join("tests/browser/views_test.py"))
        .arg(&list)
        .arg(&shots))
    .unwrap();
    assert!(
        text.contains(&format!("{} views checked", manifest.len())),
        "{text}"
    );
    eprintln!("e2e: {}", text.trim());
}

/// One blueprint version: the fields of its Events and (optionally) Notes.
fn versioned_blueprint(events_fields: &str, notes: bool) -> String {
    let base = std::fs::read_to_string(root().join("blueprints/minimal.xml")).unwrap();
    let start = base
        .find("id uuid pk;")
        .expect("minimal.xml lists the events' fields");
    let end = start + base[start..].find('<').unwrap();
    let mut out = format!("{}{events_fields}{}", &base[..start], &base[end..]);
    if notes {
        let at = out.find("</elements>").unwrap();
        out.insert_str(at, "<element identifier=\"id-do-notes\" xsi:type=\"DataObject\"><name xml:lang=\"en\">Notes</name></element>\n");
    }
    out
}

/// Upgrades a database holding rows through three blueprint versions: a new
/// entity, a new field, a dropped field. Rows survive every step.
fn upgrade_through_versions(t: &Tools, db: &str, scratch: &Path) -> Result<(), String> {
    let v1 =
        "id uuid pk; name string(100) index; user_id string(64) index; occurred_at timestamp index";
    let v3 = "id uuid pk; name string(100) index; user_id string(64) index; plan string(32) nullable; note_id uuid nullable ref=notes; occurred_at timestamp index";
    let versions = [(v1, false), (v1, true), (v3, true), (v1, true)];
    let out = scratch.join("project");
    let count = "import os, sys, sqlalchemy as sa\ne = sa.create_engine(os.environ['DATABASE_URL'])\nwith e.begin() as c:\n    print(c.execute(sa.text(sys.argv[1])).scalar())\n";
    for (i, (fields, notes)) in versions.iter().enumerate() {
        let bp = scratch.join(format!("v{i}.xml"));
        std::fs::write(&bp, versioned_blueprint(fields, *notes)).unwrap();
        let o = Command::new(env!("CARGO_BIN_EXE_archgen"))
            .arg("gen")
            .arg(&bp)
            .arg("-o")
            .arg(&out)
            .output()
            .unwrap();
        if !o.status.success() {
            return Err(format!("gen v{i}: {}", String::from_utf8_lossy(&o.stderr)));
        }
        if i == 3
            && !String::from_utf8_lossy(&o.stderr)
                .contains("column `events.note_id` is no longer in the blueprint")
        {
            return Err(format!(
                "no data-loss warning for the dropped field: {}",
                String::from_utf8_lossy(&o.stderr)
            ));
        }
        alembic(t, &out, db)?;
        if i == 0 {
            let seed = "import os, uuid, datetime as dt, sqlalchemy as sa\nmd = sa.MetaData()\norgs = sa.Table('organizations', md, sa.Column('id', sa.Uuid()), sa.Column('name', sa.String()), sa.Column('created_at', sa.DateTime(timezone=True)))\nev = sa.Table('events', md, sa.Column('id', sa.Uuid()), sa.Column('name', sa.String()), sa.Column('user_id', sa.String()), sa.Column('occurred_at', sa.DateTime(timezone=True)), sa.Column('organization_id', sa.Uuid()))\nnow = dt.datetime.now(dt.UTC)\norg = uuid.uuid4()\nwith sa.create_engine(os.environ['DATABASE_URL']).begin() as c:\n    c.execute(orgs.insert(), [dict(id=org, name='o', created_at=now)])\n    c.execute(ev.insert(), [dict(id=uuid.uuid4(), name='login', user_id=f'u{k}', occurred_at=now, organization_id=org) for k in range(5)])\n";
            py(t, &out, &["-c", seed], db)?;
        }
        let n = py(t, &out, &["-c", count, "select count(*) from events"], db)?;
        if n.trim() != "5" {
            return Err(format!("after v{i}: events holds {} rows, not 5", n.trim()));
        }
    }
    let files: Vec<String> = std::fs::read_dir(out.join("migrations/versions"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".py"))
        .collect();
    if files.len() != 4 {
        return Err(format!("expected 4 chained revisions, found {files:?}"));
    }
    Ok(())
}

#[test]
fn databases_with_rows_upgrade_through_three_blueprint_changes() {
    let Some(t) = tools() else { return };
    let scratch = tempfile::tempdir().unwrap();
    let db = format!("sqlite:///{}", scratch.path().join("upgrade.db").display());
    upgrade_through_versions(&t, &db, scratch.path()).unwrap();
    eprintln!("e2e: SQLite upgraded through 3 blueprint changes, rows kept");
    if let Some(url) = &t.pg_url {
        let _turn = PG.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        reset_pg(&t, url).unwrap();
        let scratch = tempfile::tempdir().unwrap();
        upgrade_through_versions(&t, url, scratch.path()).unwrap();
        eprintln!("e2e: PostgreSQL upgraded through 3 blueprint changes, rows kept");
    }
}

/// The committed example was first generated before the pack's schema level
/// 2: its first migration is level 1, the next takes a database to level 2.
/// A database holding rows at the first revision upgrades (duplicated metric
/// periods resolved, the audit log guarded), and the example's own tests
/// pass on SQLite and PostgreSQL.
#[test]
fn the_committed_example_upgrades_a_level_one_database_and_passes_its_tests() {
    let Some(t) = tools() else { return };
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("project");
    let mut copy = Command::new("cp");
    copy.arg("-r")
        .arg(root().join("examples/saas-dashboard"))
        .arg(&out);
    run(&mut copy).unwrap();
    let script = root().join("tests/e2e/level_upgrade.py");
    let script = script.to_str().unwrap();
    let out_arg = out.to_str().unwrap();
    let db = format!("sqlite:///{}", scratch.path().join("level.db").display());
    let text = py(&t, &out, &[script, out_arg], &db).unwrap();
    assert!(
        text.contains("down to the first revision and up again"),
        "{text}"
    );
    let db = format!("sqlite:///{}", scratch.path().join("tests.db").display());
    pytest(&t, &out, &db).unwrap();
    eprintln!("e2e: committed example: level-1 SQLite database upgraded with rows; pytest ok");
    if let Some(url) = &t.pg_url {
        let _turn = PG.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        reset_pg(&t, url).unwrap();
        py(&t, &out, &[script, out_arg], url).unwrap();
        reset_pg(&t, &test_url(url)).unwrap();
        pytest(&t, &out, url).unwrap();
        eprintln!(
            "e2e: committed example: level-1 PostgreSQL database upgraded with rows; pytest ok"
        );
    }
}

/// What the generated project tells its users to run, run as written:
/// README's shell blocks (a fresh venv, the locked install, the tests, the
/// server answering /health, the worker, a backfill), the CI workflow's
/// steps with its PostgreSQL service replaced by the throwaway cluster, and
/// the Dockerfile's install in a fresh venv of the image's Python. For the
/// example and, when `../shared` is there, a real model.
#[test]
fn readme_ci_and_dockerfile_commands_run_as_written() {
    let Some(t) = tools() else { return };
    let script = root().join("tests/e2e/run_docs.py");
    let mut projects = vec![root().join("blueprints/saas-dashboard.xml")];
    if let Some(dir) = common::shared(
        "blueprints/real",
        "the real model's README, CI and Dockerfile run",
    ) {
        projects.push(dir.join("og_ArchiSurance_3.1_casestudy.xml"));
    }
    for bp in projects {
        let scratch = tempfile::tempdir().unwrap();
        let out = scratch.path().join("project");
        gen(&bp, &out).unwrap();
        let name = bp.file_name().unwrap().to_string_lossy().into_owned();
        let mut modes: Vec<Vec<String>> = vec![vec!["readme".into()], vec!["docker".into()]];
        if let Some(url) = &t.pg_url {
            modes.push(vec!["ci".into(), url.clone()]);
        }
        for mode in modes {
            let _turn = PG.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let text = run(Command::new(&t.python)
                .arg(&script)
                .arg(&mode[0])
                .arg(&out)
                .args(&mode[1..])
                .env_remove("DATABASE_URL"))
            .unwrap_or_else(|e| panic!("{name}: {}: {e}", mode[0]));
            assert!(!text.contains("SKIP:"), "{name}: {text}");
            eprintln!("e2e: {name}: {} as written:\n{}", mode[0], text.trim());
        }
    }
}

/// Names the generated stack owns (entities called Base, Session, Settings,
/// Query, Registry, Metadata; fields called metadata, registry, query,
/// model_config, _private), names longer than PostgreSQL's 63-byte
/// identifiers (tables, indexes, constraints, a weekly metric's daily
/// partials) and a route with non-ASCII letters: the project passes its own
/// tests, migrations (with `alembic check`) and linters on SQLite and
/// PostgreSQL.
#[test]
fn names_the_stack_owns_and_long_names_generate_a_project_that_passes() {
    let Some(t) = tools() else { return };
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("project");
    let bp = root().join("tests/fixtures/gen/stack-names.xml");
    let result = gen(&bp, &out)
        .and_then(|_| check_project(&t, &out, scratch.path()))
        .and_then(|()| check_on_postgres(&t, &out));
    if let Err(e) = result {
        panic!("stack-names: {e}");
    }
    let catalog = std::fs::read_to_string(out.join("app/catalog.py")).unwrap();
    assert!(catalog.contains("path=\"/api/dashboard/métricas\""));
    assert!(catalog.contains("\"refunds_by_currency_and_status\""));
}

/// The second pack (tests/packs/node-minimal, written from
/// docs/pack-authoring.md): the project it makes of the example has no
/// Python in it, installs from its lock with `npm ci`, and its own
/// `node --test` suite passes on SQLite compiled to WebAssembly (sql.js).
/// Needs Node 20 and npm (and the npm registry, for `npm ci`), not the
/// Python toolchain.
#[test]
fn the_node_pack_makes_a_project_whose_node_tests_pass() {
    let version = Command::new("node")
        .arg("--version")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    let major: Option<u32> = version
        .as_deref()
        .and_then(|v| v.strip_prefix('v')?.split('.').next()?.parse().ok());
    let npm = Command::new("npm")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !npm || major.is_none_or(|m| m < 20) {
        let why = format!(
            "needs Node 20 or newer and npm (node: {}, npm: {})",
            version.as_deref().unwrap_or("missing"),
            if npm { "present" } else { "missing" }
        );
        assert!(
            !required(),
            "ARCHGEN_REQUIRE_TOOLS=1 but the node-minimal pack's test {why}"
        );
        eprintln!("!!! SKIPPED the node-minimal pack's end-to-end test: it {why} !!!");
        return;
    }
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("project");
    run(Command::new(env!("CARGO_BIN_EXE_archgen"))
        .arg("gen")
        .arg(root().join("blueprints/saas-dashboard.xml"))
        .arg("-o")
        .arg(&out)
        .arg("--pack")
        .arg(root().join("tests/packs/node-minimal")))
    .unwrap();
    let files = tree(&out);
    let python: Vec<&String> = files
        .keys()
        .filter(|p| p.ends_with(".py") || p.ends_with(".toml") || p.ends_with(".ini"))
        .collect();
    assert!(
        python.is_empty(),
        "Python files in a Node project: {python:?}"
    );
    assert!(files.contains_key("package-lock.json"));
    run(Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(&out))
    .unwrap();
    let text = run(Command::new("node")
        .args(["--test", "tests/"])
        .current_dir(&out))
    .unwrap();
    let count = |what: &str| -> usize {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("# {what} "))?.trim().parse().ok())
            .unwrap_or_else(|| panic!("no `# {what}` line in node --test's output:\n{text}"))
    };
    // 6 simple metrics, each against a recount; the tables and their
    // required columns.
    assert_eq!(
        (count("tests"), count("pass"), count("fail")),
        (13, 13, 0),
        "{text}"
    );
    assert!(
        text.contains("ok 1 - metric average_session_duration: the query gives the recount"),
        "{text}"
    );
    eprintln!("e2e: node-minimal: {} node tests pass", count("pass"));
}
