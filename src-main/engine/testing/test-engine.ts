// Test support: an engine on a temp data directory, algorithms deployed from source strings, and
// a helper that waits for an execution to end.
import path from "node:path";
import type { BenchmarkRecord, ExecutionRecord, TrainingRecord } from "../../contract/records.js";
import { isTerminal } from "../../contract/records.js";
import { createEngine, type Engine, type EngineOptions } from "../engine.js";
import { pyproject, tempDir, writeFiles } from "./temp-algorithm.js";

export interface TestEngine {
  engine: Engine;
  dataDir: string;
  /** Deploys an algorithm whose Runner.ts (or, with `language: "py"`, Runner.py) is `runner`; returns its algorithm_id. */
  deploy(name: string, runner: string, opts?: { type?: string; extra?: string; files?: Record<string, string | Buffer>; language?: "ts" | "py" }): Promise<string>;
  /** Uploads 2-D uint8 images as datasets (key `image`). */
  images(count: number, h?: number, w?: number): Promise<string[]>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** An engine on a fresh temp data directory; dispose it to close it and remove its files. */
export async function testEngine(options: Partial<EngineOptions> = {}): Promise<TestEngine> {
  const data = tempDir("compox-engine-");
  const src = tempDir("compox-alg-");
  const engine = await createEngine({ dataDir: data.path, stopGraceMs: 5000, runnerMemoryMb: 2048, gpus: () => ({ cudaDevices: 0 }), ...options });
  return {
    engine,
    dataDir: data.path,
    async deploy(name, runner, opts = {}) {
      const toml = pyproject(name, "1.0.0", opts.extra ?? "").replace('algorithm_type = "Image2Image"', `algorithm_type = "${opts.type ?? "Image2Image"}"`);
      const dir = writeFiles(path.join(src.path, name), { "pyproject.toml": toml, [opts.language === "py" ? "Runner.py" : "Runner.ts"]: runner, ...(opts.files ?? {}) });
      return (await engine.deploy(dir)).algorithm_id;
    },
    async images(count, h = 4, w = 5) {
      const ids: string[] = [];
      for (let i = 0; i < count; i++) {
        const data = new Uint8Array(h * w).map((_, j) => (i * 10 + j) % 256);
        ids.push((await engine.createDataset({ image: { dtype: "uint8", shape: [h, w], data } })).file_id);
      }
      return ids;
    },
    async [Symbol.asyncDispose]() {
      await engine.close();
      data[Symbol.dispose]();
      src[Symbol.dispose]();
    },
  };
}

/** Polls a record until `done` says so; throws with its log when `failed` does or time runs out. */
async function pollRecord<R extends { status: ExecutionRecord["status"]; log: string }>(read: () => Promise<R>, done: (r: R) => boolean, failed: (r: R) => boolean, what: string, timeoutMs: number): Promise<R> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rec = await read();
    if (done(rec)) return rec;
    if (failed(rec) || Date.now() > deadline) throw new Error(`${what} is ${rec.status} after ${timeoutMs} ms at most; log:\n${rec.log}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const ends = (r: { status: ExecutionRecord["status"] }) => isTerminal(r.status);

/** Polls until the execution (`id`, or the promise of one) ends (or `timeoutMs` passes) and returns the record. */
export function waitForEnd(engine: Engine, id: string | Promise<string>, timeoutMs = 30000): Promise<ExecutionRecord> {
  return Promise.resolve(id).then((id) => pollRecord(() => engine.getExecution(id), ends, () => false, `execution ${id}`, timeoutMs));
}

/** Polls until the execution reaches `status`. */
export function waitForStatus(engine: Engine, id: string | Promise<string>, status: ExecutionRecord["status"], timeoutMs = 30000): Promise<ExecutionRecord> {
  return Promise.resolve(id).then((id) => pollRecord(() => engine.getExecution(id), (r) => r.status === status, ends, `execution ${id} (waited for ${status})`, timeoutMs));
}

/** Polls until the benchmark ends (or `timeoutMs` passes) and returns the record. */
export function waitForBenchmark(engine: Engine, id: string | Promise<string>, timeoutMs = 30000): Promise<BenchmarkRecord> {
  return Promise.resolve(id).then((id) => pollRecord(() => engine.getBenchmark(id), ends, () => false, `benchmark ${id}`, timeoutMs));
}

/** Polls until the training ends (or `timeoutMs` passes) and returns the record. */
export function waitForTraining(engine: Engine, id: string | Promise<string>, timeoutMs = 30000): Promise<TrainingRecord> {
  return Promise.resolve(id).then((id) => pollRecord(() => engine.getTraining(id), ends, () => false, `training ${id}`, timeoutMs));
}
