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

from app.catalog import ENTITIES, METRICS, FieldSpec, MetricSpec
from app.models import ENTITY_MODELS
from app.services.metrics_aggregator import period_start
from app.services.users import create_api_key, create_org, create_user
from app.services.values import literal, to_json

PASSWORD = "correct horse battery staple"
_seq = itertools.count(1)
START = dt.datetime(2024, 1, 25, tzinfo=dt.UTC)
SPAN_HOURS = 24 * 75


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
    metrics = [m for m in METRICS.values() if m.source == source]
    pools: dict[str, list[Any]] = defaultdict(list)
    for m in metrics:
        for c in m.conditions:
            f = spec.field(c.field)
            for v in c.values:
                try:
                    pools[c.field] += _neighbours(f.kind, literal(f.kind, v))
                except (ValueError, decimal.InvalidOperation):
                    continue
    used = {m.field for m in metrics if m.field} | {d.key for m in metrics for d in m.dimensions}
    used |= {c.field for m in metrics for c in m.conditions}
    for f in spec.fields:
        if f.key not in used or f.pk:
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


def seed_metric_sources(db: Session, org_id: uuid.UUID, seed: int, rows_per_source: int = 60) -> dict[str, list[dict[str, Any]]]:
    """Inserts rows into every metric source table; returns them (field key -> value)."""
    rng = random.Random(seed)
    out: dict[str, list[dict[str, Any]]] = {}
    for source in sorted({m.source for m in METRICS.values()}):
        spec = ENTITIES[source]
        pools = _pools(db, source, org_id, rng)
        time_fields = {m.time_field for m in METRICS.values() if m.source == source}
        rows: list[dict[str, Any]] = []
        for _ in range(rows_per_source):
            values: dict[str, Any] = {}
            for f in spec.fields:
                if f.key in time_fields:
                    moment = START + dt.timedelta(seconds=rng.randint(0, SPAN_HOURS * 3600))
                    values[f.key] = moment.date() if f.kind == "date" else moment
                elif f.key in pools and pools[f.key]:
                    values[f.key] = rng.choice(pools[f.key])
            obj = row(db, source, org_id, values)
            rows.append({f.key: getattr(obj, f.attr) for f in spec.fields} | values)
        out[source] = rows
    db.commit()
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
    time_fields = {m.time_field for m in METRICS.values() if m.source == source} | (
        {spec.time_field} if spec.time_field else set()
    )
    out = []
    for _ in range(n):
        base = json_row(db, source, org_id)
        for f in spec.fields:
            if f.key in time_fields:
                moment = end - dt.timedelta(seconds=rng.randint(0, int(span.total_seconds())))
                base[f.key] = to_json(moment.date() if f.kind == "date" else moment)
            elif f.key in pools and pools[f.key]:
                base[f.key] = to_json(rng.choice(pools[f.key]))
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


def expected_points(metric: MetricSpec, rows: list[dict[str, Any]]) -> dict[tuple[Any, ...], Any]:
    """(period_start, dimension values as JSON) -> the metric's value, computed in Python."""
    spec = ENTITIES[metric.source]
    groups: dict[tuple[Any, ...], list[Any]] = defaultdict(list)
    for r in rows:
        moment = r.get(metric.time_field)
        if moment is None:
            continue
        ok = True
        for c in metric.conditions:
            kind = spec.field(c.field).kind
            lits = [literal(kind, v) for v in c.values]
            if not _satisfies(r.get(c.field), c.op, lits):
                ok = False
                break
        if not ok:
            continue
        period = period_start(_utc_day(moment), metric.grain).isoformat()
        dims = tuple(to_json(r.get(d.key)) for d in metric.dimensions)
        groups[(period, *dims)].append(r.get(metric.field) if metric.field else 1)
    out: dict[tuple[Any, ...], Any] = {}
    for k, vals in groups.items():
        present = [v for v in vals if v is not None]
        if metric.measure == "count":
            out[k] = len(vals)
        elif metric.measure == "count_distinct":
            out[k] = len({to_json(v) for v in present})
        elif not present:
            out[k] = None
        elif metric.measure == "sum":
            out[k] = sum(present)
        elif metric.measure == "avg":
            out[k] = float(sum(decimal.Decimal(str(v)) for v in present) / len(present))
        elif metric.measure == "min":
            out[k] = min(present)
        else:
            out[k] = max(present)
    return out


def points_by_key(metric: MetricSpec, points: list[dict[str, Any]]) -> dict[tuple[Any, ...], Any]:
    return {
        (p["period_start"], *[p["dimensions"][d.key] for d in metric.dimensions]): p["value"]
        for p in points
    }


def assert_same(metric: MetricSpec, expected: dict[tuple[Any, ...], Any], actual: dict[tuple[Any, ...], Any]) -> None:
    assert set(actual) == set(expected), f"{metric.key}: periods/dimensions differ"
    for k, want in expected.items():
        got = actual[k]
        if want is None:
            assert got is None, (metric.key, k, got)
        elif metric.value_type == "integer" and metric.measure in ("count", "count_distinct", "sum", "min", "max"):
            assert isinstance(got, int), (metric.key, k, got)
            assert got == int(want), (metric.key, k, got, want)
        else:
            w = float(want)
            assert abs(float(got) - w) <= 1e-9 * max(1.0, abs(w)), (metric.key, k, got, w)
