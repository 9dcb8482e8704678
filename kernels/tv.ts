// AssemblyScript: one Chambolle TV iteration (scikit-image's denoise_tv_chambolle) over slabs of
// a 2-D image or 3-D volume, four float32 lanes at a time. Compiled by scripts/build-kernels.mjs
// into algorithms/tv_denoising/helpers/tv-kernel.wasm.ts; orchestrated by helpers/tv-wasm.ts.
//
// Axis 0 is the slab axis (rows of a 2-D image, planes of a volume). A slab is NY rows of NX
// values; a 2-D image has NY = 1 and no py array (PY = 0 points the py rows at ZERO, a row of
// zeros, so the same code serves both). The memory is shared by all threads: each instance keeps
// only its own globals, and the calling JavaScript owns the layout.
//
// Invariants used to stay branch-free: p along an axis stays 0 on that axis's last index
// (its gradient there is 0), so px[-1] of a row reads the previous row's last px = 0, and a 16-byte
// guard of zeros sits before PX for the very first element.
//
// `out` lives wherever the caller points: a whole array (one fused pass per iteration) or a few
// rolling slabs (the lean mode for volumes: an energy pass, then an update pass, and the result
// written over the image at the end), so the kernel itself never assumes where a slab's out is.

export { minMaxF32, lo, hi } from "./min-max";

let F: usize = 0; // the image
let PZ: usize = 0;
let PY: usize = 0;
let PX: usize = 0;
let ZERO: usize = 0;
let NZ: i32 = 0;
let NY: i32 = 0;
let NX: i32 = 0;
let TAU: f32 = 0;
let K: f32 = 0;

/** Sets this instance's view of the shared layout (byte offsets; py = 0 for 2-D). */
export function setup(f: usize, pz: usize, py: usize, px: usize, zero: usize, nz: i32, ny: i32, nx: i32, tau: f32, k: f32): void {
  F = f;
  PZ = pz;
  PY = py;
  PX = px;
  ZERO = zero;
  NZ = nz;
  NY = ny;
  NX = nx;
  TAU = tau;
  K = k;
}

@inline function sumLanes(v: v128): f64 {
  return <f64>f32x4.extract_lane(v, 0) + <f64>f32x4.extract_lane(v, 1) + <f64>f32x4.extract_lane(v, 2) + <f64>f32x4.extract_lane(v, 3);
}

/** d = −div p on slab z (backward differences), out = image + d into `slab`; returns Σ d². */
export function divergence(z: i32, slab: usize): f64 {
  const plane = <usize>(NY * NX) << 2;
  let e: f64 = 0;
  for (let y = 0; y < NY; y++) {
    const o = <usize>z * plane + (<usize>(y * NX) << 2);
    const pz = PZ + o;
    const pzPrev = z > 0 ? pz - plane : ZERO;
    const py = PY ? PY + o : ZERO;
    const pyPrev = PY && y > 0 ? py - (<usize>NX << 2) : ZERO;
    const px = PX + o;
    const f = F + o;
    const u = slab + (<usize>(y * NX) << 2);
    let acc = f32x4.splat(0);
    let x = 0;
    for (; x + 4 <= NX; x += 4) {
      const b = <usize>x << 2;
      let v = f32x4.sub(v128.load(pzPrev + b), v128.load(pz + b));
      v = f32x4.add(v, f32x4.sub(v128.load(pyPrev + b), v128.load(py + b)));
      v = f32x4.add(v, f32x4.sub(v128.load(px + b - 4), v128.load(px + b)));
      v128.store(u + b, f32x4.add(v128.load(f + b), v));
      acc = f32x4.add(acc, f32x4.mul(v, v));
    }
    let tail: f32 = 0;
    for (; x < NX; x++) {
      const b = <usize>x << 2;
      const v: f32 = load<f32>(pzPrev + b) - load<f32>(pz + b) + (load<f32>(pyPrev + b) - load<f32>(py + b)) + (load<f32>(px + b - 4) - load<f32>(px + b));
      store<f32>(u + b, load<f32>(f + b) + v);
      tail += v * v;
    }
    e += sumLanes(acc) + <f64>tail;
  }
  return e;
}

/**
 * g = forward differences of out on slab r (its out at `slab`, slab r+1's at `next`, the same
 * pointer for the last slab); p ← (p − τ g) / (1 + k |g|) when `write`; returns Σ |g|.
 */
export function update(r: i32, slab: usize, next: usize, write: bool): f64 {
  const plane = <usize>(NY * NX) << 2;
  const rowBytes = <usize>NX << 2;
  const tau = f32x4.splat(TAU);
  const k = f32x4.splat(K);
  const one = f32x4.splat(1);
  let normSum: f64 = 0;
  for (let y = 0; y < NY; y++) {
    const o = <usize>r * plane + (<usize>(y * NX) << 2);
    const u = slab + (<usize>(y * NX) << 2);
    // On the last index of an axis the gradient is 0: the "next" row is the row itself.
    const uz = next + (<usize>(y * NX) << 2);
    const uy = PY && y < NY - 1 ? u + rowBytes : u;
    const pz = PZ + o;
    const py = PY ? PY + o : ZERO;
    const px = PX + o;
    let acc = f32x4.splat(0);
    let x = 0;
    // The last column (gx = 0) is left to the scalar tail.
    for (; x + 4 < NX; x += 4) {
      const b = <usize>x << 2;
      const u0 = v128.load(u + b);
      const gz = f32x4.sub(v128.load(uz + b), u0);
      const gy = f32x4.sub(v128.load(uy + b), u0);
      const gx = f32x4.sub(v128.load(u + b + 4), u0);
      const norm = f32x4.sqrt(f32x4.add(f32x4.add(f32x4.mul(gz, gz), f32x4.mul(gy, gy)), f32x4.mul(gx, gx)));
      acc = f32x4.add(acc, norm);
      if (write) {
        const scale = f32x4.add(f32x4.mul(norm, k), one);
        v128.store(pz + b, f32x4.div(f32x4.sub(v128.load(pz + b), f32x4.mul(tau, gz)), scale));
        v128.store(py + b, f32x4.div(f32x4.sub(v128.load(py + b), f32x4.mul(tau, gy)), scale));
        v128.store(px + b, f32x4.div(f32x4.sub(v128.load(px + b), f32x4.mul(tau, gx)), scale));
      }
    }
    let tail: f64 = 0;
    for (; x < NX; x++) {
      const b = <usize>x << 2;
      const u0 = load<f32>(u + b);
      const gz: f32 = load<f32>(uz + b) - u0;
      const gy: f32 = load<f32>(uy + b) - u0;
      const gx: f32 = x < NX - 1 ? load<f32>(u + b + 4) - u0 : 0;
      const norm: f32 = Mathf.sqrt(gz * gz + gy * gy + gx * gx);
      tail += <f64>norm;
      if (write) {
        const scale: f32 = norm * K + 1;
        store<f32>(pz + b, (load<f32>(pz + b) - TAU * gz) / scale);
        store<f32>(py + b, (load<f32>(py + b) - TAU * gy) / scale);
        store<f32>(px + b, (load<f32>(px + b) - TAU * gx) / scale);
      }
    }
    normSum += sumLanes(acc) + tail;
  }
  return normSum;
}

/**
 * v = (v − lo) / range for n float32 values at `at`, in place: the Compox template's min–max
 * scaling. Computed in float64 lanes and rounded once to float32, as the JavaScript path does
 * (Float32Array stores of double arithmetic), so both give the same bits.
 */
export function scaleF32(at: usize, n: i32, lo: f64, range: f64): void {
  const l = f64x2.splat(lo);
  const r = f64x2.splat(range);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const p = at + (<usize>i << 2);
    const v = v128.load(p);
    const high = i8x16.shuffle(v, v, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7);
    const a = f32x4.demote_f64x2_zero(f64x2.div(f64x2.sub(f64x2.promote_low_f32x4(v), l), r));
    const b = f32x4.demote_f64x2_zero(f64x2.div(f64x2.sub(f64x2.promote_low_f32x4(high), l), r));
    v128.store(p, i8x16.shuffle(a, b, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23));
  }
  for (; i < n; i++) {
    const p = at + (<usize>i << 2);
    store<f32>(p, <f32>((<f64>load<f32>(p) - lo) / range));
  }
}
