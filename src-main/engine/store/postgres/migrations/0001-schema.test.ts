import assert from "node:assert/strict";
import { test } from "node:test";
import { needsPostgres, tempDatabase } from "../../../testing/postgres.js";
import { migratePg, PgDb } from "../pg-db.js";
import { PgSyncConnection } from "../pg-sync.js";
import * as m0001 from "./0001-schema.js";

test("0001 creates every table once; a rerun is a no-op; a newer schema is refused", { skip: needsPostgres }, () => {
  using database = tempDatabase();
  const db = new PgDb(new PgSyncConnection(database.url));
  try {
    assert.equal(migratePg(db, [m0001]), 1);
    assert.equal(migratePg(db, [m0001]), 1);
    const tables = db.conn.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name").rows.map((r) => r.table_name);
    assert.deepEqual(tables, ["algorithm_versions", "algorithms", "benchmarks", "checkpoint_files", "checkpoints", "compox_schema", "datasets", "deploys", "executions", "job_log_cuts", "job_logs", "modules", "samples", "trainings", "version_assets"]);
    db.conn.query("INSERT INTO compox_schema (version) VALUES (99)");
    assert.throws(() => migratePg(db, [m0001]), /newer Compox Desktop \(schema 99, this one knows 1\)/);
  } finally {
    db.close();
  }
});

test("an unreachable server is an error naming the URL (without its password) and the setting", () => {
  const conn = new PgSyncConnection("postgres://compox:secret@127.0.0.1:1/none", 5000);
  try {
    assert.throws(() => conn.query("SELECT 1"), (err: Error) => /cannot use PostgreSQL at postgres:\/\/compox:\*\*\*@127\.0\.0\.1:1\/none: .*database_url \(COMPOX_DATABASE_URL\)/.test(err.message) && !err.message.includes("secret"));
  } finally {
    conn.close();
  }
});
