// Chambolle's total-variation denoising on 2-D or 3-D float32 arrays, step for step the algorithm
// of scikit-image's `denoise_tv_chambolle` (same update, same energy and stopping rule), with the
// loops fused so each iteration reads the arrays a few times instead of a dozen.

export interface TvOptions {
  weight: number;
  eps?: number;
  maxNumIter?: number;
  /** Called between iterations; throw to stop. */
  onIteration?: (i: number) => void;
}

/** Denoises `image` of `shape` (2-D or 3-D, row-major); returns a new float32 array. */
export function denoiseTvChambolle(image: Float32Array, shape: readonly number[], opts: TvOptions): Float32Array {
  const { weight, eps = 2e-4, maxNumIter = 200 } = opts;
  const ndim = shape.length;
  if (ndim < 1 || ndim > 3) throw new Error(`TV denoising supports 1-D to 3-D arrays, got ${ndim}-D`);
  if (!(weight > 0)) return Float32Array.from(image);
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
  let eInit = 0;
  let ePrev = 0;
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
    if (i === 0) {
      eInit = e;
      ePrev = e;
    } else if (Math.abs(ePrev - e) < eps * eInit) break;
    else ePrev = e;
    opts.onIteration?.(i);
  }
  return out;
}
