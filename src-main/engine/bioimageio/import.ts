// A bioimage.io model package (a folder, or a zip already unpacked) deployed as an algorithm: its
// description is read (spec 0.4 or 0.5), the package is verified (verify.ts), and an algorithm
// folder is written for the deployer — a pyproject.toml from the description, a Runner that
// extends the SDK's BioimageioRunner, and the whole package as assets under files/model/.
import fs from "node:fs";
import path from "node:path";
import { CompoxError } from "../../contract/errors.js";
import type { ModelCard, Verification } from "../../contract/model-card.js";
import { describesModel, isDescriptionFile, isDescriptionProblem, isUrl, readDescription, type ModelDescription } from "../sdk/bioimageio/description.js";
import { tileSide } from "../sdk/bioimageio/predict.js";
import { RUNNABLE_FORMATS, runnableWeights, type RunnableFormat } from "../sdk/bioimageio/weights.js";
import { MODEL_CARD_ASSET } from "./model-card.js";
import { verifyPackage } from "./verify.js";

/**
 * Which description file of `folder` — a folder without a pyproject.toml (the deployer checks) —
 * describes a model: bioimageio.yaml, then rdf.yaml, then a single *.bioimageio.yaml; undefined
 * when none does.
 */
export function modelDescriptionIn(folder: string): string | undefined {
  const names = fs.readdirSync(folder).filter(isDescriptionFile);
  const models = names.filter((n) => describesModel(fs.readFileSync(path.join(folder, n), "utf8")));
  for (const preferred of ["bioimageio.yaml", "rdf.yaml"]) if (models.includes(preferred)) return preferred;
  if (models.length > 1)
    throw new CompoxError("model_invalid", `${folder} holds ${models.length} model descriptions (${models.join(", ")}): keep the one to deploy, or name it bioimageio.yaml`, { files: models });
  return models[0];
}

/** The algorithm name of a model: its id, else its name as a lowercase identifier. */
export function algorithmNameOf(desc: ModelDescription): string {
  const raw = desc.id ?? desc.name;
  return (
    raw
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "_")
      .replace(/^_+|_+$/g, "") || "bioimageio_model"
  );
}

/** A version Compox accepts: the model's when it is major.minor[.patch], else 1.0.0. */
const versionOf = (v: string) => (/^\d+\.\d+(\.\d+)?$/.test(v) ? v : "1.0.0");

const toml = (s: string) => JSON.stringify(s);

/** The parameters of a model's run form: tile size (flexible inputs only), halo, and the weights format (packages with several). */
function parametersOf(desc: ModelDescription, verified: RunnableFormat): string[] {
  const input = desc.inputs[0]!;
  const spatial = input.axes.filter((a) => a.type === "space");
  const flexible = spatial.some((a) => typeof a.size === "object" && "min" in a.size);
  const side = Math.max(...spatial.map((a) => tileSide(a, 512, 512)));
  const halo = Math.max(0, ...desc.outputs.flatMap((o) => o.axes.map((a) => a.halo)));
  const formats = RUNNABLE_FORMATS.filter((f) => runnableWeights(desc, f));
  const params = [
    `{ name = "halo", displayed_name = "Halo", description = "Pixels of each tile's edge (in output pixels) that are recomputed by its neighbour; the model declares ${halo}. More halo: fewer seams, more work.", config = { type = "int_range", default = ${halo}, min = 0, max = 512, step = 1, adjustable = true } }`,
  ];
  if (flexible)
    params.unshift(
      `{ name = "tile_size", displayed_name = "Tile size", description = "Pixels per tile side (the halo is added around each); larger tiles are faster but need more memory.", config = { type = "int_range", default = ${side}, min = 16, max = 8192, step = 1, adjustable = true } }`,
    );
  if (formats.length > 1)
    params.push(
      `{ name = "weights_format", displayed_name = "Weights", description = "Which of the package's weights run; default: the ones the import verified (${verified}).", config = { type = "string_enum", default = "default", options = [${["default", ...formats].map(toml).join(", ")}], adjustable = true } }`,
    );
  return params;
}

/** The pyproject.toml of a model's algorithm (`verification`: what the import's test found). */
export function pyprojectOf(desc: ModelDescription, verification: Verification): string {
  const about = [
    verification.passed ? "" : `UNVERIFIED (deployed with force): ${verification.problem}`,
    desc.description,
    `bioimage.io model "${desc.name}" ${desc.version} (spec ${desc.formatVersion})`,
    desc.authors.length ? `by ${desc.authors.join(", ")}` : "",
    desc.license ? `license ${desc.license}` : "",
    desc.cite.length ? `cite: ${desc.cite.join("; ")}` : "",
  ]
    .map((part) => part.trim().replace(/\.+$/, ""))
    .filter(Boolean)
    .join(". ")
    .concat(".");
  // Several inputs or outputs cannot be one image in, one image out: datasets hold one key per tensor.
  const generic = desc.inputs.length > 1 || desc.outputs.length > 1;
  return `[project]
name = ${toml(algorithmNameOf(desc))}
version = ${toml(versionOf(desc.version))}

[tool.compox]
algorithm_type = "${generic ? "Generic" : "Image2Image"}"
tags = [${[...desc.tags, "bioimage.io", ...(verification.passed ? [] : ["unverified"])].map(toml).join(", ")}]
description = ${toml(about)}
supported_devices = ["cpu", "gpu"]
default_device = "cpu"
additional_parameters = [
${parametersOf(desc, verification.weights_format)
  .map((p) => `  ${p},\n`)
  .join("")}]
`;
}

/** The model card the window shows (GET /api/v0/algorithm/{name}/{major}/model-card), kept as an asset beside the package. */
export function cardOf(desc: ModelDescription, verification: Verification): ModelCard {
  return {
    name: desc.name,
    version: desc.version,
    format_version: desc.formatVersion,
    description: desc.description,
    authors: desc.authors,
    license: desc.license ?? null,
    tags: desc.tags,
    cite: desc.cite,
    covers: desc.covers.filter((c) => !isUrl(c)),
    documentation: desc.documentation ?? null,
    inputs: desc.inputs.map((t) => t.id),
    outputs: desc.outputs.map((t) => t.id),
    verification,
  };
}

/**
 * Verifies the package in `folder` (described by `descriptionFile`) with the weights that will run
 * (ONNX, else TorchScript or a state dict with `python`) and writes its algorithm folder under
 * `outDir`; returns that folder. With `force`, a package that fails its reproduction test (or
 * whose files changed) is deployed anyway, marked unverified.
 */
export async function algorithmFromModel(folder: string, descriptionFile: string, outDir: string, opts: { python?: string; force?: boolean } = {}): Promise<string> {
  let desc: ModelDescription;
  try {
    desc = readDescription(fs.readFileSync(path.join(folder, descriptionFile), "utf8"), descriptionFile);
  } catch (err) {
    if (isDescriptionProblem(err)) throw new CompoxError("model_invalid", err.message, { file: descriptionFile });
    throw err;
  }
  const verification = await verifyPackage(desc, folder, { python: opts.python, force: opts.force });
  const out = path.join(outDir, algorithmNameOf(desc));
  fs.mkdirSync(path.join(out, "files"), { recursive: true });
  fs.cpSync(folder, path.join(out, "files", "model"), { recursive: true });
  fs.writeFileSync(path.join(out, MODEL_CARD_ASSET), `${JSON.stringify(cardOf(desc, verification), null, 2)}\n`);
  fs.writeFileSync(path.join(out, "pyproject.toml"), pyprojectOf(desc, verification));
  fs.writeFileSync(
    path.join(out, "Runner.ts"),
    `// Generated by Compox Desktop from the bioimage.io model package in files/model/.\nimport { BioimageioRunner } from "compox";\n\nexport class Runner extends BioimageioRunner {\n  protected override description = ${JSON.stringify(`files/model/${descriptionFile}`)};\n  protected override weights = ${JSON.stringify(verification.weights_format)};\n}\n`,
  );
  return out;
}
