"""One entity's rows over HTTP, for the service routes and the entity browser.

The checks every route shares: a row of another organization is never
found (404); a body that does not fit the entity's fields is refused with
one error per field (422); a unique field taken by another row is a 409;
reads of personal data and every write go to the audit log (when the
blueprint names a compliance framework, see app/services/audit.py).
"""

from collections.abc import Callable
from typing import Any

from fastapi import HTTPException
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.api.deps import Principal
from app.catalog import ENTITIES
from app.core.config import get_settings
from app.services import audit, entity_writer
from app.services.entity_reader import BadCursor, decode_cursor, encode_cursor, page, visible_fields

# Called with the written row (as JSON) before the write commits: what else
# the same transaction must hold (a service publishing on the outbox).
Written = Callable[[Session, Principal, dict[str, Any]], None]


def audit_read(db: Session, principal: Principal, key: str, rows: int) -> None:
    """Personal data read: recorded (when the entity has any)."""
    pii = tuple(f for f in ENTITIES[key].pii_fields if f in visible_fields(key))
    audit.record_pii_read(
        db,
        organization_id=principal.organization_id,
        actor_user_id=principal.user_id,
        entity=key,
        fields=pii,
        rows=rows,
        ip=principal.ip,
    )


def _audit_write(db: Session, principal: Principal, key: str, action: str, row: Any) -> None:
    ident = entity_writer.as_json(key, row).get(entity_writer.primary_key(key))
    audit.record(
        db,
        organization_id=principal.organization_id,
        action=f"data.{action}",
        actor_user_id=principal.user_id,
        target=f"{key}:{ident}",
        ip=principal.ip,
    )


def listing(db: Session, principal: Principal, key: str, limit: int, cursor: str | None) -> dict[str, Any]:
    """One page of the organization's `key` rows, newest first, with the cursor of the next."""
    limit = min(limit, get_settings().PAGE_SIZE_MAX)
    try:
        position = decode_cursor(cursor).get(key) if cursor else None
        result, last = page(db, principal.organization_id, key, limit, position)
    except BadCursor as exc:
        raise HTTPException(422, str(exc)) from exc
    audit_read(db, principal, key, len(result["items"]))
    db.commit()
    return {**result, "limit": limit, "next": encode_cursor({key: last}) if last is not None else None}


def found(db: Session, key: str, principal: Principal, row_id: str) -> Any:
    row = entity_writer.find(db, key, principal.organization_id, row_id)
    if row is None:
        raise HTTPException(404, f"no such {key} row")
    return row


def read(db: Session, principal: Principal, key: str, row_id: str) -> dict[str, Any]:
    row = found(db, key, principal, row_id)
    audit_read(db, principal, key, 1)
    db.commit()
    return entity_writer.as_json(key, row)


def _flush(db: Session, reason: str) -> None:
    try:
        db.flush()
    except IntegrityError as exc:
        db.rollback()
        raise HTTPException(409, reason) from exc


def _cleaned(db: Session, principal: Principal, key: str, body: Any, creating: bool) -> dict[str, Any]:
    try:
        return entity_writer.clean(db, key, principal.organization_id, body, creating=creating)
    except entity_writer.Invalid as exc:
        raise HTTPException(422, exc.errors) from exc


def _unique(key: str) -> str:
    return f"the {key} row conflicts with another (a unique field)"


def _done(db: Session, principal: Principal, key: str, action: str, row: Any, written: Written | None) -> dict[str, Any]:
    """A create or update's end: audited, the hook run, committed; the row as JSON."""
    _audit_write(db, principal, key, action, row)
    out = entity_writer.as_json(key, row)
    if written is not None:
        written(db, principal, out)
    db.commit()
    return out


def create(db: Session, principal: Principal, key: str, body: Any, written: Written | None = None) -> dict[str, Any]:
    values = _cleaned(db, principal, key, body, creating=True)
    try:
        row = entity_writer.create(db, key, principal.organization_id, values)
    except IntegrityError as exc:
        db.rollback()
        raise HTTPException(409, _unique(key)) from exc
    return _done(db, principal, key, "create", row, written)


def update(
    db: Session, principal: Principal, key: str, row_id: str, body: Any, written: Written | None = None
) -> dict[str, Any]:
    row = found(db, key, principal, row_id)
    values = _cleaned(db, principal, key, body, creating=False)
    for attr, value in values.items():
        setattr(row, attr, value)
    _flush(db, _unique(key))
    return _done(db, principal, key, "update", row, written)


def delete(db: Session, principal: Principal, key: str, row_id: str) -> None:
    row = found(db, key, principal, row_id)
    _audit_write(db, principal, key, "delete", row)
    db.delete(row)
    _flush(db, f"other rows refer to this {key} row: delete or change them first")
    db.commit()
