"""Reads the metric tables (never the raw data) for the dashboard API.

A series covers a window of periods: by default the DEFAULT_WINDOW_DAYS
days up to today, at most SERIES_MAX_DAYS days. Series answers carry an
ETag and `Cache-Control: private, no-cache`: a client asks again with
If-None-Match and gets 304 when nothing changed.

Besides the points every metric has, a cohort metric's series carries its
retention table (`cohorts`) and a funnel's its step list (`funnel`); the
shapes are the pydantic models below, published in the OpenAPI document.
"""

import datetime as dt
import hashlib
import uuid
from typing import Any

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.catalog import METRICS, Condition, MetricSpec
from app.core.config import get_settings
from app.core.db import utcnow
from app.models import METRIC_MODELS
from app.services.metrics_aggregator import next_period, period_start
from app.services.values import to_json


def _value(spec: MetricSpec, value: Any) -> int | float | None:
    if value is None:
        return None
    if spec.value_type == "integer":
        return int(value)
    return float(value)


def _dims(spec: MetricSpec, row: Any) -> dict[str, Any]:
    return {d.key: to_json(getattr(row, d.attr)) for d in spec.dimensions}


class Point(BaseModel):
    period_start: dt.date
    value: float | int | None = Field(description="null where the value is undefined (a ratio over 0)")
    dimensions: dict[str, Any] = Field(
        description="the metric's dimensions; a cohort's period_offset (-1: the cohort's size) and a funnel's step too"
    )


class Cohort(BaseModel):
    cohort_start: dt.date = Field(description="the period the members' first qualifying row fell in")
    dimensions: dict[str, Any]
    size: int = Field(description="members of the cohort")
    retained: list[int | None] = Field(
        description="members active 0, 1, … N periods after the cohort's start (null: that period has not begun)"
    )
    shares: list[float | None] = Field(description="retained / size, per offset")


class FunnelStep(BaseModel):
    step: int = Field(description="1 for the first step")
    label: str
    actors: int = Field(description="actors who reached the step, in order, within the window")
    conversion: float | None = Field(description="actors / the previous step's actors (1 for the first step)")
    of_first: float | None = Field(description="actors / the first step's actors")


class Funnel(BaseModel):
    period_start: dt.date = Field(description="the period the actors' first step fell in")
    dimensions: dict[str, Any]
    steps: list[FunnelStep]


class Series(BaseModel):
    metric: str
    kind: str = Field(description="simple, ratio, rolling, snapshot, cohort or funnel")
    grain: str
    points: list[Point]
    cohorts: list[Cohort] | None = Field(None, description="cohort metrics: the retention table")
    funnel: list[Funnel] | None = Field(None, description="funnel metrics: the steps per period")


def condition_text(conditions: tuple[Condition, ...]) -> str:
    """A funnel step as a person reads it: `name = signup and plan = pro`."""
    parts = []
    for c in conditions:
        if c.op in ("is null", "is not null"):
            parts.append(f"{c.field} {c.op}")
        elif c.op == "in":
            parts.append(f"{c.field} in ({', '.join(str(v) for v in c.values)})")
        else:
            parts.append(f"{c.field} {c.op} {c.values[0]}")
    return " and ".join(parts)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _cohorts(spec: MetricSpec, points: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The retention table: one row per cohort (and dimensions), counts and shares per offset."""
    derived = next(d.key for d in spec.dimensions if d.derived)
    table: dict[tuple[Any, ...], dict[str, Any]] = {}
    for p in points:
        dims = {k: v for k, v in p["dimensions"].items() if k != derived}
        key = (p["period_start"], *[str(v) for v in dims.values()])
        row = table.setdefault(
            key,
            {"cohort_start": p["period_start"], "dimensions": dims, "size": 0, "retained": [0] * ((spec.periods or 0) + 1)},
        )
        offset = int(p["dimensions"][derived])
        if offset < 0:
            row["size"] = int(p["value"] or 0)
        elif offset < len(row["retained"]):
            row["retained"][offset] = int(p["value"] or 0)
    today = utcnow().date()
    for row in table.values():
        start = dt.date.fromisoformat(row["cohort_start"])
        for k in range(len(row["retained"])):
            if start > today:
                row["retained"][k] = None
            start = next_period(start, spec.grain)
        row["shares"] = [_share(n, row["size"]) if n is not None else None for n in row["retained"]]
    return list(table.values())


def _funnel(spec: MetricSpec, points: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The step list per period (and dimensions): actors per step and the conversions."""
    derived = next(d.key for d in spec.dimensions if d.derived)
    periods: dict[tuple[Any, ...], dict[str, Any]] = {}
    for p in points:
        dims = {k: v for k, v in p["dimensions"].items() if k != derived}
        key = (p["period_start"], *[str(v) for v in dims.values()])
        entry = periods.setdefault(key, {"period_start": p["period_start"], "dimensions": dims, "counts": {}})
        entry["counts"][int(p["dimensions"][derived])] = int(p["value"] or 0)
    out = []
    for entry in periods.values():
        counts = entry.pop("counts")
        first = counts.get(1, 0)
        steps = []
        for j, conditions in enumerate(spec.steps, start=1):
            n = counts.get(j, 0)
            previous = counts.get(j - 1, 0) if j > 1 else n
            steps.append(
                {
                    "step": j,
                    "label": condition_text(conditions),
                    "actors": n,
                    "conversion": _share(n, previous),
                    "of_first": _share(n, first),
                }
            )
        out.append({**entry, "steps": steps})
    return out


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
    out: dict[str, Any] = {"metric": key, "kind": spec.kind, "grain": spec.grain, "points": points}
    if spec.kind == "cohort":
        out["cohorts"] = _cohorts(spec, points)
    elif spec.kind == "funnel":
        out["funnel"] = _funnel(spec, points)
    return out


def latest(db: Session, organization_id: uuid.UUID, keys: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
    """The latest period of each metric (one entry per dimension values).

    Each entry has `previous`: the value of the period just before, with the
    same dimensions (null when that period has no row), for the change a
    card shows.
    """
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
        before = period_start(newest - dt.timedelta(days=1), spec.grain)
        earlier = db.scalars(
            select(model).where(model.organization_id == organization_id, model.period_start == before)
        )
        previous = {repr(sorted(_dims(spec, r).items(), key=str)): _value(spec, r.value) for r in earlier}
        points = [
            {
                "metric": key,
                "grain": spec.grain,
                "period_start": to_json(row.period_start),
                "value": _value(spec, row.value),
                "dimensions": _dims(spec, row),
                "previous": previous.get(repr(sorted(_dims(spec, row).items(), key=str))),
                "previous_period_start": to_json(before),
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
