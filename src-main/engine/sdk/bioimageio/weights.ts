// Which weights of a package run, and loading them: ONNX in this process (ONNX Runtime), else
// TorchScript in a Python helper with PyTorch. Both give a LoadedModel (predict.ts), and both must
// pass the package's own reproduction test (bioimageio/verify.ts) before it is deployed.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ModelDescription } from "./description.js";
import { loadOnnx } from "./onnx-model.js";
import type { LoadedModel } from "./predict.js";
import { loadTorchscript } from "./torchscript-model.js";

export type RunnableFormat = "onnx" | "torchscript";

/** The formats Compox Desktop runs, in the order it prefers them. */
export const RUNNABLE_FORMATS: readonly RunnableFormat[] = ["onnx", "torchscript"];

/** The weights to run: `format` when given and present, else the first runnable format the package holds (not a URL). */
export function runnableWeights(desc: ModelDescription, format?: RunnableFormat): { format: RunnableFormat; source: string } | undefined {
  for (const f of format ? [format] : RUNNABLE_FORMATS) {
    const w = desc.weights[f];
    if (w && !/^[a-z]+:\/\//i.test(w.source)) return { format: f, source: w.source };
  }
  return undefined;
}

/** Why a package's weights cannot run here. */
export function unrunnableWeights(desc: ModelDescription, format?: RunnableFormat): string {
  const offered = Object.entries(desc.weights).map(([f, w]) => `${f} (${w!.source})`);
  return `weights: Compox Desktop runs ${format ?? RUNNABLE_FORMATS.join(" or ")} weights in the package (pytorch_state_dict and others are not supported yet); this one has ${offered.join(", ") || "none"}`;
}

/** Loads `bytes` of weights in `format` on `device`; TorchScript needs `python` (with PyTorch). */
export async function loadWeights(format: RunnableFormat, bytes: Uint8Array, device: string, python: string | undefined): Promise<{ model: LoadedModel; provider: string; warning?: string }> {
  if (format === "onnx") return loadOnnx(bytes, device);
  if (!python) throw new Error("TorchScript weights run with PyTorch in Python, and no Python interpreter was found: install python3 with torch and numpy, or set `python` (compox doctor checks)");
  // PyTorch loads from a file; it is read whole at load time, so the copy goes at once.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "compox-torchscript-"));
  const file = path.join(dir, "weights.pt");
  fs.writeFileSync(file, bytes);
  try {
    return await loadTorchscript(file, device, python);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
