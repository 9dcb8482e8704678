import assert from "node:assert/strict";
import { test } from "node:test";
import { computeModuleId, unzipSources, zipFiles } from "./module-zip.js";

const a = { path: "Runner.ts", content: Buffer.from("export class Runner {}") };
const b = { path: "helpers/x.ts", content: Buffer.from("export const x = 1;") };

test("module id depends on the sources only, not their order", () => {
  assert.equal(computeModuleId([a, b]), computeModuleId([b, a]));
  assert.notEqual(computeModuleId([a, b]), computeModuleId([a]));
  // Moving bytes between path and content must change the id.
  assert.notEqual(
    computeModuleId([{ path: "ab", content: Buffer.from("c") }]),
    computeModuleId([{ path: "a", content: Buffer.from("bc") }]),
  );
});

test("the zip is byte-identical for the same sources and round-trips them", () => {
  const z1 = zipFiles([a, b]);
  const z2 = zipFiles([b, a]);
  assert.deepEqual(z1, z2);
  const back = unzipSources(z1);
  assert.deepEqual(back.map((f) => f.path), ["Runner.ts", "helpers/x.ts"]);
  assert.equal(computeModuleId(back), computeModuleId([a, b]));
});
