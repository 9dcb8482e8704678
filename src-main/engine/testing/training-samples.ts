// Test support: training samples shaped the way the temp-store tests need them, and their paths.
import path from "node:path";
import type { NDArray } from "../../contract/ndarray.js";
import type { TestEngine } from "./test-engine.js";

const ones = (h: number, w: number): NDArray => ({ dtype: "uint8", shape: [h, w], data: new Uint8Array(h * w).fill(1) });

/** Two samples: A has two files (two inputs + a target, then one input and no target), B one file. */
export async function twoSamples(t: TestEngine): Promise<{ A: string; B: string; inputs: string[] }> {
  const inputs = await t.images(4, 3, 4);
  const [a1, a2, a3, b1] = inputs as [string, string, string, string];
  const m1 = (await t.engine.createDataset({ mask: ones(3, 4) })).file_id;
  const m2 = (await t.engine.createDataset({ mask: ones(3, 4) })).file_id;
  const A = (await t.engine.createSample({ files: [{ input: [a1, a2], target: [m1] }, { input: [a3], target: [] }] })).sample_id;
  const B = (await t.engine.createSample({ files: [{ input: [b1], target: [m2] }] })).sample_id;
  return { A, B, inputs };
}

/** The layout twoSamples() must have in a temp store, relative to its root. */
export function twoSamplesLayout(A: string, B: string): Record<string, string[]>[][] {
  return [
    [{ input: [`${A}/0/input/000000.h5`, `${A}/0/input/000001.h5`], target: [`${A}/0/target/000000.h5`] }, { input: [`${A}/1/input/000000.h5`], target: [] }],
    [{ input: [`${B}/0/input/000000.h5`], target: [`${B}/0/target/000000.h5`] }],
  ];
}

/**
 * `count` samples of one h×w float32 input (filled with the sample's number) and one uint8 target;
 * pixel j is foreground in target j % count only, so the targets' foreground sums to h×w.
 */
export async function manySamples(t: TestEngine, count: number, h: number, w: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const input = (await t.engine.createDataset({ image: { dtype: "float32", shape: [h, w], data: new Float32Array(h * w).fill(i) } })).file_id;
    const mask = (await t.engine.createDataset({ mask: { dtype: "uint8", shape: [h, w], data: new Uint8Array(h * w).map((_, j) => (j % count === i ? 1 : 0)) } })).file_id;
    ids.push((await t.engine.createSample({ files: [{ input: [input], target: [mask] }] })).sample_id);
  }
  return ids;
}

/** Turns absolute temp-store paths into paths relative to a training's temp folder, with "/". */
export function relativeTo(root: string): (p: string) => string {
  return (p) => path.relative(root, p).split(path.sep).join("/");
}

/** A downloadDatasetToTempStore result with every path made relative by `rel`. */
export function relativeLayout(local: Record<string, string[]>[][], rel: (p: string) => string): Record<string, string[]>[][] {
  return local.map((s) => s.map((f) => Object.fromEntries(Object.entries(f).map(([k, ps]) => [k, ps.map(rel)]))));
}

/** `count` numbered temp-store files of one folder: folder/000000.h5, … */
export function numberedFiles(folder: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${folder}/${String(i).padStart(6, "0")}.h5`);
}

/** The sum of a dataset's `image` pixels. */
export async function imageSum(t: TestEngine, id: string): Promise<number> {
  return [...((await t.engine.readDataset(id)).image?.data ?? [])].reduce((a: number, b) => a + Number(b), 0);
}
