// Test support for the PostgreSQL record store: the server the tests use (Debian's, started by
// `npm run setup:system`, role compox), whether it answers, and fresh databases dropped after use.
import { randomUUID } from "node:crypto";
import { PgDb, postgresProblem } from "../store/postgres/pg-db.js";
import { needs } from "./system-needs.js";

/** An admin URL on the test server (any database the role may connect to). */
export const TEST_DATABASE_URL = process.env.COMPOX_TEST_DATABASE_URL ?? "postgres://compox:compox@127.0.0.1:5432/postgres";

export const needsPostgres = needs("postgresql (running, role compox; npm run setup:system starts it)", (await postgresProblem(TEST_DATABASE_URL, 5000)) === undefined);

/** The URL of database `name` on the test server. */
function urlOf(name: string): string {
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A new, empty database on the test server; dropped (with its connections) on dispose. */
export async function tempDatabase(): Promise<{ url: string; [Symbol.asyncDispose](): Promise<void> }> {
  const name = `compox_test_${randomUUID().replace(/-/g, "").slice(0, 16)}`;
  const admin = new PgDb(TEST_DATABASE_URL, { connectTimeoutMs: 10_000 });
  await admin.run(`CREATE DATABASE ${name}`);
  return {
    url: urlOf(name),
    async [Symbol.asyncDispose]() {
      try {
        // A plain DROP ends an autovacuum worker on the database itself; FORCE would have to signal
        // it, which a non-superuser role may not (SQLSTATE 42501), so it is only for connections
        // a test left open (55006).
        try {
          await admin.run(`DROP DATABASE IF EXISTS ${name}`);
        } catch (err) {
          if ((err as { code?: string }).code !== "55006") throw err;
          await admin.run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        }
      } finally {
        await admin.close();
      }
    },
  };
}
