import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { createEngine } from "../engine.js";
import { tempDir } from "../testing/temp-algorithm.js";
import { testEngine, waitForTraining, type TestEngine } from "../testing/test-engine.js";
import { imageSum, manySamples, numberedFiles, relativeLayout, relativeTo, twoSamples, twoSamplesLayout } from "../testing/training-samples.js";

// A runner that exercises every temp-store helper and reports what it saw in `state`.
const TEMP_RUNNER = `import { BaseRunner, GenericSchema, ImageSchema, SegmentationSchema } from "compox";
export class Runner extends BaseRunner {
  inference() { return []; }
  async train(sampleIds, args) {
    const dataset = await this.getTrainingDataset(sampleIds);
    const schemas = args.mode === "noschema" ? { input: ImageSchema } : { input: ImageSchema, target: SegmentationSchema };
    const local = await this.downloadDatasetToTempStore(dataset, schemas);
    const loaded = await this.loadDatasetFromTempStore(local);
    const sums = loaded.map((s) => s.map((f) => f.input.map((item) => item.image.data.reduce((a, b) => a + Number(b), 0))));
    const derived = sums.flat(2).map((sum) => ({ data: { dtype: "float64", shape: [1], data: Float64Array.of(sum) } }));
    const derivedPaths = await this.saveTrainingFilesToTempStore("derived", derived, GenericSchema);
    const derivedBack = (await this.loadFilesFromTempStore(derivedPaths)).map((d) => d.data.data[0]);
    const firstIds = dataset.flatMap((s) => s.files.flatMap((f) => f.input));
    const flat = await this.downloadFilesToTempStore("flat", firstIds, ImageSchema, { batchSize: 2, keys: ["image"] });
    const flatKeys = (await this.loadFilesFromTempStore(flat, ["image"])).map((item) => Object.keys(item).join(","));
    if (args.mode === "badsave") await this.saveTrainingFilesToTempStore("bad", [{ image: { dtype: "uint8", shape: [2, 2, 2], data: new Uint8Array(8) } }], ImageSchema);
    if (args.mode === "escape") await this.saveTrainingFilesToTempStore("../outside", [], GenericSchema);
    await this.setState({ local, sums, derivedPaths, derivedBack, flat, flatKeys });
    await this.saveCheckpoint({ "files/model.json": new TextEncoder().encode("{}") }, {});
    if (args.mode === "fail") throw new Error("failing on purpose after filling the temp store");
  }
}`;
const PARAMS = `trainable = true
training_parameters = [{ name = "mode", config = { type = "string_enum", default = "ok", options = ["ok", "noschema", "badsave", "escape", "fail"] } }]`;

async function setup(t: TestEngine) {
  const algorithm_id = await t.deploy("temp_user", TEMP_RUNNER, { type: "Generic", extra: PARAMS, files: { "files/model.json": "{}" } });
  return { algorithm_id, ...(await twoSamples(t)) };
}

/** Every file and folder under `dir`, relative, sorted. */
function tree(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).map((p) => p.split(path.sep).join("/")).sort();
}

test("temp store: the exact <sample_id>/<file_index>/<key>/ layout, loads, derived files, key filter; removed when the training ends", async () => {
  await using t = await testEngine();
  const { algorithm_id, A, B, inputs } = await setup(t);
  const { training_id } = (await t.engine.train({ algorithm_id, training_data: [A, B] }));
  const rec = await waitForTraining(t.engine, training_id);
  assert.equal(rec.status, "COMPLETED", rec.log);
  const root = path.join(t.dataDir, "training-temp", training_id);
  const rel = relativeTo(root);
  const state = rec.state as { local: Record<string, string[]>[][]; sums: number[][][]; derivedPaths: string[]; derivedBack: number[]; flat: string[]; flatKeys: string[] };
  assert.deepEqual(relativeLayout(state.local, rel), twoSamplesLayout(A, B));
  // The loaded values are the samples' datasets, in order.
  const [s1, s2, s3, s4] = await Promise.all(inputs.map((id) => imageSum(t, id)));
  assert.deepEqual(state.sums, [[[s1, s2], [s3]], [[s4]]]);
  assert.deepEqual(state.derivedPaths.map(rel), numberedFiles("derived", 4));
  assert.deepEqual(state.derivedBack, [s1, s2, s3, s4]);
  // Four files in batches of two: one folder, numbering continued across batches.
  assert.deepEqual(state.flat.map(rel), numberedFiles("flat", 4));
  assert.deepEqual(state.flatKeys, ["image", "image", "image", "image"]);
  assert.equal(fs.existsSync(root), false, "the temp folder is removed when the training completes");
});

test("temp store: a failed training's folder is kept only with keep_failed_training_temp; leftovers are swept at start", async () => {
  await using t = await testEngine();
  const { algorithm_id, A, B } = await setup(t);
  const failed = await waitForTraining(t.engine, (await t.engine.train({ algorithm_id, training_data: [A], additional_parameters: { mode: "fail" } })).training_id);
  assert.equal(failed.status, "FAILED");
  assert.equal(fs.existsSync(path.join(t.dataDir, "training-temp", failed.training_id)), false);

  t.engine.updateSettings({ keep_failed_training_temp: true });
  const kept = await waitForTraining(t.engine, (await t.engine.train({ algorithm_id, training_data: [A, B], additional_parameters: { mode: "fail" } })).training_id);
  assert.equal(kept.status, "FAILED");
  const root = path.join(t.dataDir, "training-temp", kept.training_id);
  assert.match(kept.log, new RegExp(`temp folder is kept for debugging \\(keep_failed_training_temp\\): ${root.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
  const files = tree(root).filter((p) => p.endsWith(".h5"));
  assert.deepEqual(
    tree(root).filter((p) => p.startsWith(A)),
    [`${A}`, `${A}/0`, `${A}/0/input`, `${A}/0/input/000000.h5`, `${A}/0/input/000001.h5`, `${A}/0/target`, `${A}/0/target/000000.h5`, `${A}/1`, `${A}/1/input`, `${A}/1/input/000000.h5`, `${A}/1/target`],
  );
  assert.equal(files.length, 6 + 4 + 4, "dataset files, derived files and the flat copies");
  // A successful training still cleans up with the setting on.
  const ok = await waitForTraining(t.engine, (await t.engine.train({ algorithm_id, training_data: [A] })).training_id);
  assert.equal(ok.status, "COMPLETED", ok.log);
  assert.equal(fs.existsSync(path.join(t.dataDir, "training-temp", ok.training_id)), false);
});

test("temp store errors name the fix: a sample key without a schema, an item that breaks the schema, a folder outside", async () => {
  await using t = await testEngine();
  const { algorithm_id, A } = await setup(t);
  const run = async (mode: string) => waitForTraining(t.engine, (await t.engine.train({ algorithm_id, training_data: [A], additional_parameters: { mode } })).training_id);
  const noschema = await run("noschema");
  assert.equal(noschema.status, "FAILED");
  assert.match(noschema.log, new RegExp(`no schema for the sample key "target" \\(sample ${A}\\); pass one for each of input, target`));
  const badsave = await run("badsave");
  assert.match(badsave.log, /file 1 saved to "bad" does not match the schema: image: a 3-D image must be 3×H×W/);
  const escape = await run("escape");
  assert.match(escape.log, /temp store folder "\.\.\/outside" leaves the training's temp folder/);
  assert.equal(fs.existsSync(path.join(t.dataDir, "training-temp", "outside")), false);
});

test("the engine removes temp folders a previous process left behind", async () => {
  using data = tempDir();
  const stray = path.join(data.path, "training-temp", "00000000-dead-1000-8000-000000000000", "x", "0");
  fs.mkdirSync(stray, { recursive: true });
  const engine = await createEngine({ dataDir: data.path });
  try {
    assert.deepEqual(fs.readdirSync(path.join(data.path, "training-temp")), []);
  } finally {
    await engine.close();
  }
});

// 100 samples of 2 MB inputs plus 0.5 MB targets: 250 MB of data. The runner copies them into the
// temp store in batches and trains one sample at a time. Its peak resident memory must grow by far
// less than the data: what V8 lets pile up before it collects (tens of MB, more on a busy machine)
// plus a batch, never the whole dataset, as it would if a helper held everything at once.
const BIG_RUNNER = `import { BaseRunner, ImageSchema, SegmentationSchema } from "compox";
export class Runner extends BaseRunner {
  inference() { return []; }
  async train(sampleIds, args) {
    const fs = await import("node:fs");
    // The peak resident size of this process (VmHWM, Linux), reset once the warm-up is done.
    const peakMb = () => Number(/VmHWM:\\s+(\\d+)/.exec(fs.readFileSync("/proc/self/status", "utf8"))[1]) / 1024;
    const dataset = await this.getTrainingDataset(sampleIds);
    // Warm up the HDF5 library first: its one-time cost is not what this measures.
    await this.fetchData(dataset[0].files[0].input, ImageSchema);
    fs.writeFileSync("/proc/self/clear_refs", "5");
    const before = peakMb();
    const local = await this.downloadDatasetToTempStore(dataset, { input: ImageSchema, target: SegmentationSchema });
    let pixels = 0, foreground = 0;
    for (const [i, sample] of local.entries()) {
      const [files] = await this.loadDatasetFromTempStore([sample]);
      for (const f of files) {
        pixels += f.input[0].image.data.length;
        foreground += f.target[0].mask.data.reduce((a, b) => a + b, 0);
      }
      this.setProgress((i + 1) / local.length);
    }
    await this.setState({ samples: local.length, pixels, foreground, growthMb: peakMb() - before });
    await this.saveCheckpoint({ "files/model.json": new TextEncoder().encode(JSON.stringify({ foreground })) }, {});
  }
}`;

test("a 100-sample dataset trains through the temp store with bounded memory", { skip: process.platform !== "linux" && "reads peak memory from /proc" }, async () => {
  await using t = await testEngine();
  const algorithm_id = await t.deploy("big_trainer", BIG_RUNNER, { type: "Generic", extra: "trainable = true", files: { "files/model.json": "{}" } });
  const [h, w] = [1024, 512];
  const sampleIds = await manySamples(t, 100, h, w);
  const rec = await waitForTraining(t.engine, (await t.engine.train({ algorithm_id, training_data: sampleIds })).training_id, 120000);
  assert.equal(rec.status, "COMPLETED", rec.log);
  const state = rec.state as { samples: number; pixels: number; foreground: number; growthMb: number };
  assert.equal(state.samples, 100);
  assert.equal(state.pixels, 100 * h * w);
  assert.equal(state.foreground, h * w, "each pixel is foreground in exactly one of the 100 targets");
  const dataMb = (100 * h * w * 5) / 2 ** 20;
  assert.ok(state.growthMb < dataMb / 2, `peak memory grew by ${state.growthMb.toFixed(0)} MB for ${dataMb.toFixed(0)} MB of data`);
});
