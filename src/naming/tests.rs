//! Tests of the naming functions: keys, identifiers per language, escaping.

use super::*;

#[test]
fn snake_examples() {
    assert_eq!(
        snake("Daily Active Users").as_deref(),
        Some("daily_active_users")
    );
    assert_eq!(
        snake("DailyActiveUsers").as_deref(),
        Some("daily_active_users")
    );
    assert_eq!(
        snake("HTTPServer logs").as_deref(),
        Some("http_server_logs")
    );
    assert_eq!(snake("  ../../etc/passwd ").as_deref(), Some("etc_passwd"));
    assert_eq!(snake("2FA Service").as_deref(), Some("n_2_fa_service"));
    assert_eq!(snake("Html5Parser").as_deref(), Some("html5_parser"));
    assert_eq!(
        snake("SaaS Metrics Dashboard").as_deref(),
        Some("saas_metrics_dashboard")
    );
    assert_eq!(snake("userID").as_deref(), Some("user_id"));
    assert_eq!(snake("用户"), None);
    assert_eq!(snake("{{ config }}").as_deref(), Some("config"));
}

/// A tiny deterministic generator, so the property tests need no crate.
struct Gen(u64);
impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn text(&mut self) -> String {
        const POOL: &[&str] = &[
            "a", "Z", "0", "9", " ", "_", "-", ".", "/", "\\", "..", "\n", "\r", "\t", "\0", "'",
            "\"", "{{", "}}", "{%", "%}", "é", "ß", "用", "户", "ا", "😀", "class", "select",
            "User", "ID", "\u{2028}", "$", "`", "*", "#", "|", "<", ">", "&", "[", "]",
        ];
        let n = (self.next() % 40) as usize;
        (0..n)
            .map(|_| POOL[(self.next() % POOL.len() as u64) as usize])
            .collect()
    }
}

#[test]
fn property_keys_are_always_safe_identifiers() {
    let mut g = Gen(0x9e37_79b9_7f4a_7c15);
    for _ in 0..20_000 {
        let t = g.text();
        let k = key_for(Some(&t), "entity", &t);
        assert!(is_key(&k), "{t:?} -> {k:?}");
        let py = python_ident(&k);
        assert!(!PYTHON_RESERVED.contains(&py.as_str()));
        let sql = sql_ident(&k);
        assert!(!SQL_RESERVED.contains(&sql.as_str()));
        assert!(pascal(&k).chars().all(|c| c.is_ascii_alphanumeric()));
    }
}

#[test]
fn property_allocator_never_repeats_and_keeps_keys_valid() {
    let mut g = Gen(42);
    let mut a = Allocator::new();
    let mut seen = BTreeSet::new();
    for _ in 0..5_000 {
        let t = g.text();
        let k = a.claim(&key_for(Some(&t), "x", &t));
        assert!(is_key(&k), "{k}");
        assert!(seen.insert(k));
    }
    // Many identical names: _2, _3, … all distinct and within bounds.
    let long = "a".repeat(KEY_MAX);
    let mut a = Allocator::new();
    let ks: BTreeSet<String> = (0..200).map(|_| a.claim(&long)).collect();
    assert_eq!(ks.len(), 200);
    assert!(ks.iter().all(|k| is_key(k)));
}

#[test]
fn property_target_forms_are_injective_on_keys() {
    let mut g = Gen(7);
    let mut a = Allocator::new();
    let keys: Vec<String> = (0..3_000)
        .map(|_| {
            let t = g.text();
            a.claim(&key_for(Some(&t), "x", &t))
        })
        .collect();
    let py: BTreeSet<String> = keys.iter().map(|k| python_ident(k)).collect();
    let sql: BTreeSet<String> = keys.iter().map(|k| sql_ident(k)).collect();
    assert_eq!(py.len(), keys.len());
    assert_eq!(sql.len(), keys.len());
}

#[test]
fn property_path_segments_never_escape() {
    let mut g = Gen(99);
    for _ in 0..20_000 {
        let t = g.text() + &g.text();
        let s = path_segment(&t);
        assert!(!s.is_empty() && s.len() <= 255);
        assert!(!s.contains('/') && !s.contains('\\') && !s.contains('\0'));
        assert!(!s.starts_with('.'), "{s:?}");
    }
    assert_eq!(path_segment(&"é".repeat(300)).len(), 254);
}

#[test]
fn property_string_literals_hold_no_raw_breaks() {
    let mut g = Gen(5);
    for _ in 0..20_000 {
        let t = g.text();
        for lit in [py_str(&t), yaml_str(&t)] {
            assert!(!lit.contains('\n') && !lit.contains('\r') && !lit.contains('\0'));
            assert!(lit.starts_with('"') && lit.ends_with('"'));
            // Every inner quote is escaped.
            let inner = &lit[1..lit.len() - 1];
            let mut esc = false;
            for c in inner.chars() {
                assert!(esc || c != '"', "{lit}");
                esc = !esc && c == '\\';
            }
        }
        let md = markdown(&t);
        assert!(!md.contains('\n') && !md.contains("{%") && !md.contains("{{"));
        let adoc = asciidoc(&t);
        assert!(!adoc.contains('{') && !adoc.contains('\n'));
        assert!(!comment(&t).contains('\n'));
        for out in [
            py_str(&t),
            yaml_str(&t),
            comment(&t),
            markdown(&t),
            asciidoc(&t),
        ] {
            for marker in ["{{", "{%", "{#", "%}", "#}", "}}"] {
                assert!(!out.contains(marker), "{out} holds {marker}");
            }
        }
    }
}

#[test]
fn keys_keep_whole_names_up_to_63_bytes() {
    assert_eq!(
        snake("Refunds by Currency and Status").as_deref(),
        Some("refunds_by_currency_and_status")
    );
    let long = "Customer Lifetime Value by Acquisition Channel and Marketing Region";
    assert!(key_is_cut(long));
    assert_eq!(
        snake(long).as_deref(),
        Some("customer_lifetime_value_by_acquisition_channel_and_marketing")
    );
    assert!(!key_is_cut("Refunds by Currency and Status"));
    assert_eq!(
        legacy_key_for(Some("Refunds by Currency and Status"), "x", "id"),
        "refunds_by_currency_and"
    );
}

#[test]
fn long_sql_names_get_a_stable_hash() {
    assert_eq!(sql_name("ix_events_user_id"), "ix_events_user_id");
    let a = format!("ix_{}_{}", "t".repeat(50), "first_column");
    let b = format!("ix_{}_{}", "t".repeat(50), "second_column");
    let (sa, sb) = (sql_name(&a), sql_name(&b));
    assert_eq!((sa.len(), sb.len()), (63, 63));
    assert_ne!(sa, sb);
    assert_eq!(sa, sql_name(&a));
    assert!(sa.starts_with(&a[..54]));
    // That the generated code's short_name() (Python) agrees is checked
    // end to end: `alembic check` on tests/fixtures/gen/stack-names.xml
    // compares the migrations' names with the models'.
    assert_eq!(sql_name(&"x".repeat(63)), "x".repeat(63));
    assert_eq!(sql_name(&"x".repeat(64)).len(), 63);
}

#[test]
fn reserved_words_are_avoided() {
    assert_eq!(python_ident("class"), "class_");
    assert_eq!(python_ident("metadata"), "metadata_");
    assert_eq!(sql_ident("user"), "user_");
    assert_eq!(sql_ident("order"), "order_");
    assert_eq!(sql_ident("events"), "events");
    assert_eq!(pascal("daily_active_users"), "DailyActiveUsers");
    assert_eq!(pascal("n_2fa"), "N2fa");
}

#[test]
fn names_for_other_languages() {
    assert_eq!(camel("daily_active_users"), "dailyActiveUsers");
    assert_eq!(camel("2fa_codes"), "x2faCodes");
    assert_eq!(camel(""), "x");
    assert_eq!(ts_ident("delete"), "delete_");
    assert_eq!(ts_ident("default"), "default_");
    assert_eq!(ts_ident("user_id"), "userId");
    assert_eq!(rust_ident("type"), "r#type");
    assert_eq!(rust_ident("self"), "self_");
    assert_eq!(rust_ident("events"), "events");
    assert_eq!(
        js_str("a \"b\"\n\u{2028}</script>"),
        r#""a \"b\"\n\u2028<\/script>""#
    );
}
