// The image viewer: a dataset's real values on a canvas (not a PNG thumbnail), with zoom (wheel,
// buttons, + and −), pan (drag), the value and coordinates under the cursor, contrast (black and
// white points, auto contrast from percentiles), colour maps, and a slice slider (and arrow keys)
// for stacks and volumes. Optional layers: labels over the image (a segmentation: each class its
// colour, a legend with pixel counts, opacity, outlines) and another image of the same shape to
// compare with, as a swipe (the input left of the line, the output right of it; one zoom and pan).
// The maths is in viewer-math.ts.
import { h, mount } from "./elements.js";
import { readArray } from "./hdf5-values.js";
import { paletteColour } from "./colour-layers.js";
import { COLORMAPS, colormapLut, fitView, formatValue, labelCounts, percentileRange, pixelAt, renderLabels, renderPlane, valueRange, zoomAt, type Colormap, type View } from "./viewer-math.js";

/** Zoom factor of one button press or key press. */
const STEP = 2;

function rangeInput(label: string, min: number, max: number, value: number, step: number, onInput: (v: number) => void): HTMLInputElement {
  return h("input", { type: "range", min, max, step, value, "aria-label": label, oninput: (e: Event) => onInput(Number((e.target as HTMLInputElement).value)) }) as HTMLInputElement;
}

/** A dataset's array to show: `key` in dataset `id`. */
export interface Layer {
  id: string;
  key: string;
}

export interface ViewerOptions {
  /** Labels (a mask or class map of the image's shape) drawn over it. */
  labels?: Layer;
  /** Another image of the same shape (e.g. the input of an output), compared by a swipe. */
  compare?: Layer & { name: string };
}

type Loaded = { shape: number[]; data: ArrayLike<number> };

/** A viewer of `key` in dataset `id` (2-D, or a stack / volume along the first axis). */
export function imageViewer(image: Layer, label: string, opts: ViewerOptions = {}): HTMLElement {
  const root = h("div.viewer", { role: "group", "aria-label": label }, h("p.muted", {}, "loading the image…"));
  const load = (l: Layer | undefined) => (l ? readArray(l.id, l.key) : Promise.resolve(undefined));
  void Promise.all([load(image), load(opts.labels), load(opts.compare)]).then(
    ([base, labels, compare]) => {
      const sameShape = (o: Loaded | undefined) => (o && o.shape.join("x") === base!.shape.join("x") ? o : undefined);
      mount(root, ...viewerParts(base!.shape, base!.data, label, sameShape(labels), sameShape(compare) && { ...compare!, name: opts.compare!.name }));
    },
    (err: Error) => mount(root, h("p.field-error", {}, `the image could not be shown: ${err.message}`)),
  );
  return root;
}

function viewerParts(shape: number[], data: ArrayLike<number>, label: string, labels?: Loaded, compare?: Loaded & { name: string }): (HTMLElement | null)[] {
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

  // The optional layers, each a canvas at the image's resolution.
  const offscreen = () => Object.assign(document.createElement("canvas"), { width, height });
  const labelImage = labels && offscreen();
  const compareImage = compare && offscreen();
  const compareRange = compare && valueRange(compare.data);
  let opacity = 0.5;
  let outline = false;
  let swipe = 0.5;
  const hidden = new Set<number>();
  const legend = h("ul.region-legend.viewer-legend", { "aria-label": "Labels" });

  const renderLabelLayer = () => {
    if (!labels || !labelImage) return;
    const counts = labelCounts(labels.data, slice * plane, plane);
    const values = [...counts.keys()];
    const colour = (v: number) => paletteColour(values.indexOf(v));
    const rgb = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
    const shown = new Map(values.filter((v) => !hidden.has(v)).map((v) => [v, rgb(colour(v))] as const));
    labelImage.getContext("2d")!.putImageData(new ImageData(renderLabels(labels.data, slice * plane, width, height, shown, outline), width, height), 0, 0);
    mount(
      legend,
      values.map((v) =>
        h(
          "li",
          {},
          h(
            "label",
            {},
            h("input", { type: "checkbox", checked: !hidden.has(v), onchange: (e: Event) => ((e.target as HTMLInputElement).checked ? hidden.delete(v) : hidden.add(v), renderLabelLayer(), draw()) }),
            h("span.swatch", { style: `background:${colour(v)}` }),
            ` ${formatValue(v)}: ${counts.get(v)!.toLocaleString("en")} px`,
          ),
        ),
      ),
      values.length === 0 ? h("li.muted", {}, "no labelled pixels in this slice") : null,
    );
  };
  const renderImage = () => {
    const pixels = renderPlane(data, slice * plane, plane, black, white, lut);
    image.getContext("2d")!.putImageData(new ImageData(pixels, width, height), 0, 0);
    if (compare && compareImage && compareRange) compareImage.getContext("2d")!.putImageData(new ImageData(renderPlane(compare.data, slice * plane, plane, compareRange[0], compareRange[1], lut), width, height), 0, 0);
    renderLabelLayer();
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
    const [dw, dh] = [width * view.scale, height * view.scale];
    ctx.drawImage(image, view.x, view.y, dw, dh);
    if (compareImage) {
      // Left of the swipe line: the image compared with, at its own full range.
      const cut = view.x + dw * swipe;
      ctx.save();
      ctx.beginPath();
      ctx.rect(0, 0, Math.max(0, cut), boxH);
      ctx.clip();
      ctx.drawImage(compareImage, view.x, view.y, dw, dh);
      ctx.restore();
      ctx.fillStyle = "#ffcc00";
      ctx.fillRect(cut - 1, Math.max(0, view.y), 2, Math.min(boxH, dh));
    }
    if (labelImage) {
      ctx.globalAlpha = opacity;
      ctx.drawImage(labelImage, view.x, view.y, dw, dh);
      ctx.globalAlpha = 1;
    }
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
    const at = p && slice * plane + p.row * width + p.col;
    readout.textContent =
      p && at !== undefined
        ? `x ${p.col}, y ${p.row}${depth > 1 ? `, slice ${slice + 1}` : ""}: ${formatValue(data[at]!)}${labels ? ` · label ${formatValue(Number(labels.data[at]))}` : ""}${compare ? ` · ${compare.name} ${formatValue(compare.data[at]!)}` : ""}`
        : `${width}×${height}${depth > 1 ? ` × ${depth}` : ""}`;
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
    compare
      ? h(
          "div.viewer-compare",
          {},
          h("label.viewer-field", {}, "Compare ", rangeInput("Compare", 0, 1, swipe, 0.01, (v) => ((swipe = v), draw()))),
          h("span.muted", {}, `${compare.name} left of the line, this image right of it`),
        )
      : null,
    labels
      ? h(
          "div.viewer-labels",
          {},
          h("label.viewer-field", {}, "Opacity ", rangeInput("Opacity", 0, 1, opacity, 0.05, (v) => ((opacity = v), draw()))),
          h("label.viewer-field", {}, h("input", { type: "checkbox", onchange: (e: Event) => ((outline = (e.target as HTMLInputElement).checked), renderLabelLayer(), draw()) }), " Outline"),
          legend,
        )
      : null,
    canvas,
    readout,
  ];
}
