// Executions: validate a request, record it, queue it, run it in a runner process, and keep the
// record and the event stream true to what happens (SPEC section 6 lifecycle).
//
//   PENDING ──▶ STARTED ──▶ RUNNING ──▶ COMPLETED
//      │           │           ├──────▶ FAILED   (threw, crashed, ran out of memory, interrupted)
//      └───────────┴───────────┴──────▶ STOPPED  (only on an explicit stop request)
import fs from "node:fs";
import path from "node:path";
import { v1 as uuidv1 } from "uuid";
import type { Device } from "../../contract/algorithm-config.js";
import { CompoxError, NotFoundError } from "../../contract/errors.js";
import { resolveParameters } from "../../contract/parameter-values.js";
import { canTransition, isTerminal, type BenchmarkRecord, type BenchmarkRequest, type ExecuteRequest, type ExecutionRecord, type Status, type TrainingRecord, type TrainRequest } from "../../contract/records.js";
import type { Settings } from "../../contract/settings.js";
import { formatCompoxTime } from "../../contract/time.js";
import type { BlobStore } from "../blobs/blob-store.js";
import type { DatasetStore } from "../datasets/dataset-store.js";
import { ensureBundle } from "../deploy/bundle-cache.js";
import { unzipSources } from "../deploy/module-zip.js";
import type { LogLevel } from "../sdk/context.js";
import type { AlgorithmsRepo } from "../store/algorithms-repo.js";
import type { BenchmarksRepo } from "../store/benchmarks-repo.js";
import type { ExecutionQuery, ExecutionsRepo } from "../store/executions-repo.js";
import type { LogStore } from "../store/log-store.js";
import type { TrainingRepo } from "../store/training-repo.js";
import type { JobKind, JobWorkers } from "../store/job-workers.js";
import { resolveDevice, type GpuInfo } from "./devices.js";
import { extractModule } from "./module-dir.js";
import type { EventBus } from "./event-bus.js";
import type { LoadSpec, RunnerEvent } from "./protocol.js";
import { RunnerHost, runnerImports } from "./runner-host.js";
import { RunnerPool, type PooledRunner } from "./runner-pool.js";
import { TrainingTemp } from "./training-temp.js";
import { Scheduler } from "./scheduler.js";
import type { SessionCache } from "./session-cache.js";

export interface ExecutionDeps {
  algorithms: AlgorithmsRepo;
  blobs: BlobStore;
  datasets: DatasetStore;
  records: ExecutionsRepo;
  training: TrainingRepo;
  benchmarks: BenchmarksRepo;
  logs: LogStore;
  sessions: SessionCache;
  events: EventBus;
  settings: () => Settings;
  now: () => Date;
  bundleDir: string;
  /** Root of the trainings' temp folders. */
  trainingTempDir: string;
  gpus: () => GpuInfo;
  /** The interpreter for Python runners; throws, saying how to get one, when there is none. */
  python: () => string;
  /** Memory limit of each runner process, MB. */
  runnerMemoryMb: number;
  /** How long a stopped job may take to return before its process is killed. */
  stopGraceMs: number;
  /** Cluster mode: jobs go to the workers' queue instead of this process's runners. */
  cluster?: ClusterHooks;
  /** Cluster mode: which worker holds each job. */
  workers?: JobWorkers;
}

type Kind = JobKind;

/** A recorded job as it travels to a worker (cluster mode). */
export interface QueuedJob {
  id: string;
  kind: Kind;
  moduleId: string;
  /** Runner reuse key: language, algorithm, minor, device, checkpoint. */
  key: string;
  device: string;
  /** What loading its runner needs (benchmarks have no record field for it). */
  target: LoadTarget;
  /** The session a client named, which pins the job to the worker that holds it. */
  session?: string;
  /** An execution's session token (named by the client or made here): the worker that runs it holds the session. */
  sessionToken?: string;
}

/** A job's runner reuse key: jobs with the same key may share a warm runner. */
export function runnerKey(language: string, algorithmId: string, minor: number, device: string, checkpointId: string | null | undefined): string {
  return `${language}:${algorithmId}:${minor}:${device}:${checkpointId ?? ""}`;
}

/** What the execution service asks of cluster mode (cluster/cluster-runtime.ts). */
export interface ClusterHooks {
  /** Sends a recorded job to the workers, in submission order; a job that cannot go ends FAILED. */
  dispatch(job: QueuedJob): void;
  /** Asks the worker holding a job to stop it, or takes it off the queue. */
  requestStop(id: string, kind: Kind): void;
  /** Jobs waiting over the whole cluster (max_queued_jobs applies to them). */
  waiting(): number;
}

/** The record operations both executions and trainings offer. */
interface JobRecords {
  /** False when the record has ended already (elsewhere: a reaper, another node): nothing is written. */
  setStatus(id: string, status: Status, fields?: { progress?: number; time_completed?: string }): boolean;
  setProgress(id: string, progress: number): void;
  appendLog(id: string, line: string): void;
}

/** What loading a runner needs to know about the job's record. */
type LoadTarget = Pick<ExecutionRecord, "algorithm_id" | "algorithm_minor_version" | "checkpoint_id"> & { resolved_execution_device?: string };

/** What the engine tracks about a job while it is queued or running. */
interface ActiveJob {
  id: string;
  kind: Kind;
  sessionToken: string;
  /** The record's status and progress, held here while the job lives so that no transition
   * reads the record back (the store is written, never consulted, on the hot path). */
  status: Status;
  progress: number;
  /** What loading its runner needs (from the record at submission). */
  target: LoadTarget;
  stopRequested: boolean;
  stopTimer?: NodeJS.Timeout;
  runner?: PooledRunner<RunnerHost>;
  /** Called once the job has ended (a worker's queue waits for it). */
  ended?: () => void;
}

export const INTERRUPTED = "interrupted: the application stopped";
const STOP_POSTED = "Stop request posted successfully";

export class ExecutionService {
  private readonly pool: RunnerPool<RunnerHost>;
  private readonly scheduler: Scheduler<RunnerHost>;
  private readonly active = new Map<string, ActiveJob>();
  private readonly kinds = new Map<string, Kind>();
  private readonly trainingTemp: TrainingTemp;
  private closed = false;

  constructor(private readonly deps: ExecutionDeps) {
    this.trainingTemp = new TrainingTemp(deps.trainingTempDir);
    this.pool = new RunnerPool<RunnerHost>({
      create: (key) =>
        new RunnerHost({
          memoryMb: deps.runnerMemoryMb,
          python: key.startsWith("py:") ? this.python() : undefined,
          onEvent: (jobId, event) => this.onRunnerEvent(jobId, event),
          engine: {
            datasetPath: ({ id }) => deps.datasets.localPath(id),
            commitDataset: async ({ path: file }) => (await deps.datasets.putFile(file)).file_id,
            sessionSave: async ({ jobId, key, value }) => deps.sessions.save(this.token(jobId), key, value),
            sessionLoad: async ({ jobId, key }) => deps.sessions.load(this.token(jobId), key),
            sessionRemove: async ({ jobId, key }) => deps.sessions.remove(this.token(jobId), key),
            trainingDataset: async ({ sampleIds }) =>
              sampleIds.map((sid) => {
                const sample = deps.training.getSample(sid);
                if (!sample) throw new Error(`sample ${sid} not found`);
                return { sample_id: sample.sample_id, files: sample.files };
              }),
            setState: async ({ jobId, state }) => {
              deps.training.setState(jobId, state);
              deps.events.emit({ type: "state", training_id: jobId, state });
            },
            saveCheckpoint: ({ jobId, files, properties }) => this.saveCheckpoint(jobId, files, properties),
          },
        }),
      dispose: (host) => host.close(),
      isAlive: (host) => host.alive,
      maxLoaded: () => deps.settings().max_loaded_runners,
      idleMinutes: () => deps.settings().runner_idle_unload_minutes,
    });
    this.scheduler = new Scheduler(this.pool, () => ({ maxConcurrent: deps.settings().max_concurrent_executions, maxQueued: deps.settings().max_queued_jobs }));
  }

  /** Validates and queues an execution; returns its id at once. */
  submit(req: ExecuteRequest): { execution_id: string } {
    if (this.closed) throw new CompoxError("internal_error", "the engine is shutting down");
    const { deps } = this;
    const missing = deps.datasets.missing(req.input_dataset_ids);
    if (missing.length > 0) throw new NotFoundError("dataset_not_found", `input datasets not found: ${missing.join(", ")}`, { missing });
    const { line, minor, version, language } = this.versionOf(req);
    if (req.checkpoint_id) this.requireCheckpoint(req.checkpoint_id, line.algorithm_id);
    const config = version.config;
    const override = req.execution_device_override?.toLowerCase() || null;
    // As Compox 3.2: an override the algorithm does not support (or one like "cuda:0") runs on
    // the default device, with a warning in the log, rather than refusing the request.
    const usable = override !== null && (config.supported_devices as string[]).includes(override);
    const overrideWarning = override !== null && !usable ? `execution_device_override "${override}" is not one of ${line.name}'s supported devices (${config.supported_devices.join(", ")}): running on its default device ${config.default_device}` : undefined;
    const params = resolveParameters(config.additional_parameters, req.additional_parameters);
    if (params.problems.length > 0) {
      const allowed = config.additional_parameters.map((p) => p.name).join(", ");
      throw new CompoxError("parameters_invalid", `invalid additional_parameters: ${params.problems.join("; ")} (declared: ${allowed})`, { errors: params.problems });
    }
    const device = resolveDevice((usable ? override : config.default_device) as Device, deps.gpus());
    const now = deps.now();
    const record: ExecutionRecord = {
      execution_id: uuidv1(),
      algorithm_id: line.algorithm_id,
      algorithm_minor_version: String(minor),
      input_dataset_ids: [...req.input_dataset_ids],
      execution_device_override: override,
      resolved_execution_device: device.device,
      additional_parameters: params.values,
      session_token: req.session_token || uuidv1(),
      checkpoint_id: req.checkpoint_id ?? null,
      output_dataset_ids: [],
      status: "PENDING",
      progress: 0,
      time_started: formatCompoxTime(now),
      time_completed: "",
      log: "",
      algorithm_name: line.name,
    };
    const job: ActiveJob = { id: record.execution_id, kind: "execution", sessionToken: record.session_token, status: "PENDING", progress: 0, target: record, stopRequested: false };
    // No usable interpreter: refuse now, with the fix (a cluster's workers check their own).
    if (language === "py" && !deps.cluster) this.python();
    const key = runnerKey(language, line.algorithm_id, minor, device.device, record.checkpoint_id);
    this.assertRoom(); // a full queue refuses the request before anything is recorded
    deps.records.insert(record, now.getTime());
    this.kinds.set(job.id, "execution");
    this.emitStatus(record.execution_id, "PENDING", 0);
    if (overrideWarning) this.log(job.id, overrideWarning, "WARNING");
    if (device.warning) this.log(job.id, device.warning, "WARNING");
    for (const name of params.undeclared) this.log(job.id, `parameter "${name}" is not declared by ${line.name}; passed to the runner as given`, "WARNING");
    this.enqueue(job, { id: job.id, kind: "execution", moduleId: version.module_id, key, device: device.device, target: record, session: req.session_token || undefined, sessionToken: record.session_token });
    return { execution_id: record.execution_id };
  }

  /** Validates and queues a training (runner.train()); returns its id at once. */
  submitTraining(req: TrainRequest): { training_id: string } {
    if (this.closed) throw new CompoxError("internal_error", "the engine is shutting down");
    const { deps } = this;
    const missingSamples = req.training_data.filter((id) => !deps.training.getSample(id));
    if (missingSamples.length > 0) throw new NotFoundError("sample_not_found", `samples not found: ${missingSamples.join(", ")}`, { missing: missingSamples });
    const files = req.training_data.flatMap((id) => deps.training.getSample(id)?.files.flatMap((f) => [...f.input, ...f.target]) ?? []);
    const missingFiles = deps.datasets.missing(files);
    if (missingFiles.length > 0) throw new NotFoundError("dataset_not_found", `sample files not found: ${missingFiles.join(", ")}`, { missing: missingFiles });
    const { line, minor, version, language } = this.versionOf(req);
    const config = version.config;
    if (req.checkpoint_id) this.requireCheckpoint(req.checkpoint_id, line.algorithm_id);
    const params = resolveParameters(config.training_parameters, req.additional_parameters);
    if (params.problems.length > 0) throw new CompoxError("parameters_invalid", `invalid training parameters: ${params.problems.join("; ")}`, { errors: params.problems });
    this.assertRoom();
    const now = deps.now();
    const record: TrainingRecord = {
      training_id: uuidv1(),
      algorithm_id: line.algorithm_id,
      status: "PENDING",
      progress: 0,
      time_started: formatCompoxTime(now),
      time_completed: "",
      log: "",
      training_data: [...req.training_data],
      additional_parameters: params.values,
      state: {},
      tags: req.tags ?? [],
      checkpoint_id: req.checkpoint_id ?? null,
      algorithm_minor_version: String(minor),
      output_checkpoint_ids: [],
      algorithm_name: line.name,
    };
    deps.training.insert(record, now.getTime());
    // Compox 3.x accepts the request and lets the training fail in the runner (its HTTP tests
    // expect 200): the log says why before the runner does.
    if (!config.trainable && config.training_parameters.length === 0)
      this.log(record.training_id, `${line.name} does not declare itself trainable (trainable = true or training_parameters in its pyproject.toml); its Runner's train() is called anyway`, "WARNING");
    const job: ActiveJob = { id: record.training_id, kind: "training", sessionToken: uuidv1(), status: "PENDING", progress: 0, target: record, stopRequested: false };
    this.kinds.set(job.id, "training");
    this.emitStatus(job.id, "PENDING", 0);
    const device = resolveDevice(config.default_device, deps.gpus()).device;
    this.enqueue(job, { id: job.id, kind: "training", moduleId: version.module_id, key: runnerKey(language, line.algorithm_id, minor, device, record.checkpoint_id), device, target: record });
    return { training_id: record.training_id };
  }

  /** Queues a benchmark: the runner's benchmark(args) on the latest minor, default device, no
   * checkpoint (as Compox 3.2); the parameters are passed as given. Returns its id at once. */
  submitBenchmark(req: BenchmarkRequest): { benchmark_id: string } {
    if (this.closed) throw new CompoxError("internal_error", "the engine is shutting down");
    const { deps } = this;
    const { line, minor, version, language } = this.versionOf({ algorithm_id: req.algorithm_id });
    if (language === "py" && !deps.cluster) this.python();
    this.assertRoom();
    const now = deps.now();
    const record: BenchmarkRecord = {
      benchmark_id: uuidv1(),
      algorithm_id: line.algorithm_id,
      additional_parameters: { ...(req.additional_parameters ?? {}) },
      status: "PENDING",
      time_started: formatCompoxTime(now),
      time_completed: "",
      log: "",
      data: {},
    };
    deps.benchmarks.insert(record, now.getTime());
    const target = { algorithm_id: line.algorithm_id, algorithm_minor_version: String(minor), checkpoint_id: null };
    const job: ActiveJob = { id: record.benchmark_id, kind: "benchmark", sessionToken: uuidv1(), status: "PENDING", progress: 0, target, stopRequested: false };
    this.kinds.set(job.id, "benchmark");
    this.emitStatus(job.id, "PENDING", 0);
    const device = resolveDevice(version.config.default_device, deps.gpus()).device;
    this.enqueue(job, { id: job.id, kind: "benchmark", moduleId: version.module_id, key: runnerKey(language, line.algorithm_id, minor, device, null), device, target });
    return { benchmark_id: record.benchmark_id };
  }

  /** Refuses a request when the queue is full (max_queued_jobs), before anything is recorded. */
  private assertRoom(): void {
    const { cluster, settings } = this.deps;
    if (!cluster) return this.scheduler.assertRoom();
    const max = settings().max_queued_jobs;
    if (cluster.waiting() >= max) throw new CompoxError("queue_full", `the job queue is full (max_queued_jobs = ${max}); wait for running jobs or raise the setting`);
  }

  /** Hands a recorded job to this process's runners, or (cluster mode) to the workers' queue. */
  private enqueue(job: ActiveJob, queued: QueuedJob): void {
    if (this.deps.cluster) return this.deps.cluster.dispatch(queued);
    this.active.set(job.id, job);
    this.scheduler.submit({ id: job.id, key: queued.key, run: (runner) => this.run(job, runner, queued.moduleId) });
  }

  /**
   * Runs a job a worker took from the cluster's queue, with this process's runners; resolves when
   * it has ended. A job that ended meanwhile (stopped, or failed as lost) is left alone.
   */
  async runQueued(queued: QueuedJob, opts: { worker: string; stopRequested: () => Promise<boolean> }): Promise<void> {
    if (this.active.has(queued.id) || !this.deps.workers) return;
    // Ended meanwhile (stopped in the queue, failed as lost) or deleted: nothing to run.
    const status = this.deps.workers.claim(queued.kind, queued.id, opts.worker);
    if (!status) return;
    const ended = new Promise<void>((resolve) => {
      // The job as it was submitted (the record's fields travel with it; its status is claimed above).
      const job: ActiveJob = { id: queued.id, kind: queued.kind, sessionToken: queued.sessionToken ?? uuidv1(), status, progress: 0, target: queued.target, stopRequested: false, ended: resolve };
      this.kinds.set(job.id, job.kind);
      this.active.set(job.id, job);
      this.scheduler.submit({ id: job.id, key: queued.key, run: (runner) => this.run(job, runner, queued.moduleId) });
    });
    // Held before this check, so a stop that comes later finds it here.
    if (await opts.stopRequested()) this.stop(queued.id, queued.kind);
    await ended;
  }

  /** Ends a job no runner here holds (cluster mode: stopped in the queue, its worker lost) with a log line saying why. */
  endRecorded(id: string, kind: Kind, status: "FAILED" | "STOPPED", message: string): void {
    const rec = this.recordOf(kind, id);
    if (!rec || isTerminal(rec.status) || this.active.has(id)) return;
    this.kinds.set(id, kind);
    this.log(id, message, status === "FAILED" ? "ERROR" : "INFO");
    this.finish({ id, kind, sessionToken: "", status: rec.status, progress: 0, target: { algorithm_id: rec.algorithm_id, algorithm_minor_version: "", checkpoint_id: null }, stopRequested: status === "STOPPED" }, status);
  }

  private recordOf(kind: Kind, id: string): ExecutionRecord | TrainingRecord | BenchmarkRecord | undefined {
    return kind === "execution" ? this.deps.records.get(id) : kind === "training" ? this.deps.training.get(id) : this.deps.benchmarks.get(id);
  }

  getBenchmark(id: string): BenchmarkRecord {
    const rec = this.deps.benchmarks.get(id);
    if (!rec) throw new NotFoundError("benchmark_not_found", `Benchmark with id ${id} not found.`);
    return rec;
  }

  /** The algorithm line and minor version a request names (the latest minor by default), or a 404. */
  private versionOf(req: { algorithm_id: string; algorithm_minor_version?: string | number | null }) {
    const { algorithms } = this.deps;
    const raw = req.algorithm_minor_version;
    const wanted = raw === null || raw === undefined || raw === "" ? null : Number(raw);
    const found = wanted === null || Number.isInteger(wanted) ? algorithms.runnable(req.algorithm_id, wanted) : undefined;
    if (found) return { line: found.line, minor: found.version.minor, version: found.version, language: found.language };
    // Not found: the separate reads say what is missing.
    const line = algorithms.getLine(req.algorithm_id);
    if (!line) throw new NotFoundError("algorithm_not_found", `algorithm ${req.algorithm_id} not found`);
    const minor = wanted ?? line.latest_minor;
    const version = Number.isInteger(minor) ? algorithms.getVersion(line.algorithm_id, minor) : undefined;
    if (!version) throw new NotFoundError("algorithm_not_found", `${line.name} ${line.major} has no minor version ${raw}; it has ${algorithms.minors(line.algorithm_id).join(", ")}`);
    return { line, minor, version, language: algorithms.getModule(version.module_id)?.language ?? "ts" };
  }

  getTraining(id: string): TrainingRecord {
    const rec = this.deps.training.get(id);
    if (!rec) throw new NotFoundError("training_not_found", `training ${id} not found`);
    return rec;
  }

  /** A checkpoint of `algorithmId`, or a 404 naming it. */
  requireCheckpoint(id: string, algorithmId: string): void {
    const c = this.deps.training.getCheckpoint(id);
    if (!c || c.parent_algorithm_id !== algorithmId) throw new NotFoundError("checkpoint_not_found", `checkpoint ${id} not found for algorithm ${algorithmId}`);
  }

  /** Stores a checkpoint a training saved: its files must be assets of the algorithm. */
  private async saveCheckpoint(jobId: string, files: Record<string, string>, properties: Record<string, unknown>): Promise<string> {
    const { deps } = this;
    const t = this.getTraining(jobId);
    const valid = deps.algorithms.assets(t.algorithm_id, Number(t.algorithm_minor_version)).map((a) => a.path);
    const unknown = Object.keys(files).filter((p) => !valid.includes(p));
    if (unknown.length > 0) throw new Error(`saveCheckpoint: ${unknown.join(", ")} ${unknown.length > 1 ? "are" : "is"} not an asset of the algorithm; checkpoint files replace assets, so use one of ${valid.join(", ") || "(it has no assets)"}`);
    if (Object.keys(files).length === 0) throw new Error("saveCheckpoint: give at least one file");
    const blobs: Record<string, string> = {};
    for (const [p, file] of Object.entries(files)) {
      blobs[p] = (await deps.blobs.putFile(file)).id;
      await fs.promises.rm(file, { force: true });
    }
    await deps.blobs.publish();
    const checkpoint_id = uuidv1();
    deps.algorithms.setStorageMetrics(t.algorithm_id, null);
    deps.training.insertCheckpoint({ checkpoint_id, training_id: jobId, parent_algorithm_id: t.algorithm_id, parent_checkpoint_id: t.checkpoint_id, algorithm_minor_version: t.algorithm_minor_version, created_at: formatCompoxTime(deps.now()), properties, tags: t.tags }, blobs);
    this.log(jobId, `checkpoint ${checkpoint_id} saved (${Object.keys(files).join(", ")})`, "INFO");
    return checkpoint_id;
  }

  get(id: string): ExecutionRecord {
    const rec = this.deps.records.get(id);
    if (!rec) throw new NotFoundError("execution_not_found", `execution ${id} not found`);
    return rec;
  }

  list(q: ExecutionQuery): ExecutionRecord[] {
    return this.deps.records.list(q);
  }

  /** Stops a queued or running execution or training; it ends STOPPED. */
  stop(id: string, kind: Kind = "execution"): { detail: string } {
    const job = this.active.get(id);
    const status = job?.kind === kind ? job.status : (kind === "execution" ? this.get(id) : this.getTraining(id)).status;
    // Cluster mode: the job is on a worker, or in the queue.
    if (!job && this.deps.cluster && !isTerminal(status)) {
      this.deps.cluster.requestStop(id, kind);
      return { detail: STOP_POSTED };
    }
    // Compox 3.2's wording, which its clients and tests compare verbatim.
    if (isTerminal(status) || !job) throw new CompoxError(kind === "execution" ? "execution_not_stoppable" : "training_not_stoppable", `${kind === "execution" ? "Execution" : "Training"} in state ${status} cannot be stopped`);
    if (job.stopRequested) return { detail: STOP_POSTED };
    job.stopRequested = true;
    if (this.scheduler.cancel(id)) {
      this.log(id, "stopped on request before it started", "INFO");
      this.finish(job, "STOPPED");
      return { detail: STOP_POSTED };
    }
    this.log(id, "stop requested", "INFO");
    const runner = job.runner;
    runner?.host.requestStop(id);
    job.stopTimer = setTimeout(() => {
      this.log(id, `the runner did not stop within ${this.deps.stopGraceMs / 1000} s: its process was killed`, "WARNING");
      void runner?.host.kill("stopped on request");
    }, this.deps.stopGraceMs);
    return { detail: STOP_POSTED };
  }

  /** Records left unfinished by a previous process become FAILED (crash safety). */
  recoverInterrupted(): number {
    let n = 0;
    for (const [kind, repo] of [["execution", this.deps.records], ["training", this.deps.training], ["benchmark", this.deps.benchmarks]] as const) {
      for (const id of repo.unfinished()) {
        this.kinds.set(id, kind);
        this.appendLog(id, INTERRUPTED, "ERROR");
        repo.setStatus(id, "FAILED", { progress: 1, time_completed: formatCompoxTime(this.deps.now()) });
        n++;
      }
    }
    const keepFailed = this.deps.settings().keep_failed_training_temp;
    this.trainingTemp.sweep((id) => keepFailed && this.deps.training.get(id)?.status === "FAILED");
    return n;
  }

  /** Dataset ids that queued or running executions still need. */
  inUseDatasets(): Set<string> {
    return new Set([...this.deps.records.activeInputIds(), ...this.deps.training.sampleDatasetIds()]);
  }

  /** Fails everything still queued or running as interrupted, and unloads every runner. */
  async shutdown(): Promise<void> {
    this.closed = true;
    for (const job of [...this.active.values()]) {
      this.scheduler.cancel(job.id);
      this.log(job.id, INTERRUPTED, "ERROR");
      this.finish(job, "FAILED");
    }
    await this.pool.closeAll();
  }

  /** Whether this process queues or runs job `id`. */
  holds(id: string): boolean {
    return this.active.has(id);
  }

  /** Waits until nothing is queued or running (tests, benchmarks). */
  idle(): Promise<void> {
    return this.scheduler.idle();
  }

  private async run(job: ActiveJob, runner: PooledRunner<RunnerHost>, moduleId: string): Promise<void> {
    if (!this.active.has(job.id)) return; // finished while queued (shutdown)
    job.runner = runner;
    const { deps } = this;
    const { target } = job;
    try {
      if (runner.ready) this.transition(job, "STARTED", "RUNNING"); // a warm runner: one write for both
      else {
        this.transition(job, "STARTED");
        if (!runner.loaded) {
          runner.loaded = this.loadSpec(target, moduleId).then((spec) => runner.host.load(spec));
          runner.loaded.then(() => (runner.ready = true), () => void runner.host.kill("the algorithm failed to load"));
        }
        await runner.loaded;
        if (job.stopRequested) throw new Error("stopped on request");
        this.transition(job, "RUNNING");
      }
      const outputDir = path.dirname(deps.datasets.tempPath());
      if (job.kind === "benchmark") {
        const b = this.getBenchmark(job.id);
        const data = await runner.host.benchmark({ jobId: job.id, args: b.additional_parameters, outputDir });
        if (job.stopRequested) this.finish(job, "STOPPED");
        else this.finish(job, "COMPLETED", undefined, data);
        return;
      }
      if (job.kind === "training") {
        const t = target as TrainingRecord;
        const tempDir = this.trainingTemp.create(job.id);
        await runner.host.train({ jobId: job.id, sampleIds: t.training_data, args: t.additional_parameters, outputDir, tempDir });
        if (job.stopRequested) this.finish(job, "STOPPED");
        else if (this.getTraining(job.id).output_checkpoint_ids.length === 0) {
          this.log(job.id, "training finished without saving a checkpoint: call saveCheckpoint (save_checkpoint) at least once", "ERROR");
          this.finish(job, "FAILED");
        } else this.finish(job, "COMPLETED");
        return;
      }
      const rec = target as ExecutionRecord;
      if (job.stopRequested) throw new Error("stopped on request");
      const result = await runner.host.execute({ jobId: job.id, inputIds: rec.input_dataset_ids, args: rec.additional_parameters, outputDir });
      if (job.stopRequested) this.finish(job, "STOPPED");
      else this.finish(job, "COMPLETED", result.outputIds);
    } catch (err) {
      if (!this.active.has(job.id)) return; // already ended (shutdown)
      if (job.stopRequested) {
        this.log(job.id, "stopped on request", "INFO");
        this.finish(job, "STOPPED");
      } else {
        const e = err as Error;
        this.log(job.id, `${job.kind} failed: ${e.message}`, "ERROR");
        if (e.stack && e.stack !== e.message) this.log(job.id, e.stack, "ERROR");
        this.finish(job, "FAILED");
      }
    }
  }

  private async loadSpec(rec: LoadTarget, moduleId: string): Promise<LoadSpec> {
    const { deps } = this;
    const module = deps.algorithms.getModule(moduleId);
    const version = deps.algorithms.getVersion(rec.algorithm_id, Number(rec.algorithm_minor_version));
    if (!module || !version) throw new Error("the algorithm version was removed");
    const checkpointFiles = rec.checkpoint_id ? deps.training.checkpointFiles(rec.checkpoint_id) : {};
    const assetRows = deps.algorithms.assets(rec.algorithm_id, Number(rec.algorithm_minor_version));
    await deps.blobs.fetch([module.blob_id, ...assetRows.map((a) => a.asset_id), ...Object.values(checkpointFiles)]); // cluster mode: copies on this node
    const assets = Object.fromEntries(assetRows.map((a) => [a.path, deps.blobs.pathOf(a.asset_id)]));
    // A checkpoint's files replace the assets of the same paths.
    for (const [p, blob] of Object.entries(checkpointFiles)) assets[p] = deps.blobs.pathOf(blob);
    const device = ("resolved_execution_device" in rec ? rec.resolved_execution_device : resolveDevice(version.config.default_device, deps.gpus()).device) as LoadSpec["device"];
    const sources = () => unzipSources(deps.blobs.read(module.blob_id));
    if (module.language === "py") return { bundlePath: "", moduleRoot: extractModule(path.join(deps.bundleDir, "..", "py"), module.module_id, sources), device, assets };
    const bundlePath = await ensureBundle(deps.bundleDir, module.module_id, sources, module.entry_point, version.config.obfuscate, runnerImports());
    return { bundlePath, device, assets };
  }

  /** The interpreter for Python runners; throws the engine's explanation when there is none. */
  private python(): string {
    return this.deps.python();
  }

  private token(jobId: string): string {
    const job = this.active.get(jobId);
    if (!job) throw new Error(`no running job ${jobId}`);
    return job.sessionToken;
  }

  private onRunnerEvent(jobId: string | null, event: RunnerEvent): void {
    if (!jobId || !this.active.has(jobId)) return; // output between jobs: nowhere to record it
    switch (event.type) {
      case "log":
        this.log(jobId, event.message, event.level, new Date(event.time));
        break;
      case "progress": {
        const job = this.active.get(jobId);
        if (!job || event.value <= job.progress) break; // progress never decreases: clients plot it
        job.progress = event.value;
        this.repo(jobId).setProgress(jobId, event.value);
        this.deps.events.emit({ type: "progress", ...this.ref(jobId), progress: event.value });
        break;
      }
    }
  }

  private repo(id: string): JobRecords {
    const kind = this.kinds.get(id);
    return kind === "training" ? this.deps.training : kind === "benchmark" ? this.deps.benchmarks : this.deps.records;
  }

  private ref(id: string): { execution_id: string } | { training_id: string } | { benchmark_id: string } {
    const kind = this.kinds.get(id);
    return kind === "training" ? { training_id: id } : kind === "benchmark" ? { benchmark_id: id } : { execution_id: id };
  }

  /** Moves a job through `steps` (each a legal transition): one write of the last, an event each. */
  private transition(job: ActiveJob, ...steps: Status[]): void {
    let at = job.status;
    for (const to of steps) {
      if (!canTransition(at, to)) return;
      at = to;
    }
    job.status = at;
    if (!this.repo(job.id).setStatus(job.id, at)) return; // ended elsewhere: its end stands
    for (const to of steps) this.emitStatus(job.id, to, job.progress);
  }

  private finish(job: ActiveJob, status: "COMPLETED" | "FAILED" | "STOPPED", outputs?: string[], data?: Record<string, unknown>): void {
    clearTimeout(job.stopTimer);
    this.active.delete(job.id);
    job.ended?.();
    this.deps.logs.forget(job.id);
    if (!canTransition(job.status, status)) return;
    job.status = status;
    if (job.kind === "training") {
      const kept = this.trainingTemp.release(job.id, status === "FAILED" && this.deps.settings().keep_failed_training_temp);
      if (kept) this.log(job.id, `the training's temp folder is kept for debugging (keep_failed_training_temp): ${kept}`, "INFO");
    }
    const fields = { progress: 1, time_completed: formatCompoxTime(this.deps.now()) };
    // The end is written once, guarded in SQL: a job another node has failed (its worker taken
    // for lost) stays FAILED, and no second end is announced.
    const written =
      job.kind === "execution"
        ? this.deps.records.setStatus(job.id, status, { ...fields, output_dataset_ids: outputs })
        : job.kind === "benchmark"
          ? this.deps.benchmarks.setStatus(job.id, status, { time_completed: fields.time_completed, data })
          : this.deps.training.setStatus(job.id, status, fields);
    if (written) this.emitStatus(job.id, status, 1);
  }

  private emitStatus(id: string, status: Status, progress: number): void {
    this.deps.events.emit({ type: "status", ...this.ref(id), status, progress });
  }

  private appendLog(id: string, message: string, level: LogLevel, at = this.deps.now()): string {
    const line = `${formatCompoxTime(at)} ${level} ${message}`;
    this.repo(id).appendLog(id, line);
    return line;
  }

  private log(id: string, message: string, level: LogLevel, at?: Date): void {
    const line = this.appendLog(id, message, level, at);
    this.deps.events.emit({ type: "log", ...this.ref(id), line });
  }
}
