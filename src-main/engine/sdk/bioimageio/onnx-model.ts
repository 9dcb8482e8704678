// ONNX weights run with ONNX Runtime: CUDA when asked for and available, else the CPU (saying
// why). Loaded on first use: most runners never need it.
import { createRequire } from "node:module";
import type * as Ort from "onnxruntime-node";
import type { LoadedModel } from "./predict.js";

const ort = () => createRequire(import.meta.url)("onnxruntime-node") as typeof Ort;

/** The tensor ids of a model's inputs and outputs, in the description's order. */
export interface TensorNames {
  inputs: string[];
  outputs: string[];
}

/** The graph's names in the description's order: by id when the graph uses the ids, else in the graph's own order. */
const inOrder = (graph: readonly string[], ids: readonly string[]) => (ids.length === graph.length && ids.every((id) => graph.includes(id)) ? [...ids] : [...graph]);

/** A session on `weights` (its tensors matched to `names`); `warning` says why CUDA was not used when it was asked for. */
export async function loadOnnx(weights: Uint8Array, device: string, names: TensorNames): Promise<{ model: LoadedModel; provider: string; warning?: string }> {
  const { InferenceSession, Tensor } = ort();
  let session: Ort.InferenceSession;
  let provider = "cpu";
  let warning: string | undefined;
  if (device === "cuda") {
    try {
      session = await InferenceSession.create(weights, { executionProviders: ["cuda"] });
      provider = "cuda";
    } catch (err) {
      warning = `the CUDA execution provider is not available (${(err as Error).message.split("\n")[0]}); running on cpu. See \`compox doctor\`.`;
      session = await InferenceSession.create(weights, { executionProviders: ["cpu"] });
    }
  } else session = await InferenceSession.create(weights, { executionProviders: ["cpu"] });
  const inputNames = inOrder(session.inputNames, names.inputs);
  const outputNames = inOrder(session.outputNames, names.outputs);
  const model: LoadedModel = {
    async run(inputs) {
      const feeds = Object.fromEntries(inputs.map((t, i) => [inputNames[i]!, new Tensor("float32", t.data, t.shape)]));
      const result = await session.run(feeds);
      return outputNames.map((name) => {
        const r = result[name]!;
        return { data: r.data instanceof Float32Array ? r.data : Float32Array.from(r.data as ArrayLike<number>), shape: [...r.dims], axes: [] };
      });
    },
    async close() {
      await session.release();
    },
  };
  return { model, provider, warning };
}
