"""Paged lists of an organization's rows, for entity_list services."""

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.catalog import ENTITIES, SECRET_COLUMNS
from app.models import ENTITY_MODELS
from app.services.values import to_json


def visible_fields(key: str) -> tuple[str, ...]:
    hidden = SECRET_COLUMNS.get(key, frozenset())
    return tuple(f.key for f in ENTITIES[key].fields if f.key not in hidden)


def page(
    db: Session, organization_id: uuid.UUID, key: str, limit: int, offset: int
) -> dict[str, Any]:
    """One page of `key` rows of the organization, newest first."""
    spec = ENTITIES[key]
    model = ENTITY_MODELS[key]
    # archgen:control tenant-isolation
    if spec.tenant:
        scope = model.organization_id == organization_id
    elif key == "organizations":
        scope = model.id == organization_id
    else:
        # Shared reference data carries no tenant rows to show.
        return {"entity": key, "total": 0, "items": []}
    total = db.scalar(select(func.count()).select_from(model).where(scope)) or 0
    order = []
    if spec.time_field:
        order.append(getattr(model, spec.field(spec.time_field).attr).desc())
    order += [getattr(model, f.attr) for f in spec.fields if f.pk]
    rows = db.scalars(select(model).where(scope).order_by(*order).limit(limit).offset(offset))
    fields = visible_fields(key)
    items = [
        {k: to_json(getattr(row, spec.field(k).attr)) for k in fields} for row in rows
    ]
    return {"entity": key, "total": int(total), "items": items}
