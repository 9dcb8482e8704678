// BaseRunner and the typed runners of SPEC section 3: what algorithm authors extend.
import type { z } from "zod";
import type { DatasetValue, NDArray } from "../../contract/ndarray.js";
import { currentContext, type JobContext, type LogLevel, type RunnerContext, type RunnerDevice, type TrainingSample } from "./context.js";
import { split, stack } from "./ndarray-ops.js";
import { AlignmentSchema, EmbeddingSchema, ImageSchema, MultiRegionSegmentationSchema, SegmentationSchema, type DataSchema } from "./schemas.js";

export type Args = Record<string, unknown>;
/** One sample in the temp store: per file of the sample, the paths of each key (`input`, `target`). */
export type LocalSample = Record<string, string[]>[];
/** One sample loaded from the temp store: per file, the items of each key. */
export type LoadedSample = Record<string, Record<string, NDArray>[]>[];
export interface InputData {
  input_dataset_ids: string[];
}

/** Thrown by `checkStop()` once a stop was requested; the execution ends STOPPED. */
export class StopError extends Error {
  constructor() {
    super("stopped on request");
    this.name = "StopError";
  }
}

/** What a typed runner's default preprocess remembers for its postprocess. */
interface RunState {
  inputIds: string[];
  shapes: number[][];
}
const runState = new WeakMap<BaseRunner, RunState>();
const contexts = new WeakMap<BaseRunner, RunnerContext>();

function ctxOf(r: BaseRunner): RunnerContext {
  const ctx = contexts.get(r);
  if (!ctx) throw new Error("runner has no context: construct runners inside Compox Desktop");
  return ctx;
}

function jobOf(r: BaseRunner): JobContext {
  const job = ctxOf(r).job();
  if (!job) throw new Error("this helper is only available while an execution or training runs (not in the constructor or loadAssets)");
  return job;
}

/** Checks an item against a schema; with `keys`, only those fields of an object schema are checked. */
function validate(schema: DataSchema | undefined, item: Record<string, unknown>, where: string, keys: readonly string[] = []): Record<string, NDArray> {
  if (!schema) return item as Record<string, NDArray>;
  let checked = schema as z.ZodType;
  if (keys.length > 0) {
    // Duck-typed: an author's schema may come from another copy of zod than the SDK's.
    const obj = schema as unknown as { shape?: Record<string, unknown>; pick?(mask: Record<string, true>): z.ZodType };
    if (typeof obj.pick !== "function" || !obj.shape) return item as Record<string, NDArray>;
    const shape = obj.shape;
    checked = obj.pick(Object.fromEntries(keys.filter((k) => k in shape).map((k) => [k, true as const])));
  }
  const r = checked.safeParse(item);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `${i.path.join(".") || "(item)"}: ${i.message}`);
    throw new Error(`${where} does not match the schema: ${lines.join("; ")}`);
  }
  return r.data as Record<string, NDArray>;
}

/** The base of every runner: override `inference` (and `preprocess`/`postprocess` if needed). */
export class BaseRunner {
  constructor() {
    contexts.set(this, currentContext());
  }

  /** "cpu", "cuda" or "mps": the device this runner was loaded for. */
  get device(): RunnerDevice {
    return ctxOf(this).device;
  }

  /** Aborted when a stop is requested for the running execution. */
  get signal(): AbortSignal {
    return jobOf(this).signal;
  }

  /** Loads weights and other assets once; attributes assigned here are then locked. */
  loadAssets(): void | Promise<void> {}

  /** Turns the input dataset ids into what `inference` takes. Default: passes them through. */
  preprocess(inputData: InputData, _args: Args): unknown {
    return inputData;
  }

  inference(_data: unknown, _args: Args): unknown {
    throw new Error("the Runner must implement inference(data, args)");
  }

  /** Turns the inference result into output dataset ids. Default: a list of strings as they are. */
  postprocess(data: unknown, _args: Args): string[] | Promise<string[]> {
    if (Array.isArray(data) && data.every((x) => typeof x === "string")) return data;
    throw new Error("postprocess must return a list of output ids (override postprocess, or return string ids from inference)");
  }

  train(_trainingSampleIds: string[], _args: Args): unknown {
    throw new Error("this algorithm does not implement train()");
  }

  /** Measures the algorithm (e.g. times inference on synthetic data) and returns a JSON object,
   * stored as the benchmark record's `data` (POST /api/v0/benchmark-algorithm). */
  benchmark(_args: Args): Record<string, unknown> | Promise<Record<string, unknown>> {
    throw new Error("this algorithm does not implement benchmark(args)");
  }

  /** Calls benchmark(args) and checks that it returned an object; called by the engine. */
  async runBenchmark(args: Args): Promise<Record<string, unknown>> {
    const data = (await this.benchmark(args)) ?? {};
    if (typeof data !== "object" || Array.isArray(data)) throw new Error(`benchmark() must return an object, got ${Array.isArray(data) ? "an array" : typeof data}`);
    return data;
  }

  /** The bytes of an asset of this algorithm, e.g. "files/model.onnx". */
  fetchAsset(path: string): Promise<Uint8Array> {
    return ctxOf(this).fetchAsset(path);
  }

  /** Reads datasets; with a schema each is validated; `keys` limits what is read. */
  async fetchData(ids: readonly string[], schema?: DataSchema, ...keys: string[]): Promise<Record<string, NDArray>[]> {
    const job = jobOf(this);
    const out: Record<string, NDArray>[] = [];
    for (const id of ids) out.push(validate(schema, await job.readDataset(id, keys.length > 0 ? keys : undefined), `dataset ${id}`, keys));
    return out;
  }

  /** Writes each item as one dataset (validated against the schema) and returns their ids. */
  async postData(items: readonly Record<string, DatasetValue>[], schema?: DataSchema): Promise<string[]> {
    const job = jobOf(this);
    const ids: string[] = [];
    for (const [i, item] of items.entries()) ids.push(await job.writeDataset(validate(schema, item, `output ${i + 1}`)));
    return ids;
  }

  /** Adds a line to the execution's log, at once. */
  logMessage(message: string, level: LogLevel = "INFO"): void {
    const ctx = ctxOf(this);
    const job = ctx.job();
    if (job) job.log(String(message), level);
    else ctx.log(String(message), level);
  }

  /** Reports progress in [0, 1] (it never goes backwards in the record), then checks for a stop as Python's set_progress does. */
  setProgress(progress: number): void {
    jobOf(this).progress(progress);
    this.checkStop();
  }

  /** Throws StopError when a stop was requested; call it in long loops, synchronous ones too. */
  checkStop(): void {
    if (jobOf(this).stopRequested()) throw new StopError();
  }

  saveItemToSession(obj: unknown, key: string): Promise<void> {
    return jobOf(this).sessionSave(key, obj);
  }

  /** The session item, or undefined when the session has none under `key`. */
  loadItemFromSession(key: string): Promise<unknown> {
    return jobOf(this).sessionLoad(key);
  }

  removeItemFromSession(key: string): Promise<void> {
    return jobOf(this).sessionRemove(key);
  }

  /** The samples of a training: `[{sample_id, files: [{input: [ids], target: [ids]}]}]`. */
  getTrainingDataset(sampleIds: readonly string[]): Promise<TrainingSample[]> {
    return jobOf(this).trainingDataset(sampleIds);
  }

  /** Validates in-memory items and saves each as a file in `folder` of the training's temp store; returns their paths. */
  saveTrainingFilesToTempStore(folder: string, files: readonly Record<string, NDArray>[], schema: DataSchema): Promise<string[]> {
    const valid = files.map((f, i) => validate(schema, f, `file ${i + 1} saved to "${folder}"`));
    return jobOf(this).tempSave(folder, valid);
  }

  /**
   * Copies datasets into `folder` of the temp store, validated, `batchSize` at a time so that at most
   * one batch is in memory; `keys` keeps only those fields. Returns the paths in the order of `fileIds`.
   */
  async downloadFilesToTempStore(folder: string, fileIds: readonly string[], schema: DataSchema, options: { batchSize?: number; keys?: readonly string[] } = {}): Promise<string[]> {
    const { batchSize = 8, keys = [] } = options;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`downloadFilesToTempStore: batchSize must be a whole number ≥ 1, got ${batchSize}`);
    const job = jobOf(this);
    const paths = await job.tempSave(folder, []); // the folder exists even for no files
    for (let i = 0; i < fileIds.length; i += batchSize) {
      this.checkStop();
      const batch = await this.fetchData(fileIds.slice(i, i + batchSize), schema, ...keys);
      paths.push(...(await job.tempSave(folder, batch)));
    }
    return paths;
  }

  /**
   * Copies every file of the samples into the temp store as `<sample_id>/<file_index>/<key>/`,
   * validating each key with `schemas[key]`; returns, per sample and file, the paths of each key.
   */
  async downloadDatasetToTempStore(dataset: readonly TrainingSample[], schemas: Readonly<Record<string, DataSchema>>): Promise<LocalSample[]> {
    const local: LocalSample[] = [];
    for (const sample of dataset) {
      const files: LocalSample = [];
      for (const [index, file] of sample.files.entries()) {
        const paths: Record<string, string[]> = {};
        for (const [key, ids] of Object.entries(file)) {
          const schema = schemas[key];
          if (!schema) throw new Error(`downloadDatasetToTempStore: no schema for the sample key "${key}" (sample ${sample.sample_id}); pass one for each of ${Object.keys(file).join(", ")}`);
          paths[key] = await this.downloadFilesToTempStore(`${sample.sample_id}/${index}/${key}`, ids, schema);
        }
        files.push(paths);
      }
      local.push(files);
    }
    return local;
  }

  /** Reads files of the temp store (`keys` keeps only those fields). */
  async loadFilesFromTempStore(paths: readonly string[], keys?: readonly string[]): Promise<Record<string, NDArray>[]> {
    const job = jobOf(this);
    const out: Record<string, NDArray>[] = [];
    for (const p of paths) out.push(await job.tempLoad(p, keys && keys.length > 0 ? keys : undefined));
    return out;
  }

  /** What `downloadDatasetToTempStore` returned, with each path replaced by the file's contents. */
  async loadDatasetFromTempStore(localSamples: readonly LocalSample[]): Promise<LoadedSample[]> {
    const out: LoadedSample[] = [];
    for (const sample of localSamples) {
      const files: LoadedSample = [];
      for (const file of sample) {
        const loaded: Record<string, Record<string, NDArray>[]> = {};
        for (const [key, paths] of Object.entries(file)) loaded[key] = await this.loadFilesFromTempStore(paths);
        files.push(loaded);
      }
      out.push(files);
    }
    return out;
  }

  /** Replaces the training record's `state` (numbers there are charted live, e.g. loss). */
  setState(state: Record<string, unknown>): Promise<void> {
    return jobOf(this).setState(state);
  }

  /** Saves files that replace the algorithm's assets of the same paths; returns the checkpoint id. */
  saveCheckpoint(files: Record<string, Uint8Array>, properties: Record<string, unknown> = {}): Promise<string> {
    return jobOf(this).saveCheckpoint(files, properties);
  }

  /** preprocess → inference → postprocess; called by the engine for each execution. */
  async run(inputData: InputData, args: Args): Promise<string[]> {
    runState.delete(this);
    const data = await this.preprocess(inputData, args);
    this.checkStop();
    const result = await this.inference(data, args);
    this.checkStop();
    const ids = await this.postprocess(result, args);
    if (!Array.isArray(ids)) throw new Error("postprocess must return a list of output dataset ids");
    return ids.map(String);
  }
}

/** Shared default pre/post-processing of runners that stack inputs on axis 0. */
abstract class StackingRunner extends BaseRunner {
  protected abstract readonly inputKey: string;
  protected abstract readonly inputSchema: DataSchema;

  override async preprocess(inputData: InputData, _args: Args): Promise<unknown> {
    const items = await this.fetchData(inputData.input_dataset_ids, this.inputSchema);
    const arrays = items.map((item, i) => {
      const a = item[this.inputKey];
      if (!a) throw new Error(`dataset ${inputData.input_dataset_ids[i]} has no "${this.inputKey}"`);
      return a;
    });
    runState.set(this, { inputIds: [...inputData.input_dataset_ids], shapes: arrays.map((a) => a.shape) });
    return stack(arrays);
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

/**
 * Loads a runner's assets once and locks the attributes `loadAssets` assigned: reassigning one
 * throws (in-place mutation stays allowed, as in Compox). Called by the runner process.
 */
export async function loadAndLockAssets(runner: BaseRunner): Promise<string[]> {
  const target = runner as unknown as Record<string, unknown>;
  const before = new Map(Object.keys(target).map((k) => [k, target[k]]));
  await runner.loadAssets();
  const locked = Object.keys(target).filter((k) => !before.has(k) || before.get(k) !== target[k]);
  for (const key of locked) {
    const value = target[key];
    Object.defineProperty(runner, key, {
      enumerable: true,
      configurable: false,
      get: () => value,
      set: () => {
        throw new Error(`"${key}" was set in loadAssets and is locked: assets are loaded once and shared by every execution; change it in place or use a local variable`);
      },
    });
  }
  return locked;
}
