// SQL for benchmark records (Compox 3.2). Logs live in the log store, like executions'.
import { TERMINAL_SQL, type BenchmarkRecord, type Status } from "../../contract/records.js";
import type { Db } from "./db.js";
import type { LogStore } from "./log-store.js";

interface Row extends Omit<BenchmarkRecord, "additional_parameters" | "data" | "log" | "worker"> {
  worker: string | null;
  additional_parameters: string;
  data: string;
  created_ms: number;
}

export class BenchmarksRepo {
  constructor(
    private readonly db: Db,
    private readonly logs: LogStore,
  ) {}

  insert(rec: BenchmarkRecord, createdMs: number): void {
    this.db
      .prepare(
        `INSERT INTO benchmarks (benchmark_id, algorithm_id, additional_parameters, status, time_started, time_completed, data, created_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(rec.benchmark_id, rec.algorithm_id, JSON.stringify(rec.additional_parameters), rec.status, rec.time_started, rec.time_completed, JSON.stringify(rec.data), createdMs);
  }

  get(id: string): BenchmarkRecord | undefined {
    const r = this.db.prepare("SELECT * FROM benchmarks WHERE benchmark_id = ?").get(id) as Row | undefined;
    if (!r) return undefined;
    return {
      benchmark_id: r.benchmark_id,
      algorithm_id: r.algorithm_id,
      additional_parameters: JSON.parse(r.additional_parameters) as Record<string, unknown>,
      status: r.status,
      time_started: r.time_started,
      time_completed: r.time_completed,
      log: this.logs.read(r.benchmark_id),
      data: JSON.parse(r.data) as Record<string, unknown>,
      ...(r.worker ? { worker: r.worker } : {}),
    };
  }

  /** Sets the status (and, at the end, time_completed and data); progress is not kept for benchmarks. */
  /** Moves the record to `status`; false (and nothing written) once it has ended: an end state is written once. */
  setStatus(id: string, status: Status, fields: { time_completed?: string; data?: Record<string, unknown> } = {}): boolean {
    return (
      this.db
        .prepare(`UPDATE benchmarks SET status = ?, time_completed = COALESCE(?, time_completed), data = COALESCE(?, data) WHERE benchmark_id = ? AND status NOT IN ${TERMINAL_SQL}`)
        .run(status, fields.time_completed ?? null, fields.data ? JSON.stringify(fields.data) : null, id).changes > 0
    );
  }

  /** Benchmarks have no progress field (as in Compox): the value is accepted and dropped. */
  setProgress(): void {}

  appendLog(id: string, line: string): void {
    this.logs.append(id, line);
  }

  unfinished(): string[] {
    return this.db.prepare("SELECT benchmark_id FROM benchmarks WHERE status IN ('PENDING', 'STARTED', 'RUNNING')").pluck().all() as string[];
  }
}
