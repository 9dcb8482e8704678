// A worker frozen (SIGSTOP) past its heartbeat's lifetime is taken for lost: its job ends FAILED
// "worker lost". When it thaws (SIGCONT) and finishes the job, the record stays FAILED (an end is
// written once) and its log says the late result was discarded.
import assert from "node:assert/strict";
import { once } from "node:events";
import path from "node:path";
import { test } from "node:test";
import { CompoxClient } from "../contract/client.js";
import type { ExecutionRecord } from "../contract/records.js";
import { needsClusterServices, startClusterServices } from "../engine/testing/cluster-services.js";
import { eventually } from "../engine/testing/eventually.js";
import { pyproject, tempDir, writeFiles } from "../engine/testing/temp-algorithm.js";
import { serveProcess, workerProcess } from "./testing/serve-process.js";
import { TICKING_RUNNER } from "../engine/testing/ticking-runner.js";

test("a frozen worker's job fails as lost; the thawed worker's late result is discarded, saying so", { skip: needsClusterServices, timeout: 180_000 }, async () => {
  await using services = await startClusterServices();
  using dirs = tempDir();
  const api = await serveProcess(path.join(dirs.path, "api"), { env: services.env });
  const worker = await workerProcess(path.join(dirs.path, "w1"), { env: services.env, args: ["--name", "w1"] });
  try {
    const client = new CompoxClient(api.url);
    const folder = writeFiles(path.join(dirs.path, "src", "ticking"), { "pyproject.toml": pyproject("ticking", "1.0").replace("Image2Image", "Generic"), "Runner.ts": TICKING_RUNNER });
    const { algorithm_id } = await client.deployLocal(folder);
    const { execution_id } = await client.execute({ algorithm_id, input_dataset_ids: [], additional_parameters: { ms: 4000 } });
    const read = () => client.getExecution(execution_id);
    await eventually(async () => /tick \d/.test((await read()).log), "the job to run on w1", 60_000);

    worker.child.kill("SIGSTOP");
    let lost: ExecutionRecord;
    try {
      // Heartbeats lapse after 6 s; the reaper looks every 2 s.
      lost = await eventually(async () => {
        const r = await read();
        return r.status === "FAILED" ? r : undefined;
      }, "the job to be failed as lost", 60_000);
    } catch (err) {
      throw new Error(`${(err as Error).message}: ${JSON.stringify(await read())}\napi:\n${api.stderr()}`, { cause: err });
    } finally {
      worker.child.kill("SIGCONT");
    }
    assert.match(lost.log, /worker lost: w1 stopped answering/);
    const after = await eventually(async () => {
      const r = await read();
      return r.log.includes("result is discarded") ? r : undefined;
    }, "the thawed worker to finish and say its result is discarded", 60_000);
    assert.equal(after.status, "FAILED", "an end is written once: FAILED stays FAILED");
    assert.match(after.log, /this worker finished the execution \(COMPLETED\), but it had been taken for lost meanwhile and the record had ended: the result is discarded/);
    assert.equal(after.output_dataset_ids.length, 0);
  } finally {
    for (const child of [worker.child, api.child]) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = once(child, "exit");
      child.kill("SIGKILL");
      await exited;
    }
  }
});
