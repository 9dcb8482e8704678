// The pieces of a bioimage.io model run: .npy test tensors, both spec versions read into one form,
// the processing steps, and tiling with a halo that gives what one whole tile gives.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { BIOIMAGEIO_FIXTURE } from "../../testing/bioimageio.js";
import { readDescription, type ModelDescription } from "./description.js";
import { readNpy } from "./npy.js";
import { applyStep } from "./processing.js";
import { predict, tilesAlong, type LoadedModel } from "./predict.js";
import { imageToTensor, tensorToImage } from "./runner.js";
import { reflect, type Tensor } from "./tensor.js";

/** A .npy file as NumPy writes it (version 1 header, padded to 64 bytes). */
function npy(descr: string, shape: number[], body: Uint8Array): Uint8Array {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(", ")}${shape.length === 1 ? "," : ""}), }`;
  header += " ".repeat(64 - ((10 + header.length + 1) % 64)) + "\n";
  const out = new Uint8Array(10 + header.length + body.length);
  out.set([0x93, ...Buffer.from("NUMPY"), 1, 0], 0);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(Buffer.from(header, "latin1"), 10);
  out.set(body, 10 + header.length);
  return out;
}

test(".npy: little- and big-endian floats, unsigned bytes, int64; Fortran order and other dtypes refused by name", () => {
  const le = new Float32Array([1.5, -2, 3.25]);
  assert.deepEqual(readNpy(npy("<f4", [3], new Uint8Array(le.buffer))), { shape: [3], data: le });
  const be = new Uint8Array(8);
  new DataView(be.buffer).setFloat64(0, 0.125, false);
  assert.deepEqual([...readNpy(npy(">f8", [1, 1], be)).data], [0.125]);
  assert.deepEqual([...readNpy(npy("|u1", [2, 2], new Uint8Array([0, 1, 254, 255]))).data], [0, 1, 254, 255]);
  assert.deepEqual([...readNpy(npy("<i8", [2], new Uint8Array(new BigInt64Array([-3n, 7n]).buffer))).data], [-3, 7]);
  assert.throws(() => readNpy(npy("<c8", [1], new Uint8Array(8)), "z.npy"), /z\.npy holds <c8 values/);
  assert.throws(() => readNpy(Buffer.from("not numpy at all")), /not a NumPy \.npy file/);
  const fortran = Buffer.from(npy("<f4", [2, 2], new Uint8Array(16))).toString("latin1").replace("'fortran_order': False", "'fortran_order': True ");
  assert.throws(() => readNpy(Buffer.from(fortran, "latin1")), /Fortran order/);
});

test("spec 0.4 and 0.5 descriptions of the same model read into the same inputs, outputs, halo and steps", { skip: BIOIMAGEIO_FIXTURE.skip }, () => {
  const read = (f: string) => readDescription(fs.readFileSync(path.join(BIOIMAGEIO_FIXTURE.dir, f), "utf8"), f);
  const v05 = read("bioimageio.yaml");
  const v04 = read("v0_4_9.bioimageio.yaml");
  const shape = (d: ModelDescription) => ({
    inputs: d.inputs.map((t) => ({ axes: t.axes.map((a) => [a.id, a.type, a.halo]), steps: t.preprocessing.filter((s) => s.id !== "ensure_dtype").map((s) => s.id), test: t.test.source })),
    outputs: d.outputs.map((t) => ({ axes: t.axes.map((a) => [a.id, a.type, a.halo]), steps: t.postprocessing.filter((s) => s.id !== "ensure_dtype").map((s) => s.id), test: t.test.source })),
    onnx: d.weights.onnx?.source,
    network: d.weights.pytorch_state_dict?.architecture,
  });
  assert.deepEqual(shape(v04), shape(v05));
  assert.deepEqual(v05.weights.pytorch_state_dict?.architecture, { source: "unet2d.py", callable: "UNet2d", kwargs: { input_channels: 1, output_channels: 1 }, sha256: "d00721e7d00f55222e8cbf90019dd85ce9df0ae42fd46a07f0e6ea45729b310d" }, "0.5's architecture and 0.4's \"unet2d.py:UNet2d\" with kwargs beside it");
  assert.deepEqual(v05.inputs[0]!.axes.map((a) => a.id), ["batch", "channel", "y", "x"]);
  assert.equal(v05.outputs[0]!.axes.find((a) => a.id === "x")?.halo, 32);
  assert.deepEqual(v04.inputs[0]!.preprocessing[0]!.kwargs.axes, ["y", "x"], "0.4's axis letters become a list");
  assert.deepEqual([v05.tolerance.mismatchedPerMillion, v04.tolerance.mismatchedPerMillion], [100, 0]);
  assert.equal(v05.name, "UNet 2D Nuclei Broad");
  assert.ok(v05.tags.includes("segmentation") && v05.authors.length === 2 && v05.covers[0] === "cover0.png");
  assert.throws(() => read("invalid_v0_4_0_duplicate_tensor_names.bioimageio.yaml"), /invalid_v0_4_0_duplicate_tensor_names\.bioimageio\.yaml: inputs\/outputs: the tensor name "\w+" is used twice/);
  assert.throws(() => readDescription("type: dataset\nformat_version: 0.5.3\n", "rdf.yaml"), /rdf\.yaml: type: is "dataset": only model descriptions can be run/);
  assert.throws(() => readDescription("type: model\nformat_version: 0.3.0\nname: x\n", "rdf.yaml"), /format_version: is 0\.3\.0: Compox Desktop reads spec 0\.4\.x and 0\.5\.x/);
});

const tensor = (shape: number[], axes: string[], f: (i: number) => number): Tensor => ({ shape, axes, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => f(i)) });

test("processing: statistics over the named axes (per channel), percentiles, fixed values, clip, binarize, sigmoid", () => {
  const t = tensor([1, 2, 2, 2], ["batch", "channel", "y", "x"], (i) => (i < 4 ? i : 10 * i));
  applyStep(t, { id: "zero_mean_unit_variance", kwargs: { axes: ["y", "x"], eps: 0 } });
  for (const c of [0, 1]) {
    const part = t.data.subarray(c * 4, c * 4 + 4);
    assert.ok(Math.abs(part.reduce((a, b) => a + b, 0)) < 1e-5, `channel ${c} has mean 0`);
    assert.ok(Math.abs(part.reduce((a, b) => a + b * b, 0) / 4 - 1) < 1e-5, `channel ${c} has variance 1`);
  }
  const r = tensor([1, 1, 1, 101], ["batch", "channel", "y", "x"], (i) => i);
  applyStep(r, { id: "scale_range", kwargs: { min_percentile: 10, max_percentile: 90, eps: 0 } });
  assert.ok(Math.abs(r.data[10]!) < 1e-6 && Math.abs(r.data[90]! - 1) < 1e-6, "the 10th and 90th percentiles go to 0 and 1");
  const fixed = tensor([1, 2, 1, 1], ["batch", "channel", "y", "x"], () => 5);
  applyStep(fixed, { id: "zero_mean_unit_variance", kwargs: { mode: "fixed", mean: [1, 3], std: [2, 1], eps: 0 } });
  assert.deepEqual([...fixed.data], [2, 2]);
  const s = tensor([4], ["x"], (i) => i - 1.5);
  applyStep(s, { id: "clip", kwargs: { min: -1, max: 1 } });
  assert.deepEqual([...s.data], [-1, -0.5, 0.5, 1]);
  applyStep(s, { id: "binarize", kwargs: { threshold: 0 } });
  assert.deepEqual([...s.data], [0, 0, 1, 1]);
  const g = tensor([1], ["x"], () => 0);
  applyStep(g, { id: "sigmoid", kwargs: {} });
  assert.equal(g.data[0], 0.5);
});

test("processing: scale_mean_variance and scale_range take another tensor's statistics; softmax along the channel axis", () => {
  const ref = tensor([1, 1, 1, 4], ["batch", "channel", "y", "x"], (i) => [10, 20, 30, 40][i]!);
  const refs = (id: string) => (id === "raw" ? ref : undefined);
  const t = tensor([1, 1, 1, 4], ["batch", "channel", "y", "x"], (i) => i);
  applyStep(t, { id: "scale_mean_variance", kwargs: { reference_tensor: "raw", eps: 0 } }, refs);
  const mean = t.data.reduce((a, b) => a + b, 0) / 4;
  const std = Math.sqrt(t.data.reduce((a, b) => a + (b - mean) ** 2, 0) / 4);
  assert.ok(Math.abs(mean - 25) < 1e-4 && Math.abs(std - Math.sqrt(125)) < 1e-4, `the reference's mean 25 and std √125 (got ${mean}, ${std})`);
  const r = tensor([1, 1, 1, 3], ["batch", "channel", "y", "x"], (i) => [10, 25, 40][i]!);
  applyStep(r, { id: "scale_range", kwargs: { reference_tensor: "raw", min_percentile: 0, max_percentile: 100, eps: 0 } }, refs);
  assert.deepEqual([...r.data], [0, 0.5, 1], "the reference's range 10…40 goes to 0…1");
  assert.throws(() => applyStep(r, { id: "scale_range", kwargs: { reference_tensor: "nope" } }, refs), /the reference tensor "nope" is not available/);
  const logits = tensor([1, 2, 1, 2], ["batch", "channel", "y", "x"], (i) => [0, 1, Math.log(3), 1][i]!);
  applyStep(logits, { id: "softmax", kwargs: {} });
  assert.deepEqual([...logits.data].map((v) => Math.round(v * 1e6) / 1e6), [0.25, 0.5, 0.75, 0.5], "each position's channels sum to 1");
});

test("descriptions: a reference to a tensor that does not exist is refused naming the field; 0.5 pixel scales make a size factor", () => {
  const doc = (outputAxis: string, post = "") => `type: model
format_version: 0.5.4
name: m
inputs:
  - id: raw
    axes: [{type: space, id: x, size: {min: 16, step: 8}}]
    test_tensor: {source: a.npy}
outputs:
  - id: out
    axes: [${outputAxis}]
    test_tensor: {source: b.npy}
${post}weights: {}
`;
  const half = readDescription(doc("{type: space, id: x, size: {tensor_id: raw, axis_id: x, offset: -1}, scale: 2}"), "m.yaml");
  assert.deepEqual(half.outputs[0]!.axes[0]!.size, { tensor: "raw", axis: "x", scale: 0.5, offset: -1 });
  assert.throws(() => readDescription(doc("{type: space, id: x, size: {tensor_id: rav, axis_id: x}}"), "m.yaml"), /m\.yaml: outputs\[0\]\.axes\[0\]\.size: refers to axis "x" of tensor "rav", which does not exist/);
  const badRef = doc("{type: space, id: x, size: 16}", "    postprocessing: [{id: scale_mean_variance, kwargs: {reference_tensor: rav}}]\n");
  assert.throws(() => readDescription(badRef, "m.yaml"), /outputs\[0\]\.postprocessing\[0\]\.kwargs\.reference_tensor: "rav" is not a tensor of the model \(raw, out\)/);
  assert.throws(() => readDescription(doc("{type: space, id: x, size: 16}", "    postprocessing: [{id: scale_mean_variance}]\n"), "m.yaml"), /kwargs\.reference_tensor: is missing/);
});

test("images are channels first whatever the model's axis order: a b·y·x·c model gets its channels moved last, and its output back", () => {
  const image = { shape: [2, 3, 4], data: Float32Array.from({ length: 24 }, (_, i) => 100 * Math.floor(i / 12) + 10 * Math.floor((i % 12) / 4) + (i % 4)) };
  const byxc = [{ id: "batch", type: "batch" }, { id: "y", type: "space" }, { id: "x", type: "space" }, { id: "channel", type: "channel", size: 2 }];
  const t = imageToTensor(image, byxc, "image 1");
  assert.deepEqual(t.shape, [1, 3, 4, 2]);
  assert.equal(t.data[(2 * 4 + 3) * 2 + 1], 123, "tensor[0, y=2, x=3, c=1] = image[c=1, y=2, x=3]");
  const back = tensorToImage(t, byxc);
  assert.deepEqual([back.shape, [...(back.data as Float32Array)]], [[2, 3, 4], [...image.data]]);
  const bcyx = [{ id: "batch", type: "batch" }, { id: "channel", type: "channel", size: 1 }, { id: "y", type: "space" }, { id: "x", type: "space" }];
  const plain = { shape: [3, 4], data: new Float32Array(12) };
  assert.equal(imageToTensor(plain, bcyx, "image 1").data, plain.data, "nothing moves: no copy");
  assert.deepEqual(tensorToImage(imageToTensor(plain, bcyx, "image 1"), bcyx).shape, [3, 4], "batch and a single channel dropped");
  assert.throws(() => imageToTensor(image, bcyx, "image 1"), /image 1: the model takes 1 channel\(s\), the image has 2/);
});

test("tiles of a half-size output move by 2 pixels: starts and hand-overs on even pixels, still the halo from each cut edge", () => {
  for (const n of [200, 201, 97]) {
    const tiles = tilesAlong(n, 48, 3, 2);
    let next = 0;
    for (const t of tiles) {
      assert.equal(t.keep[0], next);
      next = t.keep[1];
      assert.ok(t.start % 2 === 0 && (t.keep[0] === 0 || t.keep[0] % 2 === 0), `n=${n}: even starts and hand-overs`);
      if (t.keep[0] > 0) assert.ok(t.keep[0] - t.start >= 3);
      if (t.keep[1] < n) assert.ok(t.start + 48 - t.keep[1] >= 3);
      assert.ok(t.start + 48 <= n + 1, `n=${n}: reaches past the end by less than the alignment`);
    }
    assert.equal(next, n);
  }
});

test("tiles cover an axis exactly once, each kept pixel at least the halo from its tile's cut edges", () => {
  for (const [n, side, halo] of [[1000, 128, 16], [129, 128, 16], [128, 128, 16], [40, 128, 16], [777, 64, 0]] as const) {
    const tiles = tilesAlong(n, side, halo);
    let next = 0;
    for (const t of tiles) {
      assert.equal(t.keep[0], next, `n=${n}: contiguous`);
      next = t.keep[1];
      assert.ok(t.start >= 0 && (n <= side || t.start + side <= n), `n=${n}: the tile lies inside the axis`);
      if (t.keep[0] > 0) assert.ok(t.keep[0] - t.start >= halo, `n=${n}: ${halo} px of context before`);
      if (t.keep[1] < n) assert.ok(t.start + side - t.keep[1] >= halo, `n=${n}: ${halo} px of context after`);
    }
    assert.equal(next, n);
  }
  assert.throws(() => tilesAlong(100, 32, 16), /the tile size must exceed 32/);
});

/** A "model" that averages each pixel's 3×3 neighbourhood (mirrored at its input's edges, as the
 * tiler mirrors the image's): a halo of 1 is all it needs. */
const boxFilter: LoadedModel = {
  async run([t]) {
    const [, , h, w] = t!.shape as [number, number, number, number];
    const at = (y: number, x: number) => t!.data[reflect(y, h) * w + reflect(x, w)]!;
    const out = new Float32Array(h * w);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      let sum = 0;
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) sum += at(y + dy, x + dx);
      out[y * w + x] = sum / 9;
    }
    return [{ data: out, shape: [...t!.shape], axes: t!.axes }];
  },
  async close() {},
};

test("a tiled run with the model's halo gives what one whole tile gives; normalisation is over the whole image", async () => {
  const axes = (halo: number) => [
    { id: "batch", type: "batch" as const, halo: 0 },
    { id: "channel", type: "channel" as const, size: 1, halo: 0 },
    { id: "y", type: "space" as const, size: { min: 8, step: 8 }, halo },
    { id: "x", type: "space" as const, size: { min: 8, step: 8 }, halo },
  ];
  const desc: ModelDescription = {
    file: "rdf.yaml", formatVersion: "0.5.4", name: "box", version: "1", description: "", authors: [], tags: [], covers: [], cite: [], weights: {},
    inputs: [{ id: "raw", axes: axes(0), test: { source: "" }, preprocessing: [{ id: "zero_mean_unit_variance", kwargs: { axes: ["y", "x"] } }], postprocessing: [] }],
    outputs: [{ id: "out", axes: axes(2), test: { source: "" }, preprocessing: [], postprocessing: [] }],
    tolerance: { atol: 0, rtol: 0, mismatchedPerMillion: 0 },
  };
  const image = tensor([1, 1, 70, 90], ["batch", "channel", "y", "x"], (i) => Math.sin(i * 0.37) * 100 + (i % 90));
  let tiles = 0;
  const counting: LoadedModel = { run: (t) => ((tiles += 1), boxFilter.run(t)), close: async () => {} };
  const [whole] = await predict(desc, boxFilter, [image], { tile: 1024 });
  const [tiled] = await predict(desc, counting, [image], { tile: 24 });
  assert.ok(tiles > 4, `${tiles} tiles`);
  assert.deepEqual(tiled!.shape, [1, 1, 70, 90]);
  let worst = 0;
  for (let i = 0; i < whole!.data.length; i++) worst = Math.max(worst, Math.abs(whole!.data[i]! - tiled!.data[i]!));
  assert.ok(worst < 1e-6, `tiled and whole differ by ${worst}`);
});
