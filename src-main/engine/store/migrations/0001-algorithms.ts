// Algorithm lines, their minor versions, stored modules and each version's assets.
import type { Database } from "better-sqlite3";

export const version = 1;

export function up(db: Database): void {
  db.exec(`
    CREATE TABLE algorithms (
      algorithm_id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      name_key TEXT NOT NULL,          -- lower-cased name: look-ups are case-insensitive
      major INTEGER NOT NULL,
      latest_minor INTEGER NOT NULL,
      created_at TEXT NOT NULL,
      UNIQUE (name_key, major)
    );
    CREATE TABLE modules (
      module_id TEXT PRIMARY KEY,      -- SHA-256 of the sorted (path, content) pairs
      blob_id TEXT NOT NULL,           -- the zip of the sources in the blob store
      language TEXT NOT NULL,          -- "ts" (TS/JS) or "py"
      entry_point TEXT NOT NULL
    );
    CREATE TABLE algorithm_versions (
      algorithm_id TEXT NOT NULL REFERENCES algorithms(algorithm_id) ON DELETE CASCADE,
      minor INTEGER NOT NULL,
      module_id TEXT NOT NULL REFERENCES modules(module_id),
      config_json TEXT NOT NULL,       -- the validated AlgorithmConfig
      pyproject TEXT NOT NULL,         -- the author's pyproject.toml, returned by export
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      PRIMARY KEY (algorithm_id, minor)
    );
    CREATE TABLE version_assets (
      algorithm_id TEXT NOT NULL,
      minor INTEGER NOT NULL,
      path TEXT NOT NULL,
      asset_id TEXT NOT NULL,          -- SHA-256 of the content = its blob id
      size INTEGER NOT NULL,
      PRIMARY KEY (algorithm_id, minor, path),
      FOREIGN KEY (algorithm_id, minor) REFERENCES algorithm_versions(algorithm_id, minor) ON DELETE CASCADE
    );
    CREATE INDEX version_assets_asset ON version_assets(asset_id);
  `);
}
