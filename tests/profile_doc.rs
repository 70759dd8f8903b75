//! `docs/blueprint-profile.md` matches what the code accepts: its examples
//! parse, and it documents every `archgen:` key the IR builder reads.

use archgen::ir::profile::{parse_fields, parse_metric};

fn doc() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/blueprint-profile.md"
    ))
    .unwrap()
}

/// The bodies of the fenced blocks tagged `tag`.
fn blocks(doc: &str, tag: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur: Option<String> = None;
    for line in doc.lines() {
        match &mut cur {
            None if line.trim() == format!("```{tag}") => cur = Some(String::new()),
            Some(body) if line.trim() == "```" => {
                out.push(body.trim().to_owned());
                cur = None;
            }
            Some(body) => {
                body.push_str(line);
                body.push('\n');
            }
            None => {}
        }
    }
    out
}

#[test]
fn documented_examples_parse() {
    let d = doc();
    let fields = blocks(&d, "fields");
    let metrics = blocks(&d, "metric");
    assert!(!fields.is_empty() && metrics.len() >= 2);
    for f in fields {
        parse_fields(&f)
            .into_result()
            .unwrap_or_else(|e| panic!("{f}: {}", e.message));
    }
    for m in metrics {
        parse_metric(&m)
            .into_result()
            .unwrap_or_else(|e| panic!("{m}: {}", e.message));
    }
}

#[test]
fn every_key_the_code_reads_is_documented_and_vice_versa() {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut src = String::new();
    let mut parts: Vec<_> = ["src/ir/build", "src/cmd"]
        .iter()
        .flat_map(|d| std::fs::read_dir(format!("{root}/{d}")).unwrap())
        .map(|e| e.unwrap().path())
        .collect();
    parts.sort();
    assert!(
        parts.len() > 10,
        "the IR builder's and commands' files: {parts:?}"
    );
    for p in parts {
        src += &std::fs::read_to_string(p).unwrap();
    }
    let mut in_code: Vec<String> = src
        .match_indices("\"archgen:")
        .map(|(i, _)| {
            src[i + 1..]
                .chars()
                .take_while(|c| *c != '"')
                .collect::<String>()
        })
        .filter(|k| {
            k[8..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_lowercase())
        })
        .collect();
    in_code.sort();
    in_code.dedup();
    let d = doc();
    let mut in_doc: Vec<String> = d
        .lines()
        .filter(|l| l.starts_with("| `archgen:"))
        .map(|l| l[3..].chars().take_while(|c| *c != '`').collect())
        .collect();
    in_doc.sort();
    assert_eq!(in_code, in_doc);
}

#[test]
fn documented_types_are_the_accepted_types() {
    for t in [
        "uuid",
        "text",
        "string(20)",
        "integer",
        "bigint",
        "numeric(10,2)",
        "boolean",
        "date",
        "timestamp",
        "json",
    ] {
        parse_fields(&format!("x {t}"))
            .into_result()
            .unwrap_or_else(|e| panic!("{t}: {}", e.message));
        assert!(
            doc().contains(&format!("`{}", t.split('(').next().unwrap())),
            "{t} undocumented"
        );
    }
}
