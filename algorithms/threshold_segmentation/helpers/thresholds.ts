// Global thresholds computed exactly as scikit-image 0.19 computes them (the version Debian ships):
// the same histograms (one bin per integer value for integer images, 256 equal bins over
// [min, max] for float images) and the same float32 steps where scikit-image uses float32.
// Where scikit-image recomputes the histogram for each method, one `ImageStats` computes it once
// (and the range and mean from it), on the WebAssembly kernel where the pixel type allows.
import { loadPixels, type WasmPixels } from "./thresholds-wasm.js";

export type Pixels = ArrayLike<number>;
const f = Math.fround;

export interface Histogram {
  counts: Float64Array;
  centers: Float64Array;
}

function minMax(image: Pixels): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < image.length; i++) {
    const v = image[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/** skimage.exposure.histogram(image, nbins, source_range="image"); `range` when already known. */
export function histogram(image: Pixels, integer: boolean, float32: boolean, nbins = 256, range = minMax(image)): Histogram {
  const [lo, hi] = range;
  if (integer) {
    const counts = new Float64Array(hi - lo + 1);
    for (let i = 0; i < image.length; i++) counts[image[i]! - lo]!++;
    return { counts, centers: Float64Array.from({ length: counts.length }, (_, i) => lo + i) };
  }
  // np.histogram: edges = linspace(min, max, nbins + 1) in the image's float type.
  let first = lo;
  let last = hi;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const round = float32 ? f : (x: number) => x;
  const step = (last - first) / nbins;
  const edges = Float64Array.from({ length: nbins + 1 }, (_, i) => round(i === nbins ? last : i * step + first));
  const counts = new Float64Array(nbins);
  const norm = nbins / (last - first);
  for (let i = 0; i < image.length; i++) {
    const x = image[i]!;
    let idx = Math.min(nbins - 1, Math.floor((x - first) * norm));
    if (x < edges[idx]!) idx--;
    else if (idx < nbins - 1 && x >= edges[idx + 1]!) idx++;
    counts[idx]!++;
  }
  const centers = Float64Array.from({ length: nbins }, (_, i) => round(round(edges[i]! + edges[i + 1]!) / 2));
  return { counts, centers };
}

function argmax(xs: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i]! > xs[best]! || (Number.isNaN(xs[best]!) && !Number.isNaN(xs[i]!))) best = i;
  return best;
}

/** threshold_otsu; a constant image (range lo = hi) is its own threshold. */
export function thresholdOtsu(h: Histogram, [lo, hi]: readonly [number, number]): number {
  if (lo === hi) return lo;
  const { counts, centers } = h;
  const n = counts.length;
  const w1 = new Float64Array(n);
  const w2 = new Float64Array(n);
  const m1 = new Float64Array(n);
  const m2 = new Float64Array(n);
  let c = 0;
  let cm = 0;
  for (let i = 0; i < n; i++) {
    c += counts[i]!;
    cm += counts[i]! * centers[i]!;
    w1[i] = c;
    m1[i] = cm / c;
  }
  c = 0;
  cm = 0;
  for (let i = n - 1; i >= 0; i--) {
    c += counts[i]!;
    cm += counts[i]! * centers[i]!;
    w2[i] = c;
    m2[i] = cm / c;
  }
  const v = Float64Array.from({ length: n - 1 }, (_, i) => w1[i]! * w2[i + 1]! * (m1[i]! - m2[i + 1]!) ** 2);
  return centers[argmax(v)]!;
}

export function thresholdYen(h: Histogram): number {
  const { counts, centers } = h;
  const n = counts.length;
  if (n === 1) return centers[0]!;
  let total = 0;
  for (const x of counts) total += x;
  // scikit-image works in float32 here: pmf, cumulative sums and the criterion.
  const pmf = Float32Array.from(counts, (x) => f(f(x) / f(total)));
  const p1 = new Float32Array(n);
  const p1sq = new Float32Array(n);
  const p2sq = new Float32Array(n);
  for (let i = 0, a = 0, b = 0; i < n; i++) {
    a = f(a + pmf[i]!);
    b = f(b + f(pmf[i]! * pmf[i]!));
    p1[i] = a;
    p1sq[i] = b;
  }
  for (let i = n - 1, b = 0; i >= 0; i--) {
    b = f(b + f(pmf[i]! * pmf[i]!));
    p2sq[i] = b;
  }
  const crit = Float32Array.from({ length: n - 1 }, (_, i) => {
    const inv = f(1 / f(p1sq[i]! * p2sq[i + 1]!));
    const q = f(f(p1[i]! * f(1 - p1[i]!)) ** 2);
    return f(Math.log(f(inv * q)));
  });
  return centers[argmax(crit)]!;
}

export function thresholdIsodata(h: Histogram): number {
  const { counts, centers } = h;
  const n = counts.length;
  if (n === 1) return centers[0]!;
  const csuml = new Float32Array(n);
  const csumI = new Float64Array(n);
  for (let i = 0, a = 0, b = 0; i < n; i++) {
    a = f(a + f(counts[i]!));
    b += f(counts[i]!) * centers[i]!;
    csuml[i] = a;
    csumI[i] = b;
  }
  const total = csuml[n - 1]!;
  const width = centers[1]! - centers[0]!;
  for (let i = 0; i < n - 1; i++) {
    const lower = csumI[i]! / csuml[i]!;
    const higher = (csumI[n - 1]! - csumI[i]!) / f(total - csuml[i]!);
    const d = (lower + higher) / 2 - centers[i]!;
    if (d >= 0 && d < width) return centers[i]!;
  }
  throw new Error("isodata found no threshold");
}

export function thresholdMean(image: Pixels): number {
  let s = 0;
  for (let i = 0; i < image.length; i++) s += image[i]!;
  return s / image.length;
}

export function thresholdMinimum(h: Histogram, maxNumIter = 10000): number {
  let smooth = Float64Array.from(h.counts);
  const n = smooth.length;
  let maxima: number[] = [];
  const localMaxima = (xs: Float64Array) => {
    const out: number[] = [];
    let dir = 1;
    for (let i = 0; i < xs.length - 1; i++) {
      if (dir > 0) {
        if (xs[i + 1]! < xs[i]!) {
          dir = -1;
          out.push(i);
        }
      } else if (xs[i + 1]! > xs[i]!) dir = 1;
    }
    return out;
  };
  let counter = 0;
  for (; counter < maxNumIter; counter++) {
    // scipy's uniform_filter1d(size 3, mode "reflect"): borders repeat the edge value.
    const next = new Float64Array(n);
    for (let i = 0; i < n; i++) next[i] = (smooth[Math.max(0, i - 1)]! + smooth[i]! + smooth[Math.min(n - 1, i + 1)]!) / 3;
    smooth = next;
    maxima = localMaxima(smooth);
    if (maxima.length < 3) break;
  }
  if (maxima.length !== 2) throw new Error("threshold 'minimum': the histogram does not have two maxima; choose another method");
  const [a, b] = maxima as [number, number];
  let best = a;
  for (let i = a; i <= b; i++) if (smooth[i]! < smooth[best]!) best = i;
  return h.centers[best]!;
}

export function thresholdTriangle(h: Histogram): number {
  let hist = Float64Array.from(h.counts);
  const n = hist.length;
  let peak = argmax(hist);
  const peakHeight = hist[peak]!;
  let low = hist.findIndex((x) => x > 0);
  let high = n - 1;
  while (hist[high] === 0) high--;
  const flip = peak - low < high - peak;
  if (flip) {
    hist = hist.reverse();
    low = n - high - 1;
    peak = n - peak - 1;
  }
  const width = peak - low;
  const norm = Math.sqrt(peakHeight ** 2 + width ** 2);
  const ph = peakHeight / norm;
  const w = width / norm;
  let best = 0;
  let bestLen = -Infinity;
  for (let x = 0; x < width; x++) {
    const len = ph * x - w * hist[x + low]!;
    if (len > bestLen) {
      bestLen = len;
      best = x;
    }
  }
  let level = best + low;
  if (flip) level = n - level - 1;
  return h.centers[level]!;
}

/** threshold_li: the histogram path for integer images, the pixel path for float images. */
export function thresholdLi(stats: ImageStats): number {
  const { image, integer } = stats;
  const [lo, hi] = stats.range();
  if (lo === hi) return lo;
  // scikit-image subtracts the minimum first; an integer histogram just shifts its bin centres.
  if (integer) {
    const h = stats.histogram();
    const centers = Float64Array.from(h.centers, (c) => c - lo);
    return liIterate(stats.mean() - lo, 0.5, (t) => {
      let sf = 0, nf = 0, sb = 0, nb = 0;
      for (let i = 0; i < centers.length; i++) {
        const c = centers[i]!;
        const n = h.counts[i]!;
        if (c > t) {
          sf += c * n;
          nf += n;
        } else {
          sb += c * n;
          nb += n;
        }
      }
      return [sf / nf, sb / nb];
    }) + lo;
  }
  const shifted = Float64Array.from(image as ArrayLike<number>, (v) => v - lo);
  const sorted = Float64Array.from(shifted).sort();
  let minDiff = Infinity;
  for (let i = 1; i < sorted.length; i++) if (sorted[i] !== sorted[i - 1]) minDiff = Math.min(minDiff, sorted[i]! - sorted[i - 1]!);
  return liIterate(thresholdMean(shifted), minDiff / 2, (t) => {
    let sf = 0, nf = 0, sb = 0, nb = 0;
    for (const v of shifted) {
      if (v > t) {
        sf += v;
        nf++;
      } else {
        sb += v;
        nb++;
      }
    }
    return [sf / nf, sb / nb];
  }) + lo;
}

/** Li's minimum cross-entropy iteration, from `start` until the step is within `tolerance`. */
function liIterate(start: number, tolerance: number, means: (t: number) => [number, number]): number {
  let next = start;
  let curr = -2 * tolerance;
  while (Math.abs(next - curr) > tolerance) {
    curr = next;
    const [fore, back] = means(curr);
    next = (back - fore) / (Math.log(back) - Math.log(fore));
  }
  return next;
}

export const METHODS = ["otsu", "yen", "li", "minimum", "mean", "triangle", "isodata", "local"] as const;
export type Method = (typeof METHODS)[number];

/**
 * What the global methods share, each computed once on first use: the range, the histogram and
 * the mean. For an integer image all three come from one histogram pass (its sum is exact in
 * float64, as NumPy's mean of integers is).
 */
export class ImageStats {
  private pixels: WasmPixels | undefined | null = null;
  private rangeValue?: [number, number];
  private hist?: Histogram;
  private meanValue?: number;

  constructor(
    readonly image: Pixels,
    readonly integer: boolean,
    readonly float32: boolean,
    /** "js" forces the JavaScript loops (tests hold both paths to scikit-image). */
    private readonly engine: "wasm" | "js" = "wasm",
  ) {}

  /** The image in the WebAssembly kernel (copied once), or undefined for the JavaScript path. */
  private wasm(): WasmPixels | undefined {
    if (this.pixels === null) this.pixels = this.engine === "wasm" ? loadPixels(this.image) : undefined;
    return this.pixels;
  }

  range(): [number, number] {
    if (!this.rangeValue) {
      if (this.integer) {
        const { centers } = this.histogram();
        this.rangeValue = [centers[0]!, centers[centers.length - 1]!];
      } else this.rangeValue = this.image instanceof Float32Array ? (this.wasm()?.range() ?? minMax(this.image)) : minMax(this.image);
    }
    return this.rangeValue;
  }

  histogram(): Histogram {
    if (!this.hist) {
      const fast = this.integer ? this.wasm() : undefined;
      if (fast) {
        const { counts, lo } = fast.counts();
        this.hist = { counts, centers: Float64Array.from({ length: counts.length }, (_, i) => lo + i) };
      } else this.hist = histogram(this.image, this.integer, this.float32, 256, this.integer ? minMax(this.image) : this.range());
    }
    return this.hist;
  }

  mean(): number {
    if (this.meanValue === undefined) {
      if (this.integer) {
        const { counts, centers } = this.histogram();
        let s = 0;
        for (let i = 0; i < counts.length; i++) s += counts[i]! * centers[i]!;
        this.meanValue = s / this.image.length;
      } else this.meanValue = thresholdMean(this.image);
    }
    return this.meanValue;
  }

  /** out[i] = image[i] > t ? 1 : 0. */
  maskAbove(t: number, out: Uint8Array): void {
    const fast = this.wasm();
    if (fast) return fast.maskAbove(t, out);
    const { image } = this;
    for (let i = 0; i < image.length; i++) out[i] = image[i]! > t ? 1 : 0;
  }
}

/** The threshold of a global method from the shared statistics. */
export function thresholdOf(method: Exclude<Method, "local">, stats: ImageStats): number {
  switch (method) {
    case "mean":
      return stats.mean();
    case "li":
      return thresholdLi(stats);
    case "otsu":
      return thresholdOtsu(stats.histogram(), stats.range());
    case "yen":
      return thresholdYen(stats.histogram());
    case "minimum":
      return thresholdMinimum(stats.histogram());
    case "triangle":
      return thresholdTriangle(stats.histogram());
    case "isodata":
      return thresholdIsodata(stats.histogram());
  }
}

/** The global threshold of `method` for an image (`local` is per pixel: see thresholdLocal). */
export function globalThreshold(method: Exclude<Method, "local">, image: Pixels, integer: boolean, float32: boolean, engine: "wasm" | "js" = "wasm"): number {
  return thresholdOf(method, new ImageStats(image, integer, float32, engine));
}
