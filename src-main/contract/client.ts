// The one typed HTTP client of the API: the renderer, the CLI's `run` and the tests all use it.
// Its calls and their types come from the endpoint table (contract/endpoints.ts): `call` answers
// JSON, `send` the Response, `urlOf` a link; the named methods below are shorthands over them.
// Only `fetch` (browser or Node): no Node imports, so the renderer can bundle it.
import type { Algorithm, AlgorithmFilter } from "./algorithm.js";
import { ENDPOINTS, fillPath, type CallInput, type Endpoint, type EndpointName, type Endpoints, type JsonResponse } from "./endpoints.js";
import type { EngineEvent, ExecuteRequest, Sample, TrainRequest } from "./records.js";
import type { SettingsPatch } from "./settings-api.js";

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
  /** Check each JSON answer against the endpoint's response schema (tests: the server keeps the contract). */
  validate?: boolean;
}

/** A call's input (omitted where an endpoint takes none) and an AbortSignal. */
type CallArgs<N extends EndpointName> = Partial<CallInput<Endpoints[N]>> extends CallInput<Endpoints[N]> ? [input?: CallInput<Endpoints[N]>, signal?: AbortSignal] : [input: CallInput<Endpoints[N]>, signal?: AbortSignal];

type Query = Record<string, string | number | boolean | string[] | undefined | null>;
type Input = { params?: Record<string, string | number>; query?: object; json?: unknown; body?: BodyInit };

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

  /** The absolute URL of endpoint `name` with its params and query (links, picture sources). */
  urlOf<N extends EndpointName>(name: N, input: Pick<CallInput<Endpoints[N]>, "params" | "query">): string {
    const ep: Endpoint = ENDPOINTS[name];
    return this.url(fillPath(ep.path, input.params ?? {}), (input.query ?? {}) as Query);
  }

  /** Calls endpoint `name` (contract/endpoints.ts) and answers its JSON, typed by the table; throws ApiError for non-2xx answers. */
  async call<N extends EndpointName>(name: N, ...[input, signal]: CallArgs<N>): Promise<JsonResponse<Endpoints[N]>> {
    const res = await this.send(name, ...([input, signal] as CallArgs<N>));
    const body: unknown = await res.json();
    const schema = (ENDPOINTS[name] as Endpoint).response;
    if (this.opts.validate && schema && typeof schema !== "string") {
      const checked = schema.safeParse(body);
      if (!checked.success) throw new Error(`${name}: the answer does not match contract/endpoints.ts: ${checked.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    }
    return body as JsonResponse<Endpoints[N]>;
  }

  /** Calls endpoint `name` and returns the Response itself (files, pictures, streams); throws ApiError for non-2xx answers. */
  send<N extends EndpointName>(name: N, ...[input, signal]: CallArgs<N>): Promise<Response> {
    const ep: Endpoint = ENDPOINTS[name];
    const i = (input ?? {}) as Input;
    return this.request(ep.method.toUpperCase(), fillPath(ep.path, i.params), { query: i.query as Query | undefined, json: i.json, body: i.body, signal });
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

  private async bytes<N extends EndpointName>(name: N, ...args: CallArgs<N>): Promise<Uint8Array> {
    return new Uint8Array(await (await this.send(name, ...args)).arrayBuffer());
  }

  info = () => this.call("info");

  // algorithms
  listAlgorithms = async (filter: AlgorithmFilter = {}): Promise<Algorithm[]> => {
    try {
      return await this.call("listAlgorithms", { query: filter });
    } catch (err) {
      if (err instanceof ApiError && err.status === 404 && err.code === "algorithm_not_found") return []; // Compox's "none deployed"
      throw err;
    }
  };
  getAlgorithm = (name: string, major: number | string) => this.call("getAlgorithm", { params: { name, major } });
  modelCard = (name: string, major: number | string) => this.call("modelCard", { params: { name, major } });
  coverUrl = (name: string, major: number | string, n: number) => this.urlOf("modelCover", { params: { name, major, n } });
  exportUrl = (name: string, major: number | string, minor?: string, checkpointId?: string) => this.urlOf("exportAlgorithm", { params: { name, major }, query: { algorithm_minor_version: minor, checkpoint_id: checkpointId } });
  deployLocal = (path: string) => this.call("deployLocal", { query: { path } });
  deployZip = (zip: BodyInit) => this.call("deployUpload", { body: zip });
  removeAlgorithm = (algorithmId: string, minor?: string) => this.call("removeAlgorithm", { params: { algorithm_id: algorithmId }, query: { algorithm_minor_version: minor } });

  // datasets
  uploadFile = (hdf5: BodyInit) => this.call("uploadFile", { body: hdf5 });
  importImage = (bytes: BodyInit, filename: string) => this.call("importImage", { body: bytes, query: { filename } });
  listFiles = (limit = 50, before?: string) => this.call("listFiles", { query: { limit, before } });
  fileInfo = (id: string) => this.call("fileInfo", { params: { id } });
  deleteFile = (id: string) => this.call("deleteFile", { params: { id } });
  downloadFile = (id: string) => this.bytes("downloadFile", { params: { id } });
  previewUrl = (id: string, q: { key?: string; slice?: number; max_size?: number } = {}) => this.urlOf("filePreview", { params: { id }, query: q });
  /** One 2-D plane of a dataset as float32, reduced to at most max_size on a side (GET /files/{id}/plane). */
  plane = async (id: string, q: CallInput<Endpoints["filePlane"]>["query"] = {}) => {
    const res = await this.send("filePlane", { params: { id }, query: q });
    const [h = 0, w = 0] = (res.headers.get("x-compox-shape") ?? "").split(",").map(Number);
    const [rx = 0, ry = 0, rw = w, rh = h] = (res.headers.get("x-compox-region") ?? "").split(",").map(Number);
    const region = { x: rx, y: ry, w: rw, h: rh };
    return { shape: [h, w] as [number, number], factor: Number(res.headers.get("x-compox-factor") ?? 1), depth: Number(res.headers.get("x-compox-depth") ?? 1), region, data: new Float32Array(await res.arrayBuffer()) };
  };
  /** The objects of a segmentation plane, per class, with an image's intensity under each (intensity_id). */
  measure = (id: string, q: CallInput<Endpoints["measure"]>["query"] = {}) => this.call("measure", { params: { id }, query: q });
  measureCsvUrl = (id: string, q: CallInput<Endpoints["measureCsv"]>["query"] = {}) => this.urlOf("measureCsv", { params: { id }, query: q });
  fileExportUrl = (id: string, format: "png" | "tiff" | "h5", key?: string) => this.urlOf("fileExport", { params: { id }, query: { format, key } });
  exportFile = (id: string, format: "png" | "tiff" | "h5", key?: string) => this.bytes("fileExport", { params: { id }, query: { format, key } });

  // executions
  execute = (req: ExecuteRequest) => this.call("execute", { json: req });
  getExecution = (id: string) => this.call("getExecution", { params: { id } });
  listExecutions = (q: CallInput<Endpoints["listExecutions"]>["query"] = {}) => this.call("listExecutions", { query: q });
  stopExecution = (id: string) => this.call("stopExecution", { params: { id } });
  /** All outputs of a completed execution as one multi-page TIFF in their own type. */
  outputsExportUrl = (id: string, key?: string) => this.urlOf("exportOutputs", { params: { id }, query: { key } });

  // training
  createSample = (files: Sample["files"], tags?: string[]) => this.call("createSample", { json: { files, tags } });
  listSamples = (q: CallInput<Endpoints["listSamples"]>["query"] = {}) => this.call("listSamples", { query: q });
  deleteSample = (id: string) => this.call("deleteSample", { params: { id } });
  train = (req: TrainRequest) => this.call("train", { json: req });
  getTraining = (id: string) => this.call("getTraining", { params: { id } });
  listTrainings = (q: CallInput<Endpoints["listTrainings"]>["query"] = {}) => this.call("listTrainings", { query: q });
  stopTraining = (id: string) => this.call("stopTraining", { params: { id } });
  listCheckpoints = (q: CallInput<Endpoints["listCheckpoints"]>["query"] = {}) => this.call("listCheckpoints", { query: q });
  getCheckpoint = (id: string) => this.call("getCheckpoint", { params: { id } });
  deleteCheckpoint = (id: string) => this.call("deleteCheckpoint", { params: { id } });

  // settings
  getSettings = () => this.call("getSettings");
  patchSettings = (patch: SettingsPatch) => this.call("patchSettings", { json: patch });
  checkPython = () => this.call("checkPython");

  /**
   * Follows the SSE stream; calls `onEvent` for each event until the returned function is called
   * (or `signal` aborts). Reconnects with Last-Event-ID after a dropped connection. With `since`,
   * starts with the kept events after that id (0: all kept), so none is missed while connecting.
   */
  /** Follows the event stream (resuming after the last event seen when it reconnects, by itself,
   * a second after a failure); `onOpen` hears each (re)connection, `onError` each loss. */
  events(onEvent: (e: EngineEvent) => void, opts: { executionId?: string; trainingId?: string; since?: number; signal?: AbortSignal; onError?: (err: unknown) => void; onOpen?: () => void } = {}): () => void {
    const controller = new AbortController();
    opts.signal?.addEventListener("abort", () => controller.abort());
    let lastId: number | undefined = opts.since;
    const loop = async () => {
      while (!controller.signal.aborted) {
        try {
          const res = await this.send("events", { query: { execution_id: opts.executionId, training_id: opts.trainingId, last_event_id: lastId } }, controller.signal);
          opts.onOpen?.();
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
          // The server closed the stream (it stopped): as much a loss as a failed request.
          if (!controller.signal.aborted) throw new Error("the event stream ended");
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
