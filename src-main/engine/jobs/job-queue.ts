// The port between recording a job and running it, as BullMQ splits a Queue from a Worker's
// processor: the job service adds recorded jobs to a JobQueue — this process's runners
// (in-process-queue.ts) or the cluster's workers through Redis (cluster/cluster-queue.ts) — and
// whatever takes jobs off a queue hands them to a JobProcessor (local-runners.ts). engine.ts
// picks the queue once; nothing in jobs/ asks which mode it is in.
import { CompoxError } from "../../contract/errors.js";
import type { JobKind } from "../store/job-workers.js";
import type { QueuedJob } from "./queued-job.js";

/** Where recorded jobs wait for a runner. */
export interface JobQueue {
  /** Refuses (`queue_full`) when max_queued_jobs are waiting: called before anything is recorded. */
  assertRoom(): Promise<void>;
  /** Refuses a job this queue's runners could never start (a Python job with no interpreter here). */
  assertRunnable(job: { needsPython: boolean }): void;
  /** Hands over a recorded job (its PENDING written), in submission order. */
  add(job: QueuedJob): Promise<void>;
  /**
   * Stops a job that no runner of this process holds: takes it off the queue, or asks the worker
   * that holds it. False when this queue has no such job (it ended meanwhile).
   */
  stopElsewhere(id: string, kind: JobKind): Promise<boolean>;
}

/** What runs jobs taken from a queue: this process's runners. A cluster worker needs no more. */
export interface JobProcessor {
  /**
   * Runs a job a worker took from the cluster's queue, claimed for `worker`; resolves when it has
   * ended. A job that ended meanwhile (stopped, or failed as lost) is left alone.
   */
  runQueued(job: QueuedJob, opts: { worker: string; stopRequested: () => Promise<boolean> }): Promise<void>;
  /** Whether this process's runners queue or run job `id`. */
  holds(id: string): boolean;
  /** Stops a job this process holds; false when it holds no such job. */
  stop(id: string): Promise<boolean>;
  /** Ends a recorded job no runner here holds (stopped in a queue, its worker lost) with a log line saying why. */
  endRecorded(id: string, kind: JobKind, status: "FAILED" | "STOPPED", message: string): Promise<void>;
  /** Fails whatever this process still queues or runs as interrupted, and unloads its runners. */
  shutdown(): Promise<void>;
}

/** The error a full queue refuses a request with (HTTP 503, retryable). */
export function queueFullError(max: number): CompoxError {
  return new CompoxError("queue_full", `the job queue is full (max_queued_jobs = ${max}); wait for running jobs or raise the setting`);
}
