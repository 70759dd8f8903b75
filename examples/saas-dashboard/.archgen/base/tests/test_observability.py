"""Readiness, request ids, JSON log lines, Prometheus metrics, data freshness."""

import io
import json
import logging
import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.api import health
from app.catalog import INGESTED, METRICS
from app.core.config import get_settings
from app.core.logs import JsonFormatter
from app.services.metrics_aggregator import run_scheduled
from tests import factories as f


def test_live_and_ready(client: TestClient) -> None:
    assert client.get("/health/live").json() == {"status": "ok"}
    r = client.get("/health/ready")
    assert r.status_code == 200, r.text
    assert r.json()["revision"] == sorted(health.migration_heads())


def test_not_ready_when_migrations_lag(client: TestClient, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(health, "migration_heads", lambda: frozenset({"a-newer-revision"}))
    r = client.get("/health/ready")
    assert r.status_code == 503
    assert r.json()["reason"] == "migrations not at head"


def test_request_ids_are_made_or_taken_from_trusted_proxies(make_client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    anyone = make_client("203.0.113.4")
    r = anyone.get("/health/live", headers={"X-Request-ID": "chosen-by-client"})
    assert re.fullmatch(r"[0-9a-f]{32}", r.headers["X-Request-ID"])
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.0/8")
    get_settings.cache_clear()
    proxy = make_client("10.1.2.3")
    assert proxy.get("/health/live", headers={"X-Request-ID": "edge-42"}).headers["X-Request-ID"] == "edge-42"
    bad = proxy.get("/health/live", headers={"X-Request-ID": "no spaces or\\nnewlines"})
    assert bad.headers["X-Request-ID"] != "no spaces or\\nnewlines"


def test_each_request_logs_one_json_line(client: TestClient, db: Session) -> None:
    org = f.org(db)
    f.signed_in(client, db, org, "viewer")
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter())
    access = logging.getLogger("app.access")
    access.addHandler(handler)
    level = access.level
    access.setLevel(logging.INFO)
    try:
        r = client.get("/api/auth/me")
    finally:
        access.removeHandler(handler)
        access.setLevel(level)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(lines) == 1, lines
    data = lines[0]
    assert data["level"] == "info" and data["time"].endswith("+00:00")
    assert (data["method"], data["route"], data["status"]) == ("GET", "/api/auth/me", 200)
    assert data["request_id"] == r.headers["X-Request-ID"]
    assert data["organization"] == str(org)
    assert data["duration_ms"] >= 0


def test_prometheus_metrics(client: TestClient, db: Session, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    org = f.org(db)
    key = f.api_key(db, org)
    if INGESTED:
        rows = [f.json_row(db, INGESTED[0], org) for _ in range(2)]
        assert client.post(f"/api/ingest/{INGESTED[0]}", json=rows, headers={"X-API-Key": key}).status_code == 201
    run_scheduled()
    client.get("/health/live")
    client.get("/no/such/page/zq")
    text = client.get("/metrics").text
    assert 'app_http_requests_total{method="GET",route="/health/live",status="200"} ' in text
    assert 'app_http_request_duration_seconds_bucket{le="0.005",method="GET",route="/health/live"}' in text
    # Unknown paths are one label, not one per path.
    assert "/no/such/page" not in text and 'route="unmatched"' in text
    if INGESTED:
        assert 'app_ingest_rows_total{entity="' + INGESTED[0] + '",outcome="inserted"} ' in text
    assert 'app_aggregation_last_success_timestamp_seconds{job="scheduled"}' in text
    for metric in METRICS:
        assert 'app_metric_data_age_seconds{metric="' + metric + '"}' in text
    monkeypatch.setenv("METRICS_TOKEN", "s3cret-token")
    get_settings.cache_clear()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer s3cret-token"}).status_code == 200


def test_the_dashboard_says_as_of_when_each_metric_was_computed(client: TestClient, db: Session) -> None:
    org = f.org(db)
    f.signed_in(client, db, org, "viewer")
    catalog = client.get("/api/dashboard/metrics").json()["catalog"]
    assert all(entry["as_of"] is None for entry in catalog)
    run_scheduled()
    catalog = client.get("/api/dashboard/metrics").json()["catalog"]
    assert {entry["key"] for entry in catalog} == set(METRICS)
    assert all(entry["as_of"] for entry in catalog)
