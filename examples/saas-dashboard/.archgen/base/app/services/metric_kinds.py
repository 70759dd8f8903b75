"""The SQL of the metric kinds beyond simple ones, for SQLite and PostgreSQL.

Each function replaces a metric's rows in some spans (consecutive periods of
some organizations, or None for all; see app/services/metrics_aggregator.py)
with one DELETE and a fixed few INSERT … SELECT statements:

- ratio: numerator / denominator * scale, from the two metric tables, per
  period and dimensions. Null where the denominator is 0 or has no row; 0
  where only the numerator has none.
- rolling: the measure over the N days ending on each day. Each row counts
  +1 on its day and -1 N days later (count_distinct: an actor's active days
  merged into intervals first), and a running sum over the days gives every
  day's value: the cost follows the rows, not rows x N.
- snapshot: the measure over the rows active at each period's end (started
  before the next period begins, ended at or after it, or never).
  churn: of the actors active at the period's start (started on or before
  it, ended after it or never), the share, in percent, not active at its end.
- cohort: an actor's cohort is the period of its first `first` row (its
  dimensions are that row's); the row at period_offset k (0…N) counts the
  members with a `then` row k periods after their cohort's start; the row at
  period_offset -1 holds the cohort's size.
- funnel: an actor enters at its first step-1 row (its period and dimensions
  are that row's); step j counts the actors with a step-j row after their
  step j-1 row and at most N days after step 1 (the earliest such row, so a
  step counts once per actor, in strict order).

Periods are UTC days, ISO weeks (from Monday) and calendar months. Values
are bound as typed parameters; names come from the catalog, never from input.
"""

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Date, Double, Integer, Uuid, bindparam, text
from sqlalchemy.engine import Connection
from sqlalchemy.types import TypeEngine

from app.catalog import ENTITIES, METRICS, Condition, MetricSpec
from app.models import ENTITY_MODELS, METRIC_MODELS
from app.services.values import literal

# Spans of cohorts and funnels reach to the end of time.
END_OF_TIME = dt.date(9999, 1, 1)


def q(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


class Params:
    """Bound parameters, each with its SQL type (so SQLite gets its stored forms)."""

    def __init__(self) -> None:
        self.values: dict[str, tuple[Any, TypeEngine[Any] | None]] = {}

    def add(self, value: Any, type_: TypeEngine[Any] | None = None, prefix: str = "p") -> str:
        name = f"{prefix}{len(self.values)}"
        self.values[name] = (value, type_)
        return f":{name}"

    def run(self, conn: Connection, sql: str) -> None:
        binds = [bindparam(n, v, type_=t) if t is not None else bindparam(n, v) for n, (v, t) in self.values.items()]
        conn.execute(text(sql).bindparams(*binds))


class Sql:
    """What SQLite and PostgreSQL spell differently."""

    def __init__(self, dialect: str) -> None:
        if dialect not in ("sqlite", "postgresql"):
            raise RuntimeError(f"aggregation supports SQLite and PostgreSQL, not {dialect}")
        self.pg = dialect == "postgresql"

    def day(self, value: str, kind: str) -> str:
        """The UTC calendar day of a date or timestamp expression, as a date."""
        if not self.pg:
            return f"date({value})"
        return value if kind == "date" else f"CAST(timezone('UTC', {value}) AS DATE)"

    def period(self, day: str, grain: str) -> str:
        """The first day of the period holding `day` (a date)."""
        if grain == "day":
            return day
        if self.pg:
            return f"CAST(date_trunc('{grain}', {day}) AS DATE)"
        if grain == "week":
            return f"date({day}, 'weekday 0', '-6 days')"
        return f"date({day}, 'start of month')"

    def add_days(self, day: str, n: int | str) -> str:
        """`day` + n days (n an integer or an integer SQL expression), as a date."""
        if self.pg:
            return f"CAST({day} + {n} AS DATE)"
        return f"date({day}, ({n}) || ' days')" if isinstance(n, str) else f"date({day}, '{n:+d} days')"

    def next_period(self, start: str, grain: str) -> str:
        """The start of the period after the one starting at `start`."""
        if grain == "day":
            return self.add_days(start, 1)
        if grain == "week":
            return self.add_days(start, 7)
        return f"CAST({start} + INTERVAL '1 month' AS DATE)" if self.pg else f"date({start}, '+1 months')"

    def instant(self, day: str, kind: str) -> str:
        """The first instant of `day`, comparable with a column of `kind`.

        SQLite keeps timestamps as UTC text, 'YYYY-MM-DD HH:MM:SS.ffffff'
        (SQLAlchemy's form), compared as text.
        """
        if kind == "date":
            return day
        if not self.pg:
            return f"({day} || ' 00:00:00.000000')"
        return f"(CAST({day} AS TIMESTAMP) AT TIME ZONE 'UTC')"

    def periods_between(self, start: str, end: str, grain: str) -> str:
        """Whole periods from period start `start` to period start `end`."""
        if grain == "month":
            if self.pg:
                return (
                    f"((CAST(EXTRACT(YEAR FROM {end}) AS INTEGER) - CAST(EXTRACT(YEAR FROM {start}) AS INTEGER)) * 12"
                    f" + CAST(EXTRACT(MONTH FROM {end}) AS INTEGER) - CAST(EXTRACT(MONTH FROM {start}) AS INTEGER))"
                )
            return (
                f"((CAST(strftime('%Y', {end}) AS INTEGER) - CAST(strftime('%Y', {start}) AS INTEGER)) * 12"
                f" + CAST(strftime('%m', {end}) AS INTEGER) - CAST(strftime('%m', {start}) AS INTEGER))"
            )
        days = f"({end} - {start})" if self.pg else f"CAST(julianday({end}) - julianday({start}) AS INTEGER)"
        return days if grain == "day" else f"({days} / 7)"

    def within_days(self, later: str, earlier: str, days: int, kind: str) -> str:
        """`later` at most `days` days after `earlier` (both of `kind`)."""
        if self.pg:
            return f"{later} <= {earlier} + INTERVAL '{days} days'"
        return f"julianday({later}) <= julianday({earlier}) + {days}"

    def same(self, a: str, b: str) -> str:
        """a = b, with NULL equal to NULL."""
        return f"{a} IS NOT DISTINCT FROM {b}" if self.pg else f"{a} IS {b}"

    def calendar(self, name: str, first: str, last: str, grain: str) -> str:
        """A recursive CTE `name(p, t)`: each period start p from `first` to `last`, and the next, t."""
        return (
            f"{name}(p, t) AS (SELECT {first}, {self.next_period(first, grain)}"
            f" UNION ALL SELECT t, {self.next_period('t', grain)} FROM {name} WHERE t <= {last})"
        )

    def date(self, params: Params, day: dt.date) -> str:
        """A date parameter."""
        return f"CAST({params.add(day, Date())} AS DATE)" if self.pg else params.add(day, Date())


def _column_type(spec: MetricSpec, field: str) -> TypeEngine[Any]:
    source = ENTITIES[spec.source]
    return ENTITY_MODELS[spec.source].__table__.c[source.field(field).column].type


def _conditions(spec: MetricSpec, conditions: Sequence[Condition], alias: str, params: Params) -> list[str]:
    """SQL for the conditions on rows of the source (as `alias`)."""
    out = []
    source = ENTITIES[spec.source]
    for c in conditions:
        f = source.field(c.field)
        column = f"{alias}.{q(f.column)}"
        if c.op == "is null":
            out.append(f"{column} IS NULL")
            continue
        if c.op == "is not null":
            out.append(f"{column} IS NOT NULL")
            continue
        type_ = _column_type(spec, c.field)
        names = [params.add(literal(f.kind, v), type_) for v in c.values]
        if c.op == "in":
            out.append(f"{column} IN ({', '.join(names)})")
        else:
            op = {"=": "=", "!=": "<>", ">": ">", ">=": ">=", "<": "<", "<=": "<="}[c.op]
            out.append(f"{column} {op} {names[0]}")
    return out


def _orgs(orgs: frozenset[Any] | None, column: str, params: Params) -> list[str]:
    """A filter on the organizations (none for all)."""
    if orgs is None:
        return []
    return [f"{column} IN ({', '.join(params.add(o, Uuid()) for o in sorted(orgs))})"]


def _in_spans(spans: Sequence[Any] | None, period: str, org: str, params: Params) -> str:
    """`period` (a period start) inside the spans, with their organizations."""
    if spans is None:
        return "1 = 1"
    parts = []
    for s in spans:
        part = [f"{period} >= {params.add(s.first, Date())}", f"{period} < {params.add(s.end, Date())}"]
        part += _orgs(s.organizations, org, params)
        parts.append("(" + " AND ".join(part) + ")")
    return "(" + " OR ".join(parts) + ")"


def _delete(conn: Connection, key: str, spans: Sequence[Any] | None) -> None:
    params = Params()
    table = METRIC_MODELS[key].__table__.name
    params.run(conn, f"DELETE FROM {q(table)} WHERE {_in_spans(spans, 'period_start', 'organization_id', params)}")


def _insert(conn: Connection, key: str, params: Params, ctes: list[str], select: str, columns: list[str]) -> None:
    table = METRIC_MODELS[key].__table__.name
    with_ = ("WITH RECURSIVE " + ", ".join(ctes) + " ") if ctes else ""
    params.run(conn, f"INSERT INTO {q(table)} ({', '.join(columns)}) {with_}{select}")


def _columns(spec: MetricSpec) -> list[str]:
    return ["organization_id", "period_start", *[q(d.column) for d in spec.dimensions], "value"]


def _dims(spec: MetricSpec, alias: str) -> list[str]:
    """The source columns of the metric's dimensions read from rows."""
    source = ENTITIES[spec.source]
    return [f"{alias}.{q(source.field(d.key).column)}" for d in spec.source_dimensions]


def _measured(spec: MetricSpec, alias: str) -> str:
    """The measured expression of a row, divided as the definition says."""
    source = ENTITIES[spec.source]
    column = f"{alias}.{q(source.field(spec.field or '').column)}"
    if spec.divisor_field:
        divisor = f"{alias}.{q(source.field(spec.divisor_field).column)}"
        return f"CAST({column} AS DOUBLE PRECISION) / NULLIF({divisor}, 0)"
    if spec.divisor_number:
        return f"CAST({column} AS DOUBLE PRECISION) / {float(spec.divisor_number)!r}"
    return column


def _measure(spec: MetricSpec, alias: str) -> str:
    if spec.measure == "count":
        return "COUNT(*)"
    if spec.measure == "count_distinct":
        return f"COUNT(DISTINCT {_measured(spec, alias)})"
    if spec.measure == "avg":
        return f"AVG(CAST({_measured(spec, alias)} AS DOUBLE PRECISION))"
    return f"{spec.measure.upper()}({_measured(spec, alias)})"


def groups(spans: Sequence[Any] | None) -> list[tuple[Sequence[Any] | None, dt.date | None, dt.date | None, frozenset[Any] | None]]:
    """Spans to recompute in one statement each: (spans, first, end, organizations).

    The spans of every organization make one statement, the spans of some
    another (over the union of their organizations), so that a late row of
    one organization does not make a run read every organization's rows.
    """
    if spans is None:
        return [(None, None, None, None)]
    out = []
    for part in ([s for s in spans if s.organizations is None], [s for s in spans if s.organizations is not None]):
        if part:
            orgs = None if part[0].organizations is None else frozenset().union(*(s.organizations for s in part))
            out.append((part, min(s.first for s in part), max(s.end for s in part), orgs))
    return out


def _range(
    conn: Connection, spec: MetricSpec, first: dt.date | None, end: dt.date | None, today: dt.date, grain: str
) -> tuple[dt.date, dt.date] | None:
    """The first and last period start to compute (for all: from the oldest row to today)."""
    from app.services.metrics_aggregator import period_start, utc_day

    if first is not None and end is not None:
        last = min(period_start(end - dt.timedelta(days=1), grain), period_start(today, grain))
        return (first, last) if first <= last else None
    source = ENTITIES[spec.source]
    column = q(source.field(spec.time_field).column)
    oldest = conn.execute(text(f"SELECT MIN({column}) FROM {q(source.table)}")).scalar()
    if oldest is None:
        return None
    if isinstance(oldest, str):
        oldest = dt.date.fromisoformat(oldest[:10])
    day = utc_day(oldest)
    return (period_start(day, grain), period_start(today, grain)) if day <= today else None


def ratio(conn: Connection, key: str, spans: Sequence[Any] | None, today: dt.date) -> None:
    spec = METRICS[key]
    sql = Sql(conn.dialect.name)
    num = q(METRIC_MODELS[spec.numerator or ""].__table__.name)
    den = q(METRIC_MODELS[spec.denominator or ""].__table__.name)
    _delete(conn, key, spans)
    params = Params()
    scale = params.add(float(spec.scale), Double())
    dims = [q(d.column) for d in spec.dimensions]

    def same(x: str, y: str) -> str:
        keys = [f"{x}.organization_id = {y}.organization_id", f"{x}.period_start = {y}.period_start"]
        return " AND ".join(keys + [sql.same(f"{x}.{d}", f"{y}.{d}") for d in dims])

    def picked(x: str) -> str:
        return ", ".join([f"{x}.organization_id", f"{x}.period_start", *[f"{x}.{d}" for d in dims]])

    value = (
        "CASE WHEN d.value IS NULL OR d.value = 0 THEN NULL"
        f" ELSE CAST(COALESCE(n.value, 0) AS DOUBLE PRECISION) / d.value * {scale} END"
    )
    select = (
        f"SELECT {picked('d')}, {value} FROM {den} d LEFT JOIN {num} n ON {same('n', 'd')}"
        f" WHERE {_in_spans(spans, 'd.period_start', 'd.organization_id', params)}"
        f" UNION ALL SELECT {picked('n')}, NULL FROM {num} n"
        f" WHERE {_in_spans(spans, 'n.period_start', 'n.organization_id', params)}"
        f" AND NOT EXISTS (SELECT 1 FROM {den} d WHERE {same('n', 'd')})"
    )
    _insert(conn, key, params, [], select, _columns(spec))


def rolling(conn: Connection, key: str, spans: Sequence[Any] | None, today: dt.date) -> None:
    spec = METRICS[key]
    sql = Sql(conn.dialect.name)
    source = ENTITIES[spec.source]
    time = source.field(spec.time_field)
    n = int(spec.window_days or 1)
    _delete(conn, key, spans)
    for part, first, end, orgs in groups(spans):
        bounds = _range(conn, spec, first, end, today, "day")
        if bounds is None:
            continue
        lo, last = bounds[0] - dt.timedelta(days=n - 1), bounds[1]
        params = Params()
        column = f"s.{q(time.column)}"
        where = [
            f"{column} >= {sql.instant(sql.date(params, lo), time.kind)}",
            f"{column} < {sql.instant(sql.date(params, last + dt.timedelta(days=1)), time.kind)}",
            *_conditions(spec, spec.conditions, "s", params),
            *_orgs(orgs, "s.organization_id", params),
        ]
        dims = _dims(spec, "s")
        named = [f"{d} AS d{i}" for i, d in enumerate(dims)]
        g = ["org", *[f"d{i}" for i in range(len(dims))]]
        day = sql.day(column, time.kind)
        if spec.measure == "count_distinct":
            actor = _measured(spec, "s")
            where.append(f"{actor} IS NOT NULL")
            act = (
                f"act AS (SELECT DISTINCT s.organization_id AS org, {', '.join([*named, f'{actor} AS actor', f'{day} AS day'])}"
                f" FROM {q(source.table)} s WHERE {' AND '.join(where)})"
            )
            # An actor's days merged into intervals: a day within N days of
            # the previous one extends the interval from where it ended.
            lagged = (
                f"lagged AS (SELECT act.*, LAG(day) OVER (PARTITION BY {', '.join([*g, 'actor'])} ORDER BY day) AS prev"
                " FROM act)"
            )
            ended = sql.add_days("prev", n)
            ev = (
                f"ev AS (SELECT {', '.join(g)},"
                f" CASE WHEN prev IS NOT NULL AND {ended} > day THEN {ended} ELSE day END AS at, 1 AS v, 1 AS c, 1 AS n"
                f" FROM lagged UNION ALL SELECT {', '.join(g)}, {sql.add_days('day', n)}, -1, -1, -1 FROM act)"
            )
            ctes = [act, lagged, ev]
        else:
            x = "1" if spec.measure == "count" else _measured(spec, "s")
            act = (
                f"act AS (SELECT s.organization_id AS org, {', '.join([*named, f'{day} AS day'])},"
                f" SUM({x}) AS v, COUNT({x}) AS c, COUNT(*) AS n"
                f" FROM {q(source.table)} s WHERE {' AND '.join(where)} GROUP BY {', '.join(['s.organization_id', *dims, day])})"
            )
            ev = (
                f"ev AS (SELECT {', '.join(g)}, day AS at, v, c, n FROM act"
                f" UNION ALL SELECT {', '.join(g)}, {sql.add_days('day', n)}, -v, -c, -n FROM act)"
            )
            ctes = [act, ev]
        delta = (
            f"delta AS (SELECT {', '.join(g)}, at, SUM(v) AS v, SUM(c) AS c, SUM(n) AS n FROM ev"
            f" WHERE at <= {sql.date(params, last)} GROUP BY {', '.join([*g, 'at'])})"
        )
        grp = f"grp AS (SELECT DISTINCT {', '.join(g)} FROM delta)"
        cal = sql.calendar("cal", sql.date(params, lo), sql.date(params, last), "day")
        on = " AND ".join(["delta.org = grp.org", "delta.at = cal.p"] + [sql.same(f"delta.{x}", f"grp.{x}") for x in g[1:]])
        window = f"OVER (PARTITION BY {', '.join(f'grp.{x}' for x in g)} ORDER BY cal.p ROWS UNBOUNDED PRECEDING)"
        run = (
            f"run AS (SELECT {', '.join(f'grp.{x}' for x in g)}, cal.p, SUM(delta.v) {window} AS v,"
            f" SUM(delta.c) {window} AS c, SUM(delta.n) {window} AS n"
            f" FROM cal CROSS JOIN grp LEFT JOIN delta ON {on})"
        )
        value = {
            "count": "n",
            "count_distinct": "n",
            "sum": "CASE WHEN c > 0 THEN v END",
            "avg": "CASE WHEN c > 0 THEN CAST(v AS DOUBLE PRECISION) / c END",
        }[spec.measure]
        inside = _in_spans(part, "p", "org", params)
        select = (
            f"SELECT {', '.join(['org', 'p', *g[1:]])}, {value} FROM run"
            f" WHERE n > 0 AND p >= {sql.date(params, bounds[0])} AND {inside}"
        )
        _insert(conn, key, params, [cal, *ctes, delta, grp, run], select, _columns(spec))


def _active(sql: Sql, spec: MetricSpec, at: str, *, at_end: bool) -> str:
    """Rows of `s` active at the period's end (`at` the next period's start) or its start (`at` the period's)."""
    source = ENTITIES[spec.source]
    start, end = source.field(spec.start_field or ""), source.field(spec.end_field or "")
    s, e = f"s.{q(start.column)}", f"s.{q(end.column)}"
    if at_end:
        return f"{s} < {sql.instant(at, start.kind)} AND ({e} IS NULL OR {e} >= {sql.instant(at, end.kind)})"
    return f"{s} <= {sql.instant(at, start.kind)} AND ({e} IS NULL OR {e} > {sql.instant(at, end.kind)})"


def snapshot(conn: Connection, key: str, spans: Sequence[Any] | None, today: dt.date) -> None:
    spec = METRICS[key]
    sql = Sql(conn.dialect.name)
    source = ENTITIES[spec.source]
    _delete(conn, key, spans)
    for part, first, end, orgs in groups(spans):
        bounds = _range(conn, spec, first, end, today, spec.grain)
        if bounds is None:
            continue
        params = Params()
        cal = sql.calendar("cal", sql.date(params, bounds[0]), sql.date(params, bounds[1]), spec.grain)
        extra = [*_conditions(spec, spec.conditions, "s", params), *_orgs(orgs, "s.organization_id", params)]
        dims = _dims(spec, "s")
        g = ["org", *[f"d{i}" for i in range(len(dims))]]
        named = [f"{d} AS d{i}" for i, d in enumerate(dims)]
        table = q(source.table)
        if spec.measure != "churn":
            on = " AND ".join([_active(sql, spec, "cal.t", at_end=True), *extra])
            select = (
                f"SELECT s.organization_id, cal.p, {', '.join([*dims, _measure(spec, 's')])}"
                f" FROM cal JOIN {table} s ON {on} GROUP BY {', '.join(['s.organization_id', 'cal.p', *dims])}"
            )
            select = f"SELECT * FROM ({select}) AS a WHERE {_in_spans(part, 'a.p', 'a.organization_id', params)}"
            _insert(conn, key, params, [cal], select, _columns(spec))
            continue
        actor = _measured(spec, "s")
        picked = ", ".join(["s.organization_id AS org", "cal.p AS p", *named, f"{actor} AS actor"])
        at_start = (
            f"st AS (SELECT DISTINCT {picked} FROM cal JOIN {table} s"
            f" ON {' AND '.join([_active(sql, spec, 'cal.p', at_end=False), f'{actor} IS NOT NULL', *extra])})"
        )
        at_end = (
            f"en AS (SELECT DISTINCT {picked} FROM cal JOIN {table} s"
            f" ON {' AND '.join([_active(sql, spec, 'cal.t', at_end=True), f'{actor} IS NOT NULL', *extra])})"
        )
        same = " AND ".join(["en.org = st.org", "en.p = st.p", "en.actor = st.actor"] + [sql.same(f"en.{x}", f"st.{x}") for x in g[1:]])
        kept = ", ".join(f"st.{x}" for x in g)
        select = (
            f"SELECT {', '.join(['st.org', 'st.p', *[f'st.{x}' for x in g[1:]]])},"
            " 100.0 * SUM(CASE WHEN en.actor IS NULL THEN 1 ELSE 0 END) / COUNT(*)"
            f" FROM st LEFT JOIN en ON {same} GROUP BY {kept}, st.p"
        )
        select = f"SELECT * FROM ({select}) AS a WHERE {_in_spans(part, 'a.p', 'a.org', params)}"
        _insert(conn, key, params, [cal, at_start, at_end], select, _columns(spec))


def _firsts(
    spec: MetricSpec, sql: Sql, conditions: Sequence[Condition], params: Params, orgs: frozenset[Any] | None, name: str
) -> str:
    """A CTE `name(org, actor, t, d0…)`: each actor's first row meeting the conditions, with its dimensions."""
    source = ENTITIES[spec.source]
    actor = f"s.{q(source.field(spec.field or '').column)}"
    column = f"s.{q(source.field(spec.time_field).column)}"
    dims = _dims(spec, "s")
    named = [f"{d} AS d{i}" for i, d in enumerate(dims)]
    where = [
        f"{actor} IS NOT NULL",
        f"{column} IS NOT NULL",
        *_conditions(spec, conditions, "s", params),
        *_orgs(orgs, "s.organization_id", params),
    ]
    # Ties on the time: the lowest dimensions, so that runs agree.
    order = ", ".join([column, *[f"{d} IS NULL, {d}" for d in dims]])
    ranked = (
        f"SELECT s.organization_id AS org, {actor} AS actor, {column} AS t, {', '.join([*named, ''])}"
        f"ROW_NUMBER() OVER (PARTITION BY s.organization_id, {actor} ORDER BY {order}) AS rn"
        f" FROM {q(source.table)} s WHERE {' AND '.join(where)}"
    )
    picked = ", ".join(["org", "actor", "t", *[f"d{i}" for i in range(len(dims))]])
    return f"{name} AS (SELECT {picked} FROM ({ranked}) AS r WHERE rn = 1)"


def cohort(conn: Connection, key: str, spans: Sequence[Any] | None, today: dt.date) -> None:
    """The cohorts starting in the spans, recomputed from every member's whole history."""
    spec = METRICS[key]
    sql = Sql(conn.dialect.name)
    source = ENTITIES[spec.source]
    time = source.field(spec.time_field)
    _delete(conn, key, spans)
    ndims = len(spec.source_dimensions)
    d = [f"d{i}" for i in range(ndims)]
    for part, _first, _end, orgs in groups(spans):
        params = Params()
        firsts = _firsts(spec, sql, spec.first, params, orgs, "firsts")
        members = (
            f"members AS (SELECT {', '.join(['org', 'actor', *d])}, {sql.period(sql.day('t', time.kind), spec.grain)} AS cohort"
            " FROM firsts)"
        )
        inside = f"inside AS (SELECT * FROM members WHERE {_in_spans(part, 'cohort', 'org', params)})"
        column = f"s.{q(time.column)}"
        actor = f"s.{q(source.field(spec.field or '').column)}"
        then = [
            f"{column} IS NOT NULL",
            *_conditions(spec, spec.then, "s", params),
            *_orgs(orgs, "s.organization_id", params),
        ]
        acts = (
            f"acts AS (SELECT DISTINCT s.organization_id AS org, {actor} AS actor,"
            f" {sql.period(sql.day(column, time.kind), spec.grain)} AS p FROM {q(source.table)} s WHERE {' AND '.join(then)})"
        )
        offset = sql.periods_between("m.cohort", "a.p", spec.grain)
        periods = params.add(int(spec.periods or 0), Integer())
        joined = (
            f"joined AS (SELECT {', '.join(['m.org', 'm.cohort', *[f'm.{x}' for x in d]])}, {offset} AS k"
            f" FROM inside m JOIN acts a ON a.org = m.org AND a.actor = m.actor AND a.p >= m.cohort)"
        )
        g = ", ".join(["org", "cohort", *d])
        select = (
            f"SELECT {g}, -1, COUNT(*) FROM inside GROUP BY {g}"
            f" UNION ALL SELECT {g}, k, COUNT(*) FROM joined WHERE k <= {periods} GROUP BY {g}, k"
        )
        _insert(conn, key, params, [firsts, members, inside, acts, joined], select, _columns(spec))


def funnel(conn: Connection, key: str, spans: Sequence[Any] | None, today: dt.date) -> None:
    """The funnel periods in the spans, recomputed from every actor's whole history."""
    spec = METRICS[key]
    sql = Sql(conn.dialect.name)
    source = ENTITIES[spec.source]
    time = source.field(spec.time_field)
    _delete(conn, key, spans)
    d = [f"d{i}" for i in range(len(spec.source_dimensions))]
    column = f"s.{q(time.column)}"
    actor = f"s.{q(source.field(spec.field or '').column)}"
    for part, _first, _end, orgs in groups(spans):
        params = Params()
        kept = ", ".join(["org", "actor", "t1", *d])
        period = sql.period(sql.day("t", time.kind), spec.grain)
        ctes = [
            _firsts(spec, sql, spec.steps[0], params, orgs, "firsts"),
            f"step1 AS (SELECT {kept.replace('t1', 't AS t1')}, t FROM firsts"
            f" WHERE {_in_spans(part, period, 'org', params)})",
        ]
        within = int(spec.within_days or 0)
        for j, step in enumerate(spec.steps[1:], start=2):
            conds = [*_conditions(spec, step, "s", params), *_orgs(orgs, "s.organization_id", params)]
            on = [
                "s.organization_id = prev.org",
                f"{actor} = prev.actor",
                f"{column} > prev.t",
                sql.within_days(column, "prev.t1", within, time.kind),
                *conds,
            ]
            prev = ", ".join(f"prev.{x}" for x in ["org", "actor", "t1", *d])
            ctes.append(
                f"step{j} AS (SELECT {prev}, MIN({column}) AS t FROM step{j - 1} prev"
                f" JOIN {q(source.table)} s ON {' AND '.join(on)} GROUP BY {prev})"
            )
        first_period = sql.period(sql.day("t1", time.kind), spec.grain)
        g = ", ".join(["org", first_period, *d])
        select = " UNION ALL ".join(
            f"SELECT {g}, {j}, COUNT(*) FROM step{j} GROUP BY {g}" for j in range(1, len(spec.steps) + 1)
        )
        _insert(conn, key, params, ctes, select, _columns(spec))


RECOMPUTE: dict[str, Callable[[Connection, str, Sequence[Any] | None, dt.date], None]] = {
    "ratio": ratio,
    "rolling": rolling,
    "snapshot": snapshot,
    "cohort": cohort,
    "funnel": funnel,
}
