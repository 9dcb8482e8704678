// The record store's implementations, as the conformance suite opens them: SQLite in a temp
// folder, and PostgreSQL in a fresh database (skipped, naming the package, when none answers).
import { openDb } from "../store/db.js";
import type { SqlDb } from "../store/sql.js";
import { openPgDb } from "../store/postgres/pg-db.js";
import { needsPostgres, tempDatabase } from "./postgres.js";
import { tempDir } from "./temp-algorithm.js";

export interface OpenedStore {
  db: SqlDb;
  /** Opens the same store again (a restart), closing the current handle. */
  reopen(): Promise<SqlDb>;
  [Symbol.asyncDispose](): Promise<void>;
}

export interface RecordStoreCase {
  name: string;
  skip: string | false;
  open(): Promise<OpenedStore>;
}

export const RECORD_STORES: readonly RecordStoreCase[] = [
  {
    name: "SQLite",
    skip: false,
    async open() {
      const dir = tempDir("compox-records-");
      const store: OpenedStore = {
        db: openDb(dir.path),
        async reopen() {
          await store.db.close();
          return (store.db = openDb(dir.path));
        },
        async [Symbol.asyncDispose]() {
          await store.db.close();
          dir[Symbol.dispose]();
        },
      };
      return store;
    },
  },
  {
    name: "PostgreSQL",
    skip: needsPostgres,
    async open() {
      const database = await tempDatabase();
      const store: OpenedStore = {
        db: await openPgDb(database.url),
        async reopen() {
          await store.db.close();
          return (store.db = await openPgDb(database.url));
        },
        async [Symbol.asyncDispose]() {
          await store.db.close();
          await database[Symbol.asyncDispose]();
        },
      };
      return store;
    },
  },
];
