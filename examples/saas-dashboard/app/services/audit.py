"""The audit log: append-only records of security-relevant actions.

Logins, permission changes, data exports, admin actions and (for HIPAA)
every read of personal data end up in the audit_log table. Rows are never
updated or deleted: the database refuses it (triggers on UPDATE, DELETE
and, on PostgreSQL, TRUNCATE), and its rows outlive their organization (no
foreign key). The one change allowed is GDPR erasure, which swaps the erased
user's id for a pseudonym after recording the erasure (see pseudonymise()).
"""

import hashlib
import uuid
from typing import Any

from sqlalchemy import event, text, update
from sqlalchemy.orm import Session

from app.core.config import get_settings
from app.core.db import utcnow
from app.core.tables import AuditErasure
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


# The triggers that make the database itself refuse changes to the audit
# log (created by the migrations; see migrations/versions/).
GUARD_TRIGGERS = {
    "postgresql": ("audit_log_append_only", "audit_log_no_truncate", "audit_erasures_append_only"),
    "sqlite": ("audit_log_no_update", "audit_log_no_delete", "audit_erasures_no_update", "audit_erasures_no_delete"),
}


def guard_installed(db: Session) -> bool:
    """True when the database refuses UPDATE, DELETE (and TRUNCATE) on the audit log."""
    # archgen:control audit-immutable-db
    dialect = db.get_bind().dialect.name
    if dialect == "postgresql":
        query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D'"
    else:
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    present = set(db.scalars(text(query)))
    return set(GUARD_TRIGGERS.get(dialect, ("?",))) <= present


def pseudonymise(
    db: Session, organization_id: uuid.UUID, user_id: uuid.UUID, erased_by: uuid.UUID | None = None
) -> int:
    """GDPR erasure: the user's id in the audit log becomes a pseudonym.

    The one change the database lets audit rows undergo: the erasure is
    recorded in audit_erasures first (itself append-only), and the audit
    log's triggers accept an UPDATE only when it swaps a recorded subject
    for its pseudonym, every other column unchanged.
    """
    # archgen:control gdpr-pseudonymise-audit
    alias = pseudonym(user_id)
    db.add(
        AuditErasure(
            organization_id=organization_id,
            subject=user_id,
            pseudonym=alias,
            subject_target=f"user:{user_id}",
            pseudonym_target=f"user:{alias}",
            erased_by=erased_by,
            erased_at=utcnow(),
        )
    )
    db.flush()
    result = db.execute(
        update(AuditLog)
        .where(AuditLog.organization_id == organization_id)
        .where(AuditLog.actor_user_id == user_id)
        .values(actor_user_id=alias)
    )
    db.execute(
        update(AuditLog)
        .where(AuditLog.organization_id == organization_id)
        .where(AuditLog.target == f"user:{user_id}")
        .values(target=f"user:{alias}")
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
