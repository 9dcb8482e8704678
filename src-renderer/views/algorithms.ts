// The algorithms list: search, filter by type and tag, versions, add (path or zip); export and
// remove for the selected one.
import type { Algorithm } from "../../src-main/contract/algorithm.js";
import { ALGORITHM_TYPES } from "../../src-main/contract/algorithm-config.js";
import { api } from "../api.js";
import { h, mount } from "../elements.js";

export interface AlgorithmsViewOptions {
  onSelect(alg: Algorithm): void;
  selectedId?: string;
}

// Kept across re-renders (a deploy reloads the view): the last deploy's outcome until dismissed,
// and the item to give focus back to after a keyboard selection.
let notice: { text: string; error: boolean } | undefined;
let refocus: string | undefined;

export function algorithmsView(all: Algorithm[], opts: AlgorithmsViewOptions, reload: () => void): HTMLElement {
  // A listbox: Tab reaches the selected item, arrows move between items, Enter or Space opens one.
  const list = h("ul.alg-list", { role: "listbox", "aria-label": "Algorithms" });
  list.addEventListener("keydown", (e: KeyboardEvent) => {
    const items = [...list.querySelectorAll<HTMLElement>('li[role="option"]')];
    const at = items.indexOf(document.activeElement as HTMLElement);
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      items[Math.min(items.length - 1, Math.max(0, at + (e.key === "ArrowDown" ? 1 : -1)))]?.focus();
    } else if ((e.key === "Enter" || e.key === " ") && at >= 0 && e.target === items[at]) {
      e.preventDefault();
      items[at]?.click();
    }
  });
  const search = h("input", { type: "search", placeholder: "Search algorithms", "aria-label": "search" }) as HTMLInputElement;
  const type = h("select", { "aria-label": "type" }, h("option", { value: "" }, "All types"), ...ALGORITHM_TYPES.map((t) => h("option", { value: t }, t))) as HTMLSelectElement;
  const tags = [...new Set(all.flatMap((a) => a.algorithm_tags))].sort();
  const tag = h("select", { "aria-label": "tag" }, h("option", { value: "" }, "All tags"), ...tags.map((t) => h("option", { value: t }, t))) as HTMLSelectElement;
  const message = h("div.status-line", { role: "status" });
  const showNotice = (text: string, error: boolean) => {
    notice = { text, error };
    renderNotice();
  };
  const renderNotice = () =>
    mount(message, notice ? h(`div.notice${notice.error ? ".error" : ""}`, {}, h("span", {}, notice.text), h("button.link", { type: "button", "aria-label": "dismiss", onclick: () => ((notice = undefined), renderNotice()) }, "×")) : null);
  renderNotice();

  const render = () => {
    const q = search.value.trim().toLowerCase();
    const shown = all.filter((a) => (!q || `${a.algorithm_name} ${a.algorithm_description}`.toLowerCase().includes(q)) && (!type.value || a.algorithm_type === type.value) && (!tag.value || a.algorithm_tags.includes(tag.value)));
    mount(
      list,
      all.length === 0 ? h("li.empty", {}, "No algorithms yet — add one below (a folder path or a .zip), or with `compox deploy-algorithms <folder>`.") : shown.length === 0 ? h("li.empty", {}, "Nothing matches.") : null,
      shown.map((a, i) =>
        h(
          `li.alg-item${a.algorithm_id === opts.selectedId ? ".selected" : ""}`,
          {
            onclick: () => ((refocus = a.algorithm_id), opts.onSelect(a)),
            "data-name": a.algorithm_name,
            "data-id": a.algorithm_id,
            role: "option",
            "aria-selected": String(a.algorithm_id === opts.selectedId),
            tabindex: a.algorithm_id === opts.selectedId || (!opts.selectedId && i === 0) ? 0 : -1,
          },
          h("div.alg-title", {}, a.algorithm_name, h("span.version", {}, ` ${a.algorithm_version}.${a.latest_algorithm_minor_version}`), a.trainable ? h("span.badge", {}, "trainable") : null),
          h("div.alg-meta", {}, a.algorithm_type, " · versions ", a.algorithm_minor_versions.map((m) => (m === a.latest_algorithm_minor_version ? `${a.algorithm_version}.${m} (latest)` : `${a.algorithm_version}.${m}`)).join(", ")),
        ),
      ),
    );
    // The selected algorithm's actions, outside the listbox: its options hold no controls.
    const selected = all.find((a) => a.algorithm_id === opts.selectedId);
    mount(
      actions,
      selected
        ? [
            h("span.alg-actions-name", {}, `${selected.algorithm_name} ${selected.algorithm_version}: `),
            selected.exportable ? h("a", { href: api.exportUrl(selected.algorithm_name, selected.algorithm_version), download: `${selected.algorithm_name}.zip` }, "Export") : h("span.muted", {}, "not exportable"),
            selected.removable
              ? h("button.link", { type: "button", onclick: () => { if (confirm(`Remove ${selected.algorithm_name} ${selected.algorithm_version}?`)) void api.removeAlgorithm(selected.algorithm_id).then(reload, (err: Error) => showNotice(err.message, true)); } }, "Remove")
              : h("span.muted", { title: "removable = false in its pyproject.toml: remove it from a terminal with `compox remove <name>/<major> --force`" }, "protected"),
          ]
        : null,
    );
  };
  const actions = h("div.alg-actions", { role: "group", "aria-label": "Selected algorithm" });
  for (const el of [search, type, tag]) el.addEventListener("input", render);
  render();
  if (refocus) {
    const id = refocus;
    refocus = undefined;
    queueMicrotask(() => list.querySelector<HTMLElement>(`li[data-id="${CSS.escape(id)}"]`)?.focus());
  }

  const pathInput = h("input", { type: "text", placeholder: "/path/to/algorithm folder or .zip", "aria-label": "algorithm path" }) as HTMLInputElement;
  const deployResult = (r: { algorithm_name: string; algorithm_major_version: string; algorithm_minor_version: string; outcome: string }) => {
    showNotice(`${r.algorithm_name}: ${r.outcome === "unchanged" ? "unchanged" : `deployed v${r.algorithm_major_version}.${r.algorithm_minor_version}`}`, false);
    reload();
  };
  const deployError = (err: Error) => showNotice(err.message, true);
  const zip = h("input", { type: "file", accept: ".zip", onchange: (e: Event) => { const f = (e.target as HTMLInputElement).files?.[0]; if (f) void api.deployZip(f).then(deployResult, deployError); } });
  return h(
    "aside.sidebar",
    {},
    h("div.filters", {}, search, h("div.row", {}, type, tag)),
    list,
    actions,
    h("details.add", {}, h("summary", {}, "Add Algorithm…"), h("div.row", {}, pathInput, h("button.secondary", { type: "button", onclick: () => void api.deployLocal(pathInput.value).then(deployResult, deployError) }, "Deploy")), h("label.button.secondary", {}, "Upload a .zip…", zip)),
    message,
  );
}
