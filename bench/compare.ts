// How `npm run bench` compares: ours and a baseline alternate after a warm-up of each, and a row
// is the ratio of their medians with ours' spread; the inputs every scikit-image comparison uses.
import type { NDArray } from "../src-main/contract/ndarray.js";
import { noisyImage } from "../algorithms/tests/reference.js";
import type { Row } from "./report.js";

export const REPEATS = Number(process.env.BENCH_REPEATS ?? 5);

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
export const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;

export async function time(fn: () => unknown): Promise<number> {
  const t = performance.now();
  await fn();
  return (performance.now() - t) / 1000;
}

/** Runs ours and the baseline alternately (after one warm-up run of each). */
export async function compare(name: string, ours: () => unknown, baseline: () => Promise<number> | number, labels: [string, string], target?: number, repeats = REPEATS): Promise<Row> {
  const a: number[] = [];
  const b: number[] = [];
  await ours(); // warm up the JIT and caches
  await baseline();
  for (let i = 0; i < repeats; i++) {
    a.push(await time(ours));
    b.push(await baseline());
  }
  return rowOf(name, a, b, labels, target);
}

/** The inputs every scikit-image comparison uses, kernel rows and over-HTTP rows alike (made once). */
export const INPUTS = (() => {
  let made: ReturnType<typeof comparisonInputs> | undefined;
  return () => (made ??= comparisonInputs());
})();

function comparisonInputs() {
  const tv: NDArray = { dtype: "float32", shape: [1024, 1024], data: noisyImage(1024, 1024, 1) };
  const big: NDArray = { dtype: "uint8", shape: [2048, 2048], data: Uint8Array.from(noisyImage(2048, 2048, 2), (v) => Math.max(0, Math.min(255, Math.round(v * 255)))) };
  const a = noisyImage(1024, 1024, 3);
  const b = noisyImage(1024, 1024, 4);
  const stack = new Float32Array(2 * 1024 * 1024);
  stack.set(a);
  stack.set(b, 1024 * 1024);
  const pair: NDArray = { dtype: "float32", shape: [2, 1024, 1024], data: stack };
  return { tv, big, a, b, pair };
}

/** One row of ours against a baseline, from runs already made (seconds). */
export function rowOf(name: string, ours: number[], baseline: number[], labels: [string, string], target?: number): Row {
  const mb = median(baseline);
  const row: Row = { name, ours: `${labels[0]} ${(median(ours) * 1000).toFixed(1)} ms`, baseline: `${labels[1]} ${(mb * 1000).toFixed(1)} ms`, ratio: median(ours) / mb, spread: [Math.min(...ours) / mb, Math.max(...ours) / mb], target };
  console.log(`${name}: ${row.ratio.toFixed(2)}× (${row.ours} vs ${row.baseline})`);
  return row;
}

