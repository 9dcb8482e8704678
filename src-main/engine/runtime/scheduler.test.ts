import assert from "node:assert/strict";
import { test } from "node:test";
import type { CompoxError } from "../../contract/errors.js";
import { RunnerPool } from "./runner-pool.js";
import { Scheduler } from "./scheduler.js";

interface FakeHost {
  key: string;
  alive: boolean;
  disposed: boolean;
}

function setup(maxConcurrent: number, maxLoaded: number, maxQueued = 100) {
  const created: FakeHost[] = [];
  const pool = new RunnerPool<FakeHost>({
    create: (key) => {
      const h = { key, alive: true, disposed: false };
      created.push(h);
      return h;
    },
    dispose: async (h) => void (h.disposed = true),
    isAlive: (h) => h.alive,
    maxLoaded: () => maxLoaded,
    idleMinutes: () => 0,
  });
  const scheduler = new Scheduler(pool, () => ({ maxConcurrent, maxQueued }));
  const started: string[] = [];
  const gates = new Map<string, () => void>();
  const submit = (id: string, key: string) =>
    scheduler.submit({
      id,
      key,
      run: (r) => {
        started.push(`${id}@${r.host.key}`);
        return new Promise<void>((resolve) => gates.set(id, resolve));
      },
    });
  const finish = async (id: string) => {
    gates.get(id)?.();
    await new Promise((r) => setImmediate(r));
  };
  return { pool, scheduler, created, started, submit, finish };
}

test("at most max_concurrent run; the rest wait in FIFO order", async () => {
  const s = setup(2, 2);
  for (const id of ["a", "b", "c", "d"]) s.submit(id, "k");
  assert.deepEqual(s.started, ["a@k", "b@k"]);
  assert.deepEqual(s.scheduler.queued(), ["c", "d"]);
  await s.finish("b");
  assert.deepEqual(s.started, ["a@k", "b@k", "c@k"]);
  await s.finish("a");
  await s.finish("c");
  await s.finish("d");
  assert.equal(s.created.length, 2, "idle runners of the same key are reused");
  await s.scheduler.idle();
});

test("a full pool evicts the least recently used idle runner; all busy means wait", async () => {
  const s = setup(2, 2);
  s.submit("a", "k1");
  s.submit("b", "k2");
  s.submit("c", "k3"); // both runners busy: waits
  assert.deepEqual(s.started, ["a@k1", "b@k2"]);
  await s.finish("a"); // k1 idle → evicted for k3
  assert.deepEqual(s.started, ["a@k1", "b@k2", "c@k3"]);
  assert.equal(s.created.find((h) => h.key === "k1")?.disposed, true);
  assert.equal(s.pool.size, 2);
  await s.finish("b");
  await s.finish("c");
});

test("a dead runner is not reused; the queue refuses past max_queued_jobs", async () => {
  const s = setup(1, 1, 1);
  s.submit("a", "k");
  s.submit("b", "k");
  assert.throws(() => s.submit("c", "k"), (e: CompoxError) => e.code === "queue_full" && e.status === 503 && /max_queued_jobs/.test(e.message));
  const first = s.created[0] as FakeHost;
  first.alive = false;
  await s.finish("a");
  assert.equal(s.created.length, 2);
  assert.deepEqual(s.started, ["a@k", "b@k"]);
  assert.ok(s.scheduler.cancel("x") === false);
  await s.finish("b");
});
