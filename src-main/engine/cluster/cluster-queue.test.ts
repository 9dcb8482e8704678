// An API node's hand-off of accepted jobs to Redis, at shutdown: it waits for what it accepted to
// reach Redis before closing, and a hand-off its shutdown cuts off leaves the job PENDING (another
// node's reconciler queues it) instead of ending an accepted job FAILED.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { QueuedJob } from "../jobs/queued-job.js";
import { eventually } from "../testing/eventually.js";
import { clusterQueue, type ClusterSide } from "./cluster-queue.js";

const job = (id: string) => ({ id, kind: "execution", moduleId: "m", key: "k", device: "cpu", target: {} }) as unknown as QueuedJob;

function side(enqueue: (queue: string, job: QueuedJob) => Promise<void>) {
  const ended: string[] = [];
  const s = {
    link: { enqueue },
    processor: { endRecorded: async (id: string, _kind: string, status: string) => void ended.push(`${id} ${status}`) },
    workers: {},
    onError: () => {},
    forgetLog: () => {},
  } as unknown as ClusterSide;
  return { s, ended };
}

test("drain waits for the accepted jobs to reach their queue", async () => {
  const queued: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const { s, ended } = side(async (_q, j) => {
    await gate;
    queued.push(j.id);
  });
  const q = clusterQueue(s);
  await q.add(job("a"));
  await q.add(job("b"));
  const drained = q.drain(10_000);
  assert.deepEqual(queued, []);
  release();
  await drained;
  assert.deepEqual([queued, ended], [["a", "b"], []]);
});

test("a hand-off cut off by the node's shutdown leaves the job PENDING; before shutdown, it ends FAILED saying why", async () => {
  const { s, ended } = side(async () => {
    throw new Error("Connection is closed.");
  });
  const q = clusterQueue(s);
  await q.add(job("early"));
  await eventually(() => ended.length === 1, "the failed hand-off to end the job"); // before any shutdown
  await q.add(job("late"));
  await q.drain(10_000);
  assert.deepEqual(ended, ["early FAILED"]);
});
