// Which weights of a package run, and loading them: ONNX in this process (ONNX Runtime), else
// TorchScript or a PyTorch state dict (with its network's Python file) in a Python helper with
// PyTorch. All give a LoadedModel (predict.ts), and all must pass the package's own reproduction
// test (bioimageio/verify.ts) before it is deployed.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { isUrl, type Architecture, type ModelDescription } from "./description.js";
import { loadOnnx, type TensorNames } from "./onnx-model.js";
import type { LoadedModel } from "./predict.js";
import { loadPytorch } from "./pytorch-model.js";

export type RunnableFormat = "onnx" | "torchscript" | "pytorch_state_dict";

/** The formats Compox Desktop runs, in the order it prefers them. */
export const RUNNABLE_FORMATS: readonly RunnableFormat[] = ["onnx", "torchscript", "pytorch_state_dict"];

export interface RunnableWeights {
  format: RunnableFormat;
  source: string;
  architecture?: Architecture;
}


/** The weights to run: `format` when given and present, else the first runnable format the package
 * holds (files of the package, not URLs; a state dict with its network's file). */
export function runnableWeights(desc: ModelDescription, format?: RunnableFormat): RunnableWeights | undefined {
  for (const f of format ? [format] : RUNNABLE_FORMATS) {
    const w = desc.weights[f];
    if (!w || isUrl(w.source)) continue;
    if (f !== "pytorch_state_dict") return { format: f, source: w.source };
    if (w.architecture && !isUrl(w.architecture.source)) return { format: f, source: w.source, architecture: w.architecture };
  }
  return undefined;
}

/** Why a package's weights cannot run here. */
export function unrunnableWeights(desc: ModelDescription, format?: RunnableFormat): string {
  const offered = Object.entries(desc.weights).map(([f, w]) => `${f} (${w!.source}${f === "pytorch_state_dict" && !w!.architecture ? ", its network not a file of the package" : ""})`);
  return `weights: Compox Desktop runs ${format ?? RUNNABLE_FORMATS.join(", ")} weights held in the package (a state dict with its network's Python file; keras and tensorflow are not supported); this one has ${offered.join(", ") || "none"}`;
}

/** The tensor ids of `desc`'s inputs and outputs, in order. */
export const tensorNames = (desc: ModelDescription): TensorNames => ({ inputs: desc.inputs.map((t) => t.id), outputs: desc.outputs.map((t) => t.id) });

/** Loads `weights` of `desc` (their files read with `read`) on `device`; TorchScript and state dicts need `python` (with PyTorch). */
export async function loadWeights(desc: ModelDescription, weights: RunnableWeights, read: (file: string) => Promise<Uint8Array>, device: string, python: string | undefined): Promise<{ model: LoadedModel; provider: string; warning?: string }> {
  if (weights.format === "onnx") return loadOnnx(await read(weights.source), device, tensorNames(desc));
  if (!python) throw new Error(`${weights.format} weights run with PyTorch in Python, and no Python interpreter was found: install python3 with torch and numpy, or set \`python\` (compox doctor checks)`);
  // PyTorch loads from files; they are read whole at load time, so the copies go at once.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "compox-pytorch-"));
  try {
    const file = path.join(dir, "weights.pt");
    fs.writeFileSync(file, await read(weights.source));
    let network: { file: string; callable: string; kwargs: Record<string, unknown> } | undefined;
    if (weights.architecture) {
      network = { file: path.join(dir, path.basename(weights.architecture.source)), callable: weights.architecture.callable, kwargs: weights.architecture.kwargs };
      fs.writeFileSync(network.file, await read(weights.architecture.source));
    }
    return await loadPytorch(file, device, python, network);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
