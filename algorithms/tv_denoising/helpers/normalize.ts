// The Compox denoising template's scaling: min–max over the whole stack to 0–1, as float32.

/** Scales all values of `data` together to [0, 1] (a constant stack becomes zeros). */
export function minMaxScale(data: ArrayLike<number | bigint>): Float32Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = Number(data[i]);
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const out = new Float32Array(data.length);
  const range = hi - lo;
  if (!(range > 0)) return out;
  for (let i = 0; i < data.length; i++) out[i] = (Number(data[i]) - lo) / range;
  return out;
}
