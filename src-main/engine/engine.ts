// createEngine(): the composition root. It opens the data directory and the record store, picks
// the implementations for the mode (desktop | cluster, decided once in config/cluster-config.ts),
// wires the services, and returns the Engine (engine-api.ts) that the HTTP server, the CLI and the
// Electron shell use. What the engine does lives in the services; this file only connects them.
import fs from "node:fs";
import path from "node:path";
import { CompoxError, NotFoundError } from "../contract/errors.js";
import { formatCompoxTime } from "../contract/time.js";
import { SettingsSchema, type Settings, type SettingsInput } from "../contract/settings.js";
import { AlgorithmService } from "./algorithms/algorithm-service.js";
import { BlobStore } from "./blobs/blob-store.js";
import { DatasetStore } from "./datasets/dataset-store.js";
import { readHdf5ExactPlane } from "./datasets/hdf5.js";
import { PlaneReader } from "./datasets/plane-reader.js";
import type { DeployContext } from "./deploy/deployer.js";
import type { Engine, Logger } from "./engine-api.js";
import { detectGpus, type GpuInfo } from "./runtime/devices.js";
import { EventBus } from "./runtime/event-bus.js";
import { InProcessQueue } from "./jobs/in-process-queue.js";
import { JobRecorder } from "./jobs/job-recorder.js";
import { JobService } from "./jobs/job-service.js";
import { LocalRunners } from "./jobs/local-runners.js";
import { checkImportable } from "./runtime/import-check.js";
import { PythonChoice } from "./runtime/python-choice.js";
import { SessionCache } from "./runtime/session-cache.js";
import { acquireOwnerLock, type OwnerLock } from "./owner-lock.js";
import { AlgorithmsRepo } from "./store/algorithms-repo.js";
import { openRecordStore } from "./store/db.js";
import type { SqlDb } from "./store/sql.js";
import { JobWorkers } from "./store/job-workers.js";
import { clusterConfigOf } from "./config/cluster-config.js";
import { secureDataDir } from "./config/data-dir.js";
import { DiskReserve, diskFullError, isDiskFull } from "./disk-space.js";
import { openClusterNode, RelayedEventBus, type ClusterNode } from "./cluster/cluster-runtime.js";
import { queuedJobOf } from "./cluster/requeue.js";
import { openObjectStore } from "./storage/open-object-store.js";
import { BenchmarksRepo } from "./store/benchmarks-repo.js";
import { ExecutionsRepo } from "./store/executions-repo.js";
import { LogStore } from "./store/log-store.js";
import { scratchDir, sweepScratch } from "./temp-sweep.js";
import { zipLimitsOf } from "./deploy/zip-extract.js";
import { TrainingRepo } from "./store/training-repo.js";
import { DeploysRepo } from "./store/deploys-repo.js";
import { SamplesCheckpoints } from "./training/samples-checkpoints.js";
import { readModelCard, readModelCover } from "./bioimageio/model-card.js";

export type { Engine, ExportedZip, Logger, RemoveOptions } from "./engine-api.js";

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
  /**
   * Cluster mode: whether this process takes API requests (default true). `compox worker` says
   * false: settling lost workers' jobs and queueing lost jobs again is left to the API nodes, so
   * 50 workers add no load of that kind.
   */
  servesApi?: boolean;
}

const silentLogger: Logger = { info() {}, warn() {}, error() {} };

const HOUR_MS = 3600e3;

/** Opens the data directory and returns the engine; call `close()` when done. */
export async function createEngine(options: EngineOptions): Promise<Engine> {
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
  let db: SqlDb;
  try {
    // On a full disk, opening the store is what needs room first.
    db = await reserve.withRoom(() => openRecordStore(options.dataDir, clustered ? cluster.databaseUrl : undefined));
  } catch (err) {
    lock?.release();
    throw isDiskFull(err) ? diskFullError(options.dataDir) : err;
  }
  const shared = clustered ? openObjectStore(cluster.storage) : undefined;
  const blobs = new BlobStore(path.join(options.dataDir, "blobs"), shared);
  const repo = new AlgorithmsRepo(db);
  const bundleDir = path.join(options.dataDir, "cache", "bundles");
  const python = new PythonChoice(() => settings.python);
  const deployContext: DeployContext = {
    db,
    repo,
    blobs,
    now,
    scratchDir: scratchDir(options.dataDir),
    zipLimits: () => zipLimitsOf(settings),
    checkImportable: async ({ moduleId, scan }) =>
      checkImportable({
        bundleDir,
        python: scan.language === "py" ? python.commandIfAny() : undefined,
        moduleId,
        sources: scan.sources,
        entryPoint: scan.entryPoint ?? "Runner.ts",
        assets: Object.fromEntries(scan.assets.map((a) => [a.path, a.source])),
      }),
    checkLanguage: (language) => (language === "py" ? python.problem() : undefined),
    checkBytecode: (magic) => python.bytecodeProblem(magic),
    python: () => python.commandIfAny(),
  };
  const datasets = new DatasetStore({ db, dir: path.join(options.dataDir, "datasets"), now, expiryDays: () => settings.dataset_expiry_days, shared });
  const logs = new LogStore(db, () => settings.max_log_kb * 1024);
  const records = new ExecutionsRepo(db, logs);
  const training = new TrainingRepo(db, logs);
  const benchmarks = new BenchmarksRepo(db, logs);
  const deploys = new DeploysRepo(db);
  const jobWorkers = new JobWorkers(db);
  const reportError = (what: string, err: unknown) => logger.error(`${what}: ${(err as Error)?.message ?? String(err)}`);
  // Cluster mode: events reach every node, and (owners only: a store-only engine queues nothing)
  // jobs go to the workers' queues; on the desktop they go to this process's runners.
  const events = clustered && owner ? new RelayedEventBus() : new EventBus();
  const recorder = new JobRecorder({ records, training, benchmarks, logs, events, now, onWriteError: (what, err) => reportError(`recording ${what}`, err) });
  const runners = new LocalRunners({
    recorder,
    records,
    training,
    benchmarks,
    events,
    now,
    gpus: (): GpuInfo => gpus(),
    algorithms: repo,
    blobs,
    datasets,
    sessions: new SessionCache(() => ({ maxSessions: settings.session_max, maxItems: settings.session_max_items, expireHours: settings.session_expire_hours }), () => now().getTime()),
    settings: () => settings,
    bundleDir,
    trainingTempDir: path.join(options.dataDir, "training-temp"),
    python: () => python.command(),
    pythonIfAny: () => python.commandIfAny(),
    workers: jobWorkers,
    runnerMemoryMb: options.runnerMemoryMb ?? 8192,
    stopGraceMs: options.stopGraceMs ?? 5000,
  });
  const node: ClusterNode | undefined =
    events instanceof RelayedEventBus && cluster.mode === "cluster"
      ? openClusterNode({
          queueUrl: cluster.queueUrl,
          events,
          processor: runners,
          workers: jobWorkers,
          onError: (what, err) => reportError(`cluster mode: ${what}`, err),
          jobOf: (kind, id) => queuedJobOf({ algorithms: repo, records, training, benchmarks, gpus: (): GpuInfo => gpus() }, kind, id),
          forgetLog: (id) => logs.forget(id),
          maxQueued: () => settings.max_queued_jobs,
          deviceWaitS: () => settings.device_wait_s,
        })
      : undefined;
  // A job may ask for a GPU that some worker has, whatever this node has.
  const localGpus = options.gpus ?? detectGpus;
  const gpus = node ? () => ({ cudaDevices: Math.max(localGpus().cudaDevices, node.hasGpuWorker() ? 1 : 0) }) : localGpus;
  const executions = new JobService({
    recorder,
    runners,
    queue: node?.queue ?? new InProcessQueue(runners, () => python.command()),
    algorithms: repo,
    datasets,
    records,
    training,
    benchmarks,
    settings: () => settings,
    gpus,
    now,
  });
  const algorithms = new AlgorithmService({ db, repo, training, deploys, blobs, deployContext, events, logger, reserve, now, owner });
  const samples = new SamplesCheckpoints({ training, algorithms: repo, datasets, now, deleteUnreferenced: (ids) => algorithms.deleteUnreferenced(ids) });

  const housekeeping = async () => {
    const expired = await datasets.sweepExpired(await executions.inUseDatasets());
    if (expired > 0) logger.info(`removed ${expired} expired dataset(s)`);
    await datasets.sweepStaleCopies();
    reserve.ensure(); // given up on a full disk: taken back once there is room
    if (settings.record_retention_days > 0) await records.pruneBefore(now().getTime() - settings.record_retention_days * 24 * HOUR_MS);
  };
  let sweepTimer: NodeJS.Timeout | undefined;
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    clearInterval(sweepTimer);
    // A worker lets its running jobs finish first (worker_shutdown_grace_s); then, as on the
    // desktop, what still runs ends FAILED "interrupted".
    await node?.close(settings.worker_shutdown_grace_s * 1000, () => executions.shutdown());
    await executions.shutdown();
    shared?.close();
    await planes.close();
    await db.close();
    lock?.release();
  };
  if (owner) {
    try {
      // Crash safety: what a killed process left behind is settled before anything new starts.
      blobs.sweepTemp();
      datasets.sweepTemp();
      sweepScratch(options.dataDir);
      reserve.ensure();
      if (node) {
        // Other nodes' jobs and deploys are theirs to settle; lost workers' jobs are the API nodes' reapers'.
        if (options.servesApi !== false) node.startReaper();
      } else {
        const interrupted = await executions.recoverInterrupted();
        await deploys.failUnfinished(formatCompoxTime(now()), { detail: "interrupted: the application stopped during the deploy; deploy again", code: "deploy_failed", retryable: true });
        if (interrupted > 0) logger.warn(`${interrupted} execution(s) were interrupted by the last shutdown and are now FAILED`);
      }
      await housekeeping();
    } catch (err) {
      await close();
      throw err;
    }
    sweepTimer = setInterval(() => void housekeeping().catch((err: unknown) => reportError("housekeeping", err)), HOUR_MS);
    sweepTimer.unref();
  }

  /** The shape of `key` of dataset `id`, checked to hold plane `slice` (a 404 or 422 naming what is wrong). */
  const planeShape = async (id: string, key: string, slice: number): Promise<number[]> => {
    const info = await datasets.require(id);
    if (!info.keys[key]) throw new NotFoundError("dataset_not_found", `dataset ${id} has no key "${key}"; it has ${Object.keys(info.keys).join(", ")}`);
    const shape = info.keys[key].shape;
    if (shape.length < 2 || shape.length > 3) throw new CompoxError("dataset_unsuitable", `"${key}" of dataset ${id} has shape [${shape.join(", ")}]: planes come from 2-D and 3-D arrays`);
    const depth = shape.length === 3 ? shape[0]! : 1;
    if (slice >= depth) throw new CompoxError("invalid_request", `slice ${slice} is out of range: "${key}" has ${depth} plane(s), numbered from 0`);
    return shape;
  };

  /** Refuses work on an engine opened to read the store only. */
  const requireOwner = (what: string) => {
    if (!owner) throw new CompoxError("internal_error", `this engine was opened to read the store only; ${what} need the owner engine (compox serve)`);
  };

  return {
    dataDir: options.dataDir,
    mode: cluster.mode,
    get settings(): Settings {
      return settings;
    },
    gpus: (): GpuInfo => gpus(),
    async ready() {
      await node?.ready();
    },
    async startWorker(opts) {
      if (!node) throw new CompoxError("internal_error", "compox worker needs cluster mode: set queue_url, database_url and storage_url (docs/cluster.md)");
      await node.startWorker(opts, () => settings.session_expire_hours);
      logger.info(`worker ${opts.name}: running jobs for ${opts.devices.join(", ")} (${opts.concurrency} at a time)`);
    },
    updateSettings(patch: Partial<SettingsInput>): Settings {
      const next = SettingsSchema.parse({ ...settings, ...patch });
      if (patch.python !== undefined && next.python !== undefined) PythonChoice.assertUsable(next.python);
      settings = next;
      if ("python" in patch) python.reset(); // found again, from the new setting, on next need
      return settings;
    },
    checkPython: () => python.check(),
    announceUrl(url) {
      lock?.setUrl(url);
    },

    deploy: (source, overrides) => algorithms.deploy(source, overrides),
    deployAsync: (source, overrides) => algorithms.deployAsync(source, overrides),
    deployZip: (bytes, label, overrides) => algorithms.deployZip(bytes, label, overrides),
    getDeploy: (id) => algorithms.getDeploy(id),
    listAlgorithms: (filter) => algorithms.list(filter),
    getAlgorithm: (name, major) => algorithms.get(name, major),
    getAlgorithmById: (id) => algorithms.record(id),
    modelCard: (name, major) => readModelCard((n, m, p) => algorithms.asset(n, m, p), name, major),
    modelCover: (name, major, n) => readModelCover((a, m, p) => algorithms.asset(a, m, p), name, major, n),
    exportAlgorithm: (name, major, minor, checkpointId) => algorithms.export(name, major, minor, checkpointId, (id, alg) => executions.requireCheckpoint(id, alg)),
    removeAlgorithm: (id, opts) => algorithms.remove(id, opts),

    async uploadDataset(body, opts = {}) {
      reserve.ensure(); // the room that DELETE needs on a full disk comes before new data
      return datasets.putStream(body, { ...opts, maxBytes: settings.max_upload_mb * 2 ** 20 });
    },
    async importImage(bytes, filename, signal) {
      reserve.ensure();
      return datasets.importImage(bytes, filename, { maxPages: settings.max_import_pages, maxPixels: settings.max_image_megapixels * 1e6 }, signal);
    },
    createDataset: (items, name) => datasets.putArrays(items, name ?? null),
    getDataset: (id) => datasets.require(id),
    datasetPath: (id, signal) => datasets.localPath(id, signal),
    readDataset: (id, keys) => datasets.read(id, keys),
    async readPlane(id, key, slice, maxSize, sampling, region) {
      const shape = await planeShape(id, key, slice);
      const pixels = region ? region.w * region.h : shape.at(-1)! * shape.at(-2)!;
      return planes.read(await datasets.localPath(id), key, slice, { maxSize, sampling, region, maxMeanPixels: settings.max_image_megapixels * 1e6 }, pixels);
    },
    async readExactPlane(id, key, slice) {
      await planeShape(id, key, slice);
      return readHdf5ExactPlane(await datasets.localPath(id), key, slice);
    },
    listDatasets: (limit, before) => datasets.list(limit, before),
    async deleteDataset(id) {
      // Deleting is how space is freed: it must work on a full disk too.
      if (!(await reserve.withRoom(() => datasets.delete(id)))) throw new NotFoundError("dataset_not_found", `dataset ${id} not found`);
      reserve.ensure();
    },

    async execute(request) {
      requireOwner("executions");
      return executions.submit(request);
    },
    getExecution: (id) => executions.get(id),
    listExecutions: (query = {}) => executions.list(query),
    stopExecution: (id) => executions.stop(id),
    async benchmark(request) {
      requireOwner("benchmarks");
      return executions.submitBenchmark(request);
    },
    getBenchmark: (id) => executions.getBenchmark(id),

    createSample: (body) => samples.createSample(body),
    listSamples: (filter) => samples.listSamples(filter),
    getSample: (id) => samples.getSample(id),
    deleteSample: (id) => samples.deleteSample(id),
    async train(request) {
      requireOwner("trainings");
      return executions.submitTraining(request);
    },
    getTraining: (id) => executions.getTraining(id),
    listTrainings: (query = {}) => training.list(query),
    async stopTraining(id) {
      await executions.getTraining(id);
      return executions.stop(id, "training");
    },
    listCheckpoints: (filter) => samples.listCheckpoints(filter),
    getCheckpoint: (id) => samples.getCheckpoint(id),
    deleteCheckpoint: (id) => samples.deleteCheckpoint(id),

    idle: () => executions.idle(),
    onEvent: (listener) => events.on(listener),
    eventsSince: (id) => events.since(id),
    async endedSince(ms) {
      const [execs, trains] = await Promise.all([records.endedSince(ms, 1000), training.endedSince(ms, 1000)]);
      return [...execs.map((e) => ({ kind: "execution" as const, ...e })), ...trains.map((t) => ({ kind: "training" as const, ...t }))];
    },
    close,
  };
}
