// Entry point of a TS/JS runner process. The algorithm runs in a worker thread (runner-worker.ts);
// this thread only relays messages, so it stays free while the algorithm's code runs synchronously
// and can raise the shared stop flag that `checkStop()` reads within one loop iteration.
import { Worker } from "node:worker_threads";
import type { ExecuteSpec, Message } from "./protocol.js";

const stopFlag = new Int32Array(new SharedArrayBuffer(4));
/** Stop token of each job relayed to the worker; a stop may overtake its job's start. */
const tokens = new Map<string, number>();
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
  const token = tokens.get(jobId);
  if (token === undefined) stopsBeforeStart.add(jobId);
  else Atomics.store(stopFlag, 0, token);
}

process.on("message", (m: Message) => {
  if (m.kind === "stop") raiseStop(m.jobId);
  if (m.kind === "call" && (m.method === "execute" || m.method === "train")) {
    const spec = m.args as ExecuteSpec;
    const token = nextToken++;
    tokens.clear(); // one job at a time: only the newest can be stopped
    tokens.set(spec.jobId, token);
    m = { ...m, args: { ...spec, stopToken: token } };
    if (stopsBeforeStart.delete(spec.jobId)) Atomics.store(stopFlag, 0, token);
  }
  worker.postMessage(m);
});
worker.on("message", (m: Message) => process.send?.(m));
// The worker's end is the process's end: process.exit() in an algorithm, or an uncaught error.
worker.on("error", (err) => {
  console.error(err);
  process.exitCode = 1;
});
worker.on("exit", (code) => process.exit(process.exitCode ?? code));
process.on("disconnect", () => process.exit(0));
