// A model package checked as bioimageio.core's test_model does, before it is deployed: every file
// it references has the sha256 it names, and each test input, run through the whole pipeline
// (preprocessing, tiles, weights, postprocessing), gives its test output within the model's
// tolerance. A package that fails is refused, saying by how much.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { CompoxError } from "../../contract/errors.js";
import type { Verification } from "../../contract/model-card.js";
import { isUrl, type ModelDescription } from "../sdk/bioimageio/description.js";
import { readNpy } from "../sdk/bioimageio/npy.js";
import { predict, type LoadedModel } from "../sdk/bioimageio/predict.js";
import { loadWeights, runnableWeights, unrunnableWeights, type RunnableFormat } from "../sdk/bioimageio/weights.js";
import type { Tensor } from "../sdk/bioimageio/tensor.js";

const refuse = (desc: ModelDescription, message: string) => new CompoxError("model_invalid", `${desc.file}: ${message}`, { file: desc.file });

/** The package's files that `desc` names, with the sha256 it gives for each (if any). */
function referencedFiles(desc: ModelDescription): { source: string; sha256?: string; what: string }[] {
  return [
    ...Object.entries(desc.weights).flatMap(([format, w]) => [
      { source: w!.source, sha256: w!.sha256, what: `weights.${format}` },
      ...(w!.architecture ? [{ source: w!.architecture.source, sha256: w!.architecture.sha256, what: `weights.${format}.architecture` }] : []),
    ]),
    ...desc.inputs.map((t) => ({ ...t.test, what: `the test input of ${t.id}` })),
    ...desc.outputs.map((t) => ({ ...t.test, what: `the test output of ${t.id}` })),
  ];
}

/** Why a file the description names is missing or not what it says (its sha256), if one is; URLs are skipped (refused only when they must run). */
function changedFile(desc: ModelDescription, dir: string): string | undefined {
  for (const f of referencedFiles(desc)) {
    if (isUrl(f.source)) continue;
    const file = path.join(dir, f.source);
    if (!fs.existsSync(file)) throw refuse(desc, `${f.what}: ${f.source} is not in the package`);
    if (!f.sha256) continue;
    const actual = createHash("sha256").update(fs.readFileSync(file)).digest("hex");
    if (actual !== f.sha256.toLowerCase()) return `${f.what}: ${f.source} has sha256 ${actual}, the description says ${f.sha256}: the file was changed or the description is stale`;
  }
  return undefined;
}

/** A test tensor as the description's axes say. */
function testTensor(dir: string, source: string, axes: string[]): Tensor {
  const npy = readNpy(fs.readFileSync(path.join(dir, source)), source);
  if (npy.shape.length !== axes.length) throw new Error(`${source} has ${npy.shape.length} axes, the description names ${axes.length} (${axes.join(", ")})`);
  return { data: npy.data, shape: npy.shape, axes };
}

/** Compares each output with its test tensor; the per-output result, and why it fails (if it does). */
function compareOutputs(desc: ModelDescription, dir: string, outputs: Tensor[]): { checks: Verification["outputs"]; problem?: string } {
  const { atol, rtol, mismatchedPerMillion } = desc.tolerance;
  const checks: Verification["outputs"] = [];
  for (const [o, spec] of desc.outputs.entries()) {
    const expected = testTensor(dir, spec.test.source, spec.axes.map((a) => a.id));
    const got = outputs[o]!;
    if (got.data.length !== expected.data.length) return { checks, problem: `outputs[${o}] (${spec.id}): the model gave shape [${got.shape.join(", ")}], the test output is [${expected.shape.join(", ")}]` };
    let maxAbsError = 0;
    let mismatched = 0;
    for (let i = 0; i < got.data.length; i++) {
      const e = expected.data[i]!;
      const err = Math.abs(got.data[i]! - e);
      maxAbsError = Math.max(maxAbsError, err);
      if (!(err <= atol + rtol * Math.abs(e))) mismatched++;
    }
    const allowed = Math.floor((mismatchedPerMillion * got.data.length) / 1e6);
    // Two significant digits: the record stays the same when the package is deployed again.
    checks.push({ id: spec.id, elements: got.data.length, mismatched, allowed, max_abs_error: Number(maxAbsError.toPrecision(2)) });
    if (mismatched > allowed)
      return {
        checks,
        problem: `the reproduction test failed for outputs[${o}] (${spec.id}): ${mismatched} of ${got.data.length} values differ from ${spec.test.source} by more than ${atol} + ${rtol}·|expected| (at most ${allowed} may), the largest by ${maxAbsError.toPrecision(3)}`,
      };
  }
  return { checks };
}

/**
 * Runs the reproduction test of the package in `dir` with the weights that will run (`format`, or
 * the preferred runnable one). A changed file or a failed test is refused with a 422 saying what
 * differs — unless `force`, which returns the failed result (deployed marked unverified). Weights
 * that cannot run are refused either way.
 */
export async function verifyPackage(desc: ModelDescription, dir: string, opts: { format?: RunnableFormat; python?: string; force?: boolean } = {}): Promise<Verification> {
  const weights = runnableWeights(desc, opts.format);
  if (!weights) throw refuse(desc, unrunnableWeights(desc, opts.format));
  const { atol, rtol, mismatchedPerMillion } = desc.tolerance;
  const result = (outputs: Verification["outputs"], problem?: string): Verification => {
    if (problem && !opts.force) throw refuse(desc, problem);
    return { passed: !problem, weights_format: weights.format, tolerance: { atol, rtol, mismatched_per_million: mismatchedPerMillion }, outputs, problem: problem ?? null };
  };
  const changed = changedFile(desc, dir);
  if (changed) return result([], changed);
  let model: LoadedModel;
  try {
    ({ model } = await loadWeights(desc, weights, async (file) => fs.readFileSync(path.join(dir, file)), "cpu", opts.python));
  } catch (err) {
    throw refuse(desc, `weights.${weights.format} (${weights.source}) could not be loaded: ${(err as Error).message}`);
  }
  try {
    const inputs = desc.inputs.map((t) => testTensor(dir, t.test.source, t.axes.map((a) => a.id)));
    const { checks, problem } = compareOutputs(desc, dir, await predict(desc, model, inputs));
    return result(checks, problem);
  } finally {
    await model.close();
  }
}
