// The record store's port: what the repositories ask of a database, so SQLite (the desktop) and
// PostgreSQL (cluster mode, postgres/pg-db.ts) sit behind one asynchronous interface. Nothing on
// the engine's thread waits on the network: PostgreSQL answers through a pool of connections,
// SQLite runs its statements on the spot (a local file: microseconds).
// The repositories write SQL both understand: `?` or `@name` parameters (positional values, or one
// object of named ones), ON CONFLICT upserts, `rowid` for insertion order (a real column in
// PostgreSQL), octet_length.

/** Statements, run on their own or inside a transaction. */
export interface SqlQueries {
  /** Runs a statement for its effect; `changes` counts the rows it touched. */
  run(sql: string, ...params: unknown[]): Promise<{ changes: number }>;
  /** The first row, or undefined. */
  get<T>(sql: string, ...params: unknown[]): Promise<T | undefined>;
  /** Every row. */
  all<T>(sql: string, ...params: unknown[]): Promise<T[]>;
  /** The first column of every row. */
  column<T>(sql: string, ...params: unknown[]): Promise<T[]>;
}

/** Statements, and transactions: the database, or an open transaction (where a transaction is a savepoint). */
export interface SqlTx extends SqlQueries {
  /**
   * Runs `fn` in one transaction: the statements it runs through `tx` (directly, or through
   * repositories made on it) commit together or not at all. Statements sent to the database
   * itself meanwhile are not part of it. Inside a transaction, this makes a savepoint.
   */
  transaction<T>(fn: (tx: SqlTx) => Promise<T>, options?: TransactionOptions): Promise<T>;
}

export interface TransactionOptions {
  /** Also keeps other writers (other processes, other nodes) out until it ends: for read-then-write decisions. */
  exclusive?: boolean;
}

export interface SqlDb extends SqlTx {
  close(): Promise<void>;
}
