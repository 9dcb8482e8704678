// Saves changed settings into settings.toml by editing only the lines of the keys that changed,
// so the user's comments, order and other keys survive a change made in the window.
import fs from "node:fs";
import path from "node:path";
import { parse as parseToml, stringify as toToml } from "smol-toml";
import { SETTINGS_FILE } from "./settings-loader.js";

const keyLine = (key: string) => new RegExp(`^\\s*["']?${key}["']?\\s*=`);

/** `text` with each key of `patch` set (or removed when null/undefined); other lines unchanged. */
export function patchSettingsToml(text: string, patch: Record<string, unknown>): string {
  const lines = text === "" ? [] : text.replace(/\n$/, "").split("\n");
  // Settings are top-level keys: only lines before the first [table] header are theirs.
  const firstTable = lines.findIndex((l) => /^\s*\[/.test(l));
  const topEnd = firstTable === -1 ? lines.length : firstTable;
  const top = lines.slice(0, topEnd);
  const rest = lines.slice(topEnd);
  for (const [key, value] of Object.entries(patch)) {
    const at = top.findIndex((l) => keyLine(key).test(l));
    const line = value === null || value === undefined ? undefined : toToml({ [key]: value }).trim();
    if (at === -1) {
      if (line) top.push(line);
    } else if (line) top[at] = line;
    else top.splice(at, 1);
  }
  const edited = `${[...top, ...rest].join("\n")}\n`;
  // A value spread over several lines cannot be edited by lines: rewrite the file whole then.
  const expected = { ...(text ? (parseToml(text) as Record<string, unknown>) : {}) };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || v === undefined) delete expected[k];
    else expected[k] = v;
  }
  try {
    if (JSON.stringify(parseToml(edited)) === JSON.stringify(parseToml(toToml(expected)))) return edited;
  } catch {
    // fall through
  }
  return toToml(expected);
}

/** Writes the changed keys to `<dataDir>/settings.toml` atomically. */
export function saveSettingsPatch(dataDir: string, patch: Record<string, unknown>): void {
  const file = path.join(dataDir, SETTINGS_FILE);
  const text = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
  const tmp = `${file}.tmp`;
  // It may hold api_token: readable by its owner only.
  fs.writeFileSync(tmp, patchSettingsToml(text, patch), { mode: 0o600 });
  fs.chmodSync(tmp, 0o600); // writeFileSync's mode is masked by the umask and ignored for an existing file
  fs.renameSync(tmp, file);
}
