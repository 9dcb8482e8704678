import assert from "node:assert/strict";
import { test } from "node:test";
import { BlockMeans, clipRegion, reductionFactor } from "./plane.js";

test("block means fed in strips equal the means of the whole plane", () => {
  const h = 37;
  const w = 23;
  const values = Float64Array.from({ length: h * w }, (_, i) => Math.sin(i) * 100);
  const factor = reductionFactor(h, w, 8);
  const whole = new BlockMeans(h, w, factor);
  whole.add(values, 0, h);
  const strips = new BlockMeans(h, w, factor);
  for (let y = 0; y < h; y += factor * 2) {
    const rows = Math.min(factor * 2, h - y);
    strips.add(values.subarray(y * w, (y + rows) * w), y, rows);
  }
  assert.deepEqual(strips.result(), whole.result());
});

test("a region of a plane is clipped to the plane", () => {
  assert.deepEqual(clipRegion({ x: 1, y: 2, w: 3, h: 2 }, 4, 5), { x: 1, y: 2, w: 3, h: 2 });
  assert.deepEqual(clipRegion({ x: 3, y: -2, w: 10, h: 3 }, 4, 5), { x: 3, y: 0, w: 2, h: 1 });
  assert.deepEqual(clipRegion({ x: 9, y: 0, w: 3, h: 3 }, 4, 5), { x: 5, y: 0, w: 0, h: 3 });
});
