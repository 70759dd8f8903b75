"""One row of an entity, for the services that read it (detail) or write it
(create, update, delete).

Values are checked against the field types (app/services/values.py); a
reference must name a row of the caller's organization; a row of another
organization is never found. Keys the database makes (uuid and integer
primary keys) are not set by callers; `created_at` defaults to now.
"""

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.catalog import ENTITIES, SECRET_COLUMNS, FieldSpec
from app.models import ENTITY_MODELS
from app.services.values import coerce, to_json


class Invalid(ValueError):
    """The body does not fit the entity: one error per field."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("invalid row")
        self.errors = errors


def _pk(key: str) -> FieldSpec:
    return next(f for f in ENTITIES[key].fields if f.pk)


def primary_key(key: str) -> str:
    """The field that names one row of `key` in URLs."""
    return _pk(key).key


def settable(key: str, creating: bool) -> dict[str, FieldSpec]:
    """The fields a caller may set: no secret column, no key the database makes, no key once made."""
    hidden = SECRET_COLUMNS.get(key, frozenset())
    out = {}
    for f in ENTITIES[key].fields:
        if f.key in hidden:
            continue
        if f.pk and (not creating or f.kind in ("uuid", "integer", "bigint")):
            continue
        out[f.key] = f
    return out


def clean(db: Session, key: str, organization_id: uuid.UUID, body: Any, creating: bool) -> dict[str, Any]:
    """The attributes to store for a JSON body; Invalid when it does not fit."""
    if not isinstance(body, dict):
        raise Invalid([{"field": None, "error": "expected a JSON object"}])
    fields = settable(key, creating)
    errors: list[dict[str, Any]] = [
        {"field": str(k)[:100], "error": "not a field that can be set"} for k in sorted(map(str, body)) if k not in fields
    ]
    values: dict[str, Any] = {}
    for f in fields.values():
        if f.key not in body:
            if not creating:
                continue
            if f.key == "created_at" and f.kind == "timestamp":
                values[f.attr] = dt.datetime.now(dt.UTC)
            elif f.nullable:
                values[f.attr] = None
            else:
                errors.append({"field": f.key, "error": "required"})
            continue
        try:
            values[f.attr] = coerce(f, body[f.key])
        except ValueError as exc:
            errors.append({"field": f.key, "error": str(exc)})
    for f in fields.values():
        value = values.get(f.attr)
        if not f.reference or value is None:
            continue
        if f.reference == "organizations":
            ok = value == organization_id
        else:
            # archgen:control tenant-isolation
            ok = find_by_key(db, f.reference, organization_id, value) is not None
        if not ok:
            errors.append({"field": f.key, "error": f"no such {f.reference} row"})
    if errors:
        raise Invalid(errors)
    return values


def find_by_key(db: Session, key: str, organization_id: uuid.UUID, value: Any) -> Any:
    """The organization's row of `key` with primary key `value`, or None."""
    spec = ENTITIES[key]
    model = ENTITY_MODELS[key]
    query = select(model).where(getattr(model, _pk(key).attr) == value)
    # archgen:control tenant-isolation
    if spec.tenant:
        query = query.where(model.organization_id == organization_id)
    elif key == "organizations":
        if value != organization_id:
            return None
    else:
        return None
    return db.scalar(query)


def find(db: Session, key: str, organization_id: uuid.UUID, ident: str) -> Any:
    """The organization's row of `key` whose key reads `ident` (from a URL), or None."""
    pk = _pk(key)
    try:
        value = coerce(pk, int(ident) if pk.kind in ("integer", "bigint") else ident)
    except ValueError:
        return None
    return find_by_key(db, key, organization_id, value)


def create(db: Session, key: str, organization_id: uuid.UUID, values: dict[str, Any]) -> Any:
    row = ENTITY_MODELS[key](**values)
    if ENTITIES[key].tenant:
        row.organization_id = organization_id
    db.add(row)
    db.flush()
    return row


def as_json(key: str, row: Any) -> dict[str, Any]:
    hidden = SECRET_COLUMNS.get(key, frozenset())
    return {f.key: to_json(getattr(row, f.attr)) for f in ENTITIES[key].fields if f.key not in hidden}
