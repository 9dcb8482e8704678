import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { createEngine } from "../engine.js";
import { tempDir } from "../testing/temp-algorithm.js";
import { waitForStatus } from "../testing/test-engine.js";
import { INTERRUPTED } from "../jobs/local-runners.js";

const script = fileURLToPath(new URL("../testing/run-until-killed.ts", import.meta.url));

test("after a kill -9 mid-execution, a restart records it FAILED 'interrupted' and keeps datasets", async () => {
  using data = tempDir();
  using src = tempDir();
  const child = spawn(process.execPath, ["--import", "tsx", script, data.path, src.path], { stdio: ["ignore", "pipe", "inherit"] });
  const [line] = (await once(child.stdout, "data")) as [Buffer];
  const { execution_id, dataset_id } = JSON.parse(line.toString()) as { execution_id: string; dataset_id: string };
  child.kill("SIGKILL");
  await once(child, "exit");

  const engine = await createEngine({ dataDir: data.path });
  try {
    const rec = (await engine.getExecution(execution_id));
    assert.equal(rec.status, "FAILED");
    assert.equal(rec.progress, 1);
    assert.notEqual(rec.time_completed, "");
    assert.match(rec.log, new RegExp(`ERROR ${INTERRUPTED}$`, "m"));
    const back = await engine.readDataset(dataset_id);
    assert.deepEqual([...(back.image?.data ?? [])], [1, 2]);
  } finally {
    await engine.close();
  }
});

test("a graceful close fails running work as interrupted", async () => {
  using data = tempDir();
  using src = tempDir();
  const child = spawn(process.execPath, ["--import", "tsx", script, data.path, src.path], { stdio: ["ignore", "pipe", "inherit"] });
  await once(child.stdout, "data");
  child.kill("SIGKILL");
  await once(child, "exit");
  // Restart, run something slow, and close while it runs.
  const engine = await createEngine({ dataDir: data.path });
  const [alg] = (await engine.listAlgorithms());
  const { execution_id } = (await engine.execute({ algorithm_id: alg?.algorithm_id ?? "", input_dataset_ids: [] }));
  await waitForStatus(engine, execution_id, "RUNNING", 10000);
  await engine.close();
  const again = await createEngine({ dataDir: data.path });
  try {
    const rec = await again.getExecution(execution_id);
    assert.equal(rec.status, "FAILED");
    assert.match(rec.log, /interrupted: the application stopped/);
  } finally {
    await again.close();
  }
});

test("temp files a killed process left under the data directory are swept at the next start", async () => {
  using data = tempDir();
  const fs = await import("node:fs");
  const path = await import("node:path");
  const first = await createEngine({ dataDir: data.path });
  await first.close();
  const leftovers = [path.join(data.path, "tmp", "deploy-x1", "big.bin"), path.join(data.path, "cache", "bundles", "m.mjs.1234.tmp"), path.join(data.path, "cache", "py", ".m.5678", "Runner.py")];
  for (const f of leftovers) {
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, "x");
  }
  const kept = path.join(data.path, "cache", "bundles", "m.mjs");
  fs.writeFileSync(kept, "kept");
  const engine = await createEngine({ dataDir: data.path });
  try {
    for (const f of leftovers) assert.equal(fs.existsSync(f), false, f);
    assert.equal(fs.existsSync(path.join(data.path, "tmp", "deploy-x1")), false);
    assert.equal(fs.readFileSync(kept, "utf8"), "kept");
  } finally {
    await engine.close();
  }
});
