// A bioimage.io model package (a folder, or a zip already unpacked) deployed as an algorithm: its
// description is read (spec 0.4 or 0.5), the package is verified (verify.ts), and an algorithm
// folder is written for the deployer — a pyproject.toml from the description, a Runner that
// extends the SDK's BioimageioRunner, and the whole package as assets under files/model/.
import fs from "node:fs";
import path from "node:path";
import { CompoxError } from "../../contract/errors.js";
import { describesModel, isDescriptionFile, isDescriptionProblem, readDescription, type ModelDescription } from "../sdk/bioimageio/description.js";
import { tileSide } from "../sdk/bioimageio/predict.js";
import { verifyPackage, type VerifyReport } from "./verify.js";

/** Which description file of `folder` describes a model (bioimageio.yaml, then rdf.yaml, then a single *.bioimageio.yaml); undefined when none does. */
export function modelDescriptionIn(folder: string): string | undefined {
  if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory() || fs.existsSync(path.join(folder, "pyproject.toml"))) return undefined;
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

/** The pyproject.toml of a model's algorithm. */
export function pyprojectOf(desc: ModelDescription): string {
  const input = desc.inputs[0]!;
  const flexible = input.axes.some((a) => a.type === "space" && typeof a.size === "object" && "min" in a.size);
  const side = Math.max(...input.axes.filter((a) => a.type === "space").map((a) => tileSide(a, 512, 512)));
  const about = [
    desc.description,
    `bioimage.io model "${desc.name}" ${desc.version} (spec ${desc.formatVersion})`,
    desc.authors.length ? `by ${desc.authors.join(", ")}` : "",
    desc.license ? `license ${desc.license}` : "",
    desc.cite.length ? `cite: ${desc.cite.join("; ")}` : "",
  ]
    .filter(Boolean)
    .join(". ");
  const params = flexible
    ? `additional_parameters = [
  { name = "tile_size", displayed_name = "Tile size", description = "Pixels per tile side (the model's halo is added around each); larger tiles are faster but need more memory.", config = { type = "int_range", default = ${side}, min = 16, max = 8192, step = 1, adjustable = true } },
]
`
    : "";
  return `[project]
name = ${toml(algorithmNameOf(desc))}
version = ${toml(versionOf(desc.version))}

[tool.compox]
algorithm_type = "Image2Image"
tags = [${[...desc.tags, "bioimage.io"].map(toml).join(", ")}]
description = ${toml(about)}
supported_devices = ["cpu", "gpu"]
default_device = "cpu"
${params}`;
}

/**
 * Verifies the package in `folder` (described by `descriptionFile`) and writes its algorithm
 * folder under `outDir`; returns that folder and what the reproduction test found.
 */
export async function algorithmFromModel(folder: string, descriptionFile: string, outDir: string): Promise<{ folder: string; report: VerifyReport; description: ModelDescription }> {
  let desc: ModelDescription;
  try {
    desc = readDescription(fs.readFileSync(path.join(folder, descriptionFile), "utf8"), descriptionFile);
  } catch (err) {
    if (isDescriptionProblem(err)) throw new CompoxError("model_invalid", err.message, { file: descriptionFile });
    throw err;
  }
  for (const o of desc.outputs)
    for (const a of o.axes)
      if (a.type === "space" && typeof a.size === "object" && "tensor" in a.size && (a.size.scale !== 1 || a.size.offset !== 0))
        throw new CompoxError("model_invalid", `${descriptionFile}: outputs (${o.id}): axis ${a.id} is ${a.size.scale}× the input's plus ${a.size.offset}: outputs of another size than the input are not supported yet`);
  const report = await verifyPackage(desc, folder);
  const out = path.join(outDir, algorithmNameOf(desc));
  fs.mkdirSync(path.join(out, "files"), { recursive: true });
  fs.cpSync(folder, path.join(out, "files", "model"), { recursive: true });
  fs.writeFileSync(path.join(out, "pyproject.toml"), pyprojectOf(desc));
  fs.writeFileSync(
    path.join(out, "Runner.ts"),
    `// Generated by Compox Desktop from the bioimage.io model package in files/model/.\nimport { BioimageioRunner } from "compox";\n\nexport class Runner extends BioimageioRunner {\n  protected override description = ${JSON.stringify(`files/model/${descriptionFile}`)};\n}\n`,
  );
  return { folder: out, report, description: desc };
}
