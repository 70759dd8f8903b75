"""Batch ingestion: POST /api/ingest/<entity> with a JSON list of rows.

The organization comes from the X-API-Key header, never from a row (an
`organization_id` key in a row is ignored). Every row is validated first;
one bad row rejects the whole batch with 422 and the errors of every bad
row. Timestamps may carry any UTC offset and are stored in UTC.
"""

import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, status
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.api.deps import ApiKeyOrg, DbDep, role
from app.catalog import ENTITIES, INGESTED, EntitySpec
from app.core.config import get_settings
from app.models import ENTITY_MODELS
from app.services.values import ValueError_, coerce

router = APIRouter(prefix="/api/ingest", tags=["ingest"])

IGNORED_KEYS = frozenset({"organization_id"})


def validate_rows(spec: EntitySpec, rows: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(column values per row, errors); errors name the row index and field."""
    errors: list[dict[str, Any]] = []
    clean: list[dict[str, Any]] = []
    if not isinstance(rows, list):
        return [], [{"row": None, "field": None, "error": "the body must be a JSON list of rows"}]
    limit = get_settings().INGEST_MAX_ROWS
    if len(rows) > limit:
        return [], [{"row": None, "field": None, "error": f"at most {limit} rows per batch"}]
    known = {f.key: f for f in spec.fields}
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            errors.append({"row": i, "field": None, "error": "each row must be a JSON object"})
            continue
        values: dict[str, Any] = {}
        for key in row:
            if key not in known and key not in IGNORED_KEYS:
                errors.append({"row": i, "field": str(key)[:100], "error": "unknown field"})
        for f in spec.fields:
            if f.key not in row:
                if f.pk and f.kind == "uuid":
                    values[f.attr] = uuid.uuid4()
                elif f.pk and f.kind in ("integer", "bigint"):
                    continue
                elif f.nullable:
                    values[f.attr] = None
                else:
                    errors.append({"row": i, "field": f.key, "error": "required"})
                continue
            try:
                values[f.attr] = coerce(f, row[f.key])
            except ValueError_ as exc:
                errors.append({"row": i, "field": f.key, "error": str(exc)})
        clean.append(values)
    return clean, errors


def _check_references(
    db: DbDep, spec: EntitySpec, organization_id: uuid.UUID, rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """References must point at rows of the same organization."""
    errors: list[dict[str, Any]] = []
    for f in spec.fields:
        if not f.reference:
            continue
        target_spec = ENTITIES[f.reference]
        target = ENTITY_MODELS[f.reference]
        pk = next(p for p in target_spec.fields if p.pk)
        wanted = {r[f.attr] for r in rows if r.get(f.attr) is not None}
        if not wanted:
            continue
        pk_col = getattr(target, pk.attr)
        query = select(pk_col).where(pk_col.in_(wanted))
        if target_spec.tenant:
            query = query.where(target.organization_id == organization_id)
        elif f.reference == "organizations":
            query = query.where(pk_col == organization_id)
        found = set(db.scalars(query))
        for i, r in enumerate(rows):
            if r.get(f.attr) is not None and r[f.attr] not in found:
                errors.append({"row": i, "field": f.key, "error": f"no such {f.reference} row"})
    return errors


def _handler(key: str) -> Callable[..., dict[str, Any]]:
    spec = ENTITIES[key]
    model = ENTITY_MODELS[key]

    def ingest(organization_id: ApiKeyOrg, db: DbDep, rows: Annotated[Any, Body()]) -> dict[str, Any]:
        clean, errors = validate_rows(spec, rows)
        if not errors:
            errors = _check_references(db, spec, organization_id, clean)
        if errors:
            # archgen:control ingest-validation
            raise HTTPException(
                422,
                {"message": f"batch rejected: {len(errors)} error(s); nothing was stored", "errors": errors[:100]},
            )
        # archgen:control tenant-from-api-key
        objects = [model(**values, organization_id=organization_id) for values in clean]
        db.add_all(objects)
        try:
            db.commit()
        except IntegrityError as exc:
            db.rollback()
            raise HTTPException(
                422,
                {"message": "batch rejected: a row conflicts with stored data (duplicate key?); nothing was stored", "errors": []},
            ) from exc
        return {"entity": key, "inserted": len(objects)}

    ingest.__name__ = f"ingest_{key}"
    return ingest


for _key in INGESTED:
    router.add_api_route(
        f"/{_key}",
        _handler(_key),
        methods=["POST"],
        status_code=status.HTTP_201_CREATED,
        openapi_extra=role("api_key"),
        name=f"ingest_{_key}",
    )
