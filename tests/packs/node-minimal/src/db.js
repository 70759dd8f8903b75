// SQLite through sql.js (SQLite compiled to WebAssembly): no native module.
import initSqlJs from "sql.js";
import { readFileSync } from "node:fs";

const schema = readFileSync(new URL("../db/schema.sql", import.meta.url), "utf8");

/** A new in-memory database with the project's tables. */
export async function openDatabase() {
  const SQL = await initSqlJs();
  const db = new SQL.Database();
  db.exec(schema);
  return db;
}

/** Every row of a query, as objects keyed by column name. */
export function query(db, sql, params = {}) {
  const stmt = db.prepare(sql);
  try {
    stmt.bind(params);
    const rows = [];
    while (stmt.step()) rows.push(stmt.getAsObject());
    return rows;
  } finally {
    stmt.free();
  }
}

/** Inserts rows (objects keyed by column name) into a table. */
export function insertRows(db, table, columns, rows) {
  const quoted = columns.map((c) => `"${c}"`).join(", ");
  const marks = columns.map(() => "?").join(", ");
  const stmt = db.prepare(`INSERT INTO "${table}" (${quoted}) VALUES (${marks})`);
  try {
    for (const row of rows) stmt.run(columns.map((c) => row[c] ?? null));
  } finally {
    stmt.free();
  }
}
