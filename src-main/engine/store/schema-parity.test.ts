// The SQLite and PostgreSQL migrations write the same schema twice; this keeps them in step:
// every table and column of one is in the other, with the same NOT NULL and a matching type.
import assert from "node:assert/strict";
import { test } from "node:test";
import { openPgDb } from "./postgres/pg-db.js";
import { openDb } from "./sqlite/sqlite-db.js";
import { needsPostgres, tempDatabase } from "../testing/postgres.js";
import { tempDir } from "../testing/temp-algorithm.js";

interface Column {
  type: string;
  notNull: boolean;
}
type Schema = Record<string, Record<string, Column>>;

/** Type families both stores agree on: integers, reals, text, bytes. */
function family(type: string): string {
  const t = type.toUpperCase();
  if (/INT/.test(t)) return "integer";
  if (/REAL|DOUBLE|FLOAT|NUMERIC/.test(t)) return "real";
  if (/TEXT|CHAR/.test(t)) return "text";
  if (/BLOB|BYTEA/.test(t)) return "bytes";
  return t;
}

test("the SQLite and PostgreSQL schemas have the same tables and columns, nullability and types", { skip: needsPostgres }, async () => {
  using dir = tempDir();
  const sqlite = openDb(dir.path);
  await using database = await tempDatabase();
  const pg = await openPgDb(database.url);
  try {
    const lite: Schema = {};
    const tables = sqlite.raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[];
    for (const table of tables) {
      lite[table] = {};
      for (const c of sqlite.raw.pragma(`table_info(${table})`) as { name: string; type: string; notnull: number; pk: number }[])
        lite[table][c.name] = { type: family(c.type), notNull: c.notnull === 1 || (c.pk > 0 && family(c.type) !== "integer") };
    }
    const post: Schema = {};
    const rows = await pg.all<{ table_name: string; column_name: string; data_type: string; is_nullable: string }>(
      "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> 'compox_schema'",
    );
    for (const r of rows) {
      // PostgreSQL keeps SQLite's implicit rowid as a real column (insertion order).
      if (r.column_name === "rowid") continue;
      (post[r.table_name] ??= {})[r.column_name] = { type: family(r.data_type), notNull: r.is_nullable === "NO" };
    }
    assert.ok(Object.keys(lite).length >= 14, `SQLite has ${Object.keys(lite).length} tables`);
    assert.deepEqual(Object.keys(post).sort(), Object.keys(lite).sort(), "the same tables");
    for (const table of Object.keys(lite)) assert.deepEqual(post[table], lite[table], `table ${table}`);
  } finally {
    sqlite.raw.close();
    await pg.close();
  }
});
