"""Compliance endpoints (frameworks: soc2, gdpr).

- GET  /api/compliance/data-inventory           personal-data fields and retention
- GET  /api/compliance/users/{id}/export        everything stored about a user
- POST /api/compliance/users/{id}/erase         erase a user; the audit log keeps
                                                only a pseudonym of their id
"""

import uuid
from typing import Any

from fastapi import APIRouter, HTTPException, status
from sqlalchemy import select

from app.api.deps import Admin, DbDep, User, role
from app.catalog import ENTITIES
from app.models import ENTITY_MODELS
from app.services import audit
from app.services.retention import RETENTION
from app.services.users import erase_user, user_json
from app.services.values import to_json

router = APIRouter(prefix="/api/compliance", tags=["compliance"])
AuditLog = ENTITY_MODELS["audit_log"]


def _user(db: DbDep, principal: Admin, user_id: uuid.UUID) -> Any:
    user = db.get(User, user_id)
    if user is None or user.organization_id != principal.organization_id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such user")
    return user


@router.get("/data-inventory", openapi_extra=role("admin"))
def data_inventory(principal: Admin) -> dict[str, Any]:
    """Which fields hold personal data, and how long each table keeps rows."""
    # archgen:control pii-inventory
    del principal
    return {
        "entities": [
            {
                "entity": spec.key,
                "pii_fields": list(spec.pii_fields),
                "retention_days": RETENTION.get(spec.key),
                "time_field": spec.time_field,
            }
            for spec in ENTITIES.values()
            if spec.pii_fields or spec.key in RETENTION
        ]
    }


@router.get("/users/{user_id}/export", openapi_extra=role("admin"))
def export_user(user_id: uuid.UUID, principal: Admin, db: DbDep) -> dict[str, Any]:
    """GDPR access and portability: the user's record and their audit trail."""
    # archgen:control gdpr-export
    user = _user(db, principal, user_id)
    events = db.scalars(
        select(AuditLog)
        .where(AuditLog.organization_id == principal.organization_id)
        .where(AuditLog.actor_user_id == user.id)
        .order_by(AuditLog.occurred_at)
    )
    trail = [
        {
            "occurred_at": to_json(e.occurred_at),
            "action": e.action,
            "target": e.target,
            "ip": e.ip,
        }
        for e in events
    ]
    audit.record(
        db,
        organization_id=principal.organization_id,
        actor_user_id=principal.user_id,
        action="data.export",
        target=f"user:{user.id}",
        detail={"kind": "gdpr-export"},
        ip=principal.ip,
    )
    db.commit()
    return {"user": user_json(user), "audit_log": trail}


@router.post("/users/{user_id}/erase", openapi_extra=role("admin"))
def erase(user_id: uuid.UUID, principal: Admin, db: DbDep) -> dict[str, Any]:
    """GDPR erasure: personal fields blanked, the audit log pseudonymised."""
    user = _user(db, principal, user_id)
    if user.id == principal.user_id:
        raise HTTPException(status.HTTP_409_CONFLICT, "admins cannot erase themselves")
    erase_user(db, user)
    audit.pseudonymise(db, principal.organization_id, user.id, erased_by=principal.user_id)
    audit.record(
        db,
        organization_id=principal.organization_id,
        actor_user_id=principal.user_id,
        action="admin.user_erased",
        target=f"user:{audit.pseudonym(user.id)}",
        ip=principal.ip,
    )
    db.commit()
    return {"erased": True, "pseudonym": str(audit.pseudonym(user.id))}
