"""Test data built from the catalog, so every blueprint gets the same tests."""

import datetime as dt
import decimal
import itertools
import random
import uuid
from collections import defaultdict
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.catalog import ENTITIES, METRICS, Condition, FieldSpec, MetricSpec
from app.models import ENTITY_MODELS
from app.services.metrics_aggregator import next_period, period_start
from app.services.users import create_api_key, create_org, create_user
from app.services.values import literal, to_json

PASSWORD = "correct horse battery staple"
_seq = itertools.count(1)
# Seeded rows fall from here for 75 days: across a year's end, an ISO week
# that straddles it (2024-12-30 .. 2025-01-05) and three months.
START = dt.datetime(2024, 12, 10, tzinfo=dt.UTC)
SPAN_HOURS = 24 * 75
# Offsets ingestion is sent timestamps in (stored as UTC).
OFFSETS = (dt.UTC, dt.timezone(dt.timedelta(hours=5, minutes=30)), dt.timezone(dt.timedelta(hours=-8)))


def org(db: Session, name: str | None = None) -> uuid.UUID:
    o = create_org(db, name or f"Org {next(_seq)}")
    db.commit()
    return o.id


def user(db: Session, org_id: uuid.UUID, role: str = "viewer", email: str | None = None) -> Any:
    u = create_user(db, org_id, email or f"user{next(_seq)}@example.test", PASSWORD, role)
    db.commit()
    return u


def api_key(db: Session, org_id: uuid.UUID) -> str:
    _, key = create_api_key(db, org_id)
    db.commit()
    return key


def login(client: TestClient, email: str, password: str = PASSWORD) -> str:
    """Signs in; returns the CSRF token."""
    r = client.post("/api/auth/login", json={"email": email, "password": password})
    assert r.status_code == 200, r.text
    return r.json()["csrf_token"]


def signed_in(client: TestClient, db: Session, org_id: uuid.UUID, role: str = "viewer") -> tuple[Any, str]:
    u = user(db, org_id, role)
    return u, login(client, u.email)


def sample(f: FieldSpec, n: int) -> Any:
    """A valid value of field f (n makes it distinct)."""
    kind = f.kind
    if kind == "uuid":
        return uuid.uuid4()
    if kind in ("string", "text"):
        s = f"{f.key[:8]}-{n}"
        if f.length and len(s) > f.length:
            s = s[-f.length :]
        return s
    if kind == "integer":
        return n % 100000
    if kind == "bigint":
        return n * 1000
    if kind == "numeric":
        whole = (f.precision or 12) - (f.scale or 0)
        base = n % (10 ** max(whole, 1))
        return decimal.Decimal(base) if not f.scale else decimal.Decimal(base) + decimal.Decimal(1).scaleb(-f.scale)
    if kind == "boolean":
        return n % 2 == 0
    if kind == "date":
        return (START + dt.timedelta(days=n % 60)).date()
    if kind == "timestamp":
        return START + dt.timedelta(hours=n % SPAN_HOURS, minutes=n % 60)
    return {"n": n, "tags": ["a", "b"]}


def row(
    db: Session, key: str, org_id: uuid.UUID, values: dict[str, Any] | None = None, _depth: int = 0
) -> Any:
    """Inserts a valid row of entity `key` for the organization (parents too)."""
    values = values or {}
    spec = ENTITIES[key]
    model = ENTITY_MODELS[key]
    attrs: dict[str, Any] = {}
    for f in spec.fields:
        if f.key in values:
            attrs[f.attr] = values[f.key]
        elif f.reference:
            if f.reference == "organizations":
                attrs[f.attr] = org_id
            elif f.nullable or _depth > 4:
                attrs[f.attr] = None
            else:
                parent = row(db, f.reference, org_id, None, _depth + 1)
                pk = next(p for p in ENTITIES[f.reference].fields if p.pk)
                attrs[f.attr] = getattr(parent, pk.attr)
        elif f.pk and f.kind in ("integer", "bigint"):
            continue
        else:
            attrs[f.attr] = sample(f, next(_seq))
    if spec.tenant:
        attrs["organization_id"] = org_id
    obj = model(**attrs)
    db.add(obj)
    db.flush()
    return obj


def pk_of(key: str, obj: Any) -> Any:
    pk = next(p for p in ENTITIES[key].fields if p.pk)
    return getattr(obj, pk.attr)


def recent(f: FieldSpec, n: int) -> Any:
    """A value of a date or timestamp field within the last three days (ingestion accepts it)."""
    moment = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1 + n % 70, minutes=n % 60)
    return moment.date() if f.kind == "date" else moment


def json_row(db: Session, key: str, org_id: uuid.UUID) -> dict[str, Any]:
    """A row for POST /api/ingest/<key>, parents already stored for org_id.

    Its time field (the one ingestion checks against the clock) is recent.
    """
    out: dict[str, Any] = {}
    time_field = ENTITIES[key].time_field
    for f in ENTITIES[key].fields:
        if f.pk and f.kind in ("integer", "bigint"):
            continue
        if f.reference and f.reference != "organizations":
            if f.nullable:
                out[f.key] = None
            else:
                out[f.key] = to_json(pk_of(f.reference, row(db, f.reference, org_id)))
            continue
        if f.reference == "organizations":
            out[f.key] = str(org_id)
            continue
        n = next(_seq)
        out[f.key] = to_json(recent(f, n) if f.key == time_field else sample(f, n))
    db.commit()
    return out


def body(db: Session, key: str, org_id: uuid.UUID) -> dict[str, Any]:
    """A valid JSON body for a new `key` row through a create route (its parents
    stored), without the key the database makes or the tenant column."""
    out = json_row(db, key, org_id)
    pk = next(p for p in ENTITIES[key].fields if p.pk)
    if pk.kind in ("uuid", "integer", "bigint"):
        out.pop(pk.key, None)
    return {k: v for k, v in out.items() if k != "organization_id"}


# ---- metrics: rows with known answers -------------------------------------------------


def _satisfies(value: Any, op: str, lits: list[Any]) -> bool:
    """SQL semantics: a comparison with NULL is never true."""
    if op == "is null":
        return value is None
    if op == "is not null":
        return value is not None
    if value is None:
        return False
    if op == "in":
        return value in lits
    lit = lits[0]
    try:
        if op == "=":
            return value == lit
        if op == "!=":
            return value != lit
        if op == ">":
            return value > lit
        if op == ">=":
            return value >= lit
        if op == "<":
            return value < lit
        if op == "<=":
            return value <= lit
    except TypeError:
        return False
    raise ValueError(op)


def _neighbours(kind: str, lit: Any) -> list[Any]:
    if kind in ("integer", "bigint") and isinstance(lit, int):
        return [lit - 1, lit, lit + 1, lit + 7]
    if kind == "numeric" and isinstance(lit, decimal.Decimal):
        return [lit - 1, lit, lit + 1, lit + decimal.Decimal("2.5")]
    return [lit]


def _pools(db: Session, source: str, org_id: uuid.UUID, rng: random.Random) -> dict[str, list[Any]]:
    """Candidate values per field, covering every condition's both sides."""
    spec = ENTITIES[source]
    metrics = [m for m in METRICS.values() if m.source == source and m.kind != "ratio"]
    pools: dict[str, list[Any]] = defaultdict(list)
    for m in metrics:
        for c in _all_conditions(m):
            f = spec.field(c.field)
            for v in c.values:
                try:
                    pools[c.field] += _neighbours(f.kind, literal(f.kind, v))
                except (ValueError, decimal.InvalidOperation):
                    continue
    used = {m.field for m in metrics if m.field} | {d.key for m in metrics for d in m.source_dimensions}
    used |= {c.field for m in metrics for c in _all_conditions(m)}
    divisors = {m.divisor_field for m in metrics if m.divisor_field}
    # Actors (whose distinct values, cohorts and funnels are counted) come
    # back: a few values, many rows each.
    actors = {m.field for m in metrics if m.measure in ("count_distinct", "churn", "cohort", "funnel")}
    for f in spec.fields:
        if f.key not in used or f.pk:
            continue
        if f.key in divisors and f.kind in ("integer", "bigint", "numeric"):
            pools[f.key] += [1, 3, 12, 0] if f.kind != "numeric" else [decimal.Decimal(v) for v in (1, 3, 12, 0)]
            if f.nullable:
                pools[f.key].append(None)
            continue
        if f.key in actors and not f.reference and f.kind in ("uuid", "string", "text", "integer", "bigint"):
            pools[f.key] += [sample(f, i) if f.kind != "uuid" else uuid.uuid4() for i in range(1, 9)]
            if f.nullable:
                pools[f.key].append(None)
            continue
        if f.reference and f.reference != "organizations":
            pools[f.key] = [pk_of(f.reference, row(db, f.reference, org_id)) for _ in range(3)]
        elif f.reference == "organizations":
            pools[f.key] = [org_id]
        elif f.kind in ("integer", "bigint"):
            pools[f.key] += [rng.randint(0, 500) for _ in range(6)]
        elif f.kind == "numeric":
            scale = f.scale or 0
            pools[f.key] += [
                decimal.Decimal(rng.randint(0, 9999)).scaleb(-min(scale, 2)) for _ in range(6)
            ]
        elif f.kind in ("string", "text"):
            pools[f.key] += [sample(f, i) for i in range(1, 4)]
        elif f.kind == "boolean":
            pools[f.key] += [True, False]
        elif f.kind == "uuid":
            pools[f.key] += [uuid.uuid4() for _ in range(3)]
        else:
            pools[f.key] += [sample(f, i) for i in range(1, 4)]
        if f.nullable:
            pools[f.key].append(None)
    return pools


def _all_conditions(m: MetricSpec) -> list[Condition]:
    """Every condition of a metric: its own, a cohort's and a funnel's steps'."""
    return [*m.conditions, *m.first, *m.then, *(c for step in m.steps for c in step)]


def _ends(source: str) -> dict[str, str]:
    """The end field of each interval (`active from start to end`) over the source -> its start field."""
    return {m.end_field: m.start_field for m in METRICS.values() if m.source == source and m.kind == "snapshot" and m.end_field and m.start_field}


def _interval_end(rng: random.Random, f: FieldSpec, start: Any) -> Any:
    """An end after `start` (1 to 60 days, some on a period boundary), or none (still active)."""
    if start is None or rng.random() < 0.3:
        return None
    if rng.random() < 0.2:
        start_day = start.date() if isinstance(start, dt.datetime) else start
        end_day = next_period(period_start(start_day, "month"), "month")
        return end_day if f.kind == "date" else dt.datetime(end_day.year, end_day.month, end_day.day, tzinfo=dt.UTC)
    end = start + dt.timedelta(days=rng.randint(1, 60), hours=rng.randint(0, 23) if f.kind != "date" else 0)
    return end


def seed_metric_sources(db: Session, org_id: uuid.UUID, seed: int, rows_per_source: int = 60) -> dict[str, list[dict[str, Any]]]:
    """Inserts rows into every metric source table; returns them (field key -> value)."""
    rng = random.Random(seed)
    out: dict[str, list[dict[str, Any]]] = {}
    for source in sorted({m.source for m in METRICS.values() if m.kind != "ratio"}):
        spec = ENTITIES[source]
        pools = _pools(db, source, org_id, rng)
        time_fields = {m.time_field for m in METRICS.values() if m.source == source and m.kind != "ratio"}
        ends = _ends(source)
        rows: list[dict[str, Any]] = []
        for _ in range(rows_per_source):
            values: dict[str, Any] = {}
            for f in spec.fields:
                if f.key in time_fields:
                    moment = START + dt.timedelta(seconds=rng.randint(0, SPAN_HOURS * 3600))
                    values[f.key] = moment.date() if f.kind == "date" else moment
                elif f.key in ends:
                    continue
                elif f.key in pools and pools[f.key]:
                    values[f.key] = rng.choice(pools[f.key])
            for end, start in ends.items():
                if end not in time_fields:
                    values[end] = _interval_end(rng, spec.field(end), values.get(start))
            obj = row(db, source, org_id, values)
            rows.append({f.key: getattr(obj, f.attr) for f in spec.fields} | values)
        for values in _journeys(source, pools, rng):
            obj = row(db, source, org_id, values)
            rows.append({f.key: getattr(obj, f.attr) for f in spec.fields} | values)
        out[source] = rows
    db.commit()
    return out


def _satisfying(source: str, conditions: tuple[Condition, ...], pools: dict[str, list[Any]], rng: random.Random) -> dict[str, Any]:
    """Values that meet every condition (when the conditions can be met together)."""
    spec = ENTITIES[source]
    out: dict[str, Any] = {}
    for c in conditions:
        f = spec.field(c.field)
        if c.op == "is null":
            out[c.field] = None
            continue
        candidates = [v for v in pools.get(c.field, []) if v is not None]
        if c.op == "is not null":
            out[c.field] = rng.choice(candidates) if candidates else sample(f, next(_seq))
            continue
        lits = [literal(f.kind, v) for v in c.values]
        fits = [v for v in candidates + lits if _satisfies(v, c.op, lits)]
        if fits:
            out[c.field] = rng.choice(fits)
    return out


def _moment(kind: str, at: dt.datetime) -> Any:
    return at.date() if kind == "date" else at


def _journeys(source: str, pools: dict[str, list[Any]], rng: random.Random) -> list[dict[str, Any]]:
    """Rows that take actors through the kinds' paths, so that each kind has something to count.

    Funnels: actors through the steps in order, some beyond the window and
    some stopping early; cohorts: first rows, then rows some periods later;
    churn: actors with one interval, most of which end; ratios: rows of the
    numerator and of the denominator on the same days.
    """
    spec = ENTITIES[source]
    out: list[dict[str, Any]] = []

    def at(hours: float) -> dt.datetime:
        return START + dt.timedelta(hours=hours)

    for m in METRICS.values():
        if m.source != source:
            continue
        kind = spec.field(m.time_field).kind
        actors = [v for v in pools.get(m.field or "", []) if v is not None]
        if m.kind == "funnel":
            # Fresh actors: no earlier first step of theirs moves the window.
            actor_field = spec.field(m.field or "")
            window = (m.within_days or 1) * 24
            for _ in range(10):
                actor = sample(actor_field, next(_seq)) if actor_field.kind != "uuid" else uuid.uuid4()
                t = rng.uniform(0, SPAN_HOURS * 0.8)
                reach = rng.randint(1, len(m.steps))
                for step in m.steps[:reach]:
                    # Mostly inside the window; now and then just past it.
                    t += rng.uniform(1, window / len(m.steps)) if rng.random() < 0.85 else window * 1.1
                    out.append(_satisfying(source, step, pools, rng) | {m.field or "": actor, m.time_field: _moment(kind, at(t))})
        elif m.kind == "cohort" and actors:
            step = {"day": 24, "week": 24 * 7, "month": 24 * 30}[m.grain]
            for actor in actors:
                t = rng.uniform(0, SPAN_HOURS * 0.5)
                out.append(_satisfying(source, m.first, pools, rng) | {m.field or "": actor, m.time_field: _moment(kind, at(t))})
                for k in rng.sample(range((m.periods or 0) + 1), k=min(3, (m.periods or 0) + 1)):
                    later = at(t + k * step + rng.uniform(0, step / 2))
                    out.append(_satisfying(source, m.then, pools, rng) | {m.field or "": actor, m.time_field: _moment(kind, later)})
        elif m.kind == "snapshot" and m.measure == "churn" and m.start_field and m.end_field:
            actor_field = spec.field(m.field or "")
            for _ in range(8):
                actor = sample(actor_field, next(_seq)) if actor_field.kind != "uuid" else uuid.uuid4()
                start = at(rng.uniform(0, SPAN_HOURS * 0.7))
                end = start + dt.timedelta(days=rng.randint(10, 60)) if rng.random() < 0.8 else None
                values = _satisfying(source, m.conditions, pools, rng) | {m.field or "": actor}
                for d in m.source_dimensions:
                    if d.key not in values and pools.get(d.key):
                        values[d.key] = rng.choice(pools[d.key])
                values[m.start_field] = _moment(spec.field(m.start_field).kind, start)
                values[m.end_field] = _moment(spec.field(m.end_field).kind, end) if end else None
                out.append(values)
        elif m.kind == "ratio":
            for part in (METRICS[m.numerator or ""], METRICS[m.denominator or ""]):
                if part.source != source or part.kind != "simple":
                    continue
                part_kind = spec.field(part.time_field).kind
                part_actors = [v for v in pools.get(part.field or "", []) if v is not None] or [None]
                for day in range(0, SPAN_HOURS // 24, 9):
                    values = _satisfying(source, part.conditions, pools, rng)
                    if part.field and part.field not in values:
                        values[part.field] = rng.choice(part_actors)
                    out.append(values | {part.time_field: _moment(part_kind, at(day * 24 + rng.uniform(0, 20)))})
    return out


def ingestible_rows(
    db: Session, source: str, org_id: uuid.UUID, seed: int, n: int, end: dt.datetime, span: dt.timedelta
) -> list[dict[str, Any]]:
    """JSON rows of a metric source for POST /api/ingest/<source>, timed within [end - span, end].

    Values come from the same pools as seed_metric_sources (every
    condition's both sides), so the rows move the metrics.
    """
    rng = random.Random(seed)
    spec = ENTITIES[source]
    pools = _pools(db, source, org_id, rng)
    time_fields = {m.time_field for m in METRICS.values() if m.source == source and m.kind != "ratio"} | (
        {spec.time_field} if spec.time_field else set()
    )
    ends = _ends(source)
    out = []
    for i in range(n):
        base = json_row(db, source, org_id)
        moments: dict[str, Any] = {}
        for f in spec.fields:
            if f.key in time_fields:
                moment = end - dt.timedelta(seconds=rng.randint(0, int(span.total_seconds())))
                moments[f.key] = moment.date() if f.kind == "date" else moment
            elif f.key in ends:
                continue
            elif f.key in pools and pools[f.key]:
                base[f.key] = to_json(rng.choice(pools[f.key]))
        for e, start in ends.items():
            if e not in time_fields:
                later = _interval_end(rng, spec.field(e), moments.get(start))
                # An interval ending later than now is fine; one too far ahead is refused.
                limit = end if isinstance(later, dt.datetime) else _utc_day(end)
                moments[e] = later if later is None or _instant(later) <= _instant(limit) else None
        for key, moment in moments.items():
            # Timestamps in several UTC offsets, as clients send them.
            shown = moment.astimezone(OFFSETS[i % len(OFFSETS)]) if isinstance(moment, dt.datetime) else moment
            base[key] = shown.isoformat() if shown is not None else None
        out.append(base)
    return out


def stored_rows(db: Session, source: str, org_id: uuid.UUID) -> list[dict[str, Any]]:
    """Every stored row of `source` for the organization, field key -> value."""
    spec = ENTITIES[source]
    model = ENTITY_MODELS[source]
    db.expire_all()
    objs = db.scalars(select(model).where(model.organization_id == org_id)).all()
    return [{f.key: getattr(o, f.attr) for f in spec.fields} for o in objs]


def _utc_day(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).date()
    return value


def _instant(value: Any) -> Any:
    """Aware UTC for a timestamp (naive ones, as SQLite hands them back, are UTC); a date as is."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    return value


def as_instant(value: Any) -> Any:
    """A stored timestamp as an aware UTC datetime (SQLite hands back naive UTC ones)."""
    return _instant(value)


def _at(kind: str, day: dt.date) -> Any:
    """The first instant of a day, comparable with values of a field of `kind`."""
    return day if kind == "date" else dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def _passes(source: str, r: dict[str, Any], conditions: tuple[Condition, ...] | list[Condition]) -> bool:
    spec = ENTITIES[source]
    for c in conditions:
        kind = spec.field(c.field).kind
        lits = [literal(kind, v) for v in c.values]
        if not _satisfies(r.get(c.field), c.op, lits):
            return False
    return True


def _measured(metric: MetricSpec, r: dict[str, Any]) -> Any:
    """The row's measured value, divided as the definition says (None if the divisor is 0 or NULL)."""
    value = r.get(metric.field) if metric.field else 1
    if value is None:
        return None
    if metric.divisor_field:
        d = r.get(metric.divisor_field)
        return None if d is None or d == 0 else float(value) / float(d)
    if metric.divisor_number:
        return float(value) / float(metric.divisor_number)
    return value


def _combine(metric: MetricSpec, vals: list[Any]) -> Any:
    """The measure over the values of a group's rows (None for NULLs)."""
    present = [v for v in vals if v is not None]
    if metric.measure == "count":
        return len(vals)
    if metric.measure == "count_distinct":
        return len({to_json(v) for v in present})
    if not present:
        return None
    if metric.measure == "sum":
        return sum(present)
    if metric.measure == "avg":
        return float(sum(decimal.Decimal(str(v)) for v in present) / len(present))
    if metric.measure == "min":
        return min(present)
    return max(present)


def _dims(metric: MetricSpec, r: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(to_json(r.get(d.key)) for d in metric.source_dimensions)


def _periods_after(start: dt.date, later: dt.date, grain: str) -> int:
    """Whole periods from period start `start` to period start `later`."""
    if grain == "month":
        return (later.year - start.year) * 12 + later.month - start.month
    days = (later - start).days
    return days if grain == "day" else days // 7


def _first_rows(metric: MetricSpec, rows: list[dict[str, Any]], conditions: Any) -> dict[Any, dict[str, Any]]:
    """Each actor's first row meeting the conditions (ties: the lowest dimensions, NULLs last)."""
    firsts: dict[Any, dict[str, Any]] = {}

    def order(r: dict[str, Any]) -> tuple[Any, ...]:
        return (_instant(r[metric.time_field]), *[(r.get(d.key) is None, r.get(d.key) or 0) for d in metric.source_dimensions])

    for r in rows:
        actor = r.get(metric.field or "")
        if actor is None or r.get(metric.time_field) is None or not _passes(metric.source, r, conditions):
            continue
        key = to_json(actor)
        if key not in firsts or order(r) < order(firsts[key]):
            firsts[key] = r
    return firsts


def expected_points(
    metric: MetricSpec, rows_of: dict[str, list[dict[str, Any]]], until: dt.date | None = None
) -> dict[tuple[Any, ...], Any]:
    """(period_start, dimension values as JSON) -> the metric's value, computed in plain Python.

    `rows_of`: source entity -> its rows (field key -> value); `until`: the
    last day rolling and snapshot metrics are computed for (today by default).
    """
    until = until or dt.datetime.now(dt.UTC).date()
    if metric.kind == "ratio":
        num = expected_points(METRICS[metric.numerator or ""], rows_of, until)
        den = expected_points(METRICS[metric.denominator or ""], rows_of, until)
        out_r: dict[tuple[Any, ...], Any] = {}
        for k in set(num) | set(den):
            d = den.get(k)
            out_r[k] = None if d is None or d == 0 else float(num.get(k) or 0) / float(d) * metric.scale
        return out_r
    spec = ENTITIES[metric.source]
    rows = rows_of[metric.source]
    out: dict[tuple[Any, ...], Any] = {}
    if metric.kind == "simple":
        groups: dict[tuple[Any, ...], list[Any]] = defaultdict(list)
        for r in rows:
            moment = r.get(metric.time_field)
            if moment is None or not _passes(metric.source, r, metric.conditions):
                continue
            period = period_start(_utc_day(moment), metric.grain).isoformat()
            groups[(period, *_dims(metric, r))].append(_measured(metric, r))
        return {k: _combine(metric, vals) for k, vals in groups.items()}
    if metric.kind == "rolling":
        n = metric.window_days or 1
        by_day: dict[dt.date, list[dict[str, Any]]] = defaultdict(list)
        for r in rows:
            moment = r.get(metric.time_field)
            if moment is None or not _passes(metric.source, r, metric.conditions):
                continue
            if metric.measure == "count_distinct" and _measured(metric, r) is None:
                continue
            by_day[_utc_day(moment)].append(r)
        if not by_day:
            return out
        day = min(by_day)
        while day <= min(max(by_day) + dt.timedelta(days=n - 1), until):
            window = [r for k in range(n) for r in by_day.get(day - dt.timedelta(days=k), [])]
            grouped: dict[tuple[Any, ...], list[Any]] = defaultdict(list)
            for r in window:
                grouped[_dims(metric, r)].append(_measured(metric, r))
            for dims, vals in grouped.items():
                out[(day.isoformat(), *dims)] = _combine(metric, vals)
            day += dt.timedelta(days=1)
        return out
    if metric.kind == "snapshot":
        start_f, end_f = spec.field(metric.start_field or ""), spec.field(metric.end_field or "")
        starts = [_utc_day(r[start_f.key]) for r in rows if r.get(start_f.key) is not None]
        if not starts:
            return out
        period = period_start(min(starts), metric.grain)
        last = period_start(until, metric.grain)
        while period <= last:
            nxt = next_period(period, metric.grain)

            def active(r: dict[str, Any], at: dt.date, *, at_end: bool) -> bool:
                s, e = _instant(r.get(start_f.key)), _instant(r.get(end_f.key))
                if s is None or not _passes(metric.source, r, metric.conditions):
                    return False
                if at_end:
                    return s < _at(start_f.kind, at) and (e is None or e >= _at(end_f.kind, at))
                return s <= _at(start_f.kind, at) and (e is None or e > _at(end_f.kind, at))

            if metric.measure == "churn":
                begin: dict[tuple[Any, ...], set[Any]] = defaultdict(set)
                end: dict[tuple[Any, ...], set[Any]] = defaultdict(set)
                for r in rows:
                    actor = r.get(metric.field or "")
                    if actor is None:
                        continue
                    if active(r, period, at_end=False):
                        begin[_dims(metric, r)].add(to_json(actor))
                    if active(r, nxt, at_end=True):
                        end[_dims(metric, r)].add(to_json(actor))
                for dims, actors in begin.items():
                    out[(period.isoformat(), *dims)] = 100.0 * len(actors - end[dims]) / len(actors)
            else:
                grouped = defaultdict(list)
                for r in rows:
                    if active(r, nxt, at_end=True):
                        grouped[_dims(metric, r)].append(_measured(metric, r))
                for dims, vals in grouped.items():
                    out[(period.isoformat(), *dims)] = _combine(metric, vals)
            period = nxt
        return out
    if metric.kind == "cohort":
        members = _first_rows(metric, rows, metric.first)
        active_in: dict[Any, set[dt.date]] = defaultdict(set)
        for r in rows:
            actor = r.get(metric.field or "")
            if actor is not None and r.get(metric.time_field) is not None and _passes(metric.source, r, metric.then):
                active_in[to_json(actor)].add(period_start(_utc_day(r[metric.time_field]), metric.grain))
        counts: dict[tuple[Any, ...], int] = defaultdict(int)
        for actor, first in members.items():
            cohort = period_start(_utc_day(first[metric.time_field]), metric.grain)
            dims = _dims(metric, first)
            counts[(cohort.isoformat(), *dims, -1)] += 1
            for p in active_in[actor]:
                k = _periods_after(cohort, p, metric.grain)
                if 0 <= k <= (metric.periods or 0):
                    counts[(cohort.isoformat(), *dims, k)] += 1
        return dict(counts)
    if metric.kind == "funnel":
        entered = _first_rows(metric, rows, metric.steps[0])
        by_actor: dict[Any, list[dict[str, Any]]] = defaultdict(list)
        for r in rows:
            actor = r.get(metric.field or "")
            if actor is not None and r.get(metric.time_field) is not None:
                by_actor[to_json(actor)].append(r)
        reached: dict[tuple[Any, ...], int] = defaultdict(int)
        for actor, first in entered.items():
            t1 = _instant(first[metric.time_field])
            key = (period_start(_utc_day(t1), metric.grain).isoformat(), *_dims(metric, first))
            reached[(*key, 1)] += 1
            t = t1
            for j, step in enumerate(metric.steps[1:], start=2):
                later = [
                    _instant(r[metric.time_field])
                    for r in by_actor[actor]
                    if _passes(metric.source, r, step)
                    and _instant(r[metric.time_field]) > t
                    and _instant(r[metric.time_field]) <= t1 + dt.timedelta(days=metric.within_days or 0)
                ]
                if not later:
                    break
                t = min(later)
                reached[(*key, j)] += 1
        return dict(reached)
    raise ValueError(f"unknown metric kind {metric.kind!r}")


def points_by_key(metric: MetricSpec, points: list[dict[str, Any]]) -> dict[tuple[Any, ...], Any]:
    return {
        (p["period_start"], *[p["dimensions"][d.key] for d in metric.dimensions]): p["value"]
        for p in points
    }


def assert_same(metric: MetricSpec, expected: dict[tuple[Any, ...], Any], actual: dict[tuple[Any, ...], Any]) -> None:
    missing, extra = sorted(set(expected) - set(actual), key=str), sorted(set(actual) - set(expected), key=str)
    assert not missing and not extra, f"{metric.key}: missing {missing[:5]}, not expected {extra[:5]}"
    for k, want in expected.items():
        got = actual[k]
        if want is None:
            assert got is None, (metric.key, k, got)
        elif metric.value_type == "integer" and metric.measure in ("count", "count_distinct", "sum", "min", "max", "cohort", "funnel"):
            assert isinstance(got, int), (metric.key, k, got)
            assert got == int(want), (metric.key, k, got, want)
        else:
            w = float(want)
            assert abs(float(got) - w) <= 1e-9 * max(1.0, abs(w)), (metric.key, k, got, w)
