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
  "keep_failed_training_temp",
] as const;

export const SettingsPatchSchema = SettingsSchema.pick(Object.fromEntries(EDITABLE_SETTINGS.map((k) => [k, true])) as { [K in (typeof EDITABLE_SETTINGS)[number]]: true })
  .partial()
  .extend({ api_token: z.string().nullable().optional() })
  .strict();
export type SettingsPatch = z.infer<typeof SettingsPatchSchema>;

export const SettingsViewSchema = SettingsSchema.extend({
  data_dir: z.string(),
  editable: z.array(z.string()),
});
export type SettingsView = z.infer<typeof SettingsViewSchema>;
