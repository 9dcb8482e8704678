// Running one algorithm: pick inputs (drop files or choose datasets), fill the generated form, run,
// watch progress and the log live, stop, and see the outputs beside the inputs.
import type { Algorithm } from "../../src-main/contract/algorithm.js";
import type { Parameter } from "../../src-main/contract/algorithm-config.js";
import { ApiError } from "../../src-main/contract/client.js";
import { isTerminal, type EngineEvent, type ExecutionRecord } from "../../src-main/contract/records.js";
import { api, parseCompoxTime } from "../api.js";
import { duration, h, mount } from "../elements.js";
import { parameterForm } from "../form.js";
import { drawValues, paletteColour } from "../colour-layers.js";
import { readValues } from "../hdf5-values.js";
import { layerOf } from "../plane-source.js";
import { imageViewer } from "../viewer.js";
import { measurementsView } from "./measurements-view.js";
import { modelCardView } from "./model-card-view.js";
import { commonPlaneKey, pageGroups, stackProblem } from "../input-shapes.js";
import type { DatasetInfoBody } from "../../src-main/contract/api.js";

const IMAGE_FILE = /\.(png|jpe?g|tiff?)$/i;

export interface RunRequest {
  inputs?: string[];
  params?: Record<string, unknown>;
  /** Run with a training's checkpoint instead of the shipped assets. */
  checkpointId?: string;
  /** The run shown: followed live, or its record's result (a reload restores it). */
  executionId?: string;
}

function thumb(id: string, title?: string): HTMLElement {
  return h("figure.thumb", { title: title ?? id }, h("img", { src: api.previewUrl(id, { max_size: 160 }), alt: title ?? id, loading: "lazy" }));
}

/** One log line, coloured by its level. */
export function logLine(line: string): HTMLElement {
  const level = / (INFO|WARNING|ERROR|DEBUG) /.exec(line)?.[1] ?? "INFO";
  return h(`div.log-line.level-${level.toLowerCase()}`, {}, line);
}

/** An alignment: its 3×3 matrix as a table, and the moved image over the reference in the viewer. */
async function alignmentView(id: string, pair: [string, string] | undefined): Promise<HTMLElement> {
  const { values } = await readValues(id, "transform_matrix");
  const table = h("table.matrix", { "aria-label": "Transform matrix" }, [0, 1, 2].map((r) => h("tr", {}, [0, 1, 2].map((c) => h("td", {}, (values[r * 3 + c] ?? 0).toFixed(3))))));
  if (!pair) return h("div.output", {}, table);
  const [reference, moving] = pair;
  return h("div.output.output-viewer", {}, table, imageViewer(layerOf(reference, "image"), `alignment ${id}: the moved image over the reference`, { moved: { ...layerOf(moving, "image"), matrix: [...values] } }));
}

/** A mask preview (white = in the region) redrawn in one colour, transparent elsewhere. */
function colouredMask(url: string, colour: string, label: string): HTMLCanvasElement {
  const canvas = h("canvas.region-layer", { role: "img", "aria-label": label }) as HTMLCanvasElement;
  const img = new Image();
  img.onload = () => {
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const g = canvas.getContext("2d");
    if (!g) return;
    g.drawImage(img, 0, 0);
    const { data } = g.getImageData(0, 0, canvas.width, canvas.height);
    const inside = new Uint8Array(canvas.width * canvas.height).map((_, i) => ((data[i * 4] ?? 0) > 127 ? 1 : 0));
    drawValues(canvas, inside, () => colour, 255);
  };
  img.src = url;
  return canvas;
}

/** Named regions (Image2MultiRegionSegmentation): each mask a coloured layer over the input, with a legend to show or hide each. */
function regionsView(id: string, inputId: string | undefined, names: readonly string[], downloads: HTMLElement): HTMLElement {
  const layers = names.map((name, r) => colouredMask(api.previewUrl(id, { key: "region_masks", slice: r, max_size: 320 }), paletteColour(r), `region ${name}`));
  const legend = h(
    "ul.region-legend",
    {},
    names.map((name, r) =>
      h(
        "li",
        {},
        h("label", {}, h("input", { type: "checkbox", checked: true, onchange: (e: Event) => (layers[r]!.hidden = !(e.target as HTMLInputElement).checked) }), h("span.swatch", { style: `background:${paletteColour(r)}` }), ` ${name}`),
      ),
    ),
  );
  const base = inputId ? h("img", { src: api.previewUrl(inputId, { max_size: 320 }), alt: "input" }) : h("img", { src: api.previewUrl(id, { key: "region_masks", max_size: 320 }), alt: "regions" });
  return h("div.output", {}, h("div.stack", {}, base, ...layers), legend, downloads);
}

const downloadsOf = (id: string) =>
  h(
    "div.downloads",
    {},
    h("a", { href: api.fileExportUrl(id, "h5"), download: `${id}.h5`, title: "The dataset as stored: every key, in its own type" }, "HDF5"),
    h("a", { href: api.fileExportUrl(id, "tiff"), download: `${id}.tif`, title: "The values in their own type (float32 stays float32), one page per slice" }, "TIFF (data)"),
    h("a", { href: api.fileExportUrl(id, "png"), download: `${id}.png`, title: "A rendered picture: 8- or 16-bit integers kept, other types stretched to 8 bits" }, "PNG (picture)"),
  );

/** Output of one dataset: a preview, a mask overlay on its input, named regions, or an alignment. */
async function outputView(id: string, info: DatasetInfoBody | undefined, inputId: string | undefined, pair?: [string, string]): Promise<HTMLElement> {
  if (!info) return h("div.output.text-output", {}, h("code", {}, id)); // a Generic algorithm's plain result
  const downloads = downloadsOf(id);
  if (info.keys.transform_matrix) return alignmentView(id, pair);
  const regionNames = info.keys.region_names?.values;
  if (info.keys.region_masks && regionNames) return regionsView(id, inputId, regionNames, downloads);
  // A mask: its classes as labels over the input, in the viewer.
  if (info.keys.mask && inputId) return h("div.output.output-viewer", {}, imageViewer(layerOf(inputId, "image"), `mask ${id} over its input`, { labels: layerOf(id, "mask") }), downloads, measurementsView(id, "mask", inputId));
  // An image (or a stack or volume): its real values in the viewer, compared with its input.
  const key = "image" in info.keys ? "image" : Object.keys(info.keys).find((k) => info.keys[k]?.dtype !== "str");
  if (!key) return h("div.output", {}, h("code", {}, id), downloads);
  const compare = key === "image" && inputId ? { ...layerOf(inputId, "image"), name: "input" } : undefined;
  return h("div.output.output-viewer", {}, imageViewer(layerOf(id, key), `output ${id}`, { compare }), downloads);
}

/**
 * Outputs of one 2-D key and shape, one per input (a stack run page by page), as one viewer with a
 * slice slider over the input stack: masks as its labels, images compared with it.
 */
function stackedOutputsView(executionId: string, outs: string[], ins: string[], key: string): HTMLElement {
  const inputs = { ids: ins, key: "image" };
  const viewer =
    key === "mask"
      ? imageViewer(inputs, `${outs.length} masks over their inputs`, { labels: { ids: outs, key } })
      : imageViewer({ ids: outs, key }, `${outs.length} outputs`, { compare: { ...inputs, name: "input" } });
  const whole = h("a", { href: api.outputsExportUrl(executionId, key), download: "", title: "Every output as a page of one TIFF, values in their own type" }, `Download the stack as one TIFF (${outs.length} pages, data)`);
  return h("div.output.output-viewer", {}, viewer, h("div.downloads", {}, whole), h("details.downloads-all", {}, h("summary", {}, `Downloads (${outs.length} datasets)`), outs.map((o, i) => h("div", {}, `${i + 1}: `, downloadsOf(o)))));
}

/** Datasets in the groups the user added them (a multi-page file's pages as one stack), each in a compact viewer. */
export async function inputsView(ids: readonly string[]): Promise<HTMLElement[]> {
  const infos = await Promise.all(ids.map((id) => api.fileInfo(id).catch(() => undefined)));
  return pageGroups(infos.map((i) => i?.name)).map((g) => inputItemView(g.map((k) => ids[k]!), g.map((k) => infos[k])));
}

/** One input (a dataset or a stack of them): its name, size and a compact viewer. */
function inputItemView(ids: string[], infos: (DatasetInfoBody | undefined)[], remove?: () => void, n = 1): HTMLElement {
  const first = infos[0];
  const name = ids.length > 1 ? (first?.name ?? ids[0]!).replace(/ \[1\]$/, "") : (first?.name ?? ids[0]!);
  const key = ids.length > 1 ? commonPlaneKey(infos.map((i) => i?.keys)) : first && Object.keys(first.keys).find((k) => (first.keys[k]?.shape.length ?? 0) >= 2 && first.keys[k]?.dtype !== "str");
  const head = h("div.input-head", {}, h("strong", {}, name), ids.length > 1 ? h("span.muted", {}, ` ${ids.length} pages, one stack`) : null, remove ? h("button.icon", { type: "button", title: `remove input ${n}`, "aria-label": `remove input ${n} (${name})`, onclick: remove }, "×") : null);
  return h("div.input-item", {}, head, key ? imageViewer({ ids, key }, `input ${n}: ${name}`, { compact: true }) : h("p.muted", {}, ids.length > 1 ? "pages of different shapes" : "nothing to show as an image"));
}

/** A completed execution's inputs and outputs, each in the viewer (outputs of a stack as one stack). */
export async function resultsOf(rec: ExecutionRecord): Promise<HTMLElement> {
  const ins = rec.input_dataset_ids;
  const outs = rec.output_dataset_ids;
  const infos = await Promise.all(outs.map((o) => api.fileInfo(o).catch(() => undefined)));
  const key = outs.length > 1 && outs.length === ins.length ? commonPlaneKey(infos.map((i) => i?.keys)) : undefined;
  const views = key ? [stackedOutputsView(rec.execution_id, outs, ins, key)] : await Promise.all(outs.map((o, i) => outputView(o, infos[i], ins[i] ?? ins[0], ins[i + 1] ? [ins[i]!, ins[i + 1]!] : undefined)));
  return h("div.compare", {}, h("div", {}, h("h4", {}, "Inputs"), h("div.input-list", {}, await inputsView(ins))), h("div", {}, h("h4", {}, "Outputs"), h("div.outputs", {}, views)));
}

/** The run view of `alg`, starting from `request`; `onChange` hears its inputs, parameters and run
 * as they change (the window keeps them across navigation and reloads). */
export function runView(alg: Algorithm, request: RunRequest = {}, onFinished?: () => void, onChange?: (request: RunRequest) => void): HTMLElement {
  const state: RunRequest = { ...request };
  const changed = () => onChange?.({ ...state, inputs: inputs(), params: form.values() ?? state.params });
  // Inputs as the user added them: one dataset, or a multi-page file's pages as one stack. The
  // API gets them flat, in order (as Compox takes a stack: one dataset per page).
  const items: string[][] = [];
  const inputs = () => items.flat();
  const infos = new Map<string, Promise<DatasetInfoBody | undefined>>();
  const infoOf = (id: string) => {
    let p = infos.get(id);
    if (!p) infos.set(id, (p = api.fileInfo(id).catch(() => undefined)));
    return p;
  };
  const inputList = h("div.input-list");
  const status = h("div.status-line");
  // Inputs that cannot be stacked are flagged (and Run refused) before anything runs.
  const mismatch = h("p.field-error.input-mismatch", { role: "alert" });
  mismatch.hidden = true;
  let problem: string | undefined;
  let shapesChecked: Promise<void> = Promise.resolve();
  const checkShapes = async () => {
    const snapshot = inputs();
    const keys = await Promise.all(snapshot.map(async (id) => (await infoOf(id))?.keys ?? {}));
    if (snapshot.join() !== inputs().join()) return; // inputs changed meanwhile: a newer check runs
    problem = stackProblem(alg.algorithm_type, keys);
    mismatch.textContent = problem ?? "";
    mismatch.hidden = !problem;
  };
  let shown = 0;
  const renderInputs = () => {
    changed();
    shapesChecked = checkShapes();
    const turn = ++shown;
    if (items.length === 0) return mount(inputList, h("p.muted", {}, "No inputs yet: drop PNG, JPEG, TIFF or HDF5 files here, or choose datasets below."));
    void Promise.all(items.map((g) => Promise.all(g.map(infoOf)))).then((groupInfos) => {
      if (turn !== shown) return; // changed meanwhile
      mount(inputList, items.map((g, i) => inputItemView(g, groupInfos[i]!, () => (items.splice(i, 1), renderInputs()), i + 1)));
    });
  };
  // Run again: the datasets grouped as they were added.
  void (async () => {
    const ids = request.inputs ?? [];
    const names = await Promise.all(ids.map(async (id) => (await infoOf(id))?.name));
    items.push(...pageGroups(names).map((g) => g.map((k) => ids[k]!)));
    renderInputs();
  })();

  const addFiles = async (files: FileList | File[]) => {
    for (const file of [...files]) {
      status.textContent = `importing ${file.name}…`;
      try {
        if (IMAGE_FILE.test(file.name)) items.push((await api.importImage(file, file.name)).file_ids);
        else items.push([(await api.uploadFile(file)).file_id]);
        status.textContent = "";
      } catch (err) {
        status.textContent = `${file.name}: ${(err as Error).message}`;
      }
      renderInputs();
    }
  };
  const fileInput = h("input", { type: "file", multiple: true, accept: ".png,.jpg,.jpeg,.tif,.tiff,.h5,.hdf5", onchange: (e: Event) => void addFiles((e.target as HTMLInputElement).files ?? []) }) as HTMLInputElement;
  const drop = h("div.dropzone", { ondragover: (e: Event) => (e.preventDefault(), drop.classList.add("over")), ondragleave: () => drop.classList.remove("over"), ondrop: (e: Event) => { e.preventDefault(); drop.classList.remove("over"); void addFiles((e as DragEvent).dataTransfer?.files ?? []); } }, inputList, h("label.button.secondary", {}, "Choose files…", fileInput));

  const recent = h("div.thumbs.recent");
  void api.listFiles(24).then((files) =>
    mount(recent, files.filter((f) => Object.values(f.keys).some((k) => k.shape.length >= 2)).map((f) => h("button.thumb-button", { type: "button", title: `add ${f.name ?? f.file_id}`, onclick: () => (items.push([f.file_id]), renderInputs()) }, thumb(f.file_id, f.name ?? f.file_id)))),
  );

  const form = parameterForm(alg.additional_parameters as Parameter[], request.params);
  form.element.addEventListener("change", changed);
  const device = h("select", { name: "device", id: "run-device" }, ...alg.supported_devices.map((d) => h("option", { value: d, selected: d === alg.default_device }, d))) as HTMLSelectElement;
  const execution = h("section.execution", { "aria-label": "Run" }, h("p.muted.execution-empty", {}, "Progress, the log and the results appear here when you run."));
  const runButton = h("button.primary", { type: "button", onclick: () => void run() }, "Run") as HTMLButtonElement;

  async function run(): Promise<void> {
    const params = form.values();
    if (!params) return void (status.textContent = "Fix the highlighted parameters first.");
    if (items.length === 0 && alg.algorithm_type !== "Generic") return void (status.textContent = "Add at least one input.");
    await shapesChecked; // the check of the current inputs (started when they last changed)
    if (problem) return void (status.textContent = "The inputs cannot run together: see above.");
    runButton.disabled = true;
    status.textContent = "";
    // The last run's state and results give way at once: nothing on screen belongs to the old run.
    mount(execution, h("p.muted", { role: "status" }, "starting…"));
    try {
      const { execution_id } = await api.execute({ algorithm_id: alg.algorithm_id, input_dataset_ids: inputs(), additional_parameters: params, execution_device_override: device.value, checkpoint_id: request.checkpointId });
      state.executionId = execution_id;
      changed();
      follow(execution_id);
    } catch (err) {
      status.textContent = err instanceof ApiError ? err.message : String(err);
      mount(execution);
      runButton.disabled = false;
    }
  }

  // A run restored (a reload, or back from another view): followed from its record.
  if (request.executionId) {
    const id = request.executionId;
    void api.getExecution(id).then(
      (rec) => {
        runButton.disabled = !isTerminal(rec.status);
        follow(id, parseCompoxTime(rec.time_started).getTime());
      },
      () => ((state.executionId = undefined), changed()), // gone (deleted): nothing to restore
    );
  }

  function follow(id: string, startedAt = Date.now()): void {
    const bar = h("div.progress-fill");
    const pct = h("span.pct", {}, "0%");
    const elapsed = h("span.elapsed");
    const state = h("span.state", { role: "status" }, "PENDING");
    const remaining = h("span.remaining.muted");
    const lost = h("span.connection-lost.muted", { role: "status" }, "connection to the server lost: reconnecting…");
    lost.hidden = true;
    const banner = h("div.failure-banner");
    banner.hidden = true;
    const log = h("div.log", { role: "log" });
    const results = h("div.results");
    let follow = true;
    log.addEventListener("scroll", () => (follow = log.scrollTop + log.clientHeight >= log.scrollHeight - 4));
    let stopping = false;
    const stop = h(
      "button.danger",
      {
        type: "button",
        onclick: () => {
          const before = state.textContent;
          stopping = true;
          stop.disabled = true;
          state.textContent = "Stopping…";
          void api.stopExecution(id).catch((e: Error) => {
            // Not stopped (the server did not take the request): say why, and let Stop be tried again.
            status.textContent = `Stop failed: ${e.message}`;
            stopping = false;
            stop.disabled = false;
            state.textContent = before;
          });
        },
      },
      "Stop",
    ) as HTMLButtonElement;
    const copy = h("button.link", { type: "button", onclick: () => void navigator.clipboard?.writeText(log.innerText) }, "Copy log");
    // Indeterminate until the runner reports progress; ARIA values once it does.
    const meter = h("div.progress.indeterminate", { role: "progressbar", "aria-label": "Progress", "aria-valuemin": 0, "aria-valuemax": 100 }, bar);
    const row = h("div.progress-row", {}, meter, pct, state, elapsed, remaining, lost, stop);
    mount(execution, row, banner, h("div.log-head", {}, h("strong", {}, "Log"), copy), log, results);
    const started = startedAt;
    const tick = setInterval(() => (elapsed.textContent = duration(Date.now() - started)), 500);
    const setProgress = (p: number) => {
      if (p <= 0) return;
      meter.classList.remove("indeterminate");
      meter.setAttribute("aria-valuenow", String(Math.round(p * 100)));
      bar.style.width = `${Math.round(p * 100)}%`;
      pct.textContent = `${Math.round(p * 100)}%`;
      const spent = Date.now() - started;
      // An estimate only once there is something to extrapolate from.
      remaining.textContent = p >= 0.05 && p < 1 && spent > 1000 ? `about ${duration((spent * (1 - p)) / p)} left` : "";
    };
    const addLine = (line: string) => {
      log.append(logLine(line));
      if (follow) log.scrollTop = log.scrollHeight;
    };
    /** The exception's one-line message, with the traceback (our own frames hidden) behind "Show details". */
    const showFailure = (text: string) => {
      const lines = text.split("\n");
      const at = lines.findIndex((l) => / ERROR (execution|training) failed: /.test(l));
      const message = at >= 0 ? (lines[at] ?? "").replace(/^.* ERROR (execution|training) failed: /, "") : (lines.filter((l) => / ERROR /.test(l)).at(-1) ?? "the run failed").replace(/^.* ERROR /, "");
      const trace = lines.slice(at >= 0 ? at + 1 : 0).filter((l) => !/runner_main\.py|runner-worker|runtime\/python\/compox|node:internal/.test(l));
      mount(banner, h("strong", {}, "Failed: "), message, trace.length ? h("details", {}, h("summary", {}, "Show details"), h("pre", {}, trace.join("\n"))) : null);
      banner.hidden = false;
    };
    let finished = false;
    const finish = async (rec: ExecutionRecord) => {
      if (finished) return;
      finished = true;
      unsubscribe();
      clearInterval(tick);
      lost.hidden = true;
      elapsed.textContent = duration((rec.time_completed ? parseCompoxTime(rec.time_completed).getTime() : Date.now()) - parseCompoxTime(rec.time_started).getTime());
      state.textContent = rec.status;
      state.className = `state status-${rec.status.toLowerCase()}`;
      row.classList.add(`status-${rec.status.toLowerCase()}`);
      remaining.textContent = "";
      // FAILED and STOPPED are drawn as such, not as a full bar.
      if (rec.status === "COMPLETED") setProgress(1);
      else {
        meter.classList.remove("indeterminate");
        pct.textContent = rec.status === "STOPPED" ? "stopped" : "failed";
      }
      if (rec.status === "FAILED") showFailure(rec.log);
      stop.disabled = true;
      runButton.disabled = false;
      mount(log, rec.log.split("\n").filter(Boolean).map(logLine));
      log.scrollTop = log.scrollHeight;
      if (rec.status === "COMPLETED") mount(results, h("h3", {}, "Results"), await resultsOf(rec));
      onFinished?.();
    };
    const unsubscribe = api.events(
      (e: EngineEvent) => {
        if (!("execution_id" in e) || e.execution_id !== id) return;
        lost.hidden = true;
        if (e.type === "log") addLine(e.line);
        else if (e.type === "progress") {
          setProgress(e.progress);
          // Progress comes from a running job, whether or not its RUNNING reached this stream first.
          if (!stopping && (state.textContent === "PENDING" || state.textContent === "STARTED")) state.textContent = "RUNNING";
        } else if (e.type === "status") {
          if (!stopping || isTerminal(e.status)) state.textContent = e.status;
          if (isTerminal(e.status)) void api.getExecution(id).then(finish);
        }
      },
      {
        executionId: id,
        // The server went away: the stream reconnects on its own; once back, the record says how
        // the run stands (it may have ended, or been failed by the restart, meanwhile).
        onError: () => {
          if (!finished) lost.hidden = false;
        },
        onOpen: () => {
          if (lost.hidden || finished) return;
          lost.hidden = true;
          void api.getExecution(id).then((rec) => {
            if (isTerminal(rec.status)) void finish(rec);
            else if (!stopping) state.textContent = rec.status;
          });
        },
      },
    );
    // The record may already be further on (a fast run) than the stream, which opens after it.
    void api.getExecution(id).then((rec) => {
      if (isTerminal(rec.status)) return void finish(rec);
      if (!stopping && state.textContent === "PENDING") state.textContent = rec.status;
      rec.log.split("\n").filter(Boolean).forEach(addLine);
    });
  }

  return h(
    "div.run-view",
    {},
    h("header.alg-header", {}, h("h2", {}, alg.algorithm_name, h("span.version", {}, ` v${alg.algorithm_version}.${alg.latest_algorithm_minor_version}`)), h("span.badge", {}, alg.algorithm_type), h("p", {}, alg.algorithm_description || h("span.muted", {}, "No description."))),
    modelCardView(alg),
    // On a wide window the controls and the run sit side by side: Run, its progress and the result in view together.
    h(
      "div.run-body",
      {},
      h(
        "div.run-controls",
        {},
        h("section", {}, h("h3", {}, "Inputs"), drop, mismatch, h("details", {}, h("summary", {}, "Choose existing datasets"), recent)),
        request.checkpointId ? h("p.badge.checkpoint-note", {}, `with checkpoint ${request.checkpointId.slice(0, 8)}`) : null,
        h("section", {}, h("h3", {}, "Parameters"), form.element, h("div.field", {}, h("label.field-label", { for: "run-device" }, "Device"), device)),
        h("div.actions", {}, runButton, status),
      ),
      execution,
    ),
  );
}
