//! The IR knows no stack: built for a pack that is not python-fastapi, it
//! holds none of that pack's facts (its database, framework, cookies,
//! tenant column, deployment, test pattern); what the python-fastapi pack
//! says reaches the IR only through its `pack.toml`.

use std::process::Command;

fn ir(blueprint: &str, pack: &str) -> serde_json::Value {
    let root = env!("CARGO_MANIFEST_DIR");
    let o = Command::new(env!("CARGO_BIN_EXE_archgen"))
        .args(["inspect", "--ir", "--json", "--pack", pack, blueprint])
        .current_dir(root)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

fn strings<'a>(v: &'a serde_json::Value, out: &mut Vec<&'a str>) {
    match v {
        serde_json::Value::String(s) => out.push(s),
        serde_json::Value::Array(xs) => xs.iter().for_each(|x| strings(x, out)),
        serde_json::Value::Object(o) => o.iter().for_each(|(k, x)| {
            out.push(k);
            strings(x, out);
        }),
        _ => {}
    }
}

/// Words that belong to the python-fastapi pack's stack.
const STACK: &[&str] = &[
    "postgres",
    "sqlite",
    "fastapi",
    "sqlalchemy",
    "alembic",
    "pydantic",
    "pytest",
    "uvicorn",
    "httponly",
    "cookie",
    "compose",
    "organization_id",
    "def test_",
];

/// Every string of the IR that holds a stack word and that the blueprint
/// does not hold itself (a model's own names and texts may say anything).
fn stack_facts(blueprint: &str, pack: &str) -> Vec<String> {
    let text = std::fs::read_to_string(format!("{}/{blueprint}", env!("CARGO_MANIFEST_DIR")))
        .unwrap()
        .to_lowercase();
    let v = ir(blueprint, pack);
    let mut all = Vec::new();
    strings(&v, &mut all);
    all.into_iter()
        .filter(|s| {
            let l = s.to_lowercase();
            STACK.iter().any(|w| l.contains(w)) && !text.contains(&l)
        })
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_ir_for_another_pack_holds_no_python_stack_fact() {
    for bp in [
        "blueprints/saas-dashboard.xml",
        "blueprints/metric-kinds.xml",
        "blueprints/regulated.xml",
        "tests/fixtures/gen/hostile-names.xml",
    ] {
        let found = stack_facts(bp, "tests/fixtures/pack-test");
        assert!(found.is_empty(), "{bp}: {found:#?}");
    }
}

#[test]
fn the_python_packs_facts_come_from_its_manifest() {
    // The same words are there with the python-fastapi pack: the test above
    // would catch them if they still came from the IR builder.
    let found = stack_facts("blueprints/saas-dashboard.xml", "python-fastapi");
    for want in [
        "PostgreSQL in production, SQLite embedded for development and tests",
        "Server-side sessions in HttpOnly cookies",
    ] {
        assert!(found.iter().any(|s| s == want), "{want} not in {found:#?}");
    }
    let v = ir("blueprints/saas-dashboard.xml", "python-fastapi");
    let keys: Vec<&str> = v["infrastructure"]["deployments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["api", "worker", "db"]);
    let other = ir("blueprints/saas-dashboard.xml", "tests/fixtures/pack-test");
    assert_eq!(
        other["infrastructure"]["deployments"],
        serde_json::json!([])
    );
    assert_eq!(
        other["infrastructure"]["database"]["engine"],
        serde_json::json!("postgresql"),
        "the model names its database PostgreSQL"
    );
}
