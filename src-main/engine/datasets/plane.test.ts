import assert from "node:assert/strict";
import { test } from "node:test";
import { cropPlane, reducePlane } from "./plane.js";

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

test("a region of a plane is cut out, clipped to the plane", () => {
  const values = Array.from({ length: 4 * 5 }, (_, i) => i);
  const inner = cropPlane(values, 4, 5, { x: 1, y: 2, w: 3, h: 2 });
  assert.deepEqual([inner.region, [...inner.values]], [{ x: 1, y: 2, w: 3, h: 2 }, [11, 12, 13, 16, 17, 18]]);
  const edge = cropPlane(values, 4, 5, { x: 3, y: -2, w: 10, h: 3 });
  assert.deepEqual([edge.region, [...edge.values]], [{ x: 3, y: 0, w: 2, h: 1 }, [3, 4]]);
});
