// The record store on PostgreSQL (cluster mode): the SqlDb port over a blocking connection
// (pg-sync.ts), its schema brought up to date by numbered migrations under an advisory lock, so
// API nodes and workers starting together migrate once.
import { CompoxError } from "../../../contract/errors.js";
import type { SqlDb, SqlStatement, Transaction } from "../sql.js";
import { PG_MIGRATIONS, type PgMigration } from "./migrations/index.js";
import { redactUrl } from "../../../contract/redact.js";
import { PgError, PgSyncConnection } from "./pg-sync.js";
import { toPostgres } from "./sql-dialect.js";

/** Advisory lock keys: schema migrations, and transactions that must not interleave (deploys). */
const MIGRATION_LOCK = 0x636f6d70; // "comp"
const WRITER_LOCK = 0x6f786462; // "oxdb"

/** SQLite's `SELECT *` leaves out its rowid; so does this store, where rowid is a real column. */
function withoutRowid(row: Record<string, unknown>): Record<string, unknown> {
  if (!("rowid" in row)) return row;
  const { rowid: _rowid, ...rest } = row;
  return rest;
}

class PgStatement implements SqlStatement {
  constructor(
    private readonly conn: PgSyncConnection,
    private readonly sql: string,
    private readonly plucked = false,
  ) {}

  private rows(params: unknown[]): unknown[] {
    const { text, values } = toPostgres(this.sql, params);
    const rows = this.conn.query(text, values).rows.map(withoutRowid);
    return this.plucked ? rows.map((r) => Object.values(r)[0]) : rows;
  }

  run(...params: unknown[]): { changes: number } {
    const { text, values } = toPostgres(this.sql, params);
    return { changes: this.conn.query(text, values).changes };
  }

  get(...params: unknown[]): unknown {
    return this.rows(params)[0];
  }

  all(...params: unknown[]): unknown[] {
    return this.rows(params);
  }

  pluck(): SqlStatement {
    return new PgStatement(this.conn, this.sql, true);
  }
}

/** PostgreSQL behind the SqlDb port. */
export class PgDb implements SqlDb {
  private depth = 0;

  constructor(readonly conn: PgSyncConnection) {}

  prepare(sql: string): SqlStatement {
    return new PgStatement(this.conn, sql);
  }

  transaction<T>(fn: () => T): Transaction<T> {
    const run =
      (exclusive: boolean) =>
      (): T => {
        // Nested calls become savepoints, as in better-sqlite3.
        const savepoint = this.depth > 0 ? `s${this.depth}` : undefined;
        this.conn.query(savepoint ? `SAVEPOINT ${savepoint}` : "BEGIN");
        if (exclusive && !savepoint) this.conn.query(`SELECT pg_advisory_xact_lock(${WRITER_LOCK})`);
        this.depth++;
        try {
          const result = fn();
          this.depth--;
          this.conn.query(savepoint ? `RELEASE SAVEPOINT ${savepoint}` : "COMMIT");
          return result;
        } catch (err) {
          this.depth--;
          this.conn.query(savepoint ? `ROLLBACK TO SAVEPOINT ${savepoint}` : "ROLLBACK");
          throw err;
        }
      };
    return Object.assign(run(false), { immediate: run(true) });
  }

  close(): void {
    this.conn.close();
  }
}

/** Brings the schema to the newest version, in one transaction under an advisory lock; returns it. */
export function migratePg(db: PgDb, migrations: readonly PgMigration[] = PG_MIGRATIONS): number {
  const q = (sql: string) => db.conn.query(sql);
  q("BEGIN");
  try {
    q(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
    q("CREATE TABLE IF NOT EXISTS compox_schema (version BIGINT NOT NULL)");
    let current = Number(q("SELECT max(version) AS v FROM compox_schema").rows[0]?.v ?? 0);
    const newest = migrations.at(-1)?.version ?? 0;
    if (current > newest)
      throw new CompoxError("internal_error", `the PostgreSQL database was written by a newer Compox Desktop (schema ${current}, this one knows ${newest}); upgrade every node`);
    for (const m of migrations) {
      if (m.version <= current) continue;
      q(m.sql);
      q(`INSERT INTO compox_schema (version) VALUES (${m.version})`);
      current = m.version;
    }
    q("COMMIT");
    return current;
  } catch (err) {
    q("ROLLBACK");
    throw err;
  }
}

/** Connects to `url` and migrates; throws a CompoxError naming the setting when it cannot. */
export function openPgDb(url: string): PgDb {
  const db = new PgDb(new PgSyncConnection(url));
  try {
    migratePg(db);
  } catch (err) {
    db.close();
    if (err instanceof PgError)
      throw new CompoxError("internal_error", `PostgreSQL at ${redactUrl(url)} refused Compox's tables: ${err.message}; the role in database_url needs to own the database (createdb -O <role> <db>) or have CREATE on its schema`);
    throw err;
  }
  return db;
}
