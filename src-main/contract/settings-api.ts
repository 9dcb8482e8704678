// The settings the window may change at run time (GET/PATCH /api/v0/settings). Port, host and the
// data directory are shown read-only: they take effect only at start.
import { z } from "zod";
import { SettingsSchema } from "./settings.js";

export const EDITABLE_SETTINGS = [
  "allowed_origins",
  "api_token",
  "max_concurrent_executions",
  "max_loaded_runners",
  "max_queued_jobs",
  "runner_idle_unload_minutes",
  "session_max",
  "session_max_items",
  "session_expire_hours",
  "dataset_expiry_days",
  "record_retention_days",
  "max_upload_mb",
  "max_log_kb",
  "max_unzipped_mb",
  "max_zip_entry_mb",
  "max_zip_entries",
  "max_zip_ratio",
  "max_json_body_mb",
  "max_json_depth",
  "max_image_megapixels",
  "max_import_pages",
  "keep_failed_training_temp",
  "python",
] as const;

type Editable = (typeof EDITABLE_SETTINGS)[number];

/** A setting's type without its default: a patch must leave keys it does not name untouched. */
function withoutDefault(t: z.ZodType): z.ZodType {
  return t instanceof z.ZodDefault ? (t.unwrap() as z.ZodType) : t;
}

export const SettingsPatchSchema = z
  .strictObject(Object.fromEntries(EDITABLE_SETTINGS.map((k) => [k, withoutDefault(SettingsSchema.shape[k]).optional()])) as { [K in Editable]: z.ZodOptional<z.ZodType<z.output<typeof SettingsSchema>[K]>> })
  .extend({ api_token: z.string().nullable().optional() });
export type SettingsPatch = z.infer<typeof SettingsPatchSchema>;

const PythonCandidate = z.object({ command: z.string(), ok: z.boolean(), version: z.string().optional(), magic: z.string().optional(), problem: z.string().optional() });

/** GET /api/v0/settings/python: the interpreter Python algorithms get, and every candidate tried. */
export const PythonCheckSchema = z.object({ chosen: PythonCandidate.nullable(), tried: z.array(PythonCandidate) });
export type PythonCheckResult = z.infer<typeof PythonCheckSchema>;

/** What GET /api/v0/settings shows: never the token (only whether one is set), service URLs with
 * their passwords masked. */
export const SettingsViewSchema = SettingsSchema.omit({ api_token: true }).extend({
  api_token_set: z.boolean(),
  data_dir: z.string(),
  editable: z.array(z.string()),
});
export type SettingsView = z.infer<typeof SettingsViewSchema>;
