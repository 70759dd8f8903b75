//! Regeneration: plan, check, apply, three-way merge, orphans, atomic writes.
//!
//! These use a tiny pack of their own (`tests/fixtures/pack-test`) and
//! blueprints written by the test, so they exercise archgen, not a stack.

mod common;
use common::tree;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn pack() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/pack-test").to_owned()
}

fn archgen(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_archgen"))
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A blueprint with one DataObject per `(name, fields)`.
fn blueprint(entities: &[(&str, &str)]) -> String {
    let mut els = String::new();
    for (i, (name, fields)) in entities.iter().enumerate() {
        els.push_str(&format!(
            "<element identifier=\"d-{i}-{name}\" xsi:type=\"DataObject\"><name>{name}</name><properties><property propertyDefinitionRef=\"pd\"><value>{fields}</value></property></properties></element>\n"
        ));
    }
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<model xmlns="http://www.opengroup.org/xsd/archimate/3.0/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" identifier="m">
<name>Regen</name>
<elements>
<element identifier="c-api" xsi:type="ApplicationComponent"><name>API</name></element>
{els}</elements>
<propertyDefinitions><propertyDefinition identifier="pd" type="string"><name>archgen:fields</name></propertyDefinition></propertyDefinitions>
</model>
"#
    )
}

fn write_bp(dir: &Path, name: &str, entities: &[(&str, &str)]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, blueprint(entities)).unwrap();
    p
}
const V1: &[(&str, &str)] = &[
    ("Accounts", "id uuid pk; name text"),
    ("Orders", "id uuid pk; total bigint"),
];
const V2: &[(&str, &str)] = &[
    ("Accounts", "id uuid pk; name text; email text"),
    ("Invoices", "id uuid pk; amount bigint"),
];

/// `archgen plan BP -o app --pack <test pack> --out FILE`, run in `dir`.
fn save_plan(dir: &Path, bp: &Path, file: &str) -> Output {
    archgen(
        &[
            "plan",
            bp.to_str().unwrap(),
            "-o",
            "app",
            "--pack",
            &pack(),
            "--out",
            file,
        ],
        dir,
    )
}

/// `archgen CMD BP -o app --pack <test pack>`, run in `dir`.
fn on_app(cmd: &str, dir: &Path, bp: &Path) -> Output {
    archgen(
        &[cmd, bp.to_str().unwrap(), "-o", "app", "--pack", &pack()],
        dir,
    )
}

fn gen(dir: &Path, bp: &Path) -> Output {
    on_app("gen", dir, bp)
}

/// A folder holding the blueprints V1 and V2, and `app/` generated from V1.
fn generated_v1() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let t = tempfile::tempdir().unwrap();
    let v1 = write_bp(t.path(), "v1.xml", V1);
    let v2 = write_bp(t.path(), "v2.xml", V2);
    assert!(gen(t.path(), &v1).status.success());
    (t, v1, v2)
}

#[test]
fn plan_writes_nothing_and_shows_a_diff_and_summary() {
    let (t, _, v2) = generated_v1();
    let before = tree(t.path());
    let o = archgen(
        &[
            "plan",
            v2.to_str().unwrap(),
            "-o",
            "app",
            "--pack",
            &pack(),
            "--color",
            "never",
        ],
        t.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(tree(t.path()), before, "plan wrote something");
    let out = stdout(&o);
    assert!(
        out.contains("--- a/entities/accounts.txt\n+++ b/entities/accounts.txt\n"),
        "{out}"
    );
    assert!(out.contains("+field email text\n"), "{out}");
    assert!(
        out.contains("--- /dev/null\n+++ b/entities/invoices.txt\n"),
        "{out}"
    );
    assert!(
        out.contains("--- a/entities/orders.txt\n+++ /dev/null\n"),
        "{out}"
    );
    assert!(out.ends_with("+1 ~2 -1\n"), "{out}");
    assert_eq!(
        stderr(&o),
        "warning: table `orders` is no longer in the blueprint: the next migration drops it and its data\n"
    );
    // The JSON form names each change with lifecycle and provenance.
    let o = archgen(
        &[
            "plan",
            v2.to_str().unwrap(),
            "-o",
            "app",
            "--pack",
            &pack(),
            "--json",
        ],
        t.path(),
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["summary"], "+1 ~2 -1");
    let inv = v["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["path"] == "entities/invoices.txt")
        .unwrap();
    assert_eq!(inv["kind"], "create");
    assert_eq!(inv["lifecycle"], "regenerate");
    assert_eq!(inv["provenance"], serde_json::json!(["d-1-Invoices"]));
    assert_eq!(tree(t.path()), before, "plan --json wrote something");
}

#[test]
fn check_exit_codes() {
    let (t, v1, v2) = generated_v1();
    let check = |bp: &Path| {
        archgen(
            &[
                "check",
                bp.to_str().unwrap(),
                "-o",
                "app",
                "--pack",
                &pack(),
            ],
            t.path(),
        )
    };
    let o = check(&v1);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = check(&v2);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).starts_with("error: `app` has drifted from the blueprint: +1 ~2 -1\n"),
        "{}",
        stderr(&o)
    );
    // An unedited generated file changed by hand is drift; a once file is not.
    std::fs::write(t.path().join("app/NOTES.txt"), "my notes\n").unwrap();
    assert_eq!(check(&v1).status.code(), Some(0));
    // Usage: a missing folder, a missing blueprint.
    let o = archgen(
        &[
            "check",
            v1.to_str().unwrap(),
            "-o",
            "nowhere",
            "--pack",
            &pack(),
        ],
        t.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    let o = archgen(
        &["check", "missing.xml", "-o", "app", "--pack", &pack()],
        t.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    // A lock file edit is drift too.
    let lock = t.path().join("app/.archgen/lock.json");
    let text = std::fs::read_to_string(&lock).unwrap();
    std::fs::write(
        &lock,
        text.replace("\"pack_version\": \"1.0.0\"", "\"pack_version\": \"0.9\""),
    )
    .unwrap();
    assert_eq!(check(&v1).status.code(), Some(1));
}

#[test]
fn apply_writes_the_preview_and_refuses_a_stale_plan() {
    let (t, v1, v2) = generated_v1();
    let o = save_plan(t.path(), &v2, "p.json");
    assert!(o.status.success());
    let o = archgen(&["apply", "p.json"], t.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // Now in sync with v2, exactly as a gen would have made it.
    let applied = tree(&t.path().join("app"));
    let u = tempfile::tempdir().unwrap();
    let v1b = write_bp(u.path(), "v1.xml", V1);
    let v2b = write_bp(u.path(), "v2.xml", V2);
    assert!(gen(u.path(), &v1b).status.success());
    assert!(gen(u.path(), &v2b).status.success());
    assert_eq!(applied, tree(&u.path().join("app")));
    // A plan made, then the disk edited: refused, nothing written.
    let o = save_plan(t.path(), &v1, "p2.json");
    assert!(o.status.success());
    std::fs::write(t.path().join("app/summary.txt"), "edited after planning\n").unwrap();
    let before = tree(&t.path().join("app"));
    let o = archgen(&["apply", "p2.json"], t.path());
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        "error: the disk changed since the plan was made: `summary.txt` is not what the plan saw; make a new plan\n"
    );
    assert_eq!(tree(&t.path().join("app")), before);
}

#[test]
fn hand_edits_survive_a_blueprint_change_and_conflicts_keep_both_sides() {
    let (t, _, v2) = generated_v1();
    // A clean merge: an edit far from what v2 changes.
    let acc = t.path().join("app/entities/accounts.txt");
    let text = std::fs::read_to_string(&acc).unwrap();
    std::fs::write(
        &acc,
        text.replace("entity accounts\n", "entity accounts\n# my note\n"),
    )
    .unwrap();
    let o = gen(t.path(), &v2);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let merged = std::fs::read_to_string(&acc).unwrap();
    assert!(
        merged.contains("# my note\n") && merged.contains("field email text\n"),
        "{merged}"
    );
    // In sync now: the kept edit is not drift.
    let o = on_app("check", t.path(), &v2);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // A conflict: the user edits the very line the blueprint changes next.
    let merged = std::fs::read_to_string(&acc).unwrap();
    std::fs::write(
        &acc,
        merged.replace("field email text\n", "field email citext -- mine\n"),
    )
    .unwrap();
    let v3 = write_bp(
        t.path(),
        "v3.xml",
        &[
            ("Accounts", "id uuid pk; name text; email string(200)"),
            ("Invoices", "id uuid pk; amount bigint"),
        ],
    );
    let o = gen(t.path(), &v3);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o).lines().next().unwrap(),
        "error: 1 hand edit left conflicts; resolve the `<<<<<<<` markers in entities/accounts.txt and run archgen again"
    );
    let text = std::fs::read_to_string(&acc).unwrap();
    assert!(text.contains("<<<<<<< your edit\nfield email citext -- mine\n=======\nfield email string\n>>>>>>> generated by archgen\n"), "{text}");
    assert!(text.contains("# my note\n"));
    // Unresolved markers stay a conflict: check fails until they are resolved.
    let o = on_app("check", t.path(), &v3);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn orphans_are_deleted_when_unedited_and_kept_when_edited() {
    let t = tempfile::tempdir().unwrap();
    let v1 = write_bp(
        t.path(),
        "v1.xml",
        &[
            ("Accounts", "id uuid pk"),
            ("Orders", "id uuid pk"),
            ("Refunds", "id uuid pk"),
        ],
    );
    let v2 = write_bp(t.path(), "v2.xml", &[("Accounts", "id uuid pk")]);
    assert!(gen(t.path(), &v1).status.success());
    let refunds = t.path().join("app/entities/refunds.txt");
    std::fs::write(&refunds, "my own refunds notes\n").unwrap();
    let adrs_before: Vec<String> = tree(&t.path().join("app/adr")).into_keys().collect();
    let o = gen(t.path(), &v2);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        !t.path().join("app/entities/orders.txt").exists(),
        "unedited orphan not deleted"
    );
    assert_eq!(
        std::fs::read_to_string(&refunds).unwrap(),
        "my own refunds notes\n"
    );
    assert!(
        stdout(&o).contains("kept (edited, no longer generated): entities/refunds.txt"),
        "{}",
        stdout(&o)
    );
    // once and append files are never deleted.
    assert!(t.path().join("app/NOTES.txt").exists());
    let adrs_after: Vec<String> = tree(&t.path().join("app/adr")).into_keys().collect();
    assert!(adrs_before.iter().all(|a| adrs_after.contains(a)));
    let o = on_app("check", t.path(), &v2);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[cfg(unix)]
#[test]
fn kill_9_during_gen_leaves_no_half_written_file() {
    // A big model, so that gen takes long enough to be killed mid-way.
    let t = tempfile::tempdir().unwrap();
    let many = |extra: &str| -> Vec<(String, String)> {
        (0..1500)
            .map(|i| {
                (
                    format!("Table{i}"),
                    format!("id uuid pk; name text; {extra} bigint"),
                )
            })
            .collect()
    };
    let v1: Vec<(String, String)> = many("alpha");
    let v2: Vec<(String, String)> = many("beta");
    let as_refs = |v: &Vec<(String, String)>| {
        v.iter()
            .map(|(a, b)| (a.clone(), b.clone()))
            .collect::<Vec<_>>()
    };
    let write = |name: &str, v: &Vec<(String, String)>| {
        let refs: Vec<(&str, &str)> = v.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        write_bp(t.path(), name, &refs)
    };
    let (b1, b2) = (
        write("v1.xml", &as_refs(&v1)),
        write("v2.xml", &as_refs(&v2)),
    );
    assert!(gen(t.path(), &b1).status.success());
    let old = tree(&t.path().join("app"));
    let fresh = tempfile::tempdir().unwrap();
    let b2f = write_bp(
        fresh.path(),
        "v2.xml",
        &v2.iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect::<Vec<_>>(),
    );
    assert!(gen(fresh.path(), &b2f).status.success());
    let new = tree(&fresh.path().join("app"));

    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut killed_mid_way = 0;
    for round in 0..8 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let delay = std::time::Duration::from_millis(5 + seed % 120);
        let bp = if round % 2 == 0 { &b2 } else { &b1 };
        let mut child = Command::new(env!("CARGO_BIN_EXE_archgen"))
            .args(["gen", bp.to_str().unwrap(), "-o", "app", "--pack", &pack()])
            .current_dir(t.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        if child.try_wait().unwrap().is_none() {
            killed_mid_way += 1;
        }
        let _ = child.kill(); // SIGKILL on Unix
        let _ = child.wait();
        // Every file is the old or the new version, never a torn one.
        for (path, bytes) in tree(&t.path().join("app")) {
            if path.contains(".archgen-tmp") {
                continue; // a leftover temp file; the next run removes it
            }
            if path == ".archgen/lock.json" {
                // Written whole too; its migration history grows run by run.
                serde_json::from_slice::<serde_json::Value>(&bytes)
                    .expect("the lock is whole JSON");
                continue;
            }
            let ok = old.get(&path) == Some(&bytes) || new.get(&path) == Some(&bytes);
            assert!(
                ok,
                "round {round}: {path} is neither the old nor the new content"
            );
        }
    }
    // The next run finishes the job and removes every leftover temp file.
    assert!(gen(t.path(), &b2).status.success());
    let mut after = tree(&t.path().join("app"));
    assert!(after.keys().all(|p| !p.contains(".archgen-tmp")));
    let lock_files =
        |b: &[u8]| serde_json::from_slice::<serde_json::Value>(b).unwrap()["files"].clone();
    assert_eq!(
        lock_files(&after[".archgen/lock.json"]),
        lock_files(&new[".archgen/lock.json"])
    );
    after.remove(".archgen/lock.json");
    let mut new = new;
    new.remove(".archgen/lock.json");
    let differing: Vec<&String> = new
        .keys()
        .filter(|k| after.get(*k) != new.get(*k))
        .collect();
    assert!(
        differing.is_empty() && after.len() == new.len(),
        "differ: {:?}",
        &differing[..differing.len().min(5)]
    );
    eprintln!("kill -9: {killed_mid_way} of 8 runs were killed mid-way");
    assert!(
        killed_mid_way > 0,
        "no run was still going when killed; make the model bigger"
    );
}

#[test]
fn a_changed_decision_gets_a_new_record_that_supersedes_the_old() {
    let t = tempfile::tempdir().unwrap();
    let with_principle = |doc: &str| {
        blueprint(V1).replace(
            "</elements>",
            &format!("<element identifier=\"p-1\" xsi:type=\"Principle\"><name>Keep it simple</name><documentation>{doc}</documentation></element>\n</elements>"),
        )
    };
    std::fs::write(
        t.path().join("a.xml"),
        with_principle("Fewer moving parts."),
    )
    .unwrap();
    std::fs::write(
        t.path().join("b.xml"),
        with_principle("Fewer moving parts, and no queues."),
    )
    .unwrap();
    assert!(gen(t.path(), &t.path().join("a.xml")).status.success());
    let adrs = |t: &Path| tree(&t.join("app/adr")).into_keys().collect::<Vec<_>>();
    let before = adrs(t.path());
    let old = before
        .iter()
        .find(|p| p.contains("keep-it-simple"))
        .unwrap()
        .clone();
    let old_text = std::fs::read_to_string(t.path().join("app/adr").join(&old)).unwrap();
    let o = gen(t.path(), &t.path().join("b.xml"));
    assert!(o.status.success(), "{}", stderr(&o));
    let after = adrs(t.path());
    assert_eq!(after.len(), before.len() + 1, "{after:?}");
    // The old record is kept as it was; the new one says what it supersedes.
    assert_eq!(
        std::fs::read_to_string(t.path().join("app/adr").join(&old)).unwrap(),
        old_text
    );
    let new = after.iter().find(|p| !before.contains(p)).unwrap();
    let text = std::fs::read_to_string(t.path().join("app/adr").join(new)).unwrap();
    let old_stem = old.trim_end_matches(".md");
    assert!(text.contains(&format!("Supersedes {old_stem}.")), "{text}");
    assert!(text.contains("no queues"), "{text}");
    // Regenerating again changes nothing.
    let o = archgen(
        &["check", "b.xml", "-o", "app", "--pack", &pack()],
        t.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn a_corrupt_unreadable_or_newer_lock_stops_every_command_and_writes_nothing() {
    let (t, v1, v2) = generated_v1();
    let lock = t.path().join("app/.archgen/lock.json");
    let good = std::fs::read_to_string(&lock).unwrap();
    let run_all = |expected: &str| {
        for cmd in ["gen", "plan", "check"] {
            let before = tree(t.path());
            let o = on_app(cmd, t.path(), &v2);
            assert_eq!(o.status.code(), Some(2), "{cmd}: {}", stderr(&o));
            assert_eq!(stderr(&o), expected, "{cmd}");
            assert_eq!(stdout(&o), "", "{cmd}");
            assert_eq!(tree(t.path()), before, "{cmd} wrote something");
        }
    };
    // Not JSON at all (a bad merge of the lock, say).
    std::fs::write(&lock, "<<<<<<< HEAD\n").unwrap();
    run_all(
        "error: `app/.archgen/lock.json` is corrupt (not valid JSON: expected value at line 1 column 1), so archgen cannot tell the files it generated from your edits; nothing was written\n  = help: restore it from version control (`git checkout -- app/.archgen/lock.json`) and run archgen again\n",
    );
    // JSON, but not a lock.
    std::fs::write(&lock, "{\"files\": 3}\n").unwrap();
    run_all(
        "error: `app/.archgen/lock.json` is corrupt (not an archgen lock: invalid type: integer `3`, expected a map at line 1 column 11), so archgen cannot tell the files it generated from your edits; nothing was written\n  = help: restore it from version control (`git checkout -- app/.archgen/lock.json`) and run archgen again\n",
    );
    // A lock whose migration chain is unreadable: taking it for none would
    // start a second chain.
    let v: serde_json::Value = serde_json::from_str(&good).unwrap();
    let mut broken = v.clone();
    broken["state"]["migrations"] = serde_json::json!("oops");
    std::fs::write(&lock, serde_json::to_string(&broken).unwrap()).unwrap();
    run_all(
        "error: `app/.archgen/lock.json` is corrupt (its state `migrations` is unreadable: invalid type: string \"oops\", expected a sequence), so archgen cannot tell the files it generated from your edits; nothing was written\n  = help: restore it from version control (`git checkout -- app/.archgen/lock.json`) and run archgen again\n",
    );
    // Written by a newer archgen.
    let mut newer = v.clone();
    newer["archgen_version"] = serde_json::json!("99.1.0");
    std::fs::write(&lock, serde_json::to_string(&newer).unwrap()).unwrap();
    run_all(&format!(
        "error: `app/.archgen/lock.json` was written by archgen 99.1.0, which is newer than this archgen ({}); nothing was written\n  = help: run archgen 99.1.0 or newer on this folder, or restore the lock an older archgen wrote (`git checkout -- app/.archgen/lock.json`)\n",
        env!("CARGO_PKG_VERSION")
    ));
    // Unreadable: a folder where the file should be.
    std::fs::remove_file(&lock).unwrap();
    std::fs::create_dir(&lock).unwrap();
    std::fs::write(lock.join("x"), "").unwrap();
    for cmd in ["gen", "plan", "check"] {
        let o = on_app(cmd, t.path(), &v2);
        assert_eq!(o.status.code(), Some(2), "{cmd}: {}", stderr(&o));
        assert!(
            stderr(&o).starts_with("error: cannot read `app/.archgen/lock.json`: Is a directory (os error 21); nothing was written\n"),
            "{}",
            stderr(&o)
        );
    }
    // Restored, everything works again.
    std::fs::remove_dir_all(&lock).unwrap();
    std::fs::write(&lock, &good).unwrap();
    let o = on_app("check", t.path(), &v1);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn a_hand_edit_that_is_not_utf8_is_kept_byte_for_byte_and_the_new_version_goes_beside_it() {
    let (t, v1, v2) = generated_v1();
    let acc = t.path().join("app/entities/accounts.txt");
    let beside = t.path().join("app/entities/accounts.txt.archgen-new");
    // A Latin-1 `é` in a hand edit: not UTF-8.
    let mut edited = std::fs::read(&acc).unwrap();
    edited.extend_from_slice(b"# caf\xe9 au lait\n");
    std::fs::write(&acc, &edited).unwrap();
    // A generation that does not change the file keeps the edit, quietly.
    let o = gen(t.path(), &v1);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(std::fs::read(&acc).unwrap(), edited);
    // One that changes it: a conflict, the edit untouched, the new version
    // beside it.
    let o = on_app("plan", t.path(), &v2);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("# conflict: entities/accounts.txt is not UTF-8 text and is kept as it is; the new version goes to entities/accounts.txt.archgen-new\n"), "{}", stdout(&o));
    let o = gen(t.path(), &v2);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        "warning: table `orders` is no longer in the blueprint: the next migration drops it and its data\nerror: 1 hand edit left conflicts; merge `entities/accounts.txt.archgen-new` into `entities/accounts.txt` by hand and delete it (`entities/accounts.txt` is not UTF-8 text, so archgen kept it byte for byte and wrote the new version beside it) and run archgen again\n"
    );
    assert_eq!(
        std::fs::read(&acc).unwrap(),
        edited,
        "the edit's bytes changed"
    );
    let fresh = tempfile::tempdir().unwrap();
    let v2f = write_bp(fresh.path(), "v2.xml", V2);
    assert!(gen(fresh.path(), &v2f).status.success());
    assert_eq!(
        std::fs::read(&beside).unwrap(),
        std::fs::read(fresh.path().join("app/entities/accounts.txt")).unwrap()
    );
    // Until the new version is merged and its file deleted, it stays a
    // conflict, and nothing is rewritten.
    let o = on_app("check", t.path(), &v2);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("  ! entities/accounts.txt\n"),
        "{}",
        stderr(&o)
    );
    let before = tree(t.path());
    assert_eq!(gen(t.path(), &v2).status.code(), Some(1));
    assert_eq!(tree(t.path()), before);
    // Merged by hand (still Latin-1), the new file deleted: in sync.
    let mut resolved = std::fs::read(&beside).unwrap();
    resolved.extend_from_slice(b"# caf\xe9 au lait\n");
    std::fs::write(&acc, &resolved).unwrap();
    std::fs::remove_file(&beside).unwrap();
    let o = on_app("check", t.path(), &v2);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = gen(t.path(), &v2);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(std::fs::read(&acc).unwrap(), resolved);
}

#[cfg(unix)]
#[test]
fn a_rewritten_file_keeps_its_mode() {
    use std::os::unix::fs::PermissionsExt;
    let (t, _, v2) = generated_v1();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o7777;
    let set = |p: &Path, m: u32| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
    };
    let acc = t.path().join("app/entities/accounts.txt");
    let summary = t.path().join("app/summary.txt");
    let lock = t.path().join("app/.archgen/lock.json");
    // One unedited (updated), one edited (merged), and the lock.
    set(&acc, 0o750);
    let text = std::fs::read_to_string(&summary).unwrap();
    std::fs::write(&summary, format!("# mine\n{text}")).unwrap();
    set(&summary, 0o700);
    set(&lock, 0o600);
    let o = gen(t.path(), &v2);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(std::fs::read_to_string(&acc)
        .unwrap()
        .contains("field email text"));
    assert!(std::fs::read_to_string(&summary)
        .unwrap()
        .starts_with("# mine\n"));
    assert_eq!(mode(&acc), 0o750);
    assert_eq!(mode(&summary), 0o700);
    assert_eq!(mode(&lock), 0o600);
    // A saved plan too, and what apply writes from it.
    std::fs::write(t.path().join("p.json"), "old").unwrap();
    set(&t.path().join("p.json"), 0o640);
    let o = save_plan(t.path(), Path::new("v1.xml"), "p.json");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(mode(&t.path().join("p.json")), 0o640);
    assert_eq!(
        archgen(&["apply", "p.json"], t.path()).status.code(),
        Some(0)
    );
    assert_eq!(mode(&acc), 0o750);
}

/// With strace at hand: every file is written to a temporary file that is
/// synced before it is renamed into place, and the folder is synced after.
#[cfg(target_os = "linux")]
#[test]
fn every_write_is_synced_then_renamed_then_its_folder_synced() {
    if Command::new("strace").arg("-V").output().is_err() {
        eprintln!("\n!!! SKIPPED the fsync check: strace is not installed !!!\n");
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let v1 = write_bp(t.path(), "v1.xml", V1);
    let o = Command::new("strace")
        .args([
            "-f",
            "-o",
            "trace",
            "-e",
            "trace=fsync,fdatasync,rename,renameat,renameat2",
        ])
        .arg(env!("CARGO_BIN_EXE_archgen"))
        .args(["gen", v1.to_str().unwrap(), "-o", "app", "--pack", &pack()])
        .current_dir(t.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let trace = std::fs::read_to_string(t.path().join("trace")).unwrap();
    let calls: Vec<&str> = trace
        .lines()
        .filter_map(|l| l.split_whitespace().nth(1))
        .filter(|c| c.starts_with("fsync(") || c.starts_with("rename"))
        .collect();
    let renames: Vec<usize> = (0..calls.len())
        .filter(|&i| calls[i].starts_with("rename"))
        .collect();
    // Every file of the tree, the lock twice (journal, then final).
    assert_eq!(
        renames.len(),
        tree(&t.path().join("app")).len() + 1,
        "{trace}"
    );
    for i in renames {
        assert!(i > 0 && calls[i - 1].starts_with("fsync("), "{trace}");
        assert!(
            calls.get(i + 1).is_some_and(|c| c.starts_with("fsync(")),
            "{trace}"
        );
    }
}

#[test]
fn regenerating_renames_nothing_the_project_has() {
    let t = tempfile::tempdir().unwrap();
    let exists = |rel: &str| t.path().join("app").join(rel).exists();
    // A name of 30 bytes in snake_case: a fresh project gets it whole.
    let whole = write_bp(
        t.path(),
        "whole.xml",
        &[("Refunds by Currency and Status", "id uuid pk")],
    );
    let fresh = tempfile::tempdir().unwrap();
    let o = archgen(
        &[
            "gen",
            whole.to_str().unwrap(),
            "-o",
            "app",
            "--pack",
            &pack(),
        ],
        fresh.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(fresh
        .path()
        .join("app/entities/refunds_by_currency_and_status.txt")
        .exists());

    // A project archgen before 0.2 made kept 28 bytes of it: the key
    // `refunds_by_currency_and`, here given by the name it had then.
    let cut = write_bp(
        t.path(),
        "cut.xml",
        &[("Refunds by Currency and", "id uuid pk")],
    );
    let cut = std::fs::read_to_string(&cut)
        .unwrap()
        .replace("d-0-Refunds by Currency and", "d-0");
    std::fs::write(t.path().join("cut.xml"), cut).unwrap();
    let whole_text = std::fs::read_to_string(&whole)
        .unwrap()
        .replace("d-0-Refunds by Currency and Status", "d-0");
    std::fs::write(&whole, whole_text).unwrap();
    assert!(gen(t.path(), Path::new("cut.xml")).status.success());
    assert!(exists("entities/refunds_by_currency_and.txt"));
    // Regenerated from the whole name: the table keeps its key, nothing is
    // created or dropped, and the lock stays as an old archgen wrote it.
    let o = gen(t.path(), &whole);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stderr(&o), "");
    assert!(exists("entities/refunds_by_currency_and.txt"));
    assert!(!exists("entities/refunds_by_currency_and_status.txt"));
    let lock = std::fs::read_to_string(t.path().join("app/.archgen/lock.json")).unwrap();
    assert!(!lock.contains("\"keys\""), "{lock}");
    assert_eq!(on_app("check", t.path(), &whole).status.code(), Some(0));

    // A key made unique with a suffix is recorded, and kept when the item
    // that took the plain key goes.
    let u = tempfile::tempdir().unwrap();
    let two = write_bp(
        u.path(),
        "two.xml",
        &[
            ("Refunds", "id uuid pk"),
            ("Refunds", "id uuid pk; note text"),
        ],
    );
    assert!(gen(u.path(), &two).status.success());
    let lock = std::fs::read_to_string(u.path().join("app/.archgen/lock.json")).unwrap();
    assert!(
        lock.contains("\"entity:d-1-Refunds\": \"refunds_2\""),
        "{lock}"
    );
    let one = std::fs::read_to_string(&two).unwrap().replace(
        "<element identifier=\"d-0-Refunds\" xsi:type=\"DataObject\"><name>Refunds</name><properties><property propertyDefinitionRef=\"pd\"><value>id uuid pk</value></property></properties></element>\n",
        "",
    );
    std::fs::write(u.path().join("one.xml"), one).unwrap();
    let o = gen(u.path(), Path::new("one.xml"));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(u.path().join("app/entities/refunds_2.txt").exists());
    assert!(!u.path().join("app/entities/refunds.txt").exists());
}
