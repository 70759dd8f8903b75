"""The entity browser's API: the blueprint's entities, row by row.

`GET /api/browse` names the entities the caller's role may read, with their
fields and whether the caller may write them; each entity then has
`GET /api/browse/<entity>` (keyset pages, newest first),
`GET /api/browse/<entity>/<id>`, and, where its role may write,
`POST /api/browse/<entity>`, `PATCH` and `DELETE /api/browse/<entity>/<id>`.

Who may do what follows the blueprint's services:

- an entity some service reads or writes: viewers read it; analysts write
  it when a service writes it;
- every other entity of the blueprint (one no service touches, such as the
  whole a written part refers to): admins only;
- an ingested entity (its rows arrive through /api/ingest) is never written
  here, and read only when a service reads it.

Each route declares its role in the OpenAPI schema, so tests/test_roles.py
checks these rules like every other route's.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query, Response

from app.api import rows
from app.api.deps import DbDep, Principal, Viewer, require, role
from app.catalog import ENTITIES, INGESTED, ROLE_RANK, SERVICES
from app.services import entity_writer
from app.services.entity_reader import visible_fields

router = APIRouter(tags=["browse"])
PREFIX = "/api/browse"
RowId = Annotated[str, Path(max_length=200)]


def reach() -> dict[str, tuple[str, str | None]]:
    """Entity key -> (the role that may read it, the role that may write it or None)."""
    read = {k for s in SERVICES.values() for k in s.entities + s.writes}
    written = {k for s in SERVICES.values() for k in s.writes}
    out: dict[str, tuple[str, str | None]] = {}
    for key, spec in ENTITIES.items():
        if spec.origin != "blueprint" or not spec.tenant:
            continue
        if key in INGESTED and key not in read:
            continue
        reader = "viewer" if key in read else "admin"
        writer = None if key in INGESTED else ("analyst" if key in written else "admin")
        out[key] = (reader, writer)
    return out


REACH = reach()


def _may(principal: Principal, level: str | None) -> bool:
    return level is not None and ROLE_RANK[principal.role] >= ROLE_RANK[level]


def _label_field(key: str) -> str:
    """The field that names a row for people: `name`, else the first short text, else the key."""
    fields = ENTITIES[key].fields
    for f in fields:
        if f.key == "name":
            return f.key
    for f in fields:
        if f.kind == "string" and not f.pk and not f.reference:
            return f.key
    return entity_writer.primary_key(key)


def _describe(key: str, principal: Principal) -> dict[str, Any]:
    reader, writer = REACH[key]
    creatable = entity_writer.settable(key, creating=True)
    editable = entity_writer.settable(key, creating=False)
    spec = ENTITIES[key]
    return {
        "key": key,
        "name": spec.name,
        "path": f"{PREFIX}/{key}",
        "read": reader,
        "write": writer,
        "writable": _may(principal, writer),
        "primary_key": entity_writer.primary_key(key),
        "label": _label_field(key),
        "fields": [
            {
                "key": f.key,
                "kind": f.kind,
                "length": f.length,
                "nullable": f.nullable,
                "reference": f.reference,
                # created_at defaults to now, so a form may leave it out.
                "required": f.key in creatable and not f.nullable and f.key != "created_at",
                "create": f.key in creatable,
                "edit": f.key in editable,
            }
            for f in spec.fields
            if f.key in visible_fields(key)
        ],
    }


@router.get(PREFIX, openapi_extra=role("viewer"), name="browse")
def entities(principal: Viewer) -> dict[str, Any]:
    """The entities the caller's role may read, in the blueprint's order."""
    keys = [k for k, (reader, _) in REACH.items() if _may(principal, reader)]
    return {"entities": [_describe(k, principal) for k in keys]}


def _add(key: str, reader: str, writer: str | None) -> None:
    Reader = Annotated[Principal, Depends(require(reader))]

    @router.get(f"{PREFIX}/{key}", openapi_extra=role(reader), name=f"browse:{key}:list")
    def listing(
        principal: Reader,
        db: DbDep,
        limit: Annotated[int, Query(ge=1)] = 50,
        cursor: Annotated[str | None, Query(max_length=2000)] = None,
    ) -> dict[str, Any]:
        return rows.listing(db, principal, key, limit, cursor)

    @router.get(f"{PREFIX}/{key}" + "/{row_id}", openapi_extra=role(reader), name=f"browse:{key}:read")
    def read(row_id: RowId, principal: Reader, db: DbDep) -> dict[str, Any]:
        return rows.read(db, principal, key, row_id)

    if writer is None:
        return
    Writer = Annotated[Principal, Depends(require(writer))]

    @router.post(f"{PREFIX}/{key}", openapi_extra=role(writer), name=f"browse:{key}:create", status_code=201)
    def create(body: Annotated[Any, Body()], principal: Writer, db: DbDep) -> dict[str, Any]:
        return rows.create(db, principal, key, body)

    @router.patch(f"{PREFIX}/{key}" + "/{row_id}", openapi_extra=role(writer), name=f"browse:{key}:update")
    def update(row_id: RowId, body: Annotated[Any, Body()], principal: Writer, db: DbDep) -> dict[str, Any]:
        return rows.update(db, principal, key, row_id, body)

    @router.delete(f"{PREFIX}/{key}" + "/{row_id}", openapi_extra=role(writer), name=f"browse:{key}:delete", status_code=204)
    def delete(row_id: RowId, principal: Writer, db: DbDep) -> Response:
        rows.delete(db, principal, key, row_id)
        return Response(status_code=204)


for _key, (_reader, _writer) in REACH.items():
    _add(_key, _reader, _writer)
