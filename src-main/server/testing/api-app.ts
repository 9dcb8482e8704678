// Test support: an engine, its HTTP API as a Hono app (no socket), a typed client over it that
// checks every JSON answer against the endpoint table, and a raw request helper.
import assert from "node:assert/strict";
import { ApiError, CompoxClient } from "../../contract/client.js";
import { testEngine } from "../../engine/testing/test-engine.js";
import { createApi } from "../app.js";

export const HOST = { host: "127.0.0.1:5481" };

/** An engine, its API and a client; dispose it to close the engine and remove its files. */
export async function apiApp(settings: Record<string, unknown> = {}) {
  const t = await testEngine({ settings });
  const app = createApi(t.engine, { keepAliveMs: 200 });
  const client = new CompoxClient("http://127.0.0.1:5481/", { fetch: (input, init) => Promise.resolve(app.request(String(input), init)), headers: HOST, validate: true });
  const req = (method: string, url: string, init: { body?: BodyInit; headers?: Record<string, string> } = {}) => app.request(url, { method, body: init.body, headers: { ...HOST, ...init.headers } });
  return { ...t, app, client, req, [Symbol.asyncDispose]: t[Symbol.asyncDispose] };
}

/** "ok", or the status and code of the ApiError a call failed with. */
export async function statusOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "ok";
  } catch (err) {
    assert.ok(err instanceof ApiError, String(err));
    return `${err.status} ${err.code}`;
  }
}
