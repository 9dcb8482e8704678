import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { testEngine, waitForEnd, waitForTraining } from "../../src-main/engine/testing/test-engine.js";
import { cachedPixelFeatures, gaussianBlur, pixelFeatures } from "../pixel_classifier/helpers/features.js";
import { classify, compileForest, fitClassifier, loadForest } from "../pixel_classifier/helpers/classifier.js";
import { twoClassImage } from "./synthetic-two-class.js";

const folder = fileURLToPath(new URL("../pixel_classifier", import.meta.url));

function accuracy(predicted: ArrayLike<number>, truth: ArrayLike<number>): number {
  let ok = 0;
  for (let i = 0; i < truth.length; i++) if (predicted[i] === truth[i]) ok++;
  return ok / truth.length;
}

test("after training, ≥ 95% pixel accuracy on a held-out synthetic two-class image", async () => {
  const model = fitClassifier([twoClassImage(96, 96, 11)], { seed: 3 });
  const test = twoClassImage(96, 96, 99);
  const acc = accuracy(classify(compileForest(model), model, test.image, test.h, test.w), test.labels);
  assert.ok(acc >= 0.95, `accuracy ${acc}`);
});

test("training refuses masks with fewer than two classes", async () => {
  const one = twoClassImage(32, 32, 1);
  assert.throws(() => fitClassifier([{ ...one, labels: new Uint8Array(32 * 32).fill(1) }]), /at least two classes \(labels = dense: every mask value is a class\); found 1 \(only 1\)/);
});

test("the bundled algorithm segments with its shipped model", async () => {
  await using t = await testEngine();
  const { algorithm_id } = await t.engine.deploy(folder);
  const sample = twoClassImage(80, 80, 5);
  const input = await t.engine.createDataset({ image: { dtype: "float32", shape: [80, 80], data: sample.image } });
  const rec = await waitForEnd(t.engine, (await t.engine.execute({ algorithm_id, input_dataset_ids: [input.file_id] })).execution_id, 60000);
  assert.equal(rec.status, "COMPLETED", rec.log);
  const mask = (await t.engine.readDataset(rec.output_dataset_ids[0] ?? "")).mask?.data as Uint8Array;
  assert.ok(accuracy(mask, sample.labels) >= 0.95, `accuracy ${accuracy(mask, sample.labels)}`);
});

/** Trains the deployed algorithm on two synthetic images whose targets are `target(labels)`,
 * then segments a third with the checkpoint; returns the predicted mask and the third's labels. */
async function trainThenSegment(target: (labels: Uint8Array) => Uint8Array): Promise<{ mask: Uint8Array; labels: Uint8Array }> {
  await using t = await testEngine();
  const { algorithm_id } = await t.engine.deploy(folder);
  const files = [];
  for (const seed of [21, 22]) {
    const s = twoClassImage(72, 72, seed);
    const input = await t.engine.createDataset({ image: { dtype: "float32", shape: [72, 72], data: s.image } });
    const mask = await t.engine.createDataset({ mask: { dtype: "uint8", shape: [72, 72], data: target(s.labels) } });
    files.push({ input: [input.file_id], target: [mask.file_id] });
  }
  const { sample_id } = (await t.engine.createSample({ files }));
  // No labels parameter: dense is the default.
  const rec = await waitForTraining(t.engine, (await t.engine.train({ algorithm_id, training_data: [sample_id], additional_parameters: { n_estimators: 8 } })).training_id, 60000);
  assert.equal(rec.status, "COMPLETED", rec.log);
  const test = twoClassImage(72, 72, 77);
  const input = await t.engine.createDataset({ image: { dtype: "float32", shape: [72, 72], data: test.image } });
  const run = await waitForEnd(t.engine, (await t.engine.execute({ algorithm_id, input_dataset_ids: [input.file_id], checkpoint_id: rec.output_checkpoint_ids[0] ?? "" })).execution_id, 60000);
  assert.equal(run.status, "COMPLETED", run.log);
  return { mask: (await t.engine.readDataset(run.output_dataset_ids[0] ?? "")).mask?.data as Uint8Array, labels: test.labels };
}

test("train() on samples saves a checkpoint; executing with it segments a new image", async () => {
  const { mask, labels } = await trainThenSegment((l) => l);
  assert.ok(accuracy(mask, labels) >= 0.95, `accuracy ${accuracy(mask, labels)}`);
});


/** The synthetic image's labels as a binary mask (0 = background, 1 = blob), as a segmentation outputs it. */
const binary = (labels: Uint8Array) => labels.map((v) => (v === 2 ? 1 : 0));

test("sparse labels: a few hundred painted pixels per class train; 0 is unlabelled", async () => {
  const s = twoClassImage(96, 96, 11);
  // Strokes: every 23rd pixel keeps its class, the rest is unlabelled (0).
  const strokes = s.labels.map((v, i) => (i % 23 === 0 ? v : 0));
  const painted = strokes.reduce((n, v) => n + (v > 0 ? 1 : 0), 0);
  assert.ok(painted < 500, `${painted} painted pixels`);
  const model = fitClassifier([{ ...s, labels: strokes }], { seed: 3, labels: "sparse" });
  assert.deepEqual(model.classes, [1, 2], "0 is not a class");
  const test = twoClassImage(96, 96, 99);
  const acc = accuracy(classify(compileForest(model), model, test.image, test.h, test.w), test.labels);
  assert.ok(acc >= 0.9, `accuracy ${acc}`);
  // The same strokes read as dense make 0 a third class.
  assert.deepEqual(fitClassifier([{ ...s, labels: strokes }], { seed: 3 }).classes, [0, 1, 2]);
});

test("dense 0/1 masks (what Image2Segmentation algorithms output) train over the API as they are and segment a new image", async () => {
  const { mask, labels } = await trainThenSegment(binary);
  assert.deepEqual([...new Set(mask)].sort(), [0, 1], "the output uses the targets' class values");
  assert.ok(accuracy(mask, binary(labels)) >= 0.9, `accuracy ${accuracy(mask, binary(labels))}`);
});


test("the compiled forest predicts exactly what ml-random-forest predicts", async () => {
  const model = fitClassifier([twoClassImage(48, 48, 4)], { seed: 5, nEstimators: 9 });
  const test = twoClassImage(40, 40, 8);
  const { data, count } = pixelFeatures(test.image, 40, 40, model.sigmas);
  const rows = Array.from({ length: 40 * 40 }, (_, i) => Array.from(data.subarray(i * count, (i + 1) * count)));
  assert.deepEqual([...classify(compileForest(model), model, test.image, 40, 40)], loadForest(model).predict(rows));
});

test("features of the image being labelled are computed once: the same pixels hit the cache, a changed pixel does not", () => {
  const { image } = twoClassImage(32, 24, 2);
  const first = cachedPixelFeatures(image, 32, 24, [1, 2]);
  assert.deepEqual(first, pixelFeatures(image, 32, 24, [1, 2]));
  assert.equal(cachedPixelFeatures(image.slice(), 32, 24, [1, 2]).data, first.data, "equal pixels in another array: a hit");
  assert.notEqual(cachedPixelFeatures(image, 32, 24, [1, 3]).data, first.data, "other sigmas: computed");
  const changed = image.slice();
  changed[100] = changed[100]! + 0.5;
  assert.notEqual(cachedPixelFeatures(changed, 32, 24, [1, 3]).data[100 * 7], image[100], "a changed pixel: computed anew");
});

test("the Gaussian blur is a normalised, mirrored-border filter (a constant image stays constant, an impulse spreads symmetrically)", () => {
  const flat = gaussianBlur(new Float32Array(15 * 11).fill(3), 15, 11, 2);
  for (const v of flat) assert.ok(Math.abs(v - 3) < 1e-5, String(v));
  const impulse = new Float32Array(21 * 21);
  impulse[10 * 21 + 10] = 1;
  const out = gaussianBlur(impulse, 21, 21, 1.5);
  assert.ok(Math.abs(out.reduce((a, b) => a + b, 0) - 1) < 1e-5);
  for (let d = 1; d <= 5; d++) {
    assert.ok(Math.abs(out[10 * 21 + 10 - d]! - out[10 * 21 + 10 + d]!) < 1e-7);
    assert.ok(Math.abs(out[(10 - d) * 21 + 10]! - out[10 * 21 + 10 + d]!) < 1e-7);
  }
});
