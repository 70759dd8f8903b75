"""Service `events_explorer` (entity list): pages of the caller's organization's rows."""

from typing import Annotated, Any

from fastapi import APIRouter, Query

from app.api.deps import DbDep, Viewer, role
from app.catalog import ENTITIES, SERVICES
from app.core.config import get_settings
from app.services import audit
from app.services.entity_reader import page, visible_fields

router = APIRouter(tags=["events_explorer"])
SERVICE = SERVICES["events_explorer"]


@router.get(SERVICE.path, openapi_extra=role("viewer"), name="events_explorer")
def endpoint(
    principal: Viewer,
    db: DbDep,
    limit: Annotated[int, Query(ge=1)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    limit = min(limit, get_settings().PAGE_SIZE_MAX)
    results = []
    for key in SERVICE.entities:
        result = page(db, principal.organization_id, key, limit, offset)
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
    return {"service": SERVICE.key, "limit": limit, "offset": offset, "results": results}
