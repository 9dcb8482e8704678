// Per-pixel features as ilastik computes them: Gaussian smoothing, gradient magnitude of Gaussian
// and Laplacian of Gaussian at several scales, plus the raw intensity.

/** Separable Gaussian blur with mirrored borders. */
export function gaussianBlur(image: Float32Array, h: number, w: number, sigma: number): Float32Array {
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const k = Float32Array.from({ length: 2 * radius + 1 }, (_, i) => Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma)));
  const sum = k.reduce((a, b) => a + b, 0);
  for (let i = 0; i < k.length; i++) k[i]! /= sum;
  const mirror = (i: number, n: number) => (i < 0 ? -i - 1 : i >= n ? 2 * n - i - 1 : i);
  const tmp = new Float32Array(h * w);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let acc = 0;
      for (let j = -radius; j <= radius; j++) acc += k[j + radius]! * image[y * w + mirror(Math.min(Math.max(x + j, -w), 2 * w - 1), w)]!;
      tmp[y * w + x] = acc;
    }
  const out = new Float32Array(h * w);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let acc = 0;
      for (let j = -radius; j <= radius; j++) acc += k[j + radius]! * tmp[mirror(Math.min(Math.max(y + j, -h), 2 * h - 1), h) * w + x]!;
      out[y * w + x] = acc;
    }
  return out;
}

export const FEATURES_PER_SCALE = 3;

/** Features of every pixel, pixel-major: [raw, (smooth, gradient, LoG) per sigma]. */
export function pixelFeatures(image: Float32Array, h: number, w: number, sigmas: readonly number[]): { data: Float32Array; count: number } {
  const count = 1 + FEATURES_PER_SCALE * sigmas.length;
  const data = new Float32Array(h * w * count);
  for (let i = 0; i < h * w; i++) data[i * count] = image[i]!;
  sigmas.forEach((sigma, s) => {
    const g = gaussianBlur(image, h, w, sigma);
    const at = (y: number, x: number) => g[Math.min(h - 1, Math.max(0, y)) * w + Math.min(w - 1, Math.max(0, x))]!;
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const i = y * w + x;
        const gx = (at(y, x + 1) - at(y, x - 1)) / 2;
        const gy = (at(y + 1, x) - at(y - 1, x)) / 2;
        const log = at(y, x + 1) + at(y, x - 1) + at(y + 1, x) + at(y - 1, x) - 4 * g[i]!;
        const base = i * count + 1 + s * FEATURES_PER_SCALE;
        data[base] = g[i]!;
        data[base + 1] = Math.hypot(gx, gy);
        data[base + 2] = log;
      }
  });
  return { data, count };
}
