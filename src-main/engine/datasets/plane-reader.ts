// Plane reads off the event loop: one worker thread (plane-worker.ts), started on first use, reads
// each large request's hyperslabs while the server goes on answering others (they queue in order).
// Small planes (a thumbnail's source, a typical image) are read here at once: the hop would cost
// more than the read, and a queue of them behind one large read would stall a window's previews.
import { Worker } from "node:worker_threads";
import { CompoxError, type ErrorCode } from "../../contract/errors.js";
import { readHdf5Plane, type PlaneRead } from "./hdf5.js";
import type { Region, Sampling } from "./plane.js";

export interface PlaneOptions {
  maxSize: number;
  sampling: Sampling;
  region?: Region;
  maxMeanPixels: number;
}

export interface PlaneRequest {
  id: number;
  file: string;
  key: string;
  index: number;
  opts: PlaneOptions;
}

export type PlaneReply = { id: number; plane: PlaneRead; error?: undefined } | { id: number; plane?: undefined; error: { code?: ErrorCode; message: string; details?: Record<string, unknown> } };

function startWorker(): Worker {
  const fromSource = import.meta.url.endsWith(".ts");
  // From dist/ the engine is bundled into one file beside plane-worker.mjs.
  const url = new URL(fromSource ? "./plane-worker.ts" : "./plane-worker.mjs", import.meta.url);
  // Node 20 does not apply the process's --import loaders to workers: from source, register tsx first.
  return fromSource ? new Worker(`import("tsx/esm/api").then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); });`, { eval: true }) : new Worker(url);
}

/** Planes of up to this many pixels are read on the calling thread (about 10 ms for float64). */
const INLINE_PIXELS = 2 ** 20;

export class PlaneReader {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (p: PlaneRead) => void; reject: (e: Error) => void }>();

  /** One plane (or region) of `key`, reduced as readHdf5Plane does; `pixels` is how many it spans
   * (read in the worker thread above INLINE_PIXELS). */
  read(file: string, key: string, index: number, opts: PlaneOptions, pixels = Infinity): Promise<PlaneRead> {
    if (pixels <= INLINE_PIXELS) return readHdf5Plane(file, key, index, opts);
    const worker = (this.worker ??= this.start());
    const id = this.nextId++;
    return new Promise<PlaneRead>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) worker.ref(); // a read in flight keeps the process alive; an idle worker does not
      worker.postMessage({ id, file, key, index, opts } satisfies PlaneRequest);
    });
  }

  private start(): Worker {
    const worker = startWorker();
    worker.unref();
    worker.on("message", (reply: PlaneReply) => {
      const waiting = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (this.pending.size === 0) worker.unref();
      if (!waiting) return;
      if (reply.plane) waiting.resolve(reply.plane);
      else waiting.reject(reply.error.code ? new CompoxError(reply.error.code, reply.error.message, reply.error.details) : new Error(reply.error.message));
    });
    // A worker that dies (out of memory, say) fails what it held; the next read starts a fresh one.
    worker.on("error", (err) => this.failAll(err));
    worker.on("exit", (code) => this.failAll(new Error(`the plane reader stopped (exit code ${code})`)));
    return worker;
  }

  private failAll(err: Error): void {
    this.worker = undefined;
    for (const { reject } of this.pending.values()) reject(err);
    this.pending.clear();
  }

  /** Ends the worker thread (reads in flight fail). */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }
}
