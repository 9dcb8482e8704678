import assert from "node:assert/strict";
import { test } from "node:test";
import { needsPostgres, tempDatabase } from "../../../testing/postgres.js";
import { migratePg, PgDb } from "../pg-db.js";
import * as m0001 from "./0001-schema.js";
import * as m0002 from "./0002-record-workers.js";

test("0002 adds an empty worker column to executions, trainings and benchmarks, keeping their rows", { skip: needsPostgres }, async () => {
  await using database = await tempDatabase();
  const db = new PgDb(database.url);
  try {
    await migratePg(db, [m0001]);
    await db.run("INSERT INTO benchmarks VALUES ('b', 'a', '{}', 'COMPLETED', 't', 't', '{}', 0)");
    assert.equal(await migratePg(db, [m0001, m0002]), 2);
    for (const table of ["executions", "trainings", "benchmarks"])
      assert.equal((await db.get<{ n: number }>("SELECT count(*) AS n FROM information_schema.columns WHERE table_name = ? AND column_name = 'worker'", table))?.n, 1, table);
    assert.deepEqual(await db.all("SELECT benchmark_id, worker FROM benchmarks"), [{ benchmark_id: "b", worker: null }]);
  } finally {
    await db.close();
  }
});
