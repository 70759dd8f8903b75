"""The OpenAPI document a client generator can use: security schemes, roles, row schemas."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.catalog import ENTITIES, INGESTED
from tests.conftest import BASE_URL


@pytest.fixture
def schema(monkeypatch) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    from app.core.config import get_settings
    from app.main import create_app

    monkeypatch.setenv("APP_ENV", "development")
    get_settings.cache_clear()
    with TestClient(create_app(), base_url=BASE_URL) as c:
        r = c.get("/openapi.json")
        assert r.status_code == 200
        return r.json()


def test_every_operation_declares_its_security_and_role(schema: dict[str, Any]) -> None:
    schemes = schema["components"]["securitySchemes"]
    assert schemes["session"] == {**schemes["session"], "type": "apiKey", "in": "cookie", "name": "session"}
    assert schemes["csrf"]["in"] == "header" and schemes["csrf"]["name"] == "X-CSRF-Token"
    assert schemes["apiKey"]["in"] == "header" and schemes["apiKey"]["name"] == "X-API-Key"
    seen = 0
    for path, methods in schema["paths"].items():
        for method, op in methods.items():
            level = op["x-role"]
            seen += 1
            names = {name for requirement in op["security"] for name in requirement}
            if level == "public":
                assert op["security"] == [], path
            elif level == "api_key":
                assert names == {"apiKey"}, path
            elif method.upper() in ("GET", "HEAD", "OPTIONS"):
                assert names == {"session"}, path
            else:
                assert names == {"session", "csrf"}, path
            if level in ("viewer", "analyst", "admin"):
                assert f"the {level} role" in op["description"], (path, op["description"])
    assert seen > 5


@pytest.mark.parametrize("key", INGESTED)
def test_ingest_documents_its_rows(schema: dict[str, Any], key: str) -> None:
    op = schema["paths"][f"/api/ingest/{key}"]["post"]
    body = op["requestBody"]["content"]["application/json"]["schema"]
    assert body["type"] == "array"
    row = body["items"]
    assert set(row["properties"]) == {f.key for f in ENTITIES[key].fields}
    assert set(row["required"]) == {f.key for f in ENTITIES[key].fields if not f.nullable and not f.pk}
    assert any(p["in"] == "header" and p["name"] == "Idempotency-Key" for p in op.get("parameters", []))
    assert {"200", "201", "413"} <= set(op["responses"])


def test_series_documents_every_kinds_shape(schema: dict[str, Any]) -> None:
    """The series answer: points for every kind, a cohort's retention table, a funnel's steps."""
    ok = schema["paths"]["/api/dashboard/metrics/{metric_key}"]["get"]["responses"]["200"]
    ref = ok["content"]["application/json"]["schema"]["$ref"]
    series = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert {"metric", "kind", "grain", "points", "cohorts", "funnel"} <= set(series["properties"])
    schemas = schema["components"]["schemas"]
    assert {"cohort_start", "size", "retained", "shares"} <= set(schemas["Cohort"]["properties"])
    assert {"period_start", "steps"} <= set(schemas["Funnel"]["properties"])
    assert {"step", "label", "actors", "conversion", "of_first"} <= set(schemas["FunnelStep"]["properties"])
