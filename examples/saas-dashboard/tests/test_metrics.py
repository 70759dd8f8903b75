"""Every metric, computed from seeded rows in Python, equals what the API serves."""

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.catalog import METRICS
from app.jobs import aggregate as aggregate_job
from app.models import METRIC_MODELS
from app.services.metrics_aggregator import aggregate, next_period
from tests import factories as f

FAR_FROM = dt.date(2023, 1, 1)
FAR_TO = dt.date(2025, 12, 31)


def _setup(db: Session, make_client) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    a, b = f.org(db, "Alpha"), f.org(db, "Beta")
    rows_a = f.seed_metric_sources(db, a, seed=11)
    rows_b = f.seed_metric_sources(db, b, seed=22)
    ca, cb = make_client(), make_client()
    f.signed_in(ca, db, a, "viewer")
    f.signed_in(cb, db, b, "viewer")
    return {"a": (a, rows_a, ca), "b": (b, rows_b, cb)}


def _series(client: TestClient, key: str, date_from: dt.date = FAR_FROM, date_to: dt.date = FAR_TO) -> dict[str, Any]:
    r = client.get(f"/api/dashboard/metrics/{key}", params={"from": date_from.isoformat(), "to": date_to.isoformat()})
    assert r.status_code == 200, r.text
    return r.json()


@pytest.mark.skipif(not METRICS, reason="the blueprint declares no metrics")
def test_every_metric_value_exact_per_organization(db: Session, make_client) -> None:  # type: ignore[no-untyped-def]
    w = _setup(db, make_client)
    assert aggregate_job.main(["--from", FAR_FROM.isoformat(), "--to", FAR_TO.isoformat()]) == 0
    for metric in METRICS.values():
        for _, rows, client in w.values():
            expected = f.expected_points(metric, rows, FAR_TO)
            data = _series(client, metric.key)
            assert data["metric"] == metric.key and data["grain"] == metric.grain
            periods = [p["period_start"] for p in data["points"]]
            assert periods == sorted(periods)
            f.assert_same(metric, expected, f.points_by_key(metric, data["points"]))


@pytest.mark.skipif(not METRICS, reason="the blueprint declares no metrics")
def test_aggregation_is_idempotent(db: Session, make_client) -> None:  # type: ignore[no-untyped-def]
    _setup(db, make_client)
    aggregate(FAR_FROM, FAR_TO)
    counts = {k: db.scalar(select(func.count()).select_from(m)) for k, m in METRIC_MODELS.items()}
    aggregate(FAR_FROM, FAR_TO)
    assert counts == {k: db.scalar(select(func.count()).select_from(m)) for k, m in METRIC_MODELS.items()}


@pytest.mark.skipif(not METRICS, reason="the blueprint declares no metrics")
def test_a_period_overlapping_the_range_is_recomputed_whole(db: Session, make_client) -> None:  # type: ignore[no-untyped-def]
    w = _setup(db, make_client)
    _, rows, client = w["a"]
    aggregate(FAR_FROM, FAR_TO)
    for model in METRIC_MODELS.values():
        db.execute(delete(model))
    db.commit()
    for metric in METRICS.values():
        expected = f.expected_points(metric, rows, FAR_TO)
        if not expected:
            continue
        period = dt.date.fromisoformat(min(k[0] for k in expected))
        last_day = next_period(period, metric.grain) - dt.timedelta(days=1)
        # Only the period's last day is in the range; the whole period is recomputed
        # (a ratio's from its parts').
        parts = [metric.numerator or "", metric.denominator or ""] if metric.kind == "ratio" else []
        aggregate(last_day, last_day, [metric.key, *parts])
        want = {k: v for k, v in expected.items() if k[0] == period.isoformat()}
        got = f.points_by_key(metric, _series(client, metric.key)["points"])
        f.assert_same(metric, want, got)


@pytest.mark.skipif(not METRICS, reason="the blueprint declares no metrics")
def test_series_date_range_is_inclusive(db: Session, make_client) -> None:  # type: ignore[no-untyped-def]
    w = _setup(db, make_client)
    aggregate(FAR_FROM, FAR_TO)
    _, rows, client = w["a"]
    for metric in METRICS.values():
        expected = f.expected_points(metric, rows, FAR_TO)
        if not expected:
            continue
        first = dt.date.fromisoformat(min(k[0] for k in expected))
        data = _series(client, metric.key, first, first)
        assert {p["period_start"] for p in data["points"]} == {first.isoformat()}


@pytest.mark.skipif(not METRICS, reason="the blueprint declares no metrics")
def test_latest_values_per_metric(db: Session, make_client) -> None:  # type: ignore[no-untyped-def]
    w = _setup(db, make_client)
    aggregate(FAR_FROM, FAR_TO)
    _, rows, client = w["a"]
    r = client.get("/api/dashboard/metrics")
    assert r.status_code == 200
    latest = r.json()["metrics"]
    for metric in METRICS.values():
        # A metric's first computation is whole: rolling and snapshot values run to today.
        expected = f.expected_points(metric, rows)
        mine = [p for p in latest if p["metric"] == metric.key]
        if not expected:
            assert mine == []
            continue
        newest = max(k[0] for k in expected)
        want = {k: v for k, v in expected.items() if k[0] == newest}
        assert {p["period_start"] for p in mine} == {newest}
        assert all(p["grain"] == metric.grain for p in mine)
        f.assert_same(metric, want, f.points_by_key(metric, mine))


@pytest.mark.skipif(
    not any(m.kind in ("cohort", "funnel") for m in METRICS.values()), reason="no cohort or funnel metric"
)
def test_cohort_and_funnel_series_carry_their_table_and_steps(db: Session, make_client) -> None:  # type: ignore[no-untyped-def]
    w = _setup(db, make_client)
    aggregate(FAR_FROM, FAR_TO)
    _, rows, client = w["a"]
    for metric in METRICS.values():
        if metric.kind not in ("cohort", "funnel"):
            continue
        expected = f.expected_points(metric, rows, FAR_TO)
        data = _series(client, metric.key)
        assert data["kind"] == metric.kind
        dims = [d.key for d in metric.source_dimensions]
        if metric.kind == "cohort":
            table = data["cohorts"]
            assert table, metric.key
            for row in table:
                key = (row["cohort_start"], *[row["dimensions"][d] for d in dims])
                assert row["size"] == expected[(*key, -1)]
                assert len(row["retained"]) == (metric.periods or 0) + 1
                for k, (n, share) in enumerate(zip(row["retained"], row["shares"], strict=True)):
                    assert n == expected.get((*key, k), 0)
                    assert share == pytest.approx(n / row["size"])
            assert sum(r["size"] for r in table) == sum(v for k, v in expected.items() if k[-1] == -1)
        else:
            periods = data["funnel"]
            assert periods, metric.key
            for period in periods:
                key = (period["period_start"], *[period["dimensions"][d] for d in dims])
                steps = period["steps"]
                assert [s["step"] for s in steps] == list(range(1, len(metric.steps) + 1))
                for s in steps:
                    assert s["actors"] == expected.get((*key, s["step"]), 0)
                    assert s["label"]
                first = steps[0]["actors"]
                assert steps[0]["conversion"] == 1.0
                for before, after in zip(steps, steps[1:], strict=False):
                    assert after["actors"] <= before["actors"], "a later step has more actors"
                    want = after["actors"] / before["actors"] if before["actors"] else None
                    assert after["conversion"] == pytest.approx(want)
                    assert after["of_first"] == pytest.approx(after["actors"] / first)


def test_unknown_metric_is_404(client: TestClient, db: Session) -> None:
    org = f.org(db)
    f.signed_in(client, db, org, "viewer")
    assert client.get("/api/dashboard/metrics/no_such_metric_at_all").status_code == 404
    assert client.get("/api/dashboard/metrics").json()["metrics"] == []


@pytest.mark.skipif(not METRICS, reason="the blueprint declares no metrics")
def test_export_is_for_analysts(db: Session, make_client) -> None:  # type: ignore[no-untyped-def]
    org = f.org(db)
    f.seed_metric_sources(db, org, seed=5, rows_per_source=10)
    aggregate(FAR_FROM, FAR_TO)
    key = next(iter(METRICS))
    viewer, analyst = make_client(), make_client()
    f.signed_in(viewer, db, org, "viewer")
    f.signed_in(analyst, db, org, "analyst")
    assert viewer.get(f"/api/dashboard/export/{key}").status_code == 403
    r = analyst.get(f"/api/dashboard/export/{key}")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert r.text.splitlines()[0].startswith("period_start")


def test_aggregate_job_rejects_reversed_range() -> None:
    with pytest.raises(SystemExit):
        aggregate_job.main(["--from", "2024-02-01", "--to", "2024-01-01"])


@pytest.mark.skipif(not METRICS, reason="the blueprint declares no metrics")
def test_series_default_to_a_window_and_revalidate_with_an_etag(client: TestClient, db: Session) -> None:
    org = f.org(db)
    f.signed_in(client, db, org, "viewer")
    key = next(iter(METRICS))
    r = client.get(f"/api/dashboard/metrics/{key}")
    assert r.status_code == 200
    body = r.json()
    span = dt.date.fromisoformat(body["to"]) - dt.date.fromisoformat(body["from"])
    assert span.days + 1 == 90
    assert r.headers["Cache-Control"] == "private, no-cache"
    etag = r.headers["ETag"]
    again = client.get(f"/api/dashboard/metrics/{key}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["ETag"] == etag
    too_long = {"from": "2000-01-01", "to": "2030-12-31"}
    assert client.get(f"/api/dashboard/metrics/{key}", params=too_long).status_code == 422
    reversed_range = {"from": "2024-02-01", "to": "2024-01-01"}
    assert client.get(f"/api/dashboard/metrics/{key}", params=reversed_range).status_code == 422
