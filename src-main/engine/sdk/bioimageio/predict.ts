// A bioimage.io model run on an image of any size: preprocessing over the whole image, the image
// cut into tiles the model accepts (each with the halo its outputs need, mirrored at the edges),
// the tiles' centres stitched together, then postprocessing. One tile when the image fits.
import type { Axis, ModelDescription } from "./description.js";
import { applySteps } from "./processing.js";
import { copyBlock, type Tensor } from "./tensor.js";

/** A model's weights, ready to run: one tile of every input in, every output out. */
export interface LoadedModel {
  run(inputs: Tensor[]): Promise<Tensor[]>;
  close(): Promise<void>;
}

export interface PredictOptions {
  /** Wanted tile side for axes the model accepts at several sizes (default 512). */
  tile?: number;
  /** Called with the fraction of tiles done. */
  onProgress?: (fraction: number) => void;
  /** Checked between tiles: throws to stop. */
  checkStop?: () => void;
}

/** The tile side of an input axis of length `n`: the model's fixed size, or the smallest allowed size ≥ min(n, wanted). */
export function tileSide(axis: Axis, n: number, wanted: number): number {
  const size = axis.size;
  if (typeof size === "number") return size;
  if (size && "min" in size) {
    const want = Math.max(size.min, Math.min(n, wanted));
    return size.step > 0 ? size.min + Math.ceil((want - size.min) / size.step) * size.step : size.min;
  }
  return n;
}

/** Tile starts along an axis of length `n` (tiles of `side`, trusted `halo` in from each cut edge), and the range each keeps. */
export function tilesAlong(n: number, side: number, halo: number): { start: number; keep: [number, number] }[] {
  if (n <= side) return [{ start: 0, keep: [0, n] }];
  const core = side - 2 * halo;
  if (core <= 0) throw new Error(`a tile of ${side} with a halo of ${halo} on each side leaves nothing to keep: the tile size must exceed ${2 * halo}`);
  const starts: number[] = [];
  for (let s = 0; s + side < n; s += core) starts.push(s);
  starts.push(n - side);
  // Neighbours hand over half-way between their overlaps, which is at least `halo` from each one's cut edge.
  return starts.map((start, i) => ({
    start,
    keep: [i === 0 ? 0 : Math.floor((starts[i - 1]! + side + start) / 2), i === starts.length - 1 ? n : Math.floor((start + side + starts[i + 1]!) / 2)],
  }));
}

/** Runs `model` (described by `desc`) on `inputs` (in the description's axes); returns the outputs, postprocessed. */
export async function predict(desc: ModelDescription, model: LoadedModel, inputs: Tensor[], opts: PredictOptions = {}): Promise<Tensor[]> {
  const wanted = opts.tile ?? 512;
  const prepared = inputs.map((t, i) => {
    const copy = { ...t, data: Float32Array.from(t.data) };
    applySteps(copy, desc.inputs[i]!.preprocessing);
    return copy;
  });
  const first = prepared[0]!;
  const spatial = first.axes.map((id, k) => ({ id, k })).filter(({ k }) => desc.inputs[0]!.axes[k]!.type === "space");
  const halo = (id: string) => Math.max(0, ...desc.outputs.map((o) => o.axes.find((a) => a.id === id)?.halo ?? 0));
  const along = spatial.map(({ id, k }) => {
    const side = tileSide(desc.inputs[0]!.axes[k]!, first.shape[k]!, wanted);
    return { k, side, tiles: tilesAlong(first.shape[k]!, side, halo(id)) };
  });
  const total = along.reduce((n, a) => n * a.tiles.length, 1);
  let outputs: Tensor[] | undefined;
  for (let index = 0; index < total; index++) {
    opts.checkStop?.();
    // This tile's position along each spatial axis.
    let rest = index;
    const picks = along.map((a) => {
      const t = a.tiles[rest % a.tiles.length]!;
      rest = Math.floor(rest / a.tiles.length);
      return t;
    });
    const tileInputs = prepared.map((t) => {
      const shape = [...t.shape];
      const from = t.shape.map(() => 0);
      along.forEach((a, j) => {
        shape[a.k] = a.side;
        from[a.k] = picks[j]!.start;
      });
      const tile: Tensor = { data: new Float32Array(shape.reduce((x, y) => x * y, 1)), shape, axes: t.axes };
      copyBlock(t, from, tile, shape.map(() => 0), shape);
      return tile;
    });
    const results = await model.run(tileInputs);
    outputs ??= results.map((r, o) => {
      const shape = r.shape.map((n, k) => {
        const j = along.findIndex((a) => desc.outputs[o]!.axes[k]?.id === first.axes[a.k]);
        return j >= 0 ? first.shape[along[j]!.k]! : n;
      });
      return { data: new Float32Array(shape.reduce((x, y) => x * y, 1)), shape, axes: desc.outputs[o]!.axes.map((a) => a.id) };
    });
    results.forEach((r, o) => {
      const out = outputs![o]!;
      const from = r.shape.map(() => 0);
      const to = r.shape.map(() => 0);
      const size = [...r.shape];
      out.axes.forEach((id, k) => {
        const j = along.findIndex((a) => first.axes[a.k] === id);
        if (j < 0) return;
        const { start, keep } = picks[j]!;
        from[k] = keep[0] - start;
        to[k] = keep[0];
        size[k] = keep[1] - keep[0];
      });
      copyBlock(r, from, out, to, size);
    });
    opts.onProgress?.((index + 1) / total);
  }
  outputs!.forEach((t, o) => applySteps(t, desc.outputs[o]!.postprocessing));
  return outputs!;
}
