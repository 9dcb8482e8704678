// Merges settings from CLI flags, COMPOX_* environment variables, settings.toml and defaults.
import fs from "node:fs";
import path from "node:path";
import { parse as parseToml } from "smol-toml";
import { ConfigError, type Problem } from "../../contract/errors.js";
import { SETTING_KEYS, SettingsSchema, type Settings } from "../../contract/settings.js";
import { formatPath } from "./pyproject.js";

export interface SettingsSources {
  dataDir: string;
  /** Values from CLI flags, already keyed in snake_case. */
  flags?: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
}

export const SETTINGS_FILE = "settings.toml";

/** Reads an environment value: JSON for lists and booleans, else the raw string (zod coerces numbers). */
function envValue(key: keyof Settings, raw: string): unknown {
  if (key === "allowed_origins") {
    const trimmed = raw.trim();
    return trimmed.startsWith("[") ? JSON.parse(trimmed) : trimmed.split(",").map((s) => s.trim()).filter(Boolean);
  }
  if (key === "keep_failed_training_temp") return /^(1|true|yes|on)$/i.test(raw.trim());
  return raw;
}

/** Loads settings, highest source first: flags, environment, settings.toml, defaults. */
export function loadSettings(sources: SettingsSources): Settings {
  const env = sources.env ?? process.env;
  const file = path.join(sources.dataDir, SETTINGS_FILE);
  let fromFile: Record<string, unknown> = {};
  if (fs.existsSync(file)) {
    try {
      fromFile = parseToml(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
    } catch (err) {
      throw new ConfigError([{ file, path: "", message: `not valid TOML: ${(err as Error).message.split("\n")[0]}` }]);
    }
  }
  const merged: Record<string, unknown> = { ...fromFile };
  const origin: Record<string, string> = Object.fromEntries(Object.keys(fromFile).map((k) => [k, file]));
  for (const key of SETTING_KEYS) {
    const raw = env[`COMPOX_${key.toUpperCase()}`];
    if (raw !== undefined && raw !== "") {
      merged[key] = envValue(key, raw);
      origin[key] = `COMPOX_${key.toUpperCase()}`;
    }
  }
  for (const [key, value] of Object.entries(sources.flags ?? {})) {
    if (value !== undefined) {
      merged[key] = value;
      origin[key] = `--${key.replace(/_/g, "-")}`;
    }
  }
  const result = SettingsSchema.safeParse(merged);
  if (!result.success) {
    const problems: Problem[] = result.error.issues.map((i) => {
      const key = String(i.path[0] ?? "");
      return { file: origin[key] ?? file, path: formatPath(i.path), message: i.message };
    });
    throw new ConfigError(problems);
  }
  return result.data;
}
