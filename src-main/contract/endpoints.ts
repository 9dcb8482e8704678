// Every route of the HTTP API, once: method, path, query, body, response and documented errors.
// The server registers its handlers against this table (and refuses to start with one missing),
// /openapi.json is generated from it, and the client (client.ts) builds its calls and their types
// from it. A route is added here first.
import { z } from "zod";
import { AlgorithmSchema, DeployResultSchema } from "./algorithm.js";
import { ModelCardSchema } from "./model-card.js";
import { DatasetInfoSchema, DetailSchema, ExecutionIdSchema, FileIdSchema, FileIdsSchema, MeasurementsSchema, PageQuerySchema, RemoveResultSchema, ServerInfoSchema, UrlSchema } from "./api.js";
import { BenchmarkRecordSchema, BenchmarkRequestSchema, CheckpointSchema, CreateSampleSchema, DeployRecordSchema, ExecuteRequestSchema, ExecutionRecordSchema, SampleSchema, STATUSES, TrainingRecordSchema, TrainRequestSchema } from "./records.js";
import { PythonCheckSchema, SettingsPatchSchema, SettingsViewSchema } from "./settings-api.js";

export type Method = "get" | "post" | "put" | "patch" | "delete";

/** The media type of a response that is not JSON. */
export type MediaType = "application/zip" | "application/octet-stream" | "image/png" | "text/event-stream" | "text/html" | "text/csv";

export interface Endpoint {
  method: Method;
  /** OpenAPI-style path: `/api/v0/executions/{id}`. */
  path: string;
  summary: string;
  tags: string[];
  query?: z.ZodObject;
  /** A JSON body schema, or "binary" for raw uploads. */
  body?: z.ZodType | "binary";
  /** A JSON response schema, or the media type of a non-JSON response. */
  response?: z.ZodType | MediaType;
  /** Error statuses the route documents. */
  errors?: number[];
  /** Hono pattern when it differs from `path` (wildcards). */
  match?: string;
}

const endpoint = <const E extends Endpoint>(e: E): E => e;

// Queries.
const JobListQuery = z.object({
  algorithm_id: z.string().optional(),
  status: z.enum(STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  before: z.string().optional(),
});
const TagQuery = z.object({ positive_tags: z.array(z.string()).optional(), negative_tags: z.array(z.string()).optional() });
const AlgorithmFilterQuery = z.object({
  positive_tag: z.array(z.string()).optional(),
  negative_tag: z.array(z.string()).optional(),
  algorithm_type: z.string().optional(),
  supported_devices: z.array(z.string()).optional(),
});
const ExportQuery = z.object({ algorithm_minor_version: z.string().optional(), checkpoint_id: z.string().optional() });
export const MinorQuery = z.object({ algorithm_minor_version: z.string().optional() });
const flag = () =>
  z
    .enum(["true", "false", "True", "False", "1", "0"], { error: 'must be "true" or "false"' })
    .transform((v) => v === "true" || v === "True" || v === "1")
    .optional();
/** Compox 3.2's deploy/local query: the path, and values that replace the pyproject's. */
const DeployPathQuery = z.object({
  path: z.string().min(1, { error: "give the folder or .zip to deploy as ?path=" }),
  algorithm_name: z.string().min(1).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { error: "must be a name without spaces (letters, digits, '.', '_' or '-')" }).optional(),
  algorithm_major_version: z.string().regex(/^\d+$/, { error: "must be a whole number" }).transform(Number).optional(),
  removable: flag(),
  exportable: flag(),
  /** A bioimage.io model package that fails its reproduction test is deployed anyway, marked unverified. */
  force: flag(),
});
const DeployUploadQuery = z.object({ force: flag() });
const ImportQuery = z.object({ filename: z.string().default("image") });
const PreviewQuery = z.object({
  key: z.string().optional(),
  slice: z.coerce.number().int().min(0).default(0),
  max_size: z.coerce.number().int().min(16).max(4096).default(512),
});
const PlaneQuery = z.object({
  key: z.string().optional(),
  slice: z.coerce.number().int().min(0).default(0),
  max_size: z.coerce.number().int().min(16).max(16384).default(2048),
  sampling: z.enum(["mean", "nearest"]).default("mean"),
  /** A region of the plane, in its pixels: all four, or none. */
  x: z.coerce.number().int().min(0).optional(),
  y: z.coerce.number().int().min(0).optional(),
  w: z.coerce.number().int().min(1).optional(),
  h: z.coerce.number().int().min(1).optional(),
});
const FileExportQuery = z.object({ format: z.enum(["png", "tiff", "h5"]).default("h5"), key: z.string().optional(), slice: z.coerce.number().int().min(0).default(0) });
const MeasureQuery = z.object({
  key: z.string().optional(),
  slice: z.coerce.number().int().min(0).default(0),
  /** A dataset whose image is measured under each object (its intensity), of the same plane size. */
  intensity_id: z.string().optional(),
  intensity_key: z.string().optional(),
});
const StackExportQuery = z.object({ format: z.enum(["tiff"]).default("tiff"), key: z.string().optional() });
const EventsQuery = z.object({ execution_id: z.string().optional(), training_id: z.string().optional(), last_event_id: z.coerce.number().int().optional() });

const PLANE_SUMMARY =
  "One 2-D plane (of a stack or volume: plane `slice`), or its region x, y, w, h, as little-endian float32, at most max_size on a side (block means, or every f-th pixel with sampling=nearest); shape in x-compox-shape, reduction in x-compox-factor (block means over more than max_image_megapixels are sampled instead: x-compox-sampling says which), the region sent in x-compox-region (x,y,w,h), planes in x-compox-depth, the key (percent-encoded) in x-compox-key";

export const ENDPOINTS = {
  // meta
  info: endpoint({ method: "get", path: "/", summary: "Server identity (browsers are sent to /ui/)", tags: ["meta"], response: ServerInfoSchema }),
  favicon: endpoint({ method: "get", path: "/favicon.ico", summary: "The app icon (PNG)", tags: ["meta"], response: "image/png" }),
  ui: endpoint({ method: "get", path: "/ui", summary: "The window's UI", tags: ["meta"], response: "text/html" }),
  uiFile: endpoint({ method: "get", path: "/ui/{file}", match: "/ui/*", summary: "The window's UI (any file under /ui/)", tags: ["meta"], response: "text/html" }),
  openapi: endpoint({ method: "get", path: "/openapi.json", summary: "This document", tags: ["meta"], response: z.record(z.string(), z.unknown()) }),

  // algorithms and deploys
  listAlgorithms: endpoint({ method: "get", path: "/api/v0/algorithm/all", summary: "List deployed algorithms", tags: ["algorithms"], query: AlgorithmFilterQuery, response: z.array(AlgorithmSchema), errors: [404] }),
  getAlgorithm: endpoint({ method: "get", path: "/api/v0/algorithm/{name}/{major}", summary: "The latest minor version of an algorithm line", tags: ["algorithms"], response: AlgorithmSchema, errors: [404] }),
  modelCard: endpoint({ method: "get", path: "/api/v0/algorithm/{name}/{major}/model-card", summary: "An imported bioimage.io model's card: description, authors, license, citations, covers and the import's reproduction test", tags: ["algorithms"], response: ModelCardSchema, errors: [404] }),
  modelCover: endpoint({ method: "get", path: "/api/v0/algorithm/{name}/{major}/model-card/cover/{n}", summary: "Cover image n (from 0) of an imported bioimage.io model", tags: ["algorithms"], response: "image/png", errors: [404] }),
  exportAlgorithm: endpoint({ method: "get", path: "/api/v0/algorithm/{name}/{major}/export", summary: "The algorithm folder as a zip", tags: ["algorithms"], query: ExportQuery, response: "application/zip", errors: [403, 404] }),
  deployLocal: endpoint({ method: "post", path: "/api/v0/deploy/local", summary: "Deploy a folder or .zip on this computer", tags: ["deploy"], query: DeployPathQuery, response: DeployResultSchema, errors: [400] }),
  deployLocalAsync: endpoint({ method: "post", path: "/api/v0/deploy/local-async", summary: "Start deploying a folder or .zip in the background; poll GET /api/v0/deploy/{deploy_id}", tags: ["deploy"], query: DeployPathQuery, response: z.object({ deploy_id: z.string() }), errors: [422] }),
  getDeploy: endpoint({ method: "get", path: "/api/v0/deploy/{deploy_id}", summary: "An asynchronous deploy: PENDING, RUNNING, COMPLETED (with result) or FAILED (with error)", tags: ["deploy"], response: DeployRecordSchema, errors: [404] }),
  deployUpload: endpoint({ method: "post", path: "/api/v0/deploy/upload", summary: "Deploy an uploaded .zip (raw body); ?force=true deploys a bioimage.io model that fails its reproduction test, marked unverified", tags: ["deploy"], query: DeployUploadQuery, body: "binary", response: DeployResultSchema, errors: [400, 413] }),
  removeAlgorithm: endpoint({ method: "delete", path: "/api/v0/deploy/algorithm/{algorithm_id}", summary: "Remove an algorithm line or one minor version", tags: ["deploy"], query: MinorQuery, response: RemoveResultSchema, errors: [400, 404] }),

  // datasets
  uploadFile: endpoint({ method: "post", path: "/api/v0/files", summary: "Upload one HDF5 dataset (raw body, not multipart)", tags: ["files"], body: "binary", response: FileIdSchema, errors: [413, 422] }),
  listFiles: endpoint({ method: "get", path: "/api/v0/files", summary: "List datasets, newest first", tags: ["files"], query: PageQuerySchema, response: z.array(DatasetInfoSchema) }),
  importImage: endpoint({ method: "post", path: "/api/v0/files/import", summary: "Import a PNG, JPEG or TIFF (one dataset per page, key `image`, in the file's own dtype, channels first: C×H×W)", tags: ["files"], query: ImportQuery, body: "binary", response: FileIdsSchema, errors: [413, 422] }),
  downloadFile: endpoint({ method: "get", path: "/api/v0/files/{id}", summary: "Download a dataset (HDF5)", tags: ["files"], response: "application/octet-stream", errors: [404] }),
  deleteFile: endpoint({ method: "delete", path: "/api/v0/files/{id}", summary: "Delete a dataset", tags: ["files"], response: DetailSchema, errors: [404] }),
  fileInfo: endpoint({ method: "get", path: "/api/v0/files/{id}/info", summary: "A dataset's keys, shapes and dtypes", tags: ["files"], response: DatasetInfoSchema, errors: [404] }),
  filePreview: endpoint({ method: "get", path: "/api/v0/files/{id}/preview.png", summary: "A contrast-stretched PNG preview", tags: ["files"], query: PreviewQuery, response: "image/png", errors: [404, 422] }),
  filePlane: endpoint({ method: "get", path: "/api/v0/files/{id}/plane", summary: PLANE_SUMMARY, tags: ["files"], query: PlaneQuery, response: "application/octet-stream", errors: [404, 422] }),
  fileExport: endpoint({ method: "get", path: "/api/v0/files/{id}/export", summary: "Export as HDF5, as a multi-page TIFF in the data's own type (float32 stays float32, uint16 stays uint16; float16 becomes float32), or as a PNG rendering (uint8/uint16 kept, other types stretched to 8 bits)", tags: ["files"], query: FileExportQuery, response: "application/octet-stream", errors: [404, 422] }),
  measure: endpoint({ method: "get", path: "/api/v0/files/{id}/measure", summary: "The objects of a segmentation plane (key `mask` by default): the 8-connected components of each class with area, centroid, bounding box and, with intensity_id, the image's mean/min/max under each; and per class its count, area and fraction", tags: ["files"], query: MeasureQuery, response: MeasurementsSchema, errors: [404, 422] }),
  measureCsv: endpoint({ method: "get", path: "/api/v0/files/{id}/measure.csv", summary: "The objects of /measure as CSV, one per line", tags: ["files"], query: MeasureQuery, response: "text/csv", errors: [404, 422] }),
  // Compox's presigned-URL flow, served by this server itself.
  uploadUrl: endpoint({ method: "get", path: "/api/v1/files/{name}/upload-url", summary: "Where to PUT a dataset named {name}", tags: ["files v1"], response: UrlSchema }),
  downloadUrl: endpoint({ method: "get", path: "/api/v1/files/{name}/download-url", summary: "Where to GET the dataset named {name}", tags: ["files v1"], response: UrlSchema, errors: [404] }),
  deleteNamedFile: endpoint({ method: "delete", path: "/api/v1/files/{name}", summary: "Delete the dataset named {name}", tags: ["files v1"], response: DetailSchema, errors: [404] }),
  putObject: endpoint({ method: "put", path: "/api/v1/objects/{name}", summary: "Upload target of an upload-url", tags: ["files v1"], body: "binary", response: FileIdSchema, errors: [413, 422] }),
  getObject: endpoint({ method: "get", path: "/api/v1/objects/{name}", summary: "Download target of a download-url", tags: ["files v1"], response: "application/octet-stream", errors: [404] }),

  // executions and benchmarks
  execute: endpoint({ method: "post", path: "/api/v0/execute-algorithm", summary: "Queue an execution; returns its id at once", tags: ["executions"], body: ExecuteRequestSchema, response: ExecutionIdSchema, errors: [404, 422, 503] }),
  listExecutions: endpoint({ method: "get", path: "/api/v0/executions", summary: "Executions, newest first", tags: ["executions"], query: JobListQuery, response: z.array(ExecutionRecordSchema) }),
  getExecution: endpoint({ method: "get", path: "/api/v0/executions/{id}", summary: "An execution record", tags: ["executions"], response: ExecutionRecordSchema, errors: [404] }),
  stopExecution: endpoint({ method: "post", path: "/api/v0/executions/{id}/stop", summary: "Stop a queued or running execution", tags: ["executions"], response: DetailSchema, errors: [400, 404] }),
  exportOutputs: endpoint({ method: "get", path: "/api/v0/executions/{id}/export", summary: "All outputs of a completed execution as one multi-page TIFF, in order, each in its own type (a stack run page by page comes back as one stack); named <input name>_<algorithm>.tif", tags: ["executions"], query: StackExportQuery, response: "application/octet-stream", errors: [404, 422] }),
  benchmark: endpoint({ method: "post", path: "/api/v0/benchmark-algorithm", summary: "Queue the runner's benchmark(args); returns its id at once (Compox 3.2)", tags: ["benchmarks"], body: BenchmarkRequestSchema, response: z.object({ benchmark_id: z.string() }), errors: [404, 422, 503] }),
  getBenchmark: endpoint({ method: "get", path: "/api/v0/benchmarks/{id}", summary: "A benchmark record; `data` is what benchmark() returned", tags: ["benchmarks"], response: BenchmarkRecordSchema, errors: [404] }),

  // samples, trainings and checkpoints
  createSample: endpoint({ method: "post", path: "/api/v0/sample", summary: "Store a sample: input/target dataset pairs", tags: ["training"], body: CreateSampleSchema, response: z.object({ sample_id: z.string() }), errors: [404, 422] }),
  listSamples: endpoint({ method: "get", path: "/api/v0/sample/all", summary: "Samples, filtered by tags", tags: ["training"], query: TagQuery, response: z.array(SampleSchema) }),
  getSample: endpoint({ method: "get", path: "/api/v0/sample/{id}", summary: "A sample", tags: ["training"], response: SampleSchema, errors: [404] }),
  deleteSample: endpoint({ method: "delete", path: "/api/v0/sample/{id}", summary: "Delete a sample", tags: ["training"], response: DetailSchema, errors: [404] }),
  train: endpoint({ method: "post", path: "/api/v0/train-algorithm", summary: "Queue a training; returns its id at once", tags: ["training"], body: TrainRequestSchema, response: z.object({ training_id: z.string() }), errors: [404, 422, 503] }),
  listTrainings: endpoint({ method: "get", path: "/api/v0/training/all", summary: "Trainings, newest first", tags: ["training"], query: JobListQuery, response: z.array(TrainingRecordSchema) }),
  getTraining: endpoint({ method: "get", path: "/api/v0/training/{id}", summary: "A training record", tags: ["training"], response: TrainingRecordSchema, errors: [404] }),
  stopTraining: endpoint({ method: "post", path: "/api/v0/training/{id}/stop", summary: "Stop a training", tags: ["training"], response: DetailSchema, errors: [400, 404] }),
  listCheckpoints: endpoint({ method: "get", path: "/api/v0/checkpoint/all", summary: "Checkpoints, filtered by tags", tags: ["training"], query: TagQuery, response: z.array(CheckpointSchema) }),
  getCheckpoint: endpoint({ method: "get", path: "/api/v0/checkpoint/{id}", summary: "A checkpoint", tags: ["training"], response: CheckpointSchema, errors: [404] }),
  deleteCheckpoint: endpoint({ method: "delete", path: "/api/v0/checkpoint/{id}", summary: "Delete a checkpoint", tags: ["training"], response: DetailSchema, errors: [404] }),

  // events and settings
  events: endpoint({ method: "get", path: "/api/v0/events", summary: "Live status, progress, log and deploy events (SSE)", tags: ["events"], query: EventsQuery, response: "text/event-stream" }),
  getSettings: endpoint({ method: "get", path: "/api/v0/settings", summary: "Current settings", tags: ["settings"], response: SettingsViewSchema }),
  checkPython: endpoint({ method: "get", path: "/api/v0/settings/python", summary: "Checks the Python interpreter for Python algorithms (as compox doctor does)", tags: ["settings"], response: PythonCheckSchema }),
  patchSettings: endpoint({ method: "patch", path: "/api/v0/settings", summary: "Change run-time settings (saved to settings.toml)", tags: ["settings"], body: SettingsPatchSchema, response: SettingsViewSchema, errors: [422] }),
} as const;

export type Endpoints = typeof ENDPOINTS;
export type EndpointName = keyof Endpoints;

/** The names of a path's `{params}`. */
type ParamNames<P extends string> = P extends `${string}{${infer N}}${infer Rest}` ? N | ParamNames<Rest> : never;

/** What a call of endpoint E sends: path params, query (its input form) and JSON body, each only where E has one. */
export type CallInput<E extends Endpoint> = ([ParamNames<E["path"]>] extends [never] ? { params?: undefined } : { params: Record<ParamNames<E["path"]>, string | number> }) &
  (E["query"] extends z.ZodObject ? { query?: z.input<E["query"]> } : { query?: undefined }) &
  (E["body"] extends z.ZodType ? { json: z.input<E["body"]> } : E["body"] extends "binary" ? { body: BodyInit } : { json?: undefined });

/** What the server parsed of a request to endpoint E, as its handler gets it. */
export interface HandlerInput<E extends Endpoint> {
  params: Record<ParamNames<E["path"]>, string>;
  query: E["query"] extends z.ZodObject ? z.output<E["query"]> : undefined;
  body: E["body"] extends z.ZodType ? z.output<E["body"]> : undefined;
}

/** The JSON an endpoint answers with (undefined for media types). */
export type JsonResponse<E extends Endpoint> = E["response"] extends z.ZodType ? z.output<E["response"]> : never;

/** A path with its `{params}` filled in, percent-encoded. */
export function fillPath(path: string, params: Record<string, string | number> = {}): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`path ${path} needs {${name}}`);
    return encodeURIComponent(String(value));
  });
}
