"""The dashboard API: reads only the pre-aggregated metric tables."""

import csv
import datetime as dt
import io
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from sqlalchemy import select

from app.api.deps import Analyst, DbDep, Viewer, role
from app.catalog import METRICS, UNITS
from app.core.db import as_utc
from app.core.tables import MetricState
from app.services import audit
from app.services.metrics_reader import (
    BadWindow,
    Series,
    cached_json,
    condition_text,
    latest,
    series,
    window,
)
from app.services.values import to_json

router = APIRouter(prefix="/api/dashboard", tags=["dashboard"])

DateFrom = Annotated[dt.date | None, Query(alias="from")]
DateTo = Annotated[dt.date | None, Query(alias="to")]


CATALOG = [
    {
        "key": spec.key,
        "name": spec.name,
        "grain": spec.grain,
        "measure": spec.measure,
        "kind": spec.kind,
        "value_type": spec.value_type,
        "dimensions": [d.key for d in spec.dimensions],
        "unit": UNITS.get(spec.key)
        or ({"kind": "percent"} if spec.measure == "churn" or (spec.kind == "ratio" and spec.scale == 100) else None),
        "steps": [condition_text(step) for step in spec.steps],
        "periods": spec.periods,
    }
    for spec in METRICS.values()
]


def _known(metric_key: str) -> None:
    if metric_key not in METRICS:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such metric")


@router.get("/metrics", openapi_extra=role("viewer"))
def metrics_overview(principal: Viewer, db: DbDep) -> dict[str, Any]:
    """The latest period of every metric, what each metric is, and when it was last computed."""
    computed = {s.metric: to_json(as_utc(s.computed_at)) for s in db.scalars(select(MetricState))}
    catalog = [{**entry, "as_of": computed.get(entry["key"])} for entry in CATALOG]
    return {"metrics": latest(db, principal.organization_id), "catalog": catalog}


def _window(date_from: dt.date | None, date_to: dt.date | None) -> tuple[dt.date, dt.date]:
    try:
        return window(date_from, date_to)
    except BadWindow as exc:
        raise HTTPException(422, str(exc)) from exc


@router.get(
    "/metrics/{metric_key}",
    openapi_extra=role("viewer"),
    response_model=None,
    responses={200: {"model": Series, "description": "the series; a cohort's retention table, a funnel's steps"}},
)
def metric_series(
    metric_key: str,
    request: Request,
    principal: Viewer,
    db: DbDep,
    date_from: DateFrom = None,
    date_to: DateTo = None,
) -> Response:
    """One metric's points whose period starts within [from, to] (by default the last 90 days)."""
    _known(metric_key)
    start, end = _window(date_from, date_to)
    data = series(db, principal.organization_id, metric_key, start, end)
    return cached_json(request, {**data, "from": start.isoformat(), "to": end.isoformat()})


@router.get("/export/{metric_key}", openapi_extra=role("analyst"))
def export_metric(
    metric_key: str, principal: Analyst, db: DbDep, date_from: DateFrom = None, date_to: DateTo = None
) -> Response:
    """A metric's series as CSV (analysts and admins)."""
    _known(metric_key)
    start, end = _window(date_from, date_to)
    data = series(db, principal.organization_id, metric_key, start, end)
    dims = [d.key for d in METRICS[metric_key].dimensions]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["period_start", *dims, "value"])
    for p in data["points"]:
        writer.writerow([p["period_start"], *[p["dimensions"][d] for d in dims], p["value"]])
    # archgen:control data-export-audited
    audit.record(
        db,
        organization_id=principal.organization_id,
        actor_user_id=principal.user_id,
        action="data.export",
        target=f"metric:{metric_key}",
        detail={"from": start.isoformat(), "to": end.isoformat()},
        ip=principal.ip,
    )
    db.commit()
    return Response(
        out.getvalue(),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{metric_key}.csv"'},
    )
