// The Python shim's own unit tests (python/tests/test_shim.py), run with the interpreter runners use.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { test } from "node:test";
import { needsPython, PYTHON } from "../testing/system-needs.js";
import { pythonRunnerDir } from "./runner-host.js";

test("the Python shim's unit tests pass (schemas, HDF5 layout, attribute rules, algorithm_debug)", { skip: needsPython }, () => {
  const dir = pythonRunnerDir();
  const r = spawnSync(PYTHON ?? "python3", ["-m", "unittest", "-v", path.join(dir, "tests", "test_shim.py")], { cwd: dir, encoding: "utf8", env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" } });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stderr, /OK/);
});
