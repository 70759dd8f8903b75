"""Reads the metric tables (never the raw data) for the dashboard API.

A series covers a window of periods: by default the DEFAULT_WINDOW_DAYS
days up to today, at most SERIES_MAX_DAYS days. Series answers carry an
ETag and `Cache-Control: private, no-cache`: a client asks again with
If-None-Match and gets 304 when nothing changed.
"""

import datetime as dt
import hashlib
import uuid
from typing import Any

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.catalog import METRICS, MetricSpec
from app.core.config import get_settings
from app.core.db import utcnow
from app.models import METRIC_MODELS
from app.services.values import to_json


def _value(spec: MetricSpec, value: Any) -> int | float | None:
    if value is None:
        return None
    if spec.value_type == "integer":
        return int(value)
    return float(value)


def _dims(spec: MetricSpec, row: Any) -> dict[str, Any]:
    return {d.key: to_json(getattr(row, d.attr)) for d in spec.dimensions}


def _order(point: dict[str, Any]) -> tuple[Any, ...]:
    # Periods, then dimension values with nulls first, the same on every database.
    dims = tuple((v is not None, str(v) if v is not None else "") for v in point["dimensions"].values())
    return (point["period_start"], dims)


def series(
    db: Session,
    organization_id: uuid.UUID,
    key: str,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> dict[str, Any]:
    """Points of one metric whose period starts within [date_from, date_to]."""
    # archgen:control tenant-scoped-reads
    spec = METRICS[key]
    model = METRIC_MODELS[key]
    query = select(model).where(model.organization_id == organization_id)
    if date_from is not None:
        query = query.where(model.period_start >= date_from)
    if date_to is not None:
        query = query.where(model.period_start <= date_to)
    points = [
        {
            "period_start": to_json(row.period_start),
            "value": _value(spec, row.value),
            "dimensions": _dims(spec, row),
        }
        for row in db.scalars(query)
    ]
    points.sort(key=_order)
    return {"metric": key, "grain": spec.grain, "points": points}


def latest(db: Session, organization_id: uuid.UUID, keys: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
    """The latest period of each metric (one entry per dimension values)."""
    out: list[dict[str, Any]] = []
    for key in keys if keys is not None else tuple(METRICS):
        spec = METRICS[key]
        model = METRIC_MODELS[key]
        newest = db.scalar(
            select(func.max(model.period_start)).where(model.organization_id == organization_id)
        )
        if newest is None:
            continue
        rows = db.scalars(
            select(model).where(model.organization_id == organization_id, model.period_start == newest)
        )
        points = [
            {
                "metric": key,
                "grain": spec.grain,
                "period_start": to_json(row.period_start),
                "value": _value(spec, row.value),
                "dimensions": _dims(spec, row),
            }
            for row in rows
        ]
        points.sort(key=_order)
        out.extend(points)
    return out


DEFAULT_WINDOW_DAYS = 90


class BadWindow(ValueError):
    pass


def window(date_from: dt.date | None, date_to: dt.date | None, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The [from, to] a series covers: the last DEFAULT_WINDOW_DAYS days unless said, at most SERIES_MAX_DAYS."""
    to = date_to or (date_from + dt.timedelta(days=DEFAULT_WINDOW_DAYS - 1) if date_from else None) or today or utcnow().date()
    start = date_from or to - dt.timedelta(days=DEFAULT_WINDOW_DAYS - 1)
    if start > to:
        raise BadWindow("from is after to")
    longest = get_settings().SERIES_MAX_DAYS
    if (to - start).days + 1 > longest:
        raise BadWindow(f"at most {longest} days per request")
    return start, to


def cached_json(request: Request, data: Any) -> Response:
    """`data` as JSON with an ETag; 304 when the client holds it already."""
    # archgen:control series-etag
    body = JSONResponse(data).body
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
    wanted = [t.strip() for t in request.headers.get("if-none-match", "").split(",")]
    if etag in wanted or "*" in wanted:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)
