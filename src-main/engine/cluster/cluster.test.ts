// Cluster mode in one process: an API engine and a worker engine, each on its own data directory,
// sharing Redis, PostgreSQL and S3 (s3rver). A job submitted to the API runs on the worker; its
// events reach the API's listeners; outputs come back through the shared storage; stop reaches
// the worker; a session stays on the worker that holds it.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { EngineEvent } from "../../contract/records.js";
import { startClusterServices, needsClusterServices } from "../testing/cluster-services.js";
import { testEngine, waitForEnd, waitForStatus } from "../testing/test-engine.js";

const DOUBLE = `import { Image2ImageRunner } from "compox";
export class Runner extends Image2ImageRunner {
  inference(images) {
    this.logMessage("doubling " + images.shape.join("x"));
    this.setProgress(0.5);
    return { dtype: "float32", shape: images.shape, data: Float32Array.from(images.data, (v) => 2 * v) };
  }
}`;

const SLOW = `import { BaseRunner } from "compox";
export class Runner extends BaseRunner {
  async inference() { for (;;) { this.checkStop(); await new Promise((r) => setTimeout(r, 50)); } }
}`;

const COUNTER = `import { BaseRunner } from "compox";
export class Runner extends BaseRunner {
  async inference() {
    const n = Number((await this.loadItemFromSession("n")) ?? 0) + 1;
    await this.saveItemToSession(n, "n");
    this.logMessage("count " + n);
    return [];
  }
}`;

test("an API engine queues, a worker engine runs; events, outputs, stop and sessions cross", { skip: needsClusterServices, timeout: 120_000 }, async () => {
  await using services = await startClusterServices();
  await using api = testEngine({ settings: services.settings });
  await using worker = testEngine({ settings: services.settings });
  assert.equal(api.engine.mode, "cluster");
  await api.engine.ready();
  await worker.engine.startWorker({ name: "w1", devices: ["cpu"], concurrency: 2 });

  const seen: EngineEvent[] = [];
  api.engine.onEvent((e) => seen.push(e));
  const algorithm = await api.deploy("double", DOUBLE);
  assert.equal(worker.engine.getAlgorithmById(algorithm).algorithm_name, "double", "a deploy on one node is visible to all");
  const [input] = await api.images(1, 3, 4);
  const { execution_id } = api.engine.execute({ algorithm_id: algorithm, input_dataset_ids: [input!] });
  const rec = await waitForEnd(api.engine, execution_id, 60_000);
  assert.equal(rec.status, "COMPLETED", rec.log);
  assert.equal(rec.worker, "w1");
  assert.match(rec.log, /doubling 1x3x4/);
  const out = await api.engine.readDataset(rec.output_dataset_ids[0]!);
  assert.deepEqual([...(out.image!.data as Float32Array)], Array.from({ length: 12 }, (_, j) => 2 * (j % 256)), "the worker's output, read on the API node");
  const mine = seen.filter((e) => "execution_id" in e && e.execution_id === execution_id);
  assert.deepEqual(mine.filter((e) => e.type === "status").map((e) => e.type === "status" && e.status), ["PENDING", "STARTED", "RUNNING", "COMPLETED"], "the worker's events reach the API's listeners");
  assert.ok(mine.some((e) => e.type === "log" && /doubling/.test(e.line)));
  assert.ok(mine.some((e) => e.type === "progress" && e.progress === 0.5));

  // Stop: asked on the API node, done on the worker.
  const slow = await api.deploy("slow", SLOW, { type: "Generic" });
  const running = api.engine.execute({ algorithm_id: slow, input_dataset_ids: [] });
  await waitForStatus(api.engine, running.execution_id, "RUNNING", 60_000);
  api.engine.stopExecution(running.execution_id);
  assert.equal((await waitForEnd(api.engine, running.execution_id, 15_000)).status, "STOPPED");

  // A session keeps its state on the worker that first served it, with another worker beside it;
  // once that worker is gone, the session fails saying so instead of starting over unnoticed.
  await using worker2 = testEngine({ settings: services.settings });
  await worker2.engine.startWorker({ name: "w2", devices: ["cpu"], concurrency: 2 });
  const counter = await api.deploy("counter", COUNTER, { type: "Generic" });
  const runs = [];
  for (let i = 0; i < 4; i++) runs.push(await waitForEnd(api.engine, api.engine.execute({ algorithm_id: counter, input_dataset_ids: [], session_token: "s-1" }).execution_id, 60_000));
  assert.deepEqual(runs.map((r) => [r.status, /count (\d+)/.exec(r.log)?.[1]]), ["1", "2", "3", "4"].map((n) => ["COMPLETED", n]));
  const holder = runs[0]!.worker!;
  assert.deepEqual(new Set(runs.map((r) => r.worker)), new Set([holder]));
  await (holder === "w1" ? worker : worker2).engine.close();
  const orphan = await waitForEnd(api.engine, api.engine.execute({ algorithm_id: counter, input_dataset_ids: [], session_token: "s-1" }).execution_id, 60_000);
  assert.equal(orphan.status, "FAILED");
  assert.match(orphan.log, new RegExp(`session s-1 was held by worker ${holder}, which is gone: the session's state went with it; start a new session`));
  const fresh = await waitForEnd(api.engine, api.engine.execute({ algorithm_id: counter, input_dataset_ids: [], session_token: "s-2" }).execution_id, 60_000);
  assert.equal(fresh.status, "COMPLETED", `the other worker takes new sessions: ${fresh.log}`);
  assert.notEqual(fresh.worker, holder);
});
