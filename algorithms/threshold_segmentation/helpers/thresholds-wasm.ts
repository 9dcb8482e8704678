import { THRESHOLDS_KERNEL } from "./thresholds-kernel.wasm.js";

// The threshold family's pixel passes on the WebAssembly SIMD kernel (kernels/thresholds.ts):
// one copy of the image into the kernel's memory serves its histogram, its range and its mask.
// Where WebAssembly SIMD is missing, `loadPixels` returns undefined and thresholds.ts runs its
// JavaScript loops instead.

interface Kernel {
  histU8(src: number, n: number, counts: number): void;
  histU16(src: number, n: number, counts: number): void;
  minMaxF32(src: number, n: number): void;
  lo(): number;
  hi(): number;
  maskGtU8(src: number, n: number, t: number, dst: number): void;
  maskGtU16(src: number, n: number, t: number, dst: number): void;
  maskGtF32(src: number, n: number, t: number, dst: number): void;
}

const PAGE = 65536;
/** Scratch for the u16 histogram (2 × 65536 counts), then the image, then its mask. */
const COUNTS = 64;
const SRC = COUNTS + 2 * 65536 * 4;
/** Memory past this is given back after the call that needed it. */
const KEEP_BYTES = 64 * 2 ** 20;

let kernel: { k: Kernel; memory: WebAssembly.Memory } | null | undefined;
/** The image now in the kernel's memory: loading another replaces it, and a stale handle reloads. */
let loaded: unknown;

function instance(): { k: Kernel; memory: WebAssembly.Memory } | null {
  if (kernel === undefined) {
    try {
      const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
      const k = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(THRESHOLDS_KERNEL, "base64")), { env: { memory } }).exports as unknown as Kernel;
      kernel = { k, memory };
    } catch {
      kernel = null;
    }
  }
  return kernel;
}

/** Can this runtime run the WebAssembly kernel? */
export function wasmThresholdsAvailable(): boolean {
  return instance() !== null;
}

/** The largest float32 that is ≤ t, so that for float32 x: x > t ⇔ x > it. */
function float32AtOrBelow(t: number): number {
  const f = Math.fround(t);
  if (f <= t || !Number.isFinite(f)) return f;
  const bits = new Float32Array([f]);
  const u = new Int32Array(bits.buffer);
  u[0]! += f > 0 ? -1 : 1;
  return bits[0]!;
}

/** An image copied into the kernel's memory; its passes read that copy. */
export interface WasmPixels {
  /** Counts per value from the minimum to the maximum (integer images). */
  counts(): { counts: Float64Array; lo: number; hi: number };
  /** Minimum and maximum (float32 images; NaN skipped). */
  range(): [number, number];
  /** out[i] = image[i] > t ? 1 : 0. */
  maskAbove(t: number, out: Uint8Array): void;
}

/** Copies a uint8, uint16 or float32 image into the kernel; undefined for other types or without WebAssembly SIMD. */
export function loadPixels(image: ArrayLike<number>): WasmPixels | undefined {
  const inst = instance();
  const kind = image instanceof Uint8Array ? "u8" : image instanceof Uint16Array ? "u16" : image instanceof Float32Array ? "f32" : undefined;
  if (!inst || !kind || image.length === 0) return undefined;
  const { k, memory } = inst;
  const n = image.length;
  const bytes = (image as Uint8Array).byteLength;
  const dst = SRC + Math.ceil(bytes / 16) * 16;
  const need = dst + n;
  if (need > memory.buffer.byteLength) memory.grow(Math.ceil((need - memory.buffer.byteLength) / PAGE));
  const handle = {};
  const load = () => {
    if (loaded === handle) return;
    new (image.constructor as typeof Uint8Array)(memory.buffer, SRC, n).set(image as Uint8Array);
    loaded = handle;
  };
  load();
  const release = () => {
    // Shared memory cannot shrink: drop the instance so a large image's memory is freed.
    if (memory.buffer.byteLength > KEEP_BYTES) kernel = undefined;
  };
  return {
    counts() {
      if (kind === "f32") throw new Error("counts() is for integer images");
      const bins = kind === "u8" ? 256 : 65536;
      load();
      (kind === "u8" ? k.histU8 : k.histU16)(SRC, n, COUNTS);
      const all = new Uint32Array(memory.buffer, COUNTS, bins);
      let lo = 0;
      while (all[lo] === 0) lo++;
      let hi = bins - 1;
      while (all[hi] === 0) hi--;
      return { counts: Float64Array.from(all.subarray(lo, hi + 1)), lo, hi };
    },
    range() {
      if (kind !== "f32") throw new Error("range() is for float32 images");
      load();
      k.minMaxF32(SRC, n);
      return [k.lo(), k.hi()];
    },
    maskAbove(t, out) {
      load();
      if (Number.isNaN(t)) out.fill(0);
      else if (kind === "f32") {
        k.maskGtF32(SRC, n, float32AtOrBelow(t), dst);
        out.set(new Uint8Array(memory.buffer, dst, n));
      } else {
        const max = kind === "u8" ? 255 : 65535;
        // For integers x > t ⇔ x > ⌊t⌋; below 0 every pixel is above, from the maximum none is.
        if (t < 0) out.fill(1);
        else if (t >= max) out.fill(0);
        else {
          (kind === "u8" ? k.maskGtU8 : k.maskGtU16)(SRC, n, Math.floor(t), dst);
          out.set(new Uint8Array(memory.buffer, dst, n));
        }
      }
      release();
    },
  };
}
