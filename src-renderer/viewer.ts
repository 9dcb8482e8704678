// The image viewer: a dataset's real values on a canvas (not a PNG thumbnail), with zoom (wheel,
// buttons, + and −), pan (drag), the value and coordinates under the cursor, contrast (black and
// white points, auto contrast from percentiles), colour maps, and a slice slider (and arrow keys)
// for stacks and volumes. Optional layers: labels over the image (a segmentation: each class its
// colour, a legend with pixel counts, opacity, outlines) and another image of the same shape to
// compare with, as a swipe (the input left of the line, the output right of it; one zoom and pan).
// Contrast (histogram, black and white points as numbers, gamma) is contrast-panel.ts. Where the
// pixel size is known (the dataset's, or its input's for an output of the same shape), a scale bar
// and the readout's physical positions.
//
// It asks the server for one plane at a time (GET /files/{id}/plane), at most PLANE_MAX pixels on
// a side: a volume is never fetched whole, and a large image arrives reduced (block means; labels
// by nearest pixel), the readout then saying so. Zoomed in past the reduced plane's resolution, it
// fetches the visible region at full resolution and draws it over (plane-source.ts). The maths is
// in viewer-math.ts.
import { api } from "./api.js";
import { paletteColour, rgbOf } from "./colour-layers.js";
import { h, mount } from "./elements.js";
import { dimsOf, planeSource, type Layer, type Plane, type Region } from "./plane-source.js";
import { contrastPanel } from "./contrast-panel.js";
import type { PixelSize } from "../src-main/contract/ndarray.js";
import { scaleBarView } from "./scale-bar.js";
import { COLORMAPS, colormapLut, fitView, formatLength, formatValue, gammaLut, labelCounts, pixelAt, renderLabels, renderPlane, valueRange, zoomAt, type Colormap, type View } from "./viewer-math.js";

/** Zoom factor of one button press or key press. */
const STEP = 2;

export interface ViewerOptions {
  /** Labels (a mask or class map of the image's shape) drawn over it. */
  labels?: Layer;
  /** Another image of the same shape (e.g. the input of an output), compared by a swipe. */
  compare?: Layer & { name: string };
  /** A registration's moved image, drawn over the image through its 3×3 matrix (row-major; moved → image pixels). */
  moved?: Layer & { matrix: readonly number[] };
  /** A smaller canvas (inputs beside a form). */
  compact?: boolean;
}

function rangeInput(label: string, min: number, max: number, value: number, step: number, onInput: (v: number) => void): HTMLInputElement {
  return h("input", { type: "range", min, max, step, value, "aria-label": label, oninput: (e: Event) => onInput(Number((e.target as HTMLInputElement).value)) }) as HTMLInputElement;
}

/** A viewer of `key` in dataset `id` (2-D, or a stack / volume along the first axis). */
export function imageViewer(image: Layer, label: string, opts: ViewerOptions = {}): HTMLElement {
  const root = h(`div.viewer${opts.compact ? ".compact" : ""}`, { role: "group", "aria-label": label }, h("p.muted", {}, "loading the image…"));
  // A stack of datasets has their count as its first axis.
  const infoOf = async (l: Layer | undefined) => {
    const key = l && (await api.fileInfo(l.ids[0]!)).keys[l.key];
    return key && { shape: l.ids.length > 1 ? [l.ids.length, ...key.shape] : key.shape, pixelSize: key.pixel_size };
  };
  void (async () => {
    const [own, labelInfo, compareInfo] = await Promise.all([infoOf(image), infoOf(opts.labels), infoOf(opts.compare)]);
    const [shape, labelShape, compareShape] = [own?.shape, labelInfo?.shape, compareInfo?.shape];
    if (!shape) throw new Error(`no "${image.key}" in dataset ${image.ids[0]}`);
    // Layers of another shape cannot be laid over the image: they are left out.
    const same = (s: number[] | undefined) => s !== undefined && s.join("x") === shape.join("x");
    const base = planeSource(image, "mean");
    const labels = opts.labels && same(labelShape) ? planeSource(opts.labels, "nearest") : undefined;
    const compare = opts.compare && same(compareShape) ? { load: planeSource(opts.compare, "mean"), name: opts.compare.name } : undefined;
    const moved = opts.moved ? { plane: await planeSource(opts.moved, "mean")(0), matrix: opts.moved.matrix } : undefined;
    const first = await base(0);
    // An output of its input's shape is the same specimen: it has the input's pixel size.
    const pixelSize = own?.pixelSize ?? (compare ? compareInfo?.pixelSize : undefined);
    mount(root, ...viewerParts(dimsOf(shape), first, base, label, labels, compare, moved, { pixelSize, compact: opts.compact }));
  })().catch((err: Error) => mount(root, h("p.field-error", {}, `the image could not be shown: ${err.message}`)));
  return root;
}

function viewerParts(
  [depth, height, width]: [number, number, number],
  first: Plane,
  base: (slice: number, region?: Region) => Promise<Plane>,
  label: string,
  labelSource?: (slice: number, region?: Region) => Promise<Plane>,
  compare?: { load: (slice: number) => Promise<Plane>; name: string },
  moved?: { plane: Plane; matrix: readonly number[] },
  { pixelSize, compact }: { pixelSize?: PixelSize; compact?: boolean } = {},
): (HTMLElement | null)[] {
  let slice = 0;
  let colormap: Colormap = "grey";
  let lut = colormapLut(colormap);
  const contrast = contrastPanel(first.data, () => renderImage());
  /** The colour map with the contrast's gamma (recomputed only when either changes). */
  let shownLut = { lut, gamma: 1, table: lut };
  const lutNow = () => (shownLut.lut === lut && shownLut.gamma === contrast.gamma ? shownLut.table : (shownLut = { lut, gamma: contrast.gamma, table: gammaLut(lut, contrast.gamma) }).table);
  let view: View | undefined;
  // Until the user zooms or pans, the image stays fitted to the canvas as its size settles.
  let fitted = true;
  // The planes now shown (at the resolution they arrived in).
  let current: { base: Plane; labels?: Plane; compare?: Plane } = { base: first };
  let compareRange: [number, number] | undefined;

  const image = document.createElement("canvas");
  // Full-resolution detail of the visible region, when the plane arrived reduced and one zooms in.
  let detail: { slice: number; base: Plane; labels?: Plane } | undefined;
  const detailImage = document.createElement("canvas");
  const detailLabels = document.createElement("canvas");
  let refineTimer: ReturnType<typeof setTimeout> | undefined;
  const labelImage = labelSource && document.createElement("canvas");
  const compareImage = compare && document.createElement("canvas");
  const movedImage = moved && document.createElement("canvas");
  const movedRange = moved && valueRange(moved.plane.data); // its own full range, as the compared image
  let movedOpacity = 0.5;
  const canvas = h("canvas.viewer-canvas", { tabindex: 0, role: "img", "aria-label": `${label}: ${width}×${height}${depth > 1 ? `, ${depth} slices` : ""}` }) as HTMLCanvasElement;
  const size = `${width}×${height}${depth > 1 ? ` × ${depth}` : ""}${first.factor > 1 ? ` (shown reduced 1:${first.factor})` : ""}`;
  const readout = h("div.viewer-readout", { role: "status", "aria-live": "polite" }, size);
  const zoomLabel = h("span.viewer-zoom", {});
  const scale = pixelSize && scaleBarView(pixelSize);
  /** "x 120 (78 µm)" when the pixel size is known. */
  const at = (pixel: number, size: number | undefined) => (pixelSize && size ? `${pixel} (${formatLength(pixel * size, pixelSize.unit)})` : String(pixel));
  let opacity = 0.5;
  let outline = false;
  let swipe = 0.5;
  const hidden = new Set<number>();
  const legend = h("ul.region-legend.viewer-legend", { "aria-label": "Labels" });

  const put = (target: HTMLCanvasElement, plane: Plane, pixels: Uint8ClampedArray<ArrayBuffer>) => {
    [target.height, target.width] = plane.shape;
    target.getContext("2d")!.putImageData(new ImageData(pixels, plane.shape[1], plane.shape[0]), 0, 0);
  };
  // The colours of the labels shown (hidden ones left out), set by renderLabelLayer from the
  // slice's labels; the full-resolution detail's labels are drawn with the same.
  let shownColours = new Map<number, [number, number, number]>();
  const renderDetailLabels = () => {
    if (detail?.labels) put(detailLabels, detail.labels, renderLabels(detail.labels.data, 0, detail.labels.shape[1], detail.labels.shape[0], shownColours, outline));
  };
  const renderLabelLayer = () => {
    const plane = current.labels;
    if (!plane || !labelImage) return;
    const counts = labelCounts(plane.data, 0, plane.data.length);
    const values = [...counts.keys()];
    const colour = (v: number) => paletteColour(values.indexOf(v));
    shownColours = new Map(values.filter((v) => !hidden.has(v)).map((v) => [v, rgbOf(colour(v))]));
    put(labelImage, plane, renderLabels(plane.data, 0, plane.shape[1], plane.shape[0], shownColours, outline));
    renderDetailLabels();
    // A reduced label plane holds 1 in factor² pixels: its counts, scaled up, are estimates.
    const scale = plane.factor * plane.factor;
    const countOf = (v: number) => (scale > 1 ? `≈ ${(counts.get(v)! * scale).toLocaleString("en")} px (from 1 in ${scale} pixels)` : `${counts.get(v)!.toLocaleString("en")} px`);
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
            ` ${formatValue(v)}: ${countOf(v)}`,
          ),
        ),
      ),
      values.length === 0 ? h("li.muted", {}, "no labelled pixels in this slice") : null,
    );
  };
  const renderDetail = () => {
    if (detail) put(detailImage, detail.base, renderPlane(detail.base.data, 0, detail.base.data.length, contrast.black, contrast.white, lutNow()));
  };
  /** After zoom or pan settles: the visible region at full resolution, if the plane arrived reduced. */
  const refine = () => {
    clearTimeout(refineTimer);
    refineTimer = setTimeout(() => {
      if (!view || current.base.factor <= 1) return;
      if (view.scale * current.base.factor < 1.5) return void ((detail = undefined), draw());
      const { w, h: boxH } = box();
      const x = Math.max(0, Math.floor(-view.x / view.scale));
      const y = Math.max(0, Math.floor(-view.y / view.scale));
      const region = { x, y, w: Math.min(width, Math.ceil((w - view.x) / view.scale)) - x, h: Math.min(height, Math.ceil((boxH - view.y) / view.scale)) - y };
      if (region.w <= 0 || region.h <= 0) return;
      const wanted = slice;
      void Promise.all([base(wanted, region), labelSource?.(wanted, region)]).then(([b, l]) => {
        if (wanted !== slice) return;
        detail = { slice: wanted, base: b, labels: l };
        renderDetail();
        renderDetailLabels();
        draw();
      });
    }, 150);
  };
  const renderImage = () => {
    put(image, current.base, renderPlane(current.base.data, 0, current.base.data.length, contrast.black, contrast.white, lutNow()));
    renderDetail();
    if (compareImage && current.compare) {
      compareRange ??= valueRange(current.compare.data); // its own full range
      put(compareImage, current.compare, renderPlane(current.compare.data, 0, current.compare.data.length, compareRange[0], compareRange[1], lut));
    }
    if (movedImage && moved && movedRange) put(movedImage, moved.plane, renderPlane(moved.plane.data, 0, moved.plane.data.length, movedRange[0], movedRange[1], lut));
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
    // Pixels stay crisp when zoomed in; a reduced plane is drawn at the full image's size.
    ctx.imageSmoothingEnabled = view.scale * current.base.factor < 1;
    const [dw, dh] = [width * view.scale, height * view.scale];
    ctx.drawImage(image, view.x, view.y, dw, dh);
    const at = (r: Region) => [view!.x + r.x * view!.scale, view!.y + r.y * view!.scale, r.w * view!.scale, r.h * view!.scale] as const;
    if (detail?.slice === slice) ctx.drawImage(detailImage, ...at(detail.base.region));
    if (movedImage && moved) {
      // Screen ← image pixels ← moved pixels (the matrix, row-major: x' = m0 x + m1 y + m2).
      const m = moved.matrix;
      ctx.save();
      ctx.globalAlpha = movedOpacity;
      ctx.transform(view.scale, 0, 0, view.scale, view.x, view.y);
      ctx.transform(m[0] ?? 1, m[3] ?? 0, m[1] ?? 0, m[4] ?? 1, m[2] ?? 0, m[5] ?? 0);
      ctx.drawImage(movedImage, 0, 0, moved.plane.region.w, moved.plane.region.h);
      ctx.restore();
    }
    if (compareImage && current.compare) {
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
    if (labelImage && current.labels) {
      ctx.globalAlpha = opacity;
      const fine = detail?.slice === slice && detail.labels ? at(detail.labels.region) : undefined;
      ctx.save();
      if (fine) {
        // The reduced labels everywhere but where the full-resolution ones are drawn.
        ctx.beginPath();
        ctx.rect(0, 0, w, boxH);
        ctx.rect(...fine);
        ctx.clip("evenodd");
      }
      ctx.drawImage(labelImage, view.x, view.y, dw, dh);
      ctx.restore();
      if (fine) ctx.drawImage(detailLabels, ...fine);
      ctx.globalAlpha = 1;
    }
    zoomLabel.textContent = `${Math.round(view.scale * 100)}%`;
    scale?.update(view.scale);
  };
  const zoomBy = (factor: number, sx?: number, sy?: number) => {
    fitted = false;
    const { w, h: boxH } = box();
    view = zoomAt(view ?? fitView(width, height, w, boxH), factor, sx ?? w / 2, sy ?? boxH / 2);
    draw();
    refine();
  };
  const fit = () => {
    fitted = true;
    view = fitView(width, height, box().w, box().h);
    draw();
    refine();
  };
  const actualSize = () => {
    fitted = false;
    const { w, h: boxH } = box();
    view = { scale: 1, x: (w - width) / 2, y: (boxH - height) / 2 };
    draw();
    refine();
  };

  const colormapSelect = h(
    "select",
    { "aria-label": "Colormap", onchange: (e: Event) => ((colormap = (e.target as HTMLSelectElement).value as Colormap), (lut = colormapLut(colormap)), renderImage()) },
    COLORMAPS.map((c) => h("option", { value: c }, c)),
  );

  // Slices: each loaded when shown (the layers together), the latest request wins.
  const sliceLabel = h("span.viewer-slice-label", {}, `1 / ${depth}`);
  const sliceInput = rangeInput("Slice", 0, depth - 1, 0, 1, (v) => void showSlice(v));
  const loadSlice = async (k: number) => ({ base: await base(k), labels: await labelSource?.(k), compare: await compare?.load(k) });
  const showSlice = async (k: number) => {
    slice = Math.max(0, Math.min(depth - 1, k));
    sliceInput.value = String(slice);
    sliceLabel.textContent = `${slice + 1} / ${depth}`;
    const wanted = slice;
    const planes = await loadSlice(wanted);
    if (wanted !== slice) return;
    current = planes;
    detail = undefined;
    contrast.showPlane(current.base.data);
    if (current.compare) compareRange = valueRange(current.compare.data);
    renderImage();
    refine();
  };

  // Pointer: wheel zooms at the cursor, drag pans, moving reads the values under the cursor.
  let drag: { x: number; y: number } | undefined;
  const local = (e: MouseEvent) => {
    const r = canvas.getBoundingClientRect();
    return { sx: e.clientX - r.left, sy: e.clientY - r.top };
  };
  /** The value at a full-resolution pixel in a plane (or region) that covers it. */
  const valueAt = (plane: Plane | undefined, col: number, row: number) => {
    if (!plane) return undefined;
    const { region: r, factor } = plane;
    if (col < r.x || row < r.y || col >= r.x + r.w || row >= r.y + r.h) return undefined;
    return plane.data[Math.floor((row - r.y) / factor) * plane.shape[1] + Math.floor((col - r.x) / factor)];
  };
  canvas.addEventListener("wheel", (e) => {
    e.preventDefault();
    const { sx, sy } = local(e);
    zoomBy(Math.exp(-e.deltaY * 0.002), sx, sy);
  });
  canvas.addEventListener("pointerdown", (e) => {
    fitted = false; // a drag pans: the view is the user's now
    drag = { x: e.clientX, y: e.clientY };
    canvas.setPointerCapture(e.pointerId);
  });
  canvas.addEventListener("pointerup", () => (drag = undefined));
  canvas.addEventListener("pointermove", (e) => {
    if (drag && view) {
      view = { ...view, x: view.x + e.clientX - drag.x, y: view.y + e.clientY - drag.y };
      drag = { x: e.clientX, y: e.clientY };
      draw();
      refine();
    }
    const { sx, sy } = local(e);
    const p = view && pixelAt(view, sx, sy, width, height);
    if (!p) return void (readout.textContent = size);
    // The full-resolution detail where it covers the pixel; else a reduced plane gives the mean
    // of its block, said with "≈".
    const fine = detail?.slice === slice && valueAt(detail.base, p.col, p.row) !== undefined && detail.base.factor === 1 ? detail : undefined;
    const approx = !fine && current.base.factor > 1 ? "≈ " : "";
    const parts = [`x ${at(p.col, pixelSize?.x)}, y ${at(p.row, pixelSize?.y)}${depth > 1 ? `, slice ${slice + 1}` : ""}: ${approx}${formatValue(valueAt(fine?.base ?? current.base, p.col, p.row)!)}`];
    if (current.labels) parts.push(`label ${formatValue(valueAt(fine?.labels ?? current.labels, p.col, p.row)!)}`);
    if (compare && current.compare) parts.push(`${compare.name} ${approx}${formatValue(valueAt(current.compare, p.col, p.row)!)}`);
    readout.textContent = parts.join(" · ");
  });
  canvas.addEventListener("keydown", (e) => {
    const keys: Record<string, () => void> = { "+": () => zoomBy(STEP), "=": () => zoomBy(STEP), "-": () => zoomBy(1 / STEP), "0": fit };
    if (depth > 1) Object.assign(keys, { ArrowRight: () => void showSlice(slice + 1), ArrowUp: () => void showSlice(slice + 1), ArrowLeft: () => void showSlice(slice - 1), ArrowDown: () => void showSlice(slice - 1) });
    const act = keys[e.key];
    if (act) {
      e.preventDefault();
      act();
    }
  });
  new ResizeObserver(() => {
    if (fitted) view = undefined;
    draw();
  }).observe(canvas);
  void showSlice(0);

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
      button("Auto contrast", () => contrast.auto()),
    ),
    // Beside a form the histogram and its fields fold away until asked for.
    compact ? h("details.viewer-contrast-more", {}, h("summary", {}, "Contrast"), contrast.element) : contrast.element,
    depth > 1 ? h("div.viewer-slice", {}, h("label.viewer-field", {}, "Slice ", sliceInput), sliceLabel) : null,
    compare
      ? h(
          "div.viewer-compare",
          {},
          h("label.viewer-field", {}, "Compare ", rangeInput("Compare", 0, 1, swipe, 0.01, (v) => ((swipe = v), draw()))),
          h("span.muted", {}, `${compare.name} left of the line, this image right of it`),
        )
      : null,
    moved
      ? h(
          "div.viewer-moved",
          {},
          h("label.viewer-field", {}, "Moved image opacity ", rangeInput("Moved image opacity", 0, 1, movedOpacity, 0.05, (v) => ((movedOpacity = v), draw()))),
          h("span.muted", {}, "the moved image over this one, placed by the matrix"),
        )
      : null,
    labelSource
      ? h(
          "div.viewer-labels",
          {},
          h("label.viewer-field", {}, "Opacity ", rangeInput("Opacity", 0, 1, opacity, 0.05, (v) => ((opacity = v), draw()))),
          h("label.viewer-field", {}, h("input", { type: "checkbox", onchange: (e: Event) => ((outline = (e.target as HTMLInputElement).checked), renderLabelLayer(), draw()) }), " Outline"),
          legend,
        )
      : null,
    h("div.viewer-stage", {}, canvas, scale?.element),
    readout,
  ];
}
