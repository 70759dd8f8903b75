"""Service `events_explorer` (entity list): pages of the caller's organization's rows.

Keyset pagination (app/services/entity_reader.py): newest first; the answer's
`next` cursor, sent back as `cursor`, gives the next page; `next` is null on
the last page of every list.
"""

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query

from app.api.deps import DbDep, Viewer, role
from app.catalog import ENTITIES, SERVICES
from app.core.config import get_settings
from app.services import audit
from app.services.entity_reader import BadCursor, decode_cursor, encode_cursor, page, visible_fields

router = APIRouter(tags=["events_explorer"])
SERVICE = SERVICES["events_explorer"]


@router.get(SERVICE.path, openapi_extra=role("viewer"), name="events_explorer")
def endpoint(
    principal: Viewer,
    db: DbDep,
    limit: Annotated[int, Query(ge=1)] = 50,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
) -> dict[str, Any]:
    limit = min(limit, get_settings().PAGE_SIZE_MAX)
    try:
        positions = decode_cursor(cursor) if cursor else {}
    except BadCursor as exc:
        raise HTTPException(422, str(exc)) from exc
    results = []
    after: dict[str, list[Any]] = {}
    for key in SERVICE.entities:
        if cursor and key not in positions:
            # This list ended on an earlier page.
            results.append({"entity": key, "items": []})
            continue
        try:
            result, last = page(db, principal.organization_id, key, limit, positions.get(key))
        except BadCursor as exc:
            raise HTTPException(422, str(exc)) from exc
        if last is not None:
            after[key] = last
        pii = tuple(f for f in ENTITIES[key].pii_fields if f in visible_fields(key))
        audit.record_pii_read(
            db,
            organization_id=principal.organization_id,
            actor_user_id=principal.user_id,
            entity=key,
            fields=pii,
            rows=len(result["items"]),
            ip=principal.ip,
        )
        results.append(result)
    db.commit()
    return {
        "service": SERVICE.key,
        "limit": limit,
        "results": results,
        "next": encode_cursor(after) if after else None,
    }
