// Per-pixel features as ilastik computes them: Gaussian smoothing, gradient magnitude of Gaussian
// and Laplacian of Gaussian at several scales, plus the raw intensity.

/** Separable Gaussian blur with mirrored borders. */
export function gaussianBlur(image: Float32Array, h: number, w: number, sigma: number): Float32Array {
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const k = Float32Array.from({ length: 2 * radius + 1 }, (_, i) => Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma)));
  const sum = k.reduce((a, b) => a + b, 0);
  for (let i = 0; i < k.length; i++) k[i]! /= sum;
  const mirror = (i: number, n: number) => (i < 0 ? -i - 1 : i >= n ? 2 * n - i - 1 : i);
  const taps = k.length;
  // Rows: pixels whose window stays inside the row skip the border arithmetic.
  const tmp = new Float32Array(h * w);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      let acc = 0;
      if (x >= radius && x + radius < w) {
        const start = row + x - radius;
        for (let j = 0; j < taps; j++) acc += k[j]! * image[start + j]!;
      } else for (let j = -radius; j <= radius; j++) acc += k[j + radius]! * image[row + mirror(Math.min(Math.max(x + j, -w), 2 * w - 1), w)]!;
      tmp[row + x] = acc;
    }
  }
  // Columns, the same way, walking whole rows so memory is read in order.
  const out = new Float32Array(h * w);
  for (let y = 0; y < h; y++) {
    const inside = y >= radius && y + radius < h;
    for (let j = -radius; j <= radius; j++) {
      const src = (inside ? y + j : mirror(Math.min(Math.max(y + j, -h), 2 * h - 1), h)) * w;
      const weight = k[j + radius]!;
      const dst = y * w;
      for (let x = 0; x < w; x++) out[dst + x]! += weight * tmp[src + x]!;
    }
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
        const c = g[i]!;
        // Neighbours, clamped at the border (the interior reads them directly).
        const interior = x > 0 && y > 0 && x < w - 1 && y < h - 1;
        const east = interior ? g[i + 1]! : at(y, x + 1);
        const west = interior ? g[i - 1]! : at(y, x - 1);
        const south = interior ? g[i + w]! : at(y + 1, x);
        const north = interior ? g[i - w]! : at(y - 1, x);
        const gx = (east - west) / 2;
        const gy = (south - north) / 2;
        const base = i * count + 1 + s * FEATURES_PER_SCALE;
        data[base] = c;
        data[base + 1] = Math.sqrt(gx * gx + gy * gy);
        data[base + 2] = east + west + south + north - 4 * c;
      }
  });
  return { data, count };
}
