// The desktop's job queue: this process's own runners (local-runners.ts), whose scheduler keeps
// the FIFO and the max_queued_jobs limit.
import type { JobQueue } from "./job-queue.js";
import type { LocalRunners } from "./local-runners.js";
import type { QueuedJob } from "./queued-job.js";

export class InProcessQueue implements JobQueue {
  constructor(
    private readonly runners: LocalRunners,
    /** The interpreter for Python runners; throws, saying how to get one, when there is none. */
    private readonly python: () => string,
  ) {}

  async assertRoom(): Promise<void> {
    this.runners.assertRoom();
  }

  assertRunnable(job: { needsPython: boolean }): void {
    if (job.needsPython) this.python(); // refused now, with the fix, rather than failed later
  }

  async add(job: QueuedJob): Promise<void> {
    this.runners.schedule(job);
  }

  /** Every job of this queue is held by the runners, which stop it themselves. */
  async stopElsewhere(): Promise<boolean> {
    return false;
  }
}
