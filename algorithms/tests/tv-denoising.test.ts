import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { testEngine, waitForEnd } from "../../src-main/engine/testing/test-engine.js";
import { denoiseTvChambolle } from "../tv_denoising/helpers/chambolle.js";
import { minMaxScale, minMaxScaleInPlace } from "../tv_denoising/helpers/normalize.js";
import { wasmTvAvailable } from "../tv_denoising/helpers/tv-wasm.js";
import { noisyImage, reference } from "./reference.js";

const folder = fileURLToPath(new URL("../tv_denoising", import.meta.url));

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

// Every path is held to scikit-image: the WebAssembly kernel on one thread and on several bands
// (threads), and the JavaScript fallback.
const PATHS = [
  { name: "wasm", opts: { engine: "wasm" as const } },
  { name: "wasm, 3 threads", opts: { engine: "wasm" as const, threads: 3 } },
  { name: "js", opts: { engine: "js" as const } },
];

test("the WebAssembly SIMD kernel is available in this Node", async () => {
  assert.equal(wasmTvAvailable(), true);
});

test("2-D TV matches scikit-image's denoise_tv_chambolle within 1e-4 on every path", async () => {
  // 300×260 is large enough to run on several threads.
  for (const [h, w, weight] of [[64, 80, 0.1], [33, 47, 0.3], [300, 260, 0.1]] as const) {
    const image = noisyImage(h, w, h);
    const ref = await reference(`tv2d-${h}x${w}`, "tv", { dtype: "float32", shape: [h, w], data: image }, { weight });
    for (const { name, opts } of PATHS) {
      const ours = denoiseTvChambolle(image, [h, w], { weight, ...opts });
      const diff = maxAbsDiff(ours, ref.out?.data as Float32Array);
      assert.ok(diff <= 1e-4, `${name} ${h}×${w}: ${diff}`);
      assert.ok(maxAbsDiff(ours, image) > 0.01, "it actually denoised");
    }
  }
});

test("3-D TV matches scikit-image within 1e-4 on every path", async () => {
  const image = noisyImage(6 * 20, 24, 7);
  const ref = await reference("tv3d", "tv", { dtype: "float32", shape: [6, 20, 24], data: image }, { weight: 0.15, max_num_iter: 50 });
  for (const { name, opts } of PATHS) {
    const ours = denoiseTvChambolle(image, [6, 20, 24], { weight: 0.15, maxNumIter: 50, ...opts });
    assert.ok(maxAbsDiff(ours, ref.out?.data as Float32Array) <= 1e-4, name);
  }
});

test("the kernel's bands agree with one thread, lean mode with full mode, and a pool serves calls of other sizes", async () => {
  const volume = noisyImage(16 * 40, 36, 11);
  const one = denoiseTvChambolle(volume, [16, 40, 36], { weight: 0.1, maxNumIter: 30, engine: "wasm", threads: 1 });
  const four = denoiseTvChambolle(volume, [16, 40, 36], { weight: 0.1, maxNumIter: 30, engine: "wasm", threads: 4 });
  assert.ok(maxAbsDiff(one, four) <= 1e-6, `${maxAbsDiff(one, four)}`);
  // Lean (two passes, rolling slabs) and full (one fused pass) compute the same iterations, both
  // when the energy test stops them and when max_num_iter does.
  for (const [eps, maxNumIter] of [[2e-4, 200], [0, 7]] as const)
    for (const threads of [1, 3]) {
      const lean = denoiseTvChambolle(volume, [16, 40, 36], { weight: 0.1, eps, maxNumIter, engine: "wasm", threads, mode: "lean" });
      const full = denoiseTvChambolle(volume, [16, 40, 36], { weight: 0.1, eps, maxNumIter, engine: "wasm", threads, mode: "full" });
      assert.equal(maxAbsDiff(lean, full), 0, `eps ${eps}, ${threads} thread(s)`);
    }
  // A smaller image after a larger one reuses the grown memory; the layout must not leak values.
  const small = noisyImage(9, 13, 2);
  assert.ok(maxAbsDiff(denoiseTvChambolle(small, [9, 13], { weight: 0.2, engine: "wasm" }), denoiseTvChambolle(small, [9, 13], { weight: 0.2, engine: "js" })) <= 1e-5);
});

test("scaling fused into the kernel's copies gives the bits of scaling in JavaScript before and after, 2-D and 3-D", () => {
  const cases: [Float32Array, number[]][] = [
    [Float32Array.from(noisyImage(37, 53, 2), (v) => v * 700 - 120), [37, 53]],
    [Float32Array.from(noisyImage(6 * 20, 18, 3), (v) => v * 3 + 1e-3), [6, 20, 18]],
    [new Float32Array(8 * 9).fill(4), [8, 9]],
  ];
  for (const [image, shape] of cases) {
    const opts = { weight: 0.1, eps: 0, maxNumIter: 6 };
    const fused = denoiseTvChambolle(image, shape, { ...opts, scale01: true });
    const apart = minMaxScaleInPlace(Float32Array.from(denoiseTvChambolle(minMaxScale(image), shape, opts)));
    assert.deepEqual(fused, apart, `shape ${shape.join("×")}`);
    const js = { ...opts, engine: "js" as const };
    assert.deepEqual(denoiseTvChambolle(image, shape, { ...js, scale01: true }), minMaxScaleInPlace(denoiseTvChambolle(minMaxScale(image), shape, js)), `JavaScript path, shape ${shape.join("×")}`);
  }
});

test("a throwing onIteration stops the WebAssembly path, and the next call still runs", async () => {
  const image = noisyImage(64, 64, 3);
  assert.throws(() => denoiseTvChambolle(image, [64, 64], { weight: 0.1, engine: "wasm", threads: 2, onIteration: (i) => { if (i === 2) throw new Error("stop"); } }), /stop/);
  assert.ok(maxAbsDiff(denoiseTvChambolle(image, [64, 64], { weight: 0.1, engine: "wasm", threads: 2 }), denoiseTvChambolle(image, [64, 64], { weight: 0.1, engine: "js" })) <= 1e-5);
});

test("the bundled algorithm runs: Compox normalization before and after, float32 out, progress per image", async () => {
  await using t = await testEngine();
  const { algorithm_id } = await t.engine.deploy(folder);
  const ids = await t.images(3, 16, 16);
  const rec = await waitForEnd(t.engine, (await t.engine.execute({ algorithm_id, input_dataset_ids: ids, additional_parameters: { denoising_weight: 0.2 } })).execution_id);
  assert.equal(rec.status, "COMPLETED", rec.log);
  assert.equal((rec.log.match(/image \d of 3 denoised/g) ?? []).length, 3);
  const outs = await Promise.all(rec.output_dataset_ids.map((id) => t.engine.readDataset(id)));
  const all = outs.flatMap((o) => [...(o.image?.data as Float32Array)]);
  assert.equal(outs[0]?.image?.dtype, "float32");
  assert.equal(Math.min(...all), 0);
  assert.equal(Math.max(...all), 1);
});

test("Stop ends a running stack within an iteration, and one large image reports progress as it goes", async () => {
  await using t = await testEngine();
  const { algorithm_id } = await t.engine.deploy(folder);
  const ids = await t.images(8, 1024, 1024);
  const params = { denoising_weight: 0.1, max_num_iter: 400, eps: 0.00001 };
  const id = (await t.engine.execute({ algorithm_id, input_dataset_ids: ids, additional_parameters: params })).execution_id;
  // Progress moves inside the first image, before any image is done.
  for (let tries = 0; (await t.engine.getExecution(id)).progress === 0; tries++) {
    assert.ok(tries < 600, "no progress within 30 s");
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok((await t.engine.getExecution(id)).progress < 1 / 8, `progress ${(await t.engine.getExecution(id)).progress}`);
  const asked = Date.now();
  await t.engine.stopExecution(id);
  const rec = await waitForEnd(t.engine, id, 10000);
  assert.equal(rec.status, "STOPPED", rec.log);
  assert.doesNotMatch(rec.log, /killed/);
  assert.doesNotMatch(rec.log, /image 8 of 8 denoised/);
  assert.ok(Date.now() - asked < 1000, `STOPPED after ${Date.now() - asked} ms`);
});
