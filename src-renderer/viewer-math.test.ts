import assert from "node:assert/strict";
import { test } from "node:test";
import { colormapLut, fitView, formatValue, gammaLut, histogram, labelCounts, percentileRange, pixelAt, renderLabels, renderPlane, scaleBar, formatLength, valueRange, zoomAt } from "./viewer-math.js";

test("colour maps: grey is the identity, the others run from their dark end to their light end", () => {
  const grey = colormapLut("grey");
  assert.deepEqual([...grey.subarray(3 * 200, 3 * 200 + 3)], [200, 200, 200]);
  const viridis = colormapLut("viridis");
  assert.deepEqual([...viridis.subarray(0, 3)], [68, 1, 84]);
  assert.deepEqual([...viridis.subarray(765, 768)], [253, 231, 37]);
  const luminance = (lut: Uint8Array, i: number) => 0.2126 * lut[3 * i]! + 0.7152 * lut[3 * i + 1]! + 0.0722 * lut[3 * i + 2]!;
  for (const name of ["viridis", "magma", "inferno", "cividis"] as const) {
    const lut = colormapLut(name);
    for (let i = 32; i < 256; i += 32) assert.ok(luminance(lut, i) > luminance(lut, i - 32), `${name} brightens along the map at ${i}`);
  }
});

test("contrast: percentiles and range ignore NaN; a plane maps [black, white] onto the map, clamped, NaN transparent", () => {
  const values = Float32Array.from({ length: 1001 }, (_, i) => i);
  values[7] = NaN;
  assert.deepEqual(percentileRange(values, 0, 100), [0, 1000]);
  const [lo, hi] = percentileRange(values, 10, 90);
  assert.ok(Math.abs(lo - 100) <= 1 && Math.abs(hi - 900) <= 1, `${lo} ${hi}`);
  assert.deepEqual(valueRange(values), [0, 1000]);
  const rgba = renderPlane([0, 5, 10, NaN, -3, 20], 0, 6, 0, 10, colormapLut("grey"));
  assert.deepEqual([...rgba], [0, 0, 0, 255, 128, 128, 128, 255, 255, 255, 255, 255, 0, 0, 0, 0, 0, 0, 0, 255, 255, 255, 255, 255]);
  // A plane further into a stack starts at its offset.
  assert.deepEqual([...renderPlane([1, 2, 3, 4], 2, 2, 3, 4, colormapLut("grey"))], [0, 0, 0, 255, 255, 255, 255, 255]);
});

test("zoom and pan: fit centres the image; zooming keeps the point under the cursor; the readout finds the pixel", () => {
  const fit = fitView(200, 100, 400, 400);
  assert.deepEqual(fit, { scale: 2, x: 0, y: 100 });
  const zoomed = zoomAt(fit, 4, 150, 180);
  const before = pixelAt(fit, 150, 180, 200, 100);
  assert.deepEqual(pixelAt(zoomed, 150, 180, 200, 100), before);
  assert.equal(zoomed.scale, 8);
  assert.equal(pixelAt(fit, 5, 50, 200, 100), undefined, "outside the image");
  assert.deepEqual(pixelAt({ scale: 1, x: 0, y: 0 }, 3.5, 9.9, 200, 100), { col: 3, row: 9 });
  assert.equal(zoomAt(fit, 1e9, 0, 0).scale, 64, "zoom is bounded");
});

test("the readout prints integers as they are and floats to 4 significant digits", () => {
  assert.equal(formatValue(118), "118");
  assert.equal(formatValue(0.123456), "0.1235");
  assert.equal(formatValue(1234567.5), "1.235e+6");
  assert.equal(formatValue(0.00001234), "1.234e-5");
});

test("labels: counts per non-zero value; shown labels drawn in their colours, outlines keep the border pixels", () => {
  // A 5×5 plane (after a 3-value offset): a 3×3 square of 2 with one 7 in a corner.
  const plane = [9, 9, 9, ...Array.from({ length: 25 }, (_, i) => (i % 5 >= 1 && i % 5 <= 3 && i >= 5 && i < 20 ? 2 : 0))];
  plane[3 + 24] = 7;
  assert.deepEqual([...labelCounts(plane, 3, 25)], [[2, 9], [7, 1]]);
  const colours = new Map<number, [number, number, number]>([[2, [255, 0, 0]]]);
  const alpha = (rgba: Uint8ClampedArray) => [...rgba].filter((_, i) => i % 4 === 3).map((a) => (a ? 1 : 0));
  const filled = renderLabels(plane, 3, 5, 5, colours, false);
  assert.deepEqual(alpha(filled), [0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0], "7 is hidden: it has no colour");
  assert.deepEqual([...filled.subarray(4 * 6, 4 * 6 + 4)], [255, 0, 0, 255]);
  const outline = renderLabels(plane, 3, 5, 5, colours, true);
  assert.deepEqual(alpha(outline), [0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 1, 0, 1, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0], "the centre of the square is inside");
});

test("histogram: equal bins over [lo, hi], the top value in the last bin, NaN and values outside left out; gamma remaps the grey level before the colour map", () => {
  assert.deepEqual([...histogram([0, 1, 2, 3, 4, NaN, 9, -1], 2, 0, 4)], [2, 3]);
  assert.deepEqual([...histogram([5, 5], 3, 5, 5)], [2, 0, 0], "a flat plane: one bin");
  const grey = colormapLut("grey");
  assert.equal(gammaLut(grey, 1), grey, "gamma 1 is the map itself");
  const bright = gammaLut(grey, 0.5);
  assert.deepEqual([bright[0], bright[3 * 64], bright[3 * 255]], [0, Math.round(255 * Math.sqrt(64 / 255)), 255]);
});

test("scale bar: a round physical length (1, 2 or 5 × 10ⁿ) near the target width, in screen pixels at the zoom", () => {
  assert.deepEqual(scaleBar(0.65, 1), { length: 50, px: 50 / 0.65 }, "0.65 µm pixels at 100%: 100 px ≈ 65 µm → 50 µm");
  assert.deepEqual(scaleBar(0.65, 4), { length: 20, px: (20 / 0.65) * 4 }, "zoomed in 4×: 100 px ≈ 16 µm → 20 µm");
  const far = scaleBar(120, 1 / 8);
  assert.equal(far.length, 100000, "120 nm pixels at 1:8: 100 px ≈ 96 µm → 100,000 nm");
  assert.ok(far.px > 50 && far.px < 200);
});

test("lengths are shown in the unit that needs no long number", () => {
  assert.equal(formatLength(100000, "nm"), "100 µm");
  assert.equal(formatLength(0.5, "µm"), "500 nm");
  assert.equal(formatLength(2000, "µm"), "2 mm");
  assert.equal(formatLength(20, "µm"), "20 µm");
  assert.equal(formatLength(3, "Å"), "3 Å", "a unit outside the metric ladder stays");
});
