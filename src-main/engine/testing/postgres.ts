// Test support for the PostgreSQL record store: the server the tests use (Debian's, started by
// `npm run setup:system`, role compox), whether it answers, and fresh databases dropped after use.
import { randomUUID } from "node:crypto";
import { PgSyncConnection, postgresProblem } from "../store/postgres/pg-sync.js";
import { needs } from "./system-needs.js";

/** An admin URL on the test server (any database the role may connect to). */
export const TEST_DATABASE_URL = process.env.COMPOX_TEST_DATABASE_URL ?? "postgres://compox:compox@127.0.0.1:5432/postgres";

export const needsPostgres = needs("postgresql (running, role compox; npm run setup:system starts it)", postgresProblem(TEST_DATABASE_URL, 5000) === undefined);

/** A new, empty database on the test server; dropped (with its connections) on dispose. */
export function tempDatabase(): { url: string; [Symbol.dispose](): void } {
  const name = `compox_test_${randomUUID().replace(/-/g, "").slice(0, 16)}`;
  const admin = new PgSyncConnection(TEST_DATABASE_URL, 10_000);
  admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    [Symbol.dispose]: () => {
      try {
        // A plain DROP ends an autovacuum worker on the database itself; FORCE would have to signal
        // it, which a non-superuser role may not (SQLSTATE 42501), so it is only for connections
        // a test left open (55006).
        try {
          admin.query(`DROP DATABASE IF EXISTS ${name}`);
        } catch (err) {
          if ((err as { code?: string }).code !== "55006") throw err;
          admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        }
      } finally {
        admin.close();
      }
    },
  };
}
