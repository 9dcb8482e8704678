// Inputs that cannot be stacked, found before Run: the typed runners stack their inputs on a new
// first axis, so every input's array must share dtype and shape (the run would fail otherwise).
import type { DatasetInfoBody } from "../src-main/contract/api.js";

type KeyInfo = DatasetInfoBody["keys"][string];

/** The key each stacking algorithm type reads from its inputs (Generic and the others do not stack). */
export const STACKED_KEY: Readonly<Record<string, string>> = {
  Image2Image: "image",
  Image2Segmentation: "image",
  Image2Embedding: "image",
  Image2Alignment: "image",
  Image2MultiRegionSegmentation: "image",
  Segmentation2Segmentation: "mask",
};

const describe = (k: KeyInfo) => `${k.dtype} [${k.shape.join(", ")}]`;

/** Why these inputs (each dataset's keys, in order) cannot run together, or undefined when they can. */
export function stackProblem(algorithmType: string, inputs: readonly Readonly<Record<string, KeyInfo>>[]): string | undefined {
  const key = STACKED_KEY[algorithmType];
  if (!key || inputs.length === 0) return undefined;
  const missing = inputs.findIndex((keys) => !keys[key]);
  if (missing >= 0) return `input ${missing + 1} has no "${key}" dataset, which ${algorithmType} reads`;
  const first = inputs[0]![key]!;
  for (let i = 1; i < inputs.length; i++) {
    const k = inputs[i]![key]!;
    if (k.dtype !== first.dtype || k.shape.join("x") !== first.shape.join("x"))
      return `input ${i + 1} is ${describe(k)} but input 1 is ${describe(first)}: ${algorithmType} stacks its inputs, so all must share dtype and shape (remove one, or run them separately)`;
  }
  return undefined;
}
