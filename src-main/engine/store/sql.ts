// The record store's port: the part of better-sqlite3's API the repositories use, so SQLite (the
// desktop) and PostgreSQL (cluster mode, postgres/pg-db.ts) sit behind one synchronous interface.
// The repositories write SQL both understand: `?` or `@name` parameters, ON CONFLICT upserts,
// `rowid` for insertion order (a real column in PostgreSQL), octet_length.

/** A statement: run it for its changes, or read one row, all rows, or (after pluck) first columns. */
export interface SqlStatement {
  run(...params: unknown[]): { changes: number };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  /** Rows become their first column's value. */
  pluck(): SqlStatement;
}

/** A function run in one transaction; `immediate` also keeps other writers out until it ends. */
export interface Transaction<T> {
  (): T;
  immediate(): T;
}

export interface SqlDb {
  prepare(sql: string): SqlStatement;
  transaction<T>(fn: () => T): Transaction<T>;
  close(): void;
}
