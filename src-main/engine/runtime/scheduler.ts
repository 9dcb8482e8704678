// FIFO job queue: at most `maxConcurrent` jobs run at once, each on a runner from the pool; the
// rest wait in order, up to `maxQueued`.
import { queueFullError } from "../jobs/job-queue.js";
import type { PooledRunner, RunnerPool } from "./runner-pool.js";

export interface Job<H> {
  id: string;
  /** Runner key: jobs with the same key can share a loaded runner. */
  key: string;
  /** What the job needs loaded in the runner (its checkpoint): a runner that has it is preferred. */
  variant?: string;
  run(runner: PooledRunner<H>): Promise<void>;
}

export interface SchedulerLimits {
  maxConcurrent: number;
  maxQueued: number;
}

export class Scheduler<H> {
  private readonly queue: Job<H>[] = [];
  private running = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly pool: RunnerPool<H>,
    private readonly limits: () => SchedulerLimits,
  ) {}

  /** Throws `queue_full` when no job can be queued now. */
  assertRoom(): void {
    if (this.queue.length >= this.limits().maxQueued)
      throw queueFullError(this.limits().maxQueued);
  }

  /** Queues a job; refuses when the queue is full. */
  submit(job: Job<H>): void {
    this.assertRoom();
    this.queue.push(job);
    this.pump();
  }

  /** Removes a job that has not started; false when it is not queued. */
  cancel(jobId: string): boolean {
    const i = this.queue.findIndex((j) => j.id === jobId);
    if (i < 0) return false;
    this.queue.splice(i, 1);
    return true;
  }

  /** Ids of the queued jobs, in order. */
  queued(): string[] {
    return this.queue.map((j) => j.id);
  }

  get active(): number {
    return this.running;
  }

  /** Resolves when nothing runs and nothing waits. */
  idle(): Promise<void> {
    if (this.running === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    while (this.running < this.limits().maxConcurrent && this.queue.length > 0) {
      const job = this.queue[0] as Job<H>;
      const runner = this.pool.tryAcquire(job.key, job.variant);
      if (!runner) break; // every loaded runner is busy: wait for one to finish
      this.queue.shift();
      this.running++;
      void job
        .run(runner)
        .catch(() => undefined) // a job records its own failure
        .finally(() => {
          this.running--;
          this.pool.release(runner);
          this.pump();
          if (this.running === 0 && this.queue.length === 0) {
            const waiters = this.idleWaiters;
            this.idleWaiters = [];
            for (const w of waiters) w();
          }
        });
    }
  }
}
