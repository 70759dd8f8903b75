"""Recomputes the metric tables from their source tables.

A run recomputes whole periods (UTC days, ISO weeks starting on Monday,
calendar months) with set-based SQL, a fixed few statements per metric:

    DELETE FROM <metric> WHERE <the periods>;
    INSERT INTO <metric> (organization_id, period_start, <dims>, value)
    SELECT organization_id, <period start>, <dims>, <measure>
    FROM <source> WHERE <conditions> AND <time within the periods>
    GROUP BY organization_id, <period start>, <dims>;

Weekly and monthly metrics whose measure combines from days (count, sum,
min, max, avg) keep daily partial aggregates (`<metric>__daily`): a run
recomputes the touched days from the source, then the touched weeks or
months from at most 31 daily rows each. count_distinct per week or month
reads the period's source rows (distinct values do not add up).

Which periods:

- a scheduled run (`run_scheduled`, what `python -m app.jobs.aggregate`
  without a range and the worker do) claims the aggregation queue (each
  (organization, day) that rows ingested since the last run fall into,
  whatever their timestamps: a row 40 days late requeues its day, and so its
  week and month) and adds the current day. Its cost follows the rows that
  arrived, not the history stored;
- a backfill (`aggregate(date_from, date_to)`) takes every period that
  overlaps the range, whole, for every organization;
- either recomputes a metric whole, from all its source rows, when its
  definition differs from the one it was last computed with (metric_state):
  after a blueprint change, or the first time.

Each metric is recomputed in its own transaction, which holds that metric's
lock (PostgreSQL: an advisory lock; SQLite: BEGIN IMMEDIATE). Claims are
deleted in the transaction that writes the new values, so a run that fails
or is killed leaves them for the next. Runs of one metric wait for each
other, and a unique key on (organization, period, dimensions) holds in any
case: however runs overlap, the tables end exact, with no period twice.
Every run is recorded in job_runs. Works on SQLite and PostgreSQL.

The other kinds (app/services/metric_kinds.py) recompute what a new row can
change, which reaches past its own period:

- rolling (N days per day): the claimed days and the N-1 days after each, up
  to today, and every day since the metric was last computed;
- snapshot and churn: the periods from a claimed row's start to the current
  one, and every period since the metric was last computed;
- ratio: the periods its numerator and denominator were recomputed for in
  the same run (they run first) and the current one;
- cohort: every cohort of the organization from N periods before the claimed
  period on (a row may move an actor to an earlier cohort, or count in a
  cohort up to N periods older); funnel: every period from N days before the
  claimed day on.
"""

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    Date,
    Double,
    and_,
    case,
    cast,
    delete,
    distinct,
    func,
    insert,
    literal_column,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.sql.elements import ColumnElement

from app.catalog import ENTITIES, METRICS, MetricSpec
from app.core.db import serialized, utcnow
from app.core.tables import AggregationQueue, JobRun, MetricState
from app.models import DAILY_MODELS, ENTITY_MODELS, METRIC_MODELS
from app.services.metric_kinds import END_OF_TIME, RECOMPUTE
from app.services.values import literal

GRAINS = ("day", "week", "month")
# Changes when the way values are computed changes, so that stored tables
# are recomputed whole once.
COMPUTATION_VERSION = "3"
# Bound parameters per statement, well under SQLite's and PostgreSQL's limits.
MAX_PARAMS = 2000


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


def utc_day(value: dt.date | dt.datetime) -> dt.date:
    """The UTC calendar day of a date or timestamp (naive timestamps are UTC)."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return value.date()
    return value


@dataclass(frozen=True)
class Span:
    """Consecutive periods [first, end) of some organizations (None: all)."""

    first: dt.date
    end: dt.date
    organizations: frozenset[uuid.UUID] | None = None

    def cost(self) -> int:
        return 2 + (len(self.organizations) if self.organizations is not None else 0)


def spans_for_claims(
    grain: str, claims: Iterable[tuple[uuid.UUID, dt.date]], current: dt.date | None
) -> list[Span]:
    """The periods to recompute: each claimed (organization, day) and the current period.

    Consecutive periods with the same organizations make one span.
    """
    by_period: dict[dt.date, set[uuid.UUID] | None] = {}
    for organization_id, day in claims:
        _mark(by_period, period_start(day, grain), organization_id)
    if current is not None:
        by_period[period_start(current, grain)] = None
    return _merged(by_period, grain)


def _mark(by_period: dict[dt.date, set[uuid.UUID] | None], start: dt.date, organization_id: uuid.UUID) -> None:
    orgs = by_period.setdefault(start, set())
    if orgs is not None:
        orgs.add(organization_id)


def _merged(by_period: dict[dt.date, set[uuid.UUID] | None], grain: str) -> list[Span]:
    """Spans of the periods, consecutive ones with the same organizations merged."""
    spans: list[Span] = []
    for start in sorted(by_period):
        orgs = by_period[start]
        frozen = frozenset(orgs) if orgs is not None else None
        last = spans[-1] if spans else None
        if last is not None and last.end == start and last.organizations == frozen:
            spans[-1] = Span(last.first, next_period(start, grain), frozen)
        else:
            spans.append(Span(start, next_period(start, grain), frozen))
    return spans


def _periods(first: dt.date, last: dt.date, grain: str) -> Iterator[dt.date]:
    """The period starts from the period of `first` to that of `last`."""
    start, end = period_start(first, grain), period_start(last, grain)
    while start <= end:
        yield start
        start = next_period(start, grain)


def spans_for_kind(
    spec: MetricSpec,
    claims: Iterable[tuple[uuid.UUID, dt.date]],
    current: dt.date,
    since: dt.date | None,
) -> list[Span]:
    """What a scheduled run recomputes for a metric of another kind than simple.

    `claims`: the (organization, day) of the rows ingested since; `since`:
    the day the metric was last computed.
    """
    grain = spec.grain
    since = min(since or current, current)
    by_period: dict[dt.date, set[uuid.UUID] | None] = {}
    earliest: dict[uuid.UUID, dt.date] = {}
    for organization_id, day in claims:
        earliest[organization_id] = min(day, earliest.get(organization_id, day))
    if spec.kind == "rolling":
        window = dt.timedelta(days=(spec.window_days or 1) - 1)
        for organization_id, day in set(claims):
            for start in _periods(day, min(day + window, current), "day"):
                _mark(by_period, start, organization_id)
    elif spec.kind == "snapshot":
        for organization_id, day in earliest.items():
            for start in _periods(day, current, grain):
                _mark(by_period, start, organization_id)
    elif spec.kind in ("cohort", "funnel"):
        by_lower: dict[dt.date, set[uuid.UUID]] = {}
        for organization_id, day in earliest.items():
            if spec.kind == "cohort":
                lower = period_start(day, grain)
                for _ in range(spec.periods or 0):
                    lower = period_start(lower - dt.timedelta(days=1), grain)
            else:
                lower = period_start(day - dt.timedelta(days=spec.within_days or 0), grain)
            by_lower.setdefault(lower, set()).add(organization_id)
        return [Span(lower, END_OF_TIME, frozenset(orgs)) for lower, orgs in sorted(by_lower.items())]
    else:
        return spans_for_claims(grain, claims, current)
    # Time alone changes these: every period since the last computation.
    for start in _periods(since, current, grain):
        by_period[start] = None
    return _merged(by_period, grain)


def _chunks(spans: list[Span]) -> Iterator[list[Span]]:
    chunk: list[Span] = []
    cost = 0
    for span in spans:
        if chunk and cost + span.cost() > MAX_PARAMS:
            yield chunk
            chunk, cost = [], 0
        chunk.append(span)
        cost += span.cost()
    if chunk:
        yield chunk


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


def _measured(model: Any, spec: MetricSpec) -> Any:
    """The measured field, divided as the definition says (`sum(amount / months)`)."""
    column = getattr(model, ENTITIES[spec.source].field(spec.field or "").attr)
    if spec.divisor_field:
        divisor = getattr(model, ENTITIES[spec.source].field(spec.divisor_field).attr)
        return cast(column, Double()) / func.nullif(divisor, 0)
    if spec.divisor_number:
        return cast(column, Double()) / literal_column(repr(float(spec.divisor_number)))
    return column


def _measure(model: Any, spec: MetricSpec) -> ColumnElement[Any]:
    if spec.measure == "count":
        return func.count()
    column = _measured(model, spec)
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


def _within(spans: list[Span] | None, column: Any, org_column: Any, bound: Any) -> ColumnElement[bool]:
    """The rows of `column` (a period start, a day or a timestamp) inside the spans (None: all)."""
    if spans is None:
        return true()
    parts = []
    for s in spans:
        part = [column >= bound(s.first), column < bound(s.end)]
        if s.organizations is not None:
            part.append(org_column.in_(sorted(s.organizations)))
        parts.append(and_(*part))
    return or_(*parts)


def _source_query(spec: MetricSpec, dialect: str, grain: str, spans: list[Span] | None, measures: list[Any]) -> Any:
    """SELECT organization_id, <period start at grain>, <dims>, *measures FROM source … GROUP BY."""
    source = ENTITY_MODELS[spec.source]
    source_spec = ENTITIES[spec.source]
    time_field = source_spec.field(spec.time_field)
    time_col = getattr(source, time_field.attr)
    period = _period_expr(dialect, time_col, time_field.kind, grain)
    dims = [getattr(source, source_spec.field(d.key).attr) for d in spec.dimensions]
    conditions = [_condition(source, spec, c.op, c.field, c.values) for c in spec.conditions]
    within = _within(spans, time_col, source.organization_id, lambda d: _bound(time_field.kind, d))
    return (
        select(source.organization_id, period, *dims, *measures)
        .where(and_(time_col.is_not(None), within, *conditions))
        .group_by(source.organization_id, period, *dims)
    )


def _partials(spec: MetricSpec) -> list[Any]:
    """(total, n) of a day, per measure."""
    source = ENTITY_MODELS[spec.source]
    if spec.measure == "count":
        return [cast(None, BigInteger), func.count()]
    column = _measured(source, spec)
    total = {
        "sum": func.sum(column),
        "min": func.min(column),
        "max": func.max(column),
        "avg": func.sum(cast(column, Double())),
    }[spec.measure]
    return [total, func.count(column)]


def _combined(spec: MetricSpec, daily: Any) -> Any:
    """The period's value from its days' partials."""
    if spec.measure == "count":
        return func.sum(daily.c.n)
    if spec.measure == "sum":
        return func.sum(daily.c.total)
    if spec.measure == "min":
        return func.min(daily.c.total)
    if spec.measure == "max":
        return func.max(daily.c.total)
    # avg: the sum of the days' sums over the sum of their counts.
    n = func.sum(daily.c.n)
    return case((n > 0, cast(func.sum(daily.c.total), Double()) / cast(n, Double())), else_=None)


def recompute(
    conn: Connection,
    key: str,
    spans: list[Span] | None,
    days: list[Span] | None = None,
    today: dt.date | None = None,
) -> None:
    """Replaces metric `key`'s rows of the spans (None: all) with values from its source.

    `days` (for metrics with daily partials): the days whose partials are
    recomputed from the source first; the spans are then combined from the
    partials. By default the spans' own days. `today` (UTC, by default the
    clock's) bounds the periods that rolling and snapshot metrics compute.
    """
    if spans is not None and not spans:
        return
    spec = METRICS[key]
    if spec.kind != "simple":
        for chunk in _chunks(spans) if spans is not None else [None]:
            RECOMPUTE[spec.kind](conn, key, chunk, today or utcnow().date())
        return
    target = METRIC_MODELS[key].__table__
    dialect = conn.dialect.name
    dim_columns = [d.column for d in spec.dimensions]
    daily_model = DAILY_MODELS.get(key)
    if daily_model is not None:
        daily = daily_model.__table__
        day_spans = spans if days is None else days
        for chunk in _chunks(day_spans) if day_spans is not None else [None]:
            conn.execute(delete(daily).where(_within(chunk, daily.c.day, daily.c.organization_id, lambda d: d)))
            query = _source_query(spec, dialect, "day", chunk, _partials(spec))
            columns = [daily.c.organization_id, daily.c.day, *[daily.c[c] for c in dim_columns], daily.c.total, daily.c.n]
            conn.execute(insert(daily).from_select(columns, query))
    for chunk in _chunks(spans) if spans is not None else [None]:
        # archgen:control metrics-idempotent
        conn.execute(
            delete(target).where(_within(chunk, target.c.period_start, target.c.organization_id, lambda d: d))
        )
        columns = [target.c.organization_id, target.c.period_start, *[target.c[c] for c in dim_columns], target.c.value]
        if daily_model is None:
            query = _source_query(spec, dialect, spec.grain, chunk, [_measure(ENTITY_MODELS[spec.source], spec)])
        else:
            daily = daily_model.__table__
            period = _period_expr(dialect, daily.c.day, "date", spec.grain)
            dims = [daily.c[c] for c in dim_columns]
            query = (
                select(daily.c.organization_id, period, *dims, _combined(spec, daily))
                .where(_within(chunk, daily.c.day, daily.c.organization_id, lambda d: d))
                .group_by(daily.c.organization_id, period, *dims)
            )
        conn.execute(insert(target).from_select(columns, query))


def definition(key: str) -> str:
    """A fingerprint of how metric `key` is computed."""
    return hashlib.sha256(f"{COMPUTATION_VERSION}:{METRICS[key]!r}".encode()).hexdigest()


def _rebuild_if_redefined(conn: Connection, key: str, today: dt.date | None = None) -> bool:
    """Recomputes the metric whole when its definition is not the one stored; True if it did."""
    state = MetricState.__table__
    wanted = definition(key)
    stored = conn.execute(select(state.c.definition).where(state.c.metric == key)).scalar()
    if stored == wanted:
        return False
    recompute(conn, key, None, today=today)
    now = utcnow()
    conn.execute(delete(state).where(state.c.metric == key))
    conn.execute(insert(state).values(metric=key, definition=wanted, rebuilt_at=now, computed_at=now))
    return True


def metrics_of(keys: Iterable[str] | None) -> list[str]:
    """The metric keys asked for (all by default), each once, ratios after the metrics they divide."""
    wanted = set(METRICS) if keys is None else set(keys)
    unknown = wanted - set(METRICS)
    if unknown:
        raise ValueError(f"unknown metric(s): {', '.join(sorted(unknown))}")
    ordered = [k for k in METRICS if k in wanted]
    return [k for k in ordered if METRICS[k].kind != "ratio"] + [k for k in ordered if METRICS[k].kind == "ratio"]


# Source entity -> the fields its metrics count time by.
TIME_FIELDS: dict[str, tuple[str, ...]] = {}
for _spec in METRICS.values():
    if _spec.kind == "ratio":
        continue
    if _spec.time_field not in TIME_FIELDS.setdefault(_spec.source, ()):
        TIME_FIELDS[_spec.source] += (_spec.time_field,)


def enqueue(
    conn: Any, entity: str, organization_id: uuid.UUID, times: Mapping[str, Iterable[dt.date | dt.datetime | None]]
) -> int:
    """Queues, for every metric over `entity`, the days the new rows fall into.

    `times`: for each field of TIME_FIELDS[entity], the new rows' values.
    Runs in the caller's transaction (a Session or a Connection), so the
    rows and their queue entries are committed together. Returns the number
    of queue entries.
    """
    # archgen:control late-data
    now = utcnow()
    days = {field: {utc_day(v) for v in values if v is not None} for field, values in times.items()}
    entries = [
        {"metric": key, "organization_id": organization_id, "day": day, "queued_at": now}
        for key, spec in METRICS.items()
        if spec.source == entity and spec.kind != "ratio"
        for day in sorted(days.get(spec.time_field, ()))
    ]
    if entries:
        conn.execute(insert(AggregationQueue.__table__), entries)
    return len(entries)


@dataclass
class RunResult:
    run_id: int
    # Metric key -> (first period start, last period start) recomputed, or None.
    periods: dict[str, tuple[dt.date, dt.date] | None]
    claimed: int
    watermark: int | None


def _start_run(bind: Engine | None, job: str) -> int:
    with serialized(f"job-runs:{job}", bind) as conn:
        run_id = conn.execute(
            insert(JobRun.__table__)
            .values(job=job, started_at=utcnow(), status="running", periods=0)
            .returning(JobRun.__table__.c.id)
        ).scalar_one()
    return int(run_id)


def _finish_run(bind: Engine | None, run_id: int, status: str, result: RunResult, detail: str | None) -> None:
    periods = sum(1 for v in result.periods.values() if v is not None)
    with serialized(f"job-runs:{run_id}", bind) as conn:
        conn.execute(
            update(JobRun.__table__)
            .where(JobRun.__table__.c.id == run_id)
            .values(
                finished_at=utcnow(),
                status=status,
                watermark=result.watermark,
                periods=periods,
                detail=detail[:2000] if detail else None,
            )
        )


def _bounds(spans: list[Span], grain: str, today: dt.date) -> tuple[dt.date, dt.date] | None:
    if not spans:
        return None
    last_end = min(max(s.end for s in spans), next_period(period_start(today, grain), grain))
    return min(s.first for s in spans), period_start(last_end - dt.timedelta(days=1), grain)


def _last_computed(conn: Connection, key: str) -> dt.date | None:
    """The UTC day metric `key` was last computed (None: never)."""
    state = MetricState.__table__
    at = conn.execute(select(state.c.computed_at).where(state.c.metric == key)).scalar()
    return utc_day(at) if at is not None else None


def _run(job: str, keys: list[str], plan: Any, bind: Engine | None, today: dt.date) -> RunResult:
    """Per metric, under its lock: recompute it whole if redefined, then what `plan` says.

    `plan(conn, key, done) -> (period spans, day spans or None, claimed queue ids)`;
    `done`: the spans recomputed so far in this run, per metric (None: whole).
    """
    result = RunResult(run_id=_start_run(bind, job), periods={}, claimed=0, watermark=None)
    done: dict[str, list[Span] | None] = {}
    try:
        for key in keys:
            # archgen:control metrics-serialised
            with serialized(f"metric:{key}", bind) as conn:
                spans, days, ids = plan(conn, key, done)
                if _rebuild_if_redefined(conn, key, today):
                    done[key] = None
                else:
                    recompute(conn, key, spans, days, today)
                    done[key] = spans
                    state = MetricState.__table__
                    conn.execute(update(state).where(state.c.metric == key).values(computed_at=utcnow()))
            result.periods[key] = _bounds(spans, METRICS[key].grain, today) if spans is not None else None
            result.claimed += len(ids)
            if ids:
                result.watermark = max([result.watermark or 0, *ids])
    except BaseException as exc:
        _finish_run(bind, result.run_id, "failed", result, f"{type(exc).__name__}: {exc}")
        raise
    _finish_run(bind, result.run_id, "succeeded", result, None)
    return result


def run_scheduled(
    keys: Iterable[str] | None = None,
    *,
    job: str = "scheduled",
    today: dt.date | None = None,
    bind: Engine | None = None,
) -> RunResult:
    """Recomputes every queued day's periods and the current ones, metric by metric."""
    selected = metrics_of(keys)
    current = today or utcnow().date()
    queue = AggregationQueue.__table__

    def plan(
        conn: Connection, key: str, done: dict[str, list[Span] | None]
    ) -> tuple[list[Span] | None, list[Span] | None, list[int]]:
        spec = METRICS[key]
        if spec.kind == "ratio":
            inputs = [done[k] for k in (spec.numerator or "", spec.denominator or "") if k in done]
            if any(s is None for s in inputs):
                return None, None, []
            return [*spans_for_claims(spec.grain, [], current), *(s for part in inputs for s in part or [])], None, []
        # Claiming is deleting: in this transaction, so a failure puts them back.
        claimed = conn.execute(
            delete(queue).where(queue.c.metric == key).returning(queue.c.id, queue.c.organization_id, queue.c.day)
        ).all()
        claims = [(row.organization_id, row.day) for row in claimed]
        ids = [row.id for row in claimed]
        if spec.kind != "simple":
            return spans_for_kind(spec, claims, current, _last_computed(conn, key)), None, ids
        return (
            spans_for_claims(spec.grain, claims, current),
            spans_for_claims("day", claims, current),
            ids,
        )

    result = _run(job, selected, plan, bind, current)
    if keys is None:
        # Entries of metrics the blueprint no longer has would wait forever.
        with serialized("aggregation-queue-orphans", bind) as conn:
            conn.execute(delete(queue).where(queue.c.metric.not_in(list(METRICS))))
    return result


def aggregate(
    date_from: dt.date,
    date_to: dt.date,
    keys: Iterable[str] | None = None,
    organization_id: uuid.UUID | None = None,
    *,
    bind: Engine | None = None,
) -> dict[str, tuple[dt.date, dt.date]]:
    """Backfill: recomputes every period overlapping [date_from, date_to], whole.

    Returns, per metric, the first and last period start recomputed.
    """
    if date_to < date_from:
        raise ValueError("--to is before --from")
    orgs = frozenset({organization_id}) if organization_id is not None else None

    def plan(_conn: Connection, key: str, _done: Any) -> tuple[list[Span], None, list[int]]:
        grain = METRICS[key].grain
        first = period_start(date_from, grain)
        end = next_period(period_start(date_to, grain), grain)
        return [Span(first, end, orgs)], None, []

    result = _run("backfill", metrics_of(keys), plan, bind, utcnow().date())
    return {k: v for k, v in result.periods.items() if v is not None}
