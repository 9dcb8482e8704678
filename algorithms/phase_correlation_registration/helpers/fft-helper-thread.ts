import os from "node:os";
import { Worker } from "node:worker_threads";

// A second thread for the FFT kernel: a worker with its own instance of the kernel on the same
// shared memory, which runs one kernel call (the other half of a split) while the calling thread
// runs its own half. The worker starts from source text: the algorithm is one bundled file.

/** The kernel functions the helper can run, by index. */
export const OPS = ["fftRows", "fftCols", "crossPower", "dftRows"] as const;
export type Op = (typeof OPS)[number];

const MAX_ARGS = 8;

const WORKER_SOURCE = `
const { workerData } = require("node:worker_threads");
const { module, memory, ops } = workerData;
const ctrl = new Int32Array(workerData.ctrl), args = new Float64Array(workerData.args);
const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
let seq = 0;
for (;;) {
  Atomics.wait(ctrl, 0, seq);
  seq = Atomics.load(ctrl, 0);
  const op = Atomics.load(ctrl, 1);
  if (op < 0) break;
  try {
    k[ops[op]](...args);
    Atomics.store(ctrl, 2, seq);
  } catch {
    Atomics.store(ctrl, 2, -seq);
  }
  Atomics.notify(ctrl, 2);
}
`;

export class HelperThread {
  /** [0] sequence of the call, [1] its op (−1 ends the worker), [2] the sequence it finished (negated: failed). */
  private readonly ctrl = new Int32Array(new SharedArrayBuffer(12));
  private readonly args = new Float64Array(new SharedArrayBuffer(8 * MAX_ARGS));
  private readonly worker: Worker;
  private seq = 0;

  constructor(module: WebAssembly.Module, memory: WebAssembly.Memory) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], workerData: { module, memory, ops: OPS, ctrl: this.ctrl.buffer, args: this.args.buffer } });
    this.worker.unref();
  }

  /** Starts `op(...args)` on the helper; `wait()` returns once it has finished. */
  start(op: Op, args: readonly number[]): () => void {
    this.args.fill(0);
    this.args.set(args);
    const seq = ++this.seq;
    Atomics.store(this.ctrl, 1, OPS.indexOf(op));
    Atomics.store(this.ctrl, 0, seq);
    Atomics.notify(this.ctrl, 0);
    return () => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const v = Atomics.load(this.ctrl, 2);
        if (v === seq) return;
        if (v === -seq) throw new Error(`the FFT helper thread failed in ${op}`);
        if (Date.now() > deadline) throw new Error("the FFT helper thread stopped answering");
        Atomics.wait(this.ctrl, 2, v, 1000);
      }
    };
  }

  close(): void {
    Atomics.store(this.ctrl, 1, -1);
    Atomics.store(this.ctrl, 0, ++this.seq);
    Atomics.notify(this.ctrl, 0);
    void this.worker.terminate();
  }
}

/** Whether to split the kernel's work across two threads: on a machine of at least 2 cores. */
export const useHelper = (): boolean => os.availableParallelism() >= 2;
