// GET/PATCH /api/v0/settings: the run-time-editable settings, saved to settings.toml so they last.
import { redactUrl } from "../../contract/redact.js";
import { EDITABLE_SETTINGS, type SettingsView } from "../../contract/settings-api.js";
import { saveSettingsPatch, type Engine } from "../../engine/index.js";
import type { Router } from "../router.js";

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
  r.route("getSettings", () => view(engine));
  r.route("checkPython", () => engine.checkPython());
  r.route("patchSettings", (_, { body: patch }) => {
    const { api_token, ...rest } = patch;
    engine.updateSettings({ ...rest, ...(api_token !== undefined ? { api_token: api_token || undefined } : {}) });
    saveSettingsPatch(engine.dataDir, patch);
    return view(engine);
  });
}
