// Per-pixel features as ilastik computes them: Gaussian smoothing, gradient magnitude of Gaussian
// and Laplacian of Gaussian at several scales, plus the raw intensity.

/** Separable Gaussian blur with mirrored borders. The kernel is symmetric, so each pair of taps
 * j and −j is added before it is weighted: half the multiplications. */
export function gaussianBlur(image: Float32Array, h: number, w: number, sigma: number): Float32Array {
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const k = Float32Array.from({ length: 2 * radius + 1 }, (_, i) => Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma)));
  const sum = k.reduce((a, b) => a + b, 0);
  for (let i = 0; i < k.length; i++) k[i]! /= sum;
  const half = k.subarray(radius); // half[j] weighs the taps at distance j
  const mirror = (i: number, n: number) => (i < 0 ? -i - 1 : i >= n ? 2 * n - i - 1 : i);
  const clampMirror = (i: number, n: number) => mirror(Math.min(Math.max(i, -n), 2 * n - 1), n);
  // Rows: pixels whose window stays inside the row skip the border arithmetic.
  const tmp = new Float32Array(h * w);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      const c = row + x;
      let acc = half[0]! * image[c]!;
      if (x >= radius && x + radius < w) for (let j = 1; j <= radius; j++) acc += half[j]! * (image[c - j]! + image[c + j]!);
      else for (let j = 1; j <= radius; j++) acc += half[j]! * (image[row + clampMirror(x - j, w)]! + image[row + clampMirror(x + j, w)]!);
      tmp[c] = acc;
    }
  }
  // Columns, the same way, walking whole rows so memory is read in order.
  const out = new Float32Array(h * w);
  for (let y = 0; y < h; y++) {
    const dst = y * w;
    const centre = half[0]!;
    for (let x = 0; x < w; x++) out[dst + x] = centre * tmp[dst + x]!;
    for (let j = 1; j <= radius; j++) {
      const up = clampMirror(y - j, h) * w;
      const down = clampMirror(y + j, h) * w;
      const weight = half[j]!;
      for (let x = 0; x < w; x++) out[dst + x]! += weight * (tmp[up + x]! + tmp[down + x]!);
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
    const offset = 1 + s * FEATURES_PER_SCALE;
    // Neighbours clamped at the border: the rows above and below are clamped once per row, the
    // first and last columns take themselves as their missing neighbour.
    const put = (i: number, c: number, east: number, west: number, south: number, north: number) => {
      const gx = (east - west) / 2;
      const gy = (south - north) / 2;
      const base = i * count + offset;
      data[base] = c;
      data[base + 1] = Math.sqrt(gx * gx + gy * gy);
      data[base + 2] = east + west + south + north - 4 * c;
    };
    for (let y = 0; y < h; y++) {
      const row = y * w;
      const north = (y > 0 ? y - 1 : 0) * w;
      const south = (y < h - 1 ? y + 1 : h - 1) * w;
      const last = w - 1;
      put(row, g[row]!, g[row + Math.min(1, last)]!, g[row]!, g[south]!, g[north]!);
      for (let x = 1; x < last; x++) put(row + x, g[row + x]!, g[row + x + 1]!, g[row + x - 1]!, g[south + x]!, g[north + x]!);
      if (last > 0) put(row + last, g[row + last]!, g[row + last]!, g[row + last - 1]!, g[south + last]!, g[north + last]!);
    }
  });
  return { data, count };
}

/** Features kept at most this large (a 2048² image's are 168 MB). */
const CACHE_BYTES = 256 * 2 ** 20;
let last: { image: Float32Array; h: number; w: number; sigmas: string; data: Float32Array; count: number } | undefined;

const sameBytes = (a: Float32Array, b: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/**
 * pixelFeatures, keeping the last image's: the label loop trains on the image being labelled and
 * then predicts it, in the same runner, so its features are computed once per stroke instead of
 * twice. A hit is the same pixels (compared whole, not hashed), size and sigmas; callers must not
 * change what they are given.
 */
export function cachedPixelFeatures(image: Float32Array, h: number, w: number, sigmas: readonly number[]): { data: Float32Array; count: number } {
  const key = sigmas.join(",");
  if (last && last.h === h && last.w === w && last.sigmas === key && sameBytes(last.image, image)) return last;
  const features = pixelFeatures(image, h, w, sigmas);
  last = features.data.byteLength <= CACHE_BYTES ? { image: image.slice(), h, w, sigmas: key, ...features } : undefined;
  return features;
}
