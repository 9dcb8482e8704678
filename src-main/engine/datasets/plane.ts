// One 2-D plane of a dataset, made small enough to send: the viewer asks for the plane it shows
// (never a whole volume) at most `maxSize` pixels on a side. Images are reduced by the mean of
// f×f blocks; label maps by taking every f-th pixel, so labels stay labels. The mean is taken
// strip by strip (BlockMeans), so a plane far larger than memory is reduced in bounded memory.

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

/** `region` clipped to an h×w plane (whole pixels; possibly empty). */
export function clipRegion(region: Region, h: number, w: number): Region {
  const clip = (start: number, length: number, size: number) => {
    const from = Math.max(0, Math.min(size, Math.floor(start)));
    const to = Math.max(from, Math.min(size, Math.floor(start) + Math.ceil(length)));
    return [from, to - from] as const;
  };
  const [x, cw] = clip(region.x, region.w, w);
  const [y, ch] = clip(region.y, region.h, h);
  return { x, y, w: cw, h: ch };
}

/** The smallest integer factor that brings h×w within `maxSize` on a side. */
export const reductionFactor = (h: number, w: number, maxSize: number): number => Math.max(1, Math.ceil(Math.max(h, w) / maxSize));

/** Block means of an h×w plane by `factor`, fed a strip of whole rows at a time, top to bottom.
 * Edge blocks are averaged over the pixels they have. */
export class BlockMeans {
  readonly shape: [number, number];
  private readonly sums: Float64Array;
  private readonly counts: Uint32Array;

  constructor(
    h: number,
    private readonly w: number,
    readonly factor: number,
  ) {
    this.shape = [Math.ceil(h / factor), Math.ceil(w / factor)];
    this.sums = new Float64Array(this.shape[0] * this.shape[1]);
    this.counts = new Uint32Array(this.sums.length);
  }

  /** Adds `rows` rows (row-major, `w` values each) that start at plane row `firstRow`. */
  add(values: ArrayLike<number>, firstRow: number, rows: number): void {
    const { w, factor, sums, counts } = this;
    const ow = this.shape[1];
    for (let r = 0; r < rows; r++) {
      const base = Math.floor((firstRow + r) / factor) * ow;
      for (let x = 0; x < w; x++) {
        const i = base + Math.floor(x / factor);
        sums[i]! += values[r * w + x]!;
        counts[i]!++;
      }
    }
  }

  result(): Plane {
    const data = new Float32Array(this.sums.length);
    for (let i = 0; i < data.length; i++) data[i] = this.sums[i]! / this.counts[i]!;
    return { shape: this.shape, factor: this.factor, data };
  }
}
