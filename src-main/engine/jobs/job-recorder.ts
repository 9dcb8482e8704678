// A job's record and events as it lives, for the three kinds of job at once: the lifecycle as a
// state machine (contract/records.ts says which moves are legal), each move written then
// announced, the end written once (guarded in SQL: a job another node failed as lost stays
// FAILED), and log lines and progress written in the order they happened.
//
//   PENDING ──▶ STARTED ──▶ RUNNING ──▶ COMPLETED
//      │           │           ├──────▶ FAILED   (threw, crashed, ran out of memory, interrupted)
//      └───────────┴───────────┴──────▶ STOPPED  (only on an explicit stop request)
import { canTransition, type Status } from "../../contract/records.js";
import { formatCompoxTime } from "../../contract/time.js";
import type { EventBus } from "../runtime/event-bus.js";
import type { LogLevel } from "../sdk/context.js";
import type { BenchmarksRepo } from "../store/benchmarks-repo.js";
import type { ExecutionsRepo } from "../store/executions-repo.js";
import type { JobKind } from "../store/job-workers.js";
import type { LogStore } from "../store/log-store.js";
import { SerialByKey } from "../store/serial-by-key.js";
import type { TrainingRepo } from "../store/training-repo.js";

export type EndStatus = "COMPLETED" | "FAILED" | "STOPPED";

/** The record operations every kind of job offers. */
interface JobRecords {
  /** False when the record has ended already (elsewhere: a reaper, another node): nothing is written. */
  setStatus(id: string, status: Status, fields?: { progress?: number; time_completed?: string }): Promise<boolean>;
  setProgress(id: string, progress: number): Promise<void>;
  appendLog(id: string, line: string): Promise<void>;
}

/** What the recorder holds of a job: its status and progress, so no move reads the record back. */
export interface JobState {
  id: string;
  kind: JobKind;
  status: Status;
  progress: number;
}

export interface JobRecorderDeps {
  records: ExecutionsRepo;
  training: TrainingRepo;
  benchmarks: BenchmarksRepo;
  logs: LogStore;
  events: EventBus;
  now: () => Date;
  /** A write that failed where no caller waits for it (a log line, progress): reported, not thrown. */
  onWriteError: (what: string, err: unknown) => void;
}

export class JobRecorder {
  /** Each job's record writes, in the order they happen. */
  private readonly writes = new SerialByKey();
  private readonly kinds = new Map<string, JobKind>();

  constructor(private readonly deps: JobRecorderDeps) {}

  /** Names job `id`'s kind, which its writes and events need. */
  track(id: string, kind: JobKind): void {
    this.kinds.set(id, kind);
  }

  /** Resolves once every write of job `id` asked for so far is done. */
  settled(id: string): Promise<void> {
    return this.writes.settled(id);
  }

  /** Runs a write of job `id` after its earlier ones. */
  write<T>(id: string, op: () => Promise<T>): Promise<T> {
    return this.writes.run(id, op);
  }

  /** Moves a job through `steps` (each a legal move): one write of the last, an event each. */
  async transition(job: JobState, ...steps: Status[]): Promise<void> {
    let at = job.status;
    for (const to of steps) {
      if (!canTransition(at, to)) return;
      at = to;
    }
    job.status = at;
    if (!(await this.write(job.id, () => this.records(job.kind).setStatus(job.id, at)))) return; // ended elsewhere: its end stands
    for (const to of steps) this.emitStatus(job.id, to, job.progress);
  }

  /** Writes a job's end once (after every earlier write of it) and announces it; false when it had ended already. */
  async end(job: JobState, status: EndStatus, extra: { outputs?: string[]; data?: Record<string, unknown> } = {}): Promise<boolean> {
    if (!canTransition(job.status, status)) return false;
    job.status = status;
    const { records, training, benchmarks } = this.deps;
    const at = this.deps.now();
    const fields = { progress: 1, time_completed: formatCompoxTime(at), ended_ms: at.getTime() };
    const written = await this.write(job.id, () =>
      job.kind === "execution"
        ? records.setStatus(job.id, status, { ...fields, output_dataset_ids: extra.outputs })
        : job.kind === "benchmark"
          ? benchmarks.setStatus(job.id, status, { time_completed: fields.time_completed, data: extra.data })
          : training.setStatus(job.id, status, fields),
    );
    if (written) this.emitStatus(job.id, status, 1);
    return written;
  }

  /** Raises a job's progress (never lowers it: clients plot it), written in order and announced. */
  progress(job: JobState, value: number): void {
    if (value <= job.progress) return;
    job.progress = value;
    this.background(job.id, "progress", () => this.records(job.kind).setProgress(job.id, value));
    this.deps.events.emit({ type: "progress", ...this.ref(job.id), progress: value });
  }

  /** Announces a status (PENDING once recorded; the others through transition and end). */
  emitStatus(id: string, status: Status, progress: number): void {
    this.deps.events.emit({ type: "status", ...this.ref(id), status, progress });
  }

  /** A log line as records keep it: Compox's time, level, message. */
  line(message: string, level: LogLevel, at = this.deps.now()): string {
    return `${formatCompoxTime(at)} ${level} ${message}`;
  }

  /** Appends a line to a job's log (in order with its other writes) and announces it. */
  log(id: string, message: string, level: LogLevel, at?: Date): void {
    const line = this.line(message, level, at);
    const records = this.records(this.kinds.get(id) ?? "execution");
    this.background(id, "log line", () => records.appendLog(id, line));
    this.deps.events.emit({ type: "log", ...this.ref(id), line });
  }

  /** Forgets what is held in memory of a job's log (it ended, or another process writes it now). */
  forgetLog(id: string): void {
    this.deps.logs.forget(id);
  }

  /** The records of a kind of job. */
  records(kind: JobKind): JobRecords {
    const { records, training, benchmarks } = this.deps;
    return kind === "training" ? training : kind === "benchmark" ? benchmarks : records;
  }

  private ref(id: string): { execution_id: string } | { training_id: string } | { benchmark_id: string } {
    const kind = this.kinds.get(id);
    return kind === "training" ? { training_id: id } : kind === "benchmark" ? { benchmark_id: id } : { execution_id: id };
  }

  /** A write that nobody waits for: queued in order with the job's others; a failure is reported. */
  private background(id: string, what: string, write: () => Promise<unknown>): void {
    this.write(id, write).catch((err: unknown) => this.deps.onWriteError(`${what} of job ${id}`, err));
  }
}
