import assert from "node:assert/strict";
import { test } from "node:test";
import { stackProblem } from "./input-shapes.js";

const img = (dtype: string, ...shape: number[]) => ({ image: { dtype, shape } });

test("inputs of one dtype and shape stack; the first that differs is named, counted from 1", () => {
  assert.equal(stackProblem("Image2Image", [img("uint8", 64, 64), img("uint8", 64, 64)]), undefined);
  assert.match(stackProblem("Image2Image", [img("uint8", 64, 64), img("uint8", 64, 64), img("float32", 64, 64)]) ?? "", /^input 3 is float32 \[64, 64\] but input 1 is uint8 \[64, 64\]: Image2Image stacks its inputs/);
  assert.match(stackProblem("Image2Segmentation", [img("uint8", 64, 64), img("uint8", 32, 64)]) ?? "", /^input 2 is uint8 \[32, 64\]/);
  assert.match(stackProblem("Segmentation2Segmentation", [img("uint8", 4, 4)]) ?? "", /input 1 has no "mask" dataset/);
  assert.equal(stackProblem("Generic", [img("uint8", 1), img("float32", 2, 2)]), undefined, "Generic does not stack");
});
