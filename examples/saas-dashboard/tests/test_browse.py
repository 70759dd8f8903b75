"""The entity browser's API (app/api/browse.py): what each role may touch, and
every entity's rows created, listed, read, changed and deleted through it."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.api.browse import REACH
from app.catalog import ENTITIES, INGESTED, ROLE_RANK, SERVICES
from app.models import ENTITY_MODELS
from app.services.audit import AUDIT_ENABLED
from tests import factories as f

READ = {k for s in SERVICES.values() for k in s.entities + s.writes}
WRITTEN = {k for s in SERVICES.values() for k in s.writes}
WRITABLE = sorted(k for k, (_, writer) in REACH.items() if writer)


def test_the_blueprint_entities_are_all_reachable() -> None:
    for key, spec in ENTITIES.items():
        if spec.origin != "blueprint" or not spec.tenant:
            assert key not in REACH, key
        elif key in INGESTED:
            # Rows that arrive through ingestion are never written here, and
            # shown only where a service reads them.
            assert (key in REACH) == (key in READ), key
            assert key not in REACH or REACH[key][1] is None, key
        else:
            # What a service writes, analysts write; what no service touches, admins.
            assert REACH[key] == ("viewer" if key in READ else "admin", "analyst" if key in WRITTEN else "admin"), key


@pytest.mark.parametrize("level", sorted(ROLE_RANK))
def test_each_role_sees_what_it_may_touch(client: TestClient, db: Session, level: str) -> None:
    org = f.org(db)
    f.signed_in(client, db, org, level)
    r = client.get("/api/browse")
    assert r.status_code == 200, r.text
    listed = {e["key"]: e for e in r.json()["entities"]}
    assert set(listed) == {k for k, (reader, _) in REACH.items() if ROLE_RANK[level] >= ROLE_RANK[reader]}
    for key, entity in listed.items():
        writer = REACH[key][1]
        assert entity["writable"] == (writer is not None and ROLE_RANK[level] >= ROLE_RANK[writer]), key
        assert entity["path"] == f"/api/browse/{key}"
        fields = {x["key"] for x in entity["fields"]}
        assert entity["label"] in fields and entity["primary_key"] in fields
        assert not fields & {"password_hash", "key_hash", "csrf_token"}
        for x in entity["fields"]:
            if x["reference"]:
                assert x["reference"] in ENTITIES, x


@pytest.mark.parametrize("key", WRITABLE)
def test_rows_go_through_the_browser(client: TestClient, make_client, db: Session, key: str) -> None:  # type: ignore[no-untyped-def]
    a, b = f.org(db), f.org(db)
    pk = next(x for x in ENTITIES[key].fields if x.pk)
    base = f"/api/browse/{key}"
    writer = REACH[key][1]
    assert writer is not None
    # A role below the writer's may not write.
    below = [level for level in ROLE_RANK if ROLE_RANK[level] < ROLE_RANK[writer]]
    body = f.body(db, key, a)
    for level in below:
        c = make_client()
        _, token = f.signed_in(c, db, a, level)
        assert c.post(base, json=body, headers={"X-CSRF-Token": token}).status_code == 403, level
    _, token = f.signed_in(client, db, a, writer)
    headers = {"X-CSRF-Token": token}
    assert client.post(base, json={**body, "no_such_field": 1}, headers=headers).status_code == 422
    idents = []
    for _ in range(3):
        r = client.post(base, json=f.body(db, key, a), headers=headers)
        assert r.status_code == 201, r.text
        idents.append(str(r.json()[pk.key]))
    # Listed in pages, each row once; another organization's rows never.
    f.row(db, key, b)
    db.commit()
    seen: list[Any] = []
    cursor = None
    for _ in range(10):
        r = client.get(base, params={"limit": 2, **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200, r.text
        page = r.json()
        assert len(page["items"]) <= 2
        seen += [str(item[pk.key]) for item in page["items"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) and set(idents) <= set(seen)
    # Read, change, delete.
    ident = idents[0]
    assert str(client.get(f"{base}/{ident}").json()[pk.key]) == ident
    texts = [x for x in ENTITIES[key].fields if x.kind in ("string", "text") and not x.pk and not x.unique and not x.reference]
    patch = {texts[0].key: "changed"} if texts else {}
    r = client.patch(f"{base}/{ident}", json=patch, headers=headers)
    assert r.status_code == 200, r.text
    for k, v in patch.items():
        assert r.json()[k] == v
    other = make_client()
    _, other_token = f.signed_in(other, db, b, "admin")
    assert other.get(f"{base}/{ident}").status_code == 404
    assert other.delete(f"{base}/{ident}", headers={"X-CSRF-Token": other_token}).status_code == 404
    assert client.delete(f"{base}/{ident}", headers=headers).status_code == 204
    assert client.get(f"{base}/{ident}").status_code == 404
    if AUDIT_ENABLED:
        log = ENTITY_MODELS["audit_log"]
        actions = db.scalars(select(log.action).where(log.organization_id == a, log.target == f"{key}:{ident}")).all()
        assert sorted(actions) == ["data.create", "data.delete", "data.update"]


def test_ingested_rows_are_never_written_here(client: TestClient, db: Session) -> None:
    org = f.org(db)
    _, token = f.signed_in(client, db, org, "admin")
    for key in INGESTED:
        r = client.post(f"/api/browse/{key}", json={}, headers={"X-CSRF-Token": token})
        assert r.status_code in (404, 405), (key, r.status_code)
