// The image viewer: a dataset's real values on a canvas (not a PNG thumbnail), with zoom (wheel,
// buttons, + and −), pan (drag), the value and coordinates under the cursor, contrast (black and
// white points, auto contrast from percentiles), colour maps, and a slice slider (and arrow keys)
// for stacks and volumes. The maths is in viewer-math.ts.
import { h, mount } from "./elements.js";
import { readArray } from "./hdf5-values.js";
import { COLORMAPS, colormapLut, fitView, formatValue, percentileRange, pixelAt, renderPlane, valueRange, zoomAt, type Colormap, type View } from "./viewer-math.js";

/** Zoom factor of one button press or key press. */
const STEP = 2;

function rangeInput(label: string, min: number, max: number, value: number, step: number, onInput: (v: number) => void): HTMLInputElement {
  return h("input", { type: "range", min, max, step, value, "aria-label": label, oninput: (e: Event) => onInput(Number((e.target as HTMLInputElement).value)) }) as HTMLInputElement;
}

/** A viewer of `key` in dataset `id` (2-D, or a stack / volume along the first axis). */
export function imageViewer(id: string, key: string, label: string): HTMLElement {
  const root = h("div.viewer", { role: "group", "aria-label": label }, h("p.muted", {}, "loading the image…"));
  void readArray(id, key).then(
    ({ shape, data }) => mount(root, ...viewerParts(shape, data, label)),
    (err: Error) => mount(root, h("p.field-error", {}, `the image could not be shown: ${err.message}`)),
  );
  return root;
}

function viewerParts(shape: number[], data: ArrayLike<number>, label: string): (HTMLElement | null)[] {
  const [depth, height, width] = shape.length >= 3 ? [shape[0]!, shape[shape.length - 2]!, shape[shape.length - 1]!] : [1, shape[0] ?? 1, shape[1] ?? shape[0] ?? 1];
  const plane = width * height;
  const [min, max] = valueRange(data);
  // Integer images step by one grey level; float images in 1000 steps of their range.
  const step = data instanceof Float32Array || data instanceof Float64Array ? (max - min) / 1000 || 1 : 1;
  let black = min;
  let white = max;
  let slice = 0;
  let colormap: Colormap = "grey";
  let lut = colormapLut(colormap);
  let view: View | undefined;

  const image = document.createElement("canvas"); // the plane at its own resolution
  image.width = width;
  image.height = height;
  const canvas = h("canvas.viewer-canvas", { tabindex: 0, role: "img", "aria-label": `${label}: ${width}×${height}${depth > 1 ? `, ${depth} slices` : ""}` }) as HTMLCanvasElement;
  const readout = h("div.viewer-readout", { role: "status", "aria-live": "polite" }, `${width}×${height}${depth > 1 ? ` × ${depth}` : ""}`);
  const zoomLabel = h("span.viewer-zoom", {});

  const renderImage = () => {
    const pixels = renderPlane(data, slice * plane, plane, black, white, lut);
    image.getContext("2d")!.putImageData(new ImageData(pixels, width, height), 0, 0);
    draw();
  };
  const box = () => ({ w: canvas.clientWidth || 480, h: canvas.clientHeight || 360 });
  const draw = () => {
    const { w, h: boxH } = box();
    const dpr = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(boxH * dpr)) {
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(boxH * dpr);
    }
    view ??= fitView(width, height, w, boxH);
    const ctx = canvas.getContext("2d")!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, boxH);
    ctx.imageSmoothingEnabled = view.scale < 1; // pixels stay crisp when zoomed in
    ctx.drawImage(image, view.x, view.y, width * view.scale, height * view.scale);
    zoomLabel.textContent = `${Math.round(view.scale * 100)}%`;
  };
  const zoomBy = (factor: number, sx?: number, sy?: number) => {
    const { w, h: boxH } = box();
    view = zoomAt(view ?? fitView(width, height, w, boxH), factor, sx ?? w / 2, sy ?? boxH / 2);
    draw();
  };
  const fit = () => {
    view = fitView(width, height, box().w, box().h);
    draw();
  };
  const actualSize = () => {
    const { w, h: boxH } = box();
    view = { scale: 1, x: (w - width) / 2, y: (boxH - height) / 2 };
    draw();
  };

  // Contrast.
  const blackInput = rangeInput("Black point", min, max, black, step, (v) => {
    black = Math.min(v, white);
    renderImage();
  });
  const whiteInput = rangeInput("White point", min, max, white, step, (v) => {
    white = Math.max(v, black);
    renderImage();
  });
  const autoContrast = () => {
    const start = slice * plane;
    [black, white] = percentileRange(Array.prototype.slice.call(data, start, start + plane) as number[]);
    blackInput.value = String(black);
    whiteInput.value = String(white);
    renderImage();
  };
  const colormapSelect = h(
    "select",
    { "aria-label": "Colormap", onchange: (e: Event) => ((colormap = (e.target as HTMLSelectElement).value as Colormap), (lut = colormapLut(colormap)), renderImage()) },
    COLORMAPS.map((c) => h("option", { value: c }, c)),
  );

  // Slices.
  const sliceLabel = h("span.viewer-slice-label", {}, `1 / ${depth}`);
  const sliceInput = rangeInput("Slice", 0, depth - 1, 0, 1, (v) => showSlice(v));
  const showSlice = (k: number) => {
    slice = Math.max(0, Math.min(depth - 1, k));
    sliceInput.value = String(slice);
    sliceLabel.textContent = `${slice + 1} / ${depth}`;
    renderImage();
  };

  // Pointer: wheel zooms at the cursor, drag pans, moving reads the value under the cursor.
  let drag: { x: number; y: number } | undefined;
  const local = (e: MouseEvent) => {
    const r = canvas.getBoundingClientRect();
    return { sx: e.clientX - r.left, sy: e.clientY - r.top };
  };
  canvas.addEventListener("wheel", (e) => {
    e.preventDefault();
    const { sx, sy } = local(e);
    zoomBy(Math.exp(-e.deltaY * 0.002), sx, sy);
  });
  canvas.addEventListener("pointerdown", (e) => {
    drag = { x: e.clientX, y: e.clientY };
    canvas.setPointerCapture(e.pointerId);
  });
  canvas.addEventListener("pointerup", () => (drag = undefined));
  canvas.addEventListener("pointermove", (e) => {
    if (drag && view) {
      view = { ...view, x: view.x + e.clientX - drag.x, y: view.y + e.clientY - drag.y };
      drag = { x: e.clientX, y: e.clientY };
      draw();
    }
    const { sx, sy } = local(e);
    const p = view && pixelAt(view, sx, sy, width, height);
    readout.textContent = p ? `x ${p.col}, y ${p.row}${depth > 1 ? `, slice ${slice + 1}` : ""}: ${formatValue(data[slice * plane + p.row * width + p.col]!)}` : `${width}×${height}${depth > 1 ? ` × ${depth}` : ""}`;
  });
  canvas.addEventListener("keydown", (e) => {
    const keys: Record<string, () => void> = { "+": () => zoomBy(STEP), "=": () => zoomBy(STEP), "-": () => zoomBy(1 / STEP), "0": fit };
    if (depth > 1) Object.assign(keys, { ArrowRight: () => showSlice(slice + 1), ArrowUp: () => showSlice(slice + 1), ArrowLeft: () => showSlice(slice - 1), ArrowDown: () => showSlice(slice - 1) });
    const act = keys[e.key];
    if (act) {
      e.preventDefault();
      act();
    }
  });
  new ResizeObserver(() => draw()).observe(canvas);
  queueMicrotask(renderImage);

  const button = (text: string, onclick: () => void) => h("button.secondary", { type: "button", onclick }, text);
  return [
    h(
      "div.viewer-toolbar",
      {},
      button("Zoom out", () => zoomBy(1 / STEP)),
      button("Zoom in", () => zoomBy(STEP)),
      button("Fit", fit),
      button("Actual size", actualSize),
      zoomLabel,
      h("label.viewer-field", {}, "Colormap ", colormapSelect),
      button("Auto contrast", autoContrast),
    ),
    h("div.viewer-contrast", {}, h("label.viewer-field", {}, "Black point ", blackInput), h("label.viewer-field", {}, "White point ", whiteInput)),
    depth > 1 ? h("div.viewer-slice", {}, h("label.viewer-field", {}, "Slice ", sliceInput), sliceLabel) : null,
    canvas,
    readout,
  ];
}
