// The one typed union of messages between the engine and a runner process, and the small RPC that
// carries them both ways. Errors cross as {name, message, stack}, never as Error objects.
import type { LogLevel, RunnerDevice, TrainingSample } from "../../sdk/context.js";
import type { DType } from "../../../contract/ndarray.js";

export interface LoadSpec {
  /** File path of the esbuild bundle of the module (TS/JS runners). */
  bundlePath: string;
  /** Folder holding the module's extracted sources, put on sys.path (Python runners). */
  moduleRoot?: string;
  device: RunnerDevice;
  /** Asset path → file holding its bytes (the blob, or a checkpoint's replacement). */
  assets: Record<string, string>;
}

export interface ExecuteSpec {
  jobId: string;
  inputIds: string[];
  args: Record<string, unknown>;
  /** Folder where the runner writes output datasets before the engine commits them. */
  outputDir: string;
  /** Set by the runner process's main thread: the value its shared stop flag takes to stop this job. */
  stopToken?: number;
}

export interface TrainSpec {
  jobId: string;
  sampleIds: string[];
  args: Record<string, unknown>;
  outputDir: string;
  /** The training's own temp folder (the temp store of SPEC section 3), removed when it ends. */
  tempDir: string;
  stopToken?: number;
}

export interface BenchmarkSpec {
  jobId: string;
  args: Record<string, unknown>;
  outputDir: string;
  stopToken?: number;
}

/** Methods the engine calls on a runner process. */
export interface RunnerMethods {
  load(spec: LoadSpec): Promise<{ locked: string[] }>;
  execute(spec: ExecuteSpec): Promise<{ outputIds: string[] }>;
  train(spec: TrainSpec): Promise<Record<string, never>>;
  /** The runner's benchmark(args) (Compox 3.2); `data` is the dict it returned. */
  benchmark(spec: BenchmarkSpec): Promise<{ data: Record<string, unknown> }>;
}

/** Methods a runner process calls on the engine. */
export interface EngineMethods {
  datasetPath(args: { id: string }): Promise<string>;
  /** `keys`: what the file holds, when the runner wrote it from arrays (keysOfArrays), so the
   * engine need not read it back; a runner that sends none has it inspected. */
  commitDataset(args: { jobId: string; path: string; keys?: Record<string, { shape: number[]; dtype: DType | "str" }> }): Promise<string>;
  sessionSave(args: { jobId: string; key: string; value: unknown }): Promise<void>;
  sessionLoad(args: { jobId: string; key: string }): Promise<unknown>;
  sessionRemove(args: { jobId: string; key: string }): Promise<void>;
  trainingDataset(args: { jobId: string; sampleIds: string[] }): Promise<TrainingSample[]>;
  setState(args: { jobId: string; state: Record<string, unknown> }): Promise<void>;
  /** `files`: asset path → a file the runner wrote; returns the checkpoint id. */
  saveCheckpoint(args: { jobId: string; files: Record<string, string>; properties: Record<string, unknown> }): Promise<string>;
  /** The engine's Python interpreter, found on first need, or null (a bioimage.io model's TorchScript weights run with it). */
  pythonCommand(args: Record<string, never>): Promise<string | null>;
}

export type RunnerEvent =
  | { type: "log"; level: LogLevel; message: string; time: number }
  | { type: "progress"; value: number };

export interface WireError {
  name: string;
  message: string;
  stack?: string;
  code?: string;
}

export type Message =
  | { kind: "call"; id: number; method: string; args: unknown }
  | { kind: "result"; id: number; ok: true; value: unknown }
  | { kind: "result"; id: number; ok: false; error: WireError }
  | { kind: "stop"; jobId: string }
  | { kind: "event"; jobId: string | null; event: RunnerEvent };

export function toWireError(err: unknown): WireError {
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack, code: (err as { code?: string }).code };
  return { name: "Error", message: String(err) };
}

/** An Error rebuilt from the wire, keeping the remote stack. */
export class RemoteError extends Error {
  readonly code: string | undefined;
  constructor(w: WireError) {
    super(w.message);
    this.name = w.name;
    this.code = w.code;
    if (w.stack) this.stack = w.stack;
  }
}

type Handlers<M> = { [K in keyof M]: M[K] extends (a: infer A) => Promise<infer R> ? (a: A) => Promise<R> | R : never };

/** Request/response over a message channel: `call` the other side, `dispatch` its calls to us. */
export class Rpc<Remote, Local> {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();

  constructor(
    private readonly send: (m: Message) => void,
    private readonly handlers: Handlers<Local>,
  ) {}

  call<K extends keyof Remote & string>(method: K, args: Remote[K] extends (a: infer A) => unknown ? A : never): Promise<Remote[K] extends (a: never) => Promise<infer R> ? R : never> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.send({ kind: "call", id, method, args });
    });
  }

  /** Handles a call or result; returns false for other messages. */
  dispatch(m: Message): boolean {
    if (m.kind === "result") {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (p) {
        if (m.ok) p.resolve(m.value);
        else p.reject(new RemoteError(m.error));
      }
      return true;
    }
    if (m.kind === "call") {
      const handler = (this.handlers as Record<string, ((a: unknown) => unknown) | undefined>)[m.method];
      Promise.resolve()
        .then(() => {
          if (!handler) throw new Error(`unknown method ${m.method}`);
          return handler(m.args);
        })
        .then(
          (value) => this.send({ kind: "result", id: m.id, ok: true, value }),
          (err: unknown) => this.send({ kind: "result", id: m.id, ok: false, error: toWireError(err) }),
        );
      return true;
    }
    return false;
  }

  /** Fails every call still waiting (the other side is gone). */
  failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
