"""Administration of the caller's organization: users, roles, API keys."""

import uuid
from typing import Any

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, Field
from sqlalchemy import select

from app.api.deps import Admin, ApiKey, DbDep, User, role
from app.catalog import ENTITIES, ROLES
from app.core.db import utcnow
from app.services import audit
from app.services.users import (
    InvalidInput,
    api_key_json,
    create_api_key,
    create_user,
    end_sessions,
    user_json,
)

router = APIRouter(prefix="/api/admin", tags=["admin"])


class UserIn(BaseModel):
    email: str = Field(min_length=3, max_length=255)
    password: str = Field(min_length=1, max_length=1024)
    role: str


class UserPatch(BaseModel):
    role: str | None = None
    is_active: bool | None = None


class ApiKeyIn(BaseModel):
    name: str = Field(default="ingestion", max_length=100)


def _user_in_org(db: DbDep, principal: Admin, user_id: uuid.UUID) -> Any:
    user = db.get(User, user_id)
    # archgen:control tenant-isolation-admin
    if user is None or user.organization_id != principal.organization_id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such user")
    return user


@router.get("/users", openapi_extra=role("admin"))
def list_users(principal: Admin, db: DbDep) -> dict[str, Any]:
    users = list(
        db.scalars(
            select(User)
            .where(User.organization_id == principal.organization_id)
            .order_by(User.email)
        )
    )
    audit.record_pii_read(
        db,
        organization_id=principal.organization_id,
        actor_user_id=principal.user_id,
        entity="users",
        fields=ENTITIES["users"].pii_fields,
        rows=len(users),
        ip=principal.ip,
    )
    db.commit()
    return {"users": [user_json(u) for u in users]}


@router.post("/users", status_code=status.HTTP_201_CREATED, openapi_extra=role("admin"))
def add_user(body: UserIn, principal: Admin, db: DbDep) -> dict[str, Any]:
    try:
        user = create_user(db, principal.organization_id, body.email, body.password, body.role)
    except InvalidInput as exc:
        db.rollback()
        raise HTTPException(422, str(exc)) from exc
    # archgen:control admin-actions-audited
    audit.record(
        db,
        organization_id=principal.organization_id,
        actor_user_id=principal.user_id,
        action="admin.user_created",
        target=f"user:{user.id}",
        detail={"role": user.role},
        ip=principal.ip,
    )
    db.commit()
    return user_json(user)


@router.patch("/users/{user_id}", openapi_extra=role("admin"))
def change_user(user_id: uuid.UUID, body: UserPatch, principal: Admin, db: DbDep) -> dict[str, Any]:
    user = _user_in_org(db, principal, user_id)
    changes: dict[str, Any] = {}
    if body.role is not None and body.role != user.role:
        if body.role not in ROLES:
            raise HTTPException(
                422, f"role must be one of {', '.join(ROLES)}"
            )
        if user.id == principal.user_id:
            raise HTTPException(status.HTTP_409_CONFLICT, "admins cannot change their own role")
        changes["role"] = [user.role, body.role]
        user.role = body.role
    if body.is_active is not None and body.is_active != user.is_active:
        if user.id == principal.user_id:
            raise HTTPException(status.HTTP_409_CONFLICT, "admins cannot deactivate themselves")
        changes["is_active"] = [user.is_active, body.is_active]
        user.is_active = body.is_active
    if changes:
        # A changed permission ends the user's sessions.
        end_sessions(db, user.id)
        # archgen:control permission-changes-audited
        audit.record(
            db,
            organization_id=principal.organization_id,
            actor_user_id=principal.user_id,
            action="admin.user_changed",
            target=f"user:{user.id}",
            detail=changes,
            ip=principal.ip,
        )
    db.commit()
    return user_json(user)


@router.get("/api-keys", openapi_extra=role("admin"))
def list_api_keys(principal: Admin, db: DbDep) -> dict[str, Any]:
    rows = db.scalars(
        select(ApiKey)
        .where(ApiKey.organization_id == principal.organization_id)
        .order_by(ApiKey.created_at)
    )
    return {"api_keys": [api_key_json(r) for r in rows]}


@router.post("/api-keys", status_code=status.HTTP_201_CREATED, openapi_extra=role("admin"))
def add_api_key(body: ApiKeyIn, principal: Admin, db: DbDep) -> dict[str, Any]:
    row, key = create_api_key(db, principal.organization_id, body.name)
    audit.record(
        db,
        organization_id=principal.organization_id,
        actor_user_id=principal.user_id,
        action="admin.api_key_created",
        target=f"api_key:{row.id}",
        ip=principal.ip,
    )
    db.commit()
    return {**api_key_json(row), "key": key}


@router.delete("/api-keys/{key_id}", openapi_extra=role("admin"))
def revoke_api_key(key_id: uuid.UUID, principal: Admin, db: DbDep) -> dict[str, Any]:
    row = db.get(ApiKey, key_id)
    if row is None or row.organization_id != principal.organization_id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such API key")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit.record(
            db,
            organization_id=principal.organization_id,
            actor_user_id=principal.user_id,
            action="admin.api_key_revoked",
            target=f"api_key:{row.id}",
            ip=principal.ip,
        )
    db.commit()
    return api_key_json(row)
