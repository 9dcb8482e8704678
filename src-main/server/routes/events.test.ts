// A subscriber that stops reading is dropped once it falls MAX_QUEUED_EVENTS behind, and resumes
// from where it was with Last-Event-ID: the server holds a bounded amount for it. A client that
// reconnects to a restarted (or another) node hears the ends it missed, from the records.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Hono } from "hono";
import { createEngine } from "../../engine/engine.js";
import { EventBus } from "../../engine/runtime/event-bus.js";
import { pyproject, tempDir, writeFiles } from "../../engine/testing/temp-algorithm.js";
import { waitForEnd, waitForStatus } from "../../engine/testing/test-engine.js";
import { eventually } from "../../engine/testing/eventually.js";
import { createRouter } from "../router.js";
import { END_DELIVERY_MARGIN_MS, eventRoutes, MAX_QUEUED_EVENTS } from "./events.js";
import { eventTime } from "../../engine/runtime/event-bus.js";

const log = (i: number) => ({ type: "log", execution_id: "e1", level: "INFO", message: `line ${i}`, time: "" }) as never;

const noRecord = (): never => {
  throw new Error("no record");
};

async function readAll(body: ReadableStream<Uint8Array>): Promise<string> {
  const reader = body.getReader();
  let text = "";
  for (let r = await reader.read(); !r.done; r = await reader.read()) text += new TextDecoder().decode(r.value);
  return text;
}

/** An event bus with a clock stopped at 0: its ids count 1, 2, 3… */
const countingBus = () => new EventBus(5000, () => 0);

test("a subscriber that does not read is dropped past the queue limit and resumes with Last-Event-ID", async () => {
  const bus = countingBus();
  const app = new Hono();
  eventRoutes(createRouter(app), { onEvent: (l) => bus.on(l), eventsSince: (id) => bus.since(id), getExecution: noRecord, getTraining: noRecord, endedSince: async () => [] }, 60_000);
  const idle = await app.request("/api/v0/events");
  await eventually(() => bus.listenerCount === 1, "the subscription");
  const total = MAX_QUEUED_EVENTS * 2;
  for (let i = 1; i <= total; i++) bus.emit(log(i));
  assert.equal(bus.listenerCount, 0, "dropped: nothing more is queued for it");
  // What it had been sent ends cleanly; the rest comes on reconnecting.
  const got = await readAll(idle.body as ReadableStream<Uint8Array>);
  const ids = [...got.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
  assert.ok(ids.length < total, `${ids.length} events before the drop`);
  const last = ids.at(-1) ?? 0;
  const resumed = await app.request("/api/v0/events", { headers: { "last-event-id": String(last) } });
  const reader = (resumed.body as ReadableStream<Uint8Array>).getReader();
  let text = "";
  while (!text.includes(`"line ${total}"`)) text += new TextDecoder().decode((await reader.read()).value);
  await reader.cancel();
  const again = [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
  assert.deepEqual(again, Array.from({ length: total - last }, (_, i) => last + 1 + i), "every event after the last one read, once, in order");
});

test("a stream that follows one job says how it ended when it ended before the client came (a restarted or other node)", async () => {
  const bus = countingBus();
  bus.emit(log(1)); // this node's own numbering: the job's end happened elsewhere
  const app = new Hono();
  const ended = { status: "COMPLETED" } as never;
  eventRoutes(createRouter(app), { onEvent: (l) => bus.on(l), eventsSince: (id) => bus.since(id), getExecution: async () => ended, getTraining: noRecord, endedSince: async () => [] }, 60_000);
  const res = await app.request("/api/v0/events?execution_id=e9", { headers: { "last-event-id": "0" } });
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  let text = "";
  while (!text.includes("\n\n")) text += new TextDecoder().decode((await reader.read()).value);
  await reader.cancel();
  assert.match(text, /^id: 1\nevent: status\ndata: \{"id":1,"type":"status","execution_id":"e9","status":"COMPLETED","progress":1\}\n\n/);
});

test("a reconnecting client's missed ends are looked for from before its last event (an end may reach a node after newer events)", async () => {
  const bus = countingBus();
  const asked: number[] = [];
  const app = new Hono();
  eventRoutes(createRouter(app), { onEvent: (l) => bus.on(l), eventsSince: (id) => bus.since(id), getExecution: noRecord, getTraining: noRecord, endedSince: async (ms) => (asked.push(ms), [{ kind: "execution", id: "late", status: "COMPLETED" }]) }, 60_000);
  const lastId = 1_765_000_000_000 * 1000 + 7;
  const res = await app.request("/api/v0/events", { headers: { "last-event-id": String(lastId) } });
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  let text = "";
  while (!text.includes("\n\n")) text += new TextDecoder().decode((await reader.read()).value);
  await reader.cancel();
  assert.deepEqual(asked, [eventTime(lastId) - END_DELIVERY_MARGIN_MS]);
  assert.match(text, /"execution_id":"late","status":"COMPLETED"/);
});

test("a client that reconnects to a restarted server with Last-Event-ID hears every end it missed, read from the records", async () => {
  using data = tempDir();
  using src = tempDir();
  const first = await createEngine({ dataDir: data.path, gpus: () => ({ cudaDevices: 0 }), stopGraceMs: 500 });
  let lastSeen: number;
  let done: string;
  let interrupted: string;
  try {
    const folder = writeFiles(src.path, {
      "pyproject.toml": pyproject("waits", "1.0").replace("Image2Image", "Generic"),
      "Runner.ts": 'import { BaseRunner } from "compox";\nexport class Runner extends BaseRunner { async inference(_d, args) { for (let t = 0; t < Number(args.ms); t += 20) { this.checkStop(); await new Promise((r) => setTimeout(r, 20)); } return []; } }\n',
    });
    const { algorithm_id } = await first.deploy(folder);
    // The client's last event; then it is cut off while one job completes and another runs.
    lastSeen = first.eventsSince(0).at(-1)?.id ?? 0;
    done = (await first.execute({ algorithm_id, input_dataset_ids: [], additional_parameters: { ms: 10 } })).execution_id;
    assert.equal((await waitForEnd(first, done)).status, "COMPLETED");
    interrupted = (await first.execute({ algorithm_id, input_dataset_ids: [], additional_parameters: { ms: 600_000 } })).execution_id;
    await waitForStatus(first, interrupted, "RUNNING");
  } finally {
    await first.close(); // the running job ends FAILED "interrupted"; this process's memory of events is gone
  }
  const second = await createEngine({ dataDir: data.path, gpus: () => ({ cudaDevices: 0 }) });
  try {
    const app = new Hono();
    eventRoutes(createRouter(app), second, 100); // keep-alive comments: a read never waits long
    const res = await app.request("/api/v0/events", { headers: { "last-event-id": String(lastSeen) } });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = "";
    const ends = () => [...text.matchAll(/"execution_id":"([^"]+)","status":"(\w+)"/g)].map((m) => `${m[1]} ${m[2]}`);
    const deadline = Date.now() + 10_000;
    while (!(ends().includes(`${done} COMPLETED`) && ends().includes(`${interrupted} FAILED`)) && Date.now() < deadline) {
      const r = await reader.read();
      if (r.done) break;
      text += new TextDecoder().decode(r.value);
    }
    await reader.cancel();
    assert.deepEqual(ends().sort(), [`${done} COMPLETED`, `${interrupted} FAILED`].sort());
  } finally {
    await second.close();
  }
});
