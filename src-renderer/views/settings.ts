// Settings: the run-time ones are editable (saved to settings.toml); port and data folder are shown
// read-only with how to change them.
import { api } from "../api.js";
import { h } from "../elements.js";

export async function settingsView(): Promise<HTMLElement> {
  const s = await api.getSettings();
  const status = h("div.status-line");
  const origins = h("textarea", { rows: 3, name: "allowed_origins" }, s.allowed_origins.join("\n")) as HTMLTextAreaElement;
  const token = h("input", { type: "text", name: "api_token", value: s.api_token ?? "", placeholder: "none" }) as HTMLInputElement;
  const number = (name: keyof typeof s, min = 0) => h("input", { type: "number", name, min, value: String(s[name] ?? "") }) as HTMLInputElement;
  const fields = { max_concurrent_executions: number("max_concurrent_executions", 1), max_loaded_runners: number("max_loaded_runners", 1), dataset_expiry_days: number("dataset_expiry_days"), record_retention_days: number("record_retention_days") };
  const save = async () => {
    try {
      await api.patchSettings({
        allowed_origins: origins.value.split(/\s+/).filter(Boolean),
        api_token: token.value.trim() || null,
        ...Object.fromEntries(Object.entries(fields).map(([k, el]) => [k, Number(el.value)])),
      });
      status.textContent = "Saved.";
    } catch (err) {
      status.textContent = (err as Error).message;
    }
  };
  const row = (label: string, control: HTMLElement, help: string) => h("div.field", {}, h("label.field-label", {}, label), control, h("div.field-help", {}, help));
  return h(
    "div.settings",
    {},
    h("h2", {}, "Settings"),
    row("Allowed origins", origins, "Web pages (one origin per line) allowed to call this server from a browser."),
    row("API token", token, "When set, every request needs it (Bearer header, or open /ui/?token=… once)."),
    row("Concurrent executions", fields.max_concurrent_executions, "How many executions run at once; the rest queue."),
    row("Loaded runners", fields.max_loaded_runners, "Algorithm processes kept loaded between executions."),
    row("Dataset expiry (days)", fields.dataset_expiry_days, "Uploaded and produced datasets are deleted after this many days (0 = never)."),
    row("Record retention (days)", fields.record_retention_days, "Execution records and logs are kept this long (0 = forever)."),
    h("div.actions", {}, h("button.primary", { type: "button", onclick: () => void save() }, "Save"), status),
    h("h3", {}, "Read-only"),
    h("dl.readonly", {}, h("dt", {}, "Port"), h("dd", {}, `${s.port} — change with \`compox serve --port\`, COMPOX_PORT or port in settings.toml, then restart`), h("dt", {}, "Data folder"), h("dd", {}, `${s.data_dir} — choose another with --data-dir or COMPOX_DATA_DIR`)),
  );
}
