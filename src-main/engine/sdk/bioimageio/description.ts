// A bioimage.io model description (rdf.yaml, bioimageio.yaml, *.bioimageio.yaml), spec 0.4 or
// 0.5, read into one form: what Compox Desktop runs (inputs, outputs, their axes, halos and
// processing steps, the weights) and what it shows (name, description, authors, covers, …).
// What it cannot run is refused here, naming the field.
import yaml from "js-yaml";

export type AxisType = "batch" | "channel" | "space" | "time" | "index";

/** An axis's size given by another tensor's axis: `floor(its size · scale + offset)` (offset in
 * total, both sides together; 0.4's per-side offsets are doubled when read). */
export interface SizeReference {
  tensor: string;
  axis: string;
  scale: number;
  offset: number;
}

/** A tensor's axis. `size`: fixed, a minimum and step (any min + n·step), or another tensor's axis. */
export interface Axis {
  id: string;
  type: AxisType;
  size?: number | { min: number; step: number } | SizeReference;
  /** Pixels of each side of an output tile the model cannot be trusted on. */
  halo: number;
  /** Spec 0.5: the physical length of one pixel along it, relative to other axes (default 1): an
   * output axis of scale 2 referring to an input axis of scale 1 is half its size. */
  scale?: number;
}

const STEP_IDS = ["zero_mean_unit_variance", "scale_range", "scale_linear", "scale_mean_variance", "clip", "sigmoid", "softmax", "binarize", "ensure_dtype"] as const;
type StepId = (typeof STEP_IDS)[number];

/** A pre- or postprocessing step, as spec 0.5 names it, with its arguments made explicit. */
export interface Step {
  id: StepId;
  kwargs: Record<string, unknown>;
}

export interface TensorDescription {
  id: string;
  axes: Axis[];
  test: { source: string; sha256?: string };
  preprocessing: Step[];
  postprocessing: Step[];
}

export type WeightsFormat = "onnx" | "torchscript" | "pytorch_state_dict" | "keras_hdf5" | "tensorflow_saved_model_bundle" | "tensorflow_js";

/** A pytorch_state_dict's network: the callable (a class) in a Python file of the package, and its arguments. */
export interface Architecture {
  source: string;
  callable: string;
  kwargs: Record<string, unknown>;
  sha256?: string;
}

export interface WeightsEntry {
  source: string;
  sha256?: string;
  /** pytorch_state_dict only, when its network is a file of the package (not an importable module). */
  architecture?: Architecture;
}

export interface ModelDescription {
  /** The description file, relative to the package. */
  file: string;
  formatVersion: string;
  id?: string;
  name: string;
  version: string;
  description: string;
  authors: string[];
  license?: string;
  tags: string[];
  covers: string[];
  documentation?: string;
  cite: string[];
  inputs: TensorDescription[];
  outputs: TensorDescription[];
  weights: Partial<Record<WeightsFormat, WeightsEntry>>;
  /** The reproduction test's tolerance: |out − expected| ≤ atol + rtol·|expected|, at most `mismatchedPerMillion` elements off. */
  tolerance: { atol: number; rtol: number; mismatchedPerMillion: number };
}

export { isDescriptionFile } from "./description-file.js";

type Yaml = Record<string, unknown>;

/** Whether a description's `source` is a URL (not a file of the package). */
export const isUrl = (source: string) => /^[a-z]+:\/\//i.test(source);

/** Spec 0.5 names the network {source, callable, kwargs, sha256}; 0.4 "file.py:Callable" with
 * architecture_sha256 and kwargs beside it. An importable module (import_from, a dotted path) is
 * not a file of the package: undefined. */
function architectureOf(entry: Yaml, v05: boolean): Architecture | undefined {
  const kwargs = (value: unknown) => (value && typeof value === "object" ? (value as Record<string, unknown>) : {});
  if (v05) {
    const a = entry.architecture as Yaml | undefined;
    const source = str(a?.source);
    const callable = str(a?.callable);
    return source && callable ? { source, callable, kwargs: kwargs(a?.kwargs), sha256: str(a?.sha256) } : undefined;
  }
  const m = /^(.+\.py):([A-Za-z_]\w*)$/.exec(str(entry.architecture) ?? "");
  return m ? { source: m[1]!, callable: m[2]!, kwargs: kwargs(entry.kwargs), sha256: str(entry.architecture_sha256) } : undefined;
}

class Problem extends Error {}

const fail = (file: string, field: string, what: string): never => {
  throw new Problem(`${file}: ${field}: ${what}`);
};

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);
const str = (v: unknown) => (typeof v === "string" ? v : v === undefined || v === null ? undefined : String(v));
const num = (v: unknown) => (typeof v === "number" ? v : undefined);

/** Whether `text` describes a model (`type: model`); undefined when it is not YAML at all. */
export function describesModel(text: string): boolean | undefined {
  try {
    const doc = yaml.load(text) as Yaml | undefined;
    return doc?.type === "model";
  } catch {
    return undefined;
  }
}

/** Reads a model description; throws naming the file and field of what is wrong or unsupported. */
export function readDescription(text: string, file: string): ModelDescription {
  let doc: Yaml;
  try {
    doc = yaml.load(text) as Yaml;
  } catch (err) {
    throw new Problem(`${file}: not valid YAML: ${(err as Error).message.split("\n")[0]}`);
  }
  if (doc?.type !== "model") fail(file, "type", `is ${JSON.stringify(doc?.type)}: only model descriptions can be run`);
  const formatVersion = str(doc.format_version) ?? fail(file, "format_version", "is missing");
  const v05 = /^0\.5\./.test(formatVersion);
  if (!v05 && !/^0\.4\./.test(formatVersion)) fail(file, "format_version", `is ${formatVersion}: Compox Desktop reads spec 0.4.x and 0.5.x`);
  const inputs = list(doc.inputs).map((t, i) => (v05 ? tensor05(t as Yaml, `inputs[${i}]`, file) : tensor04(t as Yaml, `inputs[${i}]`, file, list(doc.test_inputs)[i])));
  const outputs = list(doc.outputs).map((t, i) => (v05 ? tensor05(t as Yaml, `outputs[${i}]`, file) : tensor04(t as Yaml, `outputs[${i}]`, file, list(doc.test_outputs)[i])));
  if (inputs.length === 0) fail(file, "inputs", "the model has no inputs");
  if (outputs.length === 0) fail(file, "outputs", "the model has no outputs");
  const ids = [...inputs, ...outputs].map((t) => t.id);
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice) fail(file, "inputs/outputs", `the tensor name "${twice}" is used twice; each input and output needs its own`);
  resolveReferences(inputs, outputs, file, v05);
  const weights: ModelDescription["weights"] = {};
  for (const [format, entry] of Object.entries((doc.weights as Yaml | undefined) ?? {})) {
    const source = str((entry as Yaml)?.source);
    if (!source) continue;
    weights[format as WeightsFormat] = { source, sha256: str((entry as Yaml).sha256) };
    const architecture = format === "pytorch_state_dict" ? architectureOf(entry as Yaml, v05) : undefined;
    if (architecture) weights.pytorch_state_dict!.architecture = architecture;
  }
  const config = ((doc.config as Yaml | undefined)?.bioimageio as Yaml | undefined) ?? {};
  const tolerance = v05
    ? (list(config.reproducibility_tolerance)[0] as Yaml | undefined)
    : ((config.test_kwargs as Yaml | undefined)?.onnx as Yaml | undefined) ?? (config.test_kwargs as Yaml | undefined);
  return {
    file,
    formatVersion,
    id: str(doc.id),
    name: str(doc.name) ?? fail(file, "name", "is missing"),
    version: str(doc.version) ?? "1.0.0",
    description: str(doc.description) ?? "",
    authors: list(doc.authors).map((a) => str((a as Yaml)?.name) ?? String(a)),
    license: str(doc.license),
    tags: list(doc.tags).map(String),
    covers: list(doc.covers).map(String),
    documentation: str(doc.documentation),
    cite: list(doc.cite).map((c) => [str((c as Yaml)?.text), str((c as Yaml)?.doi) ?? str((c as Yaml)?.url)].filter(Boolean).join(" — ")),
    inputs,
    outputs,
    weights,
    tolerance: {
      atol: num(tolerance?.absolute_tolerance) ?? num(tolerance?.atol) ?? 1e-3,
      rtol: num(tolerance?.relative_tolerance) ?? num(tolerance?.rtol) ?? 1e-3,
      mismatchedPerMillion: num(tolerance?.mismatched_elements_per_million) ?? (v05 ? 100 : 0),
    },
  };
}

/** A 0.4 axis letter as 0.5's axis id (b → batch, c → channel; z, y, x, t, i stay). */
const axisIdOf = (letter: string) => (letter === "b" ? "batch" : letter === "c" ? "channel" : letter);

const LETTER_TYPES: Record<string, AxisType> = { b: "batch", c: "channel", z: "space", y: "space", x: "space", t: "time", i: "index" };

function tensor04(t: Yaml, field: string, file: string, testSource: unknown): TensorDescription {
  const id = str(t.name) ?? fail(file, `${field}.name`, "is missing");
  const letters = str(t.axes) ?? fail(file, `${field}.axes`, "is missing");
  const shape = t.shape;
  const halo = list(t.halo).map(Number);
  const axes = [...letters].map((letter, k): Axis => {
    const type = LETTER_TYPES[letter] ?? fail(file, `${field}.axes`, `"${letter}" is not an axis letter (b, c, z, y, x, t, i)`);
    let size: Axis["size"];
    if (Array.isArray(shape)) size = Number(shape[k]);
    else if (shape && typeof shape === "object" && "min" in shape) size = { min: Number(list((shape as Yaml).min)[k]), step: Number(list((shape as Yaml).step)[k]) };
    else if (shape && typeof shape === "object" && "reference_tensor" in shape) {
      const s = shape as Yaml;
      // 0.4: output = input · scale + 2 · offset.
      size = { tensor: String(s.reference_tensor), axis: axisIdOf(letter), scale: Number(list(s.scale)[k] ?? 1), offset: 2 * Number(list(s.offset)[k] ?? 0) };
    }
    return { id: axisIdOf(letter), type, size, halo: halo[k] ?? 0 };
  });
  return { id, axes, test: { source: str(testSource) ?? fail(file, field.startsWith("in") ? "test_inputs" : "test_outputs", `has no test tensor for ${id}`) }, preprocessing: steps(t.preprocessing, `${field}.preprocessing`, file, "0.4"), postprocessing: steps(t.postprocessing, `${field}.postprocessing`, file, "0.4") };
}

function tensor05(t: Yaml, field: string, file: string): TensorDescription {
  const id = str(t.id) ?? fail(file, `${field}.id`, "is missing");
  const axes = list(t.axes).map((raw, k): Axis => {
    const a = raw as Yaml;
    const type = (str(a.type) ?? fail(file, `${field}.axes[${k}].type`, "is missing")) as AxisType;
    if (!["batch", "channel", "space", "time", "index"].includes(type)) fail(file, `${field}.axes[${k}].type`, `"${type}" is not an axis type`);
    let size: Axis["size"];
    if (typeof a.size === "number") size = a.size;
    else if (a.size && typeof a.size === "object" && "min" in (a.size as Yaml)) size = { min: Number((a.size as Yaml).min), step: Number((a.size as Yaml).step ?? 0) };
    else if (a.size && typeof a.size === "object" && "tensor_id" in (a.size as Yaml)) size = { tensor: String((a.size as Yaml).tensor_id), axis: String((a.size as Yaml).axis_id), scale: 1, offset: Number((a.size as Yaml).offset ?? 0) };
    else if (type === "channel") size = list(a.channel_names).length || undefined;
    return { id: str(a.id) ?? (type === "space" ? "x" : type), type, size, halo: Number(a.halo ?? 0), scale: Number(a.scale ?? 1) };
  });
  const test = t.test_tensor as Yaml | undefined;
  return {
    id,
    axes,
    test: { source: str(test?.source) ?? fail(file, `${field}.test_tensor`, "is missing"), sha256: str(test?.sha256) },
    preprocessing: steps(t.preprocessing, `${field}.preprocessing`, file, "0.5"),
    postprocessing: steps(t.postprocessing, `${field}.postprocessing`, file, "0.5"),
  };
}

/** Processing steps in 0.5's terms; axes given as 0.4's letter strings become lists. */
function steps(raw: unknown, field: string, file: string, spec: "0.4" | "0.5"): Step[] {
  return list(raw).map((entry, k) => {
    const e = entry as Yaml;
    const name = str(spec === "0.5" ? e.id : e.name) ?? fail(file, `${field}[${k}]`, `has no ${spec === "0.5" ? "id" : "name"}`);
    const kwargs = { ...((e.kwargs as Yaml | undefined) ?? {}) };
    if (typeof kwargs.axes === "string") kwargs.axes = [...kwargs.axes];
    if (name === "fixed_zero_mean_unit_variance") return { id: "zero_mean_unit_variance" as const, kwargs: { ...kwargs, mode: "fixed" } };
    if ((STEP_IDS as readonly string[]).includes(name)) {
      if (name === "scale_mean_variance" && !kwargs.reference_tensor) fail(file, `${field}[${k}].kwargs.reference_tensor`, "is missing: scale_mean_variance matches another tensor's mean and variance");
      return { id: name as StepId, kwargs };
    }
    return fail(file, `${field}[${k}]`, `the processing step "${name}" is not supported (supported: fixed_zero_mean_unit_variance, ${STEP_IDS.join(", ")})`);
  });
}

/**
 * Checks every tensor a size or a step refers to (inputs may refer to inputs only; outputs to both,
 * as the spec says) and, for spec 0.5, turns a size reference's pixel scales into its factor:
 * `size = reference size · reference scale / own scale + offset`.
 */
function resolveReferences(inputs: TensorDescription[], outputs: TensorDescription[], file: string, v05: boolean): void {
  const tensors = [...inputs, ...outputs];
  const check = (t: TensorDescription, allowed: TensorDescription[], field: string) => {
    t.axes.forEach((a, k) => {
      if (typeof a.size !== "object" || !("tensor" in a.size)) return;
      const ref = a.size;
      const target = tensors.find((x) => x.id === ref.tensor)?.axes.find((x) => x.id === ref.axis);
      if (!target) fail(file, `${field}.axes[${k}].size`, `refers to axis "${ref.axis}" of tensor "${ref.tensor}", which does not exist`);
      if (v05) ref.scale = (target!.scale ?? 1) / (a.scale ?? 1);
    });
    for (const [what, steps] of [["preprocessing", t.preprocessing], ["postprocessing", t.postprocessing]] as const)
      steps.forEach((step, k) => {
        const ref = step.kwargs.reference_tensor;
        if (ref !== undefined && ref !== null && !allowed.some((x) => x.id === String(ref)))
          fail(file, `${field}.${what}[${k}].kwargs.reference_tensor`, `"${String(ref)}" is not ${allowed === inputs ? "an input" : "a tensor"} of the model (${allowed.map((x) => x.id).join(", ")})`);
      });
  };
  inputs.forEach((t, i) => check(t, inputs, `inputs[${i}]`));
  outputs.forEach((t, i) => check(t, tensors, `outputs[${i}]`));
}

/** Whether `err` is this module's refusal of a description (the message names file and field). */
export const isDescriptionProblem = (err: unknown): err is Error => err instanceof Problem;
