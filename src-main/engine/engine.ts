// createEngine(): the engine's public face. The HTTP server, the CLI and the Electron shell are
// thin adapters over the object it returns; it owns the database and the blob store.
import fs from "node:fs";
import path from "node:path";
import type { Readable } from "node:stream";
import type { Algorithm, AlgorithmFilter, DeployResult } from "../contract/algorithm.js";
import { CompoxError, errorBodyOf, NotFoundError } from "../contract/errors.js";
import type { NDArray } from "../contract/ndarray.js";
import type { BenchmarkRecord, BenchmarkRequest, Checkpoint, DeployRecord, ExecuteRequest, ExecutionRecord, Sample, TrainingRecord, TrainRequest } from "../contract/records.js";
import { formatCompoxTime } from "../contract/time.js";
import { v1 as uuidv1 } from "uuid";
import { SettingsSchema, type Settings, type SettingsInput } from "../contract/settings.js";
import { toAlgorithmRecord, matchesFilter } from "./algorithm-record.js";
import { BlobStore } from "./blobs/blob-store.js";
import { DatasetStore, type DatasetInfo } from "./datasets/dataset-store.js";
import type { PlaneRead } from "./datasets/hdf5.js";
import { PlaneReader } from "./datasets/plane-reader.js";
import type { Region, Sampling } from "./datasets/plane.js";
import { deployPath, deployZip, type DeployContext, type DeployOverrides } from "./deploy/deployer.js";
import { exportVersionZip } from "./deploy/export.js";
import { detectGpus, type GpuInfo } from "./runtime/devices.js";
import { EventBus, type EventListener } from "./runtime/event-bus.js";
import { ExecutionService } from "./runtime/executions.js";
import { checkImportable } from "./runtime/import-check.js";
import { checkPython, findPython, pythonOfMagic, type PythonCheck } from "./runtime/python.js";
import { SessionCache } from "./runtime/session-cache.js";
import { acquireOwnerLock, type OwnerLock } from "./owner-lock.js";
import { AlgorithmsRepo } from "./store/algorithms-repo.js";
import { openRecordStore } from "./store/db.js";
import { JobWorkers } from "./store/job-workers.js";
import { clusterConfigOf } from "./config/cluster-config.js";
import { secureDataDir } from "./config/data-dir.js";
import { DiskReserve, diskFullError, isDiskFull } from "./disk-space.js";
import { openClusterNode, type ClusterNode, type WorkerOptions } from "./cluster/cluster-runtime.js";
import { queuedJobOf } from "./cluster/requeue.js";
import { openObjectStore } from "./storage/open-object-store.js";
import { BenchmarksRepo } from "./store/benchmarks-repo.js";
import { ExecutionsRepo, type ExecutionQuery } from "./store/executions-repo.js";
import { LogStore } from "./store/log-store.js";
import { scratchDir, sweepScratch } from "./temp-sweep.js";
import { zipLimitsOf } from "./deploy/zip-extract.js";
import { TrainingRepo } from "./store/training-repo.js";
import { DeploysRepo } from "./store/deploys-repo.js";
import { computeStorageMetrics, type StorageMetrics } from "./storage-metrics.js";

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
  /** Memory limit of each runner process in MB (default 8192). */
  runnerMemoryMb?: number;
  /** Grace between a stop request and killing the runner process (default 5000 ms). */
  stopGraceMs?: number;
  /** GPU detection, injectable for tests. */
  gpus?: () => GpuInfo;
  /**
   * "owner" (default) runs work and settles what a killed process left behind; it may be the only
   * one per data directory. "store" only reads and writes the store (CLI deploy/list/export/remove),
   * safely beside a running owner.
   */
  role?: "owner" | "store";
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

const HOUR_MS = 3600e3;

/** Compox's tag filters: every positive tag present, no negative tag present. */
function hasTags(tags: readonly string[], f: { positive_tags?: string[]; negative_tags?: string[] }): boolean {
  return (f.positive_tags ?? []).every((t) => tags.includes(t)) && !(f.negative_tags ?? []).some((t) => tags.includes(t));
}

/** Opens the data directory and returns the engine; call `close()` when done. */
export function createEngine(options: EngineOptions) {
  let settings: Settings = SettingsSchema.parse(options.settings ?? {});
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? (() => new Date());
  const owner = (options.role ?? "owner") === "owner";
  // Cluster mode (docs/cluster.md): records in PostgreSQL, files in shared storage, jobs and events
  // through Redis; this node's data directory holds copies and caches only.
  const cluster = clusterConfigOf(settings);
  const clustered = cluster.mode === "cluster";
  fs.mkdirSync(options.dataDir, { recursive: true });
  if (owner) secureDataDir(options.dataDir);
  // Owned before anything is written to the directory; the lock itself needs no new disk space.
  const lock: OwnerLock | undefined = owner ? acquireOwnerLock(options.dataDir) : undefined;
  const reserve = new DiskReserve(options.dataDir);
  const planes = new PlaneReader();
  let db: ReturnType<typeof openRecordStore>;
  try {
    // On a full disk, opening the store is what needs room first.
    db = reserve.withRoom(() => openRecordStore(options.dataDir, clustered ? cluster.databaseUrl : undefined));
  } catch (err) {
    lock?.release();
    throw isDiskFull(err) ? diskFullError(options.dataDir) : err;
  }
  const shared = clustered ? openObjectStore(cluster.storage) : undefined;
  const blobs = new BlobStore(path.join(options.dataDir, "blobs"), shared);
  const repo = new AlgorithmsRepo(db);
  const bundleDir = path.join(options.dataDir, "cache", "bundles");
  // Python algorithms need an interpreter with numpy and h5py; found once, on first need.
  let python: ReturnType<typeof findPython> | undefined;
  const pythonProblem = () => {
    python ??= findPython(settings.python);
    return python.chosen ? undefined : `Python algorithms need a Python 3 with numpy and h5py (${python.tried.map((t) => `${t.command}: ${t.problem}`).join("; ")}); install them (Debian: apt-get install python3-numpy python3-h5py) or set the python setting; \`compox doctor\` checks`;
  };
  const pythonFor = () => (pythonProblem() ? undefined : python?.chosen?.command);
  const pythonCommand = () => {
    const problem = pythonProblem();
    if (problem) throw new CompoxError("internal_error", problem);
    return python?.chosen?.command as string;
  };
  const ctx: DeployContext = {
    db,
    repo,
    blobs,
    now,
    scratchDir: scratchDir(options.dataDir),
    zipLimits: () => zipLimitsOf(settings),
    checkImportable: async ({ moduleId, scan }) => {
      const python = scan.language === "py" ? pythonFor() : undefined;
      return checkImportable({ bundleDir, python, moduleId, sources: scan.sources, entryPoint: scan.entryPoint ?? "Runner.ts", assets: Object.fromEntries(scan.assets.map((a) => [a.path, a.source])) });
    },
    checkLanguage: (language) => (language === "py" ? pythonProblem() : undefined),
    checkBytecode: (magic) => {
      const ours = python?.chosen?.magic;
      if (!ours || ours === magic) return undefined;
      const needed = pythonOfMagic(magic) ?? "another Python";
      return `Runner.pyc is bytecode for Python ${needed}, but ${python?.chosen?.command} is Python ${pythonOfMagic(ours) ?? python?.chosen?.version}: bytecode runs only on the Python that wrote it. Deploy the algorithm's sources, or set the python setting to a Python ${needed} with numpy and h5py`;
    },
  };
  const datasets = new DatasetStore({ db, dir: path.join(options.dataDir, "datasets"), now, expiryDays: () => settings.dataset_expiry_days, shared });
  const logs = new LogStore(db, () => settings.max_log_kb * 1024);
  const records = new ExecutionsRepo(db, logs);
  const training = new TrainingRepo(db, logs);
  const benchmarks = new BenchmarksRepo(db, logs);
  const deploys = new DeploysRepo(db);
  const jobWorkers = new JobWorkers(db);
  // Cluster mode: this process's part in the cluster (owners only: a store-only engine queues nothing).
  const node: ClusterNode | undefined =
    clustered && owner
      ? openClusterNode({
          queueUrl: cluster.queueUrl,
          workers: jobWorkers,
          executions: (): ExecutionService => executions,
          onError: (what, err) => logger.error(`cluster mode: ${what}: ${(err as Error)?.message ?? String(err)}`),
          jobOf: (kind, id): ReturnType<typeof queuedJobOf> => queuedJobOf({ algorithms: repo, records, training, benchmarks, gpus: (): GpuInfo => gpus() }, kind, id),
        })
      : undefined;
  const events = node?.events ?? new EventBus();
  // A job may ask for a GPU that some worker has, whatever this node has.
  const localGpus = options.gpus ?? detectGpus;
  const gpus = node ? () => ({ cudaDevices: Math.max(localGpus().cudaDevices, node.hasGpuWorker() ? 1 : 0) }) : localGpus;
  const sessions = new SessionCache(() => ({ maxSessions: settings.session_max, maxItems: settings.session_max_items, expireHours: settings.session_expire_hours }), () => now().getTime());
  const executions = new ExecutionService({
    algorithms: repo,
    blobs,
    datasets,
    records,
    training,
    benchmarks,
    logs,
    sessions,
    events,
    settings: () => settings,
    now,
    bundleDir,
    trainingTempDir: path.join(options.dataDir, "training-temp"),
    python: pythonCommand,
    gpus,
    cluster: node?.hooks,
    workers: jobWorkers,
    runnerMemoryMb: options.runnerMemoryMb ?? 8192,
    stopGraceMs: options.stopGraceMs ?? 5000,
  });

  const housekeeping = () => {
    const expired = datasets.sweepExpired(executions.inUseDatasets());
    if (expired > 0) logger.info(`removed ${expired} expired dataset(s)`);
    datasets.sweepStaleCopies();
    reserve.ensure(); // given up on a full disk: taken back once there is room
    if (settings.record_retention_days > 0) records.pruneBefore(now().getTime() - settings.record_retention_days * 24 * HOUR_MS);
  };
  let sweepTimer: NodeJS.Timeout | undefined;
  let closed = false;
  if (owner) {
    // Crash safety: what a killed process left behind is settled before anything new starts.
    blobs.sweepTemp();
    datasets.sweepTemp();
    sweepScratch(options.dataDir);
    reserve.ensure();
    if (node) {
      // Other nodes' jobs and deploys are theirs to settle; lost workers' jobs are the reaper's.
      node.startReaper();
    } else {
      const interrupted = executions.recoverInterrupted();
      deploys.failUnfinished(formatCompoxTime(now()), { detail: "interrupted: the application stopped during the deploy; deploy again", code: "deploy_failed", retryable: true });
      if (interrupted > 0) logger.warn(`${interrupted} execution(s) were interrupted by the last shutdown and are now FAILED`);
    }
    housekeeping();
    sweepTimer = setInterval(housekeeping, HOUR_MS);
    sweepTimer.unref();
  }

  /** The cached metrics, recomputed and written back when missing or stale (as Compox does). */
  function storageMetricsOf(algorithmId: string): StorageMetrics {
    const cached = repo.storageMetrics(algorithmId);
    if (cached) return JSON.parse(cached) as StorageMetrics;
    const metrics = computeStorageMetrics(algorithmId, { repo, training, blobs }, now());
    if (owner) repo.setStorageMetrics(algorithmId, JSON.stringify(metrics));
    return metrics;
  }

  function record(algorithmId: string): Algorithm {
    const line = repo.getLine(algorithmId);
    const latest = line && repo.getVersion(algorithmId, line.latest_minor);
    if (!line || !latest) throw new NotFoundError("algorithm_not_found", `algorithm ${algorithmId} not found`);
    return toAlgorithmRecord(line, latest, repo.minors(algorithmId), storageMetricsOf(algorithmId));
  }

  function lineOf(name: string, major: number) {
    const line = repo.findLine(name, major);
    if (!line) throw new NotFoundError("algorithm_not_found", `algorithm "${name}" with major version ${major} not found; \`compox list\` shows what is deployed`);
    return line;
  }

  /** Removes an algorithm line or one minor (removeAlgorithm, which makes room on a full disk first). */
  function removeVersions(algorithmId: string, opts: RemoveOptions): { removed_minor_versions: string[] } {
    const alg = record(algorithmId);
    if (!alg.removable && !opts.force)
      throw new CompoxError(
        "algorithm_not_removable",
        `${alg.algorithm_name} ${alg.algorithm_version} is not removable (removable = false in its pyproject.toml); from this computer, \`compox remove ${alg.algorithm_name}/${alg.algorithm_version} --force\` removes it anyway`,
      );
    // Compox answers a minor that does not exist with its success text: a no-op, not a 404.
    if (opts.minor !== undefined && !repo.minors(algorithmId).includes(opts.minor)) return { removed_minor_versions: [] };
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
      else {
        repo.setLatestMinor(algorithmId, newest);
        repo.setStorageMetrics(algorithmId, null);
      }
      for (const blob of repo.takeOrphanModules()) freed.add(blob);
    }).immediate();
    for (const blob of freed) if (!repo.isBlobReferenced(blob) && !training.isBlobReferenced(blob)) blobs.delete(blob);
    logger.info(`removed ${alg.algorithm_name} ${alg.algorithm_version} minor versions ${minors.join(", ")}`);
    return { removed_minor_versions: minors.map(String) };
  }

  function checkMinor(algorithmId: string, minor: number, label: string): void {
    if (!repo.getVersion(algorithmId, minor))
      throw new NotFoundError("algorithm_not_found", `${label} has no minor version ${minor}; it has ${repo.minors(algorithmId).join(", ")}`);
  }

  const logDeploy = (r: DeployResult) => {
    logger.info(`deploy ${r.algorithm_name} ${r.algorithm_major_version}.${r.algorithm_minor_version}: ${r.outcome}`);
    events.emit({ type: "deploy", algorithm_id: r.algorithm_id, algorithm_name: r.algorithm_name, outcome: r.outcome, algorithm_minor_version: r.algorithm_minor_version });
    return r;
  };

  return {
    dataDir: options.dataDir,
    /** "cluster" when the queue, database and storage URLs are set (docs/cluster.md). */
    mode: cluster.mode,

    /** CUDA devices jobs can use: this machine's, or in cluster mode any live worker's (seen within a few seconds). */
    gpus: (): GpuInfo => gpus(),

    /**
     * Makes this process a cluster worker: it runs jobs from the queues of `devices` and its own
     * (sessions pinned to it) with its runners, until close(). Cluster mode only.
     */
    async startWorker(opts: WorkerOptions): Promise<void> {
      if (!node) throw new CompoxError("internal_error", "compox worker needs cluster mode: set queue_url, database_url and storage_url (docs/cluster.md)");
      await node.startWorker(opts, () => settings.session_expire_hours);
      logger.info(`worker ${opts.name}: running jobs for ${opts.devices.join(", ")} (${opts.concurrency} at a time)`);
    },

    /** Resolves once this node receives the other nodes' events (cluster mode; at once otherwise). */
    async ready(): Promise<void> {
      await node?.ready();
    },
    get settings(): Settings {
      return settings;
    },

    /** Changes settings at run time (validated as a whole). */
    updateSettings(patch: Partial<SettingsInput>): Settings {
      const next = SettingsSchema.parse({ ...settings, ...patch });
      if (patch.python !== undefined && next.python !== undefined) {
        // An interpreter that does not answer would fail every Python algorithm later, far from the cause.
        const check = checkPython(next.python);
        if (!check.ok) throw new CompoxError("invalid_request", `python "${next.python}" is not a usable interpreter (${check.problem}); give a Python 3 with numpy and h5py, or clear the setting`, { setting: "python" });
      }
      settings = next;
      if ("python" in patch) python = undefined; // found again, from the new setting, on next need
      return settings;
    },

    /** The Python interpreter for Python algorithms as `compox doctor` checks it: the chosen one and every candidate tried. */
    checkPython(): { chosen: PythonCheck | null; tried: PythonCheck[] } {
      python = findPython(settings.python);
      return { chosen: python.chosen ?? null, tried: python.tried };
    },

    /** Deploys an algorithm folder or a .zip file on disk; `overrides` replace pyproject values. */
    async deploy(source: string, overrides: DeployOverrides = {}): Promise<DeployResult> {
      return logDeploy(await deployPath(ctx, path.resolve(source), overrides));
    },

    /** Starts a deploy in the background (Compox 3.2's deploy/local-async); returns its id at once. */
    deployAsync(source: string, overrides: DeployOverrides = {}): { deploy_id: string } {
      if (!fs.existsSync(path.resolve(source))) throw new CompoxError("deploy_path_not_found", `${source} does not exist: give the algorithm folder or .zip on this computer as ?path=`, { path: source });
      const deploy_id = uuidv1();
      deploys.insert(deploy_id, source, formatCompoxTime(now()), now().getTime());
      setImmediate(() => {
        deploys.setStatus(deploy_id, "RUNNING");
        deployPath(ctx, path.resolve(source), overrides).then(
          (r) => deploys.setStatus(deploy_id, "COMPLETED", { time_completed: formatCompoxTime(now()), result: logDeploy(r) }),
          (err: unknown) => {
            if (!(err instanceof CompoxError)) logger.error(`deploy ${deploy_id} of ${source} failed: ${(err as Error).stack ?? String(err)}`);
            deploys.setStatus(deploy_id, "FAILED", { time_completed: formatCompoxTime(now()), error: errorBodyOf(err) });
          },
        );
      });
      return { deploy_id };
    },

    getDeploy(id: string): DeployRecord {
      const d = deploys.get(id);
      if (!d) throw new NotFoundError("deploy_record_not_found", `deploy ${id} not found`, { deploy_id: id });
      return d;
    },

    /** Deploys an uploaded zip. */
    async deployZip(bytes: Buffer, label?: string, overrides: DeployOverrides = {}): Promise<DeployResult> {
      return logDeploy(await deployZip(ctx, bytes, label, overrides));
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

    /** A zip of the algorithm folder (latest minor unless given; a checkpoint's files replace assets). */
    async exportAlgorithm(name: string, major: number, minor?: number, checkpointId?: string): Promise<ExportedZip> {
      const line = lineOf(name, major);
      const m = minor ?? line.latest_minor;
      checkMinor(line.algorithm_id, m, `${line.name} ${major}`);
      const version = repo.getVersion(line.algorithm_id, m);
      if (!version?.config.exportable)
        throw new CompoxError("algorithm_not_exportable", `${line.name} ${major}.${m} is not exportable (exportable = false in its pyproject.toml)`);
      if (checkpointId) executions.requireCheckpoint(checkpointId, line.algorithm_id);
      const overrides = checkpointId ? training.checkpointFiles(checkpointId) : {};
      const module = repo.getModule(version.module_id);
      await blobs.fetch([...(module ? [module.blob_id] : []), ...repo.assets(line.algorithm_id, m).map((a) => a.asset_id), ...Object.values(overrides)]);
      return { filename: `${line.name}-${major}.${m}${checkpointId ? `-${checkpointId.slice(0, 8)}` : ""}.zip`, bytes: exportVersionZip({ repo, blobs }, line.algorithm_id, m, overrides) };
    },

    /** Removes a minor version, or the whole line; refuses non-removable ones unless forced. */
    removeAlgorithm(algorithmId: string, opts: RemoveOptions = {}): { removed_minor_versions: string[] } {
      const removed = reserve.withRoom(() => removeVersions(algorithmId, opts));
      reserve.ensure();
      return removed;
    },

    // ── datasets ──────────────────────────────────────────────────────────

    /** Stores an uploaded HDF5 stream (refused over `max_upload_mb` or when not HDF5). */
    uploadDataset(body: Readable, opts: { signal?: AbortSignal; name?: string; id?: string } = {}): Promise<DatasetInfo> {
      reserve.ensure(); // the room that DELETE needs on a full disk comes before new data
      return datasets.putStream(body, { ...opts, maxBytes: settings.max_upload_mb * 2 ** 20 });
    },

    /** Imports a PNG/JPEG/TIFF: one dataset per page. */
    importImage(bytes: Buffer, filename: string, signal?: AbortSignal): Promise<DatasetInfo[]> {
      reserve.ensure();
      return datasets.importImage(bytes, filename, { maxPages: settings.max_import_pages, maxPixels: settings.max_image_megapixels * 1e6 }, signal);
    },

    /** Stores arrays as one dataset. */
    createDataset(items: Record<string, NDArray>, name?: string): Promise<DatasetInfo> {
      return datasets.putArrays(items, name ?? null);
    },

    getDataset(id: string): DatasetInfo {
      return datasets.require(id);
    },

    /** The dataset's file on this computer (fetched from the shared store in cluster mode), for streaming downloads. */
    datasetPath(id: string, signal?: AbortSignal): Promise<string> {
      return datasets.localPath(id, signal);
    },

    readDataset(id: string, keys?: readonly string[]): Promise<Record<string, NDArray>> {
      return datasets.read(id, keys);
    },

    /** One 2-D plane of `key` (plane `slice` of a stack or volume), or a region of it, reduced to at most `maxSize` on a side. */
    /** One plane (or a region of it) of a 2-D or 3-D key, reduced to at most maxSize on a side;
     * never reads the plane whole (see readHdf5Plane). */
    async readPlane(id: string, key: string, slice: number, maxSize: number, sampling: Sampling, region?: Region): Promise<PlaneRead> {
      const info = datasets.require(id);
      if (!info.keys[key]) throw new NotFoundError("dataset_not_found", `dataset ${id} has no key "${key}"; it has ${Object.keys(info.keys).join(", ")}`);
      const shape = info.keys[key].shape;
      if (shape.length < 2 || shape.length > 3) throw new CompoxError("dataset_unsuitable", `"${key}" of dataset ${id} has shape [${shape.join(", ")}]: planes come from 2-D and 3-D arrays`);
      const depth = shape.length === 3 ? shape[0]! : 1;
      if (slice >= depth) throw new CompoxError("invalid_request", `slice ${slice} is out of range: "${key}" has ${depth} plane(s), numbered from 0`);
      const pixels = region ? region.w * region.h : shape.at(-1)! * shape.at(-2)!;
      return planes.read(await datasets.localPath(id), key, slice, { maxSize, sampling, region, maxMeanPixels: settings.max_image_megapixels * 1e6 }, pixels);
    },

    listDatasets(limit?: number, before?: string): DatasetInfo[] {
      return datasets.list(limit, before);
    },

    deleteDataset(id: string): void {
      // Deleting is how space is freed: it must work on a full disk too.
      if (!reserve.withRoom(() => datasets.delete(id))) throw new NotFoundError("dataset_not_found", `dataset ${id} not found`);
      reserve.ensure();
    },

    // ── executions ────────────────────────────────────────────────────────

    /** Validates and queues an execution; returns at once. */
    execute(request: ExecuteRequest): { execution_id: string } {
      if (!owner) throw new CompoxError("internal_error", "this engine was opened to read the store only; executions need the owner engine (compox serve)");
      return executions.submit(request);
    },

    /** Records the HTTP address this owner serves, so `compox run` finds it. */
    announceUrl(url: string): void {
      lock?.setUrl(url);
    },

    getExecution(id: string): ExecutionRecord {
      return executions.get(id);
    },

    listExecutions(query: ExecutionQuery = {}): ExecutionRecord[] {
      return executions.list(query);
    },

    stopExecution(id: string): { detail: string } {
      return executions.stop(id);
    },

    /** Queues the runner's benchmark(args) (Compox 3.2); returns at once. */
    benchmark(request: BenchmarkRequest): { benchmark_id: string } {
      if (!owner) throw new CompoxError("internal_error", "this engine was opened to read the store only; benchmarks need the owner engine (compox serve)");
      return executions.submitBenchmark(request);
    },

    getBenchmark(id: string): BenchmarkRecord {
      return executions.getBenchmark(id);
    },

    // ── samples, trainings, checkpoints ───────────────────────────────────

    /** Stores a sample of input/target dataset pairs; 404 naming datasets that do not exist. */
    createSample(body: { files: Sample["files"]; tags?: string[] | null }): { sample_id: string } {
      const missing = datasets.missing(body.files.flatMap((f) => [...f.input, ...f.target]));
      if (missing.length > 0) throw new NotFoundError("sample_input_files_not_found", `sample files not found: ${missing.join(", ")}`, { missing });
      const sample: Sample = { sample_id: uuidv1(), files: body.files, tags: body.tags ?? [], time_created: formatCompoxTime(now()) };
      training.insertSample(sample, now().getTime());
      return { sample_id: sample.sample_id };
    },

    /** Samples with all positive tags and none of the negative ones. */
    listSamples(filter: { positive_tags?: string[]; negative_tags?: string[] } = {}): Sample[] {
      return training.listSamples().filter((s) => hasTags(s.tags, filter));
    },

    getSample(id: string): Sample {
      const s = training.getSample(id);
      if (!s) throw new NotFoundError("sample_not_found", `sample ${id} not found`);
      return s;
    },

    deleteSample(id: string): void {
      if (!training.deleteSample(id)) throw new NotFoundError("sample_not_found", `sample ${id} not found`);
    },

    /** Validates and queues a training; returns at once. */
    train(request: TrainRequest): { training_id: string } {
      if (!owner) throw new CompoxError("internal_error", "this engine was opened to read the store only; training needs the owner engine (compox serve)");
      return executions.submitTraining(request);
    },

    getTraining(id: string): TrainingRecord {
      return executions.getTraining(id);
    },

    listTrainings(query: Parameters<TrainingRepo["list"]>[0] = {}): TrainingRecord[] {
      return training.list(query);
    },

    stopTraining(id: string): { detail: string } {
      executions.getTraining(id);
      return executions.stop(id, "training");
    },

    listCheckpoints(filter: { positive_tags?: string[]; negative_tags?: string[] } = {}): Checkpoint[] {
      return training.listCheckpoints().filter((c) => hasTags(c.tags, filter));
    },

    getCheckpoint(id: string): Checkpoint {
      const c = training.getCheckpoint(id);
      if (!c) throw new NotFoundError("checkpoint_not_found", `checkpoint ${id} not found`);
      return training.publicCheckpoint(c);
    },

    deleteCheckpoint(id: string): void {
      if (!training.getCheckpoint(id)) throw new NotFoundError("checkpoint_not_found", `checkpoint ${id} not found`);
      const parent = training.getCheckpoint(id)?.parent_algorithm_id;
      if (parent) repo.setStorageMetrics(parent, null);
      for (const blob of training.deleteCheckpoint(id)) if (!repo.isBlobReferenced(blob) && !training.isBlobReferenced(blob)) blobs.delete(blob);
    },

    /** Waits until no execution is queued or running. */
    idle(): Promise<void> {
      return executions.idle();
    },

    /** Subscribes to status, progress, log and deploy events; returns the unsubscribe function. */
    onEvent(listener: EventListener): () => void {
      return events.on(listener);
    },

    /** Events after `id` still in memory (SSE resume). */
    eventsSince(id: number) {
      return events.since(id);
    },

    /** Stops running work (recorded FAILED "interrupted"), unloads runners, closes the database. */
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      clearInterval(sweepTimer);
      // A worker lets its running jobs finish first (worker_shutdown_grace_s); then, as on the
      // desktop, what still runs ends FAILED "interrupted".
      await node?.close(settings.worker_shutdown_grace_s * 1000, () => executions.shutdown());
      await executions.shutdown();
      shared?.close();
      await planes.close();
      db.close();
      lock?.release();
    },
  };
}
