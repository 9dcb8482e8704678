// SQL for asynchronous deploy records (POST /api/v0/deploy/local-async).
import type { DeployResult } from "../../contract/algorithm.js";
import type { DeployRecord } from "../../contract/records.js";
import type { Db } from "./db.js";

interface Row {
  deploy_id: string;
  path: string;
  status: DeployRecord["status"];
  time_started: string;
  time_completed: string;
  result: string | null;
  error: string | null;
}

export class DeploysRepo {
  constructor(private readonly db: Db) {}

  async insert(deployId: string, path: string, timeStarted: string, createdMs: number): Promise<void> {
    await this.db.run("INSERT INTO deploys (deploy_id, path, status, time_started, time_completed, result, error, created_ms) VALUES (?, ?, 'PENDING', ?, '', NULL, NULL, ?)", deployId, path, timeStarted, createdMs);
  }

  async get(id: string): Promise<DeployRecord | undefined> {
    const r = (await this.db.get("SELECT deploy_id, path, status, time_started, time_completed, result, error FROM deploys WHERE deploy_id = ?", id)) as Row | undefined;
    if (!r) return undefined;
    const result = r.result === null ? undefined : (JSON.parse(r.result) as DeployResult);
    const error = r.error === null ? null : (JSON.parse(r.error) as Record<string, unknown>);
    return {
      deploy_id: r.deploy_id,
      path: r.path,
      status: r.status,
      time_started: r.time_started,
      time_completed: r.time_completed,
      algorithm_id: result?.algorithm_id ?? null,
      algorithm_name: result?.algorithm_name ?? null,
      algorithm_major_version: result?.algorithm_major_version ?? null,
      algorithm_minor_version: result?.algorithm_minor_version ?? null,
      log: typeof error?.detail === "string" ? error.detail : "",
      error,
    };
  }

  async setStatus(id: string, status: DeployRecord["status"], fields: { time_completed?: string; result?: DeployResult; error?: object } = {}): Promise<void> {
    await this.db.run("UPDATE deploys SET status = ?, time_completed = COALESCE(?, time_completed), result = COALESCE(?, result), error = COALESCE(?, error) WHERE deploy_id = ?", status, fields.time_completed ?? null, fields.result ? JSON.stringify(fields.result) : null, fields.error ? JSON.stringify(fields.error) : null, id);
  }

  /** Deploys a previous process left unfinished end FAILED (crash safety). */
  async failUnfinished(time: string, error: object): Promise<number> {
    return (await this.db.run("UPDATE deploys SET status = 'FAILED', time_completed = ?, error = ? WHERE status IN ('PENDING', 'RUNNING')", time, JSON.stringify(error))).changes;
  }
}
