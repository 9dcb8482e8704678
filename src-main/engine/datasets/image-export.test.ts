import assert from "node:assert/strict";
import { test } from "node:test";
import sharp from "sharp";
import { CompoxError } from "../../contract/errors.js";
import type { NDArray } from "../../contract/ndarray.js";
import { exportPng, exportTiff, pickKey, planeOf, previewPng, stretch } from "./image-export.js";

const u16: NDArray = { dtype: "uint16", shape: [2, 3, 4], data: new Uint16Array(24).map((_, i) => i * 1000) };

test("stretch maps min..max to 0..255", () => {
  assert.deepEqual([...stretch(Float64Array.from([2, 4, 6]))], [0, 128, 255]);
  assert.deepEqual([...stretch(Float64Array.from([0, 0]))], [0, 0]);
  assert.deepEqual([...stretch(Float64Array.from([5, 5]))], [255, 255]);
});

test("planes: stacks by slice, 3×H×W as colour, bad slices refused", () => {
  assert.deepEqual([...planeOf(u16, 1).values.slice(0, 2)], [12000, 13000]);
  const rgb = planeOf({ dtype: "uint8", shape: [3, 1, 2], data: new Uint8Array([1, 2, 3, 4, 5, 6]) });
  assert.deepEqual([rgb.channels, ...rgb.values], [3, 1, 3, 5, 2, 4, 6]);
  assert.throws(() => planeOf(u16, 2), (e: CompoxError) => /slice 2 is out of range/.test(e.message));
});

test("pickKey prefers image-like keys and names what exists", () => {
  assert.equal(pickKey({ features: u16, mask: u16 }), "mask");
  assert.throws(() => pickKey({ image: u16 }, "nope"), /has no key "nope"; it has image/);
});

test("preview is a PNG no larger than max_size; exports keep 16-bit depth", async () => {
  const big: NDArray = { dtype: "float32", shape: [300, 600], data: new Float32Array(180000).map((_, i) => i) };
  const meta = await sharp(await previewPng(big, { maxSize: 128 })).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height], ["png", 128, 64]);
  const png = await sharp(await exportPng(u16, 1)).metadata();
  assert.deepEqual([png.depth, png.width, png.height], ["ushort", 4, 3]);
  const tif = await sharp(exportTiff(u16)).metadata();
  assert.deepEqual([tif.pages, tif.depth], [2, "ushort"]);
});
