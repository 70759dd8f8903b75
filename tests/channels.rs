//! Flows and Triggerings between components become channels (issue 16,
//! point 4): the IR's rule, what explain says, and what python-fastapi
//! makes of them (an outbox, a delivery step and a handler per receiver),
//! and nothing of it for a model without channels.

mod common;

use common::ir;
use serde_json::Value;

const FIXTURE: &str = "tests/fixtures/gen/channels.xml";

fn archgen(args: &[&str]) -> common::Out {
    common::run(args, std::path::Path::new(env!("CARGO_MANIFEST_DIR")))
}

/// (key, kind, sender, receiver, message entity, message event, from).
fn channels(ir: &Value) -> Vec<(String, String, String, String, Value, Value, Value)> {
    ir["channels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let s = |k: &str| c[k].as_str().unwrap().to_owned();
            (
                s("key"),
                s("kind"),
                s("sender"),
                s("receiver"),
                c["message"]["entity"].clone(),
                c["message"]["event"].clone(),
                c["from"].clone(),
            )
        })
        .collect()
}

#[test]
fn flows_and_triggerings_between_components_are_channels() {
    let v = ir(FIXTURE);
    let got = channels(&v);
    let want = [
        // A flow to the function assigned to Billing counts for Billing; a
        // flow saying the same message between the same two merges into it;
        // the DataObject associated with the flow is the message.
        (
            "order_system_to_billing",
            "flow",
            "order_system",
            "billing",
            "orders",
            Value::Null,
            vec!["r02", "r04"],
        ),
        // Named like an entity: that entity is the message.
        (
            "order_system_to_crm",
            "flow",
            "order_system",
            "crm",
            "customer_data",
            Value::Null,
            vec!["r05"],
        ),
        (
            "billing_to_crm",
            "flow",
            "billing",
            "crm",
            "",
            Value::Null,
            vec!["r06"],
        ),
        // Through an event: the event is the message.
        (
            "order_system_to_crm_2",
            "trigger",
            "order_system",
            "crm",
            "",
            Value::from("e-placed"),
            vec!["r07", "r08", "e-placed"],
        ),
    ];
    assert_eq!(got.len(), want.len(), "{got:#?}");
    for (g, w) in got.iter().zip(want) {
        assert_eq!(g.0, w.0);
        assert_eq!(g.1, w.1, "{}", w.0);
        assert_eq!((g.2.as_str(), g.3.as_str()), (w.2, w.3), "{}", w.0);
        let entity = if w.4.is_empty() {
            Value::Null
        } else {
            Value::from(w.4)
        };
        assert_eq!(g.4, entity, "{}", w.0);
        assert_eq!(g.5, w.5, "{}", w.0);
        assert_eq!(g.6, Value::from(w.6), "{}", w.0);
    }
    // A component's flow to itself, and a triggering between processes no
    // component is assigned, make none; an event that only triggers the
    // ingestion component stays an event type.
    assert!(v["events"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["key"] == "signup"));
    let names = v["channels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect::<Vec<_>>();
    assert_eq!(
        names,
        [
            "new orders",
            "customer data",
            "Billing to CRM",
            "Order placed"
        ]
    );
    // The pack's outbox and inbox come with channels.
    let entities = common::entity_keys(&v);
    assert!(
        entities.iter().any(|e| e == "outbox") && entities.iter().any(|e| e == "inbox"),
        "{entities:?}"
    );
}

#[test]
fn explain_names_the_relationships_that_made_each_channel() {
    let o = archgen(&["explain", FIXTURE]);
    assert_eq!(o.code, 0);
    let out = &o.stdout;
    assert!(out.contains("Flow new orders [r02]\n    became: channel `order_system_to_billing` from `order_system` to `billing`"), "{out}");
    assert!(
        out.contains("Triggering (unnamed) [r08]\n    became: channel `order_system_to_crm_2`"),
        "{out}"
    );
    assert!(out.contains("ApplicationEvent Order placed [e-placed]\n    became: the message of channel `order_system_to_crm_2`"), "{out}");
    // Only elements are counted.
    assert!(
        out.ends_with("10 of 12 elements shape the project\n"),
        "{out}"
    );
    assert!(!out.contains("[r09]") && !out.contains("[r10]"), "{out}");
}

#[test]
fn channels_make_an_outbox_and_a_handler_per_receiver_and_no_channels_make_none() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    let o = archgen(&["gen", FIXTURE, "-o", dir.to_str().unwrap()]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    for f in [
        "app/services/outbox.py",
        "app/handlers/__init__.py",
        "app/handlers/billing.py",
        "app/handlers/crm.py",
        "app/models/outbox.py",
        "app/models/inbox.py",
        "tests/test_outbox.py",
    ] {
        assert!(dir.join(f).is_file(), "{f}");
    }
    // Only receivers get a handler.
    assert!(!dir.join("app/handlers/order_system.py").exists());
    let worker = std::fs::read_to_string(dir.join("app/jobs/worker.py")).unwrap();
    assert!(worker.contains("delivery_step(r)"), "{worker}");
    // The sender's service writes the channel's entity: its routes publish it.
    let api = std::fs::read_to_string(dir.join("app/api/orders_api.py")).unwrap();
    assert!(
        api.contains("\"orders\": (\"order_system_to_billing\",),"),
        "{api}"
    );
    assert!(
        api.contains("rows.create(db, principal, key, body, _publisher(key, \"created\"))"),
        "{api}"
    );
    let doc = std::fs::read_to_string(dir.join("ARCHITECTURE.adoc")).unwrap();
    assert!(
        doc.contains("== Channels") && doc.contains("`+order_system_to_crm_2+`"),
        "{doc}"
    );

    let v = ir("blueprints/saas-dashboard.xml");
    assert_eq!(v["channels"], Value::Array(vec![]));
    let entities = common::entity_keys(&v);
    assert!(!entities.iter().any(|e| e == "outbox") && !entities.iter().any(|e| e == "inbox"));
}

#[test]
fn regeneration_renames_no_channel_when_another_is_drawn_between_the_same_two() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    let out = dir.to_str().unwrap();
    assert_eq!(archgen(&["gen", FIXTURE, "-o", out]).code, 0);
    let keys = |dir: &std::path::Path| -> Vec<String> {
        let text = std::fs::read_to_string(dir.join("app/services/outbox.py")).unwrap();
        text.lines()
            .filter_map(|l| l.strip_prefix("        key=\""))
            .map(|l| l.trim_end_matches("\",").to_owned())
            .collect()
    };
    let before = keys(&dir);
    assert_eq!(
        before,
        [
            "order_system_to_billing",
            "order_system_to_crm",
            "billing_to_crm",
            "order_system_to_crm_2"
        ]
    );
    // A new flow from Order System to CRM, first in identifier order.
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(FIXTURE),
    )
    .unwrap()
    .replace(
        "<relationship identifier=\"r01\"",
        "<relationship identifier=\"r00\" source=\"c-orders\" target=\"c-crm\" xsi:type=\"Flow\"/>\n    <relationship identifier=\"r01\"",
    );
    let bp = tmp.path().join("more.xml");
    std::fs::write(&bp, text).unwrap();
    assert_eq!(archgen(&["gen", bp.to_str().unwrap(), "-o", out]).code, 0);
    let after = keys(&dir);
    assert_eq!(after[0], "order_system_to_crm_3");
    assert_eq!(after[1..], before[..]);
}
