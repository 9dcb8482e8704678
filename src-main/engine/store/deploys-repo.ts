// SQL for asynchronous deploy records (POST /api/v0/deploy/local-async).
import type { DeployRecord } from "../../contract/records.js";
import type { Db } from "./db.js";

interface Row extends Omit<DeployRecord, "result" | "error"> {
  result: string | null;
  error: string | null;
}

export class DeploysRepo {
  constructor(private readonly db: Db) {}

  insert(rec: DeployRecord, createdMs: number): void {
    this.db
      .prepare("INSERT INTO deploys (deploy_id, path, status, time_started, time_completed, result, error, created_ms) VALUES (?, ?, ?, ?, ?, NULL, NULL, ?)")
      .run(rec.deploy_id, rec.path, rec.status, rec.time_started, rec.time_completed, createdMs);
  }

  get(id: string): DeployRecord | undefined {
    const r = this.db.prepare("SELECT deploy_id, path, status, time_started, time_completed, result, error FROM deploys WHERE deploy_id = ?").get(id) as Row | undefined;
    if (!r) return undefined;
    return { ...r, result: r.result === null ? null : (JSON.parse(r.result) as Record<string, unknown>), error: r.error === null ? null : (JSON.parse(r.error) as Record<string, unknown>) };
  }

  setStatus(id: string, status: DeployRecord["status"], fields: { time_completed?: string; result?: object; error?: object } = {}): void {
    this.db
      .prepare("UPDATE deploys SET status = ?, time_completed = COALESCE(?, time_completed), result = COALESCE(?, result), error = COALESCE(?, error) WHERE deploy_id = ?")
      .run(status, fields.time_completed ?? null, fields.result ? JSON.stringify(fields.result) : null, fields.error ? JSON.stringify(fields.error) : null, id);
  }

  /** Deploys a previous process left unfinished end FAILED (crash safety). */
  failUnfinished(time: string, error: object): number {
    return this.db.prepare("UPDATE deploys SET status = 'FAILED', time_completed = ?, error = ? WHERE status IN ('PENDING', 'RUNNING')").run(time, JSON.stringify(error)).changes;
  }
}
