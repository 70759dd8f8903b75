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


@pytest.mark.parametrize("service", LIST_SERVICES, ids=lambda s: s.key)
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
