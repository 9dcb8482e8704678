// The ONNX Runtime session on the runner's device: CUDA when the runner was loaded for "cuda" and
// the CUDA execution provider loads, else the CPU (with the reason, for the log).
import * as ort from "onnxruntime-node";

export async function createSession(model: Uint8Array, device: string): Promise<{ session: ort.InferenceSession; provider: string; warning?: string }> {
  if (device === "cuda") {
    try {
      return { session: await ort.InferenceSession.create(model, { executionProviders: ["cuda"] }), provider: "cuda" };
    } catch (err) {
      const warning = `the CUDA execution provider is not available (${(err as Error).message.split("\n")[0]}); running on cpu. See \`compox doctor\`.`;
      return { session: await ort.InferenceSession.create(model, { executionProviders: ["cpu"] }), provider: "cpu", warning };
    }
  }
  return { session: await ort.InferenceSession.create(model, { executionProviders: ["cpu"] }), provider: "cpu" };
}

/** Runs the model on one h×w plane. */
export async function runPlane(session: ort.InferenceSession, plane: Float32Array, h: number, w: number): Promise<Float32Array> {
  const input = new ort.Tensor("float32", plane, [1, 1, h, w]);
  const result = await session.run({ [session.inputNames[0]!]: input });
  return result[session.outputNames[0]!]!.data as Float32Array;
}
