// The one typed HTTP client of the API: the renderer, the CLI's `run` and the tests all use it.
// Only `fetch` (browser or Node): no Node imports, so the renderer can bundle it.
import type { Algorithm, AlgorithmFilter, DeployResult } from "./algorithm.js";
import type { DatasetInfoBody, ServerInfo } from "./api.js";
import type { Checkpoint, EngineEvent, ExecuteRequest, ExecutionRecord, Sample, Status, TrainingRecord, TrainRequest } from "./records.js";
import type { PythonCheckResult, SettingsPatch, SettingsView } from "./settings-api.js";

/** A non-2xx answer, with the server's `{detail, code, details}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export interface ClientOptions {
  /** Bearer token, when the server has `api_token`. */
  token?: string;
  /** Another fetch (tests, in-process use). */
  fetch?: typeof fetch;
  /** Headers added to every request. */
  headers?: Record<string, string>;
}

type Query = Record<string, string | number | string[] | undefined | null>;

export class CompoxClient {
  private readonly doFetch: typeof fetch;

  constructor(
    readonly baseUrl: string,
    private readonly opts: ClientOptions = {},
  ) {
    this.doFetch = opts.fetch ?? ((...args) => fetch(...args));
  }

  /** The absolute URL of a path with a query. */
  url(path: string, query: Query = {}): string {
    const u = new URL(path, this.baseUrl.endsWith("/") ? this.baseUrl : `${this.baseUrl}/`);
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined || v === null) continue;
      for (const item of Array.isArray(v) ? v : [v]) u.searchParams.append(k, String(item));
    }
    return u.toString();
  }

  /** Sends a request; throws ApiError for non-2xx answers. */
  async request(method: string, path: string, init: { query?: Query; json?: unknown; body?: BodyInit; signal?: AbortSignal } = {}): Promise<Response> {
    const headers: Record<string, string> = { ...this.opts.headers };
    if (this.opts.token) headers.authorization = `Bearer ${this.opts.token}`;
    let body = init.body;
    if (init.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(init.json);
    }
    const res = await this.doFetch(this.url(path, init.query), { method, headers, body, signal: init.signal, ...(body instanceof ReadableStream ? { duplex: "half" } : {}) } as RequestInit);
    if (!res.ok) {
      let detail = res.statusText;
      let code = "http_error";
      let details: Record<string, unknown> | undefined;
      try {
        const b = (await res.json()) as { detail?: string; code?: string; details?: Record<string, unknown> };
        detail = b.detail ?? detail;
        code = b.code ?? code;
        details = b.details;
      } catch {
        // not JSON
      }
      throw new ApiError(res.status, code, detail, details);
    }
    return res;
  }

  private async json<T>(method: string, path: string, init: Parameters<CompoxClient["request"]>[2] = {}): Promise<T> {
    return (await (await this.request(method, path, init)).json()) as T;
  }

  info = () => this.json<ServerInfo>("GET", "/");

  // algorithms
  listAlgorithms = async (filter: AlgorithmFilter = {}): Promise<Algorithm[]> => {
    try {
      return await this.json<Algorithm[]>("GET", "/api/v0/algorithm/all", { query: filter as Query });
    } catch (err) {
      if (err instanceof ApiError && err.status === 404 && err.code === "algorithm_not_found") return []; // Compox's "none deployed"
      throw err;
    }
  };
  getAlgorithm = (name: string, major: number | string) => this.json<Algorithm>("GET", `/api/v0/algorithm/${encodeURIComponent(name)}/${major}`);
  exportUrl = (name: string, major: number | string, minor?: string, checkpointId?: string) => this.url(`/api/v0/algorithm/${encodeURIComponent(name)}/${major}/export`, { algorithm_minor_version: minor, checkpoint_id: checkpointId });
  deployLocal = (path: string) => this.json<DeployResult>("POST", "/api/v0/deploy/local", { query: { path } });
  deployZip = (zip: BodyInit) => this.json<DeployResult>("POST", "/api/v0/deploy/upload", { body: zip });
  removeAlgorithm = (algorithmId: string, minor?: string) => this.json<{ detail: string }>("DELETE", `/api/v0/deploy/algorithm/${algorithmId}`, { query: { algorithm_minor_version: minor } });

  // datasets
  uploadFile = (hdf5: BodyInit) => this.json<{ file_id: string }>("POST", "/api/v0/files", { body: hdf5 });
  importImage = (bytes: BodyInit, filename: string) => this.json<{ file_ids: string[] }>("POST", "/api/v0/files/import", { body: bytes, query: { filename } });
  listFiles = (limit = 50, before?: string) => this.json<DatasetInfoBody[]>("GET", "/api/v0/files", { query: { limit, before } });
  fileInfo = (id: string) => this.json<DatasetInfoBody>("GET", `/api/v0/files/${id}/info`);
  deleteFile = (id: string) => this.json<{ detail: string }>("DELETE", `/api/v0/files/${id}`);
  downloadFile = async (id: string) => new Uint8Array(await (await this.request("GET", `/api/v0/files/${id}`)).arrayBuffer());
  previewUrl = (id: string, q: { key?: string; slice?: number; max_size?: number } = {}) => this.url(`/api/v0/files/${id}/preview.png`, q);
  /** One 2-D plane of a dataset as float32, reduced to at most max_size on a side (GET /files/{id}/plane). */
  plane = async (id: string, q: { key?: string; slice?: number; max_size?: number; sampling?: "mean" | "nearest"; x?: number; y?: number; w?: number; h?: number } = {}) => {
    const res = await this.request("GET", `/api/v0/files/${id}/plane`, { query: q });
    const [h = 0, w = 0] = (res.headers.get("x-compox-shape") ?? "").split(",").map(Number);
    const [rx = 0, ry = 0, rw = w, rh = h] = (res.headers.get("x-compox-region") ?? "").split(",").map(Number);
    const region = { x: rx, y: ry, w: rw, h: rh };
    return { shape: [h, w] as [number, number], factor: Number(res.headers.get("x-compox-factor") ?? 1), depth: Number(res.headers.get("x-compox-depth") ?? 1), region, data: new Float32Array(await res.arrayBuffer()) };
  };
  fileExportUrl = (id: string, format: "png" | "tiff" | "h5", key?: string) => this.url(`/api/v0/files/${id}/export`, { format, key });
  exportFile = async (id: string, format: "png" | "tiff" | "h5", key?: string) => new Uint8Array(await (await this.request("GET", `/api/v0/files/${id}/export`, { query: { format, key } })).arrayBuffer());

  // executions
  execute = (req: ExecuteRequest) => this.json<{ execution_id: string }>("POST", "/api/v0/execute-algorithm", { json: req });
  getExecution = (id: string) => this.json<ExecutionRecord>("GET", `/api/v0/executions/${id}`);
  listExecutions = (q: { algorithm_id?: string; status?: Status; limit?: number; before?: string } = {}) => this.json<ExecutionRecord[]>("GET", "/api/v0/executions", { query: q });
  stopExecution = (id: string) => this.json<{ detail: string }>("POST", `/api/v0/executions/${id}/stop`);

  // training
  createSample = (files: Sample["files"], tags?: string[]) => this.json<{ sample_id: string }>("POST", "/api/v0/sample", { json: { files, tags } });
  listSamples = (q: { positive_tags?: string[]; negative_tags?: string[] } = {}) => this.json<Sample[]>("GET", "/api/v0/sample/all", { query: q });
  deleteSample = (id: string) => this.json<{ detail: string }>("DELETE", `/api/v0/sample/${id}`);
  train = (req: TrainRequest) => this.json<{ training_id: string }>("POST", "/api/v0/train-algorithm", { json: req });
  getTraining = (id: string) => this.json<TrainingRecord>("GET", `/api/v0/training/${id}`);
  listTrainings = (q: { algorithm_id?: string; status?: Status; limit?: number; before?: string } = {}) => this.json<TrainingRecord[]>("GET", "/api/v0/training/all", { query: q });
  stopTraining = (id: string) => this.json<{ detail: string }>("POST", `/api/v0/training/${id}/stop`);
  listCheckpoints = (q: { positive_tags?: string[]; negative_tags?: string[] } = {}) => this.json<Checkpoint[]>("GET", "/api/v0/checkpoint/all", { query: q });
  getCheckpoint = (id: string) => this.json<Checkpoint>("GET", `/api/v0/checkpoint/${id}`);
  deleteCheckpoint = (id: string) => this.json<{ detail: string }>("DELETE", `/api/v0/checkpoint/${id}`);

  // settings
  getSettings = () => this.json<SettingsView>("GET", "/api/v0/settings");
  patchSettings = (patch: SettingsPatch) => this.json<SettingsView>("PATCH", "/api/v0/settings", { json: patch });
  checkPython = () => this.json<PythonCheckResult>("GET", "/api/v0/settings/python");

  /**
   * Follows the SSE stream; calls `onEvent` for each event until the returned function is called
   * (or `signal` aborts). Reconnects with Last-Event-ID after a dropped connection. With `since`,
   * starts with the kept events after that id (0: all kept), so none is missed while connecting.
   */
  events(onEvent: (e: EngineEvent) => void, opts: { executionId?: string; trainingId?: string; since?: number; signal?: AbortSignal; onError?: (err: unknown) => void } = {}): () => void {
    const controller = new AbortController();
    opts.signal?.addEventListener("abort", () => controller.abort());
    let lastId: number | undefined = opts.since;
    const loop = async () => {
      while (!controller.signal.aborted) {
        try {
          const res = await this.request("GET", "/api/v0/events", { query: { execution_id: opts.executionId, training_id: opts.trainingId, last_event_id: lastId }, signal: controller.signal });
          const reader = (res.body as ReadableStream<Uint8Array>).getReader();
          const decoder = new TextDecoder();
          let buffer = "";
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            buffer += decoder.decode(value, { stream: true });
            let cut: number;
            while ((cut = buffer.indexOf("\n\n")) >= 0) {
              const block = buffer.slice(0, cut);
              buffer = buffer.slice(cut + 2);
              const data = block
                .split("\n")
                .filter((l) => l.startsWith("data:"))
                .map((l) => l.slice(5).trimStart())
                .join("\n");
              if (!data) continue;
              const event = JSON.parse(data) as EngineEvent;
              lastId = event.id;
              onEvent(event);
            }
          }
        } catch (err) {
          if (controller.signal.aborted) return;
          opts.onError?.(err);
        }
        if (!controller.signal.aborted) await new Promise((r) => setTimeout(r, 1000));
      }
    };
    void loop();
    return () => controller.abort();
  }
}
