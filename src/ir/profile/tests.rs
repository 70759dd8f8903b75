//! Tests of the profile's little languages.

use super::*;

#[test]
fn every_metric_kind_reads() {
    let kind = |t: &str| parse_metric(t).into_result().map(|d| d.kind.name());
    assert_eq!(kind("count(*) from events per day"), Ok("simple"));
    assert_eq!(kind("feature_users / active_users * 100"), Ok("ratio"));
    assert_eq!(kind("a / b"), Ok("ratio"));
    assert_eq!(
        kind("count_distinct(user_id) from events where name = 'login' over 30 days per day"),
        Ok("rolling")
    );
    assert_eq!(
        kind("sum(amount_cents / interval_months) from subscriptions active from started_at to ended_at per month by plan"),
        Ok("snapshot")
    );
    assert_eq!(
        kind("churn(customer_id) from subscriptions active from started_at to ended_at per month"),
        Ok("snapshot")
    );
    assert_eq!(
        kind("cohort(user_id) from events first where name = 'signup' then where name = 'login' per week over 12 weeks"),
        Ok("cohort")
    );
    assert_eq!(
        kind("funnel(user_id) from events steps name = 'signup', name = 'activation' and plan = 'pro', name = 'purchase' within 14 days per week"),
        Ok("funnel")
    );
    let f = parse_metric("funnel(user_id) from events steps name = 'a', name = 'b' and plan = 'pro' within 14 days per week")
        .into_result()
        .unwrap();
    match f.kind {
        KindDef::Funnel { steps, within_days } => {
            assert_eq!((steps.len(), steps[1].len(), within_days), (2, 2, 14));
        }
        other => panic!("{other:?}"),
    }
    let s = parse_metric("sum(amount / 12) from subs active from a to b per month")
        .into_result()
        .unwrap();
    assert_eq!(s.divisor, Some(Operand::Number(12.0)));
}

#[test]
fn a_kind_used_wrongly_says_how_to_write_it() {
    let first = |t: &str| parse_metric(t).into_result().unwrap_err().message;
    assert!(first("count(*) from events over 7 days per week").contains("per day"));
    assert!(first("churn(customer_id) from subscriptions per month").contains("interval"));
    assert!(
        first("funnel(user_id) from events steps name = 'a' within 14 days per week")
            .contains("two steps")
    );
    assert!(first("max(amount) from events over 7 days per day").contains("rolling window adds up"));
    assert!(first("cohort(user_id) from events first where name = 'a' then where name = 'b' per week over 12 months").contains("weeks"));
    assert!(
        first("count(user_id / 2) from events per day").contains("divisor")
            || first("count(user_id / 2) from events per day").contains("count takes")
    );
    assert!(first("cohort(user_id) from events first where name = 'a' then where name = 'b' per week over 0 weeks").contains("whole number"));
}

#[test]
fn units_read_as_the_dashboard_writes_them() {
    let cur = |c: &str, minor| Unit::Currency {
        currency: c.into(),
        minor,
    };
    assert_eq!(parse_unit("USD cents"), Ok(cur("USD", true)));
    assert_eq!(parse_unit(" eur "), Ok(cur("EUR", false)));
    assert_eq!(parse_unit("ms"), Ok(Unit::Duration { base: "ms".into() }));
    assert_eq!(
        parse_unit("Seconds"),
        Ok(Unit::Duration { base: "s".into() })
    );
    assert_eq!(parse_unit("%"), Ok(Unit::Percent));
    assert_eq!(parse_unit("count"), Ok(Unit::Count));
    for bad in ["", "dollars", "US cents", "USD cents extra", "12%"] {
        assert!(parse_unit(bad).is_err(), "{bad}");
    }
}

#[test]
fn fields_parse() {
    let f = parse_fields("id uuid pk; email string(255) unique pii; amount numeric(12,2) nullable; org_ref uuid ref=orgs index").into_result().unwrap();
    assert_eq!(f.len(), 4);
    assert!(f[0].pk);
    assert_eq!(f[1].ty.length, Some(255));
    assert!(f[1].unique && f[1].pii);
    assert_eq!(f[2].ty.precision, Some(12));
    assert_eq!(f[3].reference.as_deref(), Some("orgs"));
    assert!(parse_fields("id uuid pk; x varchar")
        .into_result()
        .unwrap_err()
        .message
        .contains("unknown type"));
    assert!(parse_fields("id uuid pk; x text shiny")
        .into_result()
        .unwrap_err()
        .message
        .contains("unknown flag"));
    assert!(parse_fields("a uuid pk; b uuid pk").into_result().is_err());
    assert!(parse_fields("../x text").into_result().is_err());
    assert!(parse_fields("x string(0)").into_result().is_err());
}

#[test]
fn a_bad_field_entry_is_one_error_and_the_rest_still_loads() {
    let f = parse_fields("id uuid pk; name strng(100); user_id text; name2 text shiny; 9x text; user_id uuid; a uuid pk");
    let names: Vec<&str> = f.specs.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["id", "user_id", "a"]);
    assert!(f.specs[0].pk && !f.specs[2].pk);
    let messages: Vec<&str> = f.errors.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "field `name` has the unknown type `strng(100)`",
            "field `name2` has the unknown flag `shiny`",
            "field `9x` in entry 5 is not a plain name",
            "field `user_id` is listed twice",
            "more than one field is marked pk",
        ]
    );
    assert_eq!(f.broken, ["name", "name2"]);
    assert_eq!(parse_fields(" ; ").errors.len(), 1);
}

#[test]
fn a_bad_metric_term_is_one_error_and_the_rest_is_still_read() {
    let m = parse_metric(
        "sum(amount) from orders where a = = 1 and b = 'x' and c in 2 per day by d, 3, e",
    );
    assert_eq!(m.errors.len(), 3, "{:?}", m.errors);
    let def = m.def.unwrap();
    assert_eq!(def.conditions.len(), 1);
    assert_eq!(def.conditions[0].field, "b");
    assert_eq!(def.dimensions, ["d", "e"]);
    // A character that is no token: the lexer stops, one error.
    let m = parse_metric("sum(amount) from orders where c ~ 2 and d ~ 3 per day");
    assert_eq!((m.def, m.errors.len()), (None, 1));
    // A broken frame: one error, nothing else.
    let m = parse_metric("sum(amount) form orders where a = = 1 per day");
    assert_eq!((m.def, m.errors.len()), (None, 1));
}

#[test]
fn metrics_parse() {
    let m = parse_metric("count_distinct(user_id) from events where name = 'login' per day")
        .into_result()
        .unwrap();
    assert_eq!(m.measure, Measure::CountDistinct);
    assert_eq!(m.field.as_deref(), Some("user_id"));
    assert_eq!(m.conditions[0].values, vec![Literal::Text("login".into())]);
    let m = parse_metric(
        "sum(amount) from orders where status in ('paid','shipped') and amount > 0 and note is not null per month of paid_at by plan, region",
    ).into_result().unwrap();
    assert_eq!(m.grain, Grain::Month);
    assert_eq!(m.time_field.as_deref(), Some("paid_at"));
    assert_eq!(m.dimensions, vec!["plan", "region"]);
    assert_eq!(m.conditions.len(), 3);
    assert_eq!(m.conditions[2].op, Op::IsNotNull);
    assert!(parse_metric("count(user_id) from events per day")
        .into_result()
        .is_err());
    assert!(parse_metric("count(*) from events per year")
        .into_result()
        .is_err());
    assert!(parse_metric("count(*) from events where x > 'a' per day")
        .into_result()
        .is_err());
    assert!(parse_metric("count(*) from events per day extra")
        .into_result()
        .is_err());
    assert!(parse_metric("median(x) from events per day")
        .into_result()
        .is_err());
    let m = parse_metric("sum(from) from e where select > 3 and per is null per week by from, by")
        .into_result()
        .unwrap();
    assert_eq!(m.field.as_deref(), Some("from"));
    assert_eq!(m.conditions[1].field, "per");
    assert_eq!(m.dimensions, vec!["from", "by"]);
    let m = parse_metric("count(*) from e where n = 'it''s' per week")
        .into_result()
        .unwrap();
    assert_eq!(m.conditions[0].values, vec![Literal::Text("it's".into())]);
}

#[test]
fn small_values_parse() {
    assert_eq!(parse_retention("12m").unwrap().days, 360);
    assert!(parse_retention("12").is_err());
    assert!(parse_retention("0d").is_err());
    assert_eq!(
        parse_compliance("SOC 2, gdpr; PCI DSS").unwrap(),
        vec![Framework::Soc2, Framework::Gdpr, Framework::PciDss]
    );
    assert!(parse_compliance("SOX").is_err());
    assert_eq!(
        Framework::mentioned_in("Meet HIPAA and SOC 2 controls"),
        vec![Framework::Soc2, Framework::Hipaa]
    );
    assert!(Framework::mentioned_in("SOCIAL media").is_empty());
    assert_eq!(parse_path("/api/x/").unwrap(), "/api/x");
    assert!(parse_path("api").is_err());
    assert!(parse_path("/api/../x").is_err());
    assert!(parse_path("/api/{x}").is_err());
    assert_eq!(Role::parse(" API ").unwrap(), Role::Api);
}
