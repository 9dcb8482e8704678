// The "local" method: a threshold per pixel, scikit-image's threshold_local with method "gaussian"
// (a Gaussian-weighted mean of the block around each pixel, minus the offset).
import type { Pixels } from "./thresholds.js";

/** scipy.ndimage.gaussian_filter on a 2-D float64 image, mode "reflect", truncate 4. */
export function gaussianFilter2d(image: Float64Array, h: number, w: number, sigma: number): Float64Array {
  const radius = Math.floor(4 * sigma + 0.5);
  const kernel = Float64Array.from({ length: 2 * radius + 1 }, (_, i) => Math.exp((-0.5 * (i - radius) ** 2) / (sigma * sigma)));
  const sum = kernel.reduce((a, b) => a + b, 0);
  for (let i = 0; i < kernel.length; i++) kernel[i]! /= sum;
  // "reflect" = half-sample symmetric: d c b a | a b c d | d c b a.
  const reflect = (i: number, n: number) => {
    const period = 2 * n;
    let j = ((i % period) + period) % period;
    if (j >= n) j = period - 1 - j;
    return j;
  };
  const tmp = new Float64Array(h * w);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let acc = 0;
      for (let k = -radius; k <= radius; k++) acc += kernel[k + radius]! * image[reflect(y + k, h) * w + x]!;
      tmp[y * w + x] = acc;
    }
  const out = new Float64Array(h * w);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let acc = 0;
      for (let k = -radius; k <= radius; k++) acc += kernel[k + radius]! * tmp[y * w + reflect(x + k, w)]!;
      out[y * w + x] = acc;
    }
  return out;
}

/** threshold_local(image, block_size, method="gaussian", offset): a threshold per pixel. */
export function thresholdLocal(image: Pixels, h: number, w: number, blockSize: number, offset: number): Float64Array {
  if (blockSize % 2 === 0) throw new Error(`block_size must be odd, got ${blockSize}`);
  const t = gaussianFilter2d(Float64Array.from(image as ArrayLike<number>), h, w, (blockSize - 1) / 6);
  for (let i = 0; i < t.length; i++) t[i]! -= offset;
  return t;
}
