// The job service: executions, trainings and benchmarks are validated (submission.ts), recorded,
// announced and added to a JobQueue (job-queue.ts) — this process's runners or the cluster's
// workers, whichever engine.ts chose — then read, listed and stopped here. Running them is the
// processor's part (local-runners.ts).
import { CompoxError, NotFoundError } from "../../contract/errors.js";
import { isTerminal, type BenchmarkRecord, type BenchmarkRequest, type ExecuteRequest, type ExecutionRecord, type Status, type TrainingRecord, type TrainRequest } from "../../contract/records.js";
import { formatCompoxTime } from "../../contract/time.js";
import type { ExecutionQuery } from "../store/executions-repo.js";
import type { JobKind } from "../store/job-workers.js";
import type { JobQueue } from "./job-queue.js";
import type { JobRecorder } from "./job-recorder.js";
import { INTERRUPTED, type LocalRunners, type LocalRunnersDeps } from "./local-runners.js";
import { benchmarkOf, executionOf, requireCheckpoint, trainingOf, type Submission, type SubmissionDeps } from "./submission.js";

export type JobServiceDeps = SubmissionDeps &
  Pick<LocalRunnersDeps, "records" | "training" | "benchmarks" | "settings"> & {
    recorder: JobRecorder;
    queue: JobQueue;
    runners: LocalRunners;
  };

// Compox 3.2's wording, which its clients and tests compare verbatim.
const STOP_POSTED = "Stop request posted successfully";

export class JobService {
  private closed = false;

  constructor(private readonly deps: JobServiceDeps) {}

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

  /** Records a validated job (refused first when it cannot run or the queue is full), announces it PENDING, and queues it. */
  private async accept(submission: Submission<{ status: Status }>, insert: () => Promise<void>): Promise<void> {
    const { queue, recorder } = this.deps;
    const { queued } = submission;
    queue.assertRunnable(submission);
    await queue.assertRoom(); // a full queue refuses the request before anything is recorded
    await insert();
    recorder.track(queued.id, queued.kind);
    recorder.emitStatus(queued.id, "PENDING", 0);
    for (const warning of submission.warnings) recorder.log(queued.id, warning, "WARNING");
    // The records written so far (PENDING, warnings) come first: a worker may start it at once.
    await recorder.settled(queued.id);
    await queue.add(queued);
  }

  async get(id: string): Promise<ExecutionRecord> {
    const rec = await this.deps.records.get(id);
    if (!rec) throw new NotFoundError("execution_not_found", `execution ${id} not found`);
    return rec;
  }

  list(q: ExecutionQuery): Promise<ExecutionRecord[]> {
    return this.deps.records.list(q);
  }

  async getTraining(id: string): Promise<TrainingRecord> {
    const rec = await this.deps.training.get(id);
    if (!rec) throw new NotFoundError("training_not_found", `training ${id} not found`);
    return rec;
  }

  async getBenchmark(id: string): Promise<BenchmarkRecord> {
    const rec = await this.deps.benchmarks.get(id);
    if (!rec) throw new NotFoundError("benchmark_not_found", `Benchmark with id ${id} not found.`);
    return rec;
  }

  /** A checkpoint of `algorithmId`, or a 404 naming it. */
  requireCheckpoint(id: string, algorithmId: string): Promise<void> {
    return requireCheckpoint(this.deps.training, id, algorithmId);
  }

  /** Stops a queued or running execution or training; it ends STOPPED. */
  async stop(id: string, kind: Extract<JobKind, "execution" | "training"> = "execution"): Promise<{ detail: string }> {
    const { runners, queue } = this.deps;
    const status = runners.statusOf(id, kind) ?? (await (kind === "execution" ? this.get(id) : this.getTraining(id))).status;
    if (!isTerminal(status) && ((await runners.stop(id)) || (await queue.stopElsewhere(id, kind)))) return { detail: STOP_POSTED };
    throw new CompoxError(kind === "execution" ? "execution_not_stoppable" : "training_not_stoppable", `${kind === "execution" ? "Execution" : "Training"} in state ${status} cannot be stopped`);
  }

  /** Records left unfinished by a previous process become FAILED (crash safety). */
  async recoverInterrupted(): Promise<number> {
    const { records, training, benchmarks, recorder, settings } = this.deps;
    let n = 0;
    for (const [kind, repo] of [["execution", records], ["training", training], ["benchmark", benchmarks]] as const) {
      for (const id of await repo.unfinished()) {
        recorder.track(id, kind);
        await repo.appendLog(id, recorder.line(INTERRUPTED, "ERROR"));
        const at = this.deps.now();
        await repo.setStatus(id, "FAILED", { progress: 1, time_completed: formatCompoxTime(at), ended_ms: at.getTime() });
        n++;
      }
    }
    const failed = new Set(settings().keep_failed_training_temp ? await training.failedIds() : []);
    this.deps.runners.trainingTemp.sweep((id) => failed.has(id));
    return n;
  }

  /** Dataset ids that queued or running executions still need. */
  async inUseDatasets(): Promise<Set<string>> {
    return new Set([...(await this.deps.records.activeInputIds()), ...(await this.deps.training.sampleDatasetIds())]);
  }

  /** Refuses new jobs, fails everything still queued or running here as interrupted, and unloads every runner. */
  async shutdown(): Promise<void> {
    this.closed = true;
    await this.deps.runners.shutdown();
  }

  /** Waits until nothing is queued or running here (tests, benchmarks). */
  idle(): Promise<void> {
    return this.deps.runners.idle();
  }
}

