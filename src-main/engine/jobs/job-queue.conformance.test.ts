// One suite, both JobQueue implementations behind the engine: the desktop's (in-process scheduler and event
// bus) and cluster mode's (BullMQ queues and Redis pub/sub, an API engine and a worker engine
// sharing PostgreSQL and S3). Events, order, stop, queue limits, sessions and failures must be the
// same in both; a behaviour only one has is a bug in the port.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { CompoxError } from "../../contract/errors.js";
import type { EngineEvent } from "../../contract/records.js";
import { SettingsSchema, type SettingsInput } from "../../contract/settings.js";
import type { Engine } from "../engine.js";
import { needsClusterServices, startTestCluster } from "../testing/cluster-services.js";
import { testEngine, waitForEnd, waitForStatus, type TestEngine } from "../testing/test-engine.js";

interface Runtime {
  engine: Engine;
  deploy: TestEngine["deploy"];
  [Symbol.asyncDispose](): Promise<void>;
}

const RUNTIMES: { name: string; skip: string | false; open(settings?: SettingsInput): Promise<Runtime> }[] = [
  {
    name: "in-process",
    skip: false,
    async open(settings = {}) {
      const t = await testEngine({ settings, stopGraceMs: 1500 });
      return { engine: t.engine, deploy: t.deploy, [Symbol.asyncDispose]: () => t[Symbol.asyncDispose]() };
    },
  },
  {
    name: "BullMQ + Redis",
    skip: needsClusterServices,
    async open(settings = {}) {
      const concurrency = SettingsSchema.parse(settings).max_concurrent_executions;
      const cluster = await startTestCluster([{ name: "w", devices: ["cpu"], concurrency }], { settings, stopGraceMs: 1500 });
      return { engine: cluster.api.engine, deploy: cluster.api.deploy, [Symbol.asyncDispose]: () => cluster[Symbol.asyncDispose]() };
    },
  },
];

const STEPS = `import { BaseRunner } from "compox";
export class Runner extends BaseRunner {
  async inference() {
    for (let i = 1; i <= 4; i++) { this.logMessage("step " + i); this.setProgress(i / 4); await new Promise((r) => setTimeout(r, 10)); }
    return [];
  }
}`;
const COOPERATIVE = `import { BaseRunner } from "compox";
export class Runner extends BaseRunner {
  async inference() { for (;;) { this.checkStop(); await new Promise((r) => setTimeout(r, 10)); } }
}`;
const NOOP = 'import { BaseRunner } from "compox";\nexport class Runner extends BaseRunner { inference() { return []; } }\n';
const COUNTER = `import { BaseRunner } from "compox";
export class Runner extends BaseRunner {
  async inference() {
    const n = Number((await this.loadItemFromSession("n")) ?? 0) + 1;
    await this.saveItemToSession(n, "n");
    return ["n=" + n];
  }
}`;
const THROWS = 'import { BaseRunner } from "compox";\nexport class Runner extends BaseRunner { inference() { throw new Error("bad voxel spacing"); } }\n';

/** The statuses of one execution, in the order its events arrived. */
const statuses = (events: EngineEvent[], id: string) => events.filter((e) => e.type === "status" && "execution_id" in e && e.execution_id === id).map((e) => (e.type === "status" ? e.status : ""));

for (const runtime of RUNTIMES) {
  const name = (what: string) => `${runtime.name}: ${what}`;
  const opts = { skip: runtime.skip, timeout: 120_000 };

  test(name("an execution's events arrive in order, progress rising, log lines live"), opts, async () => {
    await using r = await runtime.open();
    const events: EngineEvent[] = [];
    r.engine.onEvent((e) => events.push(e));
    const id = await r.deploy("steps", STEPS, { type: "Generic" });
    const { execution_id } = (await r.engine.execute({ algorithm_id: id, input_dataset_ids: [] }));
    assert.equal((await waitForEnd(r.engine, execution_id, 60_000)).status, "COMPLETED");
    await new Promise((resolve) => setTimeout(resolve, 200)); // the last events may follow the record
    assert.deepEqual(statuses(events, execution_id), ["PENDING", "STARTED", "RUNNING", "COMPLETED"]);
    const progress = events.flatMap((e) => (e.type === "progress" && "execution_id" in e && e.execution_id === execution_id ? [e.progress] : []));
    // Rising (updates close together may be coalesced: clients plot it), ending at 1.
    assert.ok(progress.length >= 2 && progress.every((p, i) => i === 0 || p > progress[i - 1]!), progress.join());
    assert.equal(progress.at(-1), 1);
    const lines = events.flatMap((e) => (e.type === "log" && "execution_id" in e && e.execution_id === execution_id ? [e.line] : []));
    assert.deepEqual(lines.map((l) => / INFO (step \d)$/.exec(l)?.[1]), ["step 1", "step 2", "step 3", "step 4"]);
    const completedAt = events.findIndex((e) => e.type === "status" && "execution_id" in e && e.execution_id === execution_id && e.status === "COMPLETED");
    assert.ok(events.findIndex((e) => e.type === "log" && "execution_id" in e && e.execution_id === execution_id) < completedAt, "log lines before the end");
  });

  test(name("FIFO under max_concurrent_executions = 1; a queued job stops before it starts; a running one stops"), opts, async () => {
    await using r = await runtime.open({ max_concurrent_executions: 1, max_loaded_runners: 2 });
    const events: EngineEvent[] = [];
    r.engine.onEvent((e) => events.push(e));
    const coop = await r.deploy("coop", COOPERATIVE, { type: "Generic" });
    const noop = await r.deploy("noop", NOOP, { type: "Generic" });
    const first = (await r.engine.execute({ algorithm_id: coop, input_dataset_ids: [] })).execution_id;
    await waitForStatus(r.engine, first, "RUNNING", 60_000);
    const second = (await r.engine.execute({ algorithm_id: noop, input_dataset_ids: [] })).execution_id;
    const third = (await r.engine.execute({ algorithm_id: noop, input_dataset_ids: [] })).execution_id;
    const fourth = (await r.engine.execute({ algorithm_id: noop, input_dataset_ids: [] })).execution_id;
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(await Promise.all([second, third, fourth].map(async (id) => (await r.engine.getExecution(id)).status)), ["PENDING", "PENDING", "PENDING"], "one at a time");
    await r.engine.stopExecution(third);
    assert.equal((await waitForEnd(r.engine, third, 5000)).status, "STOPPED");
    const stopAt = Date.now();
    await r.engine.stopExecution(first);
    assert.equal((await waitForEnd(r.engine, first, 5000)).status, "STOPPED");
    assert.ok(Date.now() - stopAt < 2000, `a running job STOPPED ${Date.now() - stopAt} ms after the request`);
    for (const id of [second, fourth]) assert.equal((await waitForEnd(r.engine, id, 60_000)).status, "COMPLETED");
    await new Promise((resolve) => setTimeout(resolve, 200));
    const startOf = (id: string) => events.findIndex((e) => e.type === "status" && "execution_id" in e && e.execution_id === id && e.status === "STARTED");
    assert.ok(startOf(second) >= 0 && startOf(second) < startOf(fourth), "in submission order");
    assert.deepEqual(statuses(events, third), ["PENDING", "STOPPED"], "never started");
  });

  test(name("max_queued_jobs refuses the next request, recording nothing"), opts, async () => {
    await using r = await runtime.open({ max_concurrent_executions: 1, max_queued_jobs: 1 });
    const coop = await r.deploy("coop", COOPERATIVE, { type: "Generic" });
    const running = (await r.engine.execute({ algorithm_id: coop, input_dataset_ids: [] })).execution_id;
    await waitForStatus(r.engine, running, "RUNNING", 60_000);
    const queued = (await r.engine.execute({ algorithm_id: coop, input_dataset_ids: [] })).execution_id;
    const before = (await r.engine.listExecutions()).length;
    await assert.rejects(() => r.engine.execute({ algorithm_id: coop, input_dataset_ids: [] }), (e: CompoxError) => e.code === "queue_full" && e.status === 503 && /max_queued_jobs/.test(e.message));
    assert.equal((await r.engine.listExecutions()).length, before);
    for (const id of [queued, running]) {
      await r.engine.stopExecution(id);
      assert.equal((await waitForEnd(r.engine, id, 5000)).status, "STOPPED");
    }
  });

  test(name("a session carries items between executions with its token; a runner's error fails its job"), opts, async () => {
    await using r = await runtime.open();
    const counter = await r.deploy("counter", COUNTER, { type: "Generic" });
    const run = async (token?: string) => (await waitForEnd(r.engine, (await r.engine.execute({ algorithm_id: counter, input_dataset_ids: [], session_token: token })).execution_id, 60_000)).output_dataset_ids;
    assert.deepEqual([await run("s1"), await run("s1"), await run("s2"), await run()], [["n=1"], ["n=2"], ["n=1"], ["n=1"]]);
    const throws = await r.deploy("throws", THROWS, { type: "Generic" });
    const failed = await waitForEnd(r.engine, (await r.engine.execute({ algorithm_id: throws, input_dataset_ids: [] })).execution_id, 60_000);
    assert.equal(failed.status, "FAILED");
    assert.match(failed.log, /ERROR execution failed: bad voxel spacing/);
  });
}
