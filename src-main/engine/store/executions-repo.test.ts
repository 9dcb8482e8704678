import assert from "node:assert/strict";
import { test } from "node:test";
import type { ExecutionRecord } from "../../contract/records.js";
import { tempDir } from "../testing/temp-algorithm.js";
import { openDb } from "./db.js";
import { ExecutionsRepo } from "./executions-repo.js";
import { LogStore } from "./log-store.js";

const base: ExecutionRecord = {
  execution_id: "e1", algorithm_id: "a", algorithm_minor_version: "0", input_dataset_ids: ["d1"], execution_device_override: null,
  resolved_execution_device: "cpu", additional_parameters: { w: 1 }, session_token: "s", checkpoint_id: null, output_dataset_ids: [],
  status: "PENDING", progress: 0, time_started: "t", time_completed: "", log: "",
};

test("progress is stored; logs append; old finished records are pruned", () => {
  using dir = tempDir();
  const db = openDb(dir.path);
  const repo = new ExecutionsRepo(db, new LogStore(db, () => 1 << 20));
  repo.insert(base, 1000);
  repo.insert({ ...base, execution_id: "e2" }, 5000);
  repo.setProgress("e1", 0.5);
  assert.equal(repo.get("e1")?.progress, 0.5);
  repo.appendLog("e1", "one");
  repo.appendLog("e1", "two");
  assert.equal(repo.get("e1")?.log, "one\ntwo\n");
  assert.deepEqual([...repo.activeInputIds()], ["d1"]);
  assert.equal(repo.pruneBefore(2000), 0, "unfinished records are kept");
  repo.setStatus("e1", "COMPLETED", { progress: 1, time_completed: "t2", output_dataset_ids: ["o"] });
  assert.deepEqual(repo.get("e1")?.output_dataset_ids, ["o"]);
  assert.deepEqual(repo.list({ limit: 1 }).map((r) => r.execution_id), ["e2"]);
  assert.deepEqual(repo.list({ before: "e2" }).map((r) => r.execution_id), ["e1"]);
  assert.deepEqual(repo.list({ status: "COMPLETED" }).map((r) => r.execution_id), ["e1"]);
  assert.equal(repo.pruneBefore(2000), 1);
  assert.equal(repo.get("e1"), undefined);
  db.close();
});
