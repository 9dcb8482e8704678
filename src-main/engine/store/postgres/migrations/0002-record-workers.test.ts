import assert from "node:assert/strict";
import { test } from "node:test";
import { needsPostgres, tempDatabase } from "../../../testing/postgres.js";
import { migratePg, PgDb } from "../pg-db.js";
import { PgSyncConnection } from "../pg-sync.js";
import * as m0001 from "./0001-schema.js";
import * as m0002 from "./0002-record-workers.js";

test("0002 adds an empty worker column to executions, trainings and benchmarks, keeping their rows", { skip: needsPostgres }, () => {
  using database = tempDatabase();
  const db = new PgDb(new PgSyncConnection(database.url));
  try {
    migratePg(db, [m0001]);
    db.conn.query("INSERT INTO benchmarks VALUES ('b', 'a', '{}', 'COMPLETED', 't', 't', '{}', 0)");
    assert.equal(migratePg(db, [m0001, m0002]), 2);
    for (const table of ["executions", "trainings", "benchmarks"])
      assert.equal(db.conn.query("SELECT count(*) AS n FROM information_schema.columns WHERE table_name = $1 AND column_name = 'worker'", [table]).rows[0]?.n, 1, table);
    assert.deepEqual(db.conn.query("SELECT benchmark_id, worker FROM benchmarks").rows, [{ benchmark_id: "b", worker: null }]);
  } finally {
    db.close();
  }
});
