import { FFT_KERNEL } from "./fft-kernel.wasm.js";
import { HelperThread, useHelper, type Op } from "./fft-helper-thread.js";
import type { Complex } from "./fft2d.js";
import type { Correlation } from "./phase-correlation.js";

// Phase cross-correlation's transforms on the WebAssembly SIMD kernel (kernels/fft.ts), for
// power-of-two images: both real images in one complex 2-D FFT, the cross-power spectrum from it,
// one more forward FFT for the correlation peak, and the upsampled DFT's large product. The
// buffers stay in the kernel's memory between calls of the same size. Every step splits in two
// (rows, columns, rows of the product) and a helper thread takes the second half.

interface Kernel {
  fftRows(p: number, rows: number, n: number, tw: number): void;
  fftCols(p: number, h: number, w: number, tw: number, c0: number, c1: number): void;
  crossPower(z: number, out: number, copy: number, h: number, w: number, floor: number, y0: number, y1: number): void;
  dftRows(d: number, k: number, tmp: number, h: number, w: number, region: number, y0: number, y1: number): void;
}

interface Instance {
  k: Kernel;
  memory: WebAssembly.Memory;
  /** The second thread (undefined on one core, or where it could not start). */
  helper?: HelperThread;
}

/** Runs the two halves of a step: `theirs` on the helper thread (if any) while this thread runs `mine`. */
function split(inst: Instance, op: Op, mine: number[], theirs: number[]): void {
  const run = (args: number[]) => (inst.k[op] as (...a: number[]) => void)(...args);
  if (!inst.helper) {
    run(mine);
    run(theirs);
    return;
  }
  const wait = inst.helper.start(op, theirs);
  run(mine);
  wait();
}

const PAGE = 65536;
/** Memory past this is given back after the call (shared memory cannot shrink). */
const KEEP_BYTES = 128 * 2 ** 20;
const isPow2 = (n: number) => n >= 2 && (n & (n - 1)) === 0;

let kernel: Instance | null | undefined;

function instance(): Instance | null {
  if (kernel === undefined) {
    try {
      const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
      const module = new WebAssembly.Module(Buffer.from(FFT_KERNEL, "base64"));
      const k = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as Kernel;
      kernel = { k, memory };
      try {
        if (useHelper()) kernel.helper = new HelperThread(module, memory);
      } catch {
        // No worker threads here: one thread does both halves.
      }
    } catch {
      kernel = null;
    }
  }
  return kernel;
}

/** Threads the kernel's transforms run on (2 with the helper thread, else 1); 0 without the kernel. */
export function fftThreads(): number {
  const inst = instance();
  return inst ? (inst.helper ? 2 : 1) : 0;
}

/** Can this runtime run the WebAssembly kernel? */
export function wasmFftAvailable(): boolean {
  return instance() !== null;
}

/** Writes the twiddles of a length-n forward FFT at byte `at`: per k < n/2, [c, c] and [−s, s]. */
function writeTwiddles(view: Float64Array, at: number, n: number): void {
  for (let k = 0; k < n / 2; k++) {
    const angle = (-2 * Math.PI * k) / n;
    const c = Math.cos(angle);
    const s = Math.sin(angle);
    view.set([c, c, -s, s], at / 8 + 4 * k);
  }
}

/** The correlation of two power-of-two images on the kernel; undefined where it cannot run. */
export function correlateWasm(reference: ArrayLike<number>, moving: ArrayLike<number>, h: number, w: number, floor: number): Correlation | undefined {
  const inst = isPow2(h) && isPow2(w) ? instance() : null;
  if (!inst) return undefined;
  const { memory } = inst;
  const n = h * w;
  // Layout: z (both images, then their spectrum), p (conjugated cross-power), c (its transform),
  // the row and column twiddles.
  const z = 64;
  const p = z + 16 * n;
  const c = p + 16 * n;
  const twW = c + 16 * n;
  const twH = twW + 16 * w;
  const end = twH + 16 * h;
  if (end > memory.buffer.byteLength) memory.grow(Math.ceil((end - memory.buffer.byteLength) / PAGE));
  const f64 = new Float64Array(memory.buffer);
  writeTwiddles(f64, twW, w);
  writeTwiddles(f64, twH, h);
  const zs = z / 8;
  for (let i = 0; i < n; i++) {
    f64[zs + 2 * i] = reference[i]!;
    f64[zs + 2 * i + 1] = moving[i]!;
  }
  const [h2, w2] = [h >> 1, w >> 1];
  const fft2d = (at: number) => {
    split(inst, "fftRows", [at, h2, w, twW], [at + 16 * h2 * w, h - h2, w, twW]);
    split(inst, "fftCols", [at, h, w, twH, 0, w2], [at, h, w, twH, w2, w]);
  };
  fft2d(z);
  split(inst, "crossPower", [z, p, c, h, w, floor, 0, h2], [z, p, c, h, w, floor, h2, h]);
  fft2d(c);
  let peak = 0;
  let best = -1;
  for (let i = 0, o = c / 8; i < n; i++, o += 2) {
    const v = f64[o]! * f64[o]! + f64[o + 1]! * f64[o + 1]!;
    if (v > best) {
      best = v;
      peak = i;
    }
  }
  // A later call starts afresh; this correlation keeps its own memory until it is dropped.
  if (memory.buffer.byteLength > KEEP_BYTES) {
    kernel = undefined;
    // Its thread goes with it (the upsampled DFT below then runs on this thread alone).
    inst.helper?.close();
    inst.helper = undefined;
  }
  return {
    peak,
    dftRows(kx: Complex, region: number): Complex {
      const kAt = end;
      const tmp = kAt + 32 * region * w;
      const need = tmp + 16 * region * h;
      if (need > memory.buffer.byteLength) memory.grow(Math.ceil((need - memory.buffer.byteLength) / PAGE));
      const view = new Float64Array(memory.buffer);
      for (let i = 0, o = kAt / 8; i < region * w; i++, o += 4) {
        view[o] = view[o + 1] = kx[2 * i]!;
        view[o + 2] = view[o + 3] = kx[2 * i + 1]!;
      }
      split(inst, "dftRows", [p, kAt, tmp, h, w, region, 0, h2], [p, kAt, tmp, h, w, region, h2, h]);
      return view.slice(tmp / 8, tmp / 8 + 2 * region * h);
    },
  };
}
