import assert from "node:assert/strict";
import { test } from "node:test";
import { ParameterSchema, type Parameter } from "./algorithm-config.js";
import { resolveParameters } from "./parameter-values.js";

const p = (name: string, config: Record<string, unknown>): Parameter => ParameterSchema.parse({ name, config });
const declared = [
  p("weight", { type: "float_range", default: 0.1, min: 0, max: 1, step: 0.05 }),
  p("iters", { type: "int", default: 10 }),
  p("mode", { type: "string_enum", default: "otsu", options: ["otsu", "li"] }),
  p("k", { type: "int_enum", default: 1, options: [1, 3, 5] }),
  p("on", { type: "bool", default: false }),
  p("name", { type: "string", default: "x" }),
  p("sigmas", { type: "float_list", default: [1.0] }),
];

test("missing values get their defaults", () => {
  const r = resolveParameters(declared, {});
  assert.deepEqual(r.values, { weight: 0.1, iters: 10, mode: "otsu", k: 1, on: false, name: "x", sigmas: [1.0] });
  assert.deepEqual(r.problems, []);
});

test("lossless coercion: numeric strings, 'true', integral floats", () => {
  const r = resolveParameters(declared, { weight: "0.5", iters: "7", k: "3", on: "true", name: 12, sigmas: ["0.5", 2] });
  assert.deepEqual(r.problems, []);
  assert.deepEqual([r.values.weight, r.values.iters, r.values.k, r.values.on, r.values.name, r.values.sigmas], [0.5, 7, 3, true, "12", [0.5, 2]]);
  assert.equal(resolveParameters(declared, { iters: 4.0 }).values.iters, 4);
});

test("invalid values are named with what is allowed", () => {
  const r = resolveParameters(declared, { weight: 1.5, iters: 2.5, mode: "yen", k: 2, on: "yes", sigmas: "1" });
  assert.deepEqual(r.problems, [
    "weight: got 1.5; 1.5 is outside [0, 1]",
    "iters: got 2.5; must be an integer",
    'mode: got "yen"; must be one of ["otsu","li"]',
    "k: got 2; must be one of [1,3,5]",
    'on: got "yes"; must be true or false',
    'sigmas: got "1"; must be a list',
  ]);
});

test("undeclared names pass through and are reported", () => {
  const r = resolveParameters(declared, { extra: { a: 1 } });
  assert.deepEqual(r.undeclared, ["extra"]);
  assert.deepEqual(r.values.extra, { a: 1 });
});

test("a bad list item is named, counted from 1", () => {
  const r = resolveParameters([p("sizes", { type: "float_list", default: [] })], { sizes: ["1.5", "x", "2"] });
  assert.match(r.problems[0] ?? "", /^sizes: got \["1\.5","x","2"\]; item 2: /);
});
