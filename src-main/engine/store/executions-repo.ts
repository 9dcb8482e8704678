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

async function toRecord(r: Row, logs: LogStore): Promise<ExecutionRecord> {
  const { created_ms: _created, algorithm_name, worker, ...rest } = r;
  return {
    ...rest,
    ...(algorithm_name ? { algorithm_name } : {}),
    ...(worker ? { worker } : {}),
    log: await logs.read(r.execution_id),
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

  async insert(rec: ExecutionRecord, createdMs: number): Promise<void> {
    await this.db.run(`INSERT INTO executions (execution_id, algorithm_id, algorithm_minor_version, input_dataset_ids, execution_device_override, resolved_execution_device,
          additional_parameters, session_token, checkpoint_id, output_dataset_ids, status, progress, time_started, time_completed, log, created_ms, algorithm_name)
         VALUES (@execution_id, @algorithm_id, @algorithm_minor_version, @input_dataset_ids, @execution_device_override, @resolved_execution_device,
          @additional_parameters, @session_token, @checkpoint_id, @output_dataset_ids, @status, @progress, @time_started, @time_completed, @log, @created_ms, @algorithm_name)`, {
        ...rec,
        algorithm_name: rec.algorithm_name ?? null,
        input_dataset_ids: JSON.stringify(rec.input_dataset_ids),
        additional_parameters: JSON.stringify(rec.additional_parameters),
        output_dataset_ids: JSON.stringify(rec.output_dataset_ids),
        created_ms: createdMs,
      });
  }

  async get(id: string): Promise<ExecutionRecord | undefined> {
    const row = (await this.db.get("SELECT * FROM executions WHERE execution_id = ?", id)) as Row | undefined;
    return row && (await toRecord(row, this.logs));
  }

  async list(q: ExecutionQuery = {}): Promise<ExecutionRecord[]> {
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
    return Promise.all((await this.db.all<Row>(sql, ...params, q.limit ?? 50)).map((r) => toRecord(r, this.logs)));
  }

  /** Moves the record to `status`; false (and nothing written) once it has ended: an end state is written once. */
  async setStatus(id: string, status: Status, fields: { progress?: number; time_completed?: string; output_dataset_ids?: string[]; ended_ms?: number } = {}): Promise<boolean> {
    return (
      (await this.db.run(`UPDATE executions SET status = ?, progress = COALESCE(?, progress), time_completed = COALESCE(?, time_completed),
            output_dataset_ids = COALESCE(?, output_dataset_ids), ended_ms = COALESCE(?, ended_ms) WHERE execution_id = ? AND status NOT IN ${TERMINAL_SQL}`, status, fields.progress ?? null, fields.time_completed ?? null, fields.output_dataset_ids ? JSON.stringify(fields.output_dataset_ids) : null, fields.ended_ms ?? null, id)).changes > 0
    );
  }

  /** Executions that ended after `ms` (ms since the epoch), oldest end first, at most `limit`. */
  async endedSince(ms: number, limit: number): Promise<{ id: string; status: Status }[]> {
    return this.db.all<{ id: string; status: Status }>("SELECT execution_id AS id, status FROM executions WHERE ended_ms > ? ORDER BY ended_ms LIMIT ?", ms, limit);
  }

  /** Stores progress (the engine only ever raises it: clients plot it). */
  async setProgress(id: string, progress: number): Promise<void> {
    await this.db.run("UPDATE executions SET progress = ? WHERE execution_id = ?", progress, id);
  }

  appendLog(id: string, line: string): Promise<void> {
    return this.logs.append(id, line);
  }

  /** Ids of records a previous process left unfinished. */
  async unfinished(): Promise<string[]> {
    return (await this.db.column("SELECT execution_id FROM executions WHERE status IN ('PENDING', 'STARTED', 'RUNNING')")) as string[];
  }

  /** Deletes records created before `ms`; returns how many. */
  async pruneBefore(ms: number): Promise<number> {
    const n = (await this.db.run("DELETE FROM executions WHERE created_ms < ? AND status IN ('COMPLETED', 'FAILED', 'STOPPED')", ms)).changes;
    if (n > 0) await this.logs.pruneOrphans();
    return n;
  }

  /** Dataset ids still referenced as inputs of unfinished executions. */
  async activeInputIds(): Promise<Set<string>> {
    const rows = (await this.db.column("SELECT input_dataset_ids FROM executions WHERE status IN ('PENDING', 'STARTED', 'RUNNING')")) as string[];
    return new Set(rows.flatMap((r) => JSON.parse(r) as string[]));
  }
}
