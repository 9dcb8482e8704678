// Interactive training, as in ilastik: paint a few strokes per class on an image, train, see the
// whole image classified over it, correct, repeat ("Live update" retrains a moment after each
// stroke). Strokes become a label dataset (`mask`, 0 = unlabelled) paired with the image as a
// sample; trainings run with labels = sparse.
import type { Algorithm } from "../../src-main/contract/algorithm.js";
import { isTerminal } from "../../src-main/contract/records.js";
import { api } from "../api.js";
import { h, mount } from "../elements.js";
import { readValues, uint8Hdf5 } from "../hdf5-values.js";
import { drawValues, paletteColour } from "../colour-layers.js";
import { LabelBuffer } from "../label-strokes.js";
import { readStored, writeStored } from "../local-store.js";

const MAX_CLASSES = 8;
/** The tag of samples painted here (the Train view trains them with labels = sparse). */
export const PAINTED_TAG = "labelled-by-hand";
const LIVE_DELAY_MS = 700;
const IMAGE_FILE = /\.(png|jpe?g|tiff?)$/i;

/** Class values start at 1. */
const colourOf = (value: number) => paletteColour(value - 1);
const drawClasses = (canvas: HTMLCanvasElement, values: ArrayLike<number>, alpha: number) => drawValues(canvas, values, colourOf, alpha);

/** Uploads the labels as a dataset (`mask`, uint8); returns its id. */
async function uploadMask(labels: LabelBuffer): Promise<string> {
  return (await api.uploadFile(new Blob([await uint8Hdf5("mask", labels.data, [labels.height, labels.width])]))).file_id;
}

async function waitFor<T extends { status: string }>(read: () => Promise<T>, isStale: () => boolean): Promise<T | undefined> {
  for (;;) {
    const rec = await read();
    if (isTerminal(rec.status as never)) return rec;
    if (isStale()) return undefined;
    await new Promise((r) => setTimeout(r, 150));
  }
}

export interface LabelEditorOptions {
  /** The training form's values (undefined while one is invalid). */
  trainingParameters(): Record<string, unknown> | undefined;
  /** Called with each new checkpoint, so the view can list it. */
  onCheckpoint(checkpointId: string): void;
  /** Called when the strokes were saved as a sample (replacing `replaced`). */
  onSample(sampleId: string, replaced: string | undefined): void;
}

/** The label canvas with its tools and the train → predict loop. */
export function labelEditor(alg: Algorithm, opts: LabelEditorOptions): HTMLElement {
  let imageId: string | undefined;
  let labels: LabelBuffer | undefined;
  let sampleId: string | undefined;
  let savedVersion = -1;
  let version = 0;
  let classes = 2;
  let current = 1;
  let erasing = false;
  let loop = 0; // each train → predict run has a number; a newer one makes older ones stale
  let runningTraining: string | undefined;
  let liveTimer: ReturnType<typeof setTimeout> | undefined;

  const status = h("div.status-line", { role: "status" });
  const say = (text: string) => (status.textContent = text);
  const base = h("img.label-base", { alt: "image to label" }) as HTMLImageElement;
  const prediction = h("canvas.label-layer.prediction", { role: "img", "aria-label": "Prediction" }) as HTMLCanvasElement;
  const canvas = h("canvas.label-layer.strokes", { tabindex: 0, "aria-label": "Label canvas" }) as HTMLCanvasElement;
  const stack = h("div.label-stack", {}, base, prediction, canvas);
  // Zoom: "fit" shows the whole image (at most 512 px wide); a factor shows it at image pixels ×
  // factor in a scrolled frame, so a 4096² image is painted pixel for pixel.
  let zoom: number | "fit" = "fit";
  const zoomLabel = h("span.muted.label-zoom", {}, "fit");
  const frame = h("div.label-frame", {}, stack);
  frame.hidden = true;
  const setZoom = (next: number | "fit") => {
    const [cx, cy] = [(frame.scrollLeft + frame.clientWidth / 2) / (stack.clientWidth || 1), (frame.scrollTop + frame.clientHeight / 2) / (stack.clientHeight || 1)];
    zoom = next === "fit" ? "fit" : Math.min(16, Math.max(1 / 16, next));
    stack.classList.toggle("zoomed", zoom !== "fit");
    stack.style.width = zoom === "fit" ? "" : `${canvas.width * zoom}px`;
    zoomLabel.textContent = zoom === "fit" ? "fit" : `${Math.round(zoom * 100)}%`;
    // The point at the frame's centre stays there.
    frame.scrollLeft = cx * stack.clientWidth - frame.clientWidth / 2;
    frame.scrollTop = cy * stack.clientHeight - frame.clientHeight / 2;
  };
  const shownScale = () => (zoom === "fit" ? stack.clientWidth / (canvas.width || 1) : zoom);
  const zoomButtons = h(
    "div.label-zoom-tools",
    { role: "group", "aria-label": "Label zoom" },
    h("button.secondary", { type: "button", onclick: () => setZoom(shownScale() / 2) }, "Zoom out"),
    h("button.secondary", { type: "button", onclick: () => setZoom(shownScale() * 2) }, "Zoom in"),
    h("button.secondary", { type: "button", onclick: () => setZoom("fit") }, "Fit"),
    h("button.secondary", { type: "button", onclick: () => setZoom(1) }, "1:1"),
    zoomLabel,
  );

  // Class names, kept per algorithm in this browser (the dataset holds the class numbers).
  const namesKey = `compox-class-names:${alg.algorithm_id}`;
  const stored = readStored<unknown>(namesKey);
  const names: string[] = Array.isArray(stored) ? stored.map(String) : [];
  const nameOf = (k: number) => names[k - 1]?.trim() || `Class ${k}`;
  const rename = (k: number, name: string) => {
    names[k - 1] = name;
    writeStored(namesKey, names);
  };

  const size = h("input", { type: "range", min: 1, max: 40, value: 6, id: "brush-size" }) as HTMLInputElement;
  const opacity = h("input", { type: "range", min: 0, max: 1, step: 0.05, value: 0.5, id: "prediction-opacity", oninput: () => (prediction.style.opacity = opacity.value) }) as HTMLInputElement;
  prediction.style.opacity = "0.5";
  const live = h("input", { type: "checkbox", id: "live-update" }) as HTMLInputElement;
  const toolRadio = (label: string, eraser: boolean) =>
    h("label", {}, h("input", { type: "radio", name: "label-tool", checked: !eraser, onchange: () => (erasing = eraser) }), ` ${label}`);
  const classList = h("div.class-list", { role: "radiogroup", "aria-label": "Classes" });
  const renderClasses = () => {
    const counts = labels?.counts() ?? new Map<number, number>();
    mount(
      classList,
      Array.from({ length: classes }, (_, k) =>
        h(
          "label.class-choice",
          {},
          h("input", { type: "radio", name: "label-class", "aria-label": nameOf(k + 1), checked: current === k + 1, onchange: () => ((current = k + 1), (erasing = false), renderTools()) }),
          h("span.swatch", { style: `background:${colourOf(k + 1)}` }),
          " ",
          h("input.class-name", { type: "text", value: nameOf(k + 1), "aria-label": `Name of class ${k + 1}`, onchange: (e: Event) => (rename(k + 1, (e.target as HTMLInputElement).value), renderClasses()) }),
          h("span.muted", {}, ` ${counts.get(k + 1) ?? 0} px`),
        ),
      ),
      h("button.secondary", { type: "button", onclick: () => ((classes = Math.min(MAX_CLASSES, classes + 1)), (current = classes), renderClasses()) }, "Add class"),
    );
  };
  const tools = h("div.label-tools");
  const undo = h("button.secondary", { type: "button", title: "Ctrl+Z", onclick: () => history("undo") }, "Undo") as HTMLButtonElement;
  const redo = h("button.secondary", { type: "button", title: "Ctrl+Shift+Z", onclick: () => history("redo") }, "Redo") as HTMLButtonElement;
  const saveButton = h("button.secondary", { type: "button", onclick: () => void saveSample().catch((e: Error) => say(e.message)) }, "Add as sample") as HTMLButtonElement;
  const trainButton = h("button.primary", { type: "button", onclick: () => void trainAndPredict() }, "Start training") as HTMLButtonElement;
  const renderTools = () => {
    mount(tools, toolRadio("Brush", false), toolRadio("Eraser", true), h("label", { for: "brush-size" }, "Brush size "), size, undo, redo);
    const radios = tools.querySelectorAll<HTMLInputElement>('input[name="label-tool"]');
    if (radios[0]) radios[0].checked = !erasing;
    if (radios[1]) radios[1].checked = erasing;
    undo.disabled = !labels?.canUndo();
    redo.disabled = !labels?.canRedo();
  };

  const redraw = () => {
    if (!labels) return;
    drawClasses(canvas, labels.data, 200);
    renderClasses();
    renderTools();
    saveButton.textContent = sampleId ? "Update sample" : "Add as sample";
  };

  function history(what: "undo" | "redo"): void {
    if (!labels || !(what === "undo" ? labels.undo() : labels.redo())) return;
    version++;
    redraw();
    scheduleLive();
  }

  async function openImage(file: File): Promise<void> {
    say(`Loading ${file.name}…`);
    const ids = IMAGE_FILE.test(file.name) ? (await api.importImage(file, file.name)).file_ids : [(await api.uploadFile(file)).file_id];
    const id = ids[0];
    if (!id) return void say(`${file.name} holds no image`);
    const shape = (await api.fileInfo(id)).keys.image?.shape ?? [];
    if (shape.length !== 2) return void say(`${file.name} is not a grey 2-D image (shape [${shape.join(", ")}]): label one plane at a time`);
    const [height = 0, width = 0] = shape;
    imageId = id;
    labels = new LabelBuffer(width, height);
    sampleId = undefined;
    savedVersion = -1;
    version = 0;
    loop++;
    for (const c of [canvas, prediction]) {
      c.width = width;
      c.height = height;
    }
    prediction.getContext("2d")?.clearRect(0, 0, width, height);
    base.src = api.previewUrl(id, { max_size: Math.min(4096, Math.max(width, height)) });
    frame.hidden = false;
    setZoom("fit");
    redraw();
    say(`${file.name}: ${width} × ${height}. Paint a few strokes of each class.`);
    canvas.focus();
  }

  // Painting: pointer positions in the canvas's own pixels.
  let last: [number, number] | undefined;
  const at = (e: PointerEvent): [number, number] => {
    const r = canvas.getBoundingClientRect();
    return [((e.clientX - r.left) * canvas.width) / r.width, ((e.clientY - r.top) * canvas.height) / r.height];
  };
  canvas.addEventListener("pointerdown", (e) => {
    if (!labels) return;
    canvas.setPointerCapture(e.pointerId);
    labels.begin();
    last = at(e);
    labels.paintLine(last[0], last[1], last[0], last[1], Number(size.value) / 2, erasing ? 0 : current);
    drawClasses(canvas, labels.data, 200);
  });
  canvas.addEventListener("pointermove", (e) => {
    if (!labels || !last) return;
    const p = at(e);
    labels.paintLine(last[0], last[1], p[0], p[1], Number(size.value) / 2, erasing ? 0 : current);
    last = p;
    drawClasses(canvas, labels.data, 200);
  });
  const strokeEnd = () => {
    if (!labels || !last) return;
    last = undefined;
    if (labels.end()) {
      version++;
      scheduleLive();
    }
    redraw();
  };
  canvas.addEventListener("pointerup", strokeEnd);
  canvas.addEventListener("pointercancel", strokeEnd);

  const onKey = (e: KeyboardEvent) => {
    if (!root.isConnected) return document.removeEventListener("keydown", onKey);
    if (!(e.ctrlKey || e.metaKey) || e.key.toLowerCase() !== "z" || !root.contains(document.activeElement)) return;
    e.preventDefault();
    history(e.shiftKey ? "redo" : "undo");
  };
  document.addEventListener("keydown", onKey);

  function scheduleLive(): void {
    if (!live.checked) return;
    clearTimeout(liveTimer);
    liveTimer = setTimeout(() => void trainAndPredict(), LIVE_DELAY_MS);
  }

  /** Saves the strokes as this image's sample (replacing its previous one); returns the sample id. */
  async function saveSample(): Promise<string | undefined> {
    if (!labels || !imageId) return void say("Choose an image to label first.");
    if (sampleId && savedVersion === version) return sampleId;
    const counts = labels.counts();
    if (counts.size < 2) return void say("Paint at least two classes first.");
    const mask = await uploadMask(labels);
    const { sample_id } = await api.createSample([{ input: [imageId], target: [mask] }], [PAINTED_TAG]);
    if (sampleId) await api.deleteSample(sampleId).catch(() => undefined);
    opts.onSample(sample_id, sampleId);
    sampleId = sample_id;
    savedVersion = version;
    redraw();
    say(`Sample saved: ${[...counts].map(([c, n]) => `class ${c} ${n} px`).join(", ")}.`);
    return sample_id;
  }

  /** Trains on this image's strokes (a running training is stopped and replaced), then shows the prediction. */
  async function trainAndPredict(): Promise<void> {
    const mine = ++loop;
    const stale = () => mine !== loop;
    try {
      const params = opts.trainingParameters();
      if (!params) return void say("Fix the highlighted training parameters first.");
      const sample = await saveSample();
      if (!sample || stale()) return;
      if (runningTraining) await api.stopTraining(runningTraining).catch(() => undefined);
      say("Training…");
      const { training_id } = await api.train({ algorithm_id: alg.algorithm_id, training_data: [sample], additional_parameters: { ...params, labels: "sparse" } });
      runningTraining = training_id;
      const t = await waitFor(() => api.getTraining(training_id), stale);
      if (runningTraining === training_id) runningTraining = undefined;
      if (!t || stale()) return;
      const checkpoint = t.output_checkpoint_ids[0];
      if (t.status !== "COMPLETED" || !checkpoint) return void say(`Training ${t.status.toLowerCase()}: ${t.log.split("\n").filter(Boolean).at(-1) ?? ""}`);
      opts.onCheckpoint(checkpoint);
      say("Predicting…");
      const { execution_id } = await api.execute({ algorithm_id: alg.algorithm_id, input_dataset_ids: [imageId ?? ""], checkpoint_id: checkpoint });
      const run = await waitFor(() => api.getExecution(execution_id), stale);
      if (!run || stale()) return;
      const out = run.output_dataset_ids[0];
      if (run.status !== "COMPLETED" || !out) return void say(`Prediction ${run.status.toLowerCase()}`);
      const { values } = await readValues(out, "mask");
      if (stale()) return;
      drawClasses(prediction, values, 255);
      prediction.dataset.checkpoint = checkpoint;
      say(`Prediction updated (checkpoint ${checkpoint.slice(0, 8)}).`);
    } catch (err) {
      if (!stale()) say((err as Error).message);
    }
  }

  const file = h("input", { type: "file", accept: ".png,.jpg,.jpeg,.tif,.tiff,.h5", onchange: (e: Event) => { const f = (e.target as HTMLInputElement).files?.[0]; if (f) void openImage(f).catch((err: Error) => say(err.message)); } });
  const drop = h(
    "div.dropzone.label-drop",
    { ondragover: (e: Event) => e.preventDefault(), ondrop: (e: Event) => { e.preventDefault(); const f = (e as DragEvent).dataTransfer?.files[0]; if (f) void openImage(f).catch((err: Error) => say(err.message)); } },
    h("strong", {}, "Image to label"),
    h("label.button.secondary", {}, "Choose image…", file),
    frame,
  );
  renderTools();
  renderClasses();
  const root = h(
    "section.label-editor",
    {},
    h("h3", {}, "Label by hand"),
    h("p.muted", {}, "Paint a few strokes per class, train, and see the whole image classified; correct where it is wrong and train again. Live update retrains a moment after each stroke."),
    drop,
    zoomButtons,
    tools,
    classList,
    h(
      "div.actions",
      {},
      saveButton,
      trainButton,
      h("label", { for: "live-update" }, live, " Live update"),
      h("label", { for: "prediction-opacity" }, "Prediction opacity "),
      opacity,
    ),
    status,
  );
  return root;
}
