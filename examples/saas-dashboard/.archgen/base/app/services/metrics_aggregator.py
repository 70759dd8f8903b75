"""Recomputes the metric tables from their source tables.

Each metric is one set-based statement per run:

    DELETE FROM <metric> WHERE period_start in the affected periods;
    INSERT INTO <metric> (organization_id, period_start, <dims>, value)
    SELECT organization_id, <period start>, <dims>, <measure>
    FROM <source> WHERE <conditions> AND <time in the affected periods>
    GROUP BY organization_id, <period start>, <dims>;

Periods are UTC days, ISO weeks (starting Monday) or calendar months. A
period overlapping the requested range is recomputed whole, so re-running
a range is idempotent. Works on SQLite and PostgreSQL.
"""

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    Date,
    Double,
    and_,
    cast,
    delete,
    distinct,
    func,
    insert,
    literal_column,
    select,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from app.catalog import ENTITIES, METRICS, MetricSpec
from app.models import ENTITY_MODELS, METRIC_MODELS
from app.services.values import literal

GRAINS = ("day", "week", "month")


def period_start(day: dt.date, grain: str) -> dt.date:
    """The first day of the period holding `day`."""
    if grain == "day":
        return day
    if grain == "week":
        return day - dt.timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    raise ValueError(f"unknown grain {grain!r}")


def next_period(start: dt.date, grain: str) -> dt.date:
    """The first day of the period after the one starting at `start`."""
    if grain == "day":
        return start + dt.timedelta(days=1)
    if grain == "week":
        return start + dt.timedelta(days=7)
    if start.month == 12:
        return dt.date(start.year + 1, 1, 1)
    return dt.date(start.year, start.month + 1, 1)


def _period_expr(dialect: str, column: Any, kind: str, grain: str) -> ColumnElement[Any]:
    # Literal SQL for the constant arguments (never bound parameters), so that
    # PostgreSQL sees the same expression in SELECT and GROUP BY.
    if dialect == "sqlite":
        if grain == "day":
            return func.date(column)
        if grain == "week":
            return func.date(column, literal_column("'weekday 0'"), literal_column("'-6 days'"))
        return func.date(column, literal_column("'start of month'"))
    if dialect == "postgresql":
        local = column if kind == "date" else func.timezone(literal_column("'UTC'"), column)
        if grain == "day":
            return cast(local, Date)
        return cast(func.date_trunc(literal_column(f"'{grain}'"), local), Date)
    raise RuntimeError(f"aggregation supports SQLite and PostgreSQL, not {dialect}")


def _condition(model: Any, spec: MetricSpec, op: str, field: str, values: tuple[object, ...]) -> ColumnElement[bool]:
    column = getattr(model, ENTITIES[spec.source].field(field).attr)
    kind = ENTITIES[spec.source].field(field).kind
    lits = [literal(kind, v) for v in values]
    if op == "is null":
        return column.is_(None)
    if op == "is not null":
        return column.is_not(None)
    if op == "in":
        return column.in_(lits)
    value = lits[0]
    if op == "=":
        return column == value
    if op == "!=":
        return column != value
    if op == ">":
        return column > value
    if op == ">=":
        return column >= value
    if op == "<":
        return column < value
    if op == "<=":
        return column <= value
    raise ValueError(f"unknown operator {op!r}")


def _measure(model: Any, spec: MetricSpec) -> ColumnElement[Any]:
    if spec.measure == "count":
        return func.count()
    column = getattr(model, ENTITIES[spec.source].field(spec.field or "").attr)
    if spec.measure == "count_distinct":
        return func.count(distinct(column))
    if spec.measure == "sum":
        return func.sum(column)
    if spec.measure == "avg":
        return func.avg(cast(column, Double()))
    if spec.measure == "min":
        return func.min(column)
    if spec.measure == "max":
        return func.max(column)
    raise ValueError(f"unknown measure {spec.measure!r}")


def _bound(kind: str, day: dt.date) -> Any:
    if kind == "date":
        return day
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def aggregate_metric(
    db: Session,
    key: str,
    date_from: dt.date,
    date_to: dt.date,
    organization_id: uuid.UUID | None = None,
) -> tuple[dt.date, dt.date]:
    """Recomputes metric `key` for every period overlapping [date_from, date_to].

    Returns the first and last period start recomputed. The caller commits.
    """
    spec = METRICS[key]
    source = ENTITY_MODELS[spec.source]
    target = METRIC_MODELS[key]
    source_spec = ENTITIES[spec.source]
    time_field = source_spec.field(spec.time_field)
    time_col = getattr(source, time_field.attr)
    first = period_start(date_from, spec.grain)
    last = period_start(date_to, spec.grain)
    end = next_period(last, spec.grain)
    dialect = db.get_bind().dialect.name

    # archgen:control metrics-idempotent
    wipe = delete(target).where(target.period_start >= first, target.period_start <= last)
    if organization_id is not None:
        wipe = wipe.where(target.organization_id == organization_id)
    db.execute(wipe)

    period = _period_expr(dialect, time_col, time_field.kind, spec.grain).label("period_start")
    dims = [
        getattr(source, source_spec.field(d.key).attr).label(d.column) for d in spec.dimensions
    ]
    filters: list[ColumnElement[bool]] = [
        time_col.is_not(None),
        time_col >= _bound(time_field.kind, first),
        time_col < _bound(time_field.kind, end),
    ]
    filters += [_condition(source, spec, c.op, c.field, c.values) for c in spec.conditions]
    if organization_id is not None:
        filters.append(source.organization_id == organization_id)
    query = (
        select(source.organization_id, period, *dims, _measure(source, spec).label("value"))
        .where(and_(*filters))
        .group_by(source.organization_id, period, *dims)
    )
    columns = [
        target.__table__.c.organization_id,
        target.__table__.c.period_start,
        *[target.__table__.c[d.column] for d in spec.dimensions],
        target.__table__.c.value,
    ]
    db.execute(insert(target).from_select(columns, query))
    return first, last


def aggregate(
    db: Session,
    date_from: dt.date,
    date_to: dt.date,
    keys: Iterable[str] | None = None,
    organization_id: uuid.UUID | None = None,
) -> dict[str, tuple[dt.date, dt.date]]:
    """Recomputes the given metrics (all by default) and commits."""
    if date_to < date_from:
        raise ValueError("--to is before --from")
    done: dict[str, tuple[dt.date, dt.date]] = {}
    for key in keys if keys is not None else METRICS:
        done[key] = aggregate_metric(db, key, date_from, date_to, organization_id)
    db.commit()
    return done
