"""The dashboard API: reads only the pre-aggregated metric tables."""

import csv
import datetime as dt
import io
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Response, status

from app.api.deps import Analyst, DbDep, Viewer, role
from app.catalog import METRICS
from app.services import audit
from app.services.metrics_reader import latest, series

router = APIRouter(prefix="/api/dashboard", tags=["dashboard"])

DateFrom = Annotated[dt.date | None, Query(alias="from")]
DateTo = Annotated[dt.date | None, Query(alias="to")]


CATALOG = [
    {
        "key": spec.key,
        "name": spec.name,
        "grain": spec.grain,
        "measure": spec.measure,
        "value_type": spec.value_type,
        "dimensions": [d.key for d in spec.dimensions],
    }
    for spec in METRICS.values()
]


def _known(metric_key: str) -> None:
    if metric_key not in METRICS:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such metric")


@router.get("/metrics", openapi_extra=role("viewer"))
def metrics_overview(principal: Viewer, db: DbDep) -> dict[str, Any]:
    """The latest period of every metric, and what each metric is."""
    return {"metrics": latest(db, principal.organization_id), "catalog": CATALOG}


@router.get("/metrics/{metric_key}", openapi_extra=role("viewer"))
def metric_series(
    metric_key: str, principal: Viewer, db: DbDep, date_from: DateFrom = None, date_to: DateTo = None
) -> dict[str, Any]:
    """One metric's points whose period starts within [from, to]."""
    _known(metric_key)
    return series(db, principal.organization_id, metric_key, date_from, date_to)


@router.get("/export/{metric_key}", openapi_extra=role("analyst"))
def export_metric(
    metric_key: str, principal: Analyst, db: DbDep, date_from: DateFrom = None, date_to: DateTo = None
) -> Response:
    """A metric's series as CSV (analysts and admins)."""
    _known(metric_key)
    data = series(db, principal.organization_id, metric_key, date_from, date_to)
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
        detail={"from": str(date_from) if date_from else None, "to": str(date_to) if date_to else None},
        ip=principal.ip,
    )
    db.commit()
    return Response(
        out.getvalue(),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{metric_key}.csv"'},
    )
