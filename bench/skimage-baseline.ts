// scikit-image as a baseline, in one persistent Python process (bench/skimage_baseline.py).
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PYTHON } from "../algorithms/tests/reference.js";
import type { NDArray } from "../src-main/contract/ndarray.js";
import { writeHdf5 } from "../src-main/engine/datasets/hdf5.js";

const root = fileURLToPath(new URL("..", import.meta.url));

/**
 * scikit-image in one persistent process (bench/skimage_baseline.py): imported once, each input
 * read once, each call warmed once before it is timed; only the call itself is timed.
 */
export class SkimageBaseline {
  // OpenBLAS's idle threads spin for about 0.1 s after each call before they sleep: untimed for
  // the baseline, but on 2 cores they took one from whatever ran next (ours, alternating: the
  // two-thread registration read 111 ms instead of 78). The shortest spin keeps the baseline's own
  // time (measured the same either way) and ends the interference.
  private readonly child = spawn(PYTHON, [path.join(root, "bench", "skimage_baseline.py")], { stdio: ["pipe", "pipe", "inherit"], env: { ...process.env, OPENBLAS_THREAD_TIMEOUT: "4" } });
  private readonly lines = createInterface({ input: this.child.stdout! })[Symbol.asyncIterator]();
  private readonly files = new Map<NDArray, string>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly dir: string) {}

  /** One request to the Python process, answered in order. */
  private ask<T>(request: () => Promise<Record<string, unknown>>): Promise<T> {
    const next = this.queue.then(async () => {
      this.child.stdin!.write(`${JSON.stringify(await request())}\n`);
      const { value, done } = await this.lines.next();
      if (done) throw new Error("the scikit-image baseline process ended");
      return JSON.parse(value as string) as T;
    });
    this.queue = next.catch(() => {});
    return next;
  }

  /** Seconds of `op` on `image` (one timed call), and the traced peak MB when `memory`. */
  run(op: string, image: NDArray, args: Record<string, unknown>, memory = false): Promise<{ seconds: number; peak_mb: number | null }> {
    return this.ask(async () => {
      let input = this.files.get(image);
      if (!input) {
        input = path.join(this.dir, `skimage-${this.files.size}.h5`);
        await writeHdf5(input, { image });
        this.files.set(image, input);
      }
      return { op, input, args, memory };
    });
  }

  /** Compox's own data path for `op` (h5py reads `inputs`, scikit-image computes, h5py writes the
   * output and fsyncs), timed whole in the Python process; a baseline for compare(). */
  dataPath(op: string, inputs: string[], args: Record<string, unknown>): () => Promise<number> {
    const output = path.join(this.dir, `datapath-${op}`);
    return async () => (await this.ask<{ seconds: number }>(async () => ({ op, args, datapath: { inputs, output } }))).seconds;
  }

  /** A baseline for compare(): the same call, timed in the Python process. */
  seconds(op: string, image: NDArray, args: Record<string, unknown>): () => Promise<number> {
    return async () => (await this.run(op, image, args)).seconds;
  }

  close(): void {
    this.child.stdin!.end();
  }
}
