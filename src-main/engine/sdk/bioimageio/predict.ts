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
  /** Context (pixels of each output tile's side not trusted) instead of the outputs' declared halo. */
  halo?: number;
  /** Called after each tile with the fraction done, the tiles done and their count. */
  onProgress?: (fraction: number, done: number, total: number) => void;
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

/** Tile starts along an axis of length `n` (tiles of `side`, trusted `halo` in from each cut edge,
 * starts and hand-overs on multiples of `align`), and the range each keeps. The last tile is
 * shifted inward (not padded), reaching past the end by less than `align` pixels at most. */
export function tilesAlong(n: number, side: number, halo: number, align = 1): { start: number; keep: [number, number] }[] {
  if (n <= side) return [{ start: 0, keep: [0, n] }];
  const trusted = Math.ceil(halo / align) * align;
  const core = Math.floor((side - 2 * trusted) / align) * align;
  if (core <= 0) throw new Error(`a tile of ${side} with a halo of ${halo} on each side leaves nothing to keep: the tile size must exceed ${2 * trusted}`);
  const starts: number[] = [];
  for (let s = 0; s + side < n; s += core) starts.push(s);
  starts.push(Math.ceil((n - side) / align) * align);
  // Neighbours hand over half-way between their overlaps, which is at least `halo` from each one's cut edge.
  const handover = (i: number) => Math.floor((starts[i]! + side + starts[i + 1]!) / 2 / align) * align;
  return starts.map((start, i) => ({ start, keep: [i === 0 ? 0 : handover(i - 1), i === starts.length - 1 ? n : handover(i)] }));
}

/** How an output axis follows a tiled input axis: `scale` output pixels per input pixel, `offset` pixels more in all (both sides). */
interface OutputMapping {
  scale: number;
  offset: number;
}

/** The output axis's mapping from the input axis `id` it has the same id as (a size reference, else one to one). */
function mappingOf(axis: Axis): OutputMapping {
  const size = axis.size;
  return typeof size === "object" && "tensor" in size ? { scale: size.scale, offset: size.offset } : { scale: 1, offset: 0 };
}

/** The smallest step (≤ 64) by which tiles may move so that every output moves by whole pixels. */
function alignmentOf(scales: number[]): number {
  for (let a = 1; a <= 64; a++) if (scales.every((s) => Math.abs(a * s - Math.round(a * s)) < 1e-9)) return a;
  throw new Error(`outputs of scale ${scales.join(", ")} per input pixel cannot be tiled`);
}

/** One tiled axis of the inputs: its length, the tile side and the tiles. */
interface TiledAxis {
  id: string;
  n: number;
  side: number;
  tiles: { start: number; keep: [number, number] }[];
}

/** The spatial axes of the first input, tiled: each with the largest halo (in input pixels) its outputs need. */
function planTiles(desc: ModelDescription, first: Tensor, wanted: number, haloOverride?: number): TiledAxis[] {
  return first.axes.flatMap((id, k) => {
    if (desc.inputs[0]!.axes[k]!.type !== "space") return [];
    const mappings = desc.outputs.flatMap((o) => o.axes.filter((a) => a.id === id).map((a) => ({ ...mappingOf(a), halo: haloOverride ?? a.halo })));
    // Context a tile needs on each side: the output's halo, plus what a model that crops its output (negative offset) takes away.
    const halo = Math.max(0, ...mappings.map((m) => Math.ceil((m.halo + Math.max(0, -m.offset / 2)) / m.scale)));
    const align = alignmentOf(mappings.map((m) => m.scale));
    const side = tileSide(desc.inputs[0]!.axes[k]!, first.shape[k]!, wanted);
    return [{ id, n: first.shape[k]!, side, tiles: tilesAlong(first.shape[k]!, side, halo, align) }];
  });
}

/** Checks that every input has the first input's length on each tiled axis it has (they are cut into the same tiles). */
function checkSameLengths(desc: ModelDescription, inputs: Tensor[], along: TiledAxis[]): void {
  inputs.forEach((t, i) =>
    along.forEach((a) => {
      const k = t.axes.indexOf(a.id);
      if (k >= 0 && t.shape[k] !== a.n)
        throw new Error(`input ${desc.inputs[i]!.id} is ${t.shape[k]} along ${a.id}, input ${desc.inputs[0]!.id} is ${a.n}: the inputs must have the same size on their spatial axes`);
    }),
  );
}

/** Cuts the tile at `picks` out of `t` (mirrored where it reaches past the image). */
function cutTile(t: Tensor, along: TiledAxis[], picks: { start: number }[]): Tensor {
  const shape = [...t.shape];
  const from = t.shape.map(() => 0);
  along.forEach((a, j) => {
    const k = t.axes.indexOf(a.id);
    if (k < 0) return;
    shape[k] = a.side;
    from[k] = picks[j]!.start;
  });
  const tile: Tensor = { data: new Float32Array(shape.reduce((x, y) => x * y, 1)), shape, axes: t.axes };
  copyBlock(t, from, tile, shape.map(() => 0), shape);
  return tile;
}

/** Runs `model` (described by `desc`) on `inputs` (in the description's axes); returns the outputs, postprocessed. */
export async function predict(desc: ModelDescription, model: LoadedModel, inputs: Tensor[], opts: PredictOptions = {}): Promise<Tensor[]> {
  // Preprocessing statistics come from the inputs as given (bioimageio.core computes them before the first step).
  const given = (id: string) => inputs[desc.inputs.findIndex((t) => t.id === id)];
  const prepared = inputs.map((t, i) => {
    const copy = { ...t, data: Float32Array.from(t.data) };
    applySteps(copy, desc.inputs[i]!.preprocessing, given);
    return copy;
  });
  const along = planTiles(desc, prepared[0]!, opts.tile ?? 512, opts.halo);
  checkSameLengths(desc, prepared, along);
  const total = along.reduce((n, a) => n * a.tiles.length, 1);
  let outputs: Tensor[] | undefined;
  for (let index = 0; index < total; index++) {
    opts.checkStop?.();
    // This tile's position along each tiled axis.
    let rest = index;
    const picks = along.map((a) => {
      const t = a.tiles[rest % a.tiles.length]!;
      rest = Math.floor(rest / a.tiles.length);
      return t;
    });
    const results = await model.run(prepared.map((t) => cutTile(t, along, picks)));
    outputs ??= results.map((r, o) => {
      const axes = desc.outputs[o]!.axes;
      const shape = r.shape.map((n, k) => {
        const a = along.find((x) => x.id === axes[k]?.id);
        if (!a) return n;
        const m = mappingOf(axes[k]!);
        return Math.floor(a.n * m.scale + m.offset);
      });
      return { data: new Float32Array(shape.reduce((x, y) => x * y, 1)), shape, axes: axes.map((a) => a.id) };
    });
    results.forEach((r, o) => {
      const out = outputs![o]!;
      const from = r.shape.map(() => 0);
      const to = r.shape.map(() => 0);
      const size = [...r.shape];
      out.axes.forEach((id, k) => {
        const j = along.findIndex((a) => a.id === id);
        if (j < 0) return;
        const a = along[j]!;
        const { start, keep } = picks[j]!;
        const m = mappingOf(desc.outputs[o]!.axes[k]!);
        const expected = Math.floor(a.side * m.scale + m.offset);
        if (r.shape[k] !== expected)
          throw new Error(`output ${desc.outputs[o]!.id}: a tile of ${a.side} along ${id} gave ${r.shape[k]} pixels, the description says ${expected} (${m.scale}× plus ${m.offset})`);
        // Input position p is output position p·scale + offset/2; the image's own ends keep everything.
        const at = (p: number) => Math.floor(p * m.scale + m.offset / 2);
        const lo = keep[0] === 0 ? 0 : at(keep[0]);
        const hi = keep[1] === a.n ? out.shape[k]! : at(keep[1]);
        from[k] = lo - Math.round(start * m.scale);
        to[k] = lo;
        size[k] = hi - lo;
      });
      copyBlock(r, from, out, to, size);
    });
    opts.onProgress?.((index + 1) / total, index + 1, total);
  }
  // Postprocessing statistics of another tensor: the inputs as the model saw them, the outputs as it gave them.
  const referenced = new Set(desc.outputs.flatMap((t) => t.postprocessing.flatMap((step) => (step.kwargs.reference_tensor == null ? [] : [String(step.kwargs.reference_tensor)]))));
  const raw = new Map(outputs!.flatMap((t, o) => (referenced.has(desc.outputs[o]!.id) ? [[desc.outputs[o]!.id, { ...t, data: Float32Array.from(t.data) }] as const] : [])));
  const seen = (id: string) => raw.get(id) ?? prepared[desc.inputs.findIndex((t) => t.id === id)];
  outputs!.forEach((t, o) => applySteps(t, desc.outputs[o]!.postprocessing, seen));
  return outputs!;
}
