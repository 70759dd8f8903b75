"""The blueprint's services: one route each, scoped to the caller's organization."""

import json
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.catalog import ENTITIES, SERVICES
from app.services.entity_reader import order_fields
from tests import factories as f

METRIC_SERVICES = [s for s in SERVICES.values() if s.kind == "metrics"]
LIST_SERVICES = [s for s in SERVICES.values() if s.kind == "entity_list"]


@pytest.mark.parametrize("service", METRIC_SERVICES, ids=lambda s: s.key)
def test_metrics_service(client: TestClient, db: Session, service) -> None:  # type: ignore[no-untyped-def]
    org = f.org(db)
    f.signed_in(client, db, org, "viewer")
    r = client.get(service.path)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["service"] == service.key
    assert isinstance(body["metrics"], list)
    assert [s["metric"] for s in body["series"]] == list(service.metrics)


@pytest.mark.parametrize("service", [s for s in LIST_SERVICES if s.entities], ids=lambda s: s.key)
def test_entity_list_service_pages_own_rows(client: TestClient, db: Session, service) -> None:  # type: ignore[no-untyped-def]
    a, b = f.org(db), f.org(db)
    mine: dict[str, int] = {}
    theirs: set[str] = {str(b)}
    for key in service.entities:
        if not ENTITIES[key].tenant:
            continue
        for _ in range(5):
            f.row(db, key, a)
        # users and sessions: the signed-in viewer adds a row to each
        mine[key] = 5 + (1 if key in ("users", "sessions") else 0)
        for _ in range(2):
            pk = f.pk_of(key, f.row(db, key, b))
            if isinstance(pk, uuid.UUID):
                theirs.add(str(pk))
    db.commit()
    f.signed_in(client, db, a, "viewer")
    seen: dict[str, list[Any]] = {key: [] for key in service.entities}
    cursor = None
    pages = []
    for _ in range(20):
        r = client.get(service.path, params={"limit": 2, **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200, r.text
        body = r.json()
        pages.append(r.text)
        assert body["service"] == service.key and "total" not in json.dumps(body)
        assert [x["entity"] for x in body["results"]] == list(service.entities)
        for result in body["results"]:
            assert len(result["items"]) <= 2
            seen[result["entity"]] += result["items"]
            for item in result["items"]:
                assert "password_hash" not in item and "key_hash" not in item and "csrf_token" not in item
        cursor = body["next"]
        if cursor is None:
            break
    for key, count in mine.items():
        # Every row once, newest first.
        pks = [tuple(item[k] for k in order_fields(ENTITIES[key])[-1:]) for item in seen[key]]
        assert len(seen[key]) == count and len(set(pks)) == count, key
        keys = order_fields(ENTITIES[key])
        if len(keys) > 1 and keys[0] in seen[key][0]:
            times = [item[keys[0]] for item in seen[key]]
            assert times == sorted(times, reverse=True), key
    for text in pages:
        for secret in theirs:
            assert secret not in text
    assert client.get(service.path, params={"cursor": "not-a-cursor!"}).status_code == 422


# A service shows one row of what it reads and of what it writes.
READ_CASES = [(s, key) for s in LIST_SERVICES for key in dict.fromkeys(s.entities + s.writes) if ENTITIES[key].tenant]
WRITE_CASES = [(s, key) for s in LIST_SERVICES for key in s.writes if ENTITIES[key].tenant]


def _pk(key: str) -> Any:
    return next(p for p in ENTITIES[key].fields if p.pk)


@pytest.mark.parametrize(("service", "key"), READ_CASES, ids=lambda x: getattr(x, "key", x))
def test_service_reads_one_row_of_its_organization(client: TestClient, make_client, db: Session, service, key: str) -> None:  # type: ignore[no-untyped-def]
    a, b = f.org(db), f.org(db)
    mine = f.pk_of(key, f.row(db, key, a))
    theirs = f.pk_of(key, f.row(db, key, b))
    db.commit()
    f.signed_in(client, db, a, "viewer")
    r = client.get(f"{service.path}/{key}/{mine}")
    assert r.status_code == 200, r.text
    assert str(r.json()[_pk(key).key]) == str(mine)
    assert "password_hash" not in r.json() and "key_hash" not in r.json()
    # Another organization's row is not found, nor is a key that names nothing.
    assert client.get(f"{service.path}/{key}/{theirs}").status_code == 404
    assert client.get(f"{service.path}/{key}/not-a-key").status_code == 404
    assert make_client().get(f"{service.path}/{key}/{mine}").status_code == 401


@pytest.mark.parametrize(("service", "key"), WRITE_CASES, ids=lambda x: getattr(x, "key", x))
def test_service_creates_updates_and_deletes_rows(client: TestClient, make_client, db: Session, service, key: str) -> None:  # type: ignore[no-untyped-def]
    a, b = f.org(db), f.org(db)
    spec = ENTITIES[key]
    pk = _pk(key)
    base = f"{service.path}/{key}"
    body = f.body(db, key, a)
    # A viewer may not write, nor anyone without the CSRF token.
    _, viewer_token = f.signed_in(client, db, a, "viewer")
    assert client.post(base, json=body, headers={"X-CSRF-Token": viewer_token}).status_code == 403
    _, token = f.signed_in(client, db, a, "analyst")
    headers = {"X-CSRF-Token": token}
    assert client.post(base, json=body).status_code == 403
    # Field types are checked.
    assert client.post(base, json=[body], headers=headers).status_code == 422
    assert client.post(base, json={**body, "no_such_field": 1}, headers=headers).status_code == 422
    typed = [x for x in spec.fields if not x.pk and x.key in body and x.kind in ("integer", "bigint", "uuid", "timestamp", "date", "boolean")]
    for x in typed:
        assert client.post(base, json={**body, x.key: "not a value"}, headers=headers).status_code == 422, x.key
    # Create, then read back.
    r = client.post(base, json=body, headers=headers)
    assert r.status_code == 201, r.text
    created = r.json()
    ident = created[pk.key]
    for k, v in body.items():
        field = spec.field(k)
        if field.kind in ("string", "text") or field.reference:
            assert created[k] == v, k
    assert client.get(f"{base}/{ident}").status_code == 200
    # References follow: each names a row of the caller's organization, never another's.
    for field in spec.fields:
        if field.reference and field.reference != "organizations" and field.key in body and field.reference in ENTITIES:
            foreign = f.pk_of(field.reference, f.row(db, field.reference, b))
            db.commit()
            r = client.post(base, json={**body, field.key: str(foreign)}, headers=headers)
            assert r.status_code == 422, (field.key, r.text)
            assert r.json()["detail"][0]["field"] == field.key
    # Update: a text field changes, an optional reference moves to another
    # of the organization's rows; the key does not change.
    patch: dict[str, Any] = {}
    texts = [x for x in spec.fields if x.kind in ("string", "text") and not x.pk and not x.unique and x.key in body]
    if texts:
        patch[texts[0].key] = "changed"
    for field in spec.fields:
        if field.reference and field.nullable and field.reference != "organizations" and field.reference in ENTITIES:
            patch[field.key] = str(f.pk_of(field.reference, f.row(db, field.reference, a)))
            db.commit()
    r = client.patch(f"{base}/{ident}", json=patch, headers=headers)
    assert r.status_code == 200, r.text
    assert str(r.json()[pk.key]) == str(ident)
    for k, v in patch.items():
        assert str(r.json()[k]) == str(v), k
    for x in typed:
        assert client.patch(f"{base}/{ident}", json={x.key: "not a value"}, headers=headers).status_code == 422, x.key
    # Another organization neither sees nor changes it.
    other = make_client()
    _, other_token = f.signed_in(other, db, b, "admin")
    other_headers = {"X-CSRF-Token": other_token}
    assert other.patch(f"{base}/{ident}", json=patch, headers=other_headers).status_code == 404
    assert other.delete(f"{base}/{ident}", headers=other_headers).status_code == 404
    # Delete.
    assert client.delete(f"{base}/{ident}", headers=headers).status_code == 204
    assert client.delete(f"{base}/{ident}", headers=headers).status_code == 404
    assert client.get(f"{base}/{ident}").status_code == 404
