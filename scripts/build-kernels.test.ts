import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
// @ts-expect-error: a plain .mjs script without type declarations
import { compileKernel, KERNELS } from "./build-kernels.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));

test("every committed WebAssembly kernel is what its AssemblyScript source compiles to", async () => {
  for (const kernel of KERNELS as { source: string; module: string }[]) {
    const committed = readFileSync(`${root}/${kernel.module}`, "utf8");
    assert.equal(committed, await compileKernel(kernel), `${kernel.module} is stale: run node scripts/build-kernels.mjs`);
  }
});
