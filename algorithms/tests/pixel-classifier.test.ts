import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { testEngine, waitForEnd } from "../../src-main/engine/testing/test-engine.js";
import { classify, fitClassifier, loadForest } from "../pixel_classifier/helpers/classifier.js";
import { twoClassImage } from "./synthetic-two-class.js";

const folder = fileURLToPath(new URL("../pixel_classifier", import.meta.url));

function accuracy(predicted: ArrayLike<number>, truth: ArrayLike<number>): number {
  let ok = 0;
  for (let i = 0; i < truth.length; i++) if (predicted[i] === truth[i]) ok++;
  return ok / truth.length;
}

test("after training, ≥ 95% pixel accuracy on a held-out synthetic two-class image", () => {
  const model = fitClassifier([twoClassImage(96, 96, 11)], { seed: 3 });
  const test = twoClassImage(96, 96, 99);
  const acc = accuracy(classify(loadForest(model), model, test.image, test.h, test.w), test.labels);
  assert.ok(acc >= 0.95, `accuracy ${acc}`);
});

test("training refuses masks with fewer than two classes", () => {
  const one = twoClassImage(32, 32, 1);
  assert.throws(() => fitClassifier([{ ...one, labels: new Uint8Array(32 * 32).fill(1) }]), /at least two classes/);
});

test("the bundled algorithm segments with its shipped model", async () => {
  await using t = testEngine();
  const { algorithm_id } = await t.engine.deploy(folder);
  const sample = twoClassImage(80, 80, 5);
  const input = await t.engine.createDataset({ image: { dtype: "float32", shape: [80, 80], data: sample.image } });
  const rec = await waitForEnd(t.engine, t.engine.execute({ algorithm_id, input_dataset_ids: [input.file_id] }).execution_id, 60000);
  assert.equal(rec.status, "COMPLETED", rec.log);
  const mask = (await t.engine.readDataset(rec.output_dataset_ids[0] ?? "")).mask?.data as Uint8Array;
  assert.ok(accuracy(mask, sample.labels) >= 0.95, `accuracy ${accuracy(mask, sample.labels)}`);
});
