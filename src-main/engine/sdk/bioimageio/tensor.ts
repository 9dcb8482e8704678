// An n-D float32 tensor with named axes, and the block copies tiling needs: C order, so the last
// axis is contiguous.

export interface Tensor {
  data: Float32Array;
  shape: number[];
  /** Axis ids, as the model description names them (batch, channel, z, y, x, …). */
  axes: string[];
}

/** Element strides of a C-order array of `shape`. */
export function stridesOf(shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length).fill(1);
  for (let k = shape.length - 2; k >= 0; k--) out[k] = out[k + 1]! * shape[k + 1]!;
  return out;
}

/** Mirrors an index that falls outside 0…n-1 back inside (…2 1 | 0 1 2 … n-1 | n-2 n-3…). */
export function reflect(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  const m = ((i % period) + period) % period;
  return m < n ? m : period - m;
}

/**
 * Copies the block of `src` starting at `from` (may reach outside it: those values are mirrored
 * in) into `dst` at `to`, `size` elements along each axis.
 */
export function copyBlock(src: Tensor, from: readonly number[], dst: Tensor, to: readonly number[], size: readonly number[]): void {
  const ss = stridesOf(src.shape);
  const ds = stridesOf(dst.shape);
  const last = size.length - 1;
  const walk = (axis: number, si: number, di: number) => {
    const n = size[axis]!;
    if (axis === last) {
      const start = from[axis]!;
      const inside = start >= 0 && start + n <= src.shape[axis]!;
      if (inside) dst.data.set(src.data.subarray(si + start, si + start + n), di + to[axis]!);
      else for (let k = 0; k < n; k++) dst.data[di + to[axis]! + k] = src.data[si + reflect(start + k, src.shape[axis]!)]!;
      return;
    }
    for (let k = 0; k < n; k++) walk(axis + 1, si + reflect(from[axis]! + k, src.shape[axis]!) * ss[axis]!, di + (to[axis]! + k) * ds[axis]!);
  };
  walk(0, 0, 0);
}

/** `t` with its axes in the order `axes` (ids of `t`'s axes; axes of length 1 may be added or left
 * out); `t` itself when nothing moves. */
export function permute(t: Tensor, axes: readonly string[]): Tensor {
  const moved = axes.filter((id) => t.axes.includes(id));
  const kept = t.axes.filter((id, k) => axes.includes(id) || t.shape[k] !== 1);
  if (kept.length !== moved.length) throw new Error(`cannot place axes [${t.axes.join(", ")}] as [${axes.join(", ")}]`);
  const shape = axes.map((id) => (t.axes.includes(id) ? t.shape[t.axes.indexOf(id)]! : 1));
  if (moved.join() === kept.join()) return { data: t.data, shape, axes: [...axes] };
  const srcStrides = stridesOf(t.shape);
  // For each axis of the result, the source stride it walks (0 for an added axis of 1).
  const walk = axes.map((id) => (t.axes.includes(id) ? srcStrides[t.axes.indexOf(id)]! : 0));
  const out = new Float32Array(t.data.length);
  let o = 0;
  const visit = (axis: number, base: number) => {
    const n = shape[axis]!;
    const step = walk[axis]!;
    if (axis === shape.length - 1) for (let k = 0; k < n; k++) out[o++] = t.data[base + k * step]!;
    else for (let k = 0; k < n; k++) visit(axis + 1, base + k * step);
  };
  visit(0, 0);
  return { data: out, shape, axes: [...axes] };
}
