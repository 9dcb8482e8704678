import assert from "node:assert/strict";
import { test } from "node:test";
import Database from "better-sqlite3";
import { migrate } from "../sqlite/sqlite-db.js";
import * as m0001 from "./0001-algorithms.js";

test("0001 creates the algorithm tables and enforces one line per name and major", () => {
  const db = new Database(":memory:");
  db.pragma("foreign_keys = ON");
  assert.equal(migrate(db, [m0001]), 1);
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name").pluck().all();
  assert.deepEqual(tables, ["algorithm_versions", "algorithms", "modules", "version_assets"]);
  const insert = db.prepare("INSERT INTO algorithms VALUES (?, ?, ?, ?, ?, ?)");
  insert.run("a", "Foo", "foo", 1, 0, "t");
  assert.throws(() => insert.run("b", "FOO", "foo", 1, 0, "t"), /UNIQUE/);
  insert.run("c", "foo", "foo", 2, 0, "t");
  // Removing a line removes its versions and their assets.
  db.prepare("INSERT INTO modules VALUES ('m', 'blob', 'ts', 'Runner.ts')").run();
  db.prepare("INSERT INTO algorithm_versions VALUES ('a', 0, 'm', '{}', '', 't', 't')").run();
  db.prepare("INSERT INTO version_assets VALUES ('a', 0, 'files/x', 'h', 1)").run();
  db.prepare("DELETE FROM algorithms WHERE algorithm_id = 'a'").run();
  assert.equal(db.prepare("SELECT COUNT(*) FROM version_assets").pluck().get(), 0);
  db.close();
});
