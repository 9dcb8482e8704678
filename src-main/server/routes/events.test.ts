// A subscriber that stops reading is dropped once it falls MAX_QUEUED_EVENTS behind, and resumes
// from where it was with Last-Event-ID: the server holds a bounded amount for it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Hono } from "hono";
import { EventBus } from "../../engine/runtime/event-bus.js";
import { eventually } from "../../engine/testing/eventually.js";
import { createRouter } from "../router.js";
import { eventRoutes, MAX_QUEUED_EVENTS } from "./events.js";

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

test("a subscriber that does not read is dropped past the queue limit and resumes with Last-Event-ID", async () => {
  const bus = new EventBus();
  const app = new Hono();
  eventRoutes(createRouter(app), { onEvent: (l) => bus.on(l), eventsSince: (id) => bus.since(id), getExecution: noRecord, getTraining: noRecord }, 60_000);
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
  const bus = new EventBus();
  bus.emit(log(1)); // this node's own numbering: the job's end happened elsewhere
  const app = new Hono();
  const ended = { status: "COMPLETED" } as never;
  eventRoutes(createRouter(app), { onEvent: (l) => bus.on(l), eventsSince: (id) => bus.since(id), getExecution: async () => ended, getTraining: noRecord }, 60_000);
  const res = await app.request("/api/v0/events?execution_id=e9", { headers: { "last-event-id": "12345" } });
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  let text = "";
  while (!text.includes("\n\n")) text += new TextDecoder().decode((await reader.read()).value);
  await reader.cancel();
  assert.match(text, /^id: 1\nevent: status\ndata: \{"id":1,"type":"status","execution_id":"e9","status":"COMPLETED","progress":1\}\n\n/);
});
