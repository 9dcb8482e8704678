// The engine's public API, written out: what the HTTP server, the CLI and the Electron shell may
// call. createEngine (engine.ts) wires an implementation; nothing outside the engine sees more.
import type { Readable } from "node:stream";
import type { Algorithm, AlgorithmFilter, DeployResult } from "../contract/algorithm.js";
import type { ModelCard } from "../contract/model-card.js";
import type { NDArray } from "../contract/ndarray.js";
import type { BenchmarkRecord, BenchmarkRequest, Checkpoint, DeployRecord, ExecuteRequest, ExecutionRecord, Sample, TrainingRecord, TrainRequest } from "../contract/records.js";
import type { Settings, SettingsInput } from "../contract/settings.js";
import type { WorkerOptions } from "./cluster/cluster-runtime.js";
import type { DatasetInfo } from "./datasets/dataset-store.js";
import type { PlaneRead } from "./datasets/hdf5.js";
import type { Region, Sampling } from "./datasets/plane.js";
import type { DeployOverrides } from "./deploy/deployer.js";
import type { GpuInfo } from "./runtime/devices.js";
import type { EngineEvent, Status } from "../contract/records.js";
import type { EventListener } from "./runtime/event-bus.js";
import type { PythonCheck } from "./runtime/python.js";
import type { ExecutionQuery } from "./store/executions-repo.js";
import type { TrainingQuery } from "./store/training-repo.js";

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface RemoveOptions {
  minor?: number;
  /** Remove even when the algorithm says `removable = false` (the local CLI's `--force`). */
  force?: boolean;
}

export interface ExportedZip {
  filename: string;
  bytes: Buffer;
}

/** Tag filters as Compox has them: every positive tag present, no negative tag present. */
export interface TagFilter {
  positive_tags?: string[];
  negative_tags?: string[];
}

export interface Engine {
  readonly dataDir: string;
  /** "cluster" when the queue, database and storage URLs are set (docs/cluster.md). */
  readonly mode: "desktop" | "cluster";
  readonly settings: Settings;
  /** CUDA devices jobs can use: this machine's, or in cluster mode any live worker's (seen within a few seconds). */
  gpus(): GpuInfo;
  /** Resolves once this node receives the other nodes' events (cluster mode; at once otherwise). */
  ready(): Promise<void>;
  /** Makes this process a cluster worker running jobs from the queues of `devices` until close(). */
  startWorker(opts: WorkerOptions): Promise<void>;
  /** Changes settings at run time (validated as a whole). */
  updateSettings(patch: Partial<SettingsInput>): Settings;
  /** The Python interpreter for Python algorithms as `compox doctor` checks it. */
  checkPython(): { chosen: PythonCheck | null; tried: PythonCheck[] };
  /** Records the HTTP address this owner serves, so `compox run` finds it. */
  announceUrl(url: string): void;

  // algorithms
  /** Deploys an algorithm folder or a .zip file on disk; `overrides` replace pyproject values. */
  deploy(source: string, overrides?: DeployOverrides): Promise<DeployResult>;
  /** Starts a deploy in the background (Compox 3.2's deploy/local-async); returns its id at once. */
  deployAsync(source: string, overrides?: DeployOverrides): Promise<{ deploy_id: string }>;
  /** Deploys an uploaded zip. */
  deployZip(bytes: Buffer, label?: string, overrides?: DeployOverrides): Promise<DeployResult>;
  /** An asynchronous deploy's record. */
  getDeploy(id: string): Promise<DeployRecord>;
  /** Every deployed line as an Algorithm record, filtered as Compox filters. */
  listAlgorithms(filter?: AlgorithmFilter): Promise<Algorithm[]>;
  /** The line of `name` (case-insensitive) and `major`. */
  getAlgorithm(name: string, major: number): Promise<Algorithm>;
  /** A line by its id. */
  getAlgorithmById(algorithmId: string): Promise<Algorithm>;
  /** An imported bioimage.io model's card (description, people, license, citations, covers, verification), or a 404. */
  modelCard(name: string, major: number): Promise<ModelCard>;
  /** Cover image `n` of an imported bioimage.io model, or a 404. */
  modelCover(name: string, major: number, n: number): Promise<{ bytes: Buffer; contentType: string }>;
  /** A zip of the algorithm folder (latest minor unless given; a checkpoint's files replace assets). */
  exportAlgorithm(name: string, major: number, minor?: number, checkpointId?: string): Promise<ExportedZip>;
  /** Removes a minor version, or the whole line; refuses non-removable ones unless forced. */
  removeAlgorithm(algorithmId: string, opts?: RemoveOptions): Promise<{ removed_minor_versions: string[] }>;

  // datasets
  /** Stores an uploaded HDF5 stream (refused over `max_upload_mb` or when not HDF5). */
  uploadDataset(body: Readable, opts?: { signal?: AbortSignal; name?: string; id?: string }): Promise<DatasetInfo>;
  /** Imports a PNG/JPEG/TIFF: one dataset per page. */
  importImage(bytes: Buffer, filename: string, signal?: AbortSignal): Promise<DatasetInfo[]>;
  /** Stores arrays as one dataset. */
  createDataset(items: Record<string, NDArray>, name?: string): Promise<DatasetInfo>;
  /** A dataset's info, or a 404. */
  getDataset(id: string): Promise<DatasetInfo>;
  /** The dataset's file on this computer (fetched from the shared store in cluster mode). */
  datasetPath(id: string, signal?: AbortSignal): Promise<string>;
  /** A dataset's arrays (all keys, or `keys`). */
  readDataset(id: string, keys?: readonly string[]): Promise<Record<string, NDArray>>;
  /** One plane (or a region of it) of a 2-D or 3-D key, reduced to at most maxSize on a side. */
  readPlane(id: string, key: string, slice: number, maxSize: number, sampling: Sampling, region?: Region): Promise<PlaneRead>;
  /** Plane `slice` of a 2-D or 3-D key, whole and in its own dtype (float16 as float32): what exports write. */
  readExactPlane(id: string, key: string, slice: number): Promise<NDArray>;
  /** Datasets, newest first; `before` is a file_id to page from. */
  listDatasets(limit?: number, before?: string): Promise<DatasetInfo[]>;
  /** Deletes a dataset (works on a full disk too), or a 404. */
  deleteDataset(id: string): Promise<void>;

  // executions and benchmarks
  /** Validates and queues an execution; resolves once it is recorded. */
  execute(request: ExecuteRequest): Promise<{ execution_id: string }>;
  getExecution(id: string): Promise<ExecutionRecord>;
  listExecutions(query?: ExecutionQuery): Promise<ExecutionRecord[]>;
  stopExecution(id: string): Promise<{ detail: string }>;
  /** Queues the runner's benchmark(args) (Compox 3.2). */
  benchmark(request: BenchmarkRequest): Promise<{ benchmark_id: string }>;
  getBenchmark(id: string): Promise<BenchmarkRecord>;

  // samples, trainings, checkpoints
  /** Stores a sample of input/target dataset pairs; 404 naming datasets that do not exist. */
  createSample(body: { files: Sample["files"]; tags?: string[] | null }): Promise<{ sample_id: string }>;
  listSamples(filter?: TagFilter): Promise<Sample[]>;
  getSample(id: string): Promise<Sample>;
  deleteSample(id: string): Promise<void>;
  /** Validates and queues a training; resolves once it is recorded. */
  train(request: TrainRequest): Promise<{ training_id: string }>;
  getTraining(id: string): Promise<TrainingRecord>;
  listTrainings(query?: TrainingQuery): Promise<TrainingRecord[]>;
  stopTraining(id: string): Promise<{ detail: string }>;
  listCheckpoints(filter?: TagFilter): Promise<Checkpoint[]>;
  getCheckpoint(id: string): Promise<Checkpoint>;
  deleteCheckpoint(id: string): Promise<void>;

  // events and life cycle
  /** Waits until no execution is queued or running. */
  idle(): Promise<void>;
  /** Subscribes to status, progress, log and deploy events; returns the unsubscribe function. */
  onEvent(listener: EventListener): () => void;
  /** Events after `id` still in memory (SSE resume). */
  eventsSince(id: number): EngineEvent[];
  /** Executions and trainings whose records ended after `ms` (ms since the epoch), oldest end first, at most 1000 of each. */
  endedSince(ms: number): Promise<{ kind: "execution" | "training"; id: string; status: Status }[]>;
  /** Stops running work (recorded FAILED "interrupted"), unloads runners, closes the store. */
  close(): Promise<void>;
}
