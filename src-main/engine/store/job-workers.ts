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
const UNFINISHED = "status IN ('PENDING', 'STARTED', 'RUNNING')";

// Each a single statement over the three tables: the queue limit is read on every submission and
// the held jobs every few seconds on every node, where each round trip counts.
const HELD_SQL = `${KINDS.map((kind, i) => `SELECT '${kind}' AS kind, ${i} AS rank, ${TABLES[kind].id} AS id, worker FROM ${TABLES[kind].table} WHERE worker IS NOT NULL AND ${UNFINISHED}`).join(" UNION ALL ")} ORDER BY rank`;
const UNQUEUED_SQL = `${KINDS.map((kind, i) => `SELECT '${kind}' AS kind, ${i} AS rank, ${TABLES[kind].id} AS id, created_ms FROM ${TABLES[kind].table} WHERE status = 'PENDING' AND worker IS NULL AND created_ms <= ?`).join(" UNION ALL ")} ORDER BY created_ms, rank`;
const PENDING_SQL = `SELECT ${KINDS.map((kind) => `(SELECT COUNT(*) FROM ${TABLES[kind].table} WHERE status = 'PENDING')`).join(" + ")} AS n`;

export class JobWorkers {
  constructor(private readonly db: Db) {}

  /** Names the worker that runs (or, for a pinned session, will run) a job. */
  async set(kind: JobKind, id: string, worker: string): Promise<void> {
    const t = TABLES[kind];
    await this.db.run(`UPDATE ${t.table} SET worker = ? WHERE ${t.id} = ?`, worker, id);
  }

  /**
   * A worker takes a job: names itself on the record if the job has not ended, in one statement
   * (two workers, or a stop, cannot slip in between). Returns the job's status, or undefined
   * when it has ended or does not exist.
   */
  async claim(kind: JobKind, id: string, worker: string): Promise<Status | undefined> {
    const t = TABLES[kind];
    return (await this.db.column(`UPDATE ${t.table} SET worker = ? WHERE ${t.id} = ? AND ${UNFINISHED} RETURNING status`, worker, id))[0] as Status | undefined;
  }

  /** Unfinished jobs that a worker has taken or is pinned to. */
  async held(): Promise<{ kind: JobKind; id: string; worker: string }[]> {
    return ((await this.db.all(HELD_SQL)) as { kind: JobKind; id: string; worker: string }[]).map(({ kind, id, worker }) => ({ kind, id, worker }));
  }

  /** PENDING jobs no worker has taken, recorded at or before `beforeMs`, oldest first: what the
   * reconciler checks against the queues. */
  async waitingSince(beforeMs: number): Promise<{ kind: JobKind; id: string }[]> {
    return ((await this.db.all(UNQUEUED_SQL, ...KINDS.map(() => beforeMs))) as { kind: JobKind; id: string }[]).map(({ kind, id }) => ({ kind, id }));
  }

  /** Whether job `id` is PENDING and no worker holds it. */
  async isWaiting(kind: JobKind, id: string): Promise<boolean> {
    const t = TABLES[kind];
    return (await this.db.get(`SELECT 1 FROM ${t.table} WHERE ${t.id} = ? AND status = 'PENDING' AND worker IS NULL`, id)) !== undefined;
  }

  /** How many jobs wait for a runner, over every node. */
  async pending(): Promise<number> {
    return Number((await this.db.column(PENDING_SQL))[0]);
  }
}
