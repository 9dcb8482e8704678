// Cluster mode's JobQueue (jobs/job-queue.ts): an API node sends recorded jobs to the workers'
// queues in Redis — its device's, or the worker that holds its session — and stops a job by
// taking it off its queue or asking the worker that holds it.
import { queueFullError, type JobProcessor, type JobQueue } from "../jobs/job-queue.js";
import type { QueuedJob } from "../jobs/queued-job.js";
import type { JobKind, JobWorkers } from "../store/job-workers.js";
import { deviceQueue, settleWithin, workerQueue, type ClusterLink } from "./cluster-link.js";

export interface ClusterSide {
  link: ClusterLink;
  /** This process's runners: they end jobs that no worker will run (and run jobs, on a worker). */
  processor: JobProcessor;
  workers: JobWorkers;
  onError: (what: string, err: unknown) => void;
  /** A PENDING job's queue entry rebuilt from its record (cluster/requeue.ts). */
  jobOf: (kind: JobKind, id: string) => Promise<QueuedJob | string | undefined>;
  /** Drops what this process holds of a job's log: the worker appends to it from now on. */
  forgetLog: (id: string) => void;
  /** max_queued_jobs, now. */
  maxQueued: () => number;
  /** device_wait_s, now. */
  deviceWaitS: () => number;
}

/** The queue a job goes to — its device's, or the worker that holds its session — or undefined
 * when its session's worker is gone (the job then ends FAILED saying so). */
export async function queueFor({ link, processor, workers }: ClusterSide, job: QueuedJob): Promise<string | undefined> {
  // Workers offer "cpu" and "gpu"; a job resolved to an accelerator (cuda) needs a "gpu" one.
  const holder = job.session ? await link.sessionWorker(job.session) : null;
  if (!holder) return deviceQueue(job.device === "cpu" ? "cpu" : "gpu");
  const live = (await link.liveWorkers()).find((w) => w.name === holder.name);
  const lost = !live
    ? `session ${job.session} was held by worker ${holder.name}, which is gone: the session's state went with it; start a new session (leave session_token out)`
    : holder.started !== undefined && live.started !== holder.started
      ? `session ${job.session} was held by worker ${holder.name}, which restarted since (at ${live.started}): the session's state was lost with the old process; start a new session (leave session_token out)`
      : undefined;
  if (lost) {
    await processor.endRecorded(job.id, job.kind, "FAILED", lost);
    return undefined;
  }
  await workers.set(job.kind, job.id, holder.name);
  return workerQueue(holder.name);
}

/** The JobQueue of an API node; `drain` (at shutdown) waits for the jobs handed over to reach Redis. */
export function clusterQueue(side: ClusterSide): JobQueue & { drain(ms: number): Promise<void> } {
  const { link, processor, workers, onError } = side;
  // One chain: jobs reach the queues in the order they were submitted here (FIFO).
  let chain: Promise<unknown> = Promise.resolve();
  let closing = false;
  const then = (what: string, fn: () => Promise<void>) => {
    chain = chain.then(fn).catch((err: unknown) => onError(what, err));
  };
  return {
    async assertRoom() {
      const max = side.maxQueued();
      if ((await workers.pending()) >= max) throw queueFullError(max);
    },
    assertRunnable() {}, // each worker checks its own interpreter
    async add(job) {
      side.forgetLog(job.id);
      then(`queueing ${job.kind} ${job.id}`, async () => {
        try {
          const queue = await queueFor(side, job);
          if (queue) await link.enqueue(queue, job);
        } catch (err) {
          // Cut off by this node's shutdown: the job stays PENDING, and another node's reconciler
          // queues it (startReconciler); it was accepted, so it must not end for that.
          if (!closing) await processor.endRecorded(job.id, job.kind, "FAILED", `could not be queued: ${(err as Error).message}; check queue_url (COMPOX_QUEUE_URL) and that Redis is running (\`compox doctor\` checks)`);
          throw err;
        }
      });
    },
    async drain(ms: number) {
      closing = true;
      await settleWithin(chain, ms);
    },
    async stopElsewhere(id, kind) {
      then(`stopping ${kind} ${id}`, async () => {
        await link.requestStop(id, kind);
        // Waiting in a queue, or in none (its entry lost): no worker holds it, so it ends here.
        const waiting = (await link.removeQueued(id)) || ((await workers.isWaiting(kind, id)) && !(await link.isQueued(id)));
        if (waiting) await processor.endRecorded(id, kind, "STOPPED", "stopped on request before it started");
      });
      return true;
    },
  };
}
