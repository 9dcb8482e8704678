// The worker thread of a TS/JS runner process (started by runner-main.ts): loads one algorithm
// bundle, runs one job at a time, and talks to the engine only through the typed messages of
// protocol.ts, relayed by the main thread. Console output becomes log events, so nothing an
// algorithm prints reaches the application's console.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { format } from "node:util";
import { parentPort, workerData } from "node:worker_threads";
import { keysOfArrays, readHdf5, writeHdf5 } from "../../datasets/hdf5.js";
import { installContext, type JobContext, type LogLevel, type RunnerContext } from "../../sdk/context.js";
import { loadAndLockAssets, type BaseRunner } from "../../sdk/runners.js";
import { ProgressGate } from "./progress-gate.js";
import { TempStore } from "./temp-store.js";
import { Rpc, type BenchmarkSpec, type EngineMethods, type ExecuteSpec, type LoadSpec, type Message, type RunnerEvent, type RunnerMethods, type TrainSpec } from "../protocol/protocol.js";

/** Raised by the main thread (Atomics) with the stop token of the job to stop. */
const stopFlag = new Int32Array((workerData as { stopFlag: SharedArrayBuffer }).stopFlag);
const send = (m: Message) => parentPort?.postMessage(m);
let runner: BaseRunner | undefined;
let assets: Record<string, string> = {};
let job: (JobContext & { id: string; controller: AbortController }) | undefined;

function emit(event: RunnerEvent): void {
  send({ kind: "event", jobId: job?.id ?? null, event });
}

/** Longer log messages are cut (the engine refuses messages over 32 MB and caps each record's log). */
const MAX_LOG_MESSAGE = 256 * 1024;

function log(message: string, level: LogLevel): void {
  const text = message.length > MAX_LOG_MESSAGE ? `${message.slice(0, MAX_LOG_MESSAGE)}… (${message.length - MAX_LOG_MESSAGE} more characters cut)` : message;
  emit({ type: "log", level, message: text, time: Date.now() });
}

for (const [name, level] of [["log", "INFO"], ["info", "INFO"], ["debug", "DEBUG"], ["warn", "WARNING"], ["error", "ERROR"]] as const) {
  console[name] = (...args: unknown[]) => log(format(...args), level);
}

const rpc: Rpc<EngineMethods, RunnerMethods> = new Rpc<EngineMethods, RunnerMethods>(send, {
  async load(spec: LoadSpec) {
    assets = spec.assets;
    const mod = (await import(pathToFileURL(spec.bundlePath).href)) as { Runner?: new () => BaseRunner; default?: new () => BaseRunner };
    const RunnerClass = mod.Runner ?? mod.default;
    if (typeof RunnerClass !== "function") throw new Error("the module does not export a Runner class");
    const ctx: RunnerContext = {
      device: spec.device,
      fetchAsset: async (assetPath: string) => {
        const normalized = path.posix.normalize(assetPath.replace(/\\/g, "/"));
        if (normalized.startsWith("../") || normalized === ".." || path.posix.isAbsolute(normalized))
          throw new Error(`fetchAsset("${assetPath}"): asset paths are relative to the algorithm folder and may not leave it`);
        const file = assets[normalized];
        if (!file) throw new Error(`fetchAsset("${assetPath}"): no such asset; the algorithm has ${Object.keys(assets).join(", ") || "no assets"}`);
        return new Uint8Array(await fs.promises.readFile(file));
      },
      job: () => job,
      log,
      python: async () => (await rpc.call("pythonCommand", {})) ?? undefined,
    };
    installContext(ctx);
    runner = new RunnerClass();
    return { locked: await loadAndLockAssets(runner) };
  },

  async execute(spec: ExecuteSpec) {
    const r = startJob(spec);
    try {
      return { outputIds: await r.run({ input_dataset_ids: spec.inputIds }, spec.args) };
    } finally {
      jobEnded();
    }
  },

  async train(spec: TrainSpec) {
    const r = startJob(spec, new TempStore(spec.tempDir));
    try {
      await r.train(spec.sampleIds, spec.args);
      return {};
    } finally {
      jobEnded();
    }
  },

  async benchmark(spec: BenchmarkSpec) {
    const r = startJob(spec);
    try {
      return { data: await r.runBenchmark(spec.args) };
    } finally {
      jobEnded();
    }
  },
});

/** A runner idle this long collects its garbage (see jobEnded). */
const IDLE_GC_MS = 1000;
let idleGc: NodeJS.Timeout | undefined;

/**
 * Clears the job; once the runner has been idle for IDLE_GC_MS, collects the garbage (the process
 * runs with --expose-gc), so the buffers of a finished job go back to the system instead of
 * waiting for allocation pressure that an idle runner never has. A job that starts meanwhile
 * cancels it: a busy runner never pauses for it.
 */
function jobEnded(): void {
  job = undefined;
  clearTimeout(idleGc);
  idleGc = setTimeout(() => (globalThis as { gc?: () => void }).gc?.(), IDLE_GC_MS);
}

/** Installs the job context for one execution or training and returns the runner. */
function startJob({ jobId, outputDir, stopToken }: ExecuteSpec | TrainSpec | BenchmarkSpec, temp?: TempStore): BaseRunner {
  if (!runner) throw new Error("no runner loaded");
  if (job) throw new Error("a runner runs one job at a time");
  clearTimeout(idleGc);
  const controller = new AbortController();
  const progressGate = new ProgressGate();
  // Synchronous code never lets the stop message in: the shared flag is read instead.
  const stopRequested = () => {
    if (!controller.signal.aborted && stopToken !== undefined && Atomics.load(stopFlag, 0) === stopToken) controller.abort();
    return controller.signal.aborted;
  };
  stopRequested(); // a stop that overtook this job's start is already in the flag
  let outputs = 0;
  const trainingTemp = () => {
    if (!temp) throw new Error("the temp store helpers are for trainings: call them from train()");
    return temp;
  };
  const tempFile = (name: string) => path.join(outputDir, `${jobId}-${outputs++}-${name}`);
  job = {
    id: jobId,
    controller,
    get signal() {
      stopRequested();
      return controller.signal;
    },
    stopRequested,
    log,
    progress: (value: number) => {
      if (!Number.isFinite(value)) throw new Error(`setProgress(${value}): progress must be a number in [0, 1]`);
      const clamped = Math.min(1, Math.max(0, value));
      if (progressGate.pass(clamped)) emit({ type: "progress", value: clamped });
    },
    readDataset: async (id, keys) => readHdf5(await rpc.call("datasetPath", { id }), keys),
    writeDataset: async (items) => {
      const file = tempFile("output.h5");
      await writeHdf5(file, items);
      return rpc.call("commitDataset", { jobId, path: file, keys: keysOfArrays(items) });
    },
    sessionSave: (key, value) => rpc.call("sessionSave", { jobId, key, value }),
    sessionLoad: (key) => rpc.call("sessionLoad", { jobId, key }),
    sessionRemove: (key) => rpc.call("sessionRemove", { jobId, key }),
    tempSave: async (folder, items) => trainingTemp().save(folder, items),
    tempLoad: async (file, keys) => trainingTemp().load(file, keys),
    trainingDataset: (sampleIds) => rpc.call("trainingDataset", { jobId, sampleIds: [...sampleIds] }),
    setState: (state) => rpc.call("setState", { jobId, state }),
    saveCheckpoint: async (files, properties) => {
      const written: Record<string, string> = {};
      for (const [assetPath, bytes] of Object.entries(files)) {
        written[assetPath] = tempFile(path.posix.basename(assetPath));
        await fs.promises.writeFile(written[assetPath], bytes);
      }
      return rpc.call("saveCheckpoint", { jobId, files: written, properties });
    },
  };
  return runner;
}

// The flag serves synchronous code; the message also aborts the signal for code that listens to it.
parentPort?.on("message", (m: Message) => {
  if (m.kind === "stop") {
    if (job?.id === m.jobId) job.controller.abort();
    return;
  }
  rpc.dispatch(m);
});
