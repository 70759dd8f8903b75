"""Two organizations: neither can read, change or infer the other's data."""

import re
import uuid
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.catalog import ENTITIES, INGESTED, METRICS
from app.services.metrics_aggregator import aggregate
from tests import factories as f
from tests.test_roles import operations

USER_LEVELS = ("viewer", "analyst", "admin")


def _seed(db: Session, org_id: uuid.UUID, seed: int) -> set[str]:
    """Rows in every tenant table; returns the identifiers that must not leak."""
    secrets: set[str] = {str(org_id)}
    for key, spec in ENTITIES.items():
        if spec.origin != "blueprint" or not spec.tenant:
            continue
        for _ in range(2):
            obj = f.row(db, key, org_id)
            pk = f.pk_of(key, obj)
            if isinstance(pk, uuid.UUID):
                secrets.add(str(pk))
    db.commit()
    if METRICS:
        f.seed_metric_sources(db, org_id, seed, rows_per_source=10)
    return secrets


def _world(db: Session, make_client) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    a, b = f.org(db, "Alpha"), f.org(db, "Beta")
    a_admin = f.user(db, a, "admin")
    b_admin = f.user(db, b, "admin")
    b_viewer = f.user(db, b, "viewer")
    a_key, b_key = f.api_key(db, a), f.api_key(db, b)
    _seed(db, a, 1)
    b_secrets = _seed(db, b, 2)
    b_secrets |= {str(b_admin.id), str(b_viewer.id), b_admin.email, b_viewer.email, b_key}
    aggregate(f.START.date(), (f.START.replace(year=f.START.year + 1)).date())
    ca = make_client()
    csrf = f.login(ca, a_admin.email)
    # B's people do things that land in B's audit log.
    cb = make_client()
    f.login(cb, b_viewer.email)
    return {"a": a, "b": b, "client": ca, "csrf": csrf, "a_key": a_key, "b_key": b_key,
            "b_user": b_viewer, "b_secrets": b_secrets}


def _fill(path: str, b_user: uuid.UUID) -> list[str]:
    if "{metric_key}" in path:
        return [path.replace("{metric_key}", k) for k in METRICS] or []
    return [re.sub(r"\{[^}]+\}", str(b_user), path)]


def test_reads_never_show_the_other_organization(app: FastAPI, make_client, db: Session) -> None:  # type: ignore[no-untyped-def]
    w = _world(db, make_client)
    c = w["client"]
    checked = 0
    for path, method, op in operations(app):
        if method != "GET" or op["x-role"] not in USER_LEVELS:
            continue
        for url in _fill(path, w["b_user"].id):
            r = c.get(url)
            assert r.status_code in (200, 404), (url, r.status_code)
            body = r.text
            for secret in w["b_secrets"]:
                assert secret not in body, f"GET {url} shows another organization's {secret}"
            checked += 1
    assert checked > 0


def test_writes_cannot_touch_the_other_organization(app: FastAPI, make_client, db: Session) -> None:  # type: ignore[no-untyped-def]
    w = _world(db, make_client)
    c, csrf = w["client"], w["csrf"]
    h = {"X-CSRF-Token": csrf}
    b_user = w["b_user"].id
    r = c.patch(f"/api/admin/users/{b_user}", json={"role": "admin"}, headers=h)
    assert r.status_code == 404
    keys = c.get("/api/admin/api-keys").json()["api_keys"]
    assert all(k["prefix"] not in w["b_key"] for k in keys)
    from app.models import ENTITY_MODELS

    b_key_row = db.query(ENTITY_MODELS["api_keys"]).filter_by(organization_id=w["b"]).first()
    assert c.delete(f"/api/admin/api-keys/{b_key_row.id}", headers=h).status_code == 404
    db.refresh(b_key_row)
    assert b_key_row.revoked_at is None
    for path, method, op in operations(app):
        if method in ("POST", "PATCH", "DELETE") and "{user_id}" in path and op["x-role"] in USER_LEVELS:
            r = c.request(method, path.replace("{user_id}", str(b_user)), json={}, headers=h)
            assert r.status_code in (404, 422), (path, r.status_code)
    db.refresh(w["b_user"])
    assert w["b_user"].role == "viewer" and w["b_user"].is_active


def test_ingestion_cannot_reference_the_other_organization(client: TestClient, make_client, db: Session) -> None:  # type: ignore[no-untyped-def]
    a, b = f.org(db), f.org(db)
    a_key = f.api_key(db, a)
    tried = 0
    for key in INGESTED:
        for field in ENTITIES[key].fields:
            if not field.reference or field.reference == "organizations":
                continue
            good = f.json_row(db, key, a)
            foreign = f.pk_of(field.reference, f.row(db, field.reference, b))
            db.commit()
            good[field.key] = str(foreign)
            r = client.post(f"/api/ingest/{key}", json=[good], headers={"X-API-Key": a_key})
            assert r.status_code == 422, r.text
            tried += 1
    # The row's organization_id is ignored: rows land in the key's organization.
    from app.models import ENTITY_MODELS

    for key in INGESTED:
        model = ENTITY_MODELS[key]
        before = db.query(model).filter_by(organization_id=b).count()
        row = f.json_row(db, key, a)
        row["organization_id"] = str(b)
        r = client.post(f"/api/ingest/{key}", json=[row], headers={"X-API-Key": a_key})
        assert r.status_code == 201, r.text
        assert db.query(model).filter_by(organization_id=b).count() == before
    assert tried >= 0
