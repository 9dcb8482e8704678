// Entry point of a TS/JS runner process. The algorithm runs in a worker thread (runner-worker.ts);
// this thread only relays messages, so it stays free while the algorithm's code runs synchronously
// and can raise the shared stop flag that `checkStop()` reads within one loop iteration.
import net from "node:net";
import { createInterface } from "node:readline";
import { Worker } from "node:worker_threads";
import type { ExecuteSpec, Message } from "../protocol/protocol.js";
import { V8_CODEC } from "../protocol/wire-codec.js";

// The engine's messages arrive as lines on fd 3; ours leave on fd 4 (see wire-codec.ts).
// Sockets, not fs streams: a blocking fs read of fd 3 would hold up process.exit().
const fromEngine = new net.Socket({ fd: 3, readable: true, writable: false });
const toEngine = new net.Socket({ fd: 4, readable: false, writable: true });
toEngine.on("error", () => process.exit(0)); // the engine is gone

const stopFlag = new Int32Array(new SharedArrayBuffer(4));
/** The job last relayed to the worker and its stop token; a stop may overtake its job's start. */
let current: { jobId: string; token: number } | undefined;
const stopsBeforeStart = new Set<string>();
let nextToken = 1;

const fromSource = import.meta.url.endsWith(".ts");
const workerUrl = new URL(fromSource ? "./runner-worker.ts" : "./runner-worker.mjs", import.meta.url);
// Node 20 does not apply the process's --import loaders to workers: from source, the worker
// registers tsx itself before it loads the TypeScript file.
const worker = fromSource
  ? new Worker(`import("tsx/esm/api").then((tsx) => { tsx.register(); return import(${JSON.stringify(workerUrl.href)}); });`, { eval: true, workerData: { stopFlag: stopFlag.buffer } })
  : new Worker(workerUrl, { workerData: { stopFlag: stopFlag.buffer } });

function raiseStop(jobId: string): void {
  if (current?.jobId === jobId) Atomics.store(stopFlag, 0, current.token);
  else stopsBeforeStart.add(jobId);
}

createInterface({ input: fromEngine }).on("line", (line) => {
  let m = V8_CODEC.decode(line) as Message;
  if (m.kind === "stop") raiseStop(m.jobId);
  if (m.kind === "call" && (m.method === "execute" || m.method === "train" || m.method === "benchmark")) {
    const spec = m.args as ExecuteSpec;
    current = { jobId: spec.jobId, token: nextToken++ };
    m = { ...m, args: { ...spec, stopToken: current.token } };
    if (stopsBeforeStart.delete(spec.jobId)) Atomics.store(stopFlag, 0, current.token);
  }
  worker.postMessage(m);
});
worker.on("message", (m: Message) => toEngine.write(V8_CODEC.encode(m)));
// The worker's end is the process's end: process.exit() in an algorithm, or an uncaught error.
worker.on("error", (err) => {
  console.error(err);
  process.exitCode = 1;
});
worker.on("exit", (code) => process.exit(process.exitCode ?? code));
fromEngine.on("end", () => process.exit(0)); // the engine closed the channel: unload
