"""The data path under production conditions: retries, late rows, failed and overlapping runs."""

import datetime as dt
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.catalog import ENTITIES, INGESTED, METRICS
from app.core.config import get_settings
from app.core.db import engine
from app.core.tables import AggregationQueue, JobRun
from app.models import ENTITY_MODELS, METRIC_MODELS
from app.services import metrics_aggregator
from app.services.metrics_aggregator import aggregate, run_scheduled
from app.services.values import to_json
from tests import factories as f

ROOT = Path(__file__).resolve().parent.parent
FAR_FROM = dt.date(2000, 1, 1)
FAR_TO = dt.date(2100, 1, 1)
# Metrics whose rows arrive through ingestion.
INGESTED_METRICS = [m for m in METRICS.values() if m.source in INGESTED]
needs_metrics = pytest.mark.skipif(not INGESTED_METRICS, reason="no metric over an ingested entity")


def _count(db: Session, key: str, org: Any) -> int:
    model = ENTITY_MODELS[key]
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model).where(model.organization_id == org)) or 0


def _post(client: TestClient, key: str, rows: list[dict[str, Any]], api_key: str, **headers: str) -> Any:
    return client.post(f"/api/ingest/{key}", json=rows, headers={"X-API-Key": api_key, **headers})


def _span(key: str, days: int) -> dt.timedelta:
    """`days`, or less when the table keeps rows a shorter time."""
    kept = ENTITIES[key].retention_days
    wanted = dt.timedelta(days=days)
    return min(wanted, dt.timedelta(days=kept) - dt.timedelta(hours=2)) if kept else wanted


def _late_days(key: str) -> int:
    """How late a late row is: 40 days, or less when the table keeps rows a shorter time."""
    days = ENTITIES[key].retention_days
    return 40 if not days or days > 45 else max(1, days // 2)


# ---- retries -----------------------------------------------------------------------------


@pytest.mark.parametrize("key", INGESTED)
def test_a_retried_batch_is_stored_once(client: TestClient, db: Session, key: str) -> None:
    org = f.org(db)
    api_key = f.api_key(db, org)
    rows = [f.json_row(db, key, org) for _ in range(3)]
    first = _post(client, key, rows, api_key)
    assert first.status_code == 201, first.text
    assert first.json() == {"entity": key, "inserted": 3, "duplicates": 0}
    # The response was lost; the client sends the same batch again.
    again = _post(client, key, rows, api_key)
    assert again.status_code == 200, again.text
    assert again.json() == {"entity": key, "inserted": 0, "duplicates": 3}
    assert _count(db, key, org) == 3


@pytest.mark.parametrize("key", INGESTED)
def test_a_retried_batch_without_keys_is_stored_once(client: TestClient, db: Session, key: str) -> None:
    org = f.org(db)
    api_key = f.api_key(db, org)
    pks = [fs.key for fs in ENTITIES[key].fields if fs.pk]
    rows = [{k: v for k, v in f.json_row(db, key, org).items() if k not in pks} for _ in range(3)]
    assert _post(client, key, rows, api_key).status_code == 201
    again = _post(client, key, rows, api_key)
    assert again.status_code == 200 and again.json()["inserted"] == 0
    assert again.json()["duplicates"] == 3
    assert _count(db, key, org) == 3
    # With an Idempotency-Key: the same key and rows are a retry; other rows under it are refused.
    more = [{k: v for k, v in f.json_row(db, key, org).items() if k not in pks} for _ in range(2)]
    assert _post(client, key, more, api_key, **{"Idempotency-Key": "batch-7"}).status_code == 201
    assert _post(client, key, more, api_key, **{"Idempotency-Key": "batch-7"}).json()["inserted"] == 0
    other = _post(client, key, more[:1], api_key, **{"Idempotency-Key": "batch-7"})
    assert other.status_code == 422 and "Idempotency-Key" in other.text
    assert _count(db, key, org) == 5


@pytest.mark.parametrize("key", INGESTED)
def test_a_key_repeated_within_a_batch_counts_once(client: TestClient, db: Session, key: str) -> None:
    if not all(fs.kind == "uuid" for fs in ENTITIES[key].fields if fs.pk):
        pytest.skip("keys are numbered by the database")
    org = f.org(db)
    api_key = f.api_key(db, org)
    a, b = f.json_row(db, key, org), f.json_row(db, key, org)
    r = _post(client, key, [a, a, b, a], api_key)
    assert r.status_code == 201, r.text
    assert r.json() == {"entity": key, "inserted": 2, "duplicates": 2}
    assert _count(db, key, org) == 2


@pytest.mark.parametrize("key", INGESTED)
def test_another_organizations_key_is_refused(client: TestClient, db: Session, key: str) -> None:
    if not all(fs.kind == "uuid" for fs in ENTITIES[key].fields if fs.pk):
        pytest.skip("keys are numbered by the database")
    a, b = f.org(db), f.org(db)
    row = f.json_row(db, key, a)
    assert _post(client, key, [row], f.api_key(db, a)).status_code == 201
    row_b = {**f.json_row(db, key, b), **{fs.key: row[fs.key] for fs in ENTITIES[key].fields if fs.pk}}
    r = _post(client, key, [row_b], f.api_key(db, b))
    assert r.status_code == 422
    assert _count(db, key, b) == 0 and _count(db, key, a) == 1


# ---- bounds --------------------------------------------------------------------------------


@pytest.mark.parametrize("key", INGESTED)
def test_rows_dated_too_far_ahead_or_past_retention_are_refused(client: TestClient, db: Session, key: str) -> None:
    spec = ENTITIES[key]
    if not spec.time_field:
        pytest.skip("no time field")
    field = spec.field(spec.time_field)
    org = f.org(db)
    api_key = f.api_key(db, org)
    now = dt.datetime.now(dt.UTC)
    ahead = now + dt.timedelta(minutes=get_settings().INGEST_MAX_FUTURE_MINUTES + 60 * 24)
    cases = [ahead]
    if spec.retention_days:
        cases.append(now - dt.timedelta(days=spec.retention_days + 2))
    for moment in cases:
        good, bad = f.json_row(db, key, org), f.json_row(db, key, org)
        bad[field.key] = (moment.date() if field.kind == "date" else moment).isoformat()
        r = _post(client, key, [good, bad], api_key)
        assert r.status_code == 422, r.text
        errors = r.json()["detail"]["errors"]
        assert errors[0]["row"] == 1 and errors[0]["field"] == field.key
    assert _count(db, key, org) == 0


def test_bodies_are_cut_off_at_the_limit_chunked_or_not(monkeypatch, db: Session) -> None:  # type: ignore[no-untyped-def]
    from app.main import create_app
    from tests.conftest import BASE_URL

    monkeypatch.setenv("INGEST_MAX_BYTES", "4096")
    monkeypatch.setenv("MAX_BODY_BYTES", "2048")
    get_settings.cache_clear()
    org = f.org(db)
    api_key = f.api_key(db, org)
    key = INGESTED[0] if INGESTED else "anything"

    def chunks(total: int):  # type: ignore[no-untyped-def]
        yield b"["
        for _ in range(total // 1024):
            yield b" " * 1024
        yield b"]"

    headers = {"X-API-Key": api_key, "Content-Type": "application/json"}
    with TestClient(create_app(), base_url=BASE_URL) as c:
        # No Content-Length: the body arrives chunked.
        r = c.post(f"/api/ingest/{key}", content=chunks(64 * 1024), headers=headers)
        assert r.status_code == 413 and "too large" in r.json()["detail"]
        r = c.post(f"/api/ingest/{key}", content=b"[" + b" " * 8000 + b"]", headers=headers)
        assert r.status_code == 413
        # Under the limit, chunked: read whole and handled.
        r = c.post(f"/api/ingest/{key}", content=chunks(2048), headers=headers)
        assert r.status_code in (200, 404), r.text
        # Other routes have their own, smaller limit.
        r = c.post("/api/auth/login", content=chunks(8 * 1024), headers={"Content-Type": "application/json"})
        assert r.status_code == 413


# ---- late data and scheduled runs ----------------------------------------------------------


def _metric_rows(db: Session, key: str) -> list[tuple[Any, ...]]:
    model = METRIC_MODELS[key]
    columns = [c for c in model.__table__.c if c.name != "id"]
    return sorted((tuple(str(v) for v in row) for row in db.execute(select(*columns))), key=str)


def _assert_exact(db: Session, org: Any) -> None:
    """Every metric of the organization equals an independent computation in Python."""
    rows = {s: f.stored_rows(db, s, org) for s in {m.source for m in METRICS.values()}}
    for metric in METRICS.values():
        expected = f.expected_points(metric, rows)
        model = METRIC_MODELS[metric.key]
        got = {}
        for row in db.scalars(select(model).where(model.organization_id == org)):
            k = (row.period_start.isoformat(), *[to_json(getattr(row, d.attr)) for d in metric.dimensions])
            assert k not in got, f"{metric.key}: {k} stored twice"
            got[k] = row.value
        f.assert_same(metric, expected, got)


@needs_metrics
def test_a_late_row_reaches_its_day_week_and_month(client: TestClient, db: Session) -> None:
    org = f.org(db)
    api_key = f.api_key(db, org)
    now = dt.datetime.now(dt.UTC)
    for i, source in enumerate(sorted({m.source for m in INGESTED_METRICS})):
        today = f.ingestible_rows(db, source, org, 100 + i, 12, now, dt.timedelta(hours=30))
        assert _post(client, source, today, api_key).status_code == 201
    run_scheduled()  # the first run computes every metric whole
    # A period nothing arrives in: the next scheduled run must leave it alone.
    untouched = METRIC_MODELS[INGESTED_METRICS[0].key]
    db.execute(insert(untouched).values(organization_id=org, period_start=dt.date(2001, 1, 1), value=999))
    db.commit()
    for i, source in enumerate(sorted({m.source for m in INGESTED_METRICS})):
        # Ingested today, dated 40 days back (the client was offline).
        late_end = now - dt.timedelta(days=_late_days(source))
        late = f.ingestible_rows(db, source, org, 200 + i, 12, late_end, dt.timedelta(hours=6))
        assert _post(client, source, late, api_key).status_code == 201
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(AggregationQueue)) > 0
    result = run_scheduled()
    assert result.claimed > 0
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(AggregationQueue)) == 0
    kept = db.scalar(select(untouched.value).where(untouched.period_start == dt.date(2001, 1, 1)))
    assert kept == 999, "a scheduled run recomputed a period no new row falls into"
    db.execute(untouched.__table__.delete().where(untouched.period_start == dt.date(2001, 1, 1)))
    db.commit()
    # Exact for the periods the rows fall into (the late day, its week and month).
    _assert_exact(db, org)
    run = db.get(JobRun, result.run_id)
    assert run.status == "succeeded" and run.finished_at is not None
    assert run.watermark is not None and run.watermark >= result.claimed


@needs_metrics
def test_timestamps_sent_in_any_utc_offset_are_stored_as_the_same_instant(client: TestClient, db: Session) -> None:
    """Metrics count UTC days: a row sent as 01:30+05:30 falls on the UTC day before."""
    org = f.org(db)
    api_key = f.api_key(db, org)
    now = dt.datetime.now(dt.UTC)
    for i, source in enumerate(sorted({m.source for m in INGESTED_METRICS})):
        rows = f.ingestible_rows(db, source, org, 600 + i, 9, now, dt.timedelta(hours=30))
        assert _post(client, source, rows, api_key).status_code == 201
        pk = next(x for x in ENTITIES[source].fields if x.pk)
        if pk.key not in rows[0]:
            continue  # keys the database makes: no way to match a stored row to a sent one
        stored = {str(r[pk.key]): r for r in f.stored_rows(db, source, org)}
        times = [x for x in ENTITIES[source].fields if x.kind == "timestamp"]
        offsets = set()
        for sent in rows:
            row = stored[str(sent[pk.key])]
            for x in times:
                if sent.get(x.key) is None:
                    continue
                moment = dt.datetime.fromisoformat(sent[x.key])
                offsets.add(moment.utcoffset())
                assert f.as_instant(row[x.key]) == moment, (x.key, sent[x.key], row[x.key])
        assert not times or len(offsets) > 1, "the rows were all sent in one offset"


@needs_metrics
def test_a_failed_run_is_redone_from_the_same_point(client: TestClient, db: Session, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    org = f.org(db)
    api_key = f.api_key(db, org)
    now = dt.datetime.now(dt.UTC)
    for i, source in enumerate(sorted({m.source for m in INGESTED_METRICS})):
        rows = f.ingestible_rows(db, source, org, 300 + i, 10, now, _span(source, 50))
        assert _post(client, source, rows, api_key).status_code == 201
    queued = db.scalar(select(func.count()).select_from(AggregationQueue))
    real = metrics_aggregator.recompute
    # The last metric with claims of its own (ratios have none: they follow their parts).
    last = [m for m in INGESTED_METRICS if m.kind != "ratio"][-1].key

    def failing(conn: Any, key: str, spans: Any, *args: Any, **kwargs: Any) -> None:
        real(conn, key, spans, *args, **kwargs)
        if key == last:
            raise RuntimeError("the database went away")

    monkeypatch.setattr(metrics_aggregator, "recompute", failing)
    with pytest.raises(RuntimeError):
        run_scheduled()
    db.expire_all()
    failed = db.scalars(select(JobRun).order_by(JobRun.id.desc())).first()
    assert failed.status == "failed" and "went away" in (failed.detail or "")
    # The failed metric's claims were not consumed.
    left = db.scalar(select(func.count()).select_from(AggregationQueue).where(AggregationQueue.metric == last))
    assert 0 < left <= queued
    monkeypatch.setattr(metrics_aggregator, "recompute", real)
    run_scheduled()
    _assert_exact(db, org)


# ---- overlapping runs ----------------------------------------------------------------------


def test_metric_tables_have_a_unique_key_with_nulls_equal(db: Session) -> None:
    org = f.org(db)
    for key, model in METRIC_MODELS.items():
        row = {"organization_id": org, "period_start": dt.date(2024, 1, 1), "value": 1}
        db.execute(insert(model).values(**row))
        db.commit()
        with pytest.raises(IntegrityError):
            db.execute(insert(model).values(**row))
            db.commit()
        db.rollback()
        assert db.scalar(select(func.count()).select_from(model)) == 1, key


@needs_metrics
def test_overlapping_runs_in_threads_leave_exact_values(client: TestClient, db: Session) -> None:
    org = f.org(db)
    api_key = f.api_key(db, org)
    now = dt.datetime.now(dt.UTC)
    for i, source in enumerate(sorted({m.source for m in INGESTED_METRICS})):
        rows = f.ingestible_rows(db, source, org, 400 + i, 40, now, _span(source, 70))
        assert _post(client, source, rows, api_key).status_code == 201
    errors: list[BaseException] = []

    def work(fn: Any) -> None:
        try:
            fn()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    jobs = [run_scheduled, run_scheduled, run_scheduled, lambda: aggregate(FAR_FROM, FAR_TO)]
    threads = [threading.Thread(target=work, args=(j,)) for j in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    _assert_exact(db, org)


@needs_metrics
def test_aggregation_processes_started_together_leave_exact_values(client: TestClient, db: Session) -> None:
    orgs = [f.org(db), f.org(db)]
    now = dt.datetime.now(dt.UTC)
    for n, org in enumerate(orgs):
        api_key = f.api_key(db, org)
        for i, source in enumerate(sorted({m.source for m in INGESTED_METRICS})):
            rows = f.ingestible_rows(db, source, org, 500 + 10 * n + i, 80, now, _span(source, 100))
            assert _post(client, source, rows, api_key).status_code == 201
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    commands = [[sys.executable, "-m", "app.jobs.aggregate"] for _ in range(3)]
    commands.append([sys.executable, "-m", "app.jobs.aggregate", "--from", FAR_FROM.isoformat(), "--to", FAR_TO.isoformat()])
    procs = [
        subprocess.Popen(c, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for c in commands
    ]
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err[-2000:]
    for org in orgs:
        _assert_exact(db, org)
    db.expire_all()
    runs = db.scalars(select(JobRun.status)).all()
    assert len(runs) >= 4 and set(runs) == {"succeeded"}
    assert engine.dialect.name in ("sqlite", "postgresql")
