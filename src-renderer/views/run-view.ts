// Running one algorithm: pick inputs (drop files or choose datasets), fill the generated form, run,
// watch progress and the log live, stop, and see the outputs beside the inputs.
import type { Algorithm } from "../../src-main/contract/algorithm.js";
import type { Parameter } from "../../src-main/contract/algorithm-config.js";
import { ApiError } from "../../src-main/contract/client.js";
import { isTerminal, type EngineEvent, type ExecutionRecord } from "../../src-main/contract/records.js";
import { api, parseCompoxTime } from "../api.js";
import { duration, h, mount } from "../elements.js";
import { parameterForm } from "../form.js";
import { modelCardView } from "./model-card-view.js";
import { inputItemView, resultsOf } from "./results-view.js";
import { pageGroups, stackProblem } from "../input-shapes.js";
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
