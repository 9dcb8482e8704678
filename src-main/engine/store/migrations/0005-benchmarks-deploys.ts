// Compox 3.2 additions: benchmark records, asynchronous deploy records, and each algorithm's
// cached storage metrics (NULL = to be recomputed on the next read).
import type { Database } from "better-sqlite3";

export const version = 5;

export function up(db: Database): void {
  db.exec(`
    CREATE TABLE benchmarks (
      benchmark_id TEXT PRIMARY KEY,
      algorithm_id TEXT NOT NULL,
      additional_parameters TEXT NOT NULL,  -- JSON object, as the client sent it
      status TEXT NOT NULL,
      time_started TEXT NOT NULL,
      time_completed TEXT NOT NULL,
      data TEXT NOT NULL,                   -- JSON object benchmark() returned ({} until done)
      created_ms INTEGER NOT NULL
    );
    CREATE TABLE deploys (
      deploy_id TEXT PRIMARY KEY,
      path TEXT NOT NULL,
      status TEXT NOT NULL,
      time_started TEXT NOT NULL,
      time_completed TEXT NOT NULL,
      result TEXT,                          -- JSON deploy result when COMPLETED
      error TEXT,                           -- JSON error body when FAILED
      created_ms INTEGER NOT NULL
    );
    ALTER TABLE algorithms ADD COLUMN storage_metrics TEXT;
  `);
}
