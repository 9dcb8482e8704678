// ONNX weights run with ONNX Runtime: CUDA when asked for and available, else the CPU (saying
// why). Loaded on first use: most runners never need it.
import { createRequire } from "node:module";
import type * as Ort from "onnxruntime-node";
import type { LoadedModel } from "./predict.js";

const ort = () => createRequire(import.meta.url)("onnxruntime-node") as typeof Ort;

/** A session on `weights`; `warning` says why CUDA was not used when it was asked for. */
export async function loadOnnx(weights: Uint8Array, device: string): Promise<{ model: LoadedModel; provider: string; warning?: string }> {
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
  const model: LoadedModel = {
    async run(inputs) {
      const feeds = Object.fromEntries(inputs.map((t, i) => [session.inputNames[i]!, new Tensor("float32", t.data, t.shape)]));
      const result = await session.run(feeds);
      return session.outputNames.map((name, o) => {
        const r = result[name]!;
        return { data: r.data instanceof Float32Array ? r.data : Float32Array.from(r.data as ArrayLike<number>), shape: [...r.dims], axes: inputs[o]?.axes ?? [] };
      });
    },
    async close() {
      await session.release();
    },
  };
  return { model, provider, warning };
}
