"""Liveness, readiness and the Prometheus metrics.

- GET /health/live: 200 while the process serves requests.
- GET /health/ready: 200 when the database answers and its migrations are
  at the head of migrations/ (503 otherwise, saying which).
- GET /health: the database answers (kept for existing probes).
- GET /metrics: Prometheus' text format (app/core/observability.py); with
  METRICS_TOKEN set, only for `Authorization: Bearer <METRICS_TOKEN>`.
"""

import functools
from pathlib import Path
from typing import Any

from alembic.config import Config
from alembic.script import ScriptDirectory
from fastapi import APIRouter, HTTPException, Request, Response, status
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.api.deps import DbDep, role
from app.core.config import get_settings
from app.core.observability import REGISTRY
from app.core.security import same_secret

router = APIRouter(tags=["health"])
ROOT = Path(__file__).resolve().parents[2]


@functools.cache
def migration_heads() -> frozenset[str]:
    """The head revisions of migrations/ (as deployed beside the code)."""
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return frozenset(ScriptDirectory.from_config(config).get_heads())


@router.get("/health", openapi_extra=role("public"))
def health(db: DbDep) -> dict[str, str]:
    db.execute(text("SELECT 1"))
    return {"status": "ok"}


@router.get("/health/live", openapi_extra=role("public"))
def live() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/health/ready", openapi_extra=role("public"), response_model=None)
def ready(db: DbDep) -> dict[str, Any] | JSONResponse:
    try:
        current = set(db.scalars(text("SELECT version_num FROM alembic_version")))
    except SQLAlchemyError:
        db.rollback()
        return JSONResponse({"status": "unavailable", "reason": "database unreachable or not migrated"}, 503)
    heads = set(migration_heads())
    if current != heads:
        return JSONResponse(
            {"status": "unavailable", "reason": "migrations not at head", "database": sorted(current), "head": sorted(heads)},
            503,
        )
    return {"status": "ok", "revision": sorted(current)}


@router.get("/metrics", openapi_extra=role("public"), include_in_schema=False)
def metrics(request: Request) -> Response:
    token = get_settings().METRICS_TOKEN
    if token:
        given = request.headers.get("authorization", "")
        if not (given.startswith("Bearer ") and same_secret(given[7:], token)):
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "metrics need the bearer token", {"WWW-Authenticate": "Bearer"})
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
