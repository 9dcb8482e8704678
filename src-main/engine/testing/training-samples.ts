// Test support: training samples shaped the way the temp-store tests need them.
import type { NDArray } from "../../contract/ndarray.js";
import type { TestEngine } from "./test-engine.js";

const ones = (h: number, w: number): NDArray => ({ dtype: "uint8", shape: [h, w], data: new Uint8Array(h * w).fill(1) });

/** Two samples: A has two files (two inputs + a target, then one input and no target), B one file. */
export async function twoSamples(t: TestEngine): Promise<{ A: string; B: string; inputs: string[] }> {
  const inputs = await t.images(4, 3, 4);
  const [a1, a2, a3, b1] = inputs as [string, string, string, string];
  const m1 = (await t.engine.createDataset({ mask: ones(3, 4) })).file_id;
  const m2 = (await t.engine.createDataset({ mask: ones(3, 4) })).file_id;
  const A = t.engine.createSample({ files: [{ input: [a1, a2], target: [m1] }, { input: [a3], target: [] }] }).sample_id;
  const B = t.engine.createSample({ files: [{ input: [b1], target: [m2] }] }).sample_id;
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
    ids.push(t.engine.createSample({ files: [{ input: [input], target: [mask] }] }).sample_id);
  }
  return ids;
}
