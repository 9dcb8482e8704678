// A recorded job as it travels to whatever runs it: this process's runners, or (cluster mode) a
// worker's through the queues.
import type { ExecutionRecord } from "../../contract/records.js";
import type { JobKind } from "../store/job-workers.js";

/** What loading a runner needs to know about the job's record. */
export type LoadTarget = Pick<ExecutionRecord, "algorithm_id" | "algorithm_minor_version" | "checkpoint_id"> & { resolved_execution_device?: string };

/** A recorded job as it travels through a JobQueue (jobs/job-queue.ts). */
export interface QueuedJob {
  id: string;
  kind: JobKind;
  moduleId: string;
  /** Runner reuse key: language, algorithm, minor, device (a runner loads one checkpoint at a time, and can load another). */
  key: string;
  device: string;
  /** What loading its runner needs (benchmarks have no record field for it). */
  target: LoadTarget;
  /** The session a client named, which pins the job to the worker that holds it. */
  session?: string;
  /** An execution's session token (named by the client or made here): the worker that runs it holds the session. */
  sessionToken?: string;
}

/** A job's runner reuse key: jobs with the same key may share a warm runner process (which
 * loads the job's checkpoint in place when it has another one loaded). */
export function runnerKey(language: string, algorithmId: string, minor: number, device: string): string {
  return `${language}:${algorithmId}:${minor}:${device}`;
}
