//! The starter pack `archgen pack new NAME DIR` writes: a manifest and four
//! templates that describe the system in Markdown, and pass
//! [`super::check::check`].
//!
//! In: the pack's name. Out: its files, by path in the pack. Writing them
//! is the command's job.

const FILES: &[(&str, &str)] = &[
    ("pack.toml", include_str!("starter/pack.toml")),
    ("README.md.j2", include_str!("starter/README.md.j2")),
    ("entity.md.j2", include_str!("starter/entity.md.j2")),
    ("metric.md.j2", include_str!("starter/metric.md.j2")),
    ("decision.md.j2", include_str!("starter/decision.md.j2")),
];

/// Whether `name` can name a pack: lower-case ASCII letters, digits and
/// dashes, starting with a letter, at most 64 bytes.
pub fn valid_name(name: &str) -> bool {
    name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// The starter pack's files for a pack called `name` (see [`valid_name`]).
pub fn files(name: &str) -> Vec<(&'static str, String)> {
    FILES
        .iter()
        .map(|(path, text)| (*path, text.replace("@NAME@", name)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pack::{check, Manifest, Pack};

    #[test]
    fn names() {
        assert!(valid_name("node-minimal"));
        assert!(valid_name("p2"));
        for bad in ["", "Node", "-x", "2x", "a_b", "a b", "a/b", &"a".repeat(65)] {
            assert!(!valid_name(bad), "{bad:?}");
        }
    }

    #[test]
    fn the_starter_pack_passes_pack_check() {
        let mut templates: std::collections::BTreeMap<String, String> = files("my-pack")
            .into_iter()
            .map(|(p, t)| (p.to_owned(), t))
            .collect();
        let toml = templates.remove("pack.toml").unwrap();
        let manifest = Manifest::parse(&toml, |_| None).unwrap();
        assert_eq!(manifest.name, "my-pack");
        let pack = Pack {
            manifest,
            templates,
            origin: "starter".into(),
        };
        let report = check::check(&pack);
        assert!(report.passed(), "{:#?}", report.problems);
        assert!(report.runs.iter().all(|r| r.files > 0));
    }
}
