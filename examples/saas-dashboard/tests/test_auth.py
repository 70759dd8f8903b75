"""Sessions, cookies, expiry, CSRF, sign-in throttling, client addresses, password hashing."""

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.requests import Request

from app.api.deps import SessionRow, User, client_ip
from app.core.config import get_settings
from app.core.security import token_hash
from app.core.tables import LoginThrottle
from app.services import rate_limit
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


def _login(client: TestClient, email: str, password: str) -> int:
    return client.post("/api/auth/login", json={"email": email, "password": password}).status_code


def test_failures_from_one_address_do_not_lock_the_owner_out(make_client, db: Session) -> None:  # type: ignore[no-untyped-def]
    org = f.org(db)
    u = f.user(db, org)
    attacker, owner = make_client("203.0.113.7"), make_client("198.51.100.20")
    for _ in range(get_settings().LOGIN_FREE_FAILURES):
        assert _login(attacker, u.email, "wrong password!") == 401
    # The attacker's address now waits, even with the right password...
    r = attacker.post("/api/auth/login", json={"email": u.email, "password": f.PASSWORD})
    assert r.status_code == 429
    assert int(r.headers["Retry-After"]) >= 1
    # ...and the owner, from their own address, signs in at once.
    assert _login(owner, u.email, f.PASSWORD) == 200


def test_backoff_doubles_per_account_and_address(db: Session) -> None:
    s = get_settings()
    now = dt.datetime(2025, 3, 1, 12, tzinfo=dt.UTC)
    for _ in range(s.LOGIN_FREE_FAILURES - 1):
        rate_limit.failed(db, "a@example.test", "192.0.2.1", now)
        assert rate_limit.retry_after(db, "a@example.test", "192.0.2.1", now) is None
    waits = []
    for _ in range(4):
        rate_limit.failed(db, "a@example.test", "192.0.2.1", now)
        waits.append(rate_limit.retry_after(db, "a@example.test", "192.0.2.1", now))
    base = s.LOGIN_BACKOFF_BASE_SECONDS
    assert waits == [base, 2 * base, 4 * base, 8 * base]
    assert rate_limit.retry_after(db, "a@example.test", "192.0.2.2", now) is None
    assert rate_limit.retry_after(db, "b@example.test", "192.0.2.1", now) is None
    # A correct password from that address starts it afresh.
    rate_limit.succeeded(db, "a@example.test", "192.0.2.1")
    assert rate_limit.retry_after(db, "a@example.test", "192.0.2.1", now) is None
    db.commit()


def test_rate_limit_per_address(make_client, db: Session, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("LOGIN_MAX_FAILURES_PER_IP", "6")
    get_settings.cache_clear()
    org = f.org(db)
    u = f.user(db, org)
    noisy, other = make_client("203.0.113.50"), make_client("198.51.100.21")
    for i in range(6):
        assert _login(noisy, f"x{i}@example.test", "nope") == 401
    assert _login(noisy, u.email, f.PASSWORD) == 429
    assert _login(other, u.email, f.PASSWORD) == 200


def test_throttle_is_shared_by_every_process(make_client, db: Session) -> None:  # type: ignore[no-untyped-def]
    from app.main import create_app

    org = f.org(db)
    u = f.user(db, org)
    first = make_client("203.0.113.8")
    for _ in range(get_settings().LOGIN_FREE_FAILURES):
        assert _login(first, u.email, "wrong password!") == 401
    # Another application instance (another worker process) sees the same counts.
    with TestClient(create_app(), base_url="https://testserver", client=("203.0.113.8", 1)) as second:
        assert _login(second, u.email, f.PASSWORD) == 429
    # Stored as hashes: no e-mail address or IP in the table.
    keys = list(db.scalars(select(LoginThrottle.key_hash)))
    assert len(keys) == 2 and all(len(k) == 64 and "@" not in k and "." not in k for k in keys)


def _request(peer: str, headers: dict[str, str]) -> Request:
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    return Request({"type": "http", "client": (peer, 1234), "headers": raw})


def test_forwarded_addresses_count_only_from_trusted_proxies(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    spoofed = {"X-Forwarded-For": "192.0.2.99"}
    assert client_ip(_request("203.0.113.1", spoofed)) == "203.0.113.1"
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.0/8, ::1")
    get_settings.cache_clear()
    # Not from a trusted proxy: still ignored.
    assert client_ip(_request("203.0.113.1", spoofed)) == "203.0.113.1"
    # From the proxy: the nearest address that is not a proxy.
    chain = {"X-Forwarded-For": "192.0.2.99, 198.51.100.4, 10.1.2.3"}
    assert client_ip(_request("10.0.0.5", chain)) == "198.51.100.4"
    assert client_ip(_request("::1", {"Forwarded": 'for="[2001:db8::7]:4711";proto=https'})) == "2001:db8::7"
    assert client_ip(_request("10.0.0.5", {})) == "10.0.0.5"


def test_inactive_user_cannot_sign_in(client: TestClient, db: Session) -> None:
    org = f.org(db)
    u = f.user(db, org)
    u.is_active = False
    db.commit()
    r = client.post("/api/auth/login", json={"email": u.email, "password": f.PASSWORD})
    assert r.status_code == 401
