import assert from "node:assert/strict";
import { test } from "node:test";
import { reducePlane } from "./plane.js";

test("a plane that fits is sent as it is; a larger one by block means, or every f-th pixel for labels", () => {
  const small = reducePlane([1, 2, 3, 4, 5, 6], 2, 3, 16, "mean");
  assert.deepEqual([small.shape, small.factor, [...small.data]], [[2, 3], 1, [1, 2, 3, 4, 5, 6]]);
  // 3×5 to at most 2 on a side: factor 3, a 1×2 result; the right block has only 2 columns.
  const values = [0, 1, 2, 3, 4, 10, 11, 12, 13, 14, 20, 21, 22, 23, 24];
  const mean = reducePlane(values, 3, 5, 2, "mean");
  assert.deepEqual([mean.shape, mean.factor], [[1, 2], 3]);
  assert.deepEqual([...mean.data], [(0 + 1 + 2 + 10 + 11 + 12 + 20 + 21 + 22) / 9, (3 + 4 + 13 + 14 + 23 + 24) / 6]);
  const nearest = reducePlane(values, 3, 5, 2, "nearest");
  assert.deepEqual([...nearest.data], [0, 3]);
});
