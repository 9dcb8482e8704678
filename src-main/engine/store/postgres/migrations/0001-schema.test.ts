import assert from "node:assert/strict";
import { test } from "node:test";
import { CompoxError } from "../../../../contract/errors.js";
import { needsPostgres, tempDatabase } from "../../../testing/postgres.js";
import { migratePg, PgDb } from "../pg-db.js";
import * as m0001 from "./0001-schema.js";

test("0001 creates every table once; a rerun is a no-op; a newer schema is refused", { skip: needsPostgres }, async () => {
  await using database = await tempDatabase();
  const db = new PgDb(database.url);
  try {
    assert.equal(await migratePg(db, [m0001]), 1);
    assert.equal(await migratePg(db, [m0001]), 1);
    const tables = await db.column("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name");
    assert.deepEqual(tables, ["algorithm_versions", "algorithms", "benchmarks", "checkpoint_files", "checkpoints", "compox_schema", "datasets", "deploys", "executions", "job_log_cuts", "job_logs", "modules", "samples", "trainings", "version_assets"]);
    await db.run("INSERT INTO compox_schema (version) VALUES (99)");
    await assert.rejects(migratePg(db, [m0001]), /newer Compox Desktop \(schema 99, this one knows 1\)/);
  } finally {
    await db.close();
  }
});

test("an unreachable server is a retryable 503 naming the URL (without its password) and the setting", async () => {
  const db = new PgDb("postgres://compox:secret@127.0.0.1:1/none", { connectTimeoutMs: 5000 });
  try {
    await assert.rejects(
      db.get("SELECT 1"),
      (err: Error) =>
        err instanceof CompoxError &&
        err.code === "service_unavailable" &&
        err.toJSON().retryable &&
        /PostgreSQL at postgres:\/\/compox:\*\*\*@127\.0\.0\.1:1\/none cannot be reached .*database_url \(COMPOX_DATABASE_URL\)/.test(err.message) &&
        !err.message.includes("secret"),
    );
  } finally {
    await db.close();
  }
});
