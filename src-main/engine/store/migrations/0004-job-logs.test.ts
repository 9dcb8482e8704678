import assert from "node:assert/strict";
import { test } from "node:test";
import Database from "better-sqlite3";
import { migrate } from "../sqlite/sqlite-db.js";
import * as m0001 from "./0001-algorithms.js";
import * as m0002 from "./0002-datasets-executions.js";
import * as m0003 from "./0003-training.js";
import * as m0004 from "./0004-job-logs.js";

test("0004 moves each record's log into job_logs and empties the old column", () => {
  const db = new Database(":memory:");
  migrate(db, [m0001, m0002, m0003]);
  const cols = (db.prepare("PRAGMA table_info(executions)").all() as { name: string }[]).map((c) => c.name);
  const row = Object.fromEntries(cols.map((c) => [c, c === "log" ? "line 1\nline 2\n" : c === "created_ms" || c === "progress" ? 0 : "x"]));
  row.execution_id = "e1";
  db.prepare(`INSERT INTO executions (${cols.join(", ")}) VALUES (${cols.map((c) => `@${c}`).join(", ")})`).run(row);
  assert.equal(migrate(db, [m0001, m0002, m0003, m0004]), 4);
  assert.deepEqual(db.prepare("SELECT job_id, part, line FROM job_logs").all(), [{ job_id: "e1", part: "head", line: "line 1\nline 2\n" }]);
  assert.equal(db.prepare("SELECT log FROM executions").pluck().get(), "");
  db.close();
});
