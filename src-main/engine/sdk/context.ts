// What a runner can ask of the process it runs in. The runner process installs one context under a
// global symbol before it constructs the Runner, so the SDK needs no module-level state and works
// even when the bundle and the runner process hold separate copies of this file.

import type { DatasetValue, NDArray } from "../../contract/ndarray.js";

export type LogLevel = "INFO" | "WARNING" | "ERROR" | "DEBUG";
export type RunnerDevice = "cpu" | "cuda" | "mps";

/** A training sample as `getTrainingDataset` returns it: per file, the dataset ids of each key. */
export interface TrainingSample {
  sample_id: string;
  files: { input: string[]; target: string[] }[];
}

/** Per-execution (or per-training) facilities. */
export interface JobContext {
  /** Aborted once a stop is requested (read it, or call stopRequested(), in synchronous loops). */
  readonly signal: AbortSignal;
  /** True once a stop was requested; works inside synchronous code too. */
  stopRequested(): boolean;
  log(message: string, level: LogLevel): void;
  progress(value: number): void;
  readDataset(id: string, keys?: readonly string[]): Promise<Record<string, NDArray>>;
  writeDataset(items: Record<string, DatasetValue>): Promise<string>;
  sessionSave(key: string, value: unknown): Promise<void>;
  sessionLoad(key: string): Promise<unknown>;
  sessionRemove(key: string): Promise<void>;
  /** Training jobs only. */
  trainingDataset(sampleIds: readonly string[]): Promise<TrainingSample[]>;
  /** Writes items as HDF5 files into a folder of the training's temp store; returns their paths. */
  tempSave(folder: string, items: readonly Record<string, NDArray>[]): Promise<string[]>;
  /** Reads one file of the training's temp store. */
  tempLoad(file: string, keys?: readonly string[]): Promise<Record<string, NDArray>>;
  setState(state: Record<string, unknown>): Promise<void>;
  saveCheckpoint(files: Record<string, Uint8Array>, properties: Record<string, unknown>): Promise<string>;
}

/** Per-loaded-runner facilities. */
export interface RunnerContext {
  device: RunnerDevice;
  fetchAsset(path: string): Promise<Uint8Array>;
  /** The job now running, if any (logs outside a job go to the process log). */
  job(): JobContext | undefined;
  log(message: string, level: LogLevel): void;
  /** The engine's Python interpreter, or undefined when it has none (asked only when needed: finding it costs a process start). */
  python(): Promise<string | undefined>;
}

export const CONTEXT_KEY = Symbol.for("compox.runner-context");

/** The context installed by the runner process; throws outside one. */
export function currentContext(): RunnerContext {
  const ctx = (globalThis as Record<symbol, RunnerContext | undefined>)[CONTEXT_KEY];
  if (!ctx) throw new Error("compox runners run inside Compox Desktop: deploy the algorithm and execute it (or use `compox run`)");
  return ctx;
}

/** Installs the context for runners constructed from now on. */
export function installContext(ctx: RunnerContext): void {
  (globalThis as Record<symbol, RunnerContext | undefined>)[CONTEXT_KEY] = ctx;
}
