import assert from "node:assert/strict";
import { test } from "node:test";
import { ParameterSchema } from "./algorithm-config.js";
import { formatNumber, parseInput, widgetFor } from "./parameter-form.js";

const p = (config: Record<string, unknown>) => ParameterSchema.parse({ name: "x", config });

test("one widget per type", () => {
  assert.deepEqual(widgetFor(p({ type: "string", default: "" })), { kind: "text" });
  assert.deepEqual(widgetFor(p({ type: "int", default: 1 })), { kind: "integer" });
  assert.deepEqual(widgetFor(p({ type: "bool", default: true })), { kind: "switch" });
  assert.deepEqual(widgetFor(p({ type: "float", default: 1, decimal_precision: 3 })), { kind: "float", step: 0.001, decimals: 3 });
  assert.deepEqual(widgetFor(p({ type: "float_range", default: 0.1, min: 0, max: 1, step: 0.05, decimal_precision: 2 })), { kind: "slider", min: 0, max: 1, step: 0.05, decimals: 2, integer: false });
  assert.deepEqual(widgetFor(p({ type: "int_enum", default: 1, options: [1, 2] })), { kind: "select", options: [1, 2] });
  assert.deepEqual(widgetFor(p({ type: "int_list", default: [1], options: [[1], [1, 2]] })), { kind: "preset-list", presets: [[1], [1, 2]] });
  assert.deepEqual(widgetFor(p({ type: "float_list", default: [], options: [] })), { kind: "list-editor", element: "float" });
});

test("floats show decimal_precision digits; typed input is checked like the engine does", () => {
  assert.equal(formatNumber(0.1, 2), "0.10");
  assert.equal(formatNumber(0.1), "0.1");
  const range = p({ type: "float_range", default: 0.1, min: 0, max: 1, step: 0.05 });
  assert.deepEqual(parseInput(range, "0.5"), { ok: true, value: 0.5 });
  assert.deepEqual(parseInput(range, "2"), { ok: false, message: "2 is outside [0, 1]" });
  assert.deepEqual(parseInput(p({ type: "int_list", default: [] }), "1, 2,3"), { ok: true, value: [1, 2, 3] });
  assert.equal(parseInput(p({ type: "int_list", default: [] }), "1, a").ok, false);
});
