// The bioimage.io pre- and postprocessing steps, applied to a whole tensor: normalisation is
// computed over the whole image before it is tiled, never tile by tile (per-tile statistics
// change the result wherever tiles differ).
import type { Step } from "./description.js";
import { stridesOf, type Tensor } from "./tensor.js";

/** The element indices of each group of elements that share their coordinates on the axes not in
 * `reduce` (a statistic is taken over the `reduce` axes, once per group). */
function groups(t: Tensor, reduce: readonly string[]): Int32Array[] {
  const reduced = t.axes.map((a) => reduce.includes(a));
  const firstReduced = reduced.indexOf(true);
  const size = t.data.length;
  // The usual case (statistics over the trailing axes, e.g. y and x of bcyx): contiguous runs.
  if (firstReduced >= 0 && reduced.slice(firstReduced).every(Boolean)) {
    const run = t.shape.slice(firstReduced).reduce((a, b) => a * b, 1);
    return Array.from({ length: size / run }, (_, g) => Int32Array.from({ length: run }, (_, i) => g * run + i));
  }
  const keep = t.axes.map((_, k) => k).filter((k) => !reduced[k]);
  const strides = stridesOf(t.shape);
  const keptStrides = stridesOf(keep.map((k) => t.shape[k]!));
  const count = keep.reduce((n, k) => n * t.shape[k]!, 1);
  const keys = new Int32Array(size);
  const sizes = new Int32Array(count);
  for (let i = 0; i < size; i++) {
    let key = 0;
    for (let j = 0; j < keep.length; j++) key += (Math.floor(i / strides[keep[j]!]!) % t.shape[keep[j]!]!) * keptStrides[j]!;
    keys[i] = key;
    sizes[key]!++;
  }
  const out = Array.from(sizes, (n) => new Int32Array(n));
  const fill = new Int32Array(count);
  for (let i = 0; i < size; i++) out[keys[i]!]![fill[keys[i]!]!++] = i;
  return out;
}

/** The axes a statistic is taken over: those named, else every axis but batch (and channel in 0.4's per-channel sense is named explicitly). */
const axesOf = (t: Tensor, kwargs: Record<string, unknown>) => (Array.isArray(kwargs.axes) ? (kwargs.axes as unknown[]).map(String) : t.axes.filter((a) => a !== "batch"));

/** A per-channel value (a list along the channel axis) or one value, for element `i`. */
function perChannel(t: Tensor, value: unknown, fallback: number): (i: number) => number {
  if (Array.isArray(value)) {
    const c = t.axes.indexOf("channel");
    if (c < 0) return () => Number(value[0] ?? fallback);
    const stride = stridesOf(t.shape)[c]!;
    const n = t.shape[c]!;
    return (i) => Number(value[Math.floor(i / stride) % n] ?? fallback);
  }
  const v = value === undefined || value === null ? fallback : Number(value);
  return () => v;
}

function percentile(sorted: Float32Array, p: number): number {
  if (sorted.length === 0) return 0;
  const at = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

/** Applies one step to `t` in place. */
export function applyStep(t: Tensor, step: Step): void {
  const { data } = t;
  const k = step.kwargs;
  switch (step.id) {
    case "ensure_dtype": {
      const dtype = String(k.dtype ?? "float32");
      if (/^u?int/.test(dtype) || dtype === "bool") for (let i = 0; i < data.length; i++) data[i] = Math.round(data[i]!);
      return;
    }
    case "sigmoid":
      for (let i = 0; i < data.length; i++) data[i] = 1 / (1 + Math.exp(-data[i]!));
      return;
    case "clip": {
      const lo = k.min === undefined ? -Infinity : Number(k.min);
      const hi = k.max === undefined ? Infinity : Number(k.max);
      for (let i = 0; i < data.length; i++) data[i] = Math.min(hi, Math.max(lo, data[i]!));
      return;
    }
    case "binarize": {
      const threshold = perChannel(t, k.threshold, 0.5);
      for (let i = 0; i < data.length; i++) data[i] = data[i]! > threshold(i) ? 1 : 0;
      return;
    }
    case "scale_linear": {
      const gain = perChannel(t, k.gain, 1);
      const offset = perChannel(t, k.offset, 0);
      for (let i = 0; i < data.length; i++) data[i] = data[i]! * gain(i) + offset(i);
      return;
    }
    case "zero_mean_unit_variance": {
      const eps = k.eps === undefined ? 1e-6 : Number(k.eps);
      if (k.mode === "fixed") {
        const mean = perChannel(t, k.mean, 0);
        const std = perChannel(t, k.std, 1);
        for (let i = 0; i < data.length; i++) data[i] = (data[i]! - mean(i)) / (std(i) + eps);
        return;
      }
      for (const g of groups(t, axesOf(t, k))) {
        let sum = 0;
        for (const i of g) sum += data[i]!;
        const mean = sum / g.length;
        let sq = 0;
        for (const i of g) sq += (data[i]! - mean) ** 2;
        const std = Math.sqrt(sq / g.length);
        for (const i of g) data[i] = (data[i]! - mean) / (std + eps);
      }
      return;
    }
    case "scale_range": {
      const eps = k.eps === undefined ? 1e-6 : Number(k.eps);
      const pLo = k.min_percentile === undefined ? 0 : Number(k.min_percentile);
      const pHi = k.max_percentile === undefined ? 100 : Number(k.max_percentile);
      for (const g of groups(t, axesOf(t, k))) {
        const sorted = Float32Array.from(g, (i) => data[i]!).sort();
        const lo = percentile(sorted, pLo);
        const hi = percentile(sorted, pHi);
        for (const i of g) data[i] = (data[i]! - lo) / (hi - lo + eps);
      }
      return;
    }
  }
}

/** Applies `steps` in order, in place. */
export function applySteps(t: Tensor, steps: readonly Step[]): void {
  for (const step of steps) applyStep(t, step);
}
