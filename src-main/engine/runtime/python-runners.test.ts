import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { needsPython, needsSkimage, PYTHON } from "../testing/system-needs.js";
import { testEngine, waitForEnd, waitForStatus, waitForTraining } from "../testing/test-engine.js";
import { eventually } from "../testing/eventually.js";
import { imageSum, manySamples, numberedFiles, relativeLayout, relativeTo, twoSamples, twoSamplesLayout } from "../testing/training-samples.js";

const fixtures = fileURLToPath(new URL("./__fixtures__/python/", import.meta.url));
const skip = needsPython;

test("a Compox-style Image2Image runner: old __init__, helper package, asset, log, progress, print", { skip }, async () => {
  await using t = await testEngine();
  const { algorithm_id } = await t.engine.deploy(`${fixtures}py_image2image`);
  const inputs = await t.images(3, 4, 5);
  const rec = await waitForEnd(t.engine, (await t.engine.execute({ algorithm_id, input_dataset_ids: inputs, additional_parameters: { offset: 0.5 } })).execution_id, 60000);
  assert.equal(rec.status, "COMPLETED", rec.log);
  assert.match(rec.log, /INFO scaling 3 images by 2\.5/);
  assert.match(rec.log, /a print from the algorithm/);
  assert.equal(rec.output_dataset_ids.length, 3);
  const out = (await t.engine.readDataset(rec.output_dataset_ids[1] ?? "")).image;
  const inp = (await t.engine.readDataset(inputs[1] ?? "")).image;
  assert.equal(out?.dtype, "float32");
  assert.deepEqual([...(out?.data ?? [])], [...(inp?.data ?? [])].map((v) => Number(v) * 2.5 + 0.5));
});

test("a Generic runner: custom schema, sessions across executions, locked assets", { skip }, async () => {
  await using t = await testEngine();
  const { algorithm_id } = await t.engine.deploy(`${fixtures}py_generic`);
  const run = async () => (await waitForEnd(t.engine, (await t.engine.execute({ algorithm_id, input_dataset_ids: [], session_token: "s" })).execution_id, 60000)).output_dataset_ids;
  const first = await run();
  assert.deepEqual(first.slice(0, 3), ["count=1", "hits=1", "locked=yes"]);
  const second = await run();
  assert.deepEqual(second.slice(0, 3), ["count=2", "hits=2", "locked=yes"]);
  assert.deepEqual([...((await t.engine.readDataset(second[3] ?? "")).count?.data ?? [])].map(Number), [2]);
});

test("Python failures, stops and crashes end with the right status; the engine keeps serving", { skip }, async () => {
  await using t = await testEngine({ stopGraceMs: 2000 });
  const { algorithm_id } = await t.engine.deploy(`${fixtures}py_misbehaving`);
  const raised = await waitForEnd(t.engine, (await t.engine.execute({ algorithm_id, input_dataset_ids: [], additional_parameters: { mode: "raise" } })).execution_id, 60000);
  assert.equal(raised.status, "FAILED");
  assert.match(raised.log, /ValueError: bad voxel spacing/);
  assert.match(raised.log, /Traceback \(most recent call last\)/);

  const loop = (await t.engine.execute({ algorithm_id, input_dataset_ids: [], additional_parameters: { mode: "loop" } })).execution_id;
  await waitForStatus(t.engine, loop, "RUNNING", 60000);
  await eventually(async () => (await t.engine.getExecution(loop)).progress > 0, "the loop to report progress");
  await t.engine.stopExecution(loop);
  const stopped = await waitForEnd(t.engine, loop, 10000);
  assert.equal(stopped.status, "STOPPED", stopped.log);
  assert.doesNotMatch(stopped.log, /killed/, "set_progress checks for the stop");

  const crashed = await waitForEnd(t.engine, (await t.engine.execute({ algorithm_id, input_dataset_ids: [], additional_parameters: { mode: "crash" } })).execution_id, 60000);
  assert.equal(crashed.status, "FAILED");
  assert.match(crashed.log, /the runner process exited with code 3/);
  // A crashed interpreter is replaced on the next execution.
  const again = await waitForEnd(t.engine, (await t.engine.execute({ algorithm_id, input_dataset_ids: [], additional_parameters: { mode: "raise" } })).execution_id, 60000);
  assert.match(again.log, /bad voxel spacing/);
});

test("hostile Python runners cannot take the engine down: garbage on the channel, 16 MB lines while killed, busy loops", { skip }, async () => {
  await using t = await testEngine({ stopGraceMs: 1000 });
  const { algorithm_id } = await t.engine.deploy(`${fixtures}py_misbehaving`);
  const run = async (mode: string) => (await t.engine.execute({ algorithm_id, input_dataset_ids: [], additional_parameters: { mode } })).execution_id;
  const garbage = await waitForEnd(t.engine, run("garbage"), 60000);
  assert.equal(garbage.status, "FAILED");
  assert.match(garbage.log, /the runner broke its message protocol: it sent a line that is not JSON \("not json"\)/);

  const flood = await run("flood");
  await waitForStatus(t.engine, flood, "RUNNING", 60000);
  await eventually(async () => (await t.engine.getExecution(flood)).log.includes("flooding"), "the flood to start");
  await t.engine.stopExecution(flood);
  const flooded = await waitForEnd(t.engine, flood, 10000);
  assert.equal(flooded.status, "STOPPED", flooded.log.slice(0, 2000));
  assert.match(flooded.log, /its process was killed/);

  const busy = await run("busy");
  await waitForStatus(t.engine, busy, "RUNNING", 60000);
  await eventually(async () => (await t.engine.getExecution(busy)).log.includes("busy"), "the busy loop to start");
  const started = Date.now();
  await t.engine.stopExecution(busy);
  const stopped = await waitForEnd(t.engine, busy, 5000);
  assert.equal(stopped.status, "STOPPED");
  assert.doesNotMatch(stopped.log, /killed/);
  assert.ok(Date.now() - started < 1000, `STOPPED after ${Date.now() - started} ms`);

  // Still serving, in a fresh interpreter.
  assert.match((await waitForEnd(t.engine, run("raise"), 60000)).log, /bad voxel spacing/);
});

test("check_importable imports a Python module at deploy time and fails the deploy with the Python error", { skip }, async () => {
  await using t = await testEngine();
  const { tempDir, writeFiles, pyproject } = await import("../testing/temp-algorithm.js");
  using src = tempDir();
  const bad = writeFiles(`${src.path}/bad`, {
    "pyproject.toml": pyproject("bad_py", "1.0", "check_importable = true"),
    "Runner.py": "import not_a_real_package\nfrom compox.algorithm_utils.Image2ImageRunner import Image2ImageRunner\n\nclass Runner(Image2ImageRunner):\n    pass\n",
  });
  await assert.rejects(t.engine.deploy(bad), /Runner\.py: check_importable: loading the module failed: ModuleNotFoundError: No module named 'not_a_real_package'/);
  const good = writeFiles(`${src.path}/good`, {
    "pyproject.toml": pyproject("good_py", "1.0", "check_importable = true"),
    "Runner.py": "from compox.algorithm_utils.Image2ImageRunner import Image2ImageRunner\n\nclass Runner(Image2ImageRunner):\n    def inference(self, data, args={}):\n        return data\n",
  });
  assert.equal((await t.engine.deploy(good)).outcome, "created");
});

test("the Compox-style skimage TV example runs over HTTP with the same output as Python run directly", { skip: needsSkimage }, async () => {
  const { execFileSync } = await import("node:child_process");
  const path = await import("node:path");
  const { createApi } = await import("../../server/app.js");
  const { CompoxClient } = await import("../../contract/client.js");
  const { writeHdf5, readHdf5 } = await import("../datasets/hdf5.js");
  const { tempDir } = await import("../testing/temp-algorithm.js");
  await using t = await testEngine();
  const app = createApi(t.engine);
  const client = new CompoxClient("http://127.0.0.1/", { fetch: (i, init) => Promise.resolve(app.request(String(i), init)), headers: { host: "127.0.0.1" } });
  const example = fileURLToPath(new URL("../../../examples/python_tv_denoising", import.meta.url));
  const { algorithm_id } = await client.deployLocal(example);
  const image = { dtype: "uint8" as const, shape: [20, 24], data: new Uint8Array(480).map((_, i) => (i * 37) % 251) };
  using dir = tempDir();
  const file = path.join(dir.path, "in.h5");
  await writeHdf5(file, { image });
  const { file_id } = await client.uploadFile(new Uint8Array((await import("node:fs")).readFileSync(file)));
  const { execution_id } = await client.execute({ algorithm_id, input_dataset_ids: [file_id], additional_parameters: { denoising_weight: 0.2 } });
  const rec = await waitForEnd(t.engine, execution_id, 60000);
  assert.equal(rec.status, "COMPLETED", rec.log);
  const ours = (await t.engine.readDataset(rec.output_dataset_ids[0] ?? "")).image?.data as Float32Array;
  // The same helper called by Python directly.
  const direct = path.join(dir.path, "direct.h5");
  execFileSync(PYTHON ?? "python3", ["-c", `import sys, h5py, numpy as np\nsys.path.insert(0, sys.argv[1])\nfrom denoising_utils.tv import denoise_stack\nimg = h5py.File(sys.argv[2])['image'][()]\nh5py.File(sys.argv[3], 'w').create_dataset('out', data=denoise_stack(img[None], 0.2)[0])`, example, file, direct]);
  const theirs = (await readHdf5(direct)).out?.data as Float32Array;
  assert.deepEqual([...ours], [...theirs]);
});

test("deploying a Python algorithm without a usable interpreter says how to fix it", async () => {
  await using t = await testEngine({ settings: { python: "/nonexistent/python3" } });
  await assert.rejects(t.engine.deploy(`${fixtures}py_generic`), /Runner\.py: Python algorithms need a Python 3 with numpy and h5py .*apt-get install python3-numpy python3-h5py/);
});

test("a Python training run saves a checkpoint that the next execution uses", { skip }, async () => {
  await using t = await testEngine();
  const { algorithm_id } = await t.engine.deploy(`${fixtures}py_trainable`);
  const ids = await t.images(2, 2, 2);
  const { sample_id } = (await t.engine.createSample({ files: [{ input: ids, target: [] }] }));
  const { training_id } = (await t.engine.train({ algorithm_id, training_data: [sample_id] }));
  const rec = await waitForTraining(t.engine, training_id, 60000);
  assert.equal(rec.status, "COMPLETED", rec.log);
  assert.deepEqual(rec.state, { loss: 0.25, samples: 2 });
  const checkpoint = (await t.engine.getCheckpoint(rec.output_checkpoint_ids[0] ?? ""));
  assert.deepEqual(checkpoint.properties, { inputs: 2 });
  // images(2, 2, 2): pixels 0..3 (mean 1.5) and 10..13 (mean 11.5): the learnt mean is 6.5.
  const run = await waitForEnd(t.engine, (await t.engine.execute({ algorithm_id, input_dataset_ids: [], checkpoint_id: checkpoint.checkpoint_id })).execution_id, 60000);
  assert.deepEqual(run.output_dataset_ids, ["mean=6.5"]);
});

test("Python temp store: Compox's helpers with the <sample_id>/<file_index>/<key>/ layout, annotated schemas, cleanup", { skip }, async () => {
  await using t = await testEngine();
  const { algorithm_id } = await t.engine.deploy(`${fixtures}py_temp_store`);
  const { A, B, inputs } = await twoSamples(t);
  const rec = await waitForTraining(t.engine, (await t.engine.train({ algorithm_id, training_data: [A, B] })).training_id, 60000);
  assert.equal(rec.status, "COMPLETED", rec.log);
  const root = path.join(t.dataDir, "training-temp", rec.training_id);
  const rel = relativeTo(root);
  const state = rec.state as { local: Record<string, string[]>[][]; sums: number[][][]; derived: string[]; back: number[]; flat: string[]; keys: string[]; sample_ids: string[] };
  assert.deepEqual(relativeLayout(state.local, rel), twoSamplesLayout(A, B));
  const sums = await Promise.all(inputs.map((id) => imageSum(t, id)));
  assert.deepEqual(state.sums, [[[sums[0], sums[1]], [sums[2]]], [[sums[3]]]]);
  assert.deepEqual(state.derived.map(rel), numberedFiles("derived", 4));
  assert.deepEqual(state.back, sums);
  assert.deepEqual(state.flat.map(rel), numberedFiles("flat", 4));
  assert.deepEqual([state.keys, state.sample_ids], [["image", "image", "image", "image"], [A, B]]);
  assert.deepEqual((await t.engine.getCheckpoint(rec.output_checkpoint_ids[0] ?? "")).properties, { stage: "image" }); // get_state()
  assert.equal(fs.existsSync(root), false);

  const bad = await waitForTraining(t.engine, (await t.engine.train({ algorithm_id, training_data: [A], additional_parameters: { mode: "badsave" } })).training_id, 60000);
  assert.equal(bad.status, "FAILED");
  assert.match(bad.log, /file 1 saved to "bad": 1 validation error for ImageSchema\nimage\n {2}Value error, Image must be 2D \(got 4 dimensions\)/);
});

test("Python temp store: a 100-sample dataset trains with bounded memory", { skip: skip || (process.platform !== "linux" && "reads peak memory from /proc") }, async () => {
  await using t = await testEngine();
  const { algorithm_id } = await t.engine.deploy(`${fixtures}py_temp_store`);
  const [h, w] = [512, 512];
  const sampleIds = await manySamples(t, 100, h, w);
  const rec = await waitForTraining(t.engine, (await t.engine.train({ algorithm_id, training_data: sampleIds, additional_parameters: { mode: "big" } })).training_id, 120000);
  assert.equal(rec.status, "COMPLETED", rec.log);
  const state = rec.state as { samples: number; pixels: number; foreground: number; growthMb: number };
  assert.deepEqual([state.samples, state.pixels, state.foreground], [100, 100 * h * w, h * w]);
  const dataMb = (100 * h * w * 5) / 2 ** 20;
  assert.ok(state.growthMb < dataMb / 3, `peak memory grew by ${state.growthMb.toFixed(0)} MB for ${dataMb.toFixed(0)} MB of data`);
});
