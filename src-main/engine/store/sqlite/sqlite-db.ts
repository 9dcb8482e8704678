// The record store on SQLite (the desktop): better-sqlite3 in WAL mode behind the async port.
// Statements run on the spot (a local file answers in microseconds, so a worker thread would
// cost more than it saves); a transaction holds the connection, and statements from outside it
// wait until it ends, so no other caller's write joins it or is rolled back with it. Its
// statements go through the handle it is given (no AsyncLocalStorage: that would slow every
// promise in the process).
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { CompoxError } from "../../../contract/errors.js";
import { appRoot } from "../../app-paths.js";
import { MIGRATIONS, type Migration } from "../migrations/index.js";
import type { SqlDb, SqlQueries, SqlTx, TransactionOptions } from "../sql.js";

export type SqliteConnection = Database.Database;

/** Applies the migrations newer than the database's `user_version`, each in its own transaction. */
export function migrate(db: SqliteConnection, migrations: readonly Migration[] = MIGRATIONS): number {
  const current = db.pragma("user_version", { simple: true }) as number;
  const newest = migrations.at(-1)?.version ?? 0;
  if (current > newest)
    throw new CompoxError(
      "internal_error",
      `the data directory was written by a newer Compox Desktop (schema ${current}, this one knows ${newest}); upgrade the application`,
    );
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return db.pragma("user_version", { simple: true }) as number;
}

/**
 * better-sqlite3 is compiled for one ABI: system Node uses node_modules' build, Electron a copy
 * built for it at `build-electron/better_sqlite3.node` (made by `npm start` or packaging).
 */
export function nativeBindingFor(versions: NodeJS.ProcessVersions, root: string): string | undefined {
  if (!versions.electron) return undefined;
  const file = path.join(root, "build-electron", "better_sqlite3.node");
  return fs.existsSync(file) ? file : undefined;
}

/** Statements kept per database; past this (SQL built from variable lists) the cache starts over. */
const STATEMENT_CACHE = 512;

/**
 * Makes `db.prepare` return a cached statement for SQL it has seen: preparing costs more than
 * running the small statements of an execution's life (a third of the store's time on the no-op
 * path). A reused statement is reset to return plain rows, since callers chain `.pluck()` on it.
 */
export function cachePreparedStatements(db: SqliteConnection): SqliteConnection {
  const prepare = db.prepare.bind(db);
  const cache = new Map<string, Database.Statement>();
  db.prepare = ((sql: string) => {
    let stmt = cache.get(sql);
    if (!stmt) {
      if (cache.size >= STATEMENT_CACHE) cache.clear();
      stmt = prepare(sql);
      cache.set(sql, stmt);
    } else if (stmt.reader) stmt.pluck(false).expand(false).raw(false);
    return stmt;
  }) as SqliteConnection["prepare"];
  return db;
}

/** The statements both the database and an open transaction run; `exec` says when. */
abstract class SqliteQueries implements SqlQueries {
  constructor(readonly raw: SqliteConnection) {}

  run(sql: string, ...params: unknown[]): Promise<{ changes: number }> {
    return this.exec(() => ({ changes: this.raw.prepare(sql).run(...params).changes }));
  }

  get<T>(sql: string, ...params: unknown[]): Promise<T | undefined> {
    return this.exec(() => this.raw.prepare(sql).get(...params) as T | undefined);
  }

  all<T>(sql: string, ...params: unknown[]): Promise<T[]> {
    return this.exec(() => this.raw.prepare(sql).all(...params) as T[]);
  }

  column<T>(sql: string, ...params: unknown[]): Promise<T[]> {
    return this.exec(() => this.raw.prepare(sql).pluck().all(...params) as T[]);
  }

  protected abstract exec<T>(statement: () => T): Promise<T>;

  /** Runs `statement` now; a throw becomes a rejection. */
  protected now<T>(statement: () => T): Promise<T> {
    try {
      return Promise.resolve(statement());
    } catch (err) {
      return Promise.reject(err);
    }
  }
}

/** An open transaction's handle: its statements run at once, on the connection it holds. */
class SqliteStatements extends SqliteQueries implements SqlTx {
  /** False once its transaction has ended: a late statement through it is a bug, not a write. */
  live = true;
  private depth = 0;

  /** A savepoint inside this transaction. */
  async transaction<T>(fn: (tx: SqlTx) => Promise<T>): Promise<T> {
    this.assertLive();
    const name = `s${++this.depth}`;
    this.raw.prepare(`SAVEPOINT ${name}`).run();
    try {
      const result = await fn(this);
      this.raw.prepare(`RELEASE ${name}`).run();
      return result;
    } catch (err) {
      this.raw.prepare(`ROLLBACK TO ${name}`).run();
      this.raw.prepare(`RELEASE ${name}`).run();
      throw err;
    } finally {
      this.depth--;
    }
  }

  protected exec<T>(statement: () => T): Promise<T> {
    return this.now(() => {
      this.assertLive();
      return statement();
    });
  }

  private assertLive(): void {
    if (!this.live) throw new Error("a statement was sent through a transaction that has ended");
  }
}

/** SQLite behind the SqlDb port. */
export class SqliteDb extends SqliteQueries implements SqlDb {
  /** The transaction running now, which statements from outside it wait for. */
  private open: Promise<unknown> | undefined;

  async transaction<T>(fn: (tx: SqlTx) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    while (this.open) await this.open.catch(() => undefined);
    // From here to `this.open = …` nothing yields: no second transaction can start in between.
    const tx = new SqliteStatements(this.raw);
    const body = (async () => {
      this.raw.prepare(options.exclusive ? "BEGIN IMMEDIATE" : "BEGIN").run();
      try {
        const result = await fn(tx);
        this.raw.prepare("COMMIT").run();
        return result;
      } catch (err) {
        if (this.raw.inTransaction) this.raw.prepare("ROLLBACK").run();
        throw err;
      } finally {
        tx.live = false;
      }
    })();
    this.open = body;
    try {
      return await body;
    } finally {
      if (this.open === body) this.open = undefined;
    }
  }

  async close(): Promise<void> {
    await this.afterTransactions();
    if (this.raw.open) this.raw.close();
  }

  /** Runs a statement now, or after the transaction in progress (of which it is not part). */
  protected exec<T>(statement: () => T): Promise<T> {
    return this.open ? this.afterTransactions().then(statement) : this.now(statement);
  }

  private async afterTransactions(): Promise<void> {
    while (this.open) await this.open.catch(() => undefined);
  }
}

/** Opens (creating if needed) `<dataDir>/compox.db`; safe to open from several processes at once. */
export function openDb(dataDir: string): SqliteDb {
  fs.mkdirSync(dataDir, { recursive: true });
  const nativeBinding = nativeBindingFor(process.versions, appRoot());
  const raw = new Database(path.join(dataDir, "compox.db"), nativeBinding ? { nativeBinding } : {});
  raw.pragma("journal_mode = WAL");
  raw.pragma("busy_timeout = 5000");
  raw.pragma("foreign_keys = ON");
  raw.pragma("synchronous = NORMAL");
  migrate(raw);
  return new SqliteDb(cachePreparedStatements(raw));
}
