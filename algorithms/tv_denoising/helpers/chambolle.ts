import { Worker } from "node:worker_threads";
import { BAND_SOURCE, WORKER_SOURCE } from "./tv-band.js";
import { minMaxScale, minMaxScaleInPlace } from "./normalize.js";
import { denoiseTvWasm, wasmTvAvailable } from "./tv-wasm.js";

// Chambolle's total-variation denoising on 2-D or 3-D float32 arrays, step for step the algorithm
// of scikit-image's `denoise_tv_chambolle` (same update, same energy and stopping rule), with the
// loops fused so each iteration reads the arrays a few times instead of a dozen.

export interface TvOptions {
  weight: number;
  eps?: number;
  maxNumIter?: number;
  /** Called between iterations; throw to stop. */
  onIteration?: (i: number) => void;
  /** "wasm" (the default where WebAssembly SIMD exists, 2-D and 3-D) or the JavaScript fallback. */
  engine?: "wasm" | "js";
  /** Threads of the WebAssembly path (default: see tv-wasm.ts). */
  threads?: number;
  /** Memory mode of the WebAssembly path (default: "lean" for volumes, "full" for images; see tv-wasm.ts). */
  mode?: "full" | "lean";
  /** Min–max scale the image to [0, 1] before and the result after (the Compox template's
   * scaling; in the WebAssembly path, on the kernel's own copies). */
  scale01?: boolean;
}

/** scikit-image's stopping rule: stop once the energy changes by less than eps × the first energy. */
function stopRule(eps: number): (i: number, e: number) => boolean {
  let eInit = 0;
  let ePrev = 0;
  return (i, e) => {
    if (i === 0) {
      eInit = e;
      ePrev = e;
      return false;
    }
    if (Math.abs(ePrev - e) < eps * eInit) return true;
    ePrev = e;
    return false;
  };
}

/** Denoises `image` of `shape` (2-D or 3-D, row-major); returns a new float32 array. */
export function denoiseTvChambolle(image: Float32Array, shape: readonly number[], opts: TvOptions): Float32Array {
  const { weight, eps = 2e-4, maxNumIter = 200 } = opts;
  const ndim = shape.length;
  if (ndim < 1 || ndim > 3) throw new Error(`TV denoising supports 1-D to 3-D arrays, got ${ndim}-D`);
  if (ndim >= 2 && weight > 0 && (opts.engine ?? (wasmTvAvailable() ? "wasm" : "js")) === "wasm")
    return denoiseTvWasm(image, shape, { weight, eps, maxNumIter, converged: stopRule(eps), onIteration: opts.onIteration, threads: opts.threads, mode: opts.mode, scale01: opts.scale01 });
  if (opts.scale01) return minMaxScaleInPlace(denoiseTvChambolle(minMaxScale(image), shape, { ...opts, scale01: false }));
  if (!(weight > 0)) return Float32Array.from(image);
  if (ndim === 2) return denoise2d(image, shape[0]!, shape[1]!, weight, eps, maxNumIter, opts.onIteration);
  const size = image.length;
  const dims = [...shape];
  const strides = dims.map((_, ax) => dims.slice(ax + 1).reduce((a, b) => a * b, 1));
  // Index of each element along each axis is needed at the borders: precompute "is last"/"is first".
  const p = Array.from({ length: ndim }, () => new Float32Array(size));
  const g = Array.from({ length: ndim }, () => new Float32Array(size));
  const out = Float32Array.from(image);
  const d = new Float32Array(size);
  const coord = Array.from({ length: ndim }, () => new Int32Array(size));
  for (let idx = 0; idx < size; idx++) for (let ax = 0; ax < ndim; ax++) coord[ax]![idx] = Math.floor(idx / strides[ax]!) % dims[ax]!;
  const tau = 1 / (2 * ndim);
  const converged = stopRule(eps);
  for (let i = 0; i < maxNumIter; i++) {
    let e = 0;
    if (i > 0) {
      // d = −div p (backward differences with skimage's borders); out = image + d.
      for (let idx = 0; idx < size; idx++) {
        let v = 0;
        for (let ax = 0; ax < ndim; ax++) {
          v -= p[ax]![idx]!;
          if (coord[ax]![idx]! > 0) v += p[ax]![idx - strides[ax]!]!;
        }
        d[idx] = v;
        out[idx] = image[idx]! + v;
        e += v * v;
      }
    }
    // g = forward differences of out; norm = |g|; p ← (p − τ g) / (1 + τ/weight · |g|).
    let normSum = 0;
    for (let idx = 0; idx < size; idx++) {
      let sq = 0;
      for (let ax = 0; ax < ndim; ax++) {
        const gv = coord[ax]![idx]! < dims[ax]! - 1 ? Math.fround(out[idx + strides[ax]!]! - out[idx]!) : 0;
        g[ax]![idx] = gv;
        sq += gv * gv;
      }
      const norm = Math.fround(Math.sqrt(sq));
      normSum += norm;
      const scale = Math.fround(norm * (tau / weight) + 1);
      for (let ax = 0; ax < ndim; ax++) p[ax]![idx] = Math.fround(p[ax]![idx]! - tau * g[ax]![idx]!) / scale;
    }
    e = (e + weight * normSum) / size;
    if (converged(i, e)) break;
    opts.onIteration?.(i);
  }
  return out;
}

type Band = (s: BandState, y0: number, y1: number, withD: boolean, signalTop: () => void, waitBelow: () => void) => [number, number];
interface BandState {
  image: Float32Array;
  out: Float32Array;
  py: Float32Array;
  px: Float32Array;
  h: number;
  w: number;
  tau: number;
  k: number;
}
const runBand = new Function(`${BAND_SOURCE}; return runBand;`)() as Band;

/** Blocks until ctrl[index] reaches `seq`; the worker writes −seq there when it failed. */
function waitFor(ctrl: Int32Array, index: number, seq: number): void {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const v = Atomics.load(ctrl, index);
    if (v === seq) return;
    if (v === -seq) throw new Error("the TV worker thread failed");
    if (Date.now() > deadline) throw new Error("the TV worker thread stopped answering");
    Atomics.wait(ctrl, index, v, 1000);
  }
}

/** Images at least this large are split between the main thread and a worker thread. */
const PARALLEL_PIXELS = 256 * 256;

/**
 * The 2-D case, one pass over memory per iteration (see tv-band.ts); images of PARALLEL_PIXELS
 * or more run on two threads, each on half of the rows, sharing the arrays. Intermediates stay in
 * float64 (stores round to float32): slightly more exact than scikit-image's float32 steps, well
 * within the 1e-4 it is tested to.
 */
function denoise2d(image: Float32Array, h: number, w: number, weight: number, eps: number, maxNumIter: number, onIteration?: (i: number) => void): Float32Array {
  const size = h * w;
  const shared = (n: number) => new Float32Array(new SharedArrayBuffer(n * 4));
  const s: BandState = { image: shared(size), out: shared(size), py: shared(size), px: shared(size), h, w, tau: 0.25, k: 0.25 / weight };
  s.image.set(image);
  s.out.set(image);
  const parallel = size >= PARALLEL_PIXELS && h >= 4;
  const mid = parallel ? Math.floor(h / 2) : h;
  const ctrl = new Int32Array(new SharedArrayBuffer(16));
  const sums = new Float64Array(new SharedArrayBuffer(16));
  const worker = parallel
    ? new Worker(WORKER_SOURCE, { eval: true, execArgv: [], workerData: { ctrl: ctrl.buffer, sums: sums.buffer, image: s.image.buffer, out: s.out.buffer, py: s.py.buffer, px: s.px.buffer, h, w, tau: s.tau, k: s.k, y0: mid, y1: h } })
    : undefined;
  const converged = stopRule(eps);
  try {
    for (let i = 0; i < maxNumIter; i++) {
      let e: number;
      let normSum: number;
      if (worker) {
        Atomics.store(ctrl, 1, i > 0 ? 1 : 0);
        const seq = Atomics.add(ctrl, 0, 1) + 1;
        Atomics.notify(ctrl, 0);
        // The upper band's last row needs the lower band's top row of this iteration.
        [e, normSum] = runBand(s, 0, mid, i > 0, () => {}, () => waitFor(ctrl, 2, seq));
        waitFor(ctrl, 3, seq);
        e += sums[0]!;
        normSum += sums[1]!;
      } else [e, normSum] = runBand(s, 0, h, i > 0, () => {}, () => {});
      e = (e + weight * normSum) / size;
      if (converged(i, e)) break;
      onIteration?.(i);
    }
  } finally {
    if (worker) {
      Atomics.store(ctrl, 1, 2);
      Atomics.add(ctrl, 0, 1);
      Atomics.notify(ctrl, 0);
      void worker.terminate();
    }
  }
  return Float32Array.from(s.out);
}
