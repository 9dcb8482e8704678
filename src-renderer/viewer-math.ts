// The image viewer's pure parts: colour maps, contrast, and the mapping between the screen and
// the image's pixels under zoom and pan. No DOM here, so it is tested in Node.

export const COLORMAPS = ["grey", "viridis", "magma", "inferno", "cividis"] as const;
export type Colormap = (typeof COLORMAPS)[number];

// Control points of matplotlib's perceptually uniform maps at t = 0, 1/8, …, 1 (to within a few
// levels); between them the viewer interpolates linearly.
const STOPS: Record<Exclude<Colormap, "grey">, [number, number, number][]> = {
  viridis: [[68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141], [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37]],
  magma: [[0, 0, 4], [28, 16, 68], [79, 18, 123], [129, 37, 129], [181, 54, 122], [229, 80, 100], [251, 135, 97], [254, 194, 135], [252, 253, 191]],
  inferno: [[0, 0, 4], [31, 12, 72], [85, 15, 109], [136, 34, 106], [186, 54, 85], [227, 89, 51], [249, 140, 10], [249, 201, 50], [252, 255, 164]],
  cividis: [[0, 34, 78], [18, 53, 112], [59, 73, 108], [87, 93, 109], [112, 113, 115], [138, 134, 120], [165, 156, 116], [195, 180, 104], [254, 232, 56]],
};

/** 256 RGB entries of a colour map, as one array of 768 bytes. */
export function colormapLut(name: Colormap): Uint8Array {
  const lut = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    if (name === "grey") {
      lut.set([i, i, i], 3 * i);
      continue;
    }
    const stops = STOPS[name];
    const x = (i / 255) * (stops.length - 1);
    const k = Math.min(stops.length - 2, Math.floor(x));
    const f = x - k;
    const a = stops[k]!;
    const b = stops[k + 1]!;
    lut.set([0, 1, 2].map((c) => Math.round(a[c]! + (b[c]! - a[c]!) * f)), 3 * i);
  }
  return lut;
}

/** The values at the `lo` and `hi` percentiles (0–100) of the finite values: auto contrast. */
export function percentileRange(values: ArrayLike<number>, lo = 0.5, hi = 99.5): [number, number] {
  // A sample of at most ~1M values keeps this instant on large images; its percentiles are those
  // of the image to within a grey level.
  const step = Math.max(1, Math.floor(values.length / 1_000_000));
  const sample: number[] = [];
  for (let i = 0; i < values.length; i += step) if (Number.isFinite(values[i]!)) sample.push(values[i]!);
  if (sample.length === 0) return [0, 1];
  const sorted = Float64Array.from(sample).sort();
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.round((p / 100) * (sorted.length - 1))))]!;
  return [at(lo), at(hi)];
}

/** Minimum and maximum of the finite values ([0, 1] when there are none). */
export function valueRange(values: ArrayLike<number>): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min <= max ? [min, max] : [0, 1];
}

/**
 * RGBA pixels of one plane: each value mapped linearly from [black, white] onto the colour map
 * (values outside are clamped; NaN is transparent).
 */
export function renderPlane(values: ArrayLike<number>, offset: number, count: number, black: number, white: number, lut: Uint8Array): Uint8ClampedArray<ArrayBuffer> {
  const out = new Uint8ClampedArray(count * 4);
  const scale = white > black ? 255 / (white - black) : 0;
  for (let i = 0; i < count; i++) {
    const v = values[offset + i]!;
    if (Number.isNaN(v)) continue;
    const k = white > black ? Math.max(0, Math.min(255, Math.round((v - black) * scale))) : v >= white ? 255 : 0;
    out[4 * i] = lut[3 * k]!;
    out[4 * i + 1] = lut[3 * k + 1]!;
    out[4 * i + 2] = lut[3 * k + 2]!;
    out[4 * i + 3] = 255;
  }
  return out;
}

/** Zoom (screen pixels per image pixel) and the screen position of the image's top-left corner. */
export interface View {
  scale: number;
  x: number;
  y: number;
}

export const MIN_SCALE = 1 / 64;
export const MAX_SCALE = 64;

/** The view that shows the whole image centred in a box. */
export function fitView(imageW: number, imageH: number, boxW: number, boxH: number): View {
  const scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, Math.min(boxW / imageW, boxH / imageH)));
  return { scale, x: (boxW - imageW * scale) / 2, y: (boxH - imageH * scale) / 2 };
}

/** Zooms by `factor` keeping the image point under (sx, sy) where it is on the screen. */
export function zoomAt(view: View, factor: number, sx: number, sy: number): View {
  const scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, view.scale * factor));
  const f = scale / view.scale;
  return { scale, x: sx - (sx - view.x) * f, y: sy - (sy - view.y) * f };
}

/** The image pixel (column, row) under a screen point, or undefined outside the image. */
export function pixelAt(view: View, sx: number, sy: number, imageW: number, imageH: number): { col: number; row: number } | undefined {
  const col = Math.floor((sx - view.x) / view.scale);
  const row = Math.floor((sy - view.y) / view.scale);
  return col >= 0 && row >= 0 && col < imageW && row < imageH ? { col, row } : undefined;
}

/** A value as the readout shows it: integers as they are, floats to 4 significant digits. */
export function formatValue(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 1e5 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(3) : String(Number(v.toPrecision(4)));
}

/** How many pixels of each non-zero label a plane has (0 is background). */
export function labelCounts(values: ArrayLike<number>, offset: number, count: number): Map<number, number> {
  const counts = new Map<number, number>();
  for (let i = 0; i < count; i++) {
    const v = Number(values[offset + i]);
    if (v !== 0 && !Number.isNaN(v)) counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  return new Map([...counts].sort((a, b) => a[0] - b[0]));
}

/**
 * RGBA pixels of a label plane: each shown label in its colour, opaque; background, hidden labels
 * and (with `outline`) a label's inner pixels transparent — outline keeps the pixels that have a
 * 4-neighbour of another value or lie on the image's edge.
 */
export function renderLabels(values: ArrayLike<number>, offset: number, width: number, height: number, colours: ReadonlyMap<number, readonly [number, number, number]>, outline: boolean): Uint8ClampedArray<ArrayBuffer> {
  const out = new Uint8ClampedArray(width * height * 4);
  const at = (x: number, y: number) => Number(values[offset + y * width + x]);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const v = at(x, y);
      const c = colours.get(v);
      if (!c) continue;
      if (outline && x > 0 && y > 0 && x < width - 1 && y < height - 1 && at(x - 1, y) === v && at(x + 1, y) === v && at(x, y - 1) === v && at(x, y + 1) === v) continue;
      out.set([c[0], c[1], c[2], 255], 4 * (y * width + x));
    }
  return out;
}

/** Counts of the finite values in `bins` equal bins over [lo, hi] (values outside are left out). */
export function histogram(values: ArrayLike<number>, bins: number, lo: number, hi: number): Uint32Array {
  const counts = new Uint32Array(bins);
  const scale = hi > lo ? bins / (hi - lo) : 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!(v >= lo && v <= hi)) continue;
    counts[Math.min(bins - 1, Math.floor((v - lo) * scale))]!++;
  }
  return counts;
}

/** The colour map with a gamma applied to the grey level before it (1 = unchanged; < 1 brightens the darks). */
export function gammaLut(lut: Uint8Array, gamma: number): Uint8Array {
  if (gamma === 1) return lut;
  const out = new Uint8Array(lut.length);
  for (let i = 0; i < 256; i++) {
    const k = Math.round(255 * (i / 255) ** gamma);
    out.set(lut.subarray(3 * k, 3 * k + 3), 3 * i);
  }
  return out;
}

/** A scale bar about `target` screen pixels long: its physical length (1, 2 or 5 × 10ⁿ units) and
 * its length in screen pixels, for pixels `size` units wide drawn at `scale` screen pixels each. */
export function scaleBar(size: number, scale: number, target = 100): { length: number; px: number } {
  const perScreenPixel = size / scale;
  const want = target * perScreenPixel;
  const decade = 10 ** Math.floor(Math.log10(want));
  const length = [1, 2, 5, 10].map((m) => m * decade).reduce((best, l) => (Math.abs(l - want) < Math.abs(best - want) ? l : best));
  return { length: Number(length.toPrecision(1)), px: length / perScreenPixel };
}

const METRIC = ["pm", "nm", "µm", "mm", "m"];

/** A physical length with its unit, moved to the unit that needs no long number (120,000 nm → 120 µm; 0.5 µm → 500 nm). */
export function formatLength(length: number, unit: string): string {
  let k = METRIC.indexOf(unit);
  if (k < 0) return `${formatValue(length)} ${unit}`;
  let v = length;
  while (v >= 1000 && k < METRIC.length - 1) [v, k] = [v / 1000, k + 1];
  while (v < 1 && k > 0) [v, k] = [v * 1000, k - 1];
  return `${Number(v.toPrecision(6))} ${METRIC[k]}`;
}
