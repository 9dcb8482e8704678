// SQL for samples, training records and checkpoints.
import { TERMINAL_SQL, type Checkpoint, type Sample, type Status, type TrainingRecord } from "../../contract/records.js";
import type { Db } from "./db.js";
import type { LogStore } from "./log-store.js";

interface TrainingRow {
  [key: string]: unknown;
  training_data: string;
  additional_parameters: string;
  state: string;
  tags: string;
  output_checkpoint_ids: string;
}

const JSON_FIELDS = ["training_data", "additional_parameters", "state", "tags", "output_checkpoint_ids"] as const;

async function toTraining(r: TrainingRow, logs: LogStore): Promise<TrainingRecord> {
  const { created_ms: _c, algorithm_name, worker, ...rest } = r;
  const out = { ...rest, log: await logs.read(r.training_id as string), ...(algorithm_name ? { algorithm_name } : {}), ...(worker ? { worker } : {}) } as Record<string, unknown>;
  for (const k of JSON_FIELDS) out[k] = JSON.parse(r[k]);
  return out as TrainingRecord;
}

interface SampleRow {
  sample_id: string;
  files_json: string;
  tags_json: string;
  time_created: string;
}

const toSample = (r: SampleRow): Sample => ({ sample_id: r.sample_id, files: JSON.parse(r.files_json), tags: JSON.parse(r.tags_json), time_created: r.time_created });

function toCheckpoint(r: Record<string, string>): Checkpoint & { algorithm_minor_version: string } {
  return { ...(r as unknown as Checkpoint & { algorithm_minor_version: string }), properties: JSON.parse(r.properties ?? "{}"), tags: JSON.parse(r.tags ?? "[]") };
}

/** Trainings to list: newest first, filtered like executions; `before` is a training id to page from. */
export interface TrainingQuery {
  algorithm_id?: string;
  status?: Status;
  limit?: number;
  before?: string;
}

export class TrainingRepo {
  constructor(
    private readonly db: Db,
    private readonly logs: LogStore,
  ) {}

  // ── samples ──
  async insertSample(s: Sample, createdMs: number): Promise<void> {
    await this.db.run("INSERT INTO samples VALUES (?, ?, ?, ?, ?)", s.sample_id, JSON.stringify(s.files), JSON.stringify(s.tags), s.time_created, createdMs);
  }

  async getSample(id: string): Promise<Sample | undefined> {
    const r = await this.db.get<SampleRow>("SELECT * FROM samples WHERE sample_id = ?", id);
    return r && toSample(r);
  }

  async listSamples(): Promise<Sample[]> {
    return (await this.db.all<SampleRow>("SELECT * FROM samples ORDER BY created_ms DESC")).map(toSample);
  }

  async deleteSample(id: string): Promise<boolean> {
    return (await this.db.run("DELETE FROM samples WHERE sample_id = ?", id)).changes > 0;
  }

  /** Dataset ids that samples refer to (they must not expire). */
  async sampleDatasetIds(): Promise<Set<string>> {
    return new Set((await this.listSamples()).flatMap((s) => s.files.flatMap((f) => [...f.input, ...f.target])));
  }

  // ── trainings: the same record operations as executions ──
  async insert(rec: TrainingRecord, createdMs: number): Promise<void> {
    const row: Record<string, unknown> = { ...rec, algorithm_name: rec.algorithm_name ?? null, created_ms: createdMs };
    for (const k of JSON_FIELDS) row[k] = JSON.stringify(rec[k]);
    await this.db.run(`INSERT INTO trainings (training_id, algorithm_id, algorithm_minor_version, status, progress, time_started, time_completed, log, training_data, additional_parameters, state, tags, checkpoint_id, output_checkpoint_ids, created_ms, algorithm_name)
         VALUES (@training_id, @algorithm_id, @algorithm_minor_version, @status, @progress, @time_started, @time_completed, @log, @training_data, @additional_parameters, @state, @tags, @checkpoint_id, @output_checkpoint_ids, @created_ms, @algorithm_name)`, row);
  }

  async get(id: string): Promise<TrainingRecord | undefined> {
    const r = (await this.db.get("SELECT * FROM trainings WHERE training_id = ?", id)) as TrainingRow | undefined;
    return r && (await toTraining(r, this.logs));
  }

  /** Newest first, filtered like executions: algorithm, status, and `before` (a training id). */
  async list(q: TrainingQuery = {}): Promise<TrainingRecord[]> {
    const conditions: [string, unknown][] = [];
    if (q.algorithm_id) conditions.push(["algorithm_id = ?", q.algorithm_id]);
    if (q.status) conditions.push(["status = ?", q.status]);
    if (q.before) conditions.push(["rowid < (SELECT rowid FROM trainings WHERE training_id = ?)", q.before]);
    const where = conditions.map(([c]) => c);
    const params = conditions.map(([, v]) => v);
    const sql = `SELECT * FROM trainings ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY rowid DESC LIMIT ?`;
    return Promise.all((await this.db.all<TrainingRow>(sql, ...params, q.limit ?? 50)).map((r) => toTraining(r, this.logs)));
  }

  /** Moves the record to `status`; false (and nothing written) once it has ended: an end state is written once. */
  async setStatus(id: string, status: Status, fields: { progress?: number; time_completed?: string; ended_ms?: number } = {}): Promise<boolean> {
    return (await this.db.run(`UPDATE trainings SET status = ?, progress = COALESCE(?, progress), time_completed = COALESCE(?, time_completed), ended_ms = COALESCE(?, ended_ms) WHERE training_id = ? AND status NOT IN ${TERMINAL_SQL}`, status, fields.progress ?? null, fields.time_completed ?? null, fields.ended_ms ?? null, id)).changes > 0;
  }

  /** Trainings that ended after `ms` (ms since the epoch), oldest end first, at most `limit`. */
  async endedSince(ms: number, limit: number): Promise<{ id: string; status: Status }[]> {
    return this.db.all<{ id: string; status: Status }>("SELECT training_id AS id, status FROM trainings WHERE ended_ms > ? ORDER BY ended_ms LIMIT ?", ms, limit);
  }

  /** Stores progress (the engine only ever raises it: clients plot it). */
  async setProgress(id: string, progress: number): Promise<void> {
    await this.db.run("UPDATE trainings SET progress = ? WHERE training_id = ?", progress, id);
  }

  appendLog(id: string, line: string): Promise<void> {
    return this.logs.append(id, line);
  }

  async setState(id: string, state: Record<string, unknown>): Promise<void> {
    await this.db.run("UPDATE trainings SET state = ? WHERE training_id = ?", JSON.stringify(state), id);
  }

  /** Ids of the trainings that ended FAILED (their temp folders may be kept for debugging). */
  failedIds(): Promise<string[]> {
    return this.db.column<string>("SELECT training_id FROM trainings WHERE status = 'FAILED'");
  }

  async unfinished(): Promise<string[]> {
    return (await this.db.column("SELECT training_id FROM trainings WHERE status IN ('PENDING', 'STARTED', 'RUNNING')")) as string[];
  }

  // ── checkpoints ──
  /** Stores a checkpoint and appends its id to the training's output_checkpoint_ids. */
  async insertCheckpoint(c: Checkpoint & { algorithm_minor_version: string }, files: Record<string, string>): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.run("INSERT INTO checkpoints VALUES (?, ?, ?, ?, ?, ?, ?, ?)", c.checkpoint_id, c.training_id, c.parent_algorithm_id, c.parent_checkpoint_id, c.algorithm_minor_version, c.created_at, JSON.stringify(c.properties), JSON.stringify(c.tags));
      for (const [p, blob] of Object.entries(files)) await tx.run("INSERT INTO checkpoint_files VALUES (?, ?, ?)", c.checkpoint_id, p, blob);
      const ids = await tx.get<{ output_checkpoint_ids: string }>("SELECT output_checkpoint_ids FROM trainings WHERE training_id = ?", c.training_id);
      if (ids) await tx.run("UPDATE trainings SET output_checkpoint_ids = ? WHERE training_id = ?", JSON.stringify([...(JSON.parse(ids.output_checkpoint_ids) as string[]), c.checkpoint_id]), c.training_id);
    });
  }

  async getCheckpoint(id: string): Promise<(Checkpoint & { algorithm_minor_version: string }) | undefined> {
    const r = await this.db.get<Record<string, string>>("SELECT * FROM checkpoints WHERE checkpoint_id = ?", id);
    return r && toCheckpoint(r);
  }

  async listCheckpoints(): Promise<Checkpoint[]> {
    return (await this.db.all<Record<string, string>>("SELECT * FROM checkpoints ORDER BY rowid DESC")).map((r) => this.publicCheckpoint(toCheckpoint(r)));
  }

  publicCheckpoint(c: Checkpoint & { algorithm_minor_version?: string }): Checkpoint {
    const { algorithm_minor_version: _m, ...rest } = c;
    return rest;
  }

  /** Asset path → blob id of a checkpoint's files. */
  async checkpointFiles(id: string): Promise<Record<string, string>> {
    const rows = (await this.db.all("SELECT path, blob_id FROM checkpoint_files WHERE checkpoint_id = ?", id)) as { path: string; blob_id: string }[];
    return Object.fromEntries(rows.map((r) => [r.path, r.blob_id]));
  }

  async deleteCheckpoint(id: string): Promise<string[]> {
    const blobs = Object.values(await this.checkpointFiles(id));
    await this.db.run("DELETE FROM checkpoints WHERE checkpoint_id = ?", id);
    return blobs;
  }

  async isBlobReferenced(blobId: string): Promise<boolean> {
    return (await this.db.get("SELECT 1 FROM checkpoint_files WHERE blob_id = ? LIMIT 1", blobId)) !== undefined;
  }
}
