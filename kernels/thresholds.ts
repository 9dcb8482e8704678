// AssemblyScript: the pixel passes of the threshold family — integer histograms, min/max of float
// images, and the mask image > t — so every global method can be computed from one histogram.
// Compiled by scripts/build-kernels.mjs into algorithms/threshold_segmentation/helpers/
// thresholds-kernel.wasm.ts; called from helpers/thresholds-wasm.ts. Pointers are byte offsets
// into memory the caller laid out.

/** counts[v] += 1 for every uint8 v (256 × u32 at `counts`; 4 KB of scratch after them). */
export function histU8(src: usize, n: i32, counts: usize): void {
  // Four sub-histograms: runs of equal pixels would otherwise wait on their own stores.
  memory.fill(counts, 0, 4 * 1024);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = load<u32>(src + <usize>i);
    const a = counts + ((v & 255) << 2);
    const b = counts + 1024 + (((v >> 8) & 255) << 2);
    const c = counts + 2048 + (((v >> 16) & 255) << 2);
    const d = counts + 3072 + ((v >> 24) << 2);
    store<u32>(a, load<u32>(a) + 1);
    store<u32>(b, load<u32>(b) + 1);
    store<u32>(c, load<u32>(c) + 1);
    store<u32>(d, load<u32>(d) + 1);
  }
  for (; i < n; i++) {
    const a = counts + (<usize>load<u8>(src + <usize>i) << 2);
    store<u32>(a, load<u32>(a) + 1);
  }
  for (let k: usize = 0; k < 1024; k += 16) {
    const s = i32x4.add(i32x4.add(v128.load(counts + k), v128.load(counts + 1024 + k)), i32x4.add(v128.load(counts + 2048 + k), v128.load(counts + 3072 + k)));
    v128.store(counts + k, s);
  }
}

/** counts[v] += 1 for every uint16 v (65536 × u32 at `counts`; 256 KB of scratch after them). */
export function histU16(src: usize, n: i32, counts: usize): void {
  const half: usize = 65536 * 4;
  memory.fill(counts, 0, 2 * half);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const v = load<u32>(src + (<usize>i << 1));
    const a = counts + ((v & 65535) << 2);
    const b = counts + half + ((v >> 16) << 2);
    store<u32>(a, load<u32>(a) + 1);
    store<u32>(b, load<u32>(b) + 1);
  }
  if (i < n) {
    const a = counts + (<usize>load<u16>(src + (<usize>i << 1)) << 2);
    store<u32>(a, load<u32>(a) + 1);
  }
  for (let k: usize = 0; k < half; k += 16) v128.store(counts + k, i32x4.add(v128.load(counts + k), v128.load(counts + half + k)));
}

export { minMaxF32, lo, hi } from "./min-max";

/** dst[i] = src[i] > t ? 1 : 0 for uint8 src (t an integer cut, 0–255). */
export function maskGtU8(src: usize, n: i32, t: i32, dst: usize): void {
  const cut = i8x16.splat(<i8>t);
  const one = i8x16.splat(1);
  let i = 0;
  for (; i + 16 <= n; i += 16) v128.store(dst + <usize>i, v128.and(i8x16.gt_u(v128.load(src + <usize>i), cut), one));
  for (; i < n; i++) store<u8>(dst + <usize>i, load<u8>(src + <usize>i) > <u8>t ? 1 : 0);
}

/** dst[i] = src[i] > t ? 1 : 0 for uint16 src (t an integer cut, 0–65535). */
export function maskGtU16(src: usize, n: i32, t: i32, dst: usize): void {
  const cut = i16x8.splat(<i16>t);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const a = i16x8.shr_u(i16x8.gt_u(v128.load(src + (<usize>i << 1)), cut), 15);
    const b = i16x8.shr_u(i16x8.gt_u(v128.load(src + (<usize>i << 1) + 16), cut), 15);
    v128.store(dst + <usize>i, i8x16.narrow_i16x8_u(a, b));
  }
  for (; i < n; i++) store<u8>(dst + <usize>i, load<u16>(src + (<usize>i << 1)) > <u16>t ? 1 : 0);
}

/** dst[i] = src[i] > t ? 1 : 0 for float32 src (NaN compares false). */
export function maskGtF32(src: usize, n: i32, t: f32, dst: usize): void {
  const cut = f32x4.splat(t);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const p = src + (<usize>i << 2);
    const a = i32x4.shr_u(f32x4.gt(v128.load(p), cut), 31);
    const b = i32x4.shr_u(f32x4.gt(v128.load(p + 16), cut), 31);
    const c = i32x4.shr_u(f32x4.gt(v128.load(p + 32), cut), 31);
    const d = i32x4.shr_u(f32x4.gt(v128.load(p + 48), cut), 31);
    v128.store(dst + <usize>i, i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_u(a, b), i16x8.narrow_i32x4_u(c, d)));
  }
  for (; i < n; i++) store<u8>(dst + <usize>i, load<f32>(src + (<usize>i << 2)) > t ? 1 : 0);
}
