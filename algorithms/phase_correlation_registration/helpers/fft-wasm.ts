import { FFT_KERNEL } from "./fft-kernel.wasm.js";
import type { Complex } from "./fft2d.js";
import type { Correlation } from "./phase-correlation.js";

// Phase cross-correlation's transforms on the WebAssembly SIMD kernel (kernels/fft.ts), for
// power-of-two images: both real images in one complex 2-D FFT, the cross-power spectrum from it,
// one more forward FFT for the correlation peak, and the upsampled DFT's large product. The
// buffers stay in the kernel's memory between calls of the same size.

interface Kernel {
  fftRows(p: number, rows: number, n: number, tw: number): void;
  fftCols(p: number, h: number, w: number, tw: number): void;
  crossPower(z: number, out: number, h: number, w: number, floor: number): void;
  dftRows(d: number, k: number, tmp: number, h: number, w: number, region: number): void;
}

const PAGE = 65536;
/** Memory past this is given back after the call (shared memory cannot shrink). */
const KEEP_BYTES = 128 * 2 ** 20;
const isPow2 = (n: number) => n >= 2 && (n & (n - 1)) === 0;

let kernel: { k: Kernel; memory: WebAssembly.Memory } | null | undefined;

function instance(): { k: Kernel; memory: WebAssembly.Memory } | null {
  if (kernel === undefined) {
    try {
      const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
      const k = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(FFT_KERNEL, "base64")), { env: { memory } }).exports as unknown as Kernel;
      kernel = { k, memory };
    } catch {
      kernel = null;
    }
  }
  return kernel;
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
  const { k, memory } = inst;
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
  k.fftRows(z, h, w, twW);
  k.fftCols(z, h, w, twH);
  k.crossPower(z, p, h, w, floor);
  f64.copyWithin(c / 8, p / 8, p / 8 + 2 * n);
  k.fftRows(c, h, w, twW);
  k.fftCols(c, h, w, twH);
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
  if (memory.buffer.byteLength > KEEP_BYTES) kernel = undefined;
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
      k.dftRows(p, kAt, tmp, h, w, region);
      return view.slice(tmp / 8, tmp / 8 + 2 * region * h);
    },
  };
}
