// Samples (input/target dataset pairs), training records, and checkpoints with their files.
import type { Database } from "better-sqlite3";

export const version = 3;

export function up(db: Database): void {
  db.exec(`
    CREATE TABLE samples (
      sample_id TEXT PRIMARY KEY,
      files_json TEXT NOT NULL,        -- [{"input": [ids], "target": [ids]}]
      tags_json TEXT NOT NULL,
      time_created TEXT NOT NULL,
      created_ms INTEGER NOT NULL
    );
    CREATE TABLE trainings (
      training_id TEXT PRIMARY KEY,
      algorithm_id TEXT NOT NULL,
      algorithm_minor_version TEXT NOT NULL,
      status TEXT NOT NULL,
      progress REAL NOT NULL,
      time_started TEXT NOT NULL,
      time_completed TEXT NOT NULL,
      log TEXT NOT NULL,
      training_data TEXT NOT NULL,     -- JSON array of sample ids
      additional_parameters TEXT NOT NULL,
      state TEXT NOT NULL,             -- JSON object set by setState
      tags TEXT NOT NULL,
      checkpoint_id TEXT,
      output_checkpoint_ids TEXT NOT NULL,
      created_ms INTEGER NOT NULL
    );
    CREATE TABLE checkpoints (
      checkpoint_id TEXT PRIMARY KEY,
      training_id TEXT NOT NULL,
      parent_algorithm_id TEXT NOT NULL,
      parent_checkpoint_id TEXT,
      algorithm_minor_version TEXT NOT NULL,
      created_at TEXT NOT NULL,
      properties TEXT NOT NULL,
      tags TEXT NOT NULL
    );
    CREATE TABLE checkpoint_files (
      checkpoint_id TEXT NOT NULL REFERENCES checkpoints(checkpoint_id) ON DELETE CASCADE,
      path TEXT NOT NULL,
      blob_id TEXT NOT NULL,
      PRIMARY KEY (checkpoint_id, path)
    );
    CREATE INDEX checkpoint_files_blob ON checkpoint_files(blob_id);
  `);
}
