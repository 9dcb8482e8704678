// How each parameter type is shown in a generated form: one mapping table for the 13 types, shared
// by the window and its tests. Values are checked with the same rules as the engine's.
import type { Parameter } from "./algorithm-config.js";
import { checkValue } from "./parameter-values.js";

export type Widget =
  | { kind: "text" }
  | { kind: "integer" }
  | { kind: "float"; step: number; decimals?: number }
  | { kind: "switch" }
  | { kind: "slider"; min: number; max: number; step: number; decimals?: number; integer: boolean }
  | { kind: "select"; options: unknown[] }
  | { kind: "preset-list"; presets: unknown[][] }
  | { kind: "list-editor"; element: "string" | "int" | "bool" | "float" };

/** The widget of a parameter. Exhaustive: a new type breaks the build here. */
export function widgetFor(p: Parameter): Widget {
  const c = p.config;
  switch (c.type) {
    case "string":
      return { kind: "text" };
    case "int":
      return { kind: "integer" };
    case "bool":
      return { kind: "switch" };
    case "float":
      return { kind: "float", step: c.decimal_precision !== undefined ? 10 ** -c.decimal_precision : 0.1, decimals: c.decimal_precision };
    case "int_range":
      return { kind: "slider", min: c.min, max: c.max, step: c.step, integer: true };
    case "float_range":
      return { kind: "slider", min: c.min, max: c.max, step: c.step, decimals: c.decimal_precision, integer: false };
    case "string_enum":
    case "int_enum":
    case "float_enum":
      return { kind: "select", options: c.options };
    case "string_list":
    case "int_list":
    case "bool_list":
    case "float_list":
      return c.options && c.options.length > 0 ? { kind: "preset-list", presets: c.options } : { kind: "list-editor", element: c.type.replace("_list", "") as "string" };
  }
}

/** A number as the form shows it: with `decimals` digits when the parameter gives a precision. */
export function formatNumber(value: number, decimals?: number): string {
  return decimals === undefined ? String(value) : value.toFixed(decimals);
}

/** Parses what the user typed into the parameter's value, or says what is wrong. */
export function parseInput(p: Parameter, raw: unknown): { ok: true; value: unknown } | { ok: false; message: string } {
  let value = raw;
  if (p.config.type.endsWith("_list") && typeof raw === "string") {
    const text = raw.trim();
    value = text === "" ? [] : text.split(",").map((s) => s.trim());
  }
  const r = checkValue(p.config, value);
  return r.ok ? r : { ok: false, message: r.why };
}
