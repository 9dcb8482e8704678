import assert from "node:assert/strict";
import { test } from "node:test";
import { BlockMeans, clipRegion, reducePlane } from "./plane.js";

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

test("block means fed in strips equal the means of the whole plane", () => {
  const h = 37;
  const w = 23;
  const values = Float64Array.from({ length: h * w }, (_, i) => Math.sin(i) * 100);
  const whole = reducePlane(values, h, w, 8, "mean");
  const strips = new BlockMeans(h, w, whole.factor);
  for (let y = 0; y < h; y += whole.factor * 2) {
    const rows = Math.min(whole.factor * 2, h - y);
    strips.add(values.subarray(y * w, (y + rows) * w), y, rows);
  }
  assert.deepEqual(strips.result(), whole);
});

test("a region of a plane is clipped to the plane", () => {
  assert.deepEqual(clipRegion({ x: 1, y: 2, w: 3, h: 2 }, 4, 5), { x: 1, y: 2, w: 3, h: 2 });
  assert.deepEqual(clipRegion({ x: 3, y: -2, w: 10, h: 3 }, 4, 5), { x: 3, y: 0, w: 2, h: 1 });
  assert.deepEqual(clipRegion({ x: 9, y: 0, w: 3, h: 3 }, 4, 5), { x: 5, y: 0, w: 0, h: 3 });
});
