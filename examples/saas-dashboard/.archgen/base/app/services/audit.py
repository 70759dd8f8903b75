"""The audit log: append-only records of security-relevant actions.

Logins, permission changes, data exports, admin actions and (for HIPAA)
every read of personal data end up in the audit_log table. Rows are never
updated or deleted through the application; the one exception is GDPR
erasure, which pseudonymises the erased user's id (see pseudonymise()).
"""

import hashlib
import uuid
from typing import Any

from sqlalchemy import event, update
from sqlalchemy.orm import Session

from app.core.config import get_settings
from app.core.db import utcnow
from app.models.audit_log import AuditLog

AUDIT_ENABLED = True
HIPAA = False


def pseudonym(user_id: uuid.UUID) -> uuid.UUID:
    """A stable stand-in for an erased user's id (not reversible without the secret)."""
    secret = get_settings().SECRET_KEY
    digest = hashlib.sha256(f"{secret}:{user_id}".encode()).digest()
    return uuid.UUID(bytes=digest[:16], version=4)


def record(
    db: Session,
    *,
    organization_id: uuid.UUID,
    action: str,
    actor_user_id: uuid.UUID | None = None,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
    ip: str | None = None,
) -> None:
    """Adds one audit record to the session; the caller's commit writes it."""
    # archgen:control audit-log
    db.add(
        AuditLog(
            organization_id=organization_id,
            occurred_at=utcnow(),
            actor_user_id=actor_user_id,
            action=action[:100],
            target=target[:255] if target else None,
            detail=detail,
            ip=ip[:64] if ip else None,
        )
    )


@event.listens_for(Session, "before_flush")
def _append_only(session: Session, _ctx: Any, _instances: Any) -> None:
    # archgen:control audit-append-only
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditLog):
            raise PermissionError("the audit log is append-only")


def pseudonymise(db: Session, organization_id: uuid.UUID, user_id: uuid.UUID) -> int:
    """GDPR erasure: the user's id in the audit log becomes a pseudonym."""
    # archgen:control gdpr-pseudonymise-audit
    result = db.execute(
        update(AuditLog)
        .where(AuditLog.organization_id == organization_id)
        .where(AuditLog.actor_user_id == user_id)
        .values(actor_user_id=pseudonym(user_id))
    )
    db.execute(
        update(AuditLog)
        .where(AuditLog.organization_id == organization_id)
        .where(AuditLog.target == f"user:{user_id}")
        .values(target=f"user:{pseudonym(user_id)}")
    )
    return int(getattr(result, "rowcount", 0) or 0)


def record_pii_read(
    db: Session,
    *,
    organization_id: uuid.UUID,
    actor_user_id: uuid.UUID | None,
    entity: str,
    fields: tuple[str, ...],
    rows: int,
    ip: str | None = None,
) -> None:
    """Access log of personal data reads (every read when HIPAA applies)."""
    if not fields or not rows:
        return
    # archgen:control hipaa-pii-access-log
    record(
        db,
        organization_id=organization_id,
        actor_user_id=actor_user_id,
        action="pii.read",
        target=f"entity:{entity}",
        detail={"fields": list(fields), "rows": rows},
        ip=ip,
    )
