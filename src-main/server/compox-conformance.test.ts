// Compox's own HTTP tests, ported (compox-conformance/), run with pytest against `compox serve`
// built into dist/ (npm test builds it first).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { needs, PYTHON } from "../engine/testing/system-needs.js";

const suite = fileURLToPath(new URL("./compox-conformance", import.meta.url));
const built = fs.existsSync(fileURLToPath(new URL("../../dist/cli.mjs", import.meta.url)));
const hasPytest = PYTHON !== undefined && spawnSync(PYTHON, ["-c", "import pytest, requests, numpy, h5py"]).status === 0;
const skip = needs("python3-pytest python3-requests python3-numpy python3-h5py", hasPytest) || (built ? false : "needs dist/cli.mjs: run `npm run build` first");

test("Compox's HTTP tests, ported, pass against compox serve", { skip, timeout: 300_000 }, async () => {
  const r = spawnSync(PYTHON ?? "python3", ["-m", "pytest", "-q", "-p", "no:cacheprovider", suite], { encoding: "utf8", env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1", COMPOX_URL: "" }, timeout: 290_000 });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, / passed/);
  assert.doesNotMatch(r.stdout, /failed|error/);
});
