// The job service: executions, trainings and benchmarks are validated (jobs/submission.ts),
// recorded, queued — to this process's runners, or in cluster mode to the workers — and run in a
// runner process, with their records and events kept true to what happens (jobs/job-recorder.ts).
import path from "node:path";
import { v1 as uuidv1 } from "uuid";
import { CompoxError, NotFoundError } from "../../contract/errors.js";
import { canTransition, isTerminal, type BenchmarkRecord, type BenchmarkRequest, type ExecuteRequest, type ExecutionRecord, type Status, type TrainingRecord, type TrainRequest } from "../../contract/records.js";
import type { Settings } from "../../contract/settings.js";
import { formatCompoxTime } from "../../contract/time.js";
import type { BlobStore } from "../blobs/blob-store.js";
import type { DatasetStore } from "../datasets/dataset-store.js";
import type { LogLevel } from "../sdk/context.js";
import type { AlgorithmsRepo } from "../store/algorithms-repo.js";
import type { BenchmarksRepo } from "../store/benchmarks-repo.js";
import type { ExecutionQuery, ExecutionsRepo } from "../store/executions-repo.js";
import type { LogStore } from "../store/log-store.js";
import type { TrainingRepo } from "../store/training-repo.js";
import type { JobKind, JobWorkers } from "../store/job-workers.js";
import type { ClusterHooks, LoadTarget, QueuedJob } from "../jobs/queued-job.js";
import { JobRecorder, type EndStatus, type JobState } from "../jobs/job-recorder.js";
import { loadSpecOf } from "../jobs/load-spec.js";
import { saveCheckpoint } from "../jobs/checkpoint-save.js";
import { benchmarkOf, executionOf, requireCheckpoint, trainingOf, type Submission } from "../jobs/submission.js";
import type { GpuInfo } from "./devices.js";
import type { EventBus } from "./event-bus.js";
import type { RunnerEvent } from "./protocol/protocol.js";
import { RunnerHost } from "./runner-host.js";
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
  /** A record write that failed where no caller waits for it (a log line, progress): reported, not thrown. */
  onWriteError: (what: string, err: unknown) => void;
}

type Kind = JobKind;

/** What the engine tracks about a job while it is queued or running. */
interface ActiveJob extends JobState {
  sessionToken: string;
  /** What loading its runner needs (from the record at submission). */
  target: LoadTarget;
  stopRequested: boolean;
  stopTimer?: NodeJS.Timeout;
  runner?: PooledRunner<RunnerHost>;
  /** Called once the job has ended (a worker's queue waits for it); set on a worker only. */
  ended?: () => void;
}

/** What a job needs loaded in its runner beyond the algorithm: its checkpoint ("" for the shipped assets). */
const variantOf = (target: LoadTarget) => target.checkpoint_id ?? "";

export const INTERRUPTED = "interrupted: the application stopped";
const STOP_POSTED = "Stop request posted successfully";

export class ExecutionService {
  private readonly pool: RunnerPool<RunnerHost>;
  private readonly scheduler: Scheduler<RunnerHost>;
  private readonly active = new Map<string, ActiveJob>();
  private readonly trainingTemp: TrainingTemp;
  private readonly recorder: JobRecorder;
  private closed = false;

  constructor(private readonly deps: ExecutionDeps) {
    this.recorder = new JobRecorder(deps);
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
              Promise.all(
                sampleIds.map(async (sid) => {
                  const sample = await deps.training.getSample(sid);
                  if (!sample) throw new Error(`sample ${sid} not found`);
                  return { sample_id: sample.sample_id, files: sample.files };
                }),
              ),
            setState: async ({ jobId, state }) => {
              await this.recorder.write(jobId, () => deps.training.setState(jobId, state));
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

  /** Validates and queues an execution; returns its id once it is recorded. */
  async submit(req: ExecuteRequest): Promise<{ execution_id: string }> {
    this.assertOpen();
    const submission = await executionOf(this.deps, req);
    await this.accept(submission, () => this.deps.records.insert(submission.record, this.deps.now().getTime()));
    return { execution_id: submission.record.execution_id };
  }

  /** Validates and queues a training (runner.train()); returns its id once it is recorded. */
  async submitTraining(req: TrainRequest): Promise<{ training_id: string }> {
    this.assertOpen();
    const submission = await trainingOf(this.deps, req);
    await this.accept(submission, () => this.deps.training.insert(submission.record, this.deps.now().getTime()));
    return { training_id: submission.record.training_id };
  }

  /** Queues a benchmark (the runner's benchmark(args)); returns its id once it is recorded. */
  async submitBenchmark(req: BenchmarkRequest): Promise<{ benchmark_id: string }> {
    this.assertOpen();
    const submission = await benchmarkOf(this.deps, req);
    await this.accept(submission, () => this.deps.benchmarks.insert(submission.record, this.deps.now().getTime()));
    return { benchmark_id: submission.record.benchmark_id };
  }

  private assertOpen(): void {
    if (this.closed) throw new CompoxError("internal_error", "the engine is shutting down");
  }

  /** Records a validated job (refused first when the queue is full), announces it PENDING, and queues it. */
  private async accept(submission: Submission<{ status: Status }>, insert: () => Promise<void>): Promise<void> {
    const { queued } = submission;
    // No usable interpreter: refuse now, with the fix (a cluster's workers check their own).
    if (submission.needsPython && !this.deps.cluster) this.python();
    await this.assertRoom(); // a full queue refuses the request before anything is recorded
    await insert();
    const job: ActiveJob = { id: queued.id, kind: queued.kind, sessionToken: submission.sessionToken, status: "PENDING", progress: 0, target: queued.target, stopRequested: false };
    this.recorder.track(job.id, job.kind);
    this.recorder.emitStatus(job.id, "PENDING", 0);
    for (const warning of submission.warnings) this.recorder.log(job.id, warning, "WARNING");
    await this.enqueue(job, queued);
  }

  /** Refuses a request when the queue is full (max_queued_jobs), before anything is recorded. */
  private async assertRoom(): Promise<void> {
    const { cluster, settings } = this.deps;
    if (!cluster) return this.scheduler.assertRoom();
    const max = settings().max_queued_jobs;
    if ((await cluster.waiting()) >= max) throw new CompoxError("queue_full", `the job queue is full (max_queued_jobs = ${max}); wait for running jobs or raise the setting`);
  }

  /** Hands a recorded job to this process's runners, or (cluster mode) to the workers' queue. */
  private async enqueue(job: ActiveJob, queued: QueuedJob): Promise<void> {
    // The records written so far (PENDING, warnings) come first: a worker may start it at once.
    await this.recorder.settled(job.id);
    if (this.deps.cluster) {
      // The worker appends to the log from here on: what this process knows of it goes stale.
      this.recorder.forgetLog(job.id);
      return this.deps.cluster.dispatch(queued);
    }
    this.schedule(job, queued);
  }

  /** Holds a job and queues it for this process's runners (preferring one that has its checkpoint loaded). */
  private schedule(job: ActiveJob, queued: QueuedJob): void {
    this.active.set(job.id, job);
    this.scheduler.submit({ id: job.id, key: queued.key, variant: variantOf(queued.target), run: (runner) => this.run(job, runner, queued.moduleId) });
  }

  /**
   * Runs a job a worker took from the cluster's queue, with this process's runners; resolves when
   * it has ended. A job that ended meanwhile (stopped, or failed as lost) is left alone.
   */
  async runQueued(queued: QueuedJob, opts: { worker: string; stopRequested: () => Promise<boolean> }): Promise<void> {
    if (this.active.has(queued.id) || !this.deps.workers) return;
    // Ended meanwhile (stopped in the queue, failed as lost) or deleted: nothing to run.
    const status = await this.deps.workers.claim(queued.kind, queued.id, opts.worker);
    if (!status) return;
    const ended = new Promise<void>((resolve) => {
      // The job as it was submitted (the record's fields travel with it; its status is claimed above).
      const job: ActiveJob = { id: queued.id, kind: queued.kind, sessionToken: queued.sessionToken ?? uuidv1(), status, progress: 0, target: queued.target, stopRequested: false, ended: resolve };
      this.recorder.track(job.id, job.kind);
      this.schedule(job, queued);
    });
    // Held before this check, so a stop that comes later finds it here.
    if (await opts.stopRequested()) await this.stop(queued.id, queued.kind);
    await ended;
  }

  /** Ends a job no runner here holds (cluster mode: stopped in the queue, its worker lost) with a log line saying why. */
  async endRecorded(id: string, kind: Kind, status: "FAILED" | "STOPPED", message: string): Promise<void> {
    const rec = await this.recordOf(kind, id);
    if (!rec || isTerminal(rec.status) || this.active.has(id)) return;
    this.recorder.track(id, kind);
    this.recorder.log(id, message, status === "FAILED" ? "ERROR" : "INFO");
    await this.finish({ id, kind, sessionToken: "", status: rec.status, progress: 0, target: { algorithm_id: rec.algorithm_id, algorithm_minor_version: "", checkpoint_id: null }, stopRequested: status === "STOPPED" }, status);
  }

  private recordOf(kind: Kind, id: string): Promise<ExecutionRecord | TrainingRecord | BenchmarkRecord | undefined> {
    return kind === "execution" ? this.deps.records.get(id) : kind === "training" ? this.deps.training.get(id) : this.deps.benchmarks.get(id);
  }

  async getBenchmark(id: string): Promise<BenchmarkRecord> {
    const rec = await this.deps.benchmarks.get(id);
    if (!rec) throw new NotFoundError("benchmark_not_found", `Benchmark with id ${id} not found.`);
    return rec;
  }

  async getTraining(id: string): Promise<TrainingRecord> {
    const rec = await this.deps.training.get(id);
    if (!rec) throw new NotFoundError("training_not_found", `training ${id} not found`);
    return rec;
  }

  /** A checkpoint of `algorithmId`, or a 404 naming it. */
  requireCheckpoint(id: string, algorithmId: string): Promise<void> {
    return requireCheckpoint(this.deps.training, id, algorithmId);
  }

  /** Stores a checkpoint a training saved (jobs/checkpoint-save.ts) and says so in its log. */
  private async saveCheckpoint(jobId: string, files: Record<string, string>, properties: Record<string, unknown>): Promise<string> {
    const id = await saveCheckpoint(this.deps, await this.getTraining(jobId), files, properties);
    this.log(jobId, `checkpoint ${id} saved (${Object.keys(files).join(", ")})`, "INFO");
    return id;
  }

  async get(id: string): Promise<ExecutionRecord> {
    const rec = await this.deps.records.get(id);
    if (!rec) throw new NotFoundError("execution_not_found", `execution ${id} not found`);
    return rec;
  }

  list(q: ExecutionQuery): Promise<ExecutionRecord[]> {
    return this.deps.records.list(q);
  }

  /** Stops a queued or running execution or training; it ends STOPPED. */
  async stop(id: string, kind: Kind = "execution"): Promise<{ detail: string }> {
    const job = this.active.get(id);
    const status = job?.kind === kind ? job.status : (await (kind === "execution" ? this.get(id) : this.getTraining(id))).status;
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
      await this.finish(job, "STOPPED");
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
  async recoverInterrupted(): Promise<number> {
    let n = 0;
    for (const [kind, repo] of [["execution", this.deps.records], ["training", this.deps.training], ["benchmark", this.deps.benchmarks]] as const) {
      for (const id of await repo.unfinished()) {
        this.recorder.track(id, kind);
        await repo.appendLog(id, this.recorder.line(INTERRUPTED, "ERROR"));
        await repo.setStatus(id, "FAILED", { progress: 1, time_completed: formatCompoxTime(this.deps.now()) });
        n++;
      }
    }
    const keepFailed = this.deps.settings().keep_failed_training_temp;
    const failed = new Set(keepFailed ? await this.deps.training.failedIds() : []);
    this.trainingTemp.sweep((id) => failed.has(id));
    return n;
  }

  /** Dataset ids that queued or running executions still need. */
  async inUseDatasets(): Promise<Set<string>> {
    return new Set([...(await this.deps.records.activeInputIds()), ...(await this.deps.training.sampleDatasetIds())]);
  }

  /** Fails everything still queued or running as interrupted, and unloads every runner. */
  async shutdown(): Promise<void> {
    this.closed = true;
    const ended = [...this.active.values()].map((job) => {
      this.scheduler.cancel(job.id);
      this.log(job.id, INTERRUPTED, "ERROR");
      return this.finish(job, "FAILED");
    });
    await Promise.all(ended);
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
      // A warm runner with another checkpoint loaded loads this job's in place: no new process
      // (the label loop's every stroke makes a new checkpoint).
      if (runner.ready && runner.variant !== variantOf(target)) {
        runner.ready = false;
        runner.loaded = undefined;
      }
      if (runner.ready) await this.recorder.transition(job, "STARTED", "RUNNING"); // a warm runner: one write for both
      else {
        await this.recorder.transition(job, "STARTED");
        if (!runner.loaded) {
          runner.variant = variantOf(target);
          runner.loaded = loadSpecOf(this.deps, target, moduleId).then((spec) => runner.host.load(spec));
          runner.loaded.then(() => (runner.ready = true), () => void runner.host.kill("the algorithm failed to load"));
        }
        await runner.loaded;
        if (job.stopRequested) throw new Error("stopped on request");
        await this.recorder.transition(job, "RUNNING");
      }
      const outputDir = path.dirname(deps.datasets.tempPath());
      if (job.kind === "benchmark") {
        const b = await this.getBenchmark(job.id);
        const data = await runner.host.benchmark({ jobId: job.id, args: b.additional_parameters, outputDir });
        if (job.stopRequested) await this.finish(job, "STOPPED");
        else await this.finish(job, "COMPLETED", undefined, data);
        return;
      }
      if (job.kind === "training") {
        const t = target as TrainingRecord;
        const tempDir = this.trainingTemp.create(job.id);
        await runner.host.train({ jobId: job.id, sampleIds: t.training_data, args: t.additional_parameters, outputDir, tempDir });
        if (job.stopRequested) await this.finish(job, "STOPPED");
        else if ((await this.getTraining(job.id)).output_checkpoint_ids.length === 0) {
          this.log(job.id, "training finished without saving a checkpoint: call saveCheckpoint (save_checkpoint) at least once", "ERROR");
          await this.finish(job, "FAILED");
        } else await this.finish(job, "COMPLETED");
        return;
      }
      const rec = target as ExecutionRecord;
      if (job.stopRequested) throw new Error("stopped on request");
      const result = await runner.host.execute({ jobId: job.id, inputIds: rec.input_dataset_ids, args: rec.additional_parameters, outputDir });
      if (job.stopRequested) await this.finish(job, "STOPPED");
      else await this.finish(job, "COMPLETED", result.outputIds);
    } catch (err) {
      if (!this.active.has(job.id)) return; // already ended (shutdown)
      if (job.stopRequested) {
        this.log(job.id, "stopped on request", "INFO");
        await this.finish(job, "STOPPED");
      } else {
        const e = err as Error;
        this.log(job.id, `${job.kind} failed: ${e.message}`, "ERROR");
        if (e.stack && e.stack !== e.message) this.log(job.id, e.stack, "ERROR");
        await this.finish(job, "FAILED");
      }
    }
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
        if (job) this.recorder.progress(job, event.value);
        break;
      }
    }
  }

  /** Ends a job: its end written once (after every earlier write of it), then announced; resolves when both are done. */
  private async finish(job: ActiveJob, status: EndStatus, outputs?: string[], data?: Record<string, unknown>): Promise<void> {
    clearTimeout(job.stopTimer);
    this.active.delete(job.id);
    try {
      await this.end(job, status, outputs, data);
    } finally {
      this.recorder.forgetLog(job.id);
      job.ended?.();
    }
  }

  private async end(job: ActiveJob, status: EndStatus, outputs?: string[], data?: Record<string, unknown>): Promise<void> {
    if (job.kind === "training" && canTransition(job.status, status)) {
      const kept = this.trainingTemp.release(job.id, status === "FAILED" && this.deps.settings().keep_failed_training_temp);
      if (kept) this.log(job.id, `the training's temp folder is kept for debugging (keep_failed_training_temp): ${kept}`, "INFO");
    }
    const written = await this.recorder.end(job, status, { outputs, data });
    // A worker that was taken for lost (frozen, cut off) and then resumed: the record ended
    // elsewhere and stays as it is; the log says what became of this run.
    if (!written && job.ended && status !== "FAILED") this.log(job.id, `this worker finished the ${job.kind} (${status}), but it had been taken for lost meanwhile and the record had ended: the result is discarded`, "WARNING");
  }

  private log(id: string, message: string, level: LogLevel, at?: Date): void {
    this.recorder.log(id, message, level, at);
  }
}
