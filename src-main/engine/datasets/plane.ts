// One 2-D plane of a dataset, made small enough to send: the viewer asks for the plane it shows
// (never a whole volume) at most `maxSize` pixels on a side. Images are reduced by the mean of
// f×f blocks; label maps by taking every f-th pixel, so labels stay labels.

export type Sampling = "mean" | "nearest";

export interface Plane {
  /** Rows and columns of `data`. */
  shape: [number, number];
  /** Each value stands for factor × factor pixels of the original plane. */
  factor: number;
  data: Float32Array;
}

/** A rectangle of a plane, in its pixels. */
export interface Region {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** The values of `region` (clipped to the h×w plane), row-major, with the clipped region. */
export function cropPlane(values: ArrayLike<number>, h: number, w: number, region: Region): { values: Float32Array; region: Region } {
  const clip = (start: number, length: number, size: number) => {
    const from = Math.max(0, Math.min(size, Math.floor(start)));
    const to = Math.max(from, Math.min(size, Math.floor(start) + Math.ceil(length)));
    return [from, to - from] as const;
  };
  const [x, cw] = clip(region.x, region.w, w);
  const [y, ch] = clip(region.y, region.h, h);
  const out = new Float32Array(cw * ch);
  for (let r = 0; r < ch; r++) for (let c = 0; c < cw; c++) out[r * cw + c] = values[(y + r) * w + x + c]!;
  return { values: out, region: { x, y, w: cw, h: ch } };
}

/** The plane of h×w values reduced by the smallest integer factor that fits `maxSize`. */
export function reducePlane(values: ArrayLike<number>, h: number, w: number, maxSize: number, sampling: Sampling): Plane {
  const factor = Math.max(1, Math.ceil(Math.max(h, w) / maxSize));
  if (factor === 1) return { shape: [h, w], factor, data: Float32Array.from(values) };
  const oh = Math.ceil(h / factor);
  const ow = Math.ceil(w / factor);
  const data = new Float32Array(oh * ow);
  for (let y = 0; y < oh; y++)
    for (let x = 0; x < ow; x++) {
      if (sampling === "nearest") {
        data[y * ow + x] = values[y * factor * w + x * factor]!;
        continue;
      }
      // Edge blocks are averaged over the pixels they have.
      let sum = 0;
      let n = 0;
      for (let yy = y * factor; yy < Math.min(h, (y + 1) * factor); yy++)
        for (let xx = x * factor; xx < Math.min(w, (x + 1) * factor); xx++) {
          sum += values[yy * w + xx]!;
          n++;
        }
      data[y * ow + x] = sum / n;
    }
  return { shape: [oh, ow], factor, data };
}
