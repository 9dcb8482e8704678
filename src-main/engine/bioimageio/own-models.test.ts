// The small model packages of __fixtures__ (made by make_models.py with PyTorch; their test outputs
// computed there in NumPy, whole-image): what the real fixture does not cover — two inputs and two
// outputs (a Generic algorithm), an output of half the input's size, reference tensors in
// postprocessing, percentile normalisation, a spec-0.4-only package whose output is cropped by its
// valid convolutions. Each is verified at import, reproduces its test outputs, and runs tiled as it
// runs whole.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import type { NDArray } from "../../contract/ndarray.js";
import { readNpy } from "../sdk/bioimageio/npy.js";
import { needsTorch } from "../testing/bioimageio.js";
import { needsClusterServices, startTestCluster } from "../testing/cluster-services.js";
import { testEngine, waitForEnd } from "../testing/test-engine.js";

const FIXTURES = fileURLToPath(new URL("./__fixtures__/", import.meta.url));
const npy = (pkg: string, file: string) => readNpy(fs.readFileSync(path.join(FIXTURES, pkg, file)), file);

type Engine = Awaited<ReturnType<typeof testEngine>>["engine"];

/** Runs `algorithm` on one dataset of `items`; the output dataset's arrays (or the failed record's log). */
async function run(engine: Engine, algorithm: string, items: Record<string, NDArray>, params: Record<string, unknown> = {}) {
  const ds = await engine.createDataset(items);
  const rec = await waitForEnd(engine, (await engine.execute({ algorithm_id: algorithm, input_dataset_ids: [ds.file_id], additional_parameters: params })).execution_id, 180_000);
  return { rec, out: rec.status === "COMPLETED" ? await engine.readDataset(rec.output_dataset_ids[0]!) : {} };
}

function largestDifference(a: NDArray, b: NDArray | { data: Float32Array }): number {
  const [x, y] = [a.data as Float32Array, b.data as Float32Array];
  assert.equal(x.length, y.length);
  let worst = 0;
  for (let i = 0; i < y.length; i++) worst = Math.max(worst, Math.abs(x[i]! - y[i]!));
  return worst;
}

/** A smooth, textured test image of `h`×`w` (channels first, one channel). */
const image = (h: number, w: number, f = 0.37): NDArray & { data: Float32Array } => ({ dtype: "float32", shape: [1, h, w], data: Float32Array.from({ length: h * w }, (_, i) => 100 + 40 * Math.sin(i * f) + (i % w) * 0.5 + Math.floor(i / w)) });

test("a model with two inputs and two outputs (one half the input's size) deploys as Generic, reproduces its test outputs and runs tiled as whole", { timeout: 300_000 }, async () => {
  await using t = await testEngine();
  const r = await t.engine.deploy(path.join(FIXTURES, "two_in_two_out"));
  assert.equal(r.outcome, "created");
  assert.equal(r.algorithm_name, "two_in_two_out", "the model's id as an identifier");
  const alg = await t.engine.getAlgorithmById(r.algorithm_id);
  assert.equal(alg.algorithm_type, "Generic", "several tensors: one key per tensor in each dataset");
  assert.deepEqual(alg.additional_parameters.map((p) => p.name), ["tile_size", "halo", "weights_format"]);
  assert.deepEqual(alg.additional_parameters[2]!.config.options, ["default", "onnx", "torchscript", "pytorch_state_dict"]);
  assert.equal(alg.additional_parameters[1]!.config.default, 2, "the halo parameter defaults to the model's");

  const raw = npy("two_in_two_out", "test_raw.npy");
  const mask = npy("two_in_two_out", "test_mask.npy");
  const asArray = (a: { data: Float32Array; shape: number[] }): NDArray => ({ dtype: "float32", shape: a.shape.slice(1), data: a.data });
  const { rec, out } = await run(t.engine, r.algorithm_id, { raw: asArray(raw), mask: asArray(mask) });
  assert.equal(rec.status, "COMPLETED", rec.log);
  assert.deepEqual(out.smooth!.shape, [1, 64, 48], "arrays in the tensor's axes without batch");
  assert.deepEqual(out.half!.shape, [1, 32, 24], "half the input's size (an output axis of scale 2)");
  assert.ok(largestDifference(out.smooth!, npy("two_in_two_out", "test_smooth.npy")) < 1e-4, "scale_mean_variance with the input as reference");
  assert.ok(largestDifference(out.half!, npy("two_in_two_out", "test_half.npy")) < 1e-4, "scale_range with the input as reference");

  // 200×168 in tiles of 48 (halo 2 for `smooth`, 1 half-size pixel for `half`: tiles move by 2) against one tile.
  const big = { raw: image(200, 168), mask: { ...image(200, 168, 0.011), data: image(200, 168, 0.011).data.map((v) => (v % 7) / 7) } };
  const tiled = await run(t.engine, r.algorithm_id, big, { tile_size: 48 });
  const whole = await run(t.engine, r.algorithm_id, big, { tile_size: 512 });
  assert.equal(tiled.rec.status, "COMPLETED", tiled.rec.log);
  assert.match(tiled.rec.log, /running in 20 tiles/);
  assert.deepEqual([tiled.out.smooth!.shape, tiled.out.half!.shape], [[1, 200, 168], [1, 100, 84]]);
  assert.ok(largestDifference(tiled.out.smooth!, whole.out.smooth!) < 1e-4, "smooth: tiled = whole");
  assert.ok(largestDifference(tiled.out.half!, whole.out.half!) < 1e-4, "half: tiled = whole");
  const seams = await run(t.engine, r.algorithm_id, big, { tile_size: 48, halo: 0 });
  assert.ok(largestDifference(seams.out.smooth!, whole.out.smooth!) > 1e-3, "without the halo the tiles' seams show (the comparison above can fail)");

  const odd = await run(t.engine, r.algorithm_id, { raw: image(101, 75), mask: image(101, 75) }, { tile_size: 32 });
  assert.equal(odd.rec.status, "COMPLETED", odd.rec.log);
  assert.deepEqual(odd.out.half!.shape, [1, 50, 37], "fractions rounded down, as the spec says");

  const missing = await run(t.engine, r.algorithm_id, { raw: asArray(raw) });
  assert.equal(missing.rec.status, "FAILED");
  assert.match(missing.rec.log, /has no "mask": this model takes "raw" and "mask", one key per input/);
});

test("a Generic model's other weights run when a run asks for them (TorchScript, and the state dict in its network.py), reproducing the same outputs", { skip: needsTorch, timeout: 300_000 }, async () => {
  await using t = await testEngine();
  const r = await t.engine.deploy(path.join(FIXTURES, "two_in_two_out"));
  const raw = npy("two_in_two_out", "test_raw.npy");
  const mask = npy("two_in_two_out", "test_mask.npy");
  for (const [format, name] of [["torchscript", "TorchScript"], ["pytorch_state_dict", "PyTorch state dict"]]) {
    const { rec, out } = await run(t.engine, r.algorithm_id, { raw: { dtype: "float32", shape: [1, 64, 48], data: raw.data }, mask: { dtype: "float32", shape: [1, 64, 48], data: mask.data } }, { weights_format: format });
    assert.equal(rec.status, "COMPLETED", rec.log);
    assert.match(rec.log, new RegExp(`${name} weights on cpu, PyTorch .*not the format the import verified`));
    assert.ok(largestDifference(out.smooth!, npy("two_in_two_out", "test_smooth.npy")) < 1e-4, format);
    assert.ok(largestDifference(out.half!, npy("two_in_two_out", "test_half.npy")) < 1e-4, format);
  }
});

test("a spec-0.4-only package whose output is its input less 2 pixels a side (shape offset) reproduces its test output and tiles exactly", { timeout: 300_000 }, async () => {
  await using t = await testEngine();
  const r = await t.engine.deploy(path.join(FIXTURES, "valid_conv_v04"));
  assert.equal(r.outcome, "created");
  assert.deepEqual([r.algorithm_name, r.algorithm_major_version, r.algorithm_minor_version], ["valid_conv_0_4", "0", "3"]);
  const alg = await t.engine.getAlgorithmById(r.algorithm_id);
  assert.equal(alg.algorithm_type, "Image2Image");
  const input = npy("valid_conv_v04", "test_input.npy");
  const { rec, out } = await run(t.engine, r.algorithm_id, { image: { dtype: "float32", shape: [48, 64], data: input.data } });
  assert.equal(rec.status, "COMPLETED", rec.log);
  assert.deepEqual(out.image!.shape, [44, 60]);
  assert.ok(largestDifference(out.image!, npy("valid_conv_v04", "test_output.npy")) < 1e-5);

  // 2048² in tiles of 512 against one whole-image tile; and a small odd image in tiles of 32.
  const big = { image: { ...image(2048, 2048), shape: [2048, 2048] } };
  const tiled = await run(t.engine, r.algorithm_id, big, { tile_size: 512 });
  const whole = await run(t.engine, r.algorithm_id, big, { tile_size: 4096 });
  assert.equal(tiled.rec.status, "COMPLETED", tiled.rec.log);
  assert.match(tiled.rec.log, /running in 25 tiles/);
  assert.doesNotMatch(whole.rec.log, /running in/, "one tile");
  assert.deepEqual(tiled.out.image!.shape, [2044, 2044]);
  assert.ok(largestDifference(tiled.out.image!, whole.out.image!) < 1e-5, "the crop is the context each tile needs: tiled = whole");
  const odd = { image: { ...image(150, 190), shape: [150, 190] } };
  const [oddTiled, oddWhole] = [await run(t.engine, r.algorithm_id, odd, { tile_size: 32 }), await run(t.engine, r.algorithm_id, odd, { tile_size: 1024 })];
  assert.deepEqual(oddTiled.out.image!.shape, [146, 186]);
  assert.ok(largestDifference(oddTiled.out.image!, oddWhole.out.image!) < 1e-5);
});

test("an imported model runs on a cluster worker like any algorithm: deployed on the API node, run on w1, its outputs read back", { skip: needsClusterServices, timeout: 180_000 }, async () => {
  await using cluster = await startTestCluster([{ name: "w1", devices: ["cpu"], concurrency: 1 }]);
  const { api } = cluster;
  const r = await api.engine.deploy(path.join(FIXTURES, "two_in_two_out"));
  const raw = npy("two_in_two_out", "test_raw.npy");
  const mask = npy("two_in_two_out", "test_mask.npy");
  const { rec, out } = await run(api.engine, r.algorithm_id, { raw: { dtype: "float32", shape: [1, 64, 48], data: raw.data }, mask: { dtype: "float32", shape: [1, 64, 48], data: mask.data } });
  assert.equal(rec.status, "COMPLETED", rec.log);
  assert.equal(rec.worker, "w1");
  assert.ok(largestDifference(out.smooth!, npy("two_in_two_out", "test_smooth.npy")) < 1e-4);
  assert.ok(largestDifference(out.half!, npy("two_in_two_out", "test_half.npy")) < 1e-4);
});
