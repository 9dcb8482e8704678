// Checks and completes the parameter values of an execution against the algorithm's declared
// parameters: lossless coercion, type, range and membership, and defaults for what is missing.
import type { Parameter, ParameterConfig } from "./algorithm-config.js";

export interface ResolvedParameters {
  values: Record<string, unknown>;
  /** Names the algorithm does not declare: passed through, as Compox does, with a warning. */
  undeclared: string[];
  /** One message per invalid value, naming the parameter and what it accepts. */
  problems: string[];
}

type Coerced = { ok: true; value: unknown } | { ok: false; why: string };

function toInt(v: unknown): Coerced {
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  return typeof n === "number" && Number.isInteger(n) ? { ok: true, value: n } : { ok: false, why: "must be an integer" };
}
function toFloat(v: unknown): Coerced {
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  return typeof n === "number" && Number.isFinite(n) ? { ok: true, value: n } : { ok: false, why: "must be a number" };
}
function toBool(v: unknown): Coerced {
  if (typeof v === "boolean") return { ok: true, value: v };
  if (v === "true" || v === "false") return { ok: true, value: v === "true" };
  return { ok: false, why: "must be true or false" };
}
function toStr(v: unknown): Coerced {
  if (typeof v === "string") return { ok: true, value: v };
  if (typeof v === "number" || typeof v === "boolean") return { ok: true, value: String(v) };
  return { ok: false, why: "must be a string" };
}

function element(type: ParameterConfig["type"]): (v: unknown) => Coerced {
  if (type.startsWith("int")) return toInt;
  if (type.startsWith("float")) return toFloat;
  if (type.startsWith("bool")) return toBool;
  return toStr;
}

/** Coerces and checks one value; returns the value to use or why it is refused. */
export function checkValue(config: ParameterConfig, raw: unknown): Coerced {
  const coerce = element(config.type);
  switch (config.type) {
    case "string":
    case "int":
    case "bool":
    case "float":
      return coerce(raw);
    case "int_range":
    case "float_range": {
      const c = coerce(raw);
      if (!c.ok) return c;
      const n = c.value as number;
      return n < config.min || n > config.max ? { ok: false, why: `${n} is outside [${config.min}, ${config.max}]` } : c;
    }
    case "string_enum":
    case "int_enum":
    case "float_enum": {
      const c = coerce(raw);
      const options = config.options as unknown[];
      if (!c.ok || !options.includes(c.value)) return { ok: false, why: `must be one of ${JSON.stringify(options)}` };
      return c;
    }
    case "string_list":
    case "int_list":
    case "bool_list":
    case "float_list": {
      if (!Array.isArray(raw)) return { ok: false, why: "must be a list" };
      const out: unknown[] = [];
      for (const [i, item] of raw.entries()) {
        const c = coerce(item);
        if (!c.ok) return { ok: false, why: `item ${i + 1}: ${c.why}` }; // counted from 1, as people count
        out.push(c.value);
      }
      return { ok: true, value: out };
    }
  }
}

/** Resolves the values sent for an execution against the declared parameters. */
export function resolveParameters(declared: readonly Parameter[], given: Readonly<Record<string, unknown>> | null | undefined): ResolvedParameters {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  const sent = given ?? {};
  for (const p of declared) {
    if (!(p.name in sent) || sent[p.name] === null || sent[p.name] === undefined) {
      values[p.name] = p.config.default;
      continue;
    }
    const c = checkValue(p.config, sent[p.name]);
    if (c.ok) values[p.name] = c.value;
    else problems.push(`${p.name}: got ${JSON.stringify(sent[p.name])}; ${c.why}`);
  }
  const names = new Set(declared.map((p) => p.name));
  const undeclared = Object.keys(sent).filter((k) => !names.has(k));
  for (const k of undeclared) values[k] = sent[k];
  return { values, undeclared, problems };
}
