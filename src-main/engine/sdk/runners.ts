// BaseRunner of SPEC section 3: what algorithm authors extend (the typed runners build on it in typed-runners.ts).
import type { z } from "zod";
import type { DatasetValue, NDArray } from "../../contract/ndarray.js";
import { currentContext, type JobContext, type LogLevel, type RunnerContext, type RunnerDevice, type TrainingSample } from "./context.js";
import type { DataSchema } from "./schemas.js";

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
    const data = await this.preprocess(inputData, args);
    this.checkStop();
    const result = await this.inference(data, args);
    this.checkStop();
    const ids = await this.postprocess(result, args);
    if (!Array.isArray(ids)) throw new Error("postprocess must return a list of output dataset ids");
    return ids.map(String);
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
