// The bioimage.io pre- and postprocessing steps, applied to a whole tensor: normalisation is
// computed over the whole image before it is tiled, never tile by tile (per-tile statistics
// change the result wherever tiles differ).
import type { Step } from "./description.js";
import { stridesOf, type Tensor } from "./tensor.js";

/** A group of elements a statistic is taken over: a contiguous run, or scattered indices. */
type Group = { start: number; length: number } | Int32Array;

/** The groups of elements that share their coordinates on the axes not in `reduce` (a statistic
 * is taken over the `reduce` axes, once per group). */
function groups(t: Tensor, reduce: readonly string[]): Group[] {
  const reduced = t.axes.map((a) => reduce.includes(a));
  const firstReduced = reduced.indexOf(true);
  const size = t.data.length;
  // The usual case (statistics over the trailing axes, e.g. y and x of bcyx): contiguous runs.
  if (firstReduced >= 0 && reduced.slice(firstReduced).every(Boolean)) {
    const length = t.shape.slice(firstReduced).reduce((a, b) => a * b, 1);
    return Array.from({ length: size / length }, (_, g) => ({ start: g * length, length }));
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

/** The values of group `g`: a view of `data` for a run, a copy for scattered indices. */
const gather = (data: Float32Array, g: Group): Float32Array => ("start" in g ? data.subarray(g.start, g.start + g.length) : Float32Array.from(g, (i) => data[i]!));

/** Transforms group `g` of `data` in place with `f` applied to its values. */
function transform(data: Float32Array, g: Group, f: (v: Float32Array) => void): void {
  const v = gather(data, g);
  f(v);
  if (!("start" in g)) for (let k = 0; k < g.length; k++) data[g[k]!] = v[k]!;
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

/** Mean and (population) standard deviation of `v`. */
function meanStd(v: Float32Array): [number, number] {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i]!;
  const mean = sum / v.length;
  let sq = 0;
  for (let i = 0; i < v.length; i++) sq += (v[i]! - mean) ** 2;
  return [mean, Math.sqrt(sq / v.length)];
}

/** The `lo` and `hi` percentiles of `v`. */
function percentiles(v: Float32Array, lo: number, hi: number): [number, number] {
  const sorted = Float32Array.from(v).sort();
  return [percentile(sorted, lo), percentile(sorted, hi)];
}

/** `v` ← (v − a) · b + c, in place. */
function affine(v: Float32Array, a: number, b: number, c: number): void {
  for (let i = 0; i < v.length; i++) v[i] = (v[i]! - a) * b + c;
}

/** Looks up a tensor a step refers to (`reference_tensor`) by its id. */
export type References = (id: string) => Tensor | undefined;

/**
 * For each group of `t` (per `axes`), the statistic `stat` of the same group of the reference tensor
 * the step names (or of `t` itself). A reference with one group serves every group of `t`.
 */
function statsPerGroup<S>(t: Tensor, kwargs: Record<string, unknown>, refs: References, stat: (v: Float32Array) => S): { groups: Group[]; stats: S[] } {
  const axes = axesOf(t, kwargs);
  const own = groups(t, axes);
  const refId = kwargs.reference_tensor === undefined || kwargs.reference_tensor === null ? undefined : String(kwargs.reference_tensor);
  const ref = refId === undefined ? t : refs(refId);
  if (!ref) throw new Error(`the reference tensor "${refId}" is not available here`);
  const theirs = ref === t ? own : groups(ref, axesOf(ref, kwargs));
  if (theirs.length !== own.length && theirs.length !== 1)
    throw new Error(`the reference tensor "${refId}" has ${theirs.length} groups over axes ${axes.join(", ")}, this tensor ${own.length}: their other axes must match`);
  const stats = theirs.map((g) => stat(gather(ref.data, g)));
  return { groups: own, stats: own.map((_, k) => stats[theirs.length === 1 ? 0 : k]!) };
}

/** Softmax along `axis` (default the channel axis), in place. */
function softmax(t: Tensor, axis: string): void {
  const k = t.axes.indexOf(axis);
  if (k < 0) throw new Error(`softmax: the tensor has no axis "${axis}" (its axes: ${t.axes.join(", ")})`);
  const stride = stridesOf(t.shape)[k]!;
  const n = t.shape[k]!;
  const { data } = t;
  for (let i = 0; i < data.length; i++) {
    if (Math.floor(i / stride) % n !== 0) continue; // one pass per position, from its first element along the axis
    let max = -Infinity;
    for (let j = 0; j < n; j++) max = Math.max(max, data[i + j * stride]!);
    let sum = 0;
    for (let j = 0; j < n; j++) sum += data[i + j * stride] = Math.exp(data[i + j * stride]! - max);
    for (let j = 0; j < n; j++) data[i + j * stride]! /= sum;
  }
}

/** Applies one step to `t` in place; `refs` gives the tensors a step's `reference_tensor` names. */
export function applyStep(t: Tensor, step: Step, refs: References = () => undefined): void {
  const { data } = t;
  const k = step.kwargs;
  const eps = k.eps === undefined ? 1e-6 : Number(k.eps);
  switch (step.id) {
    case "ensure_dtype": {
      const dtype = String(k.dtype ?? "float32");
      if (/^u?int/.test(dtype) || dtype === "bool") for (let i = 0; i < data.length; i++) data[i] = Math.round(data[i]!);
      return;
    }
    case "sigmoid":
      for (let i = 0; i < data.length; i++) data[i] = 1 / (1 + Math.exp(-data[i]!));
      return;
    case "softmax":
      return softmax(t, k.axis === undefined ? "channel" : String(k.axis));
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
      if (k.mode === "fixed") {
        const mean = perChannel(t, k.mean, 0);
        const std = perChannel(t, k.std, 1);
        for (let i = 0; i < data.length; i++) data[i] = (data[i]! - mean(i)) / (std(i) + eps);
        return;
      }
      for (const g of groups(t, axesOf(t, k)))
        transform(data, g, (v) => {
          const [mean, std] = meanStd(v);
          affine(v, mean, 1 / (std + eps), 0);
        });
      return;
    }
    case "scale_mean_variance": {
      // out = (t − mean) / (std + eps) · (ref_std + eps) + ref_mean
      const { groups: own, stats } = statsPerGroup(t, k, refs, meanStd);
      own.forEach((g, n) =>
        transform(data, g, (v) => {
          const [mean, std] = meanStd(v);
          const [refMean, refStd] = stats[n]!;
          affine(v, mean, (refStd + eps) / (std + eps), refMean);
        }),
      );
      return;
    }
    case "scale_range": {
      const pLo = k.min_percentile === undefined ? 0 : Number(k.min_percentile);
      const pHi = k.max_percentile === undefined ? 100 : Number(k.max_percentile);
      const { groups: own, stats } = statsPerGroup(t, k, refs, (v) => percentiles(v, pLo, pHi));
      own.forEach((g, n) => {
        const [lo, hi] = stats[n]!;
        transform(data, g, (v) => affine(v, lo, 1 / (hi - lo + eps), 0));
      });
      return;
    }
  }
}

/** Applies `steps` in order, in place. */
export function applySteps(t: Tensor, steps: readonly Step[], refs?: References): void {
  for (const step of steps) applyStep(t, step, refs);
}
