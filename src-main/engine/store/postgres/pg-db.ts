// The record store on PostgreSQL (cluster mode): the SqlDb port over a pool of connections, so a
// node's requests, heartbeats and reapers never wait behind one another's round trips. A
// connection that breaks (a server restart, a network cut) leaves the pool and a new one is made
// on next need: the process carries on once PostgreSQL is back, and meanwhile answers 503
// `service_unavailable` (retryable). The schema is brought up to date by numbered migrations
// under an advisory lock, so API nodes and workers starting together migrate once.
import { createRequire } from "node:module";
import type PgModule from "pg";
import { CompoxError } from "../../../contract/errors.js";
import { redactUrl } from "../../../contract/redact.js";
import type { SqlDb, SqlQueries, SqlTx, TransactionOptions } from "../sql.js";
import { PG_MIGRATIONS, type PgMigration } from "./migrations/index.js";
import { toPostgres } from "./sql-dialect.js";

// Loaded on first use: the desktop never needs it.
const pgModule = () => createRequire(import.meta.url)("pg") as typeof PgModule;

/** Advisory lock keys: schema migrations, and transactions that must not interleave (deploys). */
const MIGRATION_LOCK = 0x636f6d70; // "comp"
const WRITER_LOCK = 0x6f786462; // "oxdb"

/** Connections per process: requests, the worker's claims and the reaper each get their own. */
const POOL_SIZE = 10;

/** PostgreSQL's refusal of a statement, with its SQLSTATE code. */
export class PgError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/** SQLite's `SELECT *` leaves out its rowid; so does this store, where rowid is a real column. */
function withoutRowid(row: Record<string, unknown>): Record<string, unknown> {
  if (!("rowid" in row)) return row;
  const { rowid: _rowid, ...rest } = row;
  return rest;
}

export interface PgOptions {
  /** How long one statement may take before it fails (ms; default 60 s, so a statement that
   * waits out a 30 s stall of the server, a lock or a failover, still lands). */
  queryTimeoutMs?: number;
  /** How long reaching the server may take (ms). */
  connectTimeoutMs?: number;
}

type Client = PgModule.PoolClient;
type Queryable = Client | PgModule.Pool;

/** Statements on one queryable (the pool, or the connection a transaction holds). */
abstract class PgQueries implements SqlQueries {
  async run(sql: string, ...params: unknown[]): Promise<{ changes: number }> {
    return { changes: (await this.query(sql, params)).rowCount ?? 0 };
  }

  async get<T>(sql: string, ...params: unknown[]): Promise<T | undefined> {
    const row = (await this.query(sql, params)).rows[0];
    return row && (withoutRowid(row) as T);
  }

  async all<T>(sql: string, ...params: unknown[]): Promise<T[]> {
    return (await this.query(sql, params)).rows.map((r) => withoutRowid(r) as T);
  }

  async column<T>(sql: string, ...params: unknown[]): Promise<T[]> {
    return (await this.query(sql, params)).rows.map((r) => Object.values(r)[0] as T);
  }

  /** Where statements go; throws once that is no longer allowed (an ended transaction). */
  protected abstract target(): Queryable;

  /** Turns a failed call into what it means (PgDb.problem). */
  protected abstract problem(err: unknown): Error;

  private query(sql: string, params: readonly unknown[]): Promise<PgModule.QueryResult<Record<string, unknown>>> {
    const { text, values } = toPostgres(sql, params);
    return this.send(text, values);
  }

  protected async send(text: string, values: unknown[] = []): Promise<PgModule.QueryResult<Record<string, unknown>>> {
    try {
      return await this.target().query({ text, values });
    } catch (err) {
      throw this.problem(err);
    }
  }
}

/** An open transaction's handle: its statements go to the connection it holds. */
class PgTransaction extends PgQueries implements SqlTx {
  /** False once the transaction has ended: a late statement through it is a bug, not a write. */
  live = true;
  private depth = 0;

  constructor(
    private readonly client: Client,
    private readonly explain: (err: unknown) => Error,
  ) {
    super();
  }

  /** A savepoint inside this transaction. */
  async transaction<T>(fn: (tx: SqlTx) => Promise<T>): Promise<T> {
    const name = `s${++this.depth}`;
    await this.send(`SAVEPOINT ${name}`);
    try {
      const result = await fn(this);
      await this.send(`RELEASE SAVEPOINT ${name}`);
      return result;
    } catch (err) {
      await this.send(`ROLLBACK TO SAVEPOINT ${name}`);
      throw err;
    } finally {
      this.depth--;
    }
  }

  protected target(): Queryable {
    if (!this.live) throw new Error("a statement was sent through a transaction that has ended");
    return this.client;
  }

  protected problem(err: unknown): Error {
    return this.explain(err);
  }
}

/** PostgreSQL behind the SqlDb port. */
export class PgDb extends PgQueries implements SqlDb {
  private readonly pool: PgModule.Pool;

  constructor(
    readonly url: string,
    options: PgOptions = {},
  ) {
    super();
    const pg = pgModule();
    this.pool = new pg.Pool({
      connectionString: url,
      max: POOL_SIZE,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
      query_timeout: options.queryTimeoutMs ?? 60_000,
      idleTimeoutMillis: 30_000,
      allowExitOnIdle: true,
      // As the desktop's SQLite (WAL, synchronous = NORMAL): a crash of the server may lose the
      // last moments of commits, never consistency; each write then costs a round trip, not an fsync.
      options: "-c synchronous_commit=off",
      // BIGINT (ms times, counts) as numbers.
      types: { getTypeParser: ((oid: number, format?: "text" | "binary") => (oid === 20 ? Number : pg.types.getTypeParser(oid, format))) as PgModule.CustomTypesConfig["getTypeParser"] },
    });
    // A pooled connection the server dropped while idle: the pool discards it; nothing to do.
    this.pool.on("error", () => undefined);
  }

  async transaction<T>(fn: (tx: SqlTx) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    let client: Client;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw this.problem(err);
    }
    const tx = new PgTransaction(client, (err) => this.problem(err));
    let broken: unknown;
    try {
      await tx.run("BEGIN");
      if (options.exclusive) await tx.run(`SELECT pg_advisory_xact_lock(${WRITER_LOCK})`);
      const result = await fn(tx);
      await tx.run("COMMIT");
      return result;
    } catch (err) {
      await client.query("ROLLBACK").catch((e: unknown) => (broken = e));
      throw err;
    } finally {
      tx.live = false;
      client.release(broken instanceof Error ? broken : undefined);
    }
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }

  protected target(): Queryable {
    return this.pool;
  }

  /** What a failed call means: PostgreSQL's refusal (PgError), a setting to fix, or an outage to wait out. */
  protected problem(err: unknown): Error {
    if (err instanceof CompoxError || err instanceof PgError) return err;
    const { message = String(err), code } = (err ?? {}) as { message?: string; code?: string };
    const where = `PostgreSQL at ${redactUrl(this.url)}`;
    // Wrong password, no such database: the setting is wrong, waiting will not help.
    if (code === "28P01" || code === "28000" || code === "3D000")
      return new CompoxError("internal_error", `cannot use ${where}: ${message}; check database_url (COMPOX_DATABASE_URL); \`compox doctor\` checks`);
    // A SQLSTATE outside connection (08), shutdown (57P0x) and resources (53): the statement's own refusal.
    if (code && /^[0-9A-Z]{5}$/.test(code) && !/^(08|53|57P0)/.test(code)) return new PgError(message, code);
    return new CompoxError("service_unavailable", `${where} cannot be reached (${message}); this node goes on once it answers again: try again shortly, and check database_url (COMPOX_DATABASE_URL) and that the server is running (\`compox doctor\` checks)`);
  }
}

/** Brings the schema to the newest version, in one transaction under an advisory lock; returns it. */
export async function migratePg(db: PgDb, migrations: readonly PgMigration[] = PG_MIGRATIONS): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.run(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
    await tx.run("CREATE TABLE IF NOT EXISTS compox_schema (version BIGINT NOT NULL)");
    let current = Number((await tx.get<{ v: number | null }>("SELECT max(version) AS v FROM compox_schema"))?.v ?? 0);
    const newest = migrations.at(-1)?.version ?? 0;
    if (current > newest)
      throw new CompoxError("internal_error", `the PostgreSQL database was written by a newer Compox Desktop (schema ${current}, this one knows ${newest}); upgrade every node`);
    for (const m of migrations) {
      if (m.version <= current) continue;
      await tx.run(m.sql);
      await tx.run(`INSERT INTO compox_schema (version) VALUES (${m.version})`);
      current = m.version;
    }
    return current;
  });
}

/** Connects to `url` and migrates; throws a CompoxError naming the setting when it cannot. */
export async function openPgDb(url: string, options?: PgOptions): Promise<PgDb> {
  const db = new PgDb(url, options);
  try {
    await migratePg(db);
  } catch (err) {
    await db.close();
    if (err instanceof PgError)
      throw new CompoxError("internal_error", `PostgreSQL at ${redactUrl(url)} refused Compox's tables: ${err.message}; the role in database_url needs to own the database (createdb -O <role> <db>) or have CREATE on its schema`);
    throw err;
  }
  return db;
}

/** What keeps `url` from answering `SELECT 1` within `timeoutMs`, or undefined when it answers. */
export async function postgresProblem(url: string, timeoutMs: number): Promise<string | undefined> {
  const db = new PgDb(url, { connectTimeoutMs: timeoutMs, queryTimeoutMs: timeoutMs });
  try {
    await db.get("SELECT 1");
    return undefined;
  } catch (err) {
    return (err as Error).message;
  } finally {
    await db.close();
  }
}
