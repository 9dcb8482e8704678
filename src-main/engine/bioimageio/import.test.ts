// A real bioimage.io model package (unet2d_nuclei_broad, spec 0.5 and 0.4) deployed as an
// algorithm: verified at import against its own test tensors, refused with the reason when a file
// was changed, the weights cannot run or the reproduction test fails, then run on its test image
// (reproducing the test output) and on a larger image in tiles; a package with TorchScript weights
// only, or a state dict and its network's file only, runs them with PyTorch.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import AdmZip from "adm-zip";
import yaml from "js-yaml";
import type { CompoxError } from "../../contract/errors.js";
import { zipFiles } from "../deploy/module-zip.js";
import { readNpy } from "../sdk/bioimageio/npy.js";
import { BIOIMAGEIO_FIXTURE, needsTorch } from "../testing/bioimageio.js";
import { PYTHON } from "../testing/system-needs.js";
import { tempDir } from "../testing/temp-algorithm.js";
import { testEngine, waitForEnd } from "../testing/test-engine.js";

const { dir: FIXTURE, skip } = BIOIMAGEIO_FIXTURE;

/** A copy of the package with only `description` (renamed to `as`), its YAML changed by `edit`. */
function variant(into: string, description: string, as: string, edit: (doc: Record<string, unknown>) => void = () => {}): string {
  const out = path.join(into, `${as}-${Math.random().toString(36).slice(2)}`);
  fs.mkdirSync(out);
  for (const f of fs.readdirSync(FIXTURE)) if (!f.endsWith(".yaml")) fs.copyFileSync(path.join(FIXTURE, f), path.join(out, f));
  const doc = yaml.load(fs.readFileSync(path.join(FIXTURE, description), "utf8")) as Record<string, unknown>;
  edit(doc);
  fs.writeFileSync(path.join(out, as), yaml.dump(doc));
  return out;
}

const code = async (p: Promise<unknown>) => p.then(() => "deployed", (e: CompoxError) => `${e.status} ${e.code}: ${e.message}`);

/** A copy of the package (described by `description`) whose only weights are a state dict made
 * from its TorchScript weights (the same network, as unet2d.py builds it). */
function stateDictVariant(into: string, description: string): string {
  const dir = variant(into, description, "bioimageio.yaml", (doc) => {
    const weights = doc.weights as Record<string, Record<string, unknown>>;
    for (const format of Object.keys(weights)) if (format !== "pytorch_state_dict") delete weights[format];
    weights.pytorch_state_dict!.source = "state_dict.pt";
    delete weights.pytorch_state_dict!.sha256;
  });
  execFileSync(PYTHON!, ["-c", "import sys, torch\ntorch.save(torch.jit.load(sys.argv[1], map_location='cpu').state_dict(), sys.argv[2])", path.join(dir, "weights.pt"), path.join(dir, "state_dict.pt")]);
  fs.rmSync(path.join(dir, "weights.pt"));
  return dir;
}

/** Runs algorithm `id` on the package's test input: the output image, and its largest difference from `expectedFile`. */
async function runTestInput(engine: Awaited<ReturnType<typeof testEngine>>["engine"], id: string, expectedFile = "test_output.npy") {
  const input = readNpy(fs.readFileSync(path.join(FIXTURE, "test_input.npy")));
  const expected = readNpy(fs.readFileSync(path.join(FIXTURE, expectedFile)));
  const ds = await engine.createDataset({ image: { dtype: "float32", shape: [512, 512], data: input.data } });
  const rec = await waitForEnd(engine, (await engine.execute({ algorithm_id: id, input_dataset_ids: [ds.file_id] })).execution_id, 180_000);
  assert.equal(rec.status, "COMPLETED", rec.log);
  const out = (await engine.readDataset(rec.output_dataset_ids[0]!)).image!;
  let worst = 0;
  for (let i = 0; i < expected.data.length; i++) worst = Math.max(worst, Math.abs((out.data as Float32Array)[i]! - expected.data[i]!));
  return { out, worst };
}

test("a bioimage.io package deploys as a verified algorithm (0.5 and 0.4, folder and zip), and runs whole and tiled", { skip, timeout: 300_000 }, async () => {
  await using t = await testEngine();
  using work = tempDir();
  const r = await t.engine.deploy(FIXTURE);
  assert.equal(r.outcome, "created");
  assert.equal(r.algorithm_name, "unet_2d_nuclei_broad", "the name as a lowercase identifier (the package has no id)");
  const alg = await t.engine.getAlgorithmById(r.algorithm_id);
  assert.ok(alg.algorithm_tags.includes("bioimage.io") && alg.algorithm_tags.includes("segmentation"));
  assert.match(alg.algorithm_description, /A 2d U-Net trained on the nuclei broad dataset.*bioimage\.io model "UNet 2D Nuclei Broad".*Constantin Pape.*license MIT/);
  assert.equal((await t.engine.deploy(FIXTURE)).outcome, "unchanged", "the same package again changes nothing");
  // The card the window shows: the people, the license, the citations, the cover, the verification.
  const card = await t.engine.modelCard("unet_2d_nuclei_broad", Number(r.algorithm_major_version));
  assert.deepEqual([card.name, card.license, card.authors.length, card.covers, card.inputs, card.outputs], ["UNet 2D Nuclei Broad", "MIT", 2, ["cover0.png"], ["raw"], ["probability"]]);
  assert.match(card.cite[0]!, /^Ronneberger, Olaf et al\. U-net.* — 10\.1007\/978-3-319-24574-4_28$/);
  assert.deepEqual([card.verification.passed, card.verification.weights_format, card.verification.outputs[0]!.elements], [true, "onnx", 262144]);
  assert.ok(card.verification.outputs[0]!.max_abs_error < 1e-5 && card.verification.outputs[0]!.mismatched === 0);
  const cover = await t.engine.modelCover("unet_2d_nuclei_broad", Number(r.algorithm_major_version), 0);
  assert.equal(cover.contentType, "image/png");
  assert.deepEqual(cover.bytes, fs.readFileSync(path.join(FIXTURE, "cover0.png")));
  await assert.rejects(t.engine.modelCover("unet_2d_nuclei_broad", Number(r.algorithm_major_version), 1), /has no cover 1 it can show \(covers: cover0\.png\)/);

  const zip = zipFiles(fs.readdirSync(FIXTURE).map((f) => ({ path: f, content: fs.readFileSync(path.join(FIXTURE, f)) })));
  assert.equal((await t.engine.deployZip(zip, "unet2d_nuclei_broad.zip")).outcome, "unchanged", "a zip of it is the same package");

  const v04 = await t.engine.deploy(variant(work.path, "v0_4_9.bioimageio.yaml", "rdf.yaml"));
  assert.equal(v04.outcome, "created");
  assert.deepEqual([v04.algorithm_name, v04.algorithm_major_version, v04.algorithm_minor_version], ["unet_2d_nuclei_broad", "0", "1"], "spec 0.4: version 0.1.3 from the description");

  // Refusals that say what is wrong.
  const tampered = variant(work.path, "bioimageio.yaml", "bioimageio.yaml");
  fs.appendFileSync(path.join(tampered, "weights.onnx"), "x");
  assert.match(await code(t.engine.deploy(tampered)), /^422 model_invalid: bioimageio\.yaml: weights\.onnx: weights\.onnx has sha256 [0-9a-f]{64}, the description says 85f5ac80/);
  const wrongOutput = variant(work.path, "bioimageio.yaml", "bioimageio.yaml", (doc) => {
    const out = (doc.outputs as { test_tensor: { source: string; sha256?: string } }[])[0]!;
    out.test_tensor = { source: "test_input.npy" };
  });
  assert.match(await code(t.engine.deploy(wrongOutput)), /^422 model_invalid: bioimageio\.yaml: the reproduction test failed for outputs\[0\] \(probability\): \d+ of 262144 values differ from test_input\.npy by more than 0\.001 \+ 0\.001·\|expected\| \(at most 26 may\)/);
  // With force it deploys, marked unverified everywhere a user looks.
  const forced = await t.engine.deploy(wrongOutput, { force: true, algorithm_name: "forced_unet" });
  const forcedAlg = await t.engine.getAlgorithmById(forced.algorithm_id);
  assert.ok(forcedAlg.algorithm_tags.includes("unverified"));
  assert.match(forcedAlg.algorithm_description, /^UNVERIFIED \(deployed with force\): the reproduction test failed for outputs\[0\]/);
  const forcedCard = await t.engine.modelCard("forced_unet", Number(forced.algorithm_major_version));
  assert.equal(forcedCard.verification.passed, false);
  assert.match(forcedCard.verification.problem!, /values differ from test_input\.npy/);
  assert.ok(forcedCard.verification.outputs[0]!.mismatched > forcedCard.verification.outputs[0]!.allowed);
  const stateDictOnly = variant(work.path, "bioimageio.yaml", "bioimageio.yaml", (doc) => {
    delete (doc.weights as Record<string, unknown>).onnx;
    delete (doc.weights as Record<string, unknown>).torchscript;
  });
  assert.match(await code(t.engine.deploy(stateDictOnly)), /^422 model_invalid: bioimageio\.yaml: weights: Compox Desktop runs onnx, torchscript, pytorch_state_dict weights held in the package .*; this one has pytorch_state_dict \(http/);
  assert.equal((await t.engine.listAlgorithms()).filter((a) => a.algorithm_name === "unet_2d_nuclei_broad").length, 2, "nothing half-deployed");

  // Runs: the test image reproduces the test output; a larger image runs in tiles.
  const input = readNpy(fs.readFileSync(path.join(FIXTURE, "test_input.npy")));
  const expected = readNpy(fs.readFileSync(path.join(FIXTURE, "test_output.npy")));
  const ds = await t.engine.createDataset({ image: { dtype: "float32", shape: [512, 512], data: input.data } });
  const rec = await waitForEnd(t.engine, (await t.engine.execute({ algorithm_id: r.algorithm_id, input_dataset_ids: [ds.file_id] })).execution_id, 120_000);
  assert.equal(rec.status, "COMPLETED", rec.log);
  const out = (await t.engine.readDataset(rec.output_dataset_ids[0]!)).image!;
  assert.deepEqual(out.shape, [512, 512]);
  let worst = 0;
  for (let i = 0; i < expected.data.length; i++) worst = Math.max(worst, Math.abs((out.data as Float32Array)[i]! - expected.data[i]!));
  assert.ok(worst < 1e-4, `the run reproduces test_output.npy (largest difference ${worst})`);

  const big = new Float32Array(700 * 900).map((_, i) => input.data[(Math.floor(i / 900) % 512) * 512 + ((i % 900) % 512)]!);
  const bigDs = await t.engine.createDataset({ image: { dtype: "float32", shape: [700, 900], data: big } });
  const bigRec = await waitForEnd(t.engine, (await t.engine.execute({ algorithm_id: r.algorithm_id, input_dataset_ids: [bigDs.file_id] })).execution_id, 120_000);
  assert.equal(bigRec.status, "COMPLETED", bigRec.log);
  const bigOut = (await t.engine.readDataset(bigRec.output_dataset_ids[0]!)).image!;
  assert.deepEqual(bigOut.shape, [700, 900]);
  assert.ok((bigOut.data as Float32Array).every((v) => v >= 0 && v <= 1), "probabilities, after the sigmoid");
});

test("a package with TorchScript weights only is verified and runs them with PyTorch in Python, reproducing its test output", { skip: skip || needsTorch, timeout: 300_000 }, async () => {
  await using t = await testEngine();
  using work = tempDir();
  const torchOnly = variant(work.path, "bioimageio.yaml", "bioimageio.yaml", (doc) => delete (doc.weights as Record<string, unknown>).onnx);
  const r = await t.engine.deploy(torchOnly);
  assert.equal(r.outcome, "created");
  const input = readNpy(fs.readFileSync(path.join(FIXTURE, "test_input.npy")));
  const expected = readNpy(fs.readFileSync(path.join(FIXTURE, "test_output.npy")));
  const ds = await t.engine.createDataset({ image: { dtype: "float32", shape: [512, 512], data: input.data } });
  const rec = await waitForEnd(t.engine, (await t.engine.execute({ algorithm_id: r.algorithm_id, input_dataset_ids: [ds.file_id] })).execution_id, 180_000);
  assert.equal(rec.status, "COMPLETED", rec.log);
  assert.doesNotMatch(rec.log, /WARNING/, "the PyTorch helper started at load stays for every job");
  const runner = new AdmZip(Buffer.from((await t.engine.exportAlgorithm(r.algorithm_name, Number(r.algorithm_major_version))).bytes)).readAsText("Runner.ts");
  assert.match(runner, /weights = "torchscript"/, "the generated Runner names the weights the import verified");
  const out = (await t.engine.readDataset(rec.output_dataset_ids[0]!)).image!;
  let worst = 0;
  for (let i = 0; i < expected.data.length; i++) worst = Math.max(worst, Math.abs((out.data as Float32Array)[i]! - expected.data[i]!));
  assert.ok(worst < 1e-3, `TorchScript reproduces test_output.npy (largest difference ${worst})`);
  const again = await waitForEnd(t.engine, (await t.engine.execute({ algorithm_id: r.algorithm_id, input_dataset_ids: [ds.file_id] })).execution_id, 180_000);
  assert.equal(again.status, "COMPLETED", `a second run on the warm runner uses the same helper: ${again.log}`);
});

test("a package with a state dict only builds its network from the package's Python file, loads the weights and reproduces its test output", { skip: skip || needsTorch, timeout: 300_000 }, async () => {
  await using t = await testEngine();
  using work = tempDir();
  const r = await t.engine.deploy(stateDictVariant(work.path, "bioimageio.yaml"));
  assert.equal(r.outcome, "created");
  const runner = new AdmZip(Buffer.from((await t.engine.exportAlgorithm(r.algorithm_name, Number(r.algorithm_major_version))).bytes)).readAsText("Runner.ts");
  assert.match(runner, /weights = "pytorch_state_dict"/);
  const { worst } = await runTestInput(t.engine, r.algorithm_id);
  assert.ok(worst < 1e-3, `the state dict reproduces test_output.npy (largest difference ${worst})`);
  // A network file that is not the one the description names is refused, naming it.
  const tampered = stateDictVariant(work.path, "bioimageio.yaml");
  fs.appendFileSync(path.join(tampered, "unet2d.py"), "\n# changed\n");
  await assert.rejects(t.engine.deploy(tampered), /weights\.pytorch_state_dict\.architecture: unet2d\.py has sha256 [0-9a-f]{64}, the description says d00721e7/);
});

test("a model whose output has an axis its input lacks (the package's expand_output_shape variant, as a state dict) is verified against its own expanded test output and runs", { skip: skip || needsTorch, timeout: 300_000 }, async () => {
  await using t = await testEngine();
  using work = tempDir();
  // Its weights are the original network's (the same sha256), only at a URL: made locally.
  const r = await t.engine.deploy(stateDictVariant(work.path, "expand_output_shape.bioimageio.yaml"));
  assert.equal(r.outcome, "created", "verified against test_output_expanded.npy (1×1×1×512×512)");
  const { out, worst } = await runTestInput(t.engine, r.algorithm_id, "test_output_expanded.npy");
  assert.deepEqual(out.shape, [512, 512], "the added z of 1 dropped with batch and channel: an image like its input");
  assert.ok(worst < 1e-3, `reproduces test_output_expanded.npy (largest difference ${worst})`);
});
