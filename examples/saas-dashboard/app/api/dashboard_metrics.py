"""Service `dashboard_metrics` (metrics): its metrics' latest values and series."""

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query

from app.api.deps import DbDep, Viewer, role
from app.catalog import SERVICES
from app.services.metrics_reader import latest, series

router = APIRouter(tags=["dashboard_metrics"])
SERVICE = SERVICES["dashboard_metrics"]


@router.get(SERVICE.path, openapi_extra=role("viewer"), name="dashboard_metrics")
def endpoint(
    principal: Viewer,
    db: DbDep,
    date_from: Annotated[dt.date | None, Query(alias="from")] = None,
    date_to: Annotated[dt.date | None, Query(alias="to")] = None,
) -> dict[str, Any]:
    org = principal.organization_id
    return {
        "service": SERVICE.key,
        "metrics": latest(db, org, SERVICE.metrics),
        "series": [series(db, org, key, date_from, date_to) for key in SERVICE.metrics],
    }
