import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import type { NDArray } from "../../src-main/contract/ndarray.js";
import { testEngine, waitForEnd } from "../../src-main/engine/testing/test-engine.js";
import { phaseCrossCorrelation } from "../phase_correlation_registration/helpers/phase-correlation.js";
import { fftThreads, wasmFftAvailable } from "../phase_correlation_registration/helpers/fft-wasm.js";
import os from "node:os";
import { reference } from "./reference.js";

const folder = fileURLToPath(new URL("../phase_correlation_registration", import.meta.url));

/** A smooth synthetic scene (Gaussian blobs) sampled at (x − sx, y − sy): an exact subpixel shift. */
function scene(h: number, w: number, sx: number, sy: number): Float64Array {
  // Small blobs well inside the frame, so shifting does not drag content across the border.
  const blobs = Array.from({ length: 14 }, (_, i) => [0.25 + 0.5 * ((i * 0.618) % 1), 0.25 + 0.5 * ((i * 0.382 + 0.1) % 1), 0.02 + 0.01 * (i % 3), 0.5 + 0.5 * ((i * 0.7) % 1)]);
  const out = new Float64Array(h * w);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let v = 0;
      for (const [cx, cy, s, a] of blobs as [number, number, number, number][]) v += a * Math.exp(-(((x - sx) / w - cx) ** 2 + ((y - sy) / h - cy) ** 2) / (2 * s * s));
      out[y * w + x] = v;
    }
  return out;
}

const SHIFTS: [number, number][] = [[0, 0], [3.25, -1.5], [-7.6, 4.35], [12.1, 9.95]];

const ENGINES = ["wasm", "js"] as const;

test("the WebAssembly FFT kernel is available in this Node", async () => {
  assert.equal(wasmFftAvailable(), true);
});

test("on a machine of 2 or more cores the kernel's transforms run on two threads (the tests below then cover the split)", () => {
  assert.equal(fftThreads(), os.availableParallelism() >= 2 ? 2 : 1);
});

test("recovers known subpixel shifts within 0.05 px (power-of-two and other sizes, both paths)", async () => {
  for (const [h, w] of [[64, 64], [64, 128], [60, 90]] as const) {
    const ref = scene(h, w, 0, 0);
    for (const [sx, sy] of SHIFTS)
      for (const engine of ENGINES) {
        const [dy, dx] = phaseCrossCorrelation(ref, scene(h, w, sx, sy), h, w, 20, engine);
        assert.ok(Math.abs(dx + sx) <= 0.05 && Math.abs(dy + sy) <= 0.05, `${engine} ${h}×${w} shift (${sx}, ${sy}) → (${-dx}, ${-dy})`);
      }
  }
});

test("matches scikit-image's phase_cross_correlation on both paths (the kernel runs power-of-two sizes)", async () => {
  for (const [name, h, w] of [["registration", 48, 72], ["registration-64x128", 64, 128]] as const) {
    const stack = new Float64Array(SHIFTS.length * h * w);
    SHIFTS.forEach(([sx, sy], k) => stack.set(scene(h, w, sx, sy), k * h * w));
    const img: NDArray = { dtype: "float64", shape: [SHIFTS.length, h, w], data: stack };
    const ref = await reference(name, "registration", img, { upsample_factor: 20 });
    const theirs = ref.out?.data as Float64Array;
    for (let k = 1; k < SHIFTS.length; k++)
      for (const engine of ENGINES) {
        const [dy, dx] = phaseCrossCorrelation(stack.subarray((k - 1) * h * w, k * h * w), stack.subarray(k * h * w, (k + 1) * h * w), h, w, 20, engine);
        assert.ok(Math.abs(dy - theirs[2 * (k - 1)]!) < 1e-9 && Math.abs(dx - theirs[2 * (k - 1) + 1]!) < 1e-9, `${name} ${engine} pair ${k}: ours (${dy}, ${dx}), skimage (${theirs[2 * (k - 1)]}, ${theirs[2 * (k - 1) + 1]})`);
      }
  }
});

test("the kernel's transforms equal the JavaScript FFT's on a power-of-two image", async () => {
  // Integer-pixel peaks of unrelated noise images are a sharp test of the whole spectrum.
  for (const seed of [1, 2, 3]) {
    const a = Float64Array.from({ length: 128 * 64 }, (_, i) => Math.sin(i * 0.37 * seed) + ((i * 7919 * seed) % 13) / 13);
    const b = Float64Array.from({ length: 128 * 64 }, (_, i) => a[(i + 64 * 5 + 3) % a.length]!);
    assert.deepEqual(phaseCrossCorrelation(a, b, 128, 64, 1, "wasm"), phaseCrossCorrelation(a, b, 128, 64, 1, "js"));
    assert.deepEqual(phaseCrossCorrelation(a, b, 128, 64, 10, "wasm"), phaseCrossCorrelation(a, b, 128, 64, 10, "js"));
  }
});

test("the bundled algorithm returns N−1 translation homographies", async () => {
  await using t = await testEngine();
  const { algorithm_id } = await t.engine.deploy(folder);
  const ids = [];
  for (const [sx, sy] of SHIFTS.slice(0, 3)) ids.push((await t.engine.createDataset({ image: { dtype: "float32", shape: [64, 64], data: Float32Array.from(scene(64, 64, sx, sy)) } })).file_id);
  const rec = await waitForEnd(t.engine, (await t.engine.execute({ algorithm_id, input_dataset_ids: ids })).execution_id);
  assert.equal(rec.status, "COMPLETED", rec.log);
  assert.equal(rec.output_dataset_ids.length, 2);
  const m = (await t.engine.readDataset(rec.output_dataset_ids[1] ?? "")).transform_matrix?.data as Float64Array;
  // Image 3 is shifted by (−7.6, 4.35) from origin, image 2 by (3.25, −1.5): mapping 3 onto 2 moves by (10.85, −5.85).
  assert.ok(Math.abs(m[2]! - 10.85) <= 0.05 && Math.abs(m[5]! + 5.85) <= 0.05, `${[...m]}`);
  assert.deepEqual([m[0], m[1], m[3], m[4], m[6], m[7], m[8]], [1, 0, 0, 1, 0, 0, 1]);
});
