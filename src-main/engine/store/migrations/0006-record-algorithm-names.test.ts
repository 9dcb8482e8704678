import assert from "node:assert/strict";
import { test } from "node:test";
import Database from "better-sqlite3";
import { migrate } from "../sqlite/sqlite-db.js";
import { MIGRATIONS } from "./index.js";

test("0006 gives existing records the name of their algorithm where it still exists", () => {
  const db = new Database(":memory:");
  migrate(db, MIGRATIONS.slice(0, 5));
  db.prepare("INSERT INTO algorithms (algorithm_id, name, name_key, major, latest_minor, created_at) VALUES ('a1', 'Denoise', 'denoise', 1, 0, 't')").run();
  const cols = (db.prepare("PRAGMA table_info(executions)").all() as { name: string }[]).map((c) => c.name);
  for (const [id, alg] of [["e1", "a1"], ["e2", "gone"]]) {
    const row = Object.fromEntries(cols.map((c) => [c, c === "created_ms" || c === "progress" ? 0 : "x"]));
    Object.assign(row, { execution_id: id, algorithm_id: alg });
    db.prepare(`INSERT INTO executions (${cols.join(", ")}) VALUES (${cols.map((c) => `@${c}`).join(", ")})`).run(row);
  }
  assert.equal(migrate(db, MIGRATIONS.slice(0, 6)), 6);
  assert.deepEqual(db.prepare("SELECT execution_id, algorithm_name FROM executions ORDER BY execution_id").all(), [
    { execution_id: "e1", algorithm_name: "Denoise" },
    { execution_id: "e2", algorithm_name: null },
  ]);
  db.close();
});
