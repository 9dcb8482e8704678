// PostgreSQL schema 1: the records of SQLite schema 6 (../../migrations/0001…0006), column for
// column in the same order (statements that insert without a column list rely on it), with
// BIGINT for integers, DOUBLE PRECISION for reals, and a `rowid` (last) where the repositories
// order by insertion.

export const version = 1;

export const sql = `
CREATE TABLE algorithms (
  algorithm_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  name_key TEXT NOT NULL,
  major BIGINT NOT NULL,
  latest_minor BIGINT NOT NULL,
  created_at TEXT NOT NULL,
  storage_metrics TEXT,
  UNIQUE (name_key, major)
);
CREATE TABLE modules (
  module_id TEXT PRIMARY KEY,
  blob_id TEXT NOT NULL,
  language TEXT NOT NULL,
  entry_point TEXT NOT NULL
);
CREATE TABLE algorithm_versions (
  algorithm_id TEXT NOT NULL REFERENCES algorithms(algorithm_id) ON DELETE CASCADE,
  minor BIGINT NOT NULL,
  module_id TEXT NOT NULL REFERENCES modules(module_id),
  config_json TEXT NOT NULL,
  pyproject TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (algorithm_id, minor)
);
CREATE TABLE version_assets (
  algorithm_id TEXT NOT NULL,
  minor BIGINT NOT NULL,
  path TEXT NOT NULL,
  asset_id TEXT NOT NULL,
  size BIGINT NOT NULL,
  PRIMARY KEY (algorithm_id, minor, path),
  FOREIGN KEY (algorithm_id, minor) REFERENCES algorithm_versions(algorithm_id, minor) ON DELETE CASCADE
);
CREATE INDEX version_assets_asset ON version_assets(asset_id);
CREATE TABLE datasets (
  file_id TEXT PRIMARY KEY,
  size BIGINT NOT NULL,
  keys_json TEXT NOT NULL,
  name TEXT,
  time_created TEXT NOT NULL,
  created_ms BIGINT NOT NULL,
  expires_ms BIGINT
);
CREATE INDEX datasets_created ON datasets(created_ms);
CREATE TABLE executions (
  execution_id TEXT PRIMARY KEY,
  algorithm_id TEXT NOT NULL,
  algorithm_minor_version TEXT NOT NULL,
  input_dataset_ids TEXT NOT NULL,
  execution_device_override TEXT,
  resolved_execution_device TEXT NOT NULL,
  additional_parameters TEXT NOT NULL,
  session_token TEXT NOT NULL,
  checkpoint_id TEXT,
  output_dataset_ids TEXT NOT NULL,
  status TEXT NOT NULL,
  progress DOUBLE PRECISION NOT NULL,
  time_started TEXT NOT NULL,
  time_completed TEXT NOT NULL,
  log TEXT NOT NULL,
  created_ms BIGINT NOT NULL,
  algorithm_name TEXT,
  rowid BIGSERIAL UNIQUE
);
CREATE INDEX executions_created ON executions(created_ms);
CREATE INDEX executions_status ON executions(status);
CREATE TABLE samples (
  sample_id TEXT PRIMARY KEY,
  files_json TEXT NOT NULL,
  tags_json TEXT NOT NULL,
  time_created TEXT NOT NULL,
  created_ms BIGINT NOT NULL
);
CREATE TABLE trainings (
  training_id TEXT PRIMARY KEY,
  algorithm_id TEXT NOT NULL,
  algorithm_minor_version TEXT NOT NULL,
  status TEXT NOT NULL,
  progress DOUBLE PRECISION NOT NULL,
  time_started TEXT NOT NULL,
  time_completed TEXT NOT NULL,
  log TEXT NOT NULL,
  training_data TEXT NOT NULL,
  additional_parameters TEXT NOT NULL,
  state TEXT NOT NULL,
  tags TEXT NOT NULL,
  checkpoint_id TEXT,
  output_checkpoint_ids TEXT NOT NULL,
  created_ms BIGINT NOT NULL,
  algorithm_name TEXT,
  rowid BIGSERIAL UNIQUE
);
CREATE TABLE checkpoints (
  checkpoint_id TEXT PRIMARY KEY,
  training_id TEXT NOT NULL,
  parent_algorithm_id TEXT NOT NULL,
  parent_checkpoint_id TEXT,
  algorithm_minor_version TEXT NOT NULL,
  created_at TEXT NOT NULL,
  properties TEXT NOT NULL,
  tags TEXT NOT NULL,
  rowid BIGSERIAL UNIQUE
);
CREATE TABLE checkpoint_files (
  checkpoint_id TEXT NOT NULL REFERENCES checkpoints(checkpoint_id) ON DELETE CASCADE,
  path TEXT NOT NULL,
  blob_id TEXT NOT NULL,
  PRIMARY KEY (checkpoint_id, path)
);
CREATE INDEX checkpoint_files_blob ON checkpoint_files(blob_id);
CREATE TABLE job_logs (
  job_id TEXT NOT NULL,
  seq BIGINT NOT NULL,
  part TEXT NOT NULL CHECK (part IN ('head', 'tail')),
  line TEXT NOT NULL,
  PRIMARY KEY (job_id, seq)
);
CREATE TABLE job_log_cuts (
  job_id TEXT PRIMARY KEY,
  lines BIGINT NOT NULL,
  bytes BIGINT NOT NULL
);
CREATE TABLE benchmarks (
  benchmark_id TEXT PRIMARY KEY,
  algorithm_id TEXT NOT NULL,
  additional_parameters TEXT NOT NULL,
  status TEXT NOT NULL,
  time_started TEXT NOT NULL,
  time_completed TEXT NOT NULL,
  data TEXT NOT NULL,
  created_ms BIGINT NOT NULL
);
CREATE TABLE deploys (
  deploy_id TEXT PRIMARY KEY,
  path TEXT NOT NULL,
  status TEXT NOT NULL,
  time_started TEXT NOT NULL,
  time_completed TEXT NOT NULL,
  result TEXT,
  error TEXT,
  created_ms BIGINT NOT NULL
);
`;
