"""Pages of an organization's rows, for entity_list services: keyset pagination.

Rows come newest first (by the entity's time field, then its key). A page
ends with a cursor naming its last row; the next page starts after that
row, so a page costs the same however deep it is, rows added meanwhile do
not shift it, and no page counts the table. The composite index
(organization_id, time field, key) serves exactly this order.
"""

import base64
import json
import uuid
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from app.catalog import ENTITIES, SECRET_COLUMNS, EntitySpec
from app.models import ENTITY_MODELS
from app.services.values import coerce, to_json


class BadCursor(ValueError):
    pass


def visible_fields(key: str) -> tuple[str, ...]:
    hidden = SECRET_COLUMNS.get(key, frozenset())
    return tuple(f.key for f in ENTITIES[key].fields if f.key not in hidden)


def order_fields(spec: EntitySpec) -> list[str]:
    """The keys rows are ordered by (all descending): the time field when it is never null, then the key."""
    out = []
    if spec.time_field and not spec.field(spec.time_field).nullable:
        out.append(spec.time_field)
    return out + [f.key for f in spec.fields if f.pk]


def encode_cursor(positions: dict[str, list[Any]]) -> str:
    raw = json.dumps(positions, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str) -> dict[str, list[Any]]:
    try:
        data = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadCursor("not a cursor this API made") from exc
    if not isinstance(data, dict) or not all(isinstance(v, list) for v in data.values()):
        raise BadCursor("not a cursor this API made")
    return data


def _after(spec: EntitySpec, model: Any, position: list[Any]) -> Any:
    """Rows after `position` in the descending order of order_fields(spec)."""
    keys = order_fields(spec)
    if len(position) != len(keys):
        raise BadCursor("the cursor does not fit this list")
    try:
        values = [coerce(spec.field(k), v) for k, v in zip(keys, position, strict=True)]
    except ValueError as exc:
        raise BadCursor("the cursor does not fit this list") from exc
    columns = [getattr(model, spec.field(k).attr) for k in keys]
    # (a, b) < (x, y) spelled out, so that every database plans it the same.
    clauses = []
    for i, column in enumerate(columns):
        clauses.append(and_(*[columns[j] == values[j] for j in range(i)], column < values[i]))
    return or_(*clauses)


def page(
    db: Session, organization_id: uuid.UUID, key: str, limit: int, position: list[Any] | None = None
) -> tuple[dict[str, Any], list[Any] | None]:
    """One page of `key` rows of the organization, newest first, and the position after it (or None)."""
    spec = ENTITIES[key]
    model = ENTITY_MODELS[key]
    # archgen:control tenant-isolation
    if spec.tenant:
        scope = model.organization_id == organization_id
    elif key == "organizations":
        scope = model.id == organization_id
    else:
        # Shared reference data carries no tenant rows to show.
        return {"entity": key, "items": []}, None
    keys = order_fields(spec)
    query = select(model).where(scope)
    if position is not None:
        query = query.where(_after(spec, model, position))
    query = query.order_by(*[getattr(model, spec.field(k).attr).desc() for k in keys]).limit(limit + 1)
    rows = list(db.scalars(query))
    more = len(rows) > limit
    rows = rows[:limit]
    fields = visible_fields(key)
    items = [{k: to_json(getattr(row, spec.field(k).attr)) for k in fields} for row in rows]
    last = [to_json(getattr(rows[-1], spec.field(k).attr)) for k in keys] if more else None
    return {"entity": key, "items": items}, last
