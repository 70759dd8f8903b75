//! Relations between data (issue 16, point 1): BusinessObjects are entities,
//! and Composition, Aggregation, Association and Specialization between data
//! elements become references or link tables; entities without
//! `archgen:fields` get assumed fields (point 6).

mod common;

use common::ir;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

const FIXTURE: &str = "tests/fixtures/gen/data-relations.xml";

fn archgen(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_archgen"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

fn entity<'a>(ir: &'a Value, key: &str) -> &'a Value {
    ir["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["key"] == key)
        .unwrap_or_else(|| panic!("no entity {key}"))
}

/// (key, nullable, unique, reference) of each field.
fn fields(e: &Value) -> Vec<(String, bool, bool, Option<String>)> {
    e["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["key"].as_str().unwrap().to_owned(),
                f["nullable"].as_bool().unwrap(),
                f["unique"].as_bool().unwrap(),
                f["reference"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

fn field(e: &Value, key: &str) -> (bool, bool, Option<String>) {
    let (_, n, u, r) = fields(e)
        .into_iter()
        .find(|f| f.0 == key)
        .unwrap_or_else(|| panic!("no field {key} in {}", e["key"]));
    (n, u, r)
}

#[test]
fn business_objects_are_entities_and_share_a_realising_data_objects_table() {
    let ir = ir(FIXTURE);
    let keys: Vec<&str> = ir["entities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["origin"] == "blueprint")
        .map(|e| e["key"].as_str().unwrap())
        .collect();
    // Claim is realised by Claim Records, Insurance File by File Store: no
    // tables of their own.
    assert_eq!(
        keys,
        [
            "claim_records",
            "file_store",
            "agent",
            "auto_policy",
            "customer",
            "folder",
            "policy",
            "region",
            "agent_policy",
            "agent_region"
        ]
    );
    let claims = entity(&ir, "claim_records");
    assert_eq!(claims["from"], serde_json::json!(["d-claims", "b-claim"]));
}

#[test]
fn each_kind_of_relationship_makes_its_reference() {
    let ir = ir(FIXTURE);
    // Composition: the part holds a required reference to the whole.
    assert_eq!(
        field(entity(&ir, "claim_records"), "file_store_id"),
        (false, false, Some("file_store".into()))
    );
    // Aggregation: an optional reference from the part.
    assert_eq!(
        field(entity(&ir, "file_store"), "customer_id"),
        (true, false, Some("customer".into()))
    );
    // Association: the source refers to the target, optionally.
    assert_eq!(
        field(entity(&ir, "claim_records"), "policy_id"),
        (true, false, Some("policy".into()))
    );
    // Specialization: the specific refers to the general, one to one.
    assert_eq!(
        field(entity(&ir, "auto_policy"), "policy_id"),
        (false, true, Some("policy".into()))
    );
    // A composition of a table with itself: the first row has no parent.
    assert_eq!(
        field(entity(&ir, "folder"), "folder_id"),
        (true, false, Some("folder".into()))
    );
    // Two relationships to the same table: two columns.
    assert_eq!(
        field(entity(&ir, "policy"), "file_store_id").2.as_deref(),
        Some("file_store")
    );
    assert_eq!(
        field(entity(&ir, "policy"), "file_store_id_2"),
        (false, false, Some("file_store".into()))
    );
    let rel = &entity(&ir, "claim_records")["relations"][0];
    assert_eq!(rel["kind"], "composition");
    assert_eq!(rel["field"], "file_store_id");
    assert_eq!(rel["relationship"], "r-04");
}

#[test]
fn many_to_many_associations_get_link_tables_from_a_name_or_a_property() {
    let ir = ir(FIXTURE);
    for (link, a, b) in [
        ("agent_policy", "agent", "policy"), // named "sells many"
        ("agent_region", "agent", "region"), // archgen:cardinality
    ] {
        let e = entity(&ir, link);
        assert_eq!(
            field(e, &format!("{a}_id")),
            (false, false, Some(a.to_owned()))
        );
        assert_eq!(
            field(e, &format!("{b}_id")),
            (false, false, Some(b.to_owned()))
        );
        assert_eq!(e["relations"][0]["link"], b);
    }
    // No plain column for them on either side.
    assert!(fields(entity(&ir, "agent")).iter().all(|f| f.3.is_none()));
}

#[test]
fn references_that_would_close_a_cycle_or_join_a_table_to_itself_are_not_made() {
    let ir = ir(FIXTURE);
    // Customer -> Claim would close customer <- file_store <- claim_records.
    assert!(fields(entity(&ir, "customer"))
        .iter()
        .all(|f| f.3.is_none()));
    // File Store -> Insurance File: both ends are the table file_store.
    assert_eq!(
        fields(entity(&ir, "file_store"))
            .iter()
            .filter(|f| f.3.is_some())
            .count(),
        1
    );
    let o = archgen(&["explain", FIXTURE]);
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("no reference for Association `r-15` to `Claim`: `claim_records` refers to this table already (a cycle)"), "{text}");
    assert!(text.contains("no reference for Association `r-14` between `File Store` and `Insurance File`: both share the table"), "{text}");
    assert!(
        text.contains(
            "column `file_store_id` -> `file_store` (Composition `r-04`: part of `Insurance File`"
        ),
        "{text}"
    );
    assert!(
        text.contains("link table `agent_region` for Association `r-09` (many to many)"),
        "{text}"
    );
}

#[test]
fn entities_without_fields_get_id_created_at_and_a_name_when_the_model_speaks_of_one() {
    let ir = ir(FIXTURE);
    let keys =
        |k: &str| -> Vec<String> { fields(entity(&ir, k)).into_iter().map(|f| f.0).collect() };
    // "known by name and address"
    assert_eq!(keys("customer"), ["id", "created_at", "name"]);
    assert_eq!(keys("region"), ["id", "created_at"]);
    assert_eq!(entity(&ir, "region")["placeholder"], true);
    let o = archgen(&["explain", FIXTURE]);
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(
        text.contains(
            "rule: a BusinessObject is a table (no archgen:fields: assumed id, created_at, name)"
        ),
        "{text}"
    );
}

#[test]
fn a_cardinality_archgen_cannot_read_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.xml");
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(FIXTURE))
        .unwrap()
        .replace(">many-to-many<", ">lots<");
    std::fs::write(&path, text).unwrap();
    let o = archgen(&["validate", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
    assert!(out.contains("E0101"), "{out}");
    assert!(
        out.contains("cardinality `lots` is none of many-to-one, one-to-one, many-to-many"),
        "{out}"
    );
}

#[test]
fn a_required_reference_added_later_refuses_tables_that_hold_rows() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let full = std::fs::read_to_string(root.join(FIXTURE)).unwrap();
    let v1: String = full
        .lines()
        .filter(|l| !l.contains("\"r-04\""))
        .map(|l| format!("{l}\n"))
        .collect();
    let bp = dir.path().join("bp.xml");
    let out = dir.path().join("app");
    std::fs::write(&bp, v1).unwrap();
    assert!(
        archgen(&["gen", bp.to_str().unwrap(), "-o", out.to_str().unwrap()])
            .status
            .success()
    );
    std::fs::write(&bp, full).unwrap();
    assert!(
        archgen(&["gen", bp.to_str().unwrap(), "-o", out.to_str().unwrap()])
            .status
            .success()
    );
    let versions = out.join("migrations/versions");
    let delta = std::fs::read_dir(&versions)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().contains("002_"))
        .expect("a second revision");
    let text = std::fs::read_to_string(delta).unwrap();
    assert!(
        text.contains(r#"_held = op.get_bind().execute(sa.text('SELECT count(*) FROM "claim_records"')).scalar_one()"#),
        "{text}"
    );
    assert!(text.contains("batch.create_foreign_key("), "{text}");
    assert!(
        !text.contains("server_default=sa.text(\"'00000000"),
        "{text}"
    );
}

fn service<'a>(ir: &'a Value, key: &str) -> &'a Value {
    ir["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == key)
        .unwrap_or_else(|| panic!("no service {key}"))
}

#[test]
fn services_read_and_write_what_access_says_and_unmapped_ones_get_no_route() {
    let ir = ir(FIXTURE);
    // Policy Backend reads and writes Claim Records (Access ReadWrite).
    let files = service(&ir, "insurance_files");
    assert_eq!(files["kind"], "entity_list");
    assert_eq!(files["entities"], serde_json::json!(["claim_records"]));
    assert_eq!(files["writes"], serde_json::json!(["claim_records"]));
    assert_eq!(
        files["interfaces"],
        serde_json::json!(["Claims \"Portal\" API"])
    );
    // Print Server touches no data: no route, and explain says why.
    assert_eq!(service(&ir, "printing")["kind"], "other");
    let o = archgen(&["explain", FIXTURE]);
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(
        text.contains("ApplicationService Printing [s-print]\n    became: no route: it reads no metric, and reads and writes no table archgen generates"),
        "{text}"
    );
    assert!(text.contains("routes GET /api/insurance-files (paged rows of claim_records) and GET /api/insurance-files/<entity>/<id> (one row); POST /api/insurance-files/<entity>, PATCH and DELETE /api/insurance-files/<entity>/<id> (writes claim_records)"), "{text}");
}

#[test]
fn the_entity_routes_are_rendered_with_the_interface_as_their_tag() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("app");
    assert!(archgen(&["gen", FIXTURE, "-o", out.to_str().unwrap()])
        .status
        .success());
    let api = std::fs::read_to_string(out.join("app/api/insurance_files.py")).unwrap();
    assert!(
        api.contains(r#"router = APIRouter(tags=["Claims \"Portal\" API"])"#),
        "{api}"
    );
    assert!(api.contains("for _key in SERVICE.writes:"), "{api}");
    let catalog = std::fs::read_to_string(out.join("app/catalog.py")).unwrap();
    assert!(
        catalog.contains(r#"writes=("claim_records",),"#),
        "{catalog}"
    );
    // No module for a service with no route.
    assert!(!out.join("app/api/printing.py").exists());
}
