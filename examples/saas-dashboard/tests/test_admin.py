"""Admins manage their organization's users, roles and API keys."""

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.api.deps import SessionRow
from tests import factories as f


def test_admin_creates_lists_and_changes_users(client: TestClient, make_client, db: Session) -> None:  # type: ignore[no-untyped-def]
    org = f.org(db)
    _, csrf = f.signed_in(client, db, org, "admin")
    h = {"X-CSRF-Token": csrf}
    r = client.post(
        "/api/admin/users",
        json={"email": "New.Person@Example.test", "password": f.PASSWORD, "role": "viewer"},
        headers=h,
    )
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["email"] == "new.person@example.test"
    assert "password_hash" not in created
    listed = client.get("/api/admin/users").json()["users"]
    assert any(u["id"] == created["id"] for u in listed)
    assert all("password_hash" not in u for u in listed)
    # The changed user's sessions end.
    other = make_client()
    f.login(other, "new.person@example.test")
    assert other.get("/api/auth/me").status_code == 200
    r = client.patch(f"/api/admin/users/{created['id']}", json={"role": "analyst"}, headers=h)
    assert r.status_code == 200 and r.json()["role"] == "analyst"
    assert other.get("/api/auth/me").status_code == 401
    r = client.patch(f"/api/admin/users/{created['id']}", json={"role": "root"}, headers=h)
    assert r.status_code == 422


def test_duplicate_and_weak_users_refused(client: TestClient, db: Session) -> None:
    org = f.org(db)
    admin, csrf = f.signed_in(client, db, org, "admin")
    h = {"X-CSRF-Token": csrf}
    r = client.post("/api/admin/users", json={"email": admin.email, "password": f.PASSWORD, "role": "viewer"}, headers=h)
    assert r.status_code == 422
    r = client.post("/api/admin/users", json={"email": "a@b.test", "password": "short", "role": "viewer"}, headers=h)
    assert r.status_code == 422


def test_an_address_used_in_another_organization_is_not_revealed(client: TestClient, make_client, db: Session) -> None:  # type: ignore[no-untyped-def]
    a, b = f.org(db, "Alpha"), f.org(db, "Beta")
    f.user(db, a, "viewer", email="shared.person@example.test")
    _, csrf = f.signed_in(client, db, b, "admin")
    h = {"X-CSRF-Token": csrf}
    body = {"email": "shared.person@example.test", "password": "another password 123", "role": "viewer"}
    taken = client.post("/api/admin/users", json=body, headers=h)
    fresh = client.post(
        "/api/admin/users", json={**body, "email": "nobody.else@example.test"}, headers=h
    )
    # The same answer as for an address nobody uses: B learns nothing about A.
    assert taken.status_code == fresh.status_code == 201, taken.text
    assert set(taken.json()) == set(fresh.json())
    assert "alpha" not in taken.text.lower() and str(a) not in taken.text
    # Two accounts now; each password signs in to its own organization.
    one, two = make_client(), make_client()
    f.login(one, "shared.person@example.test")
    assert one.get("/api/auth/me").json()["user"]["organization_id"] == str(a)
    f.login(two, "shared.person@example.test", "another password 123")
    assert two.get("/api/auth/me").json()["user"]["organization_id"] == str(b)


def test_one_password_for_two_organizations_asks_which(make_client, db: Session) -> None:  # type: ignore[no-untyped-def]
    a, b = f.org(db, "Alpha"), f.org(db, "Beta")
    for org in (a, b):
        f.user(db, org, "viewer", email="twice@example.test")
    c = make_client()
    r = c.post("/api/auth/login", json={"email": "twice@example.test", "password": f.PASSWORD})
    assert r.status_code == 409
    assert {o["id"] for o in r.json()["detail"]["organizations"]} == {str(a), str(b)}
    r = c.post(
        "/api/auth/login",
        json={"email": "twice@example.test", "password": f.PASSWORD, "organization_id": str(b)},
    )
    assert r.status_code == 200
    assert r.json()["user"]["organization_id"] == str(b)


def test_admin_cannot_demote_self(client: TestClient, db: Session) -> None:
    org = f.org(db)
    admin, csrf = f.signed_in(client, db, org, "admin")
    r = client.patch(f"/api/admin/users/{admin.id}", json={"role": "viewer"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 409


def test_api_keys_shown_once_stored_hashed_revocable(client: TestClient, db: Session) -> None:
    org = f.org(db)
    _, csrf = f.signed_in(client, db, org, "admin")
    h = {"X-CSRF-Token": csrf}
    r = client.post("/api/admin/api-keys", json={"name": "collector"}, headers=h)
    assert r.status_code == 201
    key = r.json()["key"]
    listed = client.get("/api/admin/api-keys").json()["api_keys"]
    assert len(listed) == 1 and "key" not in listed[0] and "key_hash" not in listed[0]
    from app.models import ENTITY_MODELS

    stored = db.scalar(select(ENTITY_MODELS["api_keys"].key_hash))
    assert stored != key and key not in stored
    r = client.delete(f"/api/admin/api-keys/{listed[0]['id']}", headers=h)
    assert r.status_code == 200 and r.json()["revoked_at"]
    from app.catalog import INGESTED

    for entity in INGESTED:
        assert client.post(f"/api/ingest/{entity}", json=[], headers={"X-API-Key": key}).status_code == 401


def test_sessions_end_when_user_deactivated(client: TestClient, make_client, db: Session) -> None:  # type: ignore[no-untyped-def]
    org = f.org(db)
    _, csrf = f.signed_in(client, db, org, "admin")
    target = f.user(db, org, "viewer")
    other = make_client()
    f.login(other, target.email)
    r = client.patch(f"/api/admin/users/{target.id}", json={"is_active": False}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200
    assert db.scalar(select(SessionRow).where(SessionRow.user_id == target.id)) is None
    assert other.get("/api/auth/me").status_code == 401
