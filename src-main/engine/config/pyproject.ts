// Parses an algorithm's pyproject.toml into its validated metadata, collecting every error at once.
import { parse as parseToml } from "smol-toml";
import type { z } from "zod";
import {
  PyprojectSchema,
  TOOL_COMPOX_KEYS,
  VERSION_PATTERN,
  type AlgorithmConfig,
} from "../../contract/algorithm-config.js";
import { ConfigError, type Problem } from "../../contract/errors.js";

export interface ParsedPyproject {
  config: AlgorithmConfig;
  warnings: Problem[];
}

/** Renders a zod issue path the way users write it: `tool.compox.additional_parameters[0].config.min`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out;
}

function issuesToProblems(file: string, issues: readonly z.core.$ZodIssue[]): Problem[] {
  return issues.map((issue) => ({ file, path: formatPath(issue.path), message: issue.message }));
}

/** Parses and validates pyproject.toml text; throws ConfigError listing every problem. */
export function parsePyproject(text: string, file = "pyproject.toml"): ParsedPyproject {
  let raw: Record<string, unknown>;
  try {
    raw = parseToml(text) as Record<string, unknown>;
  } catch (err) {
    const e = err as { line?: number; column?: number; message: string };
    const where = e.line !== undefined ? `line ${e.line}, column ${e.column ?? 0}` : "";
    throw new ConfigError([{ file, path: where, message: `not valid TOML: ${e.message.split("\n")[0]}` }]);
  }
  const result = PyprojectSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(issuesToProblems(file, result.error.issues));

  const { project, tool } = result.data;
  const t = tool.compox;
  const match = VERSION_PATTERN.exec(project.version);
  if (!match) throw new ConfigError([{ file, path: "project.version", message: "unreachable: version already validated" }]);
  const config: AlgorithmConfig = {
    name: project.name,
    version: project.version,
    major: Number(match[1]),
    minor: Number(match[2]),
    algorithm_type: t.algorithm_type,
    tags: t.tags,
    description: t.description,
    supported_devices: [...new Set(t.supported_devices)],
    default_device: t.default_device ?? t.supported_devices[0] ?? "cpu",
    additional_parameters: t.additional_parameters,
    training_parameters: t.training_parameters,
    benchmark_outputs: t.benchmark_outputs,
    trainable: t.trainable,
    removable: t.removable,
    exportable: t.exportable,
    check_importable: t.check_importable,
    obfuscate: t.obfuscate,
  };
  return { config, warnings: collectWarnings(raw, file) };
}

const PARAMETER_KEYS = new Set(["name", "displayed_name", "description", "config"]);
const CONFIG_KEYS = new Set(["type", "default", "min", "max", "step", "options", "adjustable", "decimal_precision"]);

/** Config values Compox 3.2 accepts but that make little sense: warnings here, never errors, so
 * every pyproject Compox deploys deploys here too (what Compox refuses is refused by the schema). */
function rangeProblems(c: Record<string, unknown>): { key: string; message: string }[] {
  const out: { key: string; message: string }[] = [];
  const { min, max, step } = c;
  const value = c.default;
  if (typeof step === "number" && !(step > 0)) out.push({ key: "step", message: `step (${step}) should be > 0; the form ignores it` });
  if (typeof value === "number" && typeof min === "number" && value < min) out.push({ key: "default", message: `default ${value} is below min ${min}` });
  if (typeof value === "number" && typeof max === "number" && value > max) out.push({ key: "default", message: `default ${value} is above max ${max}` });
  return out;
}

/** Things worth telling the author that do not stop a deploy. Runs on input that already validated. */
function collectWarnings(raw: Record<string, unknown>, file: string): Problem[] {
  const warnings: Problem[] = [];
  const warn = (path: string, message: string) => warnings.push({ file, path, message });
  const tool = (raw.tool as Record<string, unknown> | undefined)?.compox as Record<string, unknown> | undefined;
  if (tool === undefined) {
    warn("tool.compox", "no [tool.compox] table: algorithm_type is Undefined and there are no parameters");
    return warnings;
  }
  if (tool.algorithm_type === undefined)
    warn("tool.compox.algorithm_type", 'not set: the algorithm is "Undefined"; set one of Image2Image, Image2Segmentation, …');
  for (const key of Object.keys(tool)) {
    if (!(TOOL_COMPOX_KEYS as readonly string[]).includes(key)) warn(`tool.compox.${key}`, "unknown key, ignored");
  }
  for (const key of ["hash_module", "hash_assets"]) {
    if (key in tool) warn(`tool.compox.${key}`, "deprecated and ignored: identical modules and assets are always stored once");
  }
  if ("pyc_only" in tool) warn("tool.compox.pyc_only", "accepted and ignored: Compox Desktop keeps the sources (it compiles them itself)");
  for (const list of ["additional_parameters", "training_parameters", "benchmark_outputs"]) {
    const params = (tool[list] ?? []) as Record<string, unknown>[];
    params.forEach((p, i) => {
      const at = `tool.compox.${list}[${i}]`;
      for (const key of Object.keys(p)) if (!PARAMETER_KEYS.has(key)) warn(`${at}.${key}`, "unknown key, ignored");
      if (p.description === undefined) warn(`${at}.description`, "missing: the form shows no help for this parameter");
      const config = p.config as Record<string, unknown>;
      for (const key of Object.keys(config)) if (!CONFIG_KEYS.has(key)) warn(`${at}.config.${key}`, "unknown key, ignored");
      if (config.default === undefined) {
        const type = String(config.type);
        const taken = type.endsWith("_enum") ? "the first option" : type.endsWith("_range") ? "min" : type.endsWith("_list") ? "[]" : "the type's zero value";
        warn(`${at}.config.default`, `missing: ${taken} is used`);
      }
      if (String(config.type).endsWith("_list") && Array.isArray(config.options) && config.options.length === 0)
        warn(`${at}.config.options`, "empty: the form shows a free list editor");
      for (const problem of rangeProblems(config)) warn(`${at}.config.${problem.key}`, problem.message);
    });
  }
  return warnings;
}
