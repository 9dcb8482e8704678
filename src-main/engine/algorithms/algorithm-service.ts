// Deployed algorithms as the API shows them: deploys (now or in the background), Algorithm
// records with their storage metrics, export and removal. The versioning rules live in deploy/.
import fs from "node:fs";
import path from "node:path";
import { v1 as uuidv1 } from "uuid";
import type { Algorithm, AlgorithmFilter, DeployResult } from "../../contract/algorithm.js";
import { CompoxError, errorBodyOf, NotFoundError } from "../../contract/errors.js";
import type { DeployRecord } from "../../contract/records.js";
import { formatCompoxTime } from "../../contract/time.js";
import { matchesFilter, toAlgorithmRecord } from "../algorithm-record.js";
import type { BlobStore } from "../blobs/blob-store.js";
import { deployPath, deployZip, type DeployContext, type DeployOverrides } from "../deploy/deployer.js";
import { exportVersionZip } from "../deploy/export.js";
import type { DiskReserve } from "../disk-space.js";
import type { ExportedZip, Logger, RemoveOptions } from "../engine-api.js";
import type { EventBus } from "../runtime/event-bus.js";
import { computeStorageMetrics, type StorageMetrics } from "../storage-metrics.js";
import { AlgorithmsRepo } from "../store/algorithms-repo.js";
import type { Db } from "../store/db.js";
import type { DeploysRepo } from "../store/deploys-repo.js";
import type { TrainingRepo } from "../store/training-repo.js";

export interface AlgorithmServiceDeps {
  db: Db;
  repo: AlgorithmsRepo;
  training: TrainingRepo;
  deploys: DeploysRepo;
  blobs: BlobStore;
  deployContext: DeployContext;
  events: EventBus;
  logger: Logger;
  reserve: DiskReserve;
  now: () => Date;
  /** A store-only engine computes metrics but does not write them back. */
  owner: boolean;
}

export class AlgorithmService {
  constructor(private readonly deps: AlgorithmServiceDeps) {}

  /** Deploys an algorithm folder or a .zip file on disk; `overrides` replace pyproject values. */
  async deploy(source: string, overrides: DeployOverrides = {}): Promise<DeployResult> {
    return this.announce(await deployPath(this.deps.deployContext, path.resolve(source), overrides));
  }

  /** Deploys an uploaded zip. */
  async deployZip(bytes: Buffer, label?: string, overrides: DeployOverrides = {}): Promise<DeployResult> {
    return this.announce(await deployZip(this.deps.deployContext, bytes, label, overrides));
  }

  /** Starts a deploy in the background (Compox 3.2's deploy/local-async); returns its id once recorded. */
  async deployAsync(source: string, overrides: DeployOverrides = {}): Promise<{ deploy_id: string }> {
    const { deploys, now, logger } = this.deps;
    if (!fs.existsSync(path.resolve(source))) throw new CompoxError("deploy_path_not_found", `${source} does not exist: give the algorithm folder or .zip on this computer as ?path=`, { path: source });
    const deploy_id = uuidv1();
    await deploys.insert(deploy_id, source, formatCompoxTime(now()), now().getTime());
    const run = async () => {
      await deploys.setStatus(deploy_id, "RUNNING");
      try {
        const result = await this.deploy(source, overrides);
        await deploys.setStatus(deploy_id, "COMPLETED", { time_completed: formatCompoxTime(now()), result });
      } catch (err) {
        if (!(err instanceof CompoxError)) logger.error(`deploy ${deploy_id} of ${source} failed: ${(err as Error).stack ?? String(err)}`);
        await deploys.setStatus(deploy_id, "FAILED", { time_completed: formatCompoxTime(now()), error: errorBodyOf(err) });
      }
    };
    setImmediate(() => run().catch((err: unknown) => logger.error(`deploy ${deploy_id}: its record could not be written: ${(err as Error).message}`)));
    return { deploy_id };
  }

  /** An asynchronous deploy's record, or a 404. */
  async getDeploy(id: string): Promise<DeployRecord> {
    const d = await this.deps.deploys.get(id);
    if (!d) throw new NotFoundError("deploy_record_not_found", `deploy ${id} not found`, { deploy_id: id });
    return d;
  }

  /** Every deployed line as an Algorithm record, filtered as Compox filters. */
  async list(filter: AlgorithmFilter = {}): Promise<Algorithm[]> {
    const lines = await this.deps.repo.listLines();
    const records = await Promise.all(lines.map((l) => this.record(l.algorithm_id)));
    return records.filter((a) => matchesFilter(a, filter));
  }

  /** The line of `name` (case-insensitive) and `major`. */
  async get(name: string, major: number): Promise<Algorithm> {
    return this.record((await this.lineOf(name, major)).algorithm_id);
  }

  /** A line by its id, or a 404. */
  async record(algorithmId: string): Promise<Algorithm> {
    const { repo } = this.deps;
    const line = await repo.getLine(algorithmId);
    const latest = line && (await repo.getVersion(algorithmId, line.latest_minor));
    if (!line || !latest) throw new NotFoundError("algorithm_not_found", `algorithm ${algorithmId} not found`);
    return toAlgorithmRecord(line, latest, await repo.minors(algorithmId), await this.storageMetricsOf(algorithmId));
  }

  /** A zip of the algorithm folder (latest minor unless given; a checkpoint's files replace assets). */
  async export(name: string, major: number, minor: number | undefined, checkpointId: string | undefined, requireCheckpoint: (id: string, algorithmId: string) => Promise<void>): Promise<ExportedZip> {
    const { repo, training, blobs } = this.deps;
    const line = await this.lineOf(name, major);
    const m = minor ?? line.latest_minor;
    await this.checkMinor(line.algorithm_id, m, `${line.name} ${major}`);
    const version = await repo.getVersion(line.algorithm_id, m);
    if (!version?.config.exportable) throw new CompoxError("algorithm_not_exportable", `${line.name} ${major}.${m} is not exportable (exportable = false in its pyproject.toml)`);
    if (checkpointId) await requireCheckpoint(checkpointId, line.algorithm_id);
    const overrides = checkpointId ? await training.checkpointFiles(checkpointId) : {};
    const module = await repo.getModule(version.module_id);
    await blobs.fetch([...(module ? [module.blob_id] : []), ...(await repo.assets(line.algorithm_id, m)).map((a) => a.asset_id), ...Object.values(overrides)]);
    return { filename: `${line.name}-${major}.${m}${checkpointId ? `-${checkpointId.slice(0, 8)}` : ""}.zip`, bytes: await exportVersionZip({ repo, blobs }, line.algorithm_id, m, overrides) };
  }

  /** An asset of the line's latest minor version (`files/…`), or undefined when it has none of that path. */
  async asset(name: string, major: number, assetPath: string): Promise<Buffer | undefined> {
    const { repo, blobs } = this.deps;
    const line = await this.lineOf(name, major);
    const asset = (await repo.assets(line.algorithm_id, line.latest_minor)).find((a) => a.path === assetPath);
    if (!asset) return undefined;
    await blobs.fetch([asset.asset_id]);
    return blobs.read(asset.asset_id);
  }

  /** Removes a minor version, or the whole line (making room on a full disk first); refuses non-removable ones unless forced. */
  async remove(algorithmId: string, opts: RemoveOptions = {}): Promise<{ removed_minor_versions: string[] }> {
    const removed = await this.deps.reserve.withRoom(() => this.removeVersions(algorithmId, opts));
    this.deps.reserve.ensure();
    return removed;
  }

  /** Deletes blobs that no version, module or checkpoint refers to any more. */
  async deleteUnreferenced(blobIds: Iterable<string>): Promise<void> {
    const { repo, training, blobs } = this.deps;
    for (const blob of blobIds) if (!(await repo.isBlobReferenced(blob)) && !(await training.isBlobReferenced(blob))) blobs.delete(blob);
  }

  private async removeVersions(algorithmId: string, opts: RemoveOptions): Promise<{ removed_minor_versions: string[] }> {
    const { db, repo, logger } = this.deps;
    const alg = await this.record(algorithmId);
    if (!alg.removable && !opts.force)
      throw new CompoxError(
        "algorithm_not_removable",
        `${alg.algorithm_name} ${alg.algorithm_version} is not removable (removable = false in its pyproject.toml); from this computer, \`compox remove ${alg.algorithm_name}/${alg.algorithm_version} --force\` removes it anyway`,
      );
    const existing = await repo.minors(algorithmId);
    // Compox answers a minor that does not exist with its success text: a no-op, not a 404.
    if (opts.minor !== undefined && !existing.includes(opts.minor)) return { removed_minor_versions: [] };
    const minors = opts.minor !== undefined ? [opts.minor] : existing;
    const freed = new Set<string>();
    await db.transaction(
      async (tx) => {
        const repo = new AlgorithmsRepo(tx);
        for (const m of minors) {
          for (const a of await repo.assets(algorithmId, m)) freed.add(a.asset_id);
          await repo.deleteVersion(algorithmId, m);
        }
        const newest = (await repo.minors(algorithmId)).at(-1);
        if (newest === undefined) await repo.deleteLine(algorithmId);
        else {
          await repo.setLatestMinor(algorithmId, newest);
          await repo.setStorageMetrics(algorithmId, null);
        }
        for (const blob of await repo.takeOrphanModules()) freed.add(blob);
      },
      { exclusive: true },
    );
    await this.deleteUnreferenced(freed);
    logger.info(`removed ${alg.algorithm_name} ${alg.algorithm_version} minor versions ${minors.join(", ")}`);
    return { removed_minor_versions: minors.map(String) };
  }

  /** The cached metrics, recomputed and written back when missing or stale (as Compox does). */
  private async storageMetricsOf(algorithmId: string): Promise<StorageMetrics> {
    const { repo, training, blobs, now, owner } = this.deps;
    const cached = await repo.storageMetrics(algorithmId);
    if (cached) return JSON.parse(cached) as StorageMetrics;
    const metrics = await computeStorageMetrics(algorithmId, { repo, training, blobs }, now());
    if (owner) await repo.setStorageMetrics(algorithmId, JSON.stringify(metrics));
    return metrics;
  }

  private async lineOf(name: string, major: number) {
    const line = await this.deps.repo.findLine(name, major);
    if (!line) throw new NotFoundError("algorithm_not_found", `algorithm "${name}" with major version ${major} not found; \`compox list\` shows what is deployed`);
    return line;
  }

  private async checkMinor(algorithmId: string, minor: number, label: string): Promise<void> {
    const { repo } = this.deps;
    if (!(await repo.getVersion(algorithmId, minor))) throw new NotFoundError("algorithm_not_found", `${label} has no minor version ${minor}; it has ${(await repo.minors(algorithmId)).join(", ")}`);
  }

  /** Logs a deploy and tells event subscribers (the window's list refreshes on it). */
  private announce(r: DeployResult): DeployResult {
    this.deps.logger.info(`deploy ${r.algorithm_name} ${r.algorithm_major_version}.${r.algorithm_minor_version}: ${r.outcome}`);
    this.deps.events.emit({ type: "deploy", algorithm_id: r.algorithm_id, algorithm_name: r.algorithm_name, outcome: r.outcome, algorithm_minor_version: r.algorithm_minor_version });
    return r;
  }
}
