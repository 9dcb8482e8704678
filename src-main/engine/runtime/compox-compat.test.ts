// Algorithms written the way Compox 3.2's own templates and tests are written: every typed runner,
// Compox's fetch_data(ids, "key"), compox.algorithm_debug at module level, a benchmark, multi-region
// output and a training. Each runs unchanged, and its outputs equal those of compox.algorithm_debug
// running the same folder directly in Python.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import AdmZip from "adm-zip";
import { fileURLToPath } from "node:url";
import type { NDArray } from "../../contract/ndarray.js";
import { readHdf5, readHdf5Strings, writeHdf5 } from "../datasets/hdf5.js";
import { needsPython, PYTHON } from "../testing/system-needs.js";
import { tempDir } from "../testing/temp-algorithm.js";
import { testEngine, waitForBenchmark, waitForEnd, waitForTraining } from "../testing/test-engine.js";
import { pythonRunnerDir } from "./runner-host.js";

const fixtures = fileURLToPath(new URL("./__fixtures__/compox/", import.meta.url));
const skip = needsPython;
const H = 24;
const W = 20;

/** Three uint8 images: a bright square on a gradient, moved a little in each. */
function images(): NDArray[] {
  return [0, 1, 2].map((k) => {
    const data = new Uint8Array(H * W);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data[y * W + x] = (x * 4 + y * 2) % 120 + (y >= 6 + k && y < 14 + k && x >= 5 + 2 * k && x < 12 + 2 * k ? 130 : 0);
    return { dtype: "uint8", shape: [H, W], data };
  });
}

/** Runs `python -m compox.algorithm_debug run` on the folder with the same images; returns the outputs' files. */
async function debugRun(folder: string, params: Record<string, unknown>, work: string): Promise<string[]> {
  const stack = images();
  const data = new Uint8Array(stack.length * H * W);
  stack.forEach((a, i) => data.set(a.data as Uint8Array, i * H * W));
  const input = path.join(work, "stack.h5");
  await writeHdf5(input, { volume: { dtype: "uint8", shape: [stack.length, H, W], data } });
  const out = path.join(work, path.basename(folder));
  const args = ["-m", "compox.algorithm_debug", "run", "--algo", folder, "--data", input, "--out", out, ...Object.entries(params).flatMap(([k, v]) => ["--param", `${k}=${JSON.stringify(v)}`])];
  execFileSync(PYTHON ?? "python3", args, { env: { ...process.env, PYTHONPATH: pythonRunnerDir() }, stdio: "pipe" });
  return fs.readdirSync(out).sort().map((f) => path.join(out, f));
}

const values = (a: NDArray | undefined) => Array.from(a?.data ?? [], Number);

const CASES: { folder: string; params: Record<string, unknown>; outputs: number }[] = [
  { folder: "cx_image2image", params: { gain: 1.5, offsets: [1, 2] }, outputs: 3 },
  { folder: "cx_segmentation", params: { scale: 1.0 }, outputs: 3 },
  { folder: "cx_multiregion", params: { low: 85, high: 170 }, outputs: 3 },
  { folder: "cx_alignment", params: {}, outputs: 2 },
  { folder: "cx_embedding", params: {}, outputs: 3 },
];

test("Compox-style algorithms of every typed runner run unchanged, with outputs equal to compox.algorithm_debug", { skip, timeout: 180_000 }, async () => {
  await using t = await testEngine();
  using work = tempDir("compox-debug-");
  const inputs: string[] = [];
  for (const image of images()) inputs.push((await t.engine.createDataset({ image })).file_id);
  for (const c of CASES) {
    const folder = path.join(fixtures, c.folder);
    const deployed = await t.engine.deploy(folder);
    const rec = await waitForEnd(t.engine, (await t.engine.execute({ algorithm_id: deployed.algorithm_id, input_dataset_ids: inputs, additional_parameters: c.params })).execution_id, 60_000);
    assert.equal(rec.status, "COMPLETED", `${c.folder}: ${rec.log}`);
    assert.equal(rec.output_dataset_ids.length, c.outputs, c.folder);
    // Compox's pipeline lines, in order.
    assert.match(rec.log, /Starting execution\.[\s\S]*Data preprocessing finished in [\d.]+ seconds[\s\S]*Running inference\.[\s\S]*Postprocessing finished[\s\S]*Execution completed in/, c.folder);
    const direct = await debugRun(folder, c.params, work.path);
    assert.equal(direct.length, c.outputs, c.folder);
    for (const [i, id] of rec.output_dataset_ids.entries()) {
      const ours = await t.engine.readDataset(id);
      const theirs = await readHdf5(direct[i] ?? "");
      assert.deepEqual(Object.keys(ours).sort(), Object.keys(theirs).sort(), `${c.folder} output ${i + 1} keys`);
      for (const key of Object.keys(theirs)) {
        assert.equal(ours[key]?.dtype, theirs[key]?.dtype, `${c.folder} ${key} dtype`);
        assert.deepEqual(ours[key]?.shape, theirs[key]?.shape, `${c.folder} ${key} shape`);
        assert.deepEqual(values(ours[key]), values(theirs[key]), `${c.folder} ${key} values`);
      }
      assert.deepEqual(await readHdf5Strings(await t.engine.datasetPath(id)), await readHdf5Strings(direct[i] ?? ""), `${c.folder} string datasets`);
    }
  }
  // What each type writes, as Compox writes it.
  const one = async (folder: string, params: Record<string, unknown> = {}) => {
    const a = await t.engine.deploy(path.join(fixtures, folder));
    const rec = await waitForEnd(t.engine, (await t.engine.execute({ algorithm_id: a.algorithm_id, input_dataset_ids: inputs, additional_parameters: params })).execution_id, 60_000);
    return rec.output_dataset_ids;
  };
  const [region] = await one("cx_multiregion", { low: 85, high: 170 });
  const info = (await t.engine.getDataset(region ?? ""));
  assert.deepEqual(info.keys.region_names, { shape: [3], dtype: "str", values: ["dark", "middle", "bright"] });
  assert.deepEqual(info.keys.region_masks?.shape, [3, H, W]);
  assert.equal(info.keys.region_masks?.dtype, "bool");
  const [alignment] = await one("cx_alignment");
  const a = (await t.engine.getDataset(alignment ?? "")).keys;
  for (const key of ["points1", "points2", "confidence"]) assert.deepEqual(a[key], { shape: [0], dtype: "str", values: [] }, key);
  const m = await t.engine.readDataset(alignment ?? "", ["transform_matrix", "translation_matrix"]);
  assert.deepEqual(values(m.transform_matrix), values(m.translation_matrix));
  assert.ok((values(m.transform_matrix)[2] ?? 0) < 0, "the square moved right: the matrix moves it back");
});

test("a Compox-style Generic runner: annotated schema with text fields, KeyError sessions, runner_context reset, Compox's validation", { skip }, async () => {
  await using t = await testEngine();
  const { algorithm_id } = await t.engine.deploy(path.join(fixtures, "cx_generic"));
  const input = (await t.engine.createDataset({ data: { dtype: "float64", shape: [2], data: Float64Array.from([1.5, 2]) } })).file_id;
  const run = async () => {
    const rec = await waitForEnd(t.engine, (await t.engine.execute({ algorithm_id, input_dataset_ids: [input], session_token: "s1" })).execution_id, 60_000);
    assert.equal(rec.status, "COMPLETED", rec.log);
    const [id] = rec.output_dataset_ids;
    return { arrays: await t.engine.readDataset(id ?? ""), text: await readHdf5Strings(await t.engine.datasetPath(id ?? "")) };
  };
  const first = await run();
  assert.deepEqual(values(first.arrays.data), [3.5]);
  assert.equal(first.text.label, "run 1");
  assert.equal(first.text.note, undefined, "None fields are not written");
  assert.deepEqual(first.text.tags, [
    "Progress must be between 0 and 1.",
    "Progress must be a float.",
    "Progress must be a float.",
    "Invalid logging level provided.",
    "Attribute 'counter' is locked and cannot be modified",
    "per_run=1",
    "loads=1",
  ]);
  const second = await run();
  assert.equal(second.text.label, "run 2", "the session kept its item");
  assert.ok((second.text.tags as string[]).includes("per_run=1"), "attributes set outside load_assets are reset before each execution");
  assert.ok((second.text.tags as string[]).includes("loads=1"), "load_assets ran once");
});

test("a Compox-style training and benchmark: run_training, save_checkpoint, benchmark() with benchmark_outputs", { skip }, async () => {
  await using t = await testEngine();
  const deployed = await t.engine.deploy(path.join(fixtures, "cx_segmentation"));
  const algorithm = (await t.engine.getAlgorithmById(deployed.algorithm_id));
  assert.deepEqual(algorithm.benchmark_outputs.map((p) => p.name), ["inference_time", "images"]);
  const [image] = images();
  const mask: NDArray = { dtype: "uint8", shape: [H, W], data: (image?.data as Uint8Array).map((v) => (v >= 130 ? 1 : 0)) };
  const sample = (await t.engine.createSample({ files: [{ input: [(await t.engine.createDataset({ image: image as NDArray })).file_id], target: [(await t.engine.createDataset({ mask })).file_id] }] }));
  const training = await waitForTraining(t.engine, (await t.engine.train({ algorithm_id: deployed.algorithm_id, training_data: [sample.sample_id], additional_parameters: { margin: 1 } })).training_id, 60_000);
  assert.equal(training.status, "COMPLETED", training.log);
  assert.match(training.log, /Starting training\.[\s\S]*Fetched training dataset with 1 samples\.[\s\S]*Training completed in/);
  assert.equal(training.output_checkpoint_ids.length, 1);
  assert.ok(Number(training.state.threshold) > 60 && Number(training.state.threshold) < 200, JSON.stringify(training.state));

  const b = await waitForBenchmark(t.engine, (await t.engine.benchmark({ algorithm_id: deployed.algorithm_id, additional_parameters: { any: "thing" } })).benchmark_id);
  assert.equal(b.status, "COMPLETED", b.log);
  assert.deepEqual(Object.keys(b).sort(), ["additional_parameters", "algorithm_id", "benchmark_id", "data", "log", "status", "time_completed", "time_started"]);
  assert.deepEqual(b.additional_parameters, { any: "thing" });
  assert.equal(b.data.images, 4);
  assert.equal(typeof b.data.inference_time, "number");
  assert.match(b.log, /Starting benchmark\.[\s\S]*Benchmark completed in/);

  // An algorithm without benchmark() fails its benchmark, saying so.
  const other = await t.engine.deploy(path.join(fixtures, "cx_embedding"));
  const f = await waitForBenchmark(t.engine, (await t.engine.benchmark({ algorithm_id: other.algorithm_id })).benchmark_id);
  assert.equal(f.status, "FAILED");
  assert.deepEqual(f.data, {});
  assert.match(f.log, /Benchmarking is not implemented for this algorithm/);
});

/** Builds what Compox 3.2 exports for a folder: imports made relative, sources compiled to .pyc
 * and removed, assets and pyproject.toml kept, saved as `<name>_v<major>` without an extension. */
function compoxExport(folder: string, work: string, name: string): string {
  const script = String.raw`
import os, py_compile, re, shutil, sys, zipfile
src, out, zip_path = sys.argv[1], sys.argv[2], sys.argv[3]
shutil.copytree(src, out)
packages = {d for d in os.listdir(out) if os.path.isdir(os.path.join(out, d))}
for folder, _, files in os.walk(out):
    for f in files:
        if f.endswith(".py"):
            path = os.path.join(folder, f)
            text = open(path).read()
            for p in packages:
                text = re.sub(rf"^from {p}\b", f"from .{p}", text, flags=re.M)
            open(path, "w").write(text)
            py_compile.compile(path, cfile=path + "c", doraise=True)
            os.remove(path)
with zipfile.ZipFile(zip_path, "w") as z:
    for folder, _, files in os.walk(out):
        for f in files:
            z.write(os.path.join(folder, f), os.path.relpath(os.path.join(folder, f), out))
`;
  const zip = path.join(work, name);
  execFileSync(PYTHON ?? "python3", ["-c", script, folder, path.join(work, `${name}-tree`), zip], { stdio: "pipe" });
  return zip;
}

test("a zip exported by Compox 3.2 (bytecode only, relative imports, no .zip extension) deploys and runs like the sources", { skip }, async () => {
  await using t = await testEngine();
  using work = tempDir("compox-export-");
  const folder = path.join(fixtures, "cx_image2image");
  const zip = compoxExport(folder, work.path, "cx_image2image_v1");
  const inputs: string[] = [];
  for (const image of images()) inputs.push((await t.engine.createDataset({ image })).file_id);
  const params = { gain: 1.5, offsets: [1, 2] };
  const outputsOf = async (source: string, name?: string) => {
    const deployed = await t.engine.deploy(source, name ? { algorithm_name: name } : {});
    const rec = await waitForEnd(t.engine, (await t.engine.execute({ algorithm_id: deployed.algorithm_id, input_dataset_ids: inputs, additional_parameters: params })).execution_id, 60_000);
    assert.equal(rec.status, "COMPLETED", rec.log);
    return Promise.all(rec.output_dataset_ids.map(async (id) => values((await t.engine.readDataset(id)).image)));
  };
  assert.deepEqual(await outputsOf(zip, "exported"), await outputsOf(folder));

  // Bytecode of another Python: the deploy says which Python it needs.
  const wrong = path.join(work.path, "wrong");
  fs.mkdirSync(wrong);
  new AdmZip(zip).extractAllTo(wrong);
  const pyc = fs.readFileSync(path.join(wrong, "Runner.pyc"));
  pyc.writeUInt16LE(3413, 0); // Python 3.8's magic number
  fs.writeFileSync(path.join(wrong, "Runner.pyc"), pyc);
  await assert.rejects(t.engine.deploy(wrong, { algorithm_name: "wrong_python" }), /Runner\.pyc is bytecode for Python 3\.8, but .* is Python 3\.\d+: bytecode runs only on the Python that wrote it/);
});
