// Reliability over a real server process: kill -9 of `compox serve` during an execution and during
// an upload, then a restart; and a soak of 2,000 executions with memory sampled.
import assert from "node:assert/strict";
import { once } from "node:events";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { CompoxClient } from "../contract/client.js";
import { isTerminal } from "../contract/records.js";
import { eventually } from "../engine/testing/eventually.js";
import { pyproject, tempDir, writeFiles } from "../engine/testing/temp-algorithm.js";
import { testEngine } from "../engine/testing/test-engine.js";
import { serveProcess } from "./testing/serve-process.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const fixture = path.join(root, "src-main", "engine", "datasets", "__fixtures__", "h5py_all_dtypes.h5");


test("kill -9 during an execution and an upload: completed data survives, interrupted work is FAILED", async () => {
  using data = tempDir();
  using src = tempDir();
  const first = await serveProcess(data.path);
  const client = new CompoxClient(first.url);
  const kept = await client.uploadFile(new Uint8Array(fs.readFileSync(fixture)));
  const slow = writeFiles(path.join(src.path, "slow"), {
    "pyproject.toml": pyproject("slow", "1.0").replace("Image2Image", "Generic"),
    "Runner.ts": 'import { BaseRunner } from "compox";\nexport class Runner extends BaseRunner { async inference() { for (;;) { this.checkStop(); await new Promise((r) => setTimeout(r, 20)); } } }\n',
  });
  const { algorithm_id } = await client.deployLocal(slow);
  const { execution_id } = await client.execute({ algorithm_id, input_dataset_ids: [kept.file_id] });
  for (let i = 0; i < 500 && (await client.getExecution(execution_id)).status !== "RUNNING"; i++) await new Promise((r) => setTimeout(r, 20));
  // An upload that is still streaming when the server dies.
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (sent === 0) controller.enqueue(fs.readFileSync(fixture).subarray(0, 4096));
      else await new Promise((r) => setTimeout(r, 50));
      sent++;
      if (sent === 40) controller.close();
    },
  });
  const upload = client.uploadFile(body).catch((e: Error) => e);
  const partial = path.join(data.path, "datasets", "tmp");
  await eventually(() => fs.existsSync(partial) && fs.readdirSync(partial).some((f) => f.endsWith(".part")), "the upload to reach the server's disk");
  first.child.kill("SIGKILL");
  await once(first.child, "exit");
  assert.ok((await upload) instanceof Error, "the upload did not complete");

  const second = await serveProcess(data.path);
  try {
    const after = new CompoxClient(second.url);
    const rec = await after.getExecution(execution_id);
    assert.equal(rec.status, "FAILED");
    assert.match(rec.log, /interrupted: the application stopped/);
    assert.deepEqual((await after.listFiles()).map((f) => f.file_id), [kept.file_id], "no half-uploaded dataset appears");
    assert.deepEqual(await after.downloadFile(kept.file_id), new Uint8Array(fs.readFileSync(fixture)));
    assert.deepEqual(fs.readdirSync(path.join(data.path, "datasets", "tmp")), [], "temp files of the killed upload are swept");
  } finally {
    second.child.kill("SIGTERM");
    await once(second.child, "exit");
  }
});

test("soak: 2,000 executions complete and memory stays bounded", async () => {
  await using t = await testEngine({ settings: { max_concurrent_executions: 2, max_loaded_runners: 2 } });
  const id = await t.deploy("noop", 'import { BaseRunner } from "compox";\nexport class Runner extends BaseRunner { inference() { this.logMessage("ok"); return ["done"]; } }\n', { type: "Generic" });
  const rss: number[] = [];
  let completed = 0;
  for (let batch = 0; batch < 40; batch++) {
    const ids = await Promise.all(Array.from({ length: 50 }, async () => (await t.engine.execute({ algorithm_id: id, input_dataset_ids: [] })).execution_id));
    await t.engine.idle();
    const recs = await Promise.all(ids.map((e) => t.engine.getExecution(e)));
    completed += recs.filter((rec) => isTerminal(rec.status) && rec.status === "COMPLETED").length;
    if (batch % 5 === 4) {
      global.gc?.();
      rss.push(process.memoryUsage().rss / 2 ** 20);
    }
  }
  assert.equal(completed, 2000);
  // After warm-up (the first samples), the engine's memory may not keep growing with work done.
  const growth = Math.max(...rss.slice(2)) - rss[1]!;
  assert.ok(growth < 64, `memory grew by ${growth.toFixed(1)} MB over 1,500 executions: ${rss.map((r) => r.toFixed(0)).join(", ")}`);
});
