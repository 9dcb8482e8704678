// Training a trainable algorithm: pair input and target files into samples, fill the form generated
// from training_parameters, start and stop, follow progress, log and a live chart of numeric state
// values, and use the resulting checkpoints.
import type { Algorithm } from "../../src-main/contract/algorithm.js";
import type { Parameter } from "../../src-main/contract/algorithm-config.js";
import { ApiError } from "../../src-main/contract/client.js";
import { isTerminal, type Checkpoint, type EngineEvent } from "../../src-main/contract/records.js";
import { api } from "../api.js";
import { h, mount } from "../elements.js";
import { parameterForm } from "../form.js";
import { labelEditor, PAINTED_TAG } from "./label-editor.js";
import { inputsView } from "./results-view.js";

const IMAGE_FILE = /\.(png|jpe?g|tiff?)$/i;

/** Uploads dropped or chosen files; returns their dataset ids. */
async function upload(files: FileList | File[]): Promise<string[]> {
  const ids: string[] = [];
  for (const file of [...files]) {
    if (IMAGE_FILE.test(file.name)) ids.push(...(await api.importImage(file, file.name)).file_ids);
    else ids.push((await api.uploadFile(file)).file_id);
  }
  return ids;
}

function dropList(label: string, ids: string[], onChange: () => void): HTMLElement {
  const list = h("div.input-list");
  const render = () => {
    if (ids.length === 0) return mount(list, h("p.muted", {}, `Drop ${label.toLowerCase()} here`));
    void inputsView(ids).then((views) => mount(list, views));
  };
  render();
  const add = async (files: FileList | File[]) => {
    ids.push(...(await upload(files)));
    render();
    onChange();
  };
  const input = h("input", { type: "file", multiple: true, onchange: (e: Event) => void add((e.target as HTMLInputElement).files ?? []) });
  const zone = h(`div.dropzone.${label.toLowerCase()}`, { ondragover: (e: Event) => e.preventDefault(), ondrop: (e: Event) => { e.preventDefault(); void add((e as DragEvent).dataTransfer?.files ?? []); } }, h("strong", {}, label), list, h("label.button.secondary", {}, "Choose files…", input));
  return zone;
}

/** A line chart of every numeric state value over updates, as SVG. */
export function stateChart(series: Map<string, number[]>): SVGSVGElement {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 400 140");
  svg.setAttribute("class", "chart");
  const colours = ["#2f6fde", "#c8423b", "#2f9a57", "#b7791f"];
  [...series.entries()].forEach(([key, values], k) => {
    if (values.length === 0) return;
    const lo = Math.min(...values);
    const hi = Math.max(...values);
    const points = values.map((v, i) => `${10 + (380 * i) / Math.max(1, values.length - 1)},${120 - (hi > lo ? (100 * (v - lo)) / (hi - lo) : 50)}`).join(" ");
    if (values.length === 1) {
      const [x, y] = points.split(",");
      const dot = document.createElementNS(ns, "circle");
      dot.setAttribute("cx", x ?? "10");
      dot.setAttribute("cy", y ?? "70");
      dot.setAttribute("r", "3");
      dot.setAttribute("fill", colours[k % colours.length] as string);
      svg.append(dot);
    }
    const line = document.createElementNS(ns, "polyline");
    line.setAttribute("points", points);
    line.setAttribute("fill", "none");
    line.setAttribute("stroke", colours[k % colours.length] as string);
    line.setAttribute("stroke-width", "2");
    const text = document.createElementNS(ns, "text");
    text.setAttribute("x", "12");
    text.setAttribute("y", String(14 + 14 * k));
    text.setAttribute("font-size", "11");
    text.setAttribute("fill", colours[k % colours.length] as string);
    text.textContent = `${key}: ${values.at(-1)}`;
    svg.append(line, text);
  });
  return svg;
}

export function trainView(alg: Algorithm, onRunWithCheckpoint: (checkpointId: string) => void): HTMLElement {
  const inputs: string[] = [];
  const targets: string[] = [];
  const samples = h("ul.samples");
  const selected = new Set<string>();
  const status = h("div.status-line");
  // Samples painted by hand (the label editor tags them): their masks are sparse, 0 = unlabelled.
  const painted = new Set<string>();
  const renderSamples = async () => {
    const all = await api.listSamples();
    for (const s of all) if (s.tags.includes(PAINTED_TAG)) painted.add(s.sample_id);
    mount(samples, all.length ? all.map((s) => h("li", {}, h("label", {}, h("input", { type: "checkbox", checked: selected.has(s.sample_id), onchange: (e: Event) => ((e.target as HTMLInputElement).checked ? selected.add(s.sample_id) : selected.delete(s.sample_id)) }), ` sample ${s.sample_id.slice(0, 8)} — ${s.files.length} pair(s)${painted.has(s.sample_id) ? " (painted by hand)" : ""}`))) : h("li.muted", {}, "No samples yet."));
  };
  void renderSamples();
  const addSample = async () => {
    if (inputs.length === 0 || targets.length === 0) return void (status.textContent = "Add input and target files first.");
    const files = inputs.map((input, i) => ({ input: [input], target: [targets[i] ?? targets[0]!] }));
    const { sample_id } = await api.createSample(files);
    selected.add(sample_id);
    inputs.length = 0;
    targets.length = 0;
    mount(pairs, dropList("Inputs", inputs, () => undefined), dropList("Targets", targets, () => undefined));
    await renderSamples();
  };
  const pairs = h("div.pairs", {}, dropList("Inputs", inputs, () => undefined), dropList("Targets", targets, () => undefined));
  const form = parameterForm(alg.training_parameters as Parameter[]);
  const progress = h("section.training-run");
  const checkpoints = h("div.checkpoints");
  const renderCheckpoints = async () => {
    const mine = (await api.listCheckpoints()).filter((c: Checkpoint) => c.parent_algorithm_id === alg.algorithm_id);
    mount(
      checkpoints,
      h("h3", {}, "Checkpoints"),
      mine.length === 0
        ? h("p.muted", {}, "None yet: a training that completes saves one.")
        : h(
            "table.history",
            {},
            mine.map((c) =>
              h(
                "tr.checkpoint",
                {},
                h("td", {}, c.checkpoint_id.slice(0, 8)),
                h("td", {}, c.created_at.slice(0, 19)),
                h("td.params", {}, JSON.stringify(c.properties)),
                h("td", {}, h("button.link", { type: "button", onclick: () => onRunWithCheckpoint(c.checkpoint_id) }, "Run with this checkpoint")),
                h("td", {}, h("a", { href: api.exportUrl(alg.algorithm_name, alg.algorithm_version, undefined, c.checkpoint_id), download: `${alg.algorithm_name}-${c.checkpoint_id.slice(0, 8)}.zip` }, "Export with this checkpoint")),
              ),
            ),
          ),
    );
  };
  void renderCheckpoints();

  const start = h("button.primary", { type: "button", onclick: () => void train() }, "Start training") as HTMLButtonElement;
  async function train(): Promise<void> {
    const params = form.values();
    if (!params) return void (status.textContent = "Fix the highlighted parameters first.");
    if (selected.size === 0) return void (status.textContent = "Select or add at least one sample.");
    // Painted masks leave most pixels 0 = unlabelled: they train with labels = sparse, whichever
    // button starts it (dense would make "unlabelled" a class); drawn masks cannot join them.
    const fromPaint = [...selected].filter((id) => painted.has(id)).length;
    if (fromPaint > 0 && (alg.training_parameters as Parameter[]).some((p) => p.name === "labels")) {
      if (fromPaint < selected.size) return void (status.textContent = "Samples painted by hand (0 = unlabelled) and drawn masks cannot train together: select one kind.");
      params.labels = "sparse";
    }
    start.disabled = true;
    // Listen before starting, so no early state or log event is missed.
    const early: EngineEvent[] = [];
    let handle: ((e: EngineEvent) => void) | undefined;
    const off = api.events((e) => (handle ? handle(e) : early.push(e)));
    try {
      const { training_id } = await api.train({ algorithm_id: alg.algorithm_id, training_data: [...selected], additional_parameters: params });
      handle = follow(training_id, off);
      early.splice(0).forEach(handle);
    } catch (err) {
      off();
      status.textContent = err instanceof ApiError ? err.message : String(err);
      start.disabled = false;
    }
  }

  function follow(id: string, off: () => void): (e: EngineEvent) => void {
    const bar = h("div.progress-fill");
    const state = h("span.state", {}, "PENDING");
    const log = h("div.log", { role: "log" });
    const series = new Map<string, number[]>();
    const chart = h("div.chart-box");
    const stop = h("button.danger", { type: "button", onclick: () => void api.stopTraining(id).catch((e: Error) => (status.textContent = e.message)) }, "Stop") as HTMLButtonElement;
    mount(progress, h("div.progress-row", {}, h("div.progress", {}, bar), state, stop), h("h3", {}, "State"), chart, h("h3", {}, "Log"), log);
    const done = async () => {
      const rec = await api.getTraining(id);
      if (!isTerminal(rec.status)) return;
      off();
      state.textContent = rec.status;
      state.className = `state status-${rec.status.toLowerCase()}`;
      stop.disabled = true;
      start.disabled = false;
      mount(log, rec.log.split("\n").filter(Boolean).map((l) => h("div.log-line", {}, l)));
      await renderCheckpoints();
    };
    void done();
    return (e: EngineEvent) => {
      if (!("training_id" in e) || e.training_id !== id) return;
      if (e.type === "progress") bar.style.width = `${Math.round(e.progress * 100)}%`;
      else if (e.type === "log") log.append(h("div.log-line", {}, e.line));
      else if (e.type === "state") {
        for (const [k, v] of Object.entries(e.state)) if (typeof v === "number") series.set(k, [...(series.get(k) ?? []), v]);
        mount(chart, stateChart(series));
      } else if (e.type === "status") {
        state.textContent = e.status;
        if (isTerminal(e.status)) void done();
      }
    };
  }

  // Samples that pair an `image` with a `mask` can be painted by hand.
  const paintable = alg.algorithm_type === "Image2Segmentation";
  const editor = paintable ? labelEditor(alg, { trainingParameters: () => form.values(), onCheckpoint: () => void renderCheckpoints(), onSample: (id, replaced) => {
          if (replaced) selected.delete(replaced);
          selected.add(id);
          void renderSamples();
        } }) : null;
  return h(
    "div.train-view",
    {},
    editor,
    h("section", {}, h("h3", {}, "Samples"), h("p.muted", {}, "Pair input images with target masks (in the same order), then add them as a sample."), pairs, h("button.secondary", { type: "button", onclick: () => void addSample().catch((e: Error) => (status.textContent = e.message)) }, "Add sample"), samples),
    h("section", {}, h("h3", {}, "Training parameters"), form.element),
    h("div.actions", {}, start, status),
    progress,
    checkpoints,
  );
}
