"""Every route of the OpenAPI schema declares a role, and the role is enforced."""

import re
import uuid
from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.api.deps import ACCESS_LEVELS
from app.catalog import METRICS, ROLE_RANK
from tests import factories as f

USER_LEVELS = ("viewer", "analyst", "admin")


def operations(app: FastAPI) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in app.openapi()["paths"].items():
        for method, op in item.items():
            yield path, method.upper(), op


def fill(path: str) -> str:
    metric = next(iter(METRICS), "no_such_metric")
    return re.sub(
        r"\{([^}]+)\}",
        lambda m: metric if m.group(1) == "metric_key" else str(uuid.uuid4()),
        path,
    )


def call(client: TestClient, method: str, path: str, headers: dict[str, str] | None = None) -> int:
    kwargs: dict[str, Any] = {"headers": headers or {}}
    if method in ("POST", "PUT", "PATCH"):
        kwargs["json"] = [] if path.startswith("/api/ingest/") else {}
    return client.request(method, fill(path), **kwargs).status_code


def test_every_route_declares_a_role(app: FastAPI) -> None:
    ops = list(operations(app))
    assert ops
    for path, method, op in ops:
        assert op.get("x-role") in ACCESS_LEVELS, f"{method} {path} declares no role"
    in_schema = {r.path for r in app.routes if isinstance(r, APIRoute) and r.include_in_schema}
    assert in_schema <= set(app.openapi()["paths"])


def test_anonymous_calls_are_refused(app: FastAPI, client: TestClient) -> None:
    for path, method, op in operations(app):
        level = op["x-role"]
        if level == "public":
            continue
        assert call(client, method, path) == 401, f"{method} {path} let an anonymous caller in"


def test_lower_roles_are_refused(app: FastAPI, make_client, db: Session) -> None:  # type: ignore[no-untyped-def]
    org = f.org(db)
    sessions = {}
    for level in USER_LEVELS:
        c = make_client()
        _, csrf = f.signed_in(c, db, org, level)
        sessions[level] = (c, csrf)
    for path, method, op in operations(app):
        level = op["x-role"]
        if level not in USER_LEVELS:
            continue
        for caller in USER_LEVELS:
            if ROLE_RANK[caller] >= ROLE_RANK[level]:
                continue
            c, csrf = sessions[caller]
            code = call(c, method, path, {"X-CSRF-Token": csrf})
            assert code == 403, f"{caller} reached {method} {path} ({code})"


def test_allowed_roles_get_through(app: FastAPI, make_client, db: Session) -> None:  # type: ignore[no-untyped-def]
    org = f.org(db)
    for caller in USER_LEVELS:
        c = make_client()
        f.signed_in(c, db, org, caller)
        for path, method, op in operations(app):
            level = op["x-role"]
            if method != "GET" or level not in USER_LEVELS or ROLE_RANK[caller] < ROLE_RANK[level]:
                continue
            code = call(c, method, path)
            assert code not in (401, 403), f"{caller} refused at GET {path} ({code})"


def test_api_key_routes_need_a_key(app: FastAPI, client: TestClient, db: Session) -> None:
    org = f.org(db)
    _, csrf = f.signed_in(client, db, org, "admin")
    for path, method, op in operations(app):
        if op["x-role"] != "api_key":
            continue
        # A signed-in admin's cookie is no substitute for the API key.
        assert call(client, method, path, {"X-CSRF-Token": csrf}) == 401
        assert call(client, method, path, {"X-API-Key": "ak_00000000_forged"}) == 401


def test_session_routes_refuse_api_keys(app: FastAPI, client: TestClient, db: Session) -> None:
    org = f.org(db)
    key = f.api_key(db, org)
    for path, method, op in operations(app):
        if op["x-role"] in USER_LEVELS:
            assert call(client, method, path, {"X-API-Key": key}) == 401, f"{method} {path}"
