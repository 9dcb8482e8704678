// A synthetic two-class image for the pixel classifier: textured bright blobs (class 2) on a
// smooth, slightly noisy background (class 1). Deterministic for a seed.

export interface TwoClassImage {
  image: Float32Array;
  labels: Uint8Array;
  h: number;
  w: number;
}

export function twoClassImage(h: number, w: number, seed: number): TwoClassImage {
  let s = seed >>> 0;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const blobs = Array.from({ length: 6 }, () => [rand() * w, rand() * h, 8 + rand() * 14] as const);
  const image = new Float32Array(h * w);
  const labels = new Uint8Array(h * w);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const inside = blobs.some(([cx, cy, r]) => (x - cx) ** 2 + (y - cy) ** 2 < r * r);
      const i = y * w + x;
      labels[i] = inside ? 2 : 1;
      image[i] = inside ? 0.5 + 0.15 * Math.sin(x * 1.7) * Math.cos(y * 1.3) + 0.08 * (rand() - 0.5) : 0.35 + 0.1 * (x / w) + 0.04 * (rand() - 0.5);
    }
  return { image, labels, h, w };
}
