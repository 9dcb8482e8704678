// Settings: the run-time ones are editable (saved to settings.toml); port and data folder are shown
// read-only with how to change them.
import { api } from "../api.js";
import { h } from "../elements.js";

export async function settingsView(): Promise<HTMLElement> {
  const s = await api.getSettings();
  const status = h("div.status-line");
  const origins = h("textarea", { rows: 3, name: "allowed_origins", id: "setting-allowed_origins" }, s.allowed_origins.join("\n")) as HTMLTextAreaElement;
  // The server never shows the token: only whether one is set. Typing replaces it.
  const token = h("input", { type: "password", name: "api_token", id: "setting-api_token", value: "", autocomplete: "off", placeholder: s.api_token_set ? "set (hidden): type a new one to replace it" : "none" }) as HTMLInputElement;
  const clearToken = h("input", { type: "checkbox", name: "clear_api_token", id: "setting-clear_api_token" }) as HTMLInputElement;
  const number = (name: keyof typeof s, min = 0) => h("input", { type: "number", name, id: `setting-${name}`, min, value: String(s[name] ?? "") }) as HTMLInputElement;
  const fields = {
    max_concurrent_executions: number("max_concurrent_executions", 1),
    max_loaded_runners: number("max_loaded_runners", 1),
    runner_idle_unload_minutes: number("runner_idle_unload_minutes"),
    max_upload_mb: number("max_upload_mb", 1),
    dataset_expiry_days: number("dataset_expiry_days"),
    record_retention_days: number("record_retention_days"),
  };
  const python = h("input", { type: "text", name: "python", id: "setting-python", value: s.python ?? "", placeholder: "automatic: python3, then /usr/bin/python3" }) as HTMLInputElement;
  const pythonResult = h("div.field-help", { role: "status" });
  const checkPython = async () => {
    pythonResult.textContent = "checking…";
    const r = await api.checkPython();
    pythonResult.textContent = r.chosen ? `✓ ${r.chosen.command}: Python ${r.chosen.version}` : `✗ no usable interpreter: ${r.tried.map((t) => `${t.command}: ${t.problem}`).join("; ")}`;
  };
  const save = async () => {
    try {
      await api.patchSettings({
        allowed_origins: origins.value.split(/\s+/).filter(Boolean),
        ...(token.value.trim() ? { api_token: token.value.trim() } : clearToken.checked ? { api_token: null } : {}),
        ...(python.value.trim() ? { python: python.value.trim() } : {}),
        ...Object.fromEntries(Object.entries(fields).map(([k, el]) => [k, Number(el.value)])),
      });
      status.textContent = "Saved.";
      if (python.value.trim()) void checkPython();
    } catch (err) {
      status.textContent = (err as Error).message;
    }
  };
  const row = (label: string, control: HTMLElement, help: string) => h("div.field", {}, h("label.field-label", { for: control.id || undefined }, label), control, h("div.field-help", {}, help));
  return h(
    "div.settings",
    {},
    h("h2", {}, "Settings"),
    row("Allowed origins", origins, "Web pages (one origin per line) allowed to call this server from a browser."),
    row("API token", token, "When set, every request needs it (Bearer header, or open /ui/?token=… once). Leave empty to keep the current one."),
    ...(s.api_token_set ? [h("div.field", {}, h("label", { for: "setting-clear_api_token" }, clearToken, " Remove the API token"))] : []),
    row("Concurrent executions", fields.max_concurrent_executions, "How many executions run at once; the rest queue."),
    row("Loaded runners", fields.max_loaded_runners, "Algorithm processes kept loaded between executions."),
    row("Runner idle unload (minutes)", fields.runner_idle_unload_minutes, "A loaded algorithm process unused this long is unloaded (0 = never)."),
    row("Upload limit (MB)", fields.max_upload_mb, "The largest dataset or zip accepted in one upload."),
    h("div.field", {}, h("label.field-label", { for: "setting-python" }, "Python interpreter"), h("div.row", {}, python, h("button.secondary", { type: "button", onclick: () => void checkPython() }, "Check")), h("div.field-help", {}, "Runs Python algorithms; it needs numpy and h5py, and whatever the algorithms import (as compox doctor checks)."), pythonResult),
    row("Dataset expiry (days)", fields.dataset_expiry_days, "Uploaded and produced datasets are deleted after this many days (0 = never)."),
    row("Record retention (days)", fields.record_retention_days, "Execution records and logs are kept this long (0 = forever)."),
    h("div.actions", {}, h("button.primary", { type: "button", onclick: () => void save() }, "Save"), status),
    h("h3", {}, "Read-only"),
    h("dl.readonly", {}, h("dt", {}, "Port"), h("dd", {}, `${s.port} — change with \`compox serve --port\`, COMPOX_PORT or port in settings.toml, then restart`), h("dt", {}, "Data folder"), h("dd", {}, `${s.data_dir} — choose another with --data-dir or COMPOX_DATA_DIR`)),
  );
}
