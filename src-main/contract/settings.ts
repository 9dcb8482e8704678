// Application settings (SPEC section 7) as one zod schema: defaults, validation and the
// run-time-editable subset served by GET/PATCH /api/v0/settings all come from it.
import { z } from "zod";

/** Whether `s` is a web origin exactly as a browser sends it: http(s)://host[:port], no path. */
export function isOrigin(s: string): boolean {
  try {
    const u = new URL(s);
    return (u.protocol === "http:" || u.protocol === "https:") && u.origin === s;
  } catch {
    return false;
  }
}

const count = (def: number) => z.coerce.number().int().min(0).default(def);
const positive = (def: number) => z.coerce.number().int().min(1).default(def);

export const SettingsSchema = z.strictObject({
  port: z.coerce.number().int().min(0).max(65535).default(5481),
  host: z.string().min(1).default("127.0.0.1"),
  max_concurrent_executions: positive(2),
  max_loaded_runners: positive(2),
  max_queued_jobs: positive(10000),
  runner_idle_unload_minutes: z.coerce.number().min(0).default(10),
  session_max: positive(5),
  session_max_items: positive(5),
  session_expire_hours: z.coerce.number().positive().default(24),
  dataset_expiry_days: count(7),
  record_retention_days: count(30),
  max_upload_mb: positive(2048),
  /** What an uploaded algorithm zip may unpack to: in all, per entry, and how many entries. */
  max_unzipped_mb: positive(2048),
  max_zip_entry_mb: positive(1024),
  max_zip_entries: positive(20000),
  /** How many times its compressed size a zip entry of over 1 MB may unpack to (zip bombs reach 1000:1). */
  max_zip_ratio: positive(200),
  /** The largest JSON request body. */
  max_json_body_mb: positive(64),
  /** How deeply JSON request bodies (e.g. additional_parameters) may nest. */
  max_json_depth: positive(64),
  /** Previews, PNG/TIFF exports and each imported page refuse more pixels than this (in millions). */
  max_image_megapixels: positive(1024),
  /** Pages an imported image file may have. */
  max_import_pages: positive(10000),
  /** Each execution's and training's log keeps its first and last half of this; the middle is cut. */
  max_log_kb: positive(256),
  /** Web pages (scheme://host[:port], as browsers send Origin) that may call the server. */
  allowed_origins: z.array(z.string().refine(isOrigin, { error: (i) => `${JSON.stringify(i.input)} is not an origin: give scheme://host[:port] with nothing after it, e.g. https://lab.example.org ("null" would let any sandboxed page or local file in)` })).default([]),
  api_token: z.string().min(1).optional(),
  keep_failed_training_temp: z.boolean().default(false),
  /** Cluster workers: how long running jobs may take to finish after SIGTERM before they are failed. */
  worker_shutdown_grace_s: count(30),
  /** Cluster mode: how long a job may wait for a device (cpu, gpu) that no live worker offers before it ends FAILED saying so. */
  device_wait_s: count(60),
  python: z.string().min(1).optional(),
  // Cluster mode (docs/cluster.md): all three set, or none.
  /** Redis for the job queue and events (redis://host:6379). */
  queue_url: z.string().regex(/^rediss?:\/\/\S+$/, "must be a redis:// or rediss:// URL").optional(),
  /** PostgreSQL for the records (postgres://user:password@host:5432/db). */
  database_url: z.string().regex(/^postgres(ql)?:\/\/\S+$/, "must be a postgres:// URL").optional(),
  /** Shared storage for datasets, modules, assets and checkpoints: S3-compatible (s3://bucket[/prefix]) or a folder every node mounts (file:///path). */
  storage_url: z
    .string()
    .regex(/^(s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/\S*)?|file:\/\/\/\S*)$/, "must be s3://bucket, s3://bucket/prefix or file:///shared/folder")
    .optional(),
  /** The S3 API's address for stores other than AWS (MinIO, Ceph): http://host:9000. */
  s3_endpoint: z.string().url().optional(),
});
export type Settings = z.output<typeof SettingsSchema>;
/** Every setting at its default (what applies when nothing is configured). */
export const DEFAULT_SETTINGS: Settings = SettingsSchema.parse({});
export type SettingsInput = z.input<typeof SettingsSchema>;
export const SETTING_KEYS = Object.keys(SettingsSchema.shape) as (keyof Settings)[];
