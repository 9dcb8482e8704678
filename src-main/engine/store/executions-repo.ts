// SQL for execution records. Log lines are appended as they arrive (to the log store), so a record
// read mid-run shows every message so far.
import { TERMINAL_SQL, type ExecutionRecord, type Status } from "../../contract/records.js";
import type { Db } from "./db.js";
import type { LogStore } from "./log-store.js";

interface Row extends Omit<ExecutionRecord, "input_dataset_ids" | "additional_parameters" | "output_dataset_ids" | "algorithm_name" | "worker"> {
  worker: string | null;
  input_dataset_ids: string;
  additional_parameters: string;
  output_dataset_ids: string;
  created_ms: number;
  algorithm_name: string | null;
}

function toRecord(r: Row, logs: LogStore): ExecutionRecord {
  const { created_ms: _created, algorithm_name, worker, ...rest } = r;
  return {
    ...rest,
    ...(algorithm_name ? { algorithm_name } : {}),
    ...(worker ? { worker } : {}),
    log: logs.read(r.execution_id),
    input_dataset_ids: JSON.parse(r.input_dataset_ids) as string[],
    additional_parameters: JSON.parse(r.additional_parameters) as Record<string, unknown>,
    output_dataset_ids: JSON.parse(r.output_dataset_ids) as string[],
  };
}

export interface ExecutionQuery {
  algorithm_id?: string;
  status?: Status;
  limit?: number;
  /** An execution id: list those created before it. */
  before?: string;
}

export class ExecutionsRepo {
  constructor(
    private readonly db: Db,
    private readonly logs: LogStore,
  ) {}

  insert(rec: ExecutionRecord, createdMs: number): void {
    this.db
      .prepare(
        `INSERT INTO executions (execution_id, algorithm_id, algorithm_minor_version, input_dataset_ids, execution_device_override, resolved_execution_device,
          additional_parameters, session_token, checkpoint_id, output_dataset_ids, status, progress, time_started, time_completed, log, created_ms, algorithm_name)
         VALUES (@execution_id, @algorithm_id, @algorithm_minor_version, @input_dataset_ids, @execution_device_override, @resolved_execution_device,
          @additional_parameters, @session_token, @checkpoint_id, @output_dataset_ids, @status, @progress, @time_started, @time_completed, @log, @created_ms, @algorithm_name)`,
      )
      .run({
        ...rec,
        algorithm_name: rec.algorithm_name ?? null,
        input_dataset_ids: JSON.stringify(rec.input_dataset_ids),
        additional_parameters: JSON.stringify(rec.additional_parameters),
        output_dataset_ids: JSON.stringify(rec.output_dataset_ids),
        created_ms: createdMs,
      });
  }

  get(id: string): ExecutionRecord | undefined {
    const row = this.db.prepare("SELECT * FROM executions WHERE execution_id = ?").get(id) as Row | undefined;
    return row && toRecord(row, this.logs);
  }

  list(q: ExecutionQuery = {}): ExecutionRecord[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.algorithm_id) {
      where.push("algorithm_id = ?");
      params.push(q.algorithm_id);
    }
    if (q.status) {
      where.push("status = ?");
      params.push(q.status);
    }
    if (q.before) {
      where.push("rowid < (SELECT rowid FROM executions WHERE execution_id = ?)");
      params.push(q.before);
    }
    const sql = `SELECT * FROM executions ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY rowid DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...params, q.limit ?? 50) as Row[]).map((r) => toRecord(r, this.logs));
  }

  /** Moves the record to `status`; false (and nothing written) once it has ended: an end state is written once. */
  setStatus(id: string, status: Status, fields: { progress?: number; time_completed?: string; output_dataset_ids?: string[] } = {}): boolean {
    return (
      this.db
        .prepare(
          `UPDATE executions SET status = ?, progress = COALESCE(?, progress), time_completed = COALESCE(?, time_completed),
            output_dataset_ids = COALESCE(?, output_dataset_ids) WHERE execution_id = ? AND status NOT IN ${TERMINAL_SQL}`,
        )
        .run(status, fields.progress ?? null, fields.time_completed ?? null, fields.output_dataset_ids ? JSON.stringify(fields.output_dataset_ids) : null, id).changes > 0
    );
  }

  /** Stores progress (the engine only ever raises it: clients plot it). */
  setProgress(id: string, progress: number): void {
    this.db.prepare("UPDATE executions SET progress = ? WHERE execution_id = ?").run(progress, id);
  }

  appendLog(id: string, line: string): void {
    this.logs.append(id, line);
  }

  /** Ids of records a previous process left unfinished. */
  unfinished(): string[] {
    return this.db.prepare("SELECT execution_id FROM executions WHERE status IN ('PENDING', 'STARTED', 'RUNNING')").pluck().all() as string[];
  }

  /** Deletes records created before `ms`; returns how many. */
  pruneBefore(ms: number): number {
    const n = this.db.prepare("DELETE FROM executions WHERE created_ms < ? AND status IN ('COMPLETED', 'FAILED', 'STOPPED')").run(ms).changes;
    if (n > 0) this.logs.pruneOrphans();
    return n;
  }

  /** Dataset ids still referenced as inputs of unfinished executions. */
  activeInputIds(): Set<string> {
    const rows = this.db.prepare("SELECT input_dataset_ids FROM executions WHERE status IN ('PENDING', 'STARTED', 'RUNNING')").pluck().all() as string[];
    return new Set(rows.flatMap((r) => JSON.parse(r) as string[]));
  }
}
