import assert from "node:assert/strict";
import { test } from "node:test";
import Database from "better-sqlite3";
import { migrate } from "../sqlite/sqlite-db.js";
import * as m0001 from "./0001-algorithms.js";
import * as m0002 from "./0002-datasets-executions.js";

test("0002 adds datasets and executions on top of 0001", () => {
  const db = new Database(":memory:");
  assert.equal(migrate(db, [m0001]), 1);
  assert.equal(migrate(db, [m0001, m0002]), 2);
  const cols = (t: string) => (db.prepare(`PRAGMA table_info(${t})`).all() as { name: string }[]).map((c) => c.name);
  assert.ok(cols("datasets").includes("expires_ms"));
  assert.deepEqual(
    cols("executions").filter((c) => c !== "created_ms"),
    ["execution_id", "algorithm_id", "algorithm_minor_version", "input_dataset_ids", "execution_device_override", "resolved_execution_device", "additional_parameters", "session_token", "checkpoint_id", "output_dataset_ids", "status", "progress", "time_started", "time_completed", "log"],
  );
  db.close();
});
