import os from "node:os";
import { Worker } from "node:worker_threads";
import { TV_KERNEL } from "./tv-kernel.wasm.js";

// Runs Chambolle iterations with the WebAssembly SIMD kernel (kernels/tv.ts) on a pool of threads
// that share one WebAssembly memory. The slabs (rows of an image, planes of a volume) are split
// into bands, one per thread; the pool outlives a call, so a runner pays the threads' start once.
//
// Within a band a pass lags one slab: slab y's divergence (reading p of slabs y and y−1 before
// this iteration's update), then slab y−1's gradient and p update (reading `out` of slabs y−1 and
// y). At a border the lower band computes its first slab's divergence and signals; the upper band
// waits for that before updating its last slab. All bands end a pass before the next begins.
//
// Two modes. "full" (images): `out` is a whole array and each iteration is one fused pass.
// "lean" (volumes, memory within 4× the volume): `out` exists only as two rolling slabs per band
// plus the band's first slab, each iteration is an energy pass and then an update pass (the
// result must come from the p before the last update), and at the end the result is written over
// the image's copy.

interface Kernel {
  setup(f: number, pz: number, py: number, px: number, zero: number, nz: number, ny: number, nx: number, tau: number, k: number): void;
  divergence(z: number, slab: number): number;
  update(r: number, slab: number, next: number, write: boolean): number;
  minMaxF32(at: number, n: number): void;
  lo(): number;
  hi(): number;
  scaleF32(at: number, n: number, lo: number, range: number): void;
}

/** Pass commands (ctrl[1]); 0 ends a worker. */
const FUSED_FIRST = 1; // full mode, iteration 0 (out = image: no divergence)
const FUSED = 2; // full mode
const ENERGY = 3; // lean mode: divergence and gradient, p untouched
const UPDATE = 4; // lean mode: the same, p updated
const RESULT = 5; // lean mode: out = image + d written over the image

/** Where the shared parameters are (Float64Array `params`). */
const P_SETUP = 0; // the 10 setup arguments
const P_LEAN = 10;
const P_U = 11; // full mode: out's base
const P_PLANE = 12; // bytes per slab
const P_ROLL = 13; // lean mode: the rolling slabs' base (3 slabs per band)
const P_BOUNDS = 14; // band b covers slabs [params[P_BOUNDS + b], params[P_BOUNDS + b + 1])

/** Band logic shared by the calling thread and the workers (workers start from source text). */
const BAND_SOURCE = `
function waitFor(ctrl, index, seq) {
  const deadline = Date.now() + 60000;
  for (;;) {
    const v = Atomics.load(ctrl, index);
    if (v === seq) return;
    if (v === -seq) throw new Error("a TV worker thread failed");
    if (Date.now() > deadline) throw new Error("a TV worker thread stopped answering");
    Atomics.wait(ctrl, index, v, 1000);
  }
}
function runBand(k, ctrl, params, sums, band, seq, cmd) {
  k.setup(params[0], params[1], params[2], params[3], params[4], params[5], params[6], params[7], params[8], params[9]);
  const nz = params[5], lean = params[${P_LEAN}] === 1, plane = params[${P_PLANE}];
  const y0 = params[${P_BOUNDS} + band], y1 = params[${P_BOUNDS + 1} + band];
  // Where slab y's out is, for the band that owns it.
  const slab = lean
    ? (b, y) => { const roll = params[${P_ROLL}] + 3 * b * plane; return y === params[${P_BOUNDS} + b] ? roll + 2 * plane : roll + (y & 1) * plane; }
    : (b, y) => params[${P_U}] + y * plane;
  let e = 0, n = 0;
  if (cmd === ${RESULT}) {
    for (let y = y0; y < y1; y++) k.divergence(y, params[0] + y * plane);
  } else {
    const withD = cmd !== ${FUSED_FIRST}, write = cmd !== ${ENERGY};
    if (withD) e += k.divergence(y0, slab(band, y0));
    Atomics.store(ctrl, 2 + 2 * band, seq);
    Atomics.notify(ctrl, 2 + 2 * band);
    for (let y = y0 + 1; y < y1; y++) {
      if (withD) e += k.divergence(y, slab(band, y));
      n += k.update(y - 1, slab(band, y - 1), slab(band, y), write);
    }
    if (y1 < nz) waitFor(ctrl, 2 + 2 * (band + 1), seq);
    const last = slab(band, y1 - 1);
    n += k.update(y1 - 1, last, y1 < nz ? slab(band + 1, y1) : last, write);
  }
  sums[2 * band] = e;
  sums[2 * band + 1] = n;
}
`;

const WORKER_SOURCE = `
const { workerData } = require("node:worker_threads");
${BAND_SOURCE}
const { module, memory, band } = workerData;
const ctrl = new Int32Array(workerData.ctrl), params = new Float64Array(workerData.params), sums = new Float64Array(workerData.sums);
const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
let seq = 0;
for (;;) {
  Atomics.wait(ctrl, 0, seq);
  seq = Atomics.load(ctrl, 0);
  const cmd = Atomics.load(ctrl, 1);
  if (cmd === 0) break;
  try {
    runBand(k, ctrl, params, sums, band, seq, cmd);
    Atomics.store(ctrl, 3 + 2 * band, seq);
  } catch {
    Atomics.store(ctrl, 2 + 2 * band, -seq);
    Atomics.store(ctrl, 3 + 2 * band, -seq);
  }
  Atomics.notify(ctrl, 2 + 2 * band);
  Atomics.notify(ctrl, 3 + 2 * band);
}
`;

type RunBand = (k: Kernel, ctrl: Int32Array, params: Float64Array, sums: Float64Array, band: number, seq: number, cmd: number) => void;
type WaitFor = (ctrl: Int32Array, index: number, seq: number) => void;
const { runBand, waitFor } = new Function(`${BAND_SOURCE}; return { runBand, waitFor };`)() as { runBand: RunBand; waitFor: WaitFor };

const PAGE = 65536;
const MAX_THREADS = 8;
/** Slabs of at least this many values are worth a thread each. */
const MIN_BAND_VALUES = 32768;
/** A pool whose memory grew past this is dropped after the call, so a big volume does not pin it. */
const KEEP_BYTES = 64 * 2 ** 20;

let module: WebAssembly.Module | null | undefined;

/** The compiled kernel, or null where this runtime lacks WebAssembly SIMD or shared memory. */
function kernelModule(): WebAssembly.Module | null {
  if (module === undefined) {
    try {
      module = new WebAssembly.Module(Buffer.from(TV_KERNEL, "base64"));
    } catch {
      module = null;
    }
  }
  return module;
}

/** Can this runtime run the WebAssembly kernel? (Otherwise the JavaScript path runs.) */
export function wasmTvAvailable(): boolean {
  return kernelModule() !== null && typeof SharedArrayBuffer === "function";
}

class Pool {
  readonly memory = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
  readonly kernel: Kernel;
  readonly ctrl = new Int32Array(new SharedArrayBuffer(4 * (2 + 2 * MAX_THREADS)));
  readonly params = new Float64Array(new SharedArrayBuffer(8 * (P_BOUNDS + 1 + MAX_THREADS)));
  readonly sums = new Float64Array(new SharedArrayBuffer(8 * 2 * MAX_THREADS));
  readonly workers: Worker[] = [];
  seq = 0;

  constructor(mod: WebAssembly.Module, readonly threads: number) {
    this.kernel = new WebAssembly.Instance(mod, { env: { memory: this.memory } }).exports as unknown as Kernel;
    for (let band = 1; band < threads; band++) {
      const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], workerData: { module: mod, memory: this.memory, band, ctrl: this.ctrl.buffer, params: this.params.buffer, sums: this.sums.buffer } });
      worker.unref();
      this.workers.push(worker);
    }
  }

  /** Makes the memory at least `bytes` long; returns its current buffer. */
  reserve(bytes: number): ArrayBuffer {
    const have = this.memory.buffer.byteLength;
    if (bytes > have) this.memory.grow(Math.ceil((bytes - have) / PAGE));
    return this.memory.buffer as ArrayBuffer;
  }

  /** Runs one pass (`cmd`) on `bands` bands; returns [Σ d², Σ |g|]. */
  pass(bands: number, cmd: number): [number, number] {
    const seq = ++this.seq;
    if (bands > 1) {
      Atomics.store(this.ctrl, 1, cmd);
      Atomics.store(this.ctrl, 0, seq);
      Atomics.notify(this.ctrl, 0);
    }
    runBand(this.kernel, this.ctrl, this.params, this.sums, 0, seq, cmd);
    let e = this.sums[0]!;
    let n = this.sums[1]!;
    for (let b = 1; b < bands; b++) {
      waitFor(this.ctrl, 3 + 2 * b, seq);
      e += this.sums[2 * b]!;
      n += this.sums[2 * b + 1]!;
    }
    return [e, n];
  }

  close(): void {
    Atomics.store(this.ctrl, 1, 0);
    Atomics.store(this.ctrl, 0, ++this.seq);
    Atomics.notify(this.ctrl, 0);
    for (const w of this.workers) void w.terminate();
  }
}

let pool: Pool | undefined;

/**
 * The iteration is bound by memory bandwidth: on 2 cores a second thread gained ~10% in our
 * measurements and, when the runner's other threads were busy, sometimes cost 3× (each iteration
 * waits for the slower band), so small machines run one thread.
 */
function defaultThreads(): number {
  const n = os.availableParallelism();
  return n <= 2 ? 1 : n;
}

export interface WasmTvOptions {
  weight: number;
  eps: number;
  maxNumIter: number;
  /** Called between iterations with the iteration's energy test; throw to stop. */
  converged: (i: number, e: number) => boolean;
  onIteration?: (i: number) => void;
  /** At most this many threads (default: the machine's up to 8; one on a machine of 2 cores or fewer). */
  threads?: number;
  /** "lean" (the default for volumes) keeps memory within 4× the volume; "full" (images) is one pass per iteration. */
  mode?: "full" | "lean";
  /** Min–max scale the image to [0, 1] before and the result after (normalize.ts's minMaxScale,
   * to the bit), on the kernel's own copies: two passes of JavaScript and an array fewer. */
  scale01?: boolean;
}

/** minMaxScale of `size` float32 values at byte `at` of the kernel's memory, in place. */
function scaleInKernel(kernel: Kernel, buffer: ArrayBuffer, at: number, size: number): void {
  kernel.minMaxF32(at, size);
  const range = kernel.hi() - kernel.lo();
  if (range > 0) kernel.scaleF32(at, size, kernel.lo(), range);
  else new Float32Array(buffer, at, size).fill(0);
}

/**
 * Denoises a 2-D image ([h, w]) or 3-D volume ([d, h, w]) with the WebAssembly kernel; returns a
 * float32 array (for a large volume, a view of the kernel's memory, which is then let go).
 */
export function denoiseTvWasm(image: Float32Array, shape: readonly number[], opts: WasmTvOptions): Float32Array {
  const mod = kernelModule();
  if (!mod) throw new Error("WebAssembly SIMD is not available in this runtime");
  const [nz, ny, nx] = shape.length === 2 ? [shape[0]!, 1, shape[1]!] : [shape[0]!, shape[1]!, shape[2]!];
  const size = nz * ny * nx;
  const lean = (opts.mode ?? (shape.length === 3 ? "lean" : "full")) === "lean";
  const wanted = Math.max(1, Math.min(opts.threads ?? defaultThreads(), MAX_THREADS, Math.floor(size / MIN_BAND_VALUES), Math.floor(nz / 2)));
  if (!pool || pool.threads < wanted) {
    pool?.close();
    pool = new Pool(mod, wanted);
  }
  const p = pool;
  const bands = Math.min(wanted, p.threads);
  // Layout (16-byte aligned): a zero row, image, [out], pz, [py], a zero guard, px, [rolling slabs].
  const align = (n: number) => Math.ceil(n / 16) * 16;
  const arr = align(size * 4);
  const plane = ny * nx * 4;
  const zero = 64;
  const f = zero + align(nx * 4 + 16);
  const u = lean ? 0 : f + arr;
  const pz = (u || f) + arr;
  const py = shape.length === 3 ? pz + arr : 0;
  const px = (py || pz) + arr + 16;
  const roll = px + arr;
  const end = lean ? roll + 3 * bands * plane : roll;
  const buffer = p.reserve(end);
  new Uint8Array(buffer, zero, f - zero).fill(0);
  new Uint8Array(buffer, pz, px + arr - pz).fill(0);
  new Float32Array(buffer, f, size).set(image);
  if (opts.scale01) scaleInKernel(p.kernel, buffer, f, size);
  if (!lean) new Float32Array(buffer, u, size).set(new Float32Array(buffer, f, size));
  const tau = 1 / (2 * shape.length);
  p.params.set([f, pz, py, px, zero, nz, ny, nx, tau, tau / opts.weight], P_SETUP);
  p.params.set([lean ? 1 : 0, u, plane, roll], P_LEAN);
  for (let b = 0; b <= bands; b++) p.params[P_BOUNDS + b] = Math.round((b * nz) / bands);
  const result = lean ? f : u;
  try {
    for (let i = 0; i < opts.maxNumIter; i++) {
      const [d2, normSum] = p.pass(bands, lean ? ENERGY : i > 0 ? FUSED : FUSED_FIRST);
      const converged = opts.converged(i, (d2 + opts.weight * normSum) / size);
      // The result is `out` of the last iteration run: from the p before its update.
      if (lean && (converged || i === opts.maxNumIter - 1)) p.pass(bands, RESULT);
      if (converged) break;
      if (lean && i < opts.maxNumIter - 1) p.pass(bands, UPDATE);
      opts.onIteration?.(i);
    }
    if (opts.scale01) scaleInKernel(p.kernel, buffer, result, size);
    const out = new Float32Array(buffer, result, size);
    return buffer.byteLength > KEEP_BYTES ? out : out.slice();
  } finally {
    if (p.memory.buffer.byteLength > KEEP_BYTES) {
      p.close();
      pool = undefined;
    }
  }
}
