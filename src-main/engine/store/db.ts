// The one place that picks the record store: PostgreSQL when the settings name one (cluster
// mode), else SQLite in the data directory.
import { openPgDb } from "./postgres/pg-db.js";
import { openDb } from "./sqlite/sqlite-db.js";
import type { SqlDb, SqlTx } from "./sql.js";

/** What the repositories are made on: the record store — SQLite (sqlite/sqlite-db.ts) or
 * PostgreSQL (postgres/pg-db.ts) — or a transaction open on it. */
export type Db = SqlTx;

export { openDb };

/** The record store of the settings: PostgreSQL at `databaseUrl` (cluster mode), else SQLite in `dataDir`. */
export function openRecordStore(dataDir: string, databaseUrl?: string): Promise<SqlDb> {
  return databaseUrl ? openPgDb(databaseUrl) : Promise.resolve(openDb(dataDir));
}
