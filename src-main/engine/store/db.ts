// Opens the SQLite store in WAL mode and brings its schema up to date.
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { CompoxError } from "../../contract/errors.js";
import { appRoot } from "../app-paths.js";
import { MIGRATIONS, type Migration } from "./migrations/index.js";
import { openPgDb } from "./postgres/pg-db.js";
import type { SqlDb } from "./sql.js";

/** The record store the repositories use: SQLite here, or PostgreSQL (postgres/pg-db.ts). */
export type Db = SqlDb;
export type SqliteDb = Database.Database;

/** Applies the migrations newer than the database's `user_version`, each in its own transaction. */
export function migrate(db: SqliteDb, migrations: readonly Migration[] = MIGRATIONS): number {
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
export function cachePreparedStatements(db: SqliteDb): SqliteDb {
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
  }) as SqliteDb["prepare"];
  return db;
}

/** Opens (creating if needed) `<dataDir>/compox.db`; safe to open from several processes at once. */
export function openDb(dataDir: string): SqliteDb {
  fs.mkdirSync(dataDir, { recursive: true });
  const nativeBinding = nativeBindingFor(process.versions, appRoot());
  const db = new Database(path.join(dataDir, "compox.db"), nativeBinding ? { nativeBinding } : {});
  db.pragma("journal_mode = WAL");
  db.pragma("busy_timeout = 5000");
  db.pragma("foreign_keys = ON");
  db.pragma("synchronous = NORMAL");
  migrate(db);
  return cachePreparedStatements(db);
}

/** The record store of the settings: PostgreSQL at `databaseUrl` (cluster mode), else SQLite in `dataDir`. */
export function openRecordStore(dataDir: string, databaseUrl?: string): SqlDb {
  return databaseUrl ? openPgDb(databaseUrl) : openDb(dataDir);
}
