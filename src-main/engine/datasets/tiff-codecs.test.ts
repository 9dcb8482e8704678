import assert from "node:assert/strict";
import { test } from "node:test";
import { decodePackBits, undoFloatingPoint, undoHorizontal } from "./tiff-codecs.js";

test("the floating-point predictor is undone: planes of bytes, most significant first, differenced per row", () => {
  const width = 5;
  const values = new Float32Array([1.5, -2.25, 3e-8, 1e30, 0, 7, 8.125, -0.5, 42, 1 / 3]); // two rows
  const le = new Uint8Array(values.buffer);
  const encoded = new Uint8Array(le.length);
  for (let r = 0; r < 2; r++) {
    const row = encoded.subarray(r * width * 4, (r + 1) * width * 4);
    for (let v = 0; v < width; v++) for (let b = 0; b < 4; b++) row[b * width + v] = le[r * width * 4 + v * 4 + (3 - b)]!;
    for (let i = row.length - 1; i >= 1; i--) row[i] = (row[i]! - row[i - 1]!) & 0xff;
  }
  assert.deepEqual(new Float32Array(undoFloatingPoint(encoded, width, 1, 4).buffer), values);
});

test("horizontal differencing is undone per sample, wrapping as the integers do", () => {
  const rows = new Uint16Array([10, 65535, 2, 3, 1, 1]); // one row of 3 pixels × 2 samples
  undoHorizontal(new Uint8Array(rows.buffer), 3, 2, 2);
  assert.deepEqual([...rows], [10, 65535, 12, 2, 13, 3]);
});

test("PackBits runs and literals decode, and stop at the expected size", () => {
  const input = new Uint8Array([2, 1, 2, 3, 0xfd, 9, 0x80, 0, 4]);
  assert.deepEqual([...decodePackBits(input, 8)], [1, 2, 3, 9, 9, 9, 9, 4]);
  assert.deepEqual([...decodePackBits(input, 5)], [1, 2, 3, 9, 9]);
});
