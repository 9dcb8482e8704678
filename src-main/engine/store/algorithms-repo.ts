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

  async findLine(name: string, major: number): Promise<LineRow | undefined> {
    return (await this.db.get("SELECT * FROM algorithms WHERE name_key = ? AND major = ?", name.toLowerCase(), major)) as LineRow | undefined;
  }

  async getLine(algorithmId: string): Promise<LineRow | undefined> {
    return (await this.db.get("SELECT * FROM algorithms WHERE algorithm_id = ?", algorithmId)) as LineRow | undefined;
  }

  async listLines(): Promise<LineRow[]> {
    return (await this.db.all("SELECT * FROM algorithms ORDER BY name_key, major")) as LineRow[];
  }

  async insertLine(line: LineRow): Promise<void> {
    await this.db.run("INSERT INTO algorithms (algorithm_id, name, name_key, major, latest_minor, created_at) VALUES (?, ?, ?, ?, ?, ?)", line.algorithm_id, line.name, line.name.toLowerCase(), line.major, line.latest_minor, line.created_at);
  }

  async setLatestMinor(algorithmId: string, minor: number): Promise<void> {
    await this.db.run("UPDATE algorithms SET latest_minor = ? WHERE algorithm_id = ?", minor, algorithmId);
  }

  /** The cached storage metrics (JSON), or null when they must be recomputed. */
  async storageMetrics(algorithmId: string): Promise<string | null> {
    return ((await this.db.column("SELECT storage_metrics FROM algorithms WHERE algorithm_id = ?", algorithmId))[0] as string | null | undefined) ?? null;
  }

  /** Caches metrics; null marks them stale (after a deploy, a removed minor, a checkpoint change). */
  async setStorageMetrics(algorithmId: string, json: string | null): Promise<void> {
    await this.db.run("UPDATE algorithms SET storage_metrics = ? WHERE algorithm_id = ?", json, algorithmId);
  }

  async deleteLine(algorithmId: string): Promise<void> {
    await this.db.run("DELETE FROM algorithms WHERE algorithm_id = ?", algorithmId);
  }

  async minors(algorithmId: string): Promise<number[]> {
    return (await this.db.column("SELECT minor FROM algorithm_versions WHERE algorithm_id = ? ORDER BY minor", algorithmId)) as number[];
  }

  async getVersion(algorithmId: string, minor: number): Promise<VersionRow | undefined> {
    const row = (await this.db.get("SELECT * FROM algorithm_versions WHERE algorithm_id = ? AND minor = ?", algorithmId, minor)) as RawVersionRow | undefined;
    return row && toVersion(row);
  }

  async insertVersion(v: VersionRow): Promise<void> {
    await this.db.run("INSERT INTO algorithm_versions (algorithm_id, minor, module_id, config_json, pyproject, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)", v.algorithm_id, v.minor, v.module_id, JSON.stringify(v.config), v.pyproject, v.created_at, v.updated_at);
  }

  /** Replaces a version's metadata (its module and assets stay). */
  async updateMetadata(algorithmId: string, minor: number, config: AlgorithmConfig, pyproject: string, at: string): Promise<boolean> {
    const res = (await this.db.run("UPDATE algorithm_versions SET config_json = ?, pyproject = ?, updated_at = ? WHERE algorithm_id = ? AND minor = ? AND (config_json != ? OR pyproject != ?)", JSON.stringify(config), pyproject, at, algorithmId, minor, JSON.stringify(config), pyproject));
    return res.changes > 0;
  }

  async deleteVersion(algorithmId: string, minor: number): Promise<void> {
    await this.db.run("DELETE FROM algorithm_versions WHERE algorithm_id = ? AND minor = ?", algorithmId, minor);
  }

  /**
   * What running a version needs — its line, the version (`minor`, or the latest) and its module's
   * language — in one statement: every submission reads it, and in cluster mode each read is a
   * round trip. Undefined when either is missing (getLine and getVersion then say which).
   */
  async runnable(algorithmId: string, minor: number | null): Promise<{ line: LineRow; version: VersionRow; language: string } | undefined> {
    const row = (await this.db.get(`SELECT a.name, a.major, a.latest_minor, a.created_at AS line_created_at, v.minor, v.module_id, v.config_json, v.pyproject, v.created_at, v.updated_at, m.language
         FROM algorithms a JOIN algorithm_versions v ON v.algorithm_id = a.algorithm_id AND v.minor = COALESCE(?, a.latest_minor)
         LEFT JOIN modules m ON m.module_id = v.module_id WHERE a.algorithm_id = ?`, minor, algorithmId)) as (Omit<RawVersionRow, "algorithm_id"> & { name: string; major: number; latest_minor: number; line_created_at: string; language: string | null }) | undefined;
    if (!row) return undefined;
    const { name, major, latest_minor, line_created_at, language, ...version } = row;
    return { line: { algorithm_id: algorithmId, name, major, latest_minor, created_at: line_created_at }, version: toVersion({ ...version, algorithm_id: algorithmId }), language: language ?? "ts" };
  }

  async getModule(moduleId: string): Promise<ModuleRow | undefined> {
    return (await this.db.get("SELECT * FROM modules WHERE module_id = ?", moduleId)) as ModuleRow | undefined;
  }

  async upsertModule(m: ModuleRow): Promise<void> {
    await this.db.run("INSERT INTO modules (module_id, blob_id, language, entry_point) VALUES (?, ?, ?, ?) ON CONFLICT (module_id) DO NOTHING", m.module_id, m.blob_id, m.language, m.entry_point);
  }

  async assets(algorithmId: string, minor: number): Promise<AssetRow[]> {
    return (await this.db.all("SELECT path, asset_id, size FROM version_assets WHERE algorithm_id = ? AND minor = ? ORDER BY path", algorithmId, minor)) as AssetRow[];
  }

  async insertAssets(algorithmId: string, minor: number, assets: readonly AssetRow[]): Promise<void> {
    for (const a of assets) await this.db.run("INSERT INTO version_assets (algorithm_id, minor, path, asset_id, size) VALUES (?, ?, ?, ?, ?)", algorithmId, minor, a.path, a.asset_id, a.size);
  }

  /** Modules no version uses any more; removed with their rows. Returns their blob ids. */
  async takeOrphanModules(): Promise<string[]> {
    const rows = (await this.db.all("SELECT module_id, blob_id FROM modules WHERE module_id NOT IN (SELECT module_id FROM algorithm_versions)")) as ModuleRow[];
    for (const r of rows) await this.db.run("DELETE FROM modules WHERE module_id = ?", r.module_id);
    return rows.map((r) => r.blob_id);
  }

  /** Is this blob still referenced as an asset or a module zip? */
  async isBlobReferenced(blobId: string): Promise<boolean> {
    return (
      (await this.db.get("SELECT 1 FROM version_assets WHERE asset_id = ? LIMIT 1", blobId)) !== undefined ||
      (await this.db.get("SELECT 1 FROM modules WHERE blob_id = ? LIMIT 1", blobId)) !== undefined
    );
  }
}
