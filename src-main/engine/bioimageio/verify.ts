// A model package checked as bioimageio.core's test_model does, before it is deployed: every file
// it references has the sha256 it names, and each test input, run through the whole pipeline
// (preprocessing, tiles, weights, postprocessing), gives its test output within the model's
// tolerance. A package that fails is refused, saying by how much.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { CompoxError } from "../../contract/errors.js";
import type { ModelDescription } from "../sdk/bioimageio/description.js";
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

/** Checks the files' sha256 (local ones; a URL is only refused when it is what must run). */
function checkFiles(desc: ModelDescription, dir: string): void {
  for (const f of referencedFiles(desc)) {
    if (/^[a-z]+:\/\//i.test(f.source)) continue;
    const file = path.join(dir, f.source);
    if (!fs.existsSync(file)) throw refuse(desc, `${f.what}: ${f.source} is not in the package`);
    if (!f.sha256) continue;
    const actual = createHash("sha256").update(fs.readFileSync(file)).digest("hex");
    if (actual !== f.sha256.toLowerCase()) throw refuse(desc, `${f.what}: ${f.source} has sha256 ${actual}, the description says ${f.sha256}: the file was changed or the description is stale`);
  }
}

/** A test tensor as the description's axes say. */
function testTensor(dir: string, source: string, axes: string[]): Tensor {
  const npy = readNpy(fs.readFileSync(path.join(dir, source)), source);
  if (npy.shape.length !== axes.length) throw new Error(`${source} has ${npy.shape.length} axes, the description names ${axes.length} (${axes.join(", ")})`);
  return { data: npy.data, shape: npy.shape, axes };
}

/** Runs the reproduction test of the package in `dir` with the weights that will run (`format`,
 * or the preferred runnable one); throws a 422 saying what differs. Returns the format tested. */
export async function verifyPackage(desc: ModelDescription, dir: string, opts: { format?: RunnableFormat; python?: string } = {}): Promise<RunnableFormat> {
  checkFiles(desc, dir);
  const weights = runnableWeights(desc, opts.format);
  if (!weights) throw refuse(desc, unrunnableWeights(desc, opts.format));
  let model: LoadedModel;
  try {
    ({ model } = await loadWeights(desc, weights, async (file) => fs.readFileSync(path.join(dir, file)), "cpu", opts.python));
  } catch (err) {
    throw refuse(desc, `weights.${weights.format} (${weights.source}) could not be loaded: ${(err as Error).message}`);
  }
  try {
    const inputs = desc.inputs.map((t) => testTensor(dir, t.test.source, t.axes.map((a) => a.id)));
    const outputs = await predict(desc, model, inputs);
    const { atol, rtol, mismatchedPerMillion } = desc.tolerance;
    desc.outputs.forEach((spec, o) => {
      const expected = testTensor(dir, spec.test.source, spec.axes.map((a) => a.id));
      const got = outputs[o]!;
      if (got.data.length !== expected.data.length)
        throw refuse(desc, `outputs[${o}] (${spec.id}): the model gave shape [${got.shape.join(", ")}], the test output is [${expected.shape.join(", ")}]`);
      let maxAbsError = 0;
      let mismatched = 0;
      for (let i = 0; i < got.data.length; i++) {
        const e = expected.data[i]!;
        const err = Math.abs(got.data[i]! - e);
        maxAbsError = Math.max(maxAbsError, err);
        if (!(err <= atol + rtol * Math.abs(e))) mismatched++;
      }
      const allowed = Math.floor((mismatchedPerMillion * got.data.length) / 1e6);
      if (mismatched > allowed)
        throw refuse(
          desc,
          `the reproduction test failed for outputs[${o}] (${spec.id}): ${mismatched} of ${got.data.length} values differ from ${spec.test.source} by more than ${atol} + ${rtol}·|expected| (at most ${allowed} may), the largest by ${maxAbsError.toPrecision(3)}`,
        );
    });
  } finally {
    await model.close();
  }
  return weights.format;
}
