import assert from "node:assert/strict";
import { test } from "node:test";
import { needsPostgres, tempDatabase } from "../../../testing/postgres.js";
import { migratePg, PgDb } from "../pg-db.js";
import * as m0001 from "./0001-schema.js";
import * as m0002 from "./0002-record-workers.js";
import * as m0003 from "./0003-record-ended.js";

test("0003 adds an empty, indexed ended_ms column to executions and trainings", { skip: needsPostgres }, async () => {
  await using database = await tempDatabase();
  const db = new PgDb(database.url);
  try {
    await migratePg(db, [m0001, m0002]);
    assert.equal(await migratePg(db, [m0001, m0002, m0003]), 3);
    for (const table of ["executions", "trainings"]) {
      assert.equal(Number((await db.get<{ n: number }>("SELECT count(*) AS n FROM information_schema.columns WHERE table_name = ? AND column_name = 'ended_ms'", table))?.n), 1, table);
      assert.equal(Number((await db.get<{ n: number }>("SELECT count(*) AS n FROM pg_indexes WHERE tablename = ? AND indexname = ?", table, `${table}_ended`))?.n), 1, table);
    }
  } finally {
    await db.close();
  }
});
