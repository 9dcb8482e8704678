// The bioimage.io rows' measurements, each mode in a process of its own so that its peak memory
// is its own. Prints one JSON line. Run by bench/bioimageio.ts:
//
//   node --import tsx bench/bioimageio-run.ts tiled|bare|import|bare-test <fixture dir> <repeats> [whole-image onnx]
//
// tiled: the product's path (predict(): whole-image preprocessing, tiles of 512 with the model's
//   halo, stitching, postprocessing) with the package's ONNX weights on a 2048² image;
// bare: onnxruntime-node's session.run on the whole 2048² image at once (the package's graph takes
//   512² only: the same network and weights exported with free y and x, by bench/bioimageio.ts);
// import: verifying and writing the algorithm folder (what a deploy adds before storing it);
// bare-test: a session created and run on the test input (what verification cannot do without).
// Memory: the peak resident memory the first run adds over the process after loading (Linux
// VmHWM, reset just before); time: the median of the warm runs after it.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as ort from "onnxruntime-node";
import { algorithmFromModel } from "../src-main/engine/bioimageio/import.js";
import { readDescription } from "../src-main/engine/sdk/bioimageio/description.js";
import { readNpy } from "../src-main/engine/sdk/bioimageio/npy.js";
import { loadOnnx } from "../src-main/engine/sdk/bioimageio/onnx-model.js";
import { predict } from "../src-main/engine/sdk/bioimageio/predict.js";
import { tensorNames } from "../src-main/engine/sdk/bioimageio/weights.js";

const [mode, dir, repeatsArg, wholeImageOnnx] = process.argv.slice(2) as [string, string, string, string | undefined];
const repeats = Number(repeatsArg);
const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(fs.readFileSync("/proc/self/status", "utf8"))?.[1] ?? NaN);
const weights = new Uint8Array(fs.readFileSync(path.join(dir, "weights.onnx")));
const testInput = readNpy(fs.readFileSync(path.join(dir, "test_input.npy")));
const N = 2048;
// The test image repeated to 2048² (nuclei everywhere, as the model expects).
const image = Float32Array.from({ length: N * N }, (_, i) => testInput.data[(Math.floor(i / N) % 512) * 512 + ((i % N) % 512)]!);

/** Times `run` once cold (its peak added memory) and `repeats` times warm. */
async function measure(run: () => Promise<unknown>): Promise<{ seconds: number[]; peak_mb: number }> {
  globalThis.gc?.();
  fs.writeFileSync("/proc/self/clear_refs", "5"); // resets VmHWM to the current RSS
  const before = kb("VmRSS");
  await run();
  const peak_mb = (kb("VmHWM") - before) / 1024;
  const seconds: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    await run();
    seconds.push((performance.now() - start) / 1000);
  }
  return { seconds, peak_mb };
}

let result: { seconds: number[]; peak_mb: number; note?: string };
if (mode === "bare") {
  const session = await ort.InferenceSession.create(new Uint8Array(fs.readFileSync(wholeImageOnnx!)), { executionProviders: ["cpu"] });
  const input = new ort.Tensor("float32", image, [1, 1, N, N]);
  result = await measure(() => session.run({ [session.inputNames[0]!]: input }));
} else if (mode === "tiled") {
  const desc = readDescription(fs.readFileSync(path.join(dir, "bioimageio.yaml"), "utf8"), "bioimageio.yaml");
  const { model } = await loadOnnx(weights, "cpu", tensorNames(desc));
  let tiles = 0;
  result = await measure(() => predict(desc, model, [{ data: image, shape: [1, 1, N, N], axes: ["batch", "channel", "y", "x"] }], { tile: 512, onProgress: (_f, _d, total) => (tiles = total) }));
  result.note = `${tiles} tiles`;
} else if (mode === "import") {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "compox-bench-import-"));
  let k = 0;
  result = await measure(() => algorithmFromModel(dir, "bioimageio.yaml", path.join(out, String(k++))));
  fs.rmSync(out, { recursive: true, force: true });
} else {
  const input = new ort.Tensor("float32", testInput.data, testInput.shape);
  result = await measure(async () => {
    const session = await ort.InferenceSession.create(weights, { executionProviders: ["cpu"] });
    await session.run({ [session.inputNames[0]!]: input });
    await session.release();
  });
}
console.log(JSON.stringify(result));
