"""Service `events_explorer` (entities): the caller's organization's rows.

Keyset pagination (app/services/entity_reader.py): newest first; the answer's
`next` cursor, sent back as `cursor`, gives the next page; `next` is null on
the last page of every list. `<path>/<entity>/<id>` is one row of an entity
the service reads; the entities it writes take POST `<path>/<entity>`, PATCH
and DELETE `<path>/<entity>/<id>` (analysts and admins; app/services/entity_writer.py).
"""

from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Path, Query, Response
from sqlalchemy.exc import IntegrityError

from app.api.deps import Analyst, DbDep, Viewer, role
from app.catalog import ENTITIES, SERVICES
from app.core.config import get_settings
from app.services import audit, entity_writer
from app.services.entity_reader import BadCursor, decode_cursor, encode_cursor, page, visible_fields

# Grouped by the model's interfaces.
router = APIRouter(tags=["Dashboard REST API"])
SERVICE = SERVICES["events_explorer"]
RowId = Annotated[str, Path(max_length=200)]


def _audit_read(db: DbDep, principal: Any, key: str, rows: int) -> None:
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
        _audit_read(db, principal, key, len(result["items"]))
        results.append(result)
    db.commit()
    return {
        "service": SERVICE.key,
        "limit": limit,
        "results": results,
        "next": encode_cursor(after) if after else None,
    }


def _found(db: DbDep, key: str, principal: Any, row_id: str) -> Any:
    row = entity_writer.find(db, key, principal.organization_id, row_id)
    if row is None:
        raise HTTPException(404, f"no such {key} row")
    return row


def _add_read(key: str) -> None:
    @router.get(SERVICE.path + "/" + key + "/{row_id}", openapi_extra=role("viewer"), name=f"{SERVICE.key}:{key}:read")
    def read(row_id: RowId, principal: Viewer, db: DbDep) -> dict[str, Any]:
        row = _found(db, key, principal, row_id)
        _audit_read(db, principal, key, 1)
        db.commit()
        return entity_writer.as_json(key, row)


def _store(db: DbDep, key: str) -> None:
    try:
        db.flush()
    except IntegrityError as exc:
        db.rollback()
        raise HTTPException(409, f"the {key} row conflicts with another (a unique field)") from exc


def _add_write(key: str) -> None:
    @router.post(SERVICE.path + "/" + key, openapi_extra=role("analyst"), name=f"{SERVICE.key}:{key}:create", status_code=201)
    def create(body: Annotated[Any, Body()], principal: Analyst, db: DbDep) -> dict[str, Any]:
        try:
            values = entity_writer.clean(db, key, principal.organization_id, body, creating=True)
        except entity_writer.Invalid as exc:
            raise HTTPException(422, exc.errors) from exc
        try:
            row = entity_writer.create(db, key, principal.organization_id, values)
        except IntegrityError as exc:
            db.rollback()
            raise HTTPException(409, f"the {key} row conflicts with another (a unique field)") from exc
        out = entity_writer.as_json(key, row)
        db.commit()
        return out

    @router.patch(SERVICE.path + "/" + key + "/{row_id}", openapi_extra=role("analyst"), name=f"{SERVICE.key}:{key}:update")
    def update(row_id: RowId, body: Annotated[Any, Body()], principal: Analyst, db: DbDep) -> dict[str, Any]:
        row = _found(db, key, principal, row_id)
        try:
            values = entity_writer.clean(db, key, principal.organization_id, body, creating=False)
        except entity_writer.Invalid as exc:
            raise HTTPException(422, exc.errors) from exc
        for attr, value in values.items():
            setattr(row, attr, value)
        _store(db, key)
        out = entity_writer.as_json(key, row)
        db.commit()
        return out

    @router.delete(SERVICE.path + "/" + key + "/{row_id}", openapi_extra=role("analyst"), name=f"{SERVICE.key}:{key}:delete", status_code=204)
    def delete(row_id: RowId, principal: Analyst, db: DbDep) -> Response:
        db.delete(_found(db, key, principal, row_id))
        db.commit()
        return Response(status_code=204)


for _key in SERVICE.entities:
    if ENTITIES[_key].tenant:
        _add_read(_key)
for _key in SERVICE.writes:
    if ENTITIES[_key].tenant:
        _add_write(_key)
