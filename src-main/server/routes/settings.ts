// GET/PATCH /api/v0/settings: the run-time-editable settings, saved to settings.toml so they last.
import { redactUrl } from "../../contract/redact.js";
import { EDITABLE_SETTINGS, PythonCheckSchema, SettingsPatchSchema, SettingsViewSchema, type SettingsView } from "../../contract/settings-api.js";
import { saveSettingsPatch, type Engine } from "../../engine/index.js";
import { jsonBody, type Router } from "../router.js";

function view(engine: Engine): SettingsView {
  const { api_token, ...settings } = engine.settings;
  const masked = (url: string | undefined) => (url === undefined ? undefined : redactUrl(url));
  return {
    ...settings,
    database_url: masked(settings.database_url),
    queue_url: masked(settings.queue_url),
    storage_url: masked(settings.storage_url),
    s3_endpoint: masked(settings.s3_endpoint),
    api_token_set: api_token !== undefined,
    data_dir: engine.dataDir,
    editable: [...EDITABLE_SETTINGS],
  };
}

export function settingsRoutes(r: Router, engine: Engine): void {
  r.route({ method: "get", path: "/api/v0/settings", summary: "Current settings", tags: ["settings"], response: SettingsViewSchema }, (c) => c.json(view(engine)));
  r.route({ method: "get", path: "/api/v0/settings/python", summary: "Checks the Python interpreter for Python algorithms (as compox doctor does)", tags: ["settings"], response: PythonCheckSchema }, (c) => c.json(engine.checkPython()));
  r.route(
    { method: "patch", path: "/api/v0/settings", summary: "Change run-time settings (saved to settings.toml)", tags: ["settings"], body: SettingsPatchSchema, response: SettingsViewSchema, errors: [422] },
    async (c) => {
      const patch = await jsonBody(c, SettingsPatchSchema);
      const { api_token, ...rest } = patch;
      engine.updateSettings({ ...rest, ...(api_token !== undefined ? { api_token: api_token || undefined } : {}) });
      saveSettingsPatch(engine.dataDir, patch);
      return c.json(view(engine));
    },
  );
}
