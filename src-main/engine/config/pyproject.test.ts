import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ConfigError } from "../../contract/errors.js";
import { parsePyproject } from "./pyproject.js";

const head = '[project]\nname = "alg"\nversion = "1.2.3"\n\n[tool.compox]\nalgorithm_type = "Image2Image"\n';

/** Parses a pyproject whose only parameter has the given inline config. */
function withParam(config: string, extra = ""): ReturnType<typeof parsePyproject> {
  return parsePyproject(`${head}additional_parameters = [ { name = "p", description = "d", ${extra}config = { ${config} } } ]\n`);
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems.map((p) => `${p.path}: ${p.message}`);
  }
  assert.fail("expected a ConfigError");
}

describe("project table", () => {
  test("name and version give major and minor; patch is ignored", () => {
    const { config } = parsePyproject(head);
    assert.deepEqual([config.name, config.major, config.minor], ["alg", 1, 2]);
    assert.equal(parsePyproject(head.replace("1.2.3", "4.0")).config.minor, 0);
  });
  test("names with spaces are refused", () => {
    assert.match(problemsOf(() => parsePyproject(head.replace('"alg"', '"my alg"')))[0] ?? "", /^project\.name: must be a name without spaces/);
  });
  test("a version without a minor segment is refused", () => {
    assert.match(problemsOf(() => parsePyproject(head.replace("1.2.3", "1")))[0] ?? "", /^project\.version: must be "major\.minor"/);
  });
});

describe("tool.compox", () => {
  test("defaults: Undefined type (warns), cpu, not removable, exportable, no parameters", () => {
    const { config, warnings } = parsePyproject('[project]\nname = "a"\nversion = "1.0"\n[tool.compox]\n');
    assert.equal(config.algorithm_type, "Undefined");
    assert.deepEqual(config.supported_devices, ["cpu"]);
    assert.equal(config.default_device, "cpu");
    assert.deepEqual([config.removable, config.exportable, config.trainable, config.check_importable], [false, true, false, false]);
    assert.deepEqual(config.additional_parameters, []);
    assert.ok(warnings.some((w) => w.path === "tool.compox.algorithm_type"));
  });
  test("every algorithm type is accepted and an unknown one is refused", () => {
    for (const t of ["Image2Image", "Image2Embedding", "Image2Segmentation", "Image2Alignment", "Segmentation2Segmentation", "Generic", "Undefined"])
      assert.equal(parsePyproject(head.replace("Image2Image", t)).config.algorithm_type, t);
    assert.match(problemsOf(() => parsePyproject(head.replace("Image2Image", "Image2Music")))[0] ?? "", /algorithm_type: must be one of/);
  });
  test("default_device must be one of supported_devices", () => {
    assert.equal(parsePyproject(`${head}supported_devices = ["cpu", "gpu"]\ndefault_device = "gpu"\n`).config.default_device, "gpu");
    assert.match(problemsOf(() => parsePyproject(`${head}supported_devices = ["cpu"]\ndefault_device = "gpu"\n`))[0] ?? "", /^tool\.compox\.default_device: "gpu" must be one of supported_devices/);
    assert.match(problemsOf(() => parsePyproject(`${head}supported_devices = ["tpu"]\n`))[0] ?? "", /supported_devices\[0\]: must be one of cpu, gpu, mps/);
  });
  test("unknown keys warn; hash_module and hash_assets are deprecated warnings", () => {
    const { warnings } = parsePyproject(`${head}colour = "red"\nhash_module = true\nhash_assets = false\n`);
    assert.deepEqual(
      warnings.map((w) => w.path),
      ["tool.compox.colour", "tool.compox.hash_module", "tool.compox.hash_assets"],
    );
  });
  test("trainable, removable, exportable, check_importable, obfuscate are read", () => {
    const { config } = parsePyproject(`${head}trainable = true\nremovable = true\nexportable = false\ncheck_importable = true\nobfuscate = false\n`);
    assert.deepEqual([config.trainable, config.removable, config.exportable, config.check_importable, config.obfuscate], [true, true, false, true, false]);
  });
  test("training_parameters use the same schema", () => {
    const { config } = parsePyproject(`${head}training_parameters = [ { name = "epochs", config = { type = "int_range", default = 5, min = 1, max = 100, step = 1 } } ]\n`);
    assert.equal(config.training_parameters[0]?.displayed_name, "Epochs");
    assert.match(problemsOf(() => parsePyproject(`${head}training_parameters = [ { name = "e", config = { type = "int", default = "x" } } ]\n`))[0] ?? "", /^tool\.compox\.training_parameters\[0\]\.config\.default: must be an integer/);
  });
  test("duplicate parameter names are refused", () => {
    const text = `${head}additional_parameters = [ { name = "a", config = { type = "int", default = 1 } }, { name = "a", config = { type = "int", default = 2 } } ]\n`;
    assert.match(problemsOf(() => parsePyproject(text))[0] ?? "", /additional_parameters\[1\]\.name: duplicate parameter name "a"/);
  });
});

describe("parameters", () => {
  test("displayed_name is derived from name; description defaults to '' with a warning", () => {
    const { config, warnings } = parsePyproject(`${head}additional_parameters = [ { name = "denoising_weight", config = { type = "float", default = 0.1 } }, { name = "max-iter", displayed_name = "Iterations", config = { type = "int", default = 1 } } ]\n`);
    assert.equal(config.additional_parameters[0]?.displayed_name, "Denoising weight");
    assert.equal(config.additional_parameters[0]?.description, "");
    assert.equal(config.additional_parameters[1]?.displayed_name, "Iterations");
    assert.ok(warnings.some((w) => w.path === "tool.compox.additional_parameters[0].description"));
  });
  test("adjustable defaults to false", () => {
    assert.equal(withParam('type = "int", default = 1').config.additional_parameters[0]?.config.adjustable, false);
    assert.equal(withParam('type = "int", default = 1, adjustable = true').config.additional_parameters[0]?.config.adjustable, true);
  });
  test("every one of the 13 types accepts a valid config", () => {
    const valid = [
      'type = "string", default = "a"',
      'type = "int", default = 3',
      'type = "bool", default = true',
      'type = "float", default = 0.5, decimal_precision = 1',
      'type = "int_range", default = 3, min = 0, max = 10, step = 1',
      'type = "float_range", default = 0.1, min = 0.0, max = 1.0, step = 0.05, decimal_precision = 2',
      'type = "string_enum", default = "b", options = ["a", "b"]',
      'type = "int_enum", default = 2, options = [1, 2]',
      'type = "float_enum", default = 0.5, options = [0.25, 0.5], decimal_precision = 2',
      'type = "string_list", default = ["a"], options = [["a"], ["a", "b"]]',
      'type = "int_list", default = [1, 2]',
      'type = "bool_list", default = [true, false], options = []',
      'type = "float_list", default = [0.5], decimal_precision = 3',
    ];
    for (const config of valid) assert.doesNotThrow(() => withParam(config), config);
  });
  test("a float accepts an integer default (TOML 1 for 1.0)", () => {
    assert.equal(withParam('type = "float", default = 1').config.additional_parameters[0]?.config.default, 1);
  });
  test("an unknown type is refused, listing the 13", () => {
    assert.match(problemsOf(() => withParam('type = "complex"'))[0] ?? "", /config\.type: type must be one of string, int, bool, float, int_range/);
  });
  test("default must match the type", () => {
    const cases: [string, RegExp][] = [
      ['type = "string", default = 1', /config\.default: must be a string/],
      ['type = "int", default = 1.5', /config\.default: must be an integer/],
      ['type = "bool", default = "yes"', /config\.default: must be true or false/],
      ['type = "float", default = "x"', /config\.default: must be a number/],
      ['type = "int_list", default = 1', /config\.default: must be a list/],
      ['type = "string_list", default = [1]', /config\.default\[0\]: must be a string/],
    ];
    for (const [config, expected] of cases) assert.match(problemsOf(() => withParam(config)).join("\n"), expected, config);
  });
  test("a missing default warns; enums take the first option, ranges min, lists []", () => {
    const e = withParam('type = "int_enum", options = [4, 5]');
    assert.equal(e.config.additional_parameters[0]?.config.default, 4);
    assert.ok(e.warnings.some((w) => /config\.default/.test(w.path) && /first option/.test(w.message)));
    assert.equal(withParam('type = "float_range", min = 0.2, max = 1.0, step = 0.1').config.additional_parameters[0]?.config.default, 0.2);
    assert.deepEqual(withParam('type = "bool_list"').config.additional_parameters[0]?.config.default, []);
    assert.equal(withParam('type = "string"').config.additional_parameters[0]?.config.default, "");
  });
  // Compox 3.2 deploys these; so do we, with a warning that names the field.
  const warned = (config: string, path: string, message: RegExp) => {
    const { warnings } = withParam(config);
    assert.ok(warnings.some((w) => w.path === `tool.compox.additional_parameters[0].config.${path}` && message.test(w.message)), JSON.stringify(warnings));
  };
  // Compox 3.2 refuses these; so do we, in its words.
  test("a range with min >= max is refused, as Compox refuses it", () => {
    assert.match(problemsOf(() => withParam('type = "int_range", default = 1, min = 5, max = 5, step = 1')).join("\n"), /config\.min: Min value must be less than max value for range type 'int_range'/);
    assert.match(problemsOf(() => withParam('type = "float_range", default = 1.0, min = 2.0, max = 1.0, step = 0.5')).join("\n"), /config\.min: Min value must be less than max value for range type 'float_range'/);
    // int and float keep min/max unchecked, as in Compox's own template.
    assert.equal(withParam('type = "float", default = 0.5, min = 1.0, max = 0.0').config.additional_parameters.length, 1);
  });
  test("ranges need min, max and step of the type", () => {
    const text = problemsOf(() => withParam('type = "int_range", default = 1, min = 0.5, max = 5, step = 1')).join("\n");
    assert.match(text, /config\.min: must be an integer/);
    assert.match(problemsOf(() => withParam('type = "float_range", default = 1.0, max = 5.0, step = 1.0')).join("\n"), /config\.min: must be a number/);
  });
  test("a step <= 0 deploys, with a warning", () => {
    warned('type = "float_range", default = 0.5, min = 0.0, max = 1.0, step = 0.0', "step", /step \(0\) should be > 0/);
  });
  test("a default outside min and max deploys, with a warning (float with min/max as in Compox's template too)", () => {
    warned('type = "float_range", default = 1.5, min = 0.0, max = 1.0, step = 0.1', "default", /default 1\.5 is above max 1/);
    warned('type = "float", default = -1.0, min = 0.0, max = 1.0', "default", /default -1 is below min 0/);
    assert.equal((withParam('type = "float", default = 0.5, min = 0.0, max = 1.0').config.additional_parameters[0]?.config as { max?: number } | undefined)?.max, 1);
  });
  test("enums need non-empty options of the type", () => {
    assert.match(problemsOf(() => withParam('type = "string_enum", default = "a", options = []')).join("\n"), /config\.options: must be a non-empty list/);
    assert.match(problemsOf(() => withParam('type = "int_enum", default = 1, options = [1, "2"]')).join("\n"), /config\.options\[1\]: must be an integer/);
  });
  test("an enum default that is not an option is refused, as Compox refuses it", () => {
    assert.match(problemsOf(() => withParam('type = "string_enum", default = "c", options = ["a", "b"]')).join("\n"), /config\.default: Default value "c" must be one of the options for enum type 'string_enum'. The options are: \["a","b"\]/);
  });
  test("list options are preset lists of the element type; empty options warn", () => {
    assert.match(problemsOf(() => withParam('type = "int_list", default = [1], options = [1, 2]')).join("\n"), /config\.options\[0\]: must be a list/);
    assert.match(problemsOf(() => withParam('type = "float_list", default = [1.0], options = [["a"]]')).join("\n"), /config\.options\[0\]\[0\]: must be a number/);
    const { warnings } = withParam('type = "string_list", default = [], options = []');
    assert.ok(warnings.some((w) => /options/.test(w.path) && /free list editor/.test(w.message)));
  });
  test("decimal_precision is an integer ≥ 0", () => {
    assert.match(problemsOf(() => withParam('type = "float", default = 1.0, decimal_precision = -1')).join("\n"), /decimal_precision: must be an integer ≥ 0/);
    assert.match(problemsOf(() => withParam('type = "float", default = 1.0, decimal_precision = 1.5')).join("\n"), /decimal_precision: must be an integer/);
  });
  test("decimal_precision on a non-float type is refused, as Compox refuses it", () => {
    for (const t of ['type = "int", default = 1', 'type = "int_range", default = 1, min = 0, max = 2, step = 1', 'type = "string_enum", default = "a", options = ["a"]', 'type = "int_list", default = []'])
      assert.match(problemsOf(() => withParam(`${t}, decimal_precision = 2`)).join("\n"), /config\.decimal_precision: decimal_precision can only be used with float parameter types/, t);
  });
  test("every error is reported at once, each with its path", () => {
    const text = `${head.replace("1.2.3", "1").replace("Image2Image", "Nope")}additional_parameters = [ { name = "a", config = { type = "int_range", default = 9.5, min = 0, max = 5, step = "x" } }, { name = "b", config = { type = "string_enum", options = [] } } ]\n`;
    const problems = problemsOf(() => parsePyproject(text));
    const paths = problems.map((p) => p.split(":")[0]);
    for (const expected of [
      "project.version",
      "tool.compox.algorithm_type",
      "tool.compox.additional_parameters[0].config.step",
      "tool.compox.additional_parameters[0].config.default",
      "tool.compox.additional_parameters[1].config.options",
    ])
      assert.ok(paths.includes(expected), `${expected} in ${problems.join("; ")}`);
  });
  test("unknown keys in a parameter or its config warn", () => {
    const { warnings } = withParam('type = "int", default = 1, colour = "red"', 'unit = "px", ');
    assert.deepEqual(warnings.map((w) => w.path).sort(), ["tool.compox.additional_parameters[0].config.colour", "tool.compox.additional_parameters[0].unit"]);
  });
});
