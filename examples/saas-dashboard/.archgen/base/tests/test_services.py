"""The blueprint's services: one route each, scoped to the caller's organization."""

import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.catalog import ENTITIES, SERVICES
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
        for _ in range(3):
            f.row(db, key, a)
        mine[key] = 3
        for _ in range(2):
            pk = f.pk_of(key, f.row(db, key, b))
            if isinstance(pk, uuid.UUID):
                theirs.add(str(pk))
    db.commit()
    f.signed_in(client, db, a, "viewer")
    r = client.get(service.path, params={"limit": 2})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["service"] == service.key
    assert [x["entity"] for x in body["results"]] == list(service.entities)
    for result in body["results"]:
        key = result["entity"]
        if key not in mine:
            continue
        # users and sessions: the signed-in viewer has a row in each
        extra = 1 if key in ("users", "sessions") else 0
        assert result["total"] == mine[key] + extra
        assert len(result["items"]) == 2
        for item in result["items"]:
            assert "password_hash" not in item and "key_hash" not in item and "csrf_token" not in item
    page2 = client.get(service.path, params={"limit": 2, "offset": 2})
    assert page2.status_code == 200
    for text in (r.text, page2.text):
        for secret in theirs:
            assert secret not in text
