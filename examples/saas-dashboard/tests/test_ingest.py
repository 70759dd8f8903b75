"""POST /api/ingest/<entity>: API key, organization from the key, all-or-nothing batches."""

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.catalog import ENTITIES, INGESTED
from app.core.db import as_utc
from app.models import ENTITY_MODELS
from tests import factories as f


def _count(db: Session, key: str, org) -> int:  # type: ignore[no-untyped-def]
    model = ENTITY_MODELS[key]
    return db.scalar(select(func.count()).select_from(model).where(model.organization_id == org)) or 0


def test_api_keys_exist_even_without_ingestion(client: TestClient, db: Session) -> None:
    org = f.org(db)
    _, csrf = f.signed_in(client, db, org, "admin")
    r = client.post("/api/admin/api-keys", json={}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 201
    if not INGESTED:
        assert client.post("/api/ingest/anything", json=[], headers={"X-API-Key": r.json()["key"]}).status_code == 404


@pytest.mark.parametrize("key", INGESTED)
def test_valid_batch_is_stored_for_the_key_organization(client: TestClient, db: Session, key: str) -> None:
    org = f.org(db)
    api_key = f.api_key(db, org)
    rows = [f.json_row(db, key, org) for _ in range(3)]
    before = _count(db, key, org)
    r = client.post(f"/api/ingest/{key}", json=rows, headers={"X-API-Key": api_key})
    assert r.status_code == 201, r.text
    assert r.json()["inserted"] == 3
    assert _count(db, key, org) == before + 3


@pytest.mark.parametrize("key", INGESTED)
def test_one_bad_row_rejects_the_batch(client: TestClient, db: Session, key: str) -> None:
    org = f.org(db)
    api_key = f.api_key(db, org)
    rows = [f.json_row(db, key, org) for _ in range(3)]
    rows[1] = {**rows[1], "no_such_field_xyz": 1}
    before = _count(db, key, org)
    r = client.post(f"/api/ingest/{key}", json=rows, headers={"X-API-Key": api_key})
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert detail["errors"][0]["row"] == 1
    assert detail["errors"][0]["field"] == "no_such_field_xyz"
    assert _count(db, key, org) == before
    required = [fs for fs in ENTITIES[key].fields if not fs.nullable and not fs.pk]
    if required:
        bad = dict(rows[0])
        del bad[required[0].key]
        r = client.post(f"/api/ingest/{key}", json=[rows[0], bad], headers={"X-API-Key": api_key})
        assert r.status_code == 422
        assert _count(db, key, org) == before
    assert client.post(f"/api/ingest/{key}", json={"not": "a list"}, headers={"X-API-Key": api_key}).status_code == 422


@pytest.mark.parametrize("key", INGESTED)
def test_timestamps_stored_in_utc(client: TestClient, db: Session, key: str) -> None:
    ts = [fs for fs in ENTITIES[key].fields if fs.kind == "timestamp" and not fs.reference]
    if not ts:
        pytest.skip("no timestamp field")
    org = f.org(db)
    api_key = f.api_key(db, org)
    row = f.json_row(db, key, org)
    # Two days ago at 23:30 in UTC-5, which is 04:30 UTC the day after.
    local = (dt.datetime.now(dt.UTC) - dt.timedelta(days=2)).replace(hour=23, minute=30, second=0, microsecond=0)
    row[ts[0].key] = local.replace(tzinfo=None).isoformat() + "-05:00"
    pk = next(p for p in ENTITIES[key].fields if p.pk)
    r = client.post(f"/api/ingest/{key}", json=[row], headers={"X-API-Key": api_key})
    assert r.status_code == 201, r.text
    model = ENTITY_MODELS[key]
    stored = db.scalars(select(model).where(model.organization_id == org)).all()
    values = [as_utc(getattr(o, ts[0].attr)) for o in stored]
    assert local + dt.timedelta(hours=5) in values
    bad = {**row, ts[0].key: "not a time"}
    if pk.kind == "uuid":
        bad.pop(pk.key, None)
    r = client.post(f"/api/ingest/{key}", json=[bad], headers={"X-API-Key": api_key})
    assert r.status_code == 422


@pytest.mark.parametrize("key", INGESTED)
def test_wrong_types_rejected(client: TestClient, db: Session, key: str) -> None:
    org = f.org(db)
    api_key = f.api_key(db, org)
    typed = [fs for fs in ENTITIES[key].fields if fs.kind in ("integer", "bigint", "uuid", "date", "boolean", "numeric")]
    if not typed:
        pytest.skip("only text-like fields")
    row = f.json_row(db, key, org)
    row[typed[0].key] = "definitely not valid"
    r = client.post(f"/api/ingest/{key}", json=[row], headers={"X-API-Key": api_key})
    assert r.status_code == 422
    assert r.json()["detail"]["errors"][0]["field"] == typed[0].key


def test_oversized_body_refused(monkeypatch, db: Session) -> None:  # type: ignore[no-untyped-def]
    from app.core.config import get_settings
    from app.main import create_app
    from tests.conftest import BASE_URL

    monkeypatch.setenv("INGEST_MAX_BYTES", "64")
    get_settings.cache_clear()
    org = f.org(db)
    key = f.api_key(db, org)
    with TestClient(create_app(), base_url=BASE_URL) as c:
        r = c.post(
            "/api/ingest/anything",
            content=b"[" + b" " * 100 + b"]",
            headers={"X-API-Key": key, "Content-Type": "application/json"},
        )
        assert r.status_code == 413
