// PostgreSQL's numbered, append-only migrations (SQLite's are ../../migrations/): each a version
// and the SQL that brings schema version-1 to it.
import * as m0001 from "./0001-schema.js";
import * as m0002 from "./0002-record-workers.js";
import * as m0003 from "./0003-record-ended.js";

export interface PgMigration {
  version: number;
  sql: string;
}

export const PG_MIGRATIONS: readonly PgMigration[] = [m0001, m0002, m0003];
