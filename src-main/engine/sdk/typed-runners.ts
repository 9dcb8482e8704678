// The typed runners of SPEC section 3: inputs stacked on axis 0 by the default preprocess, and the
// output split back per input and posted under each runner's key by the default postprocess.
import type { NDArray } from "../../contract/ndarray.js";
import { split, stack } from "./ndarray-ops.js";
import { BaseRunner, type Args, type InputData } from "./runners.js";
import { AlignmentSchema, EmbeddingSchema, ImageSchema, MultiRegionSegmentationSchema, SegmentationSchema, type DataSchema } from "./schemas.js";

/** What a typed runner's default preprocess remembers for its postprocess. */
interface RunState {
  inputIds: string[];
  shapes: number[][];
}
const runState = new WeakMap<BaseRunner, RunState>();

/** Shared default pre/post-processing of runners that stack inputs on axis 0. */
abstract class StackingRunner extends BaseRunner {
  protected abstract readonly inputKey: string;
  protected abstract readonly inputSchema: DataSchema;

  /** Each execution starts with nothing remembered (a preprocess of the author's own remembers nothing). */
  override run(inputData: InputData, args: Args): Promise<string[]> {
    runState.delete(this);
    return super.run(inputData, args);
  }

  override async preprocess(inputData: InputData, _args: Args): Promise<unknown> {
    const items = await this.fetchData(inputData.input_dataset_ids, this.inputSchema);
    const arrays = items.map((item, i) => {
      const a = item[this.inputKey];
      if (!a) throw new Error(`dataset ${inputData.input_dataset_ids[i]} has no "${this.inputKey}"`);
      return a;
    });
    runState.set(this, { inputIds: [...inputData.input_dataset_ids], shapes: arrays.map((a) => a.shape) });
    // One input is stacked as a view: its data was just read and is nobody else's (a 4 MB copy saved).
    const only = arrays.length === 1 ? arrays[0] : undefined;
    return only ? { dtype: only.dtype, shape: [1, ...only.shape], data: only.data } : stack(arrays);
  }

  /** How many inputs the default preprocess saw (or the output's first axis when it was overridden). */
  inputCountOf(output: NDArray): number {
    return runState.get(this)?.inputIds.length ?? output?.shape?.[0] ?? 0;
  }

  protected inputShapes(): number[][] {
    return runState.get(this)?.shapes ?? [];
  }
}

/** Splits the output on axis 0 and posts each part under one key (the default of three runners). */
function postEach(runner: StackingRunner, data: unknown, key: string, schema: DataSchema): Promise<string[]> {
  const out = data as NDArray;
  return runner.postData(split(out, runner.inputCountOf(out), key).map((a) => ({ [key]: a })), schema);
}

/** Images in (key `image`), images out: one output image per input. */
export class Image2ImageRunner extends StackingRunner {
  protected readonly inputKey = "image";
  protected readonly inputSchema = ImageSchema as DataSchema;
  override postprocess(data: unknown, _args: Args): Promise<string[]> {
    return postEach(this, data, "image", ImageSchema as DataSchema);
  }
}

/** Images in, masks out (key `mask`). */
export class Image2SegmentationRunner extends StackingRunner {
  protected readonly inputKey = "image";
  protected readonly inputSchema = ImageSchema as DataSchema;
  override postprocess(data: unknown, _args: Args): Promise<string[]> {
    return postEach(this, data, "mask", SegmentationSchema as DataSchema);
  }
}

/** Masks in (key `mask`), masks out. */
export class Segmentation2SegmentationRunner extends StackingRunner {
  protected readonly inputKey = "mask";
  protected readonly inputSchema = SegmentationSchema as DataSchema;
  override postprocess(data: unknown, _args: Args): Promise<string[]> {
    return postEach(this, data, "mask", SegmentationSchema as DataSchema);
  }
}

const sizeArray = (shape: readonly number[]): NDArray => ({ dtype: "int64", shape: [2], data: BigInt64Array.from(shape.slice(-2).map(BigInt)) });

/** Images in, one embedding per image out (`features`, `input_size`, `original_size`). */
export class Image2EmbeddingRunner extends StackingRunner {
  protected readonly inputKey = "image";
  protected readonly inputSchema = ImageSchema as DataSchema;
  override postprocess(data: unknown, _args: Args): Promise<string[]> {
    const out = data as NDArray;
    const shapes = this.inputShapes();
    const items = split(out, this.inputCountOf(out), "embedding").map((features, i) => {
      const shape = shapes[i] ?? [];
      return { features, input_size: sizeArray(shape), original_size: sizeArray(shape) };
    });
    return this.postData(items, EmbeddingSchema as DataSchema);
  }
}

/** Images in; inference returns N−1 3×3 matrices aligning each image to the previous one. */
export class Image2AlignmentRunner extends StackingRunner {
  protected readonly inputKey = "image";
  protected readonly inputSchema = ImageSchema as DataSchema;
  override postprocess(data: unknown, _args: Args): Promise<string[]> {
    const out = data as NDArray;
    const n = Math.max(0, this.inputCountOf(out) - 1);
    const items = split(out, n, "matrix").map((m) => {
      const values = Float64Array.from(m.data as Float64Array, Number);
      if (m.shape.join("x") !== "3x3") throw new Error(`each alignment matrix must be 3×3, got [${m.shape.join(", ")}]`);
      const matrix = { dtype: "float64", shape: [3, 3], data: values } as NDArray;
      // As Compox 3.2 writes it: no points and the same matrix under both keys.
      return { points1: [], points2: [], confidence: [], transform_matrix: matrix, translation_matrix: matrix };
    });
    return this.postData(items, AlignmentSchema as DataSchema);
  }
}

/** One image's regions: `{region_names, region_masks}`, or `{ "<name>": mask, … }` in order. */
export type RegionsOutput = { region_names: string[]; region_masks: NDArray[] } | Record<string, NDArray>;

/** Images in; inference returns one RegionsOutput per image: named 2-D masks of one shape
 * (Compox 3.2's Image2MultiRegionSegmentation). Stored as `region_names` (strings) and
 * `region_masks` (R×H×W). */
export class Image2MultiRegionSegmentationRunner extends StackingRunner {
  protected readonly inputKey = "image";
  protected readonly inputSchema = ImageSchema as DataSchema;
  override postprocess(data: unknown, _args: Args): Promise<string[]> {
    if (!Array.isArray(data)) throw new Error(`inference must return a list with one object of regions per input image, got ${typeof data}`);
    const n = this.inputShapes().length;
    if (data.length !== n) throw new Error(`Number of outputs ${data.length} does not correspond to the ${n} input images.`);
    const items = data.map((item: unknown, i) => {
      if (!item || typeof item !== "object" || Array.isArray(item)) throw new Error(`output ${i + 1} must be an object of region masks`);
      const o = item as Record<string, unknown>;
      let names: string[];
      let masks: NDArray[];
      if ("region_names" in o || "region_masks" in o) {
        if (!("region_names" in o && "region_masks" in o)) throw new Error("Each output item using the explicit multi-region format must contain both 'region_names' and 'region_masks' keys.");
        names = (o.region_names as unknown[]).map(String);
        masks = o.region_masks as NDArray[];
      } else {
        names = Object.keys(o);
        masks = Object.values(o) as NDArray[];
      }
      if (names.length !== masks.length) throw new Error("Number of region names must match number of region masks.");
      masks.forEach((m, r) => {
        if (!m || !Array.isArray(m.shape) || m.shape.length !== 2) throw new Error(`output ${i + 1}: region mask at index ${r} must be a 2-D array`);
        if (m.shape.join("x") !== masks[0]?.shape.join("x")) throw new Error(`output ${i + 1}: All region masks for one output item must have the same shape.`);
      });
      return { region_names: names, region_masks: masks.length > 0 ? stack(masks) : [] };
    });
    return this.postData(items, MultiRegionSegmentationSchema as DataSchema);
  }
}
