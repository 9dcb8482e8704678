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

  async insert(rec: BenchmarkRecord, createdMs: number): Promise<void> {
    await this.db.run(`INSERT INTO benchmarks (benchmark_id, algorithm_id, additional_parameters, status, time_started, time_completed, data, created_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, rec.benchmark_id, rec.algorithm_id, JSON.stringify(rec.additional_parameters), rec.status, rec.time_started, rec.time_completed, JSON.stringify(rec.data), createdMs);
  }

  async get(id: string): Promise<BenchmarkRecord | undefined> {
    const r = (await this.db.get("SELECT * FROM benchmarks WHERE benchmark_id = ?", id)) as Row | undefined;
    if (!r) return undefined;
    return {
      benchmark_id: r.benchmark_id,
      algorithm_id: r.algorithm_id,
      additional_parameters: JSON.parse(r.additional_parameters) as Record<string, unknown>,
      status: r.status,
      time_started: r.time_started,
      time_completed: r.time_completed,
      log: await this.logs.read(r.benchmark_id),
      data: JSON.parse(r.data) as Record<string, unknown>,
      ...(r.worker ? { worker: r.worker } : {}),
    };
  }

  /** Moves the record to `status`; false (and nothing written) once it has ended: an end state is written once. */
  async setStatus(id: string, status: Status, fields: { time_completed?: string; data?: Record<string, unknown> } = {}): Promise<boolean> {
    return (
      (await this.db.run(`UPDATE benchmarks SET status = ?, time_completed = COALESCE(?, time_completed), data = COALESCE(?, data) WHERE benchmark_id = ? AND status NOT IN ${TERMINAL_SQL}`, status, fields.time_completed ?? null, fields.data ? JSON.stringify(fields.data) : null, id)).changes > 0
    );
  }

  /** Benchmarks have no progress field (as in Compox): the value is accepted and dropped. */
  async setProgress(): Promise<void> {}

  appendLog(id: string, line: string): Promise<void> {
    return this.logs.append(id, line);
  }

  async unfinished(): Promise<string[]> {
    return (await this.db.column("SELECT benchmark_id FROM benchmarks WHERE status IN ('PENDING', 'STARTED', 'RUNNING')")) as string[];
  }
}
