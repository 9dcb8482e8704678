// Which worker holds each job (cluster mode), over the three job tables at once: set when a
// worker takes a job (or a session pins it), read by the API nodes that fail the jobs of a worker
// that is gone, and the count of waiting jobs that the queue limit applies to.
import type { Status } from "../../contract/records.js";
import type { Db } from "./db.js";

export type JobKind = "execution" | "training" | "benchmark";

const TABLES: Record<JobKind, { table: string; id: string }> = {
  execution: { table: "executions", id: "execution_id" },
  training: { table: "trainings", id: "training_id" },
  benchmark: { table: "benchmarks", id: "benchmark_id" },
};
const KINDS = Object.keys(TABLES) as JobKind[];

export class JobWorkers {
  constructor(private readonly db: Db) {}

  /** Names the worker that runs (or, for a pinned session, will run) a job. */
  set(kind: JobKind, id: string, worker: string): void {
    const t = TABLES[kind];
    this.db.prepare(`UPDATE ${t.table} SET worker = ? WHERE ${t.id} = ?`).run(worker, id);
  }

  /**
   * A worker takes a job: names itself on the record if the job has not ended, in one statement
   * (two workers, or a stop, cannot slip in between). Returns the job's status, or undefined
   * when it has ended or does not exist.
   */
  claim(kind: JobKind, id: string, worker: string): Status | undefined {
    const t = TABLES[kind];
    return this.db.prepare(`UPDATE ${t.table} SET worker = ? WHERE ${t.id} = ? AND status IN ('PENDING', 'STARTED', 'RUNNING') RETURNING status`).pluck().get(worker, id) as Status | undefined;
  }

  /** Unfinished jobs that a worker has taken or is pinned to. */
  held(): { kind: JobKind; id: string; worker: string }[] {
    return KINDS.flatMap((kind) => {
      const t = TABLES[kind];
      const rows = this.db.prepare(`SELECT ${t.id} AS id, worker FROM ${t.table} WHERE worker IS NOT NULL AND status IN ('PENDING', 'STARTED', 'RUNNING')`).all() as { id: string; worker: string }[];
      return rows.map((r) => ({ kind, ...r }));
    });
  }

  /** How many jobs wait for a runner, over every node. */
  pending(): number {
    // One statement: on the submission path of every job, where each round trip counts.
    const counts = KINDS.map((kind) => `(SELECT COUNT(*) FROM ${TABLES[kind].table} WHERE status = 'PENDING')`);
    return Number(this.db.prepare(`SELECT ${counts.join(" + ")} AS n`).pluck().get());
  }
}
