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

/** The page names image import gives a multi-page file: `name [k]`, k counted from 1. */
const PAGE = /^(.*) \[(\d+)\]$/;

/**
 * Datasets (by name, in order) grouped into the stacks the user added: consecutive pages 1, 2, …
 * of one file form one group, any other dataset a group of its own. Returns index groups.
 */
export function pageGroups(names: readonly (string | null | undefined)[]): number[][] {
  const groups: number[][] = [];
  let open: { base: string; next: number; group: number[] } | undefined;
  names.forEach((name, i) => {
    const m = name ? PAGE.exec(name) : null;
    if (m && open && m[1] === open.base && Number(m[2]) === open.next) {
      open.group.push(i);
      open.next++;
      return;
    }
    const group = [i];
    groups.push(group);
    open = m && m[2] === "1" ? { base: m[1]!, next: 2, group } : undefined;
  });
  return groups;
}

/** The 2-D key every dataset has with one dtype and shape, so they show as one stack; else undefined. */
export function commonPlaneKey(infos: readonly (Readonly<Record<string, KeyInfo>> | undefined)[], keys: readonly string[] = ["image", "mask"]): string | undefined {
  return keys.find((key) => {
    const first = infos[0]?.[key];
    return first !== undefined && first.shape.length === 2 && infos.every((i) => i?.[key] && describe(i[key]) === describe(first));
  });
}
