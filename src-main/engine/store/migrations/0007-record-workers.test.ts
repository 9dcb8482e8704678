import assert from "node:assert/strict";
import { test } from "node:test";
import Database from "better-sqlite3";
import { migrate } from "../sqlite/sqlite-db.js";
import { MIGRATIONS } from "./index.js";

test("0007 adds an empty worker column to executions, trainings and benchmarks", () => {
  const db = new Database(":memory:");
  migrate(db, MIGRATIONS.slice(0, 6));
  db.prepare("INSERT INTO benchmarks VALUES ('b', 'a', '{}', 'COMPLETED', 't', 't', '{}', 0)").run();
  assert.equal(migrate(db, MIGRATIONS.slice(0, 7)), 7);
  for (const table of ["executions", "trainings", "benchmarks"]) assert.ok((db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).some((c) => c.name === "worker"), table);
  assert.equal(db.prepare("SELECT worker FROM benchmarks").pluck().get(), null);
  db.close();
});
