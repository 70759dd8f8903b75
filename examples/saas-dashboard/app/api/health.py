"""Liveness and readiness."""

from fastapi import APIRouter
from sqlalchemy import text

from app.api.deps import DbDep, role

router = APIRouter(tags=["health"])


@router.get("/health", openapi_extra=role("public"))
def health(db: DbDep) -> dict[str, str]:
    db.execute(text("SELECT 1"))
    return {"status": "ok"}
