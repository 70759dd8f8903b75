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
