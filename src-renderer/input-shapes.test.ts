import assert from "node:assert/strict";
import { test } from "node:test";
import { commonPlaneKey, pageGroups, stackProblem } from "./input-shapes.js";

const img = (dtype: string, ...shape: number[]) => ({ image: { dtype, shape } });

test("inputs of one dtype and shape stack; the first that differs is named, counted from 1", () => {
  assert.equal(stackProblem("Image2Image", [img("uint8", 64, 64), img("uint8", 64, 64)]), undefined);
  assert.match(stackProblem("Image2Image", [img("uint8", 64, 64), img("uint8", 64, 64), img("float32", 64, 64)]) ?? "", /^input 3 is float32 \[64, 64\] but input 1 is uint8 \[64, 64\]: Image2Image stacks its inputs/);
  assert.match(stackProblem("Image2Segmentation", [img("uint8", 64, 64), img("uint8", 32, 64)]) ?? "", /^input 2 is uint8 \[32, 64\]/);
  assert.match(stackProblem("Segmentation2Segmentation", [img("uint8", 4, 4)]) ?? "", /input 1 has no "mask" dataset/);
  assert.equal(stackProblem("Generic", [img("uint8", 1), img("float32", 2, 2)]), undefined, "Generic does not stack");
});

test("the pages of one file, in order, are one group; anything else stands alone", () => {
  assert.deepEqual(pageGroups(["a.tif [1]", "a.tif [2]", "a.tif [3]", "coins.png", "b.tif [1]", "b.tif [2]"]), [[0, 1, 2], [3], [4, 5]]);
  assert.deepEqual(pageGroups(["a.tif [2]", "a.tif [3]"]), [[0], [1]], "a run that does not start at page 1 is not a file's pages");
  assert.deepEqual(pageGroups(["a.tif [1]", "a.tif [3]", null]), [[0], [1], [2]]);
  assert.deepEqual(pageGroups(["a.tif [1]", "a.tif [2]", "a.tif [1]", "a.tif [2]"]), [[0, 1], [2, 3]], "the same file added twice is two stacks");
});

test("datasets show as one stack only when they share a 2-D key of one dtype and shape", () => {
  assert.equal(commonPlaneKey([img("uint8", 8, 8), img("uint8", 8, 8)]), "image");
  assert.equal(commonPlaneKey([img("uint8", 8, 8), img("uint16", 8, 8)]), undefined);
  assert.equal(commonPlaneKey([img("uint8", 3, 8, 8), img("uint8", 3, 8, 8)]), undefined, "colour images are not planes of a stack");
  assert.equal(commonPlaneKey([{ mask: { dtype: "uint8", shape: [4, 4] } }, { mask: { dtype: "uint8", shape: [4, 4] } }]), "mask");
  assert.equal(commonPlaneKey([img("uint8", 8, 8), undefined]), undefined);
});
