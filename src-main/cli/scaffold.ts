// `compox new`: writes an algorithm folder that deploys and runs as generated.
import fs from "node:fs";
import path from "node:path";
import { ALGORITHM_TYPES, type AlgorithmType } from "../contract/algorithm-config.js";
import { CompoxError } from "../contract/errors.js";

export type ScaffoldLanguage = "ts" | "py";

const BASE_CLASS: Record<AlgorithmType, string> = {
  Image2Image: "Image2ImageRunner",
  Image2Segmentation: "Image2SegmentationRunner",
  Image2Embedding: "Image2EmbeddingRunner",
  Image2Alignment: "Image2AlignmentRunner",
  Image2MultiRegionSegmentation: "Image2MultiRegionSegmentationRunner",
  Segmentation2Segmentation: "Segmentation2SegmentationRunner",
  Generic: "BaseRunner",
  Undefined: "BaseRunner",
};

// One inference body per type, in each language: small, correct, and easy to replace.
const TS_INFERENCE: Record<AlgorithmType, string> = {
  Image2Image: `  async inference(images: NDArray, args: Args): Promise<NDArray> {
    const gain = Number(args.gain);
    const out = new Float32Array(images.data.length);
    for (let i = 0; i < out.length; i++) out[i] = Number(images.data[i]) * gain;
    this.logMessage(\`scaled \${images.shape[0]} image(s) by \${gain}\`);
    this.setProgress(1);
    return { dtype: "float32", shape: [...images.shape], data: out };
  }`,
  Image2Segmentation: `  async inference(images: NDArray, args: Args): Promise<NDArray> {
    const level = Number(args.gain);
    let mean = 0;
    for (let i = 0; i < images.data.length; i++) mean += Number(images.data[i]);
    mean = (mean / images.data.length) * level;
    const mask = new Uint8Array(images.data.length);
    for (let i = 0; i < mask.length; i++) mask[i] = Number(images.data[i]) > mean ? 1 : 0;
    this.logMessage(\`threshold \${mean}\`);
    return { dtype: "uint8", shape: [...images.shape], data: mask };
  }`,
  Image2Embedding: `  async inference(images: NDArray, args: Args): Promise<NDArray> {
    // One feature per image row: its mean intensity, scaled.
    const [n = 1, h = 1] = images.shape;
    const w = images.data.length / (n * h);
    const features = new Float32Array(n * h);
    for (let r = 0; r < n * h; r++) {
      let sum = 0;
      for (let c = 0; c < w; c++) sum += Number(images.data[r * w + c]);
      features[r] = (sum / w) * Number(args.gain);
    }
    return { dtype: "float32", shape: [n, h], data: features };
  }`,
  Image2Alignment: `  async inference(images: NDArray, _args: Args): Promise<NDArray> {
    // Identity transforms between consecutive images: replace with a real registration.
    const n = Math.max(0, (images.shape[0] ?? 1) - 1);
    const data = new Float64Array(n * 9);
    for (let k = 0; k < n; k++) data[k * 9] = data[k * 9 + 4] = data[k * 9 + 8] = 1;
    return { dtype: "float64", shape: [n, 3, 3], data };
  }`,
  Image2MultiRegionSegmentation: `  async inference(images: NDArray, args: Args): Promise<RegionsOutput[]> {
    // One object per image: region name → 2-D mask, in the order to list them.
    const [n = 1, h = 1, w = 1] = images.shape;
    let mean = 0;
    for (let i = 0; i < images.data.length; i++) mean += Number(images.data[i]);
    const level = (mean / images.data.length) * Number(args.gain);
    const out: RegionsOutput[] = [];
    for (let k = 0; k < n; k++) {
      const fg = new Uint8Array(h * w);
      for (let i = 0; i < fg.length; i++) fg[i] = Number(images.data[k * h * w + i]) > level ? 1 : 0;
      out.push({ background: { dtype: "uint8", shape: [h, w], data: fg.map((v) => 1 - v) }, foreground: { dtype: "uint8", shape: [h, w], data: fg } });
    }
    return out;
  }`,
  Segmentation2Segmentation: `  async inference(masks: NDArray, _args: Args): Promise<NDArray> {
    // Inverts binary masks.
    const out = new Uint8Array(masks.data.length);
    for (let i = 0; i < out.length; i++) out[i] = Number(masks.data[i]) ? 0 : 1;
    return { dtype: "uint8", shape: [...masks.shape], data: out };
  }`,
  Generic: `  async inference(data: unknown, args: Args): Promise<unknown> {
    this.logMessage(\`gain is \${args.gain}\`);
    return data;
  }

  async postprocess(_data: unknown, _args: Args): Promise<string[]> {
    return ["Hello from a generic algorithm"];
  }

  async preprocess(input: { input_dataset_ids: string[] }, _args: Args): Promise<unknown> {
    return input.input_dataset_ids;
  }`,
  Undefined: "",
};
TS_INFERENCE.Undefined = TS_INFERENCE.Generic;

const PY_INFERENCE: Record<AlgorithmType, string> = {
  Image2Image: `    def inference(self, data, args={}):
        gain = float(args.get("gain", 1.0))
        self.log_message(f"scaling {data.shape[0]} image(s) by {gain}")
        self.set_progress(1.0)
        return data.astype(np.float32) * gain`,
  Image2Segmentation: `    def inference(self, data, args={}):
        level = data.mean() * float(args.get("gain", 1.0))
        self.log_message(f"threshold {level}")
        return (data > level).astype(np.uint8)`,
  Image2Embedding: `    def inference(self, data, args={}):
        return data.mean(axis=-1).astype(np.float32) * float(args.get("gain", 1.0))`,
  Image2MultiRegionSegmentation: `    def inference(self, data, args={}):
        # One dict per image: region name -> 2-D mask, in the order to list them.
        level = data.mean() * float(args.get("gain", 1.0))
        return [{"background": image <= level, "foreground": image > level} for image in data]`,
  Image2Alignment: `    def inference(self, data, args={}):
        # Identity transforms between consecutive images: replace with a real registration.
        return [np.eye(3) for _ in range(max(0, data.shape[0] - 1))]`,
  Segmentation2Segmentation: `    def inference(self, data, args={}):
        return (data == 0).astype(np.uint8)`,
  Generic: `    def preprocess(self, input_data, args={}):
        return input_data["input_dataset_ids"]

    def inference(self, data, args={}):
        self.log_message(f"gain is {args.get('gain')}")
        return data

    def postprocess(self, data, args={}):
        return ["Hello from a generic algorithm"]`,
  Undefined: "",
};
PY_INFERENCE.Undefined = PY_INFERENCE.Generic;

function pyprojectText(name: string, type: AlgorithmType): string {
  return `[project]
name = "${name}"
version = "1.0.0"

[tool.compox]
algorithm_type = "${type}"
tags = ["${type.toLowerCase()}"]
description = "A new ${type} algorithm. Describe what it does here."
supported_devices = ["cpu"]
default_device = "cpu"
removable = true
exportable = true
additional_parameters = [
  { name = "gain", displayed_name = "Gain", description = "Multiplies the result.", config = { type = "float_range", default = 1.0, min = 0.0, max = 2.0, step = 0.1, decimal_precision = 1, adjustable = true } },
]
`;
}

function tsRunner(type: AlgorithmType): string {
  const base = BASE_CLASS[type];
  const typeImports = type === "Generic" || type === "Undefined" ? "type Args" : type === "Image2MultiRegionSegmentation" ? "type Args, type NDArray, type RegionsOutput" : "type Args, type NDArray";
  return `import { ${base}, ${typeImports} } from "compox";

export class Runner extends ${base} {
${TS_INFERENCE[type]}
}
`;
}

function pyRunner(type: AlgorithmType): string {
  const base = BASE_CLASS[type];
  return `import numpy as np
from compox.algorithm_utils.${base} import ${base}


class Runner(${base}):
${PY_INFERENCE[type]}
`;
}

export interface ScaffoldOptions {
  name: string;
  type: string;
  lang: ScaffoldLanguage;
  /** Parent folder; the algorithm is created in `<parent>/<name>`. */
  parent: string;
  /** Path of the SDK's type declarations, for the editor's tsconfig. */
  sdkTypes: string;
}

/** Creates the folder and returns its path; refuses to overwrite an existing one. */
export function scaffoldAlgorithm(opts: ScaffoldOptions): string {
  if (!(ALGORITHM_TYPES as readonly string[]).includes(opts.type))
    throw new CompoxError("invalid_request", `--type must be one of ${ALGORITHM_TYPES.join(", ")} (got "${opts.type}")`);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(opts.name))
    throw new CompoxError("invalid_request", `the name "${opts.name}" must be letters, digits, '.', '_' or '-', without spaces`);
  const type = opts.type as AlgorithmType;
  const dir = path.join(opts.parent, opts.name);
  if (fs.existsSync(dir)) throw new CompoxError("invalid_request", `${dir} already exists; choose another name or folder`);
  const files: Record<string, string> = { "pyproject.toml": pyprojectText(opts.name, type) };
  if (opts.lang === "py") files["Runner.py"] = pyRunner(type);
  else {
    files["Runner.ts"] = tsRunner(type);
    // Lets editors type-check the algorithm outside this repository; not part of the module.
    files["tsconfig.json"] = `${JSON.stringify(
      {
        compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, noEmit: true, paths: { compox: [opts.sdkTypes] } },
        include: ["**/*.ts"],
      },
      null,
      2,
    )}\n`;
  }
  files["files/README.md"] = "Put assets (weights, tables, …) here; read them with fetchAsset(\"files/<name>\").\n";
  fs.mkdirSync(dir, { recursive: true });
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
  return dir;
}
