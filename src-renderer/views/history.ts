// The history of executions and trainings: status, duration, inputs by name, parameters, a
// search over all of them and filters by algorithm, status and start date; "Open" shows a past run
// whole (parameters, checkpoint, log, results in the viewer) and "Run again" repeats it with the
// same inputs, parameters and checkpoint. Removed algorithms keep the name they had.
import type { Algorithm } from "../../src-main/contract/algorithm.js";
import type { ExecutionRecord, TrainingRecord } from "../../src-main/contract/records.js";
import { api, parseCompoxTime } from "../api.js";
import { duration, h, mount } from "../elements.js";
import { resultsOf } from "./results-view.js";
import { logLine, type RunRequest } from "./run-view.js";

type Entry = { kind: "run"; rec: ExecutionRecord } | { kind: "training"; rec: TrainingRecord };

const idOf = (e: Entry) => (e.kind === "run" ? e.rec.execution_id : e.rec.training_id);

/** What "Run again" opens: the same inputs, parameters and checkpoint. */
const againOf = (rec: ExecutionRecord): RunRequest => ({ inputs: rec.input_dataset_ids, params: rec.additional_parameters, checkpointId: rec.checkpoint_id ?? undefined });

function tookOf(rec: ExecutionRecord | TrainingRecord): string {
  return rec.time_completed ? duration(parseCompoxTime(rec.time_completed).getTime() - parseCompoxTime(rec.time_started).getTime()) : "running";
}

function paramList(params: Record<string, unknown>): HTMLElement {
  const entries = Object.entries(params);
  return entries.length ? h("dl.param-list", {}, entries.map(([k, v]) => [h("dt", {}, k), h("dd", {}, JSON.stringify(v))])) : h("p.muted", {}, "no parameters");
}

/** The whole of one past run or training. */
async function detailOf(e: Entry, title: string, alg: Algorithm | undefined, open: (alg: Algorithm, request: RunRequest) => void): Promise<(HTMLElement | HTMLElement[] | null)[]> {
  const rec = e.kind === "run" ? await api.getExecution(e.rec.execution_id) : await api.getTraining(e.rec.training_id);
  const heading = h("h3", { tabindex: -1 }, title);
  const facts: [string, string][] = [
    ["Status", rec.status],
    ["Started", rec.time_started.slice(0, 19)],
    ["Duration", tookOf(rec)],
    ...(e.kind === "run" ? ([["Device", e.rec.resolved_execution_device]] as [string, string][]) : []),
    ["Checkpoint", rec.checkpoint_id ?? "the algorithm's own assets"],
  ];
  const again =
    alg && e.kind === "run"
      ? h("button.secondary", { type: "button", onclick: () => open(alg, againOf(e.rec)) }, "Run again")
      : null;
  const checkpoints =
    e.kind === "training" && alg
      ? (rec as TrainingRecord).output_checkpoint_ids.map((c) => h("li", {}, h("code", {}, c.slice(0, 8)), " ", h("button.link", { type: "button", onclick: () => open(alg, { checkpointId: c }) }, "Run with this checkpoint")))
      : [];
  const results = e.kind === "run" && rec.status === "COMPLETED" ? await resultsOf(rec as ExecutionRecord) : null;
  return [
    heading,
    h("dl.facts", {}, facts.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])),
    h("h4", {}, "Parameters"),
    paramList(rec.additional_parameters),
    checkpoints.length ? [h("h4", {}, "Checkpoints"), h("ul.checkpoint-list", {}, checkpoints)] : null,
    h("div.actions", {}, again),
    h("h4", {}, "Log"),
    h("div.log", { role: "log" }, rec.log.split("\n").filter(Boolean).map(logLine)),
    results ? [h("h4", {}, "Results"), results] : null,
  ];
}

export async function historyView(algorithms: Algorithm[], open: (alg: Algorithm, request: RunRequest) => void): Promise<HTMLElement> {
  const [runs, trainings, files] = await Promise.all([api.listExecutions({ limit: 100 }), api.listTrainings({ limit: 100 }), api.listFiles(500).catch(() => [])]);
  // Inputs by the names they were uploaded or imported under (an expired one by its id's start).
  const fileNames = new Map(files.map((f) => [f.file_id, f.name ?? f.file_id.slice(0, 8)]));
  const inputsOf = (e: Entry): string[] => (e.kind === "run" ? e.rec.input_dataset_ids.map((id) => fileNames.get(id) ?? id.slice(0, 8)) : [`${e.rec.training_data.length} sample${e.rec.training_data.length === 1 ? "" : "s"}`]);
  const entries: Entry[] = [...runs.map((rec) => ({ kind: "run" as const, rec })), ...trainings.map((rec) => ({ kind: "training" as const, rec }))].sort(
    (a, b) => parseCompoxTime(b.rec.time_started).getTime() - parseCompoxTime(a.rec.time_started).getTime(),
  );
  const byId = new Map(algorithms.map((a) => [a.algorithm_id, a]));
  if (entries.length === 0) return h("div.empty-state", {}, h("h2", {}, "No executions yet"), h("p", {}, "Run or train an algorithm from the Algorithms tab; every run is listed here."));
  const detail = h("section.history-detail", { hidden: true, "aria-live": "polite" });
  const nameOf = (e: Entry) => {
    const alg = byId.get(e.rec.algorithm_id);
    if (alg) return `${alg.algorithm_name} ${alg.algorithm_version}.${e.rec.algorithm_minor_version}`;
    return `${e.rec.algorithm_name ?? e.rec.algorithm_id} ${e.rec.algorithm_minor_version ? `(minor ${e.rec.algorithm_minor_version}) ` : ""}(removed)`;
  };
  const table = h(
    "table.history",
    {},
    h("thead", {}, h("tr", {}, ...["Algorithm", "Kind", "Status", "Started", "Duration", "Inputs", "Parameters", ""].map((t) => h("th", {}, t)))),
    h(
      "tbody",
      {},
      entries.map((e) => {
        const alg = byId.get(e.rec.algorithm_id);
        const name = nameOf(e);
        const inputs = inputsOf(e);
        const params = Object.entries(e.rec.additional_parameters).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(", ");
        const searchable = [name, e.kind === "run" ? "run" : "training", e.rec.status, e.rec.time_started, ...inputs, params].join(" ").toLowerCase();
        return h(
          "tr",
          { "data-status": e.rec.status, "data-kind": e.kind, "data-id": idOf(e), "data-search": searchable, "data-algorithm": e.rec.algorithm_id, "data-day": e.rec.time_started.slice(0, 10) },
          h("td", {}, name),
          h("td", {}, e.kind === "run" ? "run" : "training"),
          h("td", {}, h(`span.state.status-${e.rec.status.toLowerCase()}`, {}, e.rec.status)),
          h("td", {}, e.rec.time_started.slice(0, 19)),
          h("td", {}, tookOf(e.rec)),
          h("td.inputs", { title: inputs.join("\n") }, inputs.length > 2 ? `${inputs.slice(0, 2).join(", ")} +${inputs.length - 2} more` : inputs.join(", ") || "none"),
          h("td.params", {}, params),
          h(
            "td.row-actions",
            {},
            h(
              "button.link",
              {
                type: "button",
                "aria-label": `Open ${e.kind} of ${name}`,
                onclick: async () => {
                  mount(detail, h("p.muted", {}, "loading…"));
                  detail.hidden = false;
                  mount(detail, ...(await detailOf(e, `${e.kind === "run" ? "Run" : "Training"} of ${name}`, alg, open)));
                  // Focus follows the action, for keyboard and screen-reader users.
                  detail.querySelector<HTMLElement>("h3")?.focus();
                },
              },
              "Open",
            ),
            alg && e.kind === "run" ? h("button.link", { type: "button", onclick: () => open(alg, againOf(e.rec)) }, "Run again") : null,
          ),
        );
      }),
    ),
  );
  const rows = [...table.querySelectorAll<HTMLTableRowElement>("tbody tr")];
  const count = h("span.muted", { role: "status" }, `${rows.length} of ${rows.length}`);
  const search = h("input", { type: "search", placeholder: "Search by algorithm, input, status or parameter", "aria-label": "Search history" }) as HTMLInputElement;
  // Filters beside the search: the algorithm, the status, and the days the run started between.
  const algorithmIds = [...new Set(entries.map((e) => e.rec.algorithm_id))];
  const algorithmFilter = h("select", { "aria-label": "Algorithm" }, h("option", { value: "" }, "All algorithms"), algorithmIds.map((id) => h("option", { value: id }, nameOf(entries.find((e) => e.rec.algorithm_id === id)!)))) as HTMLSelectElement;
  const statusFilter = h("select", { "aria-label": "Status" }, h("option", { value: "" }, "All statuses"), [...new Set(entries.map((e) => e.rec.status))].sort().map((st) => h("option", { value: st }, st))) as HTMLSelectElement;
  const from = h("input", { type: "date", "aria-label": "Started from" }) as HTMLInputElement;
  const to = h("input", { type: "date", "aria-label": "Started until" }) as HTMLInputElement;
  const filter = () => {
    const words = search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const row of rows) {
      const d = row.dataset;
      const day = d.day ?? "";
      row.hidden = !(
        words.every((w) => (d.search ?? "").includes(w)) &&
        (!algorithmFilter.value || d.algorithm === algorithmFilter.value) &&
        (!statusFilter.value || d.status === statusFilter.value) &&
        (!from.value || day >= from.value) &&
        (!to.value || day <= to.value)
      );
      if (!row.hidden) shown++;
    }
    count.textContent = `${shown} of ${rows.length}`;
  };
  for (const control of [search, algorithmFilter, statusFilter, from, to]) control.addEventListener("input", filter);
  return h("div.history-view", {}, h("div.history-search", {}, search, algorithmFilter, statusFilter, h("label.viewer-field", {}, "from ", from), h("label.viewer-field", {}, "until ", to), count), table, detail);
}
