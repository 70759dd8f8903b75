"""Service `events_explorer` (entities): the caller's organization's rows.

Keyset pagination (app/services/entity_reader.py): newest first; the answer's
`next` cursor, sent back as `cursor`, gives the next page; `next` is null on
the last page of every list. `<path>/<entity>/<id>` is one row of an entity
the service reads or writes; the entities it writes take POST
`<path>/<entity>`, PATCH and DELETE `<path>/<entity>/<id>` (analysts and
admins; app/api/rows.py).
"""

from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Path, Query, Response

from app.api import rows
from app.api.deps import Analyst, DbDep, Viewer, role
from app.catalog import ENTITIES, SERVICES
from app.core.config import get_settings
from app.services.entity_reader import BadCursor, decode_cursor, encode_cursor, page

# Grouped by the model's interfaces.
router = APIRouter(tags=["Dashboard REST API"])
SERVICE = SERVICES["events_explorer"]
RowId = Annotated[str, Path(max_length=200)]


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
        rows.audit_read(db, principal, key, len(result["items"]))
        results.append(result)
    db.commit()
    return {
        "service": SERVICE.key,
        "limit": limit,
        "results": results,
        "next": encode_cursor(after) if after else None,
    }


def _add_read(key: str) -> None:
    @router.get(SERVICE.path + "/" + key + "/{row_id}", openapi_extra=role("viewer"), name=f"{SERVICE.key}:{key}:read")
    def read(row_id: RowId, principal: Viewer, db: DbDep) -> dict[str, Any]:
        return rows.read(db, principal, key, row_id)


def _add_write(key: str) -> None:
    @router.post(SERVICE.path + "/" + key, openapi_extra=role("analyst"), name=f"{SERVICE.key}:{key}:create", status_code=201)
    def create(body: Annotated[Any, Body()], principal: Analyst, db: DbDep) -> dict[str, Any]:
        return rows.create(db, principal, key, body)

    @router.patch(SERVICE.path + "/" + key + "/{row_id}", openapi_extra=role("analyst"), name=f"{SERVICE.key}:{key}:update")
    def update(row_id: RowId, body: Annotated[Any, Body()], principal: Analyst, db: DbDep) -> dict[str, Any]:
        return rows.update(db, principal, key, row_id, body)

    @router.delete(SERVICE.path + "/" + key + "/{row_id}", openapi_extra=role("analyst"), name=f"{SERVICE.key}:{key}:delete", status_code=204)
    def delete(row_id: RowId, principal: Analyst, db: DbDep) -> Response:
        rows.delete(db, principal, key, row_id)
        return Response(status_code=204)


# One row of what the service reads, and of what it writes: a writer shows
# what it wrote (an update starts from the row as it is).
for _key in dict.fromkeys(SERVICE.entities + SERVICE.writes):
    if ENTITIES[_key].tenant:
        _add_read(_key)
for _key in SERVICE.writes:
    if ENTITIES[_key].tenant:
        _add_write(_key)
