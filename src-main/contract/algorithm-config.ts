// The algorithm folder's pyproject.toml as one zod schema: types, validation errors and the
// generated forms all come from here (SPEC section 2).
import { z } from "zod";

export const ALGORITHM_TYPES = [
  "Image2Image",
  "Image2Embedding",
  "Image2Segmentation",
  "Image2Alignment",
  "Image2MultiRegionSegmentation",
  "Segmentation2Segmentation",
  "Generic",
  "Undefined",
] as const;
export type AlgorithmType = (typeof ALGORITHM_TYPES)[number];

export const DEVICES = ["cpu", "gpu", "mps"] as const;
export type Device = (typeof DEVICES)[number];

export const PARAMETER_TYPES = [
  "string",
  "int",
  "bool",
  "float",
  "int_range",
  "float_range",
  "string_enum",
  "int_enum",
  "float_enum",
  "string_list",
  "int_list",
  "bool_list",
  "float_list",
] as const;
export type ParameterType = (typeof PARAMETER_TYPES)[number];

export const FLOAT_TYPES = ["float", "float_range", "float_enum", "float_list"] as const;

const int = () => z.number({ error: "must be an integer" }).int({ error: "must be an integer" });
const num = () => z.number({ error: "must be a number" });
const str = (required = "is required") =>
  z.string({ error: (issue) => (issue.input === undefined ? required : "must be a string") });
const bool = () => z.boolean({ error: "must be true or false" });

const adjustable = bool().default(false);
const decimalPrecision = int()
  .min(0, { error: "must be an integer ≥ 0" })
  .optional();

// Compox 3.2 accepts min, max, step and options on every type (its template puts min/max on a
// float): they are kept and returned, and the form uses them where they make sense.
function scalarConfig<T extends "string" | "int" | "bool" | "float", V extends z.ZodType>(type: T, value: V) {
  return z.looseObject({
    type: z.literal(type),
    default: value.optional(),
    adjustable,
    decimal_precision: decimalPrecision,
    min: num().optional(),
    max: num().optional(),
    step: num().optional(),
    options: z.array(z.unknown(), { error: "must be a list" }).optional(),
  });
}

function rangeConfig<T extends "int_range" | "float_range">(type: T, value: () => z.ZodNumber) {
  return z
    .looseObject({
      type: z.literal(type),
      default: value().optional(),
      min: value(),
      max: value(),
      step: value(),
      adjustable,
      decimal_precision: decimalPrecision,
    });
}

function enumConfig<T extends "string_enum" | "int_enum" | "float_enum", V extends z.ZodType>(type: T, value: () => V) {
  return z
    .looseObject({
      type: z.literal(type),
      default: value().optional(),
      options: z.array(value(), { error: "must be a list" }).min(1, { error: "must be a non-empty list of options" }),
      adjustable,
      decimal_precision: decimalPrecision,
    });
}

function listConfig<T extends "string_list" | "int_list" | "bool_list" | "float_list", V extends z.ZodType>(type: T, value: () => V) {
  const list = () => z.array(value(), { error: "must be a list" });
  return z.looseObject({
    type: z.literal(type),
    default: list().optional(),
    // Each option is a preset list the user may pick; none means a free list editor.
    options: z.array(list(), { error: "must be a list of preset lists" }).optional(),
    adjustable,
    decimal_precision: decimalPrecision,
  });
}

/** `config` of one parameter: a union discriminated by `type`. */
export const ParameterConfigSchema = z.discriminatedUnion(
  "type",
  [
    scalarConfig("string", str()),
    scalarConfig("int", int()),
    scalarConfig("bool", bool()),
    scalarConfig("float", num()),
    rangeConfig("int_range", int),
    rangeConfig("float_range", num),
    enumConfig("string_enum", str),
    enumConfig("int_enum", int),
    enumConfig("float_enum", num),
    listConfig("string_list", str),
    listConfig("int_list", int),
    listConfig("bool_list", bool),
    listConfig("float_list", num),
  ],
  { error: `type must be one of ${PARAMETER_TYPES.join(", ")}` },
).superRefine((c, ctx) => {
  // What Compox 3.2 refuses beyond the shapes above (its own words); what it does not check
  // (step > 0, a default within [min, max], list element types) only warns (config/pyproject.ts).
  if ((c.type === "int_range" || c.type === "float_range") && !(c.min < c.max))
    ctx.addIssue({ code: "custom", path: ["min"], message: `Min value must be less than max value for range type '${c.type}' (min ${c.min}, max ${c.max})` });
  if (c.decimal_precision !== undefined && !(FLOAT_TYPES as readonly string[]).includes(c.type))
    ctx.addIssue({ code: "custom", path: ["decimal_precision"], message: `decimal_precision can only be used with float parameter types (${FLOAT_TYPES.join(", ")}); remove it from this ${c.type}` });
  if ((c.type === "string_enum" || c.type === "int_enum" || c.type === "float_enum") && c.default !== undefined && !(c.options as unknown[]).includes(c.default))
    ctx.addIssue({ code: "custom", path: ["default"], message: `Default value ${JSON.stringify(c.default)} must be one of the options for enum type '${c.type}'. The options are: ${JSON.stringify(c.options)}` });
});
export type ParameterConfigInput = z.input<typeof ParameterConfigSchema>;

/** The value a parameter takes when its config names no default. */
export function fallbackDefault(config: z.output<typeof ParameterConfigSchema>): unknown {
  switch (config.type) {
    case "string":
      return "";
    case "int":
    case "float":
      return 0;
    case "bool":
      return false;
    case "int_range":
    case "float_range":
      return config.min;
    case "string_enum":
    case "int_enum":
    case "float_enum":
      return config.options[0];
    case "string_list":
    case "int_list":
    case "bool_list":
    case "float_list":
      return [];
  }
}

/** `displayed_name` when none is given: `denoising_weight` → `Denoising weight`. */
export function deriveDisplayedName(name: string): string {
  const spaced = name.replace(/[_-]/g, " ");
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

/** One entry of `additional_parameters` / `training_parameters`, with derived fields filled in. */
export const ParameterSchema = z
  .looseObject({
    name: str().regex(/^\S+$/, { error: "must be a non-empty name without spaces" }),
    displayed_name: str().optional(),
    description: str().optional(),
    config: ParameterConfigSchema,
  })
  .transform((p) => {
    const config = { ...p.config, default: p.config.default ?? fallbackDefault(p.config) };
    return {
      name: p.name,
      displayed_name: p.displayed_name ?? deriveDisplayedName(p.name),
      description: p.description ?? "",
      config,
    };
  });
export type Parameter = z.output<typeof ParameterSchema>;
export type ParameterConfig = Parameter["config"];

const parameterList = z.array(ParameterSchema, { error: "must be a list of parameter tables" }).default([]);

/** Keys accepted in `[tool.compox]`; any other key warns and is ignored. */
export const TOOL_COMPOX_KEYS = [
  "algorithm_type",
  "tags",
  "description",
  "supported_devices",
  "default_device",
  "additional_parameters",
  "training_parameters",
  "benchmark_outputs",
  "trainable",
  "removable",
  "exportable",
  "check_importable",
  "obfuscate",
  "hash_module",
  "hash_assets",
  "pyc_only",
] as const;

export const ToolCompoxSchema = z
  .looseObject({
    algorithm_type: z.enum(ALGORITHM_TYPES, { error: `must be one of ${ALGORITHM_TYPES.join(", ")}` }).default("Undefined"),
    tags: z.array(str(), { error: "must be a list of strings" }).default([]),
    description: str().default(""),
    supported_devices: z
      .array(z.enum(DEVICES, { error: `must be one of ${DEVICES.join(", ")}` }), { error: "must be a list" })
      .min(1, { error: "must name at least one device" })
      .default(["cpu"]),
    default_device: z.enum(DEVICES, { error: `must be one of ${DEVICES.join(", ")}` }).optional(),
    additional_parameters: parameterList,
    training_parameters: parameterList,
    /** Describes the keys of the dict a benchmark returns (Compox 3.2); stored and returned only. */
    benchmark_outputs: parameterList,
    trainable: bool().default(false),
    removable: bool().default(false),
    exportable: bool().default(true),
    check_importable: bool().default(false),
    obfuscate: bool().default(true),
    hash_module: bool().optional(),
    hash_assets: bool().optional(),
    pyc_only: bool().optional(),
  })
  .superRefine((t, ctx) => {
    const device = t.default_device ?? t.supported_devices[0];
    if (device !== undefined && !t.supported_devices.includes(device))
      ctx.addIssue({ code: "custom", path: ["default_device"], message: `"${device}" must be one of supported_devices ${JSON.stringify(t.supported_devices)}` });
    for (const key of ["additional_parameters", "training_parameters", "benchmark_outputs"] as const) {
      const seen = new Set<string>();
      t[key].forEach((p, i) => {
        if (seen.has(p.name)) ctx.addIssue({ code: "custom", path: [key, i, "name"], message: `duplicate parameter name "${p.name}"` });
        seen.add(p.name);
      });
    }
  });

export const VERSION_PATTERN = /^(\d+)\.(\d+)(?:\.(\d+))?$/;

export const PyprojectSchema = z.looseObject({
  project: z.looseObject(
    {
      name: str('is required: add name = "my_algorithm" under [project]').regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, {
        error: "must be a name without spaces (letters, digits, '.', '_' or '-')",
      }),
      version: str('is required: add version = "1.0.0" under [project]')
        .regex(VERSION_PATTERN, { error: 'must be "major.minor" or "major.minor.patch", e.g. "1.0.0"' })
        .refine((v) => v.split(".").every((n) => Number.isSafeInteger(Number(n))), { error: `has a number over ${Number.MAX_SAFE_INTEGER}: versions are stored as exact integers; use a smaller one` }),
    },
    { error: "the [project] table with name and version is required" },
  ),
  tool: z
    .looseObject({ compox: ToolCompoxSchema.default(ToolCompoxSchema.parse({})) })
    .default({ compox: ToolCompoxSchema.parse({}) }),
});

/** The validated, defaulted metadata of one algorithm version. */
export interface AlgorithmConfig {
  name: string;
  version: string;
  major: number;
  minor: number;
  algorithm_type: AlgorithmType;
  tags: string[];
  description: string;
  supported_devices: Device[];
  default_device: Device;
  additional_parameters: Parameter[];
  training_parameters: Parameter[];
  benchmark_outputs: Parameter[];
  trainable: boolean;
  removable: boolean;
  exportable: boolean;
  check_importable: boolean;
  obfuscate: boolean;
}
