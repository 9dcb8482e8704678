import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { MIGRATIONS } from "../migrations/index.js";
import Database from "better-sqlite3";
import { cachePreparedStatements, migrate, nativeBindingFor, openDb } from "./sqlite-db.js";

test("openDb uses WAL and applies every migration once", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "compox-db-"));
  const db = openDb(dir);
  assert.equal(db.raw.pragma("journal_mode", { simple: true }), "wal");
  assert.equal(db.raw.pragma("user_version", { simple: true }), MIGRATIONS.at(-1)?.version);
  db.raw.close();
  const again = openDb(dir); // reopening is a no-op
  assert.equal(migrate(again.raw), MIGRATIONS.at(-1)?.version);
  again.raw.close();
  fs.rmSync(dir, { recursive: true });
});

test("migrate refuses a database from a newer version", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "compox-db-"));
  const db = openDb(dir);
  db.raw.pragma("user_version = 999");
  assert.throws(() => migrate(db.raw), /newer Compox Desktop/);
  db.raw.close();
  fs.rmSync(dir, { recursive: true });
});

test("under Electron the Electron-ABI build of better-sqlite3 is chosen when present", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "compox-abi-"));
  assert.equal(nativeBindingFor({ ...process.versions }, dir), undefined);
  assert.equal(nativeBindingFor({ ...process.versions, electron: "33.0.0" }, dir), undefined);
  fs.mkdirSync(path.join(dir, "build-electron"));
  fs.writeFileSync(path.join(dir, "build-electron", "better_sqlite3.node"), "");
  assert.equal(nativeBindingFor({ ...process.versions, electron: "33.0.0" }, dir), path.join(dir, "build-electron", "better_sqlite3.node"));
  assert.equal(nativeBindingFor({ ...process.versions }, dir), undefined);
  fs.rmSync(dir, { recursive: true });
});

test("prepare returns one cached statement per SQL, reset to plain rows after a pluck", () => {
  const db = cachePreparedStatements(new Database(":memory:"));
  db.exec("CREATE TABLE t (a INTEGER, b TEXT); INSERT INTO t VALUES (1, 'x'), (2, 'y')");
  const sql = "SELECT a, b FROM t ORDER BY a";
  assert.equal(db.prepare(sql), db.prepare(sql));
  assert.deepEqual(db.prepare(sql).pluck().all(), [1, 2]);
  assert.deepEqual(db.prepare(sql).all(), [{ a: 1, b: "x" }, { a: 2, b: "y" }]);
  assert.deepEqual(db.prepare(sql).raw().all(), [[1, "x"], [2, "y"]]);
  assert.deepEqual(db.prepare(sql).get(), { a: 1, b: "x" });
  // Writers are cached too, and still run.
  db.prepare("INSERT INTO t VALUES (?, ?)").run(3, "z");
  db.prepare("INSERT INTO t VALUES (?, ?)").run(4, "w");
  assert.equal(db.prepare("SELECT COUNT(*) FROM t").pluck().get(), 4);
  db.close();
});
