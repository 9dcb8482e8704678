import assert from "node:assert/strict";
import fs from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import type { NDArray } from "../../src-main/contract/ndarray.js";
import { testEngine, waitForEnd } from "../../src-main/engine/testing/test-engine.js";
import { thresholdLocal } from "../threshold_segmentation/helpers/local-threshold.js";
import { globalThreshold, ImageStats, METHODS } from "../threshold_segmentation/helpers/thresholds.js";
import { wasmThresholdsAvailable } from "../threshold_segmentation/helpers/thresholds-wasm.js";
import { fixtures, noisyImage, reference } from "./reference.js";

const folder = fileURLToPath(new URL("../threshold_segmentation", import.meta.url));
const SKIMAGE_DATA = "/usr/lib/python3/dist-packages/skimage/data";

/** Test images: real samples when python3-skimage ships them, else committed copies. */
async function images(): Promise<[string, NDArray][]> {
  const grey = async (name: string) => {
    const file = fs.existsSync(`${SKIMAGE_DATA}/${name}`) ? `${SKIMAGE_DATA}/${name}` : `${fixtures}${name}`;
    const { data, info } = await sharp(file).toColourspace("b-w").raw().toBuffer({ resolveWithObject: true });
    return { dtype: "uint8", shape: [info.height, info.width], data: new Uint8Array(data) } as NDArray;
  };
  const float = noisyImage(90, 110, 3);
  const u16 = Uint16Array.from(noisyImage(70, 60, 5), (v) => Math.round(v * 4000));
  return [
    ["camera", await grey("camera.png")],
    ["coins", await grey("coins.png")],
    ["float32", { dtype: "float32", shape: [90, 110], data: float }],
    ["uint16", { dtype: "uint16", shape: [70, 60], data: u16 }],
  ];
}

const GLOBAL = METHODS.filter((m) => m !== "local");

test("every global threshold equals scikit-image's (≤ 1e-6 relative), on the WebAssembly and the JavaScript paths", async () => {
  for (const [name, img] of await images()) {
    const ref = await reference(`thresholds-${name}`, "thresholds", img, { methods: GLOBAL });
    for (const [method, engine] of GLOBAL.flatMap((m) => [[m, "wasm"], [m, "js"]] as const)) {
      const expected = Number((ref[method]?.data as Float64Array)[0]);
      const run = () => globalThreshold(method, img.data as ArrayLike<number>, !img.dtype.startsWith("float"), img.dtype === "float32", engine);
      if (Number.isNaN(expected)) {
        assert.throws(run, /two maxima/, `${name} ${method}: scikit-image fails here, so must we`);
        continue;
      }
      const ours = run();
      assert.ok(Math.abs(ours - expected) <= 1e-6 * Math.max(1, Math.abs(expected)), `${name} ${method} (${engine}): ours ${ours}, skimage ${expected}`);
    }
  }
});

test("the WebAssembly passes equal the JavaScript ones: counts, range, and masks at awkward thresholds", async () => {
  assert.equal(wasmThresholdsAvailable(), true);
  const n = 1000 + 13; // not a multiple of any vector width
  const u8 = Uint8Array.from({ length: n }, (_, i) => (i * 37) % 251);
  const u16 = Uint16Array.from({ length: n }, (_, i) => (i * 7919) % 65521);
  const f32 = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 3);
  f32[5] = NaN;
  f32[6] = 0.1; // 0.1 is not a float32: x > 0.1 must hold for fround(0.1) exactly as in float64
  for (const image of [u8, u16, f32]) {
    const integer = !(image instanceof Float32Array);
    const fast = new ImageStats(image, integer, !integer);
    const slow = new ImageStats(image, integer, !integer, "js");
    assert.deepEqual(fast.range(), slow.range());
    assert.deepEqual(fast.histogram(), slow.histogram());
    assert.equal(fast.mean(), integer ? slow.mean() : fast.mean());
    const [lo, hi] = slow.range();
    for (const t of [-1, lo, lo + 0.5, 0.1, (lo + hi) / 2, hi - 0.25, hi, 70000, NaN]) {
      const a = new Uint8Array(n);
      const b = new Uint8Array(n);
      fast.maskAbove(t, a);
      slow.maskAbove(t, b);
      assert.deepEqual(a, b, `${image.constructor.name} t=${t}`);
    }
  }
});

test("the local threshold equals scikit-image's threshold_local (gaussian)", async () => {
  for (const [name, img] of (await images()).slice(1, 3)) {
    const ref = await reference(`local-${name}`, "thresholds", img, { methods: ["local"], block_size: 35, offset: 0.01 });
    const ours = thresholdLocal(img.data as ArrayLike<number>, img.shape[0]!, img.shape[1]!, 35, 0.01);
    const theirs = ref.local?.data as Float64Array;
    let worst = 0;
    for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i]! - Number(theirs[i])) / Math.max(1, Math.abs(Number(theirs[i]))));
    assert.ok(worst <= 1e-6, `${name}: ${worst}`);
  }
});

test("the bundled algorithm writes mask = image > threshold for each input", async () => {
  await using t = await testEngine();
  const { algorithm_id } = await t.engine.deploy(folder);
  const [, camera] = (await images())[0] as [string, NDArray];
  const input = await t.engine.createDataset({ image: camera });
  const rec = await waitForEnd(t.engine, (await t.engine.execute({ algorithm_id, input_dataset_ids: [input.file_id, input.file_id], additional_parameters: { thresholding_algorithm: "otsu" } })).execution_id);
  assert.equal(rec.status, "COMPLETED", rec.log);
  const threshold = Number(/otsu threshold (\S+)/.exec(rec.log)?.[1]);
  const mask = (await t.engine.readDataset(rec.output_dataset_ids[0] ?? "")).mask as NDArray;
  assert.deepEqual(mask.shape, camera.shape);
  const data = camera.data as Uint8Array;
  assert.ok((mask.data as Uint8Array).every((m, i) => m === (data[i]! > threshold ? 1 : 0)));
  await assert.rejects(() => t.engine.execute({ algorithm_id, input_dataset_ids: [input.file_id], additional_parameters: { thresholding_algorithm: "magic" } }), /must be one of \["otsu","yen"/);
});
