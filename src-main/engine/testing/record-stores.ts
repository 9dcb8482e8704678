// The record store's implementations, as the conformance suite opens them: SQLite in a temp
// folder, and PostgreSQL in a fresh database (skipped, naming the package, when none answers).
import { openDb, type Db } from "../store/db.js";
import { openPgDb } from "../store/postgres/pg-db.js";
import { needsPostgres, tempDatabase } from "./postgres.js";
import { tempDir } from "./temp-algorithm.js";

export interface OpenedStore {
  db: Db;
  /** Opens the same store again (a restart), closing the current handle. */
  reopen(): Db;
  [Symbol.dispose](): void;
}

export interface RecordStoreCase {
  name: string;
  skip: string | false;
  open(): OpenedStore;
}

export const RECORD_STORES: readonly RecordStoreCase[] = [
  {
    name: "SQLite",
    skip: false,
    open() {
      const dir = tempDir("compox-records-");
      const store = {
        db: openDb(dir.path) as Db,
        reopen: () => (store.db.close(), (store.db = openDb(dir.path))),
        [Symbol.dispose]: () => (store.db.close(), dir[Symbol.dispose]()),
      };
      return store;
    },
  },
  {
    name: "PostgreSQL",
    skip: needsPostgres,
    open() {
      const database = tempDatabase();
      const store = {
        db: openPgDb(database.url) as Db,
        reopen: () => (store.db.close(), (store.db = openPgDb(database.url))),
        [Symbol.dispose]: () => (store.db.close(), database[Symbol.dispose]()),
      };
      return store;
    },
  },
];
