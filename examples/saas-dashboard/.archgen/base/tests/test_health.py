"""Health, security headers, docs only in development."""

from fastapi.testclient import TestClient

from tests.conftest import BASE_URL


def test_health(client: TestClient) -> None:
    r = client.get("/health")
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}


def test_security_headers(client: TestClient) -> None:
    r = client.get("/health")
    csp = r.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "no-referrer"
    assert "max-age" in r.headers["Strict-Transport-Security"]


def test_docs_hidden_outside_development(client: TestClient) -> None:
    assert client.get("/docs").status_code == 404
    assert client.get("/openapi.json").status_code == 404


def test_docs_in_development(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from app.core.config import get_settings
    from app.main import create_app

    monkeypatch.setenv("APP_ENV", "development")
    get_settings.cache_clear()
    with TestClient(create_app(), base_url=BASE_URL) as c:
        assert c.get("/docs").status_code == 200
        assert c.get("/openapi.json").status_code == 200
