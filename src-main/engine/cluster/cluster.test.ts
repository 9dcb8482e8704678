// Cluster mode in one process, what only it has (the behaviours both runtimes share are in
// jobs/job-queue.conformance.test.ts): an API engine and worker engines, each on its own data
// directory, sharing Redis, PostgreSQL and S3 (s3rver) — outputs through the shared storage,
// deploys seen everywhere, devices routed to workers that have them, sessions pinned to a worker.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Redis } from "ioredis";
import { needsClusterServices, startClusterServices, startTestCluster } from "../testing/cluster-services.js";
import { eventually } from "../testing/eventually.js";
import { testEngine, waitForEnd } from "../testing/test-engine.js";

const DOUBLE = `import { Image2ImageRunner } from "compox";
export class Runner extends Image2ImageRunner {
  inference(images) {
    this.logMessage("doubling " + images.shape.join("x"));
    this.setProgress(0.5);
    return { dtype: "float32", shape: images.shape, data: Float32Array.from(images.data, (v) => 2 * v) };
  }
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

test("a job runs on a worker and its output comes back through shared storage; a deploy is visible everywhere", { skip: needsClusterServices, timeout: 120_000 }, async () => {
  await using cluster = await startTestCluster([{ name: "w1", devices: ["cpu"], concurrency: 2 }]);
  const { api, workers } = cluster;
  assert.equal(api.engine.mode, "cluster");
  const algorithm = await api.deploy("double", DOUBLE);
  assert.equal((await workers.w1!.engine.getAlgorithmById(algorithm)).algorithm_name, "double", "a deploy on one node is visible to all");
  const [input] = await api.images(1, 3, 4);
  const rec = await waitForEnd(api.engine, (await api.engine.execute({ algorithm_id: algorithm, input_dataset_ids: [input!] })).execution_id, 60_000);
  assert.equal(rec.status, "COMPLETED", rec.log);
  assert.equal(rec.worker, "w1", "the record names its worker");
  assert.match(rec.log, /doubling 1x3x4/);
  const out = await api.engine.readDataset(rec.output_dataset_ids[0]!);
  assert.deepEqual([...(out.image!.data as Float32Array)], Array.from({ length: 12 }, (_, j) => 2 * (j % 256)), "the worker's output, read on the API node");
  // No secret in an answer: the settings over HTTP mask the database password.
  const { createApi } = await import("../../server/app.js");
  const res = await createApi(api.engine).request("/api/v0/settings", { headers: { host: "127.0.0.1:5481" } });
  const shown = (await res.json()) as Record<string, unknown>;
  const password = new URL(api.engine.settings.database_url!).password;
  assert.ok(password.length > 0, "the test database URL has a password");
  assert.match(String(shown.database_url), /^postgres:\/\/[^:]+:\*\*\*@/);
  assert.ok(!JSON.stringify(shown).includes(`:${password}@`), "the password appears nowhere");
});

test("a job asking for a GPU goes to a GPU worker; cpu jobs to the cpu worker", { skip: needsClusterServices, timeout: 120_000 }, async () => {
  await using cluster = await startTestCluster([
    { name: "c1", devices: ["cpu"], concurrency: 1 },
    { name: "g1", devices: ["gpu"], concurrency: 1 },
  ]);
  const { api } = cluster;
  await eventually(() => api.engine.gpus().cudaDevices > 0, "the API node to learn of the GPU worker from its heartbeat");
  const id = await api.deploy("where", 'import { BaseRunner } from "compox";\nexport class Runner extends BaseRunner { inference() { return [this.device]; } }\n', { type: "Generic", extra: 'supported_devices = ["cpu", "gpu"]\ndefault_device = "cpu"' });
  const onGpu = await waitForEnd(api.engine, (await api.engine.execute({ algorithm_id: id, input_dataset_ids: [], execution_device_override: "gpu" })).execution_id, 60_000);
  assert.deepEqual([onGpu.status, onGpu.worker, onGpu.resolved_execution_device], ["COMPLETED", "g1", "cuda"], onGpu.log);
  const onCpu = await waitForEnd(api.engine, (await api.engine.execute({ algorithm_id: id, input_dataset_ids: [] })).execution_id, 60_000);
  assert.deepEqual([onCpu.status, onCpu.worker], ["COMPLETED", "c1"], onCpu.log);
});

test("a session stays on the worker that first served it; when that worker is gone, it fails saying so", { skip: needsClusterServices, timeout: 120_000 }, async () => {
  await using cluster = await startTestCluster([
    { name: "w1", devices: ["cpu"], concurrency: 2 },
    { name: "w2", devices: ["cpu"], concurrency: 2 },
  ]);
  const { api, workers } = cluster;
  const counter = await api.deploy("counter", COUNTER, { type: "Generic" });
  const runs = [];
  for (let i = 0; i < 4; i++) runs.push(await waitForEnd(api.engine, (await api.engine.execute({ algorithm_id: counter, input_dataset_ids: [], session_token: "s-1" })).execution_id, 60_000));
  assert.deepEqual(runs.map((r) => [r.status, /count (\d+)/.exec(r.log)?.[1]]), ["1", "2", "3", "4"].map((n) => ["COMPLETED", n]));
  const holder = runs[0]!.worker!;
  assert.deepEqual(new Set(runs.map((r) => r.worker)), new Set([holder]));
  await workers[holder]!.engine.close();
  const orphan = await waitForEnd(api.engine, (await api.engine.execute({ algorithm_id: counter, input_dataset_ids: [], session_token: "s-1" })).execution_id, 60_000);
  assert.equal(orphan.status, "FAILED");
  assert.match(orphan.log, new RegExp(`session s-1 was held by worker ${holder}, which is gone: the session's state went with it; start a new session`));
  const fresh = await waitForEnd(api.engine, (await api.engine.execute({ algorithm_id: counter, input_dataset_ids: [], session_token: "s-2" })).execution_id, 60_000);
  assert.equal(fresh.status, "COMPLETED", `the other worker takes new sessions: ${fresh.log}`);
  assert.notEqual(fresh.worker, holder);
});

test("accepted jobs survive Redis losing its queues: they are queued again and run; a stop still ends one", { skip: needsClusterServices, timeout: 180_000 }, async () => {
  await using services = await startClusterServices();
  const settings = services.settings;
  await using api = await testEngine({ settings });
  await api.engine.ready();
  const algorithm = await api.deploy("double", DOUBLE);
  const [input] = await api.images(1, 3, 4);
  const ids = await Promise.all([0, 1, 2, 3].map(async () => (await api.engine.execute({ algorithm_id: algorithm, input_dataset_ids: [input!] })).execution_id));
  const redis = new Redis(String(settings.queue_url));
  try {
    await eventually(async () => (await Promise.all(ids.map((id) => redis.exists(`compox:queued:${id}`)))).every(Boolean), "the jobs to reach Redis");
    // Redis restarts without persistence: every queue entry is gone, the records stay PENDING.
    await redis.flushall();
  } finally {
    redis.disconnect();
  }
  await api.engine.stopExecution(ids[3]!);
  assert.equal((await waitForEnd(api.engine, ids[3]!, 30_000)).status, "STOPPED", "a stop ends a job whose entry was lost");
  await using worker = await testEngine({ settings });
  await worker.engine.startWorker({ name: "w1", devices: ["cpu"], concurrency: 2 });
  for (const id of ids.slice(0, 3)) {
    const rec = await waitForEnd(api.engine, id, 90_000);
    assert.equal(rec.status, "COMPLETED", rec.log);
  }
});

const SLOW = `import { BaseRunner } from "compox";
export class Runner extends BaseRunner {
  async inference(_d, args) {
    this.logMessage("working");
    for (let t = 0; t < Number(args.ms); t += 20) { this.checkStop(); this.setProgress(Math.min(0.99, t / Number(args.ms))); await new Promise((r) => setTimeout(r, 20)); }
    return [];
  }
}`;

test("a stopping worker takes no new job, lets the running one finish within its grace, and fails it past the grace", { skip: needsClusterServices, timeout: 180_000 }, async () => {
  await using services = await startClusterServices();
  await using api = await testEngine({ settings: services.settings });
  await api.engine.ready();
  const slow = await api.deploy("slow", SLOW, { type: "Generic" });
  const run = async (ms: number) => (await api.engine.execute({ algorithm_id: slow, input_dataset_ids: [], additional_parameters: { ms } })).execution_id;
  const generous = await testEngine({ settings: { ...services.settings, worker_shutdown_grace_s: 60 } });
  await generous.engine.startWorker({ name: "w1", devices: ["cpu"], concurrency: 1 });
  const a = await run(1500);
  await eventually(async () => (await api.engine.getExecution(a)).log.includes("working"), "the job to run on w1");
  const closing = generous.engine.close();
  const b = await run(10);
  await closing;
  await generous[Symbol.asyncDispose]();
  const ra = (await api.engine.getExecution(a));
  assert.equal(ra.status, "COMPLETED", `a running job finishes within the grace: ${ra.log}`);
  assert.equal((await api.engine.getExecution(b)).status, "PENDING", "a stopping worker takes no new job");

  await using hasty = await testEngine({ settings: { ...services.settings, worker_shutdown_grace_s: 0 } });
  await hasty.engine.startWorker({ name: "w2", devices: ["cpu"], concurrency: 1 });
  assert.equal((await waitForEnd(api.engine, b, 60_000)).status, "COMPLETED", "the job w1 left is taken by another worker");
  const c = await run(600_000);
  await eventually(async () => (await api.engine.getExecution(c)).log.includes("working"), "the long job to run on w2");
  await hasty.engine.close();
  const rc = await waitForEnd(api.engine, c, 30_000);
  assert.equal(rc.status, "FAILED");
  assert.match(rc.log, /interrupted/);
});

test("a session whose worker restarted under the same name fails saying its state was lost, never a silent fresh start", { skip: needsClusterServices, timeout: 120_000 }, async () => {
  await using services = await startClusterServices();
  await using api = await testEngine({ settings: services.settings });
  await api.engine.ready();
  const counter = await api.deploy("counter", COUNTER, { type: "Generic" });
  const first = await testEngine({ settings: services.settings });
  await first.engine.startWorker({ name: "w1", devices: ["cpu"], concurrency: 1 });
  const run = async () => waitForEnd(api.engine, (await api.engine.execute({ algorithm_id: counter, input_dataset_ids: [], session_token: "s-3" })).execution_id, 60_000);
  assert.match((await run()).log, /count 1/);
  assert.match((await run()).log, /count 2/);
  await first[Symbol.asyncDispose]();
  await using again = await testEngine({ settings: services.settings });
  await again.engine.startWorker({ name: "w1", devices: ["cpu"], concurrency: 1 });
  const after = await run();
  assert.equal(after.status, "FAILED", after.log);
  assert.match(after.log, /session s-3 was held by worker w1, which restarted since .*the session's state was lost with the old process; start a new session/);
});

test("a job waiting for a device no live worker offers ends FAILED after device_wait_s, saying what to start; the others run on", { skip: needsClusterServices, timeout: 120_000 }, async () => {
  await using services = await startClusterServices();
  const settings = { ...services.settings, device_wait_s: 2, worker_shutdown_grace_s: 0 };
  await using api = await testEngine({ settings });
  await api.engine.ready();
  const gpuWorker = await testEngine({ settings });
  await gpuWorker.engine.startWorker({ name: "g1", devices: ["gpu"], concurrency: 1 });
  await using cpuWorker = await testEngine({ settings });
  await cpuWorker.engine.startWorker({ name: "c1", devices: ["cpu"], concurrency: 1 });
  await eventually(() => api.engine.gpus().cudaDevices > 0, "the API node to learn of the GPU worker");
  const slow = await api.deploy("slow", SLOW, { type: "Generic", extra: 'supported_devices = ["cpu", "gpu"]\ndefault_device = "cpu"' });
  const run = async (device: string, ms: number) => (await api.engine.execute({ algorithm_id: slow, input_dataset_ids: [], execution_device_override: device, additional_parameters: { ms } })).execution_id;
  const running = await run("gpu", 600_000);
  await eventually(async () => (await api.engine.getExecution(running)).log.includes("working"), "the first GPU job to run on g1");
  const waiting = await run("gpu", 10);
  // The only GPU worker goes: the job it ran ends, the one waiting for a GPU has nowhere to go.
  await gpuWorker[Symbol.asyncDispose]();
  const interrupted = await waitForEnd(api.engine, running, 30_000);
  assert.equal(interrupted.status, "FAILED");
  const orphan = await waitForEnd(api.engine, waiting, 30_000);
  assert.equal(orphan.status, "FAILED", orphan.log);
  assert.match(orphan.log, /no live worker offers gpu: this execution waited \d+ s for one \(device_wait_s = 2\); start a worker with --devices gpu, or run it on the CPU/);
  const onCpu = await waitForEnd(api.engine, await run("cpu", 10), 60_000);
  assert.deepEqual([onCpu.status, onCpu.worker], ["COMPLETED", "c1"], onCpu.log);
});

test("a worker nobody listens to takes no other node's events; once something listens, it does", { skip: needsClusterServices, timeout: 120_000 }, async () => {
  await using cluster = await startTestCluster([{ name: "w1", devices: ["cpu"], concurrency: 1 }]);
  const { api, workers } = cluster;
  const worker = workers.w1!.engine;
  const noop = await api.deploy("noop", 'import { BaseRunner } from "compox";\nexport class Runner extends BaseRunner { inference() { return []; } }\n', { type: "Generic" });
  const run = async () => (await waitForEnd(api.engine, (await api.engine.execute({ algorithm_id: noop, input_dataset_ids: [] })).execution_id, 60_000)).execution_id;
  // PENDING is announced by the API node that took the job; the rest by the worker that ran it.
  const pendingOf = (id: string) => worker.eventsSince(0).some((e) => e.type === "status" && "execution_id" in e && e.execution_id === id && e.status === "PENDING");
  const unheard = await run();
  assert.ok(worker.eventsSince(0).some((e) => "execution_id" in e && e.execution_id === unheard && e.type === "status" && e.status === "COMPLETED"), "its own events it has");
  assert.equal(pendingOf(unheard), false, "the API node's events do not reach a worker nobody listens to");
  const heard: string[] = [];
  const off = worker.onEvent((e) => {
    if (e.type === "status" && e.status === "PENDING" && "execution_id" in e) heard.push(e.execution_id);
  });
  try {
    // Subscribing takes a round trip to Redis: run until one PENDING arrives.
    await eventually(async () => heard.includes(await run()), "a listened-to worker to hear the API node's PENDING");
  } finally {
    off();
  }
});
