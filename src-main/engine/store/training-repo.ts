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

function toTraining(r: TrainingRow, logs: LogStore): TrainingRecord {
  const { created_ms: _c, algorithm_name, worker, ...rest } = r;
  const out = { ...rest, log: logs.read(r.training_id as string), ...(algorithm_name ? { algorithm_name } : {}), ...(worker ? { worker } : {}) } as Record<string, unknown>;
  for (const k of JSON_FIELDS) out[k] = JSON.parse(r[k]);
  return out as TrainingRecord;
}

export class TrainingRepo {
  constructor(
    private readonly db: Db,
    private readonly logs: LogStore,
  ) {}

  // ── samples ──
  insertSample(s: Sample, createdMs: number): void {
    this.db.prepare("INSERT INTO samples VALUES (?, ?, ?, ?, ?)").run(s.sample_id, JSON.stringify(s.files), JSON.stringify(s.tags), s.time_created, createdMs);
  }

  getSample(id: string): Sample | undefined {
    const r = this.db.prepare("SELECT * FROM samples WHERE sample_id = ?").get(id) as { sample_id: string; files_json: string; tags_json: string; time_created: string } | undefined;
    return r && { sample_id: r.sample_id, files: JSON.parse(r.files_json), tags: JSON.parse(r.tags_json), time_created: r.time_created };
  }

  listSamples(): Sample[] {
    return (this.db.prepare("SELECT sample_id FROM samples ORDER BY created_ms DESC").pluck().all() as string[]).map((id) => this.getSample(id) as Sample);
  }

  deleteSample(id: string): boolean {
    return this.db.prepare("DELETE FROM samples WHERE sample_id = ?").run(id).changes > 0;
  }

  /** Dataset ids that samples refer to (they must not expire). */
  sampleDatasetIds(): Set<string> {
    return new Set(this.listSamples().flatMap((s) => s.files.flatMap((f) => [...f.input, ...f.target])));
  }

  // ── trainings: the same record operations as executions ──
  insert(rec: TrainingRecord, createdMs: number): void {
    const row: Record<string, unknown> = { ...rec, algorithm_name: rec.algorithm_name ?? null, created_ms: createdMs };
    for (const k of JSON_FIELDS) row[k] = JSON.stringify(rec[k]);
    this.db
      .prepare(
        `INSERT INTO trainings (training_id, algorithm_id, algorithm_minor_version, status, progress, time_started, time_completed, log, training_data, additional_parameters, state, tags, checkpoint_id, output_checkpoint_ids, created_ms, algorithm_name)
         VALUES (@training_id, @algorithm_id, @algorithm_minor_version, @status, @progress, @time_started, @time_completed, @log, @training_data, @additional_parameters, @state, @tags, @checkpoint_id, @output_checkpoint_ids, @created_ms, @algorithm_name)`,
      )
      .run(row);
  }

  get(id: string): TrainingRecord | undefined {
    const r = this.db.prepare("SELECT * FROM trainings WHERE training_id = ?").get(id) as TrainingRow | undefined;
    return r && toTraining(r, this.logs);
  }

  /** Newest first, filtered like executions: algorithm, status, and `before` (a training id). */
  list(q: { algorithm_id?: string; status?: Status; limit?: number; before?: string } = {}): TrainingRecord[] {
    const conditions: [string, unknown][] = [];
    if (q.algorithm_id) conditions.push(["algorithm_id = ?", q.algorithm_id]);
    if (q.status) conditions.push(["status = ?", q.status]);
    if (q.before) conditions.push(["rowid < (SELECT rowid FROM trainings WHERE training_id = ?)", q.before]);
    const where = conditions.map(([c]) => c);
    const params = conditions.map(([, v]) => v);
    const sql = `SELECT * FROM trainings ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY rowid DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...params, q.limit ?? 50) as TrainingRow[]).map((r) => toTraining(r, this.logs));
  }

  /** Moves the record to `status`; false (and nothing written) once it has ended: an end state is written once. */
  setStatus(id: string, status: Status, fields: { progress?: number; time_completed?: string } = {}): boolean {
    return this.db.prepare(`UPDATE trainings SET status = ?, progress = COALESCE(?, progress), time_completed = COALESCE(?, time_completed) WHERE training_id = ? AND status NOT IN ${TERMINAL_SQL}`).run(status, fields.progress ?? null, fields.time_completed ?? null, id).changes > 0;
  }

  /** Stores progress (the engine only ever raises it: clients plot it). */
  setProgress(id: string, progress: number): void {
    this.db.prepare("UPDATE trainings SET progress = ? WHERE training_id = ?").run(progress, id);
  }

  appendLog(id: string, line: string): void {
    this.logs.append(id, line);
  }

  setState(id: string, state: Record<string, unknown>): void {
    this.db.prepare("UPDATE trainings SET state = ? WHERE training_id = ?").run(JSON.stringify(state), id);
  }

  unfinished(): string[] {
    return this.db.prepare("SELECT training_id FROM trainings WHERE status IN ('PENDING', 'STARTED', 'RUNNING')").pluck().all() as string[];
  }

  // ── checkpoints ──
  /** Stores a checkpoint and appends its id to the training's output_checkpoint_ids. */
  insertCheckpoint(c: Checkpoint & { algorithm_minor_version: string }, files: Record<string, string>): void {
    this.db.transaction(() => {
      this.db
        .prepare("INSERT INTO checkpoints VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
        .run(c.checkpoint_id, c.training_id, c.parent_algorithm_id, c.parent_checkpoint_id, c.algorithm_minor_version, c.created_at, JSON.stringify(c.properties), JSON.stringify(c.tags));
      const insert = this.db.prepare("INSERT INTO checkpoint_files VALUES (?, ?, ?)");
      for (const [p, blob] of Object.entries(files)) insert.run(c.checkpoint_id, p, blob);
      const t = this.get(c.training_id);
      if (t) this.db.prepare("UPDATE trainings SET output_checkpoint_ids = ? WHERE training_id = ?").run(JSON.stringify([...t.output_checkpoint_ids, c.checkpoint_id]), c.training_id);
    })();
  }

  getCheckpoint(id: string): (Checkpoint & { algorithm_minor_version: string }) | undefined {
    const r = this.db.prepare("SELECT * FROM checkpoints WHERE checkpoint_id = ?").get(id) as Record<string, string> | undefined;
    if (!r) return undefined;
    return { ...(r as unknown as Checkpoint & { algorithm_minor_version: string }), properties: JSON.parse(r.properties ?? "{}"), tags: JSON.parse(r.tags ?? "[]") };
  }

  listCheckpoints(): Checkpoint[] {
    return (this.db.prepare("SELECT checkpoint_id FROM checkpoints ORDER BY rowid DESC").pluck().all() as string[]).map((id) => this.publicCheckpoint(this.getCheckpoint(id)!));
  }

  publicCheckpoint(c: Checkpoint & { algorithm_minor_version?: string }): Checkpoint {
    const { algorithm_minor_version: _m, ...rest } = c;
    return rest;
  }

  /** Asset path → blob id of a checkpoint's files. */
  checkpointFiles(id: string): Record<string, string> {
    const rows = this.db.prepare("SELECT path, blob_id FROM checkpoint_files WHERE checkpoint_id = ?").all(id) as { path: string; blob_id: string }[];
    return Object.fromEntries(rows.map((r) => [r.path, r.blob_id]));
  }

  deleteCheckpoint(id: string): string[] {
    const blobs = Object.values(this.checkpointFiles(id));
    this.db.prepare("DELETE FROM checkpoints WHERE checkpoint_id = ?").run(id);
    return blobs;
  }

  isBlobReferenced(blobId: string): boolean {
    return this.db.prepare("SELECT 1 FROM checkpoint_files WHERE blob_id = ? LIMIT 1").get(blobId) !== undefined;
  }
}
