// Closing the server (SIGTERM of `compox serve`, Quit): no new connections, event streams end,
// and a request in flight (here an upload still arriving) finishes with its answer.
import assert from "node:assert/strict";
import { test } from "node:test";
import fs from "node:fs";
import path from "node:path";
import { eventually } from "../engine/testing/eventually.js";
import { testEngine } from "../engine/testing/test-engine.js";
import { startServer } from "./serve.js";

test("closing lets an upload in flight finish and ends event streams; new requests are refused", { timeout: 30_000 }, async () => {
  await using t = await testEngine();
  const server = await startServer(t.engine, { host: "127.0.0.1", port: 0, graceMs: 120_000 });
  const events = await fetch(`${server.url}/api/v0/events`);
  const reading = (async () => {
    const reader = events.body!.getReader();
    while (!(await reader.read()).done);
    return "ended";
  })();
  // An HDF5 upload whose body is still arriving when the server is told to close.
  const h5 = await t.engine.datasetPath((await t.engine.createDataset({ image: { dtype: "uint8", shape: [2, 2], data: new Uint8Array([1, 2, 3, 4]) } })).file_id);
  const bytes = new Uint8Array(fs.readFileSync(h5));
  let sendRest!: () => void;
  const rest = new Promise<void>((resolve) => (sendRest = resolve));
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(bytes.subarray(0, 100));
      await rest;
      controller.enqueue(bytes.subarray(100));
      controller.close();
    },
  });
  const upload = fetch(`${server.url}/api/v0/files`, { method: "POST", body, duplex: "half" } as RequestInit);
  const incoming = path.join(t.dataDir, "datasets", "tmp");
  await eventually(() => fs.readdirSync(incoming).length > 0, "the upload to start arriving");
  const closed = server.close();
  assert.equal(await reading, "ended", "the event stream ends when the server closes");
  sendRest();
  const answer = await upload;
  assert.equal(answer.status, 200, await answer.clone().text());
  assert.ok(((await answer.json()) as { file_id?: string }).file_id, "the upload in flight was stored");
  await closed; // long before the 120 s grace: nothing was left to cut
  await assert.rejects(fetch(`${server.url}/`), "new requests are refused");
});
