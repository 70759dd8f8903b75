"""Sessions, cookies, expiry, CSRF, rate limiting, password hashing."""

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.api.deps import SessionRow, User
from app.core.config import get_settings
from app.core.security import token_hash
from tests import factories as f


def _set_cookie_headers(response) -> list[str]:  # type: ignore[no-untyped-def]
    return response.headers.get_list("set-cookie")


def test_login_sets_secure_cookies(client: TestClient, db: Session) -> None:
    org = f.org(db)
    u = f.user(db, org)
    r = client.post("/api/auth/login", json={"email": u.email, "password": f.PASSWORD})
    assert r.status_code == 200
    cookies = _set_cookie_headers(r)
    session = next(c for c in cookies if c.startswith("session="))
    csrf = next(c for c in cookies if c.startswith("csrf_token="))
    for flag in ("HttpOnly", "Secure", "SameSite=lax", "Path=/"):
        assert flag.lower() in session.lower(), (flag, session)
    assert "httponly" not in csrf.lower()
    assert "secure" in csrf.lower()
    assert r.json()["csrf_token"] == client.cookies.get("csrf_token")


def test_session_stored_as_hash(client: TestClient, db: Session) -> None:
    org = f.org(db)
    u = f.user(db, org)
    f.login(client, u.email)
    token = client.cookies.get("session")
    assert token
    ids = list(db.scalars(select(SessionRow.id)))
    assert ids == [token_hash(token)]
    assert token not in ids


def test_password_hashed_with_argon2(db: Session) -> None:
    org = f.org(db)
    u = f.user(db, org)
    stored = db.scalar(select(User.password_hash).where(User.id == u.id))
    assert stored.startswith("$argon2")
    assert f.PASSWORD not in stored


def test_me_and_logout_invalidates_server_side(client: TestClient, db: Session) -> None:
    org = f.org(db)
    u = f.user(db, org)
    csrf = f.login(client, u.email)
    assert client.get("/api/auth/me").json()["user"]["email"] == u.email
    old = client.cookies.get("session")
    r = client.post("/api/auth/logout", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200
    assert db.scalar(select(SessionRow.id)) is None
    client.cookies.set("session", old)
    assert client.get("/api/auth/me").status_code == 401


def test_session_rotated_at_login(client: TestClient, db: Session) -> None:
    org = f.org(db)
    u = f.user(db, org)
    f.login(client, u.email)
    first = client.cookies.get("session")
    f.login(client, u.email)
    second = client.cookies.get("session")
    assert first != second
    assert db.get(SessionRow, token_hash(first)) is None
    assert db.get(SessionRow, token_hash(second)) is not None


def test_wrong_password(client: TestClient, db: Session) -> None:
    org = f.org(db)
    u = f.user(db, org)
    r = client.post("/api/auth/login", json={"email": u.email, "password": "wrong password!"})
    assert r.status_code == 401
    assert "session" not in client.cookies
    r = client.post("/api/auth/login", json={"email": "nobody@example.test", "password": "x"})
    assert r.status_code == 401


def test_idle_expiry(client: TestClient, db: Session) -> None:
    org = f.org(db)
    u = f.user(db, org)
    f.login(client, u.email)
    row = db.scalar(select(SessionRow))
    idle = get_settings().SESSION_IDLE_MINUTES
    row.last_seen_at = row.last_seen_at - dt.timedelta(minutes=idle + 1)
    db.commit()
    assert client.get("/api/auth/me").status_code == 401


def test_absolute_expiry(client: TestClient, db: Session) -> None:
    org = f.org(db)
    u = f.user(db, org)
    f.login(client, u.email)
    row = db.scalar(select(SessionRow))
    row.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    db.commit()
    assert client.get("/api/auth/me").status_code == 401


def test_csrf_required_for_cookie_requests(client: TestClient, db: Session) -> None:
    org = f.org(db)
    u = f.user(db, org)
    csrf = f.login(client, u.email)
    assert client.post("/api/auth/logout").status_code == 403
    assert client.post("/api/auth/logout", headers={"X-CSRF-Token": "forged"}).status_code == 403
    assert client.get("/api/auth/me").status_code == 200
    assert client.post("/api/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 200


def test_cross_origin_state_change_refused(client: TestClient, db: Session) -> None:
    org = f.org(db)
    u = f.user(db, org)
    csrf = f.login(client, u.email)
    r = client.post(
        "/api/auth/logout", headers={"X-CSRF-Token": csrf, "Origin": "https://evil.example"}
    )
    assert r.status_code == 403
    r = client.post(
        "/api/auth/login",
        json={"email": u.email, "password": f.PASSWORD},
        headers={"Origin": "https://evil.example"},
    )
    assert r.status_code == 403


def test_rate_limit_per_account(client: TestClient, db: Session) -> None:
    org = f.org(db)
    u = f.user(db, org)
    limit = get_settings().LOGIN_MAX_FAILURES_PER_ACCOUNT
    for _ in range(limit):
        r = client.post("/api/auth/login", json={"email": u.email, "password": "wrong password!"})
        assert r.status_code == 401
    r = client.post("/api/auth/login", json={"email": u.email, "password": f.PASSWORD})
    assert r.status_code == 429


def test_rate_limit_per_ip(client: TestClient, db: Session) -> None:
    org = f.org(db)
    u = f.user(db, org)
    limit = get_settings().LOGIN_MAX_FAILURES_PER_IP
    for i in range(limit):
        r = client.post("/api/auth/login", json={"email": f"x{i}@example.test", "password": "nope"})
        assert r.status_code == 401
    r = client.post("/api/auth/login", json={"email": u.email, "password": f.PASSWORD})
    assert r.status_code == 429


def test_inactive_user_cannot_sign_in(client: TestClient, db: Session) -> None:
    org = f.org(db)
    u = f.user(db, org)
    u.is_active = False
    db.commit()
    r = client.post("/api/auth/login", json={"email": u.email, "password": f.PASSWORD})
    assert r.status_code == 401
