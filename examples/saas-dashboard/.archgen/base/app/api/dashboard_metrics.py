"""Service `dashboard_metrics` (metrics): its metrics' latest values and series."""

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, Response

from app.api.deps import DbDep, Viewer, role
from app.catalog import SERVICES
from app.services.metrics_reader import BadWindow, cached_json, latest, series, window

router = APIRouter(tags=["dashboard_metrics"])
SERVICE = SERVICES["dashboard_metrics"]


@router.get(SERVICE.path, openapi_extra=role("viewer"), name="dashboard_metrics", response_model=None)
def endpoint(
    request: Request,
    principal: Viewer,
    db: DbDep,
    date_from: Annotated[dt.date | None, Query(alias="from")] = None,
    date_to: Annotated[dt.date | None, Query(alias="to")] = None,
) -> Response:
    """Its metrics' latest values, and their series over [from, to] (by default the last 90 days)."""
    org = principal.organization_id
    try:
        start, end = window(date_from, date_to)
    except BadWindow as exc:
        raise HTTPException(422, str(exc)) from exc
    data: dict[str, Any] = {
        "service": SERVICE.key,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "metrics": latest(db, org, SERVICE.metrics),
        "series": [series(db, org, key, start, end) for key in SERVICE.metrics],
    }
    return cached_json(request, data)
