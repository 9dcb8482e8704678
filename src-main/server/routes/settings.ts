// GET/PATCH /api/v0/settings: the run-time-editable settings, saved to settings.toml so they last.
import fs from "node:fs";
import path from "node:path";
import { parse as parseToml, stringify as toToml } from "smol-toml";
import { EDITABLE_SETTINGS, SettingsPatchSchema, SettingsViewSchema } from "../../contract/settings-api.js";
import { SETTINGS_FILE, type Engine } from "../../engine/index.js";
import { jsonBody, type Router } from "../router.js";

function view(engine: Engine) {
  return { ...engine.settings, data_dir: engine.dataDir, editable: [...EDITABLE_SETTINGS] };
}

/** Merges changed keys into settings.toml (keeping whatever else the user wrote there). */
function persist(dataDir: string, patch: Record<string, unknown>): void {
  const file = path.join(dataDir, SETTINGS_FILE);
  const current = fs.existsSync(file) ? (parseToml(fs.readFileSync(file, "utf8")) as Record<string, unknown>) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || v === undefined) delete current[k];
    else current[k] = v;
  }
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, toToml(current));
  fs.renameSync(tmp, file);
}

export function settingsRoutes(r: Router, engine: Engine): void {
  r.route({ method: "get", path: "/api/v0/settings", summary: "Current settings", tags: ["settings"], response: SettingsViewSchema }, (c) => c.json(view(engine)));
  r.route(
    { method: "patch", path: "/api/v0/settings", summary: "Change run-time settings (saved to settings.toml)", tags: ["settings"], body: SettingsPatchSchema, response: SettingsViewSchema, errors: [422] },
    async (c) => {
      const patch = await jsonBody(c, SettingsPatchSchema);
      const { api_token, ...rest } = patch;
      engine.updateSettings({ ...rest, ...(api_token !== undefined ? { api_token: api_token || undefined } : {}) });
      persist(engine.dataDir, patch);
      return c.json(view(engine));
    },
  );
}
