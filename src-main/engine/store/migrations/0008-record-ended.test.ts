import assert from "node:assert/strict";
import { test } from "node:test";
import Database from "better-sqlite3";
import { migrate } from "../sqlite/sqlite-db.js";
import { MIGRATIONS } from "./index.js";

test("0008 adds an empty ended_ms column, indexed, to executions and trainings", () => {
  const db = new Database(":memory:");
  migrate(db, MIGRATIONS.slice(0, 7));
  assert.equal(migrate(db, MIGRATIONS.slice(0, 8)), 8);
  for (const table of ["executions", "trainings"]) {
    assert.ok((db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).some((c) => c.name === "ended_ms"), table);
    assert.ok((db.prepare(`PRAGMA index_list(${table})`).all() as { name: string }[]).some((i) => i.name === `${table}_ended`), table);
  }
  db.close();
});
