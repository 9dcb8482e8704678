// SQL for algorithm lines, minor versions, modules and version assets. No rules live here:
// the deployer decides, this file reads and writes rows.
import type { AlgorithmConfig } from "../../contract/algorithm-config.js";
import type { Db } from "./db.js";

export interface LineRow {
  algorithm_id: string;
  name: string;
  major: number;
  latest_minor: number;
  created_at: string;
}

export interface VersionRow {
  algorithm_id: string;
  minor: number;
  module_id: string;
  config: AlgorithmConfig;
  pyproject: string;
  created_at: string;
  updated_at: string;
}

export interface ModuleRow {
  module_id: string;
  blob_id: string;
  language: "ts" | "py";
  entry_point: string;
}

export interface AssetRow {
  path: string;
  asset_id: string;
  size: number;
}

interface RawVersionRow extends Omit<VersionRow, "config"> {
  config_json: string;
}

function toVersion(row: RawVersionRow): VersionRow {
  const { config_json, ...rest } = row;
  return { ...rest, config: JSON.parse(config_json) as AlgorithmConfig };
}

export class AlgorithmsRepo {
  constructor(private readonly db: Db) {}

  findLine(name: string, major: number): LineRow | undefined {
    return this.db.prepare("SELECT * FROM algorithms WHERE name_key = ? AND major = ?").get(name.toLowerCase(), major) as LineRow | undefined;
  }

  getLine(algorithmId: string): LineRow | undefined {
    return this.db.prepare("SELECT * FROM algorithms WHERE algorithm_id = ?").get(algorithmId) as LineRow | undefined;
  }

  listLines(): LineRow[] {
    return this.db.prepare("SELECT * FROM algorithms ORDER BY name_key, major").all() as LineRow[];
  }

  insertLine(line: LineRow): void {
    this.db
      .prepare("INSERT INTO algorithms (algorithm_id, name, name_key, major, latest_minor, created_at) VALUES (?, ?, ?, ?, ?, ?)")
      .run(line.algorithm_id, line.name, line.name.toLowerCase(), line.major, line.latest_minor, line.created_at);
  }

  setLatestMinor(algorithmId: string, minor: number): void {
    this.db.prepare("UPDATE algorithms SET latest_minor = ? WHERE algorithm_id = ?").run(minor, algorithmId);
  }

  /** The cached storage metrics (JSON), or null when they must be recomputed. */
  storageMetrics(algorithmId: string): string | null {
    return (this.db.prepare("SELECT storage_metrics FROM algorithms WHERE algorithm_id = ?").pluck().get(algorithmId) as string | null | undefined) ?? null;
  }

  /** Caches metrics; null marks them stale (after a deploy, a removed minor, a checkpoint change). */
  setStorageMetrics(algorithmId: string, json: string | null): void {
    this.db.prepare("UPDATE algorithms SET storage_metrics = ? WHERE algorithm_id = ?").run(json, algorithmId);
  }

  deleteLine(algorithmId: string): void {
    this.db.prepare("DELETE FROM algorithms WHERE algorithm_id = ?").run(algorithmId);
  }

  minors(algorithmId: string): number[] {
    return this.db.prepare("SELECT minor FROM algorithm_versions WHERE algorithm_id = ? ORDER BY minor").pluck().all(algorithmId) as number[];
  }

  getVersion(algorithmId: string, minor: number): VersionRow | undefined {
    const row = this.db.prepare("SELECT * FROM algorithm_versions WHERE algorithm_id = ? AND minor = ?").get(algorithmId, minor) as RawVersionRow | undefined;
    return row && toVersion(row);
  }

  insertVersion(v: VersionRow): void {
    this.db
      .prepare("INSERT INTO algorithm_versions (algorithm_id, minor, module_id, config_json, pyproject, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
      .run(v.algorithm_id, v.minor, v.module_id, JSON.stringify(v.config), v.pyproject, v.created_at, v.updated_at);
  }

  /** Replaces a version's metadata (its module and assets stay). */
  updateMetadata(algorithmId: string, minor: number, config: AlgorithmConfig, pyproject: string, at: string): boolean {
    const res = this.db
      .prepare("UPDATE algorithm_versions SET config_json = ?, pyproject = ?, updated_at = ? WHERE algorithm_id = ? AND minor = ? AND (config_json != ? OR pyproject != ?)")
      .run(JSON.stringify(config), pyproject, at, algorithmId, minor, JSON.stringify(config), pyproject);
    return res.changes > 0;
  }

  deleteVersion(algorithmId: string, minor: number): void {
    this.db.prepare("DELETE FROM algorithm_versions WHERE algorithm_id = ? AND minor = ?").run(algorithmId, minor);
  }

  /**
   * What running a version needs — its line, the version (`minor`, or the latest) and its module's
   * language — in one statement: every submission reads it, and in cluster mode each read is a
   * round trip. Undefined when either is missing (getLine and getVersion then say which).
   */
  runnable(algorithmId: string, minor: number | null): { line: LineRow; version: VersionRow; language: string } | undefined {
    const row = this.db
      .prepare(
        `SELECT a.name, a.major, a.latest_minor, a.created_at AS line_created_at, v.minor, v.module_id, v.config_json, v.pyproject, v.created_at, v.updated_at, m.language
         FROM algorithms a JOIN algorithm_versions v ON v.algorithm_id = a.algorithm_id AND v.minor = COALESCE(?, a.latest_minor)
         LEFT JOIN modules m ON m.module_id = v.module_id WHERE a.algorithm_id = ?`,
      )
      .get(minor, algorithmId) as (Omit<RawVersionRow, "algorithm_id"> & { name: string; major: number; latest_minor: number; line_created_at: string; language: string | null }) | undefined;
    if (!row) return undefined;
    const { name, major, latest_minor, line_created_at, language, ...version } = row;
    return { line: { algorithm_id: algorithmId, name, major, latest_minor, created_at: line_created_at }, version: toVersion({ ...version, algorithm_id: algorithmId }), language: language ?? "ts" };
  }

  getModule(moduleId: string): ModuleRow | undefined {
    return this.db.prepare("SELECT * FROM modules WHERE module_id = ?").get(moduleId) as ModuleRow | undefined;
  }

  upsertModule(m: ModuleRow): void {
    this.db
      .prepare("INSERT INTO modules (module_id, blob_id, language, entry_point) VALUES (?, ?, ?, ?) ON CONFLICT (module_id) DO NOTHING")
      .run(m.module_id, m.blob_id, m.language, m.entry_point);
  }

  assets(algorithmId: string, minor: number): AssetRow[] {
    return this.db.prepare("SELECT path, asset_id, size FROM version_assets WHERE algorithm_id = ? AND minor = ? ORDER BY path").all(algorithmId, minor) as AssetRow[];
  }

  insertAssets(algorithmId: string, minor: number, assets: readonly AssetRow[]): void {
    const stmt = this.db.prepare("INSERT INTO version_assets (algorithm_id, minor, path, asset_id, size) VALUES (?, ?, ?, ?, ?)");
    for (const a of assets) stmt.run(algorithmId, minor, a.path, a.asset_id, a.size);
  }

  /** Modules no version uses any more; removed with their rows. Returns their blob ids. */
  takeOrphanModules(): string[] {
    const rows = this.db.prepare("SELECT module_id, blob_id FROM modules WHERE module_id NOT IN (SELECT module_id FROM algorithm_versions)").all() as ModuleRow[];
    const del = this.db.prepare("DELETE FROM modules WHERE module_id = ?");
    for (const r of rows) del.run(r.module_id);
    return rows.map((r) => r.blob_id);
  }

  /** Is this blob still referenced as an asset or a module zip? */
  isBlobReferenced(blobId: string): boolean {
    return (
      this.db.prepare("SELECT 1 FROM version_assets WHERE asset_id = ? LIMIT 1").get(blobId) !== undefined ||
      this.db.prepare("SELECT 1 FROM modules WHERE blob_id = ? LIMIT 1").get(blobId) !== undefined
    );
  }
}
