import assert from "node:assert/strict";
import { test } from "node:test";
import type { CompoxError } from "../contract/errors.js";
import { DEFAULT_SETTINGS } from "../contract/settings.js";
import { workerOptionsOf } from "./worker-command.js";

test("--devices gpu where no GPU is found is refused, naming the flag; without the flag the worker takes cpu only", () => {
  const none = () => 0;
  assert.throws(() => workerOptionsOf({ devices: "cpu,gpu", name: "w" }, DEFAULT_SETTINGS, none), (e: CompoxError) => e.code === "device_not_supported" && /--devices cpu,gpu: no CUDA device is found/.test(e.message));
  assert.deepEqual(workerOptionsOf({ name: "w" }, DEFAULT_SETTINGS, none).devices, ["cpu"]);
  assert.deepEqual(workerOptionsOf({ devices: "gpu", name: "w" }, DEFAULT_SETTINGS, () => 1).devices, ["gpu"]);
  assert.deepEqual(workerOptionsOf({ name: "w" }, DEFAULT_SETTINGS, () => 2).devices, ["cpu", "gpu"]);
});
