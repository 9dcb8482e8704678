// createEngine(): the engine's public face. The HTTP server, the CLI and the Electron shell are
// thin adapters over the object it returns; it owns the database and the blob store.
import path from "node:path";
import type { Algorithm, AlgorithmFilter, DeployResult } from "../contract/algorithm.js";
import { CompoxError, NotFoundError } from "../contract/errors.js";
import { SettingsSchema, type Settings, type SettingsInput } from "../contract/settings.js";
import { toAlgorithmRecord, matchesFilter } from "./algorithm-record.js";
import { BlobStore } from "./blobs/blob-store.js";
import { deployPath, deployZip, type DeployContext } from "./deploy/deployer.js";
import { exportVersionZip } from "./deploy/export.js";
import { AlgorithmsRepo } from "./store/algorithms-repo.js";
import { openDb } from "./store/db.js";

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface EngineOptions {
  dataDir: string;
  settings?: SettingsInput;
  logger?: Logger;
  /** Injected clock, for tests. */
  now?: () => Date;
}

export interface RemoveOptions {
  minor?: number;
  /** Remove even when the algorithm says `removable = false` (the local CLI's `--force`). */
  force?: boolean;
}

export interface ExportedZip {
  filename: string;
  bytes: Buffer;
}

export type Engine = ReturnType<typeof createEngine>;

const silentLogger: Logger = { info() {}, warn() {}, error() {} };

/** Opens the data directory and returns the engine; call `close()` when done. */
export function createEngine(options: EngineOptions) {
  const settings: Settings = SettingsSchema.parse(options.settings ?? {});
  const logger = options.logger ?? silentLogger;
  const db = openDb(options.dataDir);
  const blobs = new BlobStore(path.join(options.dataDir, "blobs"));
  const repo = new AlgorithmsRepo(db);
  const ctx: DeployContext = { db, repo, blobs, now: options.now ?? (() => new Date()) };

  function record(algorithmId: string): Algorithm {
    const line = repo.getLine(algorithmId);
    const latest = line && repo.getVersion(algorithmId, line.latest_minor);
    if (!line || !latest) throw new NotFoundError("algorithm_not_found", `algorithm ${algorithmId} not found`);
    return toAlgorithmRecord(line, latest, repo.minors(algorithmId));
  }

  function lineOf(name: string, major: number) {
    const line = repo.findLine(name, major);
    if (!line) throw new NotFoundError("algorithm_not_found", `algorithm "${name}" with major version ${major} not found; \`compox list\` shows what is deployed`);
    return line;
  }

  function checkMinor(algorithmId: string, minor: number, label: string): void {
    if (!repo.getVersion(algorithmId, minor))
      throw new NotFoundError("algorithm_not_found", `${label} has no minor version ${minor}; it has ${repo.minors(algorithmId).join(", ")}`);
  }

  const logDeploy = (r: DeployResult) => {
    logger.info(`deploy ${r.algorithm_name} ${r.algorithm_major_version}.${r.algorithm_minor_version}: ${r.outcome}`);
    return r;
  };

  return {
    dataDir: options.dataDir,
    settings,

    /** Deploys an algorithm folder or a .zip file on disk. */
    async deploy(source: string): Promise<DeployResult> {
      return logDeploy(await deployPath(ctx, path.resolve(source)));
    },

    /** Deploys an uploaded zip. */
    async deployZip(bytes: Buffer, label?: string): Promise<DeployResult> {
      return logDeploy(await deployZip(ctx, bytes, label));
    },

    /** Every deployed line as an Algorithm record, filtered as Compox filters. */
    listAlgorithms(filter: AlgorithmFilter = {}): Algorithm[] {
      return repo
        .listLines()
        .map((l) => record(l.algorithm_id))
        .filter((a) => matchesFilter(a, filter));
    },

    /** The line of `name` (case-insensitive) and `major`. */
    getAlgorithm(name: string, major: number): Algorithm {
      return record(lineOf(name, major).algorithm_id);
    },

    getAlgorithmById(algorithmId: string): Algorithm {
      return record(algorithmId);
    },

    /** A zip of the algorithm folder (latest minor unless given); refuses non-exportable ones. */
    exportAlgorithm(name: string, major: number, minor?: number): ExportedZip {
      const line = lineOf(name, major);
      const m = minor ?? line.latest_minor;
      checkMinor(line.algorithm_id, m, `${line.name} ${major}`);
      const version = repo.getVersion(line.algorithm_id, m);
      if (!version?.config.exportable)
        throw new CompoxError("algorithm_not_exportable", `${line.name} ${major}.${m} is not exportable (exportable = false in its pyproject.toml)`);
      return { filename: `${line.name}-${major}.${m}.zip`, bytes: exportVersionZip({ repo, blobs }, line.algorithm_id, m) };
    },

    /** Removes a minor version, or the whole line; refuses non-removable ones unless forced. */
    removeAlgorithm(algorithmId: string, opts: RemoveOptions = {}): { removed_minor_versions: string[] } {
      const alg = record(algorithmId);
      if (!alg.removable && !opts.force)
        throw new CompoxError(
          "algorithm_not_removable",
          `${alg.algorithm_name} ${alg.algorithm_version} is not removable (removable = false in its pyproject.toml); from this computer, \`compox remove ${alg.algorithm_name}/${alg.algorithm_version} --force\` removes it anyway`,
        );
      if (opts.minor !== undefined) checkMinor(algorithmId, opts.minor, `${alg.algorithm_name} ${alg.algorithm_version}`);
      const minors = opts.minor !== undefined ? [opts.minor] : repo.minors(algorithmId);
      const freed = new Set<string>();
      db.transaction(() => {
        for (const m of minors) {
          for (const a of repo.assets(algorithmId, m)) freed.add(a.asset_id);
          repo.deleteVersion(algorithmId, m);
        }
        const left = repo.minors(algorithmId);
        const newest = left.at(-1);
        if (newest === undefined) repo.deleteLine(algorithmId);
        else repo.setLatestMinor(algorithmId, newest);
        for (const blob of repo.takeOrphanModules()) freed.add(blob);
      }).immediate();
      for (const blob of freed) if (!repo.isBlobReferenced(blob)) blobs.delete(blob);
      logger.info(`removed ${alg.algorithm_name} ${alg.algorithm_version} minor versions ${minors.join(", ")}`);
      return { removed_minor_versions: minors.map(String) };
    },

    /** Closes the database. */
    close(): void {
      db.close();
    },
  };
}
