// Datasets (HDF5 files under <data>/datasets) and execution records with their logs.
import type { Database } from "better-sqlite3";

export const version = 2;

export function up(db: Database): void {
  db.exec(`
    CREATE TABLE datasets (
      file_id TEXT PRIMARY KEY,
      size INTEGER NOT NULL,
      keys_json TEXT NOT NULL,         -- {key: {shape, dtype}}
      name TEXT,                       -- original file name, when imported
      time_created TEXT NOT NULL,      -- Compox's time format
      created_ms INTEGER NOT NULL,
      expires_ms INTEGER               -- NULL: never expires
    );
    CREATE INDEX datasets_created ON datasets(created_ms);
    CREATE TABLE executions (
      execution_id TEXT PRIMARY KEY,
      algorithm_id TEXT NOT NULL,
      algorithm_minor_version TEXT NOT NULL,
      input_dataset_ids TEXT NOT NULL,       -- JSON array
      execution_device_override TEXT,
      resolved_execution_device TEXT NOT NULL,
      additional_parameters TEXT NOT NULL,   -- JSON object
      session_token TEXT NOT NULL,
      checkpoint_id TEXT,
      output_dataset_ids TEXT NOT NULL,      -- JSON array
      status TEXT NOT NULL,
      progress REAL NOT NULL,
      time_started TEXT NOT NULL,
      time_completed TEXT NOT NULL,
      log TEXT NOT NULL,
      created_ms INTEGER NOT NULL
    );
    CREATE INDEX executions_created ON executions(created_ms);
    CREATE INDEX executions_status ON executions(status);
  `);
}
