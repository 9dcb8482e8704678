// Property-based fuzzing of the pyproject parser: whatever the text, it returns a config or throws
// a ConfigError naming problems — never anything else, never a crash.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { stringify } from "smol-toml";
import { ConfigError } from "../../contract/errors.js";
import { parsePyproject } from "./pyproject.js";

function parsesOrExplains(text: string): void {
  try {
    parsePyproject(text);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `unexpected ${(err as Error).name}: ${(err as Error).message}`);
    assert.ok(err.problems.length > 0 && err.problems.every((p) => p.file && p.message));
  }
}

const value = fc.letrec((tie) => ({
  leaf: fc.oneof(fc.string(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constantFrom("float_range", "int_enum", "string_list", "Image2Image", "cpu", "gpu")),
  node: fc.oneof({ depthSize: "small" }, tie("leaf"), fc.array(tie("leaf"), { maxLength: 4 }), fc.dictionary(fc.constantFrom("type", "default", "min", "max", "step", "options", "name", "config", "adjustable", "decimal_precision", "x"), tie("node"), { maxKeys: 6 })),
})).node;

test("arbitrary text never crashes the parser", () => {
  fc.assert(fc.property(fc.string({ maxLength: 300 }), parsesOrExplains), { numRuns: 500 });
});

test("arbitrary TOML tables in the pyproject shape never crash the parser", () => {
  const doc = fc.record({
    project: fc.record({ name: fc.oneof(fc.string(), fc.constant("ok_name")), version: fc.oneof(fc.string(), fc.constantFrom("1.0", "2.3.4", "1")) }, { requiredKeys: [] }),
    tool: fc.record({
      compox: fc.record({
        algorithm_type: value,
        supported_devices: value,
        default_device: value,
        additional_parameters: fc.array(fc.dictionary(fc.constantFrom("name", "config", "description", "displayed_name"), value, { maxKeys: 4 }), { maxLength: 3 }),
        removable: value,
      }, { requiredKeys: [] }),
    }),
  }, { requiredKeys: [] });
  fc.assert(fc.property(doc, (d) => parsesOrExplains(stringify(d as Record<string, unknown>))), { numRuns: 500 });
});
