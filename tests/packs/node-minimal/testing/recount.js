// Helpers of the generated tests: rows to insert, made from a seed, and the
// recount of a simple metric in plain JavaScript, written from the
// metric's definition and independent of the SQL under test.

/** A small deterministic random generator (mulberry32). */
export function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const START = Date.UTC(2024, 0, 1);
const DAY = 86400000;

/**
 * `count` rows for a table: `table.columns` is a list of
 * `{ name, kind, pk, unique, nullable }`; `pools` maps a column to values
 * to draw from (the literals the metrics' conditions compare it with), so
 * that conditions hold for some rows and not for others.
 */
export function makeRows(table, count, seed, pools = {}) {
  const next = random(seed);
  const pick = (list) => list[Math.floor(next() * list.length)];
  const rows = [];
  for (let i = 0; i < count; i++) {
    const row = {};
    if (table.organizationColumn) row.organization_id = pick(["org-a", "org-b"]);
    for (const c of table.columns) {
      const distinct = c.pk || c.unique;
      if (c.nullable && !distinct && next() < 0.15) {
        row[c.name] = null;
        continue;
      }
      const pool = distinct ? undefined : pools[c.name];
      if (pool && pool.length > 0 && next() < 0.6) {
        row[c.name] = pick(pool);
        continue;
      }
      row[c.name] = value(c, i, next, pick);
    }
    rows.push(row);
  }
  return rows;
}

function value(c, i, next, pick) {
  const distinct = c.pk || c.unique;
  switch (c.kind) {
    case "uuid":
      // Distinct ones for keys; otherwise a few, so that distinct counts count something.
      return `00000000-0000-4000-8000-${String(distinct ? i : Math.floor(next() * 20)).padStart(12, "0")}`;
    case "integer":
    case "bigint":
      return distinct ? i + 1 : Math.floor(next() * 1000);
    case "numeric":
      return distinct ? i + 0.5 : Math.round(next() * 100000) / 100;
    case "boolean":
      return next() < 0.5 ? 0 : 1;
    case "date":
      return new Date(START + Math.floor(next() * 150) * DAY).toISOString().slice(0, 10);
    case "timestamp":
      return new Date(START + Math.floor(next() * 150 * DAY)).toISOString();
    case "json":
      return JSON.stringify({ n: i });
    default:
      return distinct ? `${c.name}-${i}` : `${c.name}-${Math.floor(next() * 12)}`;
  }
}

/** The period a timestamp or date falls in: the day, the Monday of its week, the 1st of its month (UTC). */
export function periodOf(v, grain) {
  const day = String(v).slice(0, 10);
  if (grain === "day") return day;
  if (grain === "month") return `${day.slice(0, 7)}-01`;
  const d = new Date(`${day}T00:00:00Z`);
  const back = (d.getUTCDay() + 6) % 7;
  return new Date(d.getTime() - back * DAY).toISOString().slice(0, 10);
}

function compare(a, b) {
  if (typeof a === "number" && typeof b === "number") return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function holds(row, c) {
  const v = row[c.column];
  if (c.op === "is null") return v === null || v === undefined;
  if (c.op === "is not null") return v !== null && v !== undefined;
  if (v === null || v === undefined) return false;
  const literals = c.values.map((l) => l.value);
  switch (c.op) {
    case "in":
      return literals.some((l) => compare(v, l) === 0);
    case "=":
      return compare(v, literals[0]) === 0;
    case "!=":
      return compare(v, literals[0]) !== 0;
    case ">":
      return compare(v, literals[0]) > 0;
    case ">=":
      return compare(v, literals[0]) >= 0;
    case "<":
      return compare(v, literals[0]) < 0;
    case "<=":
      return compare(v, literals[0]) <= 0;
    default:
      throw new Error(`unknown operator ${c.op}`);
  }
}

function measured(row, spec) {
  const v = row[spec.column];
  if (v === null || v === undefined) return null;
  if (!spec.divisor) return v;
  const d = spec.divisor.kind === "field" ? row[spec.divisor.column] : spec.divisor.value;
  if (d === null || d === undefined || d === 0) return null;
  return v / d;
}

/**
 * A simple metric recounted from the rows: a Map from
 * `[organization, period, ...dimensions]` (as JSON) to the value.
 */
export function recount(spec, rows) {
  const groups = new Map();
  for (const row of rows) {
    const t = row[spec.timeColumn];
    if (t === null || t === undefined) continue;
    if (!spec.conditions.every((c) => holds(row, c))) continue;
    const key = JSON.stringify([
      spec.tenant ? row.organization_id : null,
      periodOf(t, spec.grain),
      ...spec.dimensions.map((d) => row[d.column] ?? null),
    ]);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(row);
  }
  const out = new Map();
  for (const [key, members] of groups) {
    out.set(key, aggregate(spec, members));
  }
  return out;
}

function aggregate(spec, members) {
  if (spec.measure === "count") {
    return spec.column === null ? members.length : members.filter((r) => r[spec.column] != null).length;
  }
  const values = members.map((r) => measured(r, spec)).filter((v) => v !== null);
  switch (spec.measure) {
    case "count_distinct":
      return new Set(values).size;
    case "sum":
      return values.length === 0 ? null : values.reduce((a, b) => a + b, 0);
    case "avg":
      return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
    case "min":
      return values.length === 0 ? null : values.reduce((a, b) => (compare(a, b) <= 0 ? a : b));
    case "max":
      return values.length === 0 ? null : values.reduce((a, b) => (compare(a, b) >= 0 ? a : b));
    default:
      throw new Error(`not a simple measure: ${spec.measure}`);
  }
}

/** The rows a metric's query returned, in the same Map form. */
export function asMap(spec, rows) {
  const out = new Map();
  for (const r of rows) {
    const key = JSON.stringify([r.organization_id, r.period, ...spec.dimensions.map((d) => r[d.key])]);
    out.set(key, r.value);
  }
  return out;
}

/** Equal values: numbers within a relative 1e-9 (sums in another order), anything else exactly. */
export function same(a, b) {
  if (typeof a === "number" && typeof b === "number") {
    return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
  }
  return a === b;
}

/** The columns a row of the table has, in insert order. */
export function columnsOf(table) {
  return [...(table.organizationColumn ? ["organization_id"] : []), ...table.columns.map((c) => c.name)];
}

/** Per column of `table`, the literals the metrics' conditions compare it with. */
export function poolsFor(specs, table) {
  const pools = {};
  for (const spec of Object.values(specs)) {
    if (spec.table !== table) continue;
    for (const c of spec.conditions) {
      pools[c.column] ??= [];
      pools[c.column].push(...c.values.map((v) => v.value));
    }
  }
  return pools;
}
