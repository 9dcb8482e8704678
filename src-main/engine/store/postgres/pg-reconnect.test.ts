// PostgreSQL dropping every connection (a restart, a failover, an admin's pg_terminate_backend):
// the pool replaces them, so the node carries on with no restart; anything that fails meanwhile
// is a retryable 503, never an internal error.
import assert from "node:assert/strict";
import { test } from "node:test";
import { CompoxError } from "../../../contract/errors.js";
import { eventually } from "../../testing/eventually.js";
import { needsPostgres, tempDatabase, TEST_DATABASE_URL } from "../../testing/postgres.js";
import { PgDb } from "./pg-db.js";

test("connections the server drops are replaced: queries go on, failures meanwhile are retryable 503s", { skip: needsPostgres }, async () => {
  await using database = await tempDatabase();
  const db = new PgDb(database.url);
  const admin = new PgDb(TEST_DATABASE_URL);
  try {
    await db.run("CREATE TABLE t (n BIGINT)");
    // Several pooled connections, all idle after this.
    await Promise.all(Array.from({ length: 4 }, (_, i) => db.run("INSERT INTO t VALUES (?)", i)));
    const name = new URL(database.url).pathname.slice(1);
    const dropped = await admin.column<boolean>("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid()", name);
    assert.ok(dropped.length >= 1 && dropped.every(Boolean), `terminated ${dropped.length} connection(s)`);
    const failures: unknown[] = [];
    const n = await eventually(async () => {
      try {
        return Number((await db.get<{ n: number }>("SELECT count(*) AS n FROM t"))?.n);
      } catch (err) {
        failures.push(err);
        return undefined;
      }
    }, "a query to succeed after the connections were dropped");
    assert.equal(n, 4);
    for (const err of failures) assert.ok(err instanceof CompoxError && err.code === "service_unavailable" && err.toJSON().retryable, String(err));
    // A transaction on a fresh connection works too.
    await db.transaction(async (tx) => {
      await tx.run("INSERT INTO t VALUES (9)");
    });
    assert.equal(Number((await db.get<{ n: number }>("SELECT count(*) AS n FROM t"))?.n), 5);
  } finally {
    await db.close();
    await admin.close();
  }
});
