// This process's runners as a job processor: jobs wait in the scheduler's FIFO, run on a runner
// process from the pool (a warm one when it can), and their lifecycle is recorded as it happens
// (job-recorder.ts). The in-process queue hands jobs here directly; a cluster worker hands the
// jobs it takes from Redis.
import path from "node:path";
import { v1 as uuidv1 } from "uuid";
import { NotFoundError } from "../../contract/errors.js";
import { canTransition, isTerminal, type BenchmarkRecord, type ExecutionRecord, type TrainingRecord } from "../../contract/records.js";
import type { Settings } from "../../contract/settings.js";
import type { DatasetStore } from "../datasets/dataset-store.js";
import type { EventBus } from "../runtime/event-bus.js";
import type { LogLevel } from "../sdk/context.js";
import type { BenchmarksRepo } from "../store/benchmarks-repo.js";
import type { ExecutionsRepo } from "../store/executions-repo.js";
import type { JobKind, JobWorkers } from "../store/job-workers.js";
import type { RunnerEvent } from "../runtime/protocol/protocol.js";
import { RunnerHost } from "../runtime/runner-host.js";
import { RunnerPool, type PooledRunner } from "../runtime/runner-pool.js";
import { Scheduler } from "../runtime/scheduler.js";
import type { SessionCache } from "../runtime/session-cache.js";
import { TrainingTemp } from "../runtime/training-temp.js";
import { saveCheckpoint, type CheckpointSaveDeps } from "./checkpoint-save.js";
import type { JobProcessor } from "./job-queue.js";
import type { EndStatus, JobRecorder, JobState } from "./job-recorder.js";
import { loadSpecOf, type LoadSpecDeps } from "./load-spec.js";
import type { LoadTarget, QueuedJob } from "./queued-job.js";

export type LocalRunnersDeps = LoadSpecDeps &
  CheckpointSaveDeps & {
    recorder: JobRecorder;
    records: ExecutionsRepo;
    benchmarks: BenchmarksRepo;
    datasets: DatasetStore;
    events: EventBus;
    sessions: SessionCache;
    settings: () => Settings;
    /** Root of the trainings' temp folders. */
    trainingTempDir: string;
    /** The interpreter for Python runners; throws, saying how to get one, when there is none. */
    python: () => string;
    /** The interpreter, if there is one (a Node runner's algorithm may ask for it: TorchScript weights). */
    pythonIfAny: () => string | undefined;
    /** Memory limit of each runner process, MB. */
    runnerMemoryMb: number;
    /** How long a stopped job may take to return before its process is killed. */
    stopGraceMs: number;
    /** Which worker holds each job (cluster mode's claims). */
    workers: JobWorkers;
  };

/** What this process tracks about a job while it is queued or running here. */
interface HeldJob extends JobState {
  sessionToken: string;
  /** What loading its runner needs (from the record at submission). */
  target: LoadTarget;
  stopRequested: boolean;
  stopTimer?: NodeJS.Timeout;
  runner?: PooledRunner<RunnerHost>;
  /** Called once the job has ended (a worker's queue waits for it). */
  ended?: () => void;
}

/** What a job needs loaded in its runner beyond the algorithm: its checkpoint ("" for the shipped assets). */
const variantOf = (target: LoadTarget) => target.checkpoint_id ?? "";

export const INTERRUPTED = "interrupted: the application stopped";

export class LocalRunners implements JobProcessor {
  private readonly pool: RunnerPool<RunnerHost>;
  private readonly scheduler: Scheduler<RunnerHost>;
  private readonly held = new Map<string, HeldJob>();
  readonly trainingTemp: TrainingTemp;
  private readonly recorder: JobRecorder;

  constructor(private readonly deps: LocalRunnersDeps) {
    this.recorder = deps.recorder;
    this.trainingTemp = new TrainingTemp(deps.trainingTempDir);
    this.pool = new RunnerPool<RunnerHost>({
      create: (key) =>
        new RunnerHost({
          memoryMb: deps.runnerMemoryMb,
          python: key.startsWith("py:") ? deps.python() : undefined,
          onEvent: (jobId, event) => this.onRunnerEvent(jobId, event),
          engine: {
            datasetPath: ({ id }) => deps.datasets.localPath(id),
            commitDataset: async ({ path: file, keys }) => (await deps.datasets.putFile(file, null, keys)).file_id,
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
            pythonCommand: async () => deps.pythonIfAny() ?? null,
          },
        }),
      dispose: (host) => host.close(),
      isAlive: (host) => host.alive,
      maxLoaded: () => deps.settings().max_loaded_runners,
      idleMinutes: () => deps.settings().runner_idle_unload_minutes,
    });
    this.scheduler = new Scheduler(this.pool, () => ({ maxConcurrent: deps.settings().max_concurrent_executions, maxQueued: deps.settings().max_queued_jobs }));
  }

  /** Throws `queue_full` when this process's queue has no room. */
  assertRoom(): void {
    this.scheduler.assertRoom();
  }

  /** Holds a recorded job and queues it for this process's runners (preferring one that has its checkpoint loaded). */
  schedule(queued: QueuedJob, claimed: Pick<HeldJob, "status" | "ended"> = { status: "PENDING" }): void {
    this.recorder.track(queued.id, queued.kind);
    // The job as it was submitted (the record's fields travel with it); a training or benchmark gets a session of its own.
    const job: HeldJob = { id: queued.id, kind: queued.kind, sessionToken: queued.sessionToken ?? uuidv1(), progress: 0, target: queued.target, stopRequested: false, ...claimed };
    this.held.set(job.id, job);
    this.scheduler.submit({ id: job.id, key: queued.key, variant: variantOf(queued.target), run: (runner) => this.run(job, runner, queued.moduleId) });
  }

  async runQueued(queued: QueuedJob, opts: { worker: string; stopRequested: () => Promise<boolean> }): Promise<void> {
    if (this.held.has(queued.id)) return;
    // Ended meanwhile (stopped in the queue, failed as lost) or deleted: nothing to run.
    const status = await this.deps.workers.claim(queued.kind, queued.id, opts.worker);
    if (!status) return;
    const ended = new Promise<void>((resolve) => this.schedule(queued, { status, ended: resolve }));
    // Held before this check, so a stop that comes later finds it here.
    if (await opts.stopRequested()) await this.stop(queued.id);
    await ended;
  }

  async endRecorded(id: string, kind: JobKind, status: "FAILED" | "STOPPED", message: string): Promise<void> {
    const rec = await this.recordOf(kind, id);
    if (!rec || isTerminal(rec.status) || this.held.has(id)) return;
    this.recorder.track(id, kind);
    this.recorder.log(id, message, status === "FAILED" ? "ERROR" : "INFO");
    try {
      await this.recorder.end({ id, kind, status: rec.status, progress: 0 }, status);
    } finally {
      this.recorder.forgetLog(id);
    }
  }

  private recordOf(kind: JobKind, id: string): Promise<ExecutionRecord | TrainingRecord | BenchmarkRecord | undefined> {
    const { records, training, benchmarks } = this.deps;
    return kind === "execution" ? records.get(id) : kind === "training" ? training.get(id) : benchmarks.get(id);
  }

  holds(id: string): boolean {
    return this.held.has(id);
  }

  /** Stops a job held here: taken off the queue, or asked to stop and killed after the grace; false when it is not held here. */
  async stop(id: string): Promise<boolean> {
    const job = this.held.get(id);
    if (!job) return false;
    if (job.stopRequested) return true;
    job.stopRequested = true;
    if (this.scheduler.cancel(id)) {
      this.log(id, "stopped on request before it started", "INFO");
      await this.finish(job, "STOPPED");
      return true;
    }
    this.log(id, "stop requested", "INFO");
    const runner = job.runner;
    runner?.host.requestStop(id);
    job.stopTimer = setTimeout(() => {
      this.log(id, `the runner did not stop within ${this.deps.stopGraceMs / 1000} s: its process was killed`, "WARNING");
      void runner?.host.kill("stopped on request");
    }, this.deps.stopGraceMs);
    return true;
  }

  /** The status of a job held here, or undefined. */
  statusOf(id: string, kind: JobKind): JobState["status"] | undefined {
    const job = this.held.get(id);
    return job?.kind === kind ? job.status : undefined;
  }

  async shutdown(): Promise<void> {
    const ended = [...this.held.values()].map((job) => {
      this.scheduler.cancel(job.id);
      this.log(job.id, INTERRUPTED, "ERROR");
      return this.finish(job, "FAILED");
    });
    await Promise.all(ended);
    await this.pool.closeAll();
  }

  /** Waits until nothing is queued or running here (tests, benchmarks). */
  idle(): Promise<void> {
    return this.scheduler.idle();
  }

  private async run(job: HeldJob, runner: PooledRunner<RunnerHost>, moduleId: string): Promise<void> {
    if (!this.held.has(job.id)) return; // finished while queued (shutdown)
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
          runner.loaded = loadSpecOf(deps, target, moduleId).then((spec) => runner.host.load(spec));
          runner.loaded.then(() => (runner.ready = true), () => void runner.host.kill("the algorithm failed to load"));
        }
        await runner.loaded;
        if (job.stopRequested) throw new Error("stopped on request");
        await this.recorder.transition(job, "RUNNING");
      }
      const outputDir = path.dirname(deps.datasets.tempPath());
      if (job.kind === "benchmark") {
        const b = await deps.benchmarks.get(job.id);
        if (!b) throw new NotFoundError("benchmark_not_found", `Benchmark with id ${job.id} not found.`);
        const data = await runner.host.benchmark({ jobId: job.id, args: b.additional_parameters, outputDir });
        await this.finish(job, job.stopRequested ? "STOPPED" : "COMPLETED", undefined, data);
        return;
      }
      if (job.kind === "training") {
        const t = target as TrainingRecord;
        const tempDir = this.trainingTemp.create(job.id);
        await runner.host.train({ jobId: job.id, sampleIds: t.training_data, args: t.additional_parameters, outputDir, tempDir });
        if (job.stopRequested) await this.finish(job, "STOPPED");
        else if (((await deps.training.get(job.id))?.output_checkpoint_ids.length ?? 0) === 0) {
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
      if (!this.held.has(job.id)) return; // already ended (shutdown)
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

  /** Stores a checkpoint a training saved (checkpoint-save.ts) and says so in its log. */
  private async saveCheckpoint(jobId: string, files: Record<string, string>, properties: Record<string, unknown>): Promise<string> {
    const training = await this.deps.training.get(jobId);
    if (!training) throw new NotFoundError("training_not_found", `training ${jobId} not found`);
    const id = await saveCheckpoint(this.deps, training, files, properties);
    this.log(jobId, `checkpoint ${id} saved (${Object.keys(files).join(", ")})`, "INFO");
    return id;
  }

  private token(jobId: string): string {
    const job = this.held.get(jobId);
    if (!job) throw new Error(`no running job ${jobId}`);
    return job.sessionToken;
  }

  private onRunnerEvent(jobId: string | null, event: RunnerEvent): void {
    const job = jobId === null ? undefined : this.held.get(jobId);
    if (!job) return; // output between jobs: nowhere to record it
    if (event.type === "log") this.log(job.id, event.message, event.level, new Date(event.time));
    else if (event.type === "progress") this.recorder.progress(job, event.value);
  }

  /** Ends a job: its end written once (after every earlier write of it), then announced; resolves when both are done. */
  private async finish(job: HeldJob, status: EndStatus, outputs?: string[], data?: Record<string, unknown>): Promise<void> {
    clearTimeout(job.stopTimer);
    this.held.delete(job.id);
    try {
      if (job.kind === "training" && canTransition(job.status, status)) {
        const kept = this.trainingTemp.release(job.id, status === "FAILED" && this.deps.settings().keep_failed_training_temp);
        if (kept) this.log(job.id, `the training's temp folder is kept for debugging (keep_failed_training_temp): ${kept}`, "INFO");
      }
      const written = await this.recorder.end(job, status, { outputs, data });
      // A worker that was taken for lost (frozen, cut off) and then resumed: the record ended
      // elsewhere and stays as it is; the log says what became of this run.
      if (!written && job.ended && status !== "FAILED") this.log(job.id, `this worker finished the ${job.kind} (${status}), but it had been taken for lost meanwhile and the record had ended: the result is discarded`, "WARNING");
    } finally {
      this.recorder.forgetLog(job.id);
      job.ended?.();
    }
  }

  private log(id: string, message: string, level: LogLevel, at?: Date): void {
    this.recorder.log(id, message, level, at);
  }
}
