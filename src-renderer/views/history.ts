// The history of executions: status, duration, parameters, and "run again".
import type { Algorithm } from "../../src-main/contract/algorithm.js";
import type { ExecutionRecord } from "../../src-main/contract/records.js";
import { api, parseCompoxTime } from "../api.js";
import { duration, h } from "../elements.js";

export async function historyView(algorithms: Algorithm[], runAgain: (alg: Algorithm, rec: ExecutionRecord) => void): Promise<HTMLElement> {
  const records = await api.listExecutions({ limit: 100 });
  const names = new Map(algorithms.map((a) => [a.algorithm_id, a]));
  if (records.length === 0) return h("div.empty-state", {}, h("h2", {}, "No executions yet"), h("p", {}, "Run an algorithm from the Algorithms tab; every run is listed here."));
  return h(
    "table.history",
    {},
    h("thead", {}, h("tr", {}, ...["Algorithm", "Status", "Started", "Duration", "Inputs", "Parameters", ""].map((t) => h("th", {}, t)))),
    h(
      "tbody",
      {},
      records.map((r) => {
        const alg = names.get(r.algorithm_id);
        const took = r.time_completed ? duration(parseCompoxTime(r.time_completed).getTime() - parseCompoxTime(r.time_started).getTime()) : "running";
        return h(
          "tr",
          { "data-status": r.status },
          h("td", {}, alg ? `${alg.algorithm_name} ${alg.algorithm_version}.${r.algorithm_minor_version}` : r.algorithm_id),
          h("td", {}, h(`span.state.status-${r.status.toLowerCase()}`, {}, r.status)),
          h("td", {}, r.time_started.slice(0, 19)),
          h("td", {}, took),
          h("td", {}, String(r.input_dataset_ids.length)),
          h("td.params", {}, Object.entries(r.additional_parameters).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(", ")),
          h("td", {}, alg ? h("button.link", { type: "button", onclick: () => runAgain(alg, r) }, "Run again") : null),
        );
      }),
    ),
  );
}
