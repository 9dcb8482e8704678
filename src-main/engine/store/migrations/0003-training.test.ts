import assert from "node:assert/strict";
import { test } from "node:test";
import Database from "better-sqlite3";
import { migrate } from "../sqlite/sqlite-db.js";
import * as m0001 from "./0001-algorithms.js";
import * as m0002 from "./0002-datasets-executions.js";
import * as m0003 from "./0003-training.js";

test("0003 adds samples, trainings and checkpoints; deleting a checkpoint deletes its files", () => {
  const db = new Database(":memory:");
  db.pragma("foreign_keys = ON");
  assert.equal(migrate(db, [m0001, m0002, m0003]), 3);
  db.prepare("INSERT INTO checkpoints VALUES ('c', 't', 'a', NULL, '0', 'now', '{}', '[]')").run();
  db.prepare("INSERT INTO checkpoint_files VALUES ('c', 'files/model.json', 'b')").run();
  db.prepare("DELETE FROM checkpoints WHERE checkpoint_id = 'c'").run();
  assert.equal(db.prepare("SELECT COUNT(*) FROM checkpoint_files").pluck().get(), 0);
  db.close();
});
