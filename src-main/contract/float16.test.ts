import assert from "node:assert/strict";
import { test } from "node:test";
import { floatToHalf, halfToFloat } from "./float16.js";

test("every half value round-trips through a number", () => {
  for (let h = 0; h < 0x10000; h++) {
    const v = halfToFloat(h);
    if (Number.isNaN(v)) assert.ok(Number.isNaN(halfToFloat(floatToHalf(v))));
    else assert.equal(floatToHalf(v), h, `0x${h.toString(16)}`);
  }
});

test("rounding and overflow", () => {
  assert.equal(halfToFloat(floatToHalf(0.1)), 0.0999755859375);
  assert.equal(floatToHalf(1e6), 0x7c00);
  assert.equal(floatToHalf(-1e-10), 0x8000);
  assert.equal(halfToFloat(floatToHalf(1 + 2 ** -11)), 1); // ties to even
});
