import assert from "node:assert/strict";
import fs from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import type { NDArray } from "../../src-main/contract/ndarray.js";
import { readHdf5 } from "../../src-main/engine/datasets/hdf5.js";
import { testEngine, waitForEnd } from "../../src-main/engine/testing/test-engine.js";
import { createSession, runPlane } from "../onnx_denoiser/helpers/session.js";
import { cut, paste, tiles } from "../onnx_denoiser/helpers/tiling.js";
import { fixtures } from "./reference.js";

const folder = fileURLToPath(new URL("../onnx_denoiser", import.meta.url));
const model = new Uint8Array(fs.readFileSync(`${folder}/files/model.onnx`));

function psnr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return 10 * Math.log10(1 / (s / a.length));
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

test("tiles cover the image once, with clipped margins", async () => {
  const all = tiles(70, 50, 32, 8);
  const covered = new Uint8Array(70 * 50);
  for (const t of all) for (let y = 0; y < t.keepH; y++) for (let x = 0; x < t.keepW; x++) covered[(t.keepY0 + y) * 50 + t.keepX0 + x]!++;
  assert.ok(covered.every((c) => c === 1));
  assert.deepEqual(all[0], { y0: 0, x0: 0, h: 40, w: 40, keepY0: 0, keepX0: 0, keepH: 32, keepW: 32 });
});

test("tiled inference equals PyTorch's output within 1e-4 and gains the recorded PSNR", async () => {
  const ref = await readHdf5(`${fixtures}onnx-reference.h5`);
  const noisy = ref.noisy as NDArray;
  const [h, w] = noisy.shape as [number, number];
  const { session } = await createSession(model, "cpu");
  const whole = await runPlane(session, noisy.data as Float32Array, h, w);
  const tiled = new Float32Array(h * w);
  for (const t of tiles(h, w, 64, 16)) paste(tiled, w, t, await runPlane(session, cut(noisy.data as Float32Array, w, t), t.h, t.w));
  assert.ok(maxAbsDiff(whole, ref.torch_output?.data as Float32Array) <= 1e-4, `whole vs torch ${maxAbsDiff(whole, ref.torch_output?.data as Float32Array)}`);
  assert.ok(maxAbsDiff(tiled, whole) <= 1e-5, `tiled vs whole ${maxAbsDiff(tiled, whole)}`);
  const [before, after] = ref.psnr?.data as Float64Array;
  const clean = ref.clean?.data as Float32Array;
  assert.ok(Math.abs(psnr(noisy.data as Float32Array, clean) - before!) < 0.01);
  assert.ok(Math.abs(psnr(tiled, clean) - after!) < 0.05, `PSNR ${psnr(tiled, clean)} vs recorded ${after}`);
  assert.ok(after! - before! > 10, "the model denoises");
  await session.release();
});

test("the bundled algorithm runs with onnxruntime in a runner process; gpu falls back to cpu with a warning", async () => {
  await using t = await testEngine();
  const { algorithm_id } = await t.engine.deploy(folder);
  const ref = await readHdf5(`${fixtures}onnx-reference.h5`);
  const input = await t.engine.createDataset({ image: ref.noisy as NDArray });
  const rec = await waitForEnd(t.engine, (await t.engine.execute({ algorithm_id, input_dataset_ids: [input.file_id], additional_parameters: { tile_size: 96 }, execution_device_override: "gpu" })).execution_id, 60000);
  assert.equal(rec.status, "COMPLETED", rec.log);
  assert.equal(rec.resolved_execution_device, "cpu");
  assert.match(rec.log, /WARNING gpu requested but no CUDA device was found/);
  const out = (await t.engine.readDataset(rec.output_dataset_ids[0] ?? "")).image as NDArray;
  assert.ok(maxAbsDiff(out.data as Float32Array, ref.torch_output?.data as Float32Array) <= 1e-4);
});
