import assert from "node:assert/strict";
import { test } from "node:test";
import { resolveDevice } from "./devices.js";

test("gpu resolves to cuda when present, else cpu with a warning", () => {
  assert.deepEqual(resolveDevice("gpu", { cudaDevices: 1 }), { device: "cuda" });
  const fallback = resolveDevice("gpu", { cudaDevices: 0 });
  assert.equal(fallback.device, "cpu");
  assert.match(fallback.warning ?? "", /no CUDA device/);
  assert.deepEqual(resolveDevice("cpu", { cudaDevices: 1 }), { device: "cpu" });
  assert.deepEqual(resolveDevice("mps", { cudaDevices: 0 }, "darwin", "arm64"), { device: "mps" });
  assert.equal(resolveDevice("mps", { cudaDevices: 0 }, "linux", "x64").device, "cpu");
});
