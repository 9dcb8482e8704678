import assert from "node:assert/strict";
import { test } from "node:test";
import { testEngine } from "../engine/testing/test-engine.js";
import { createApi } from "./app.js";
import { startServer } from "./serve.js";
import { splitHost } from "./security.js";

async function setup(settings: Record<string, unknown> = {}) {
  const t = await testEngine({ settings });
  const app = createApi(t.engine, { port: () => 5481 });
  const get = (headers: Record<string, string>, url = "/api/v0/settings") => app.request(url, { headers });
  return { ...t, get, [Symbol.asyncDispose]: t[Symbol.asyncDispose] };
}

async function detail(r: Response): Promise<string> {
  return ((await r.json()) as { detail: string }).detail;
}

test("splitHost understands names, ports and IPv6", async () => {
  assert.deepEqual(splitHost("[::1]:5481"), { name: "[::1]", port: "5481" });
  assert.deepEqual(splitHost("LocalHost"), { name: "localhost", port: "" });
});

test("Host: loopback names and the configured host pass; others get 403 naming the setting", async () => {
  await using s = await setup({ host: "lab-pc.local", api_token: "t" });
  for (const host of ["127.0.0.1:5481", "localhost:5481", "[::1]:5481", "lab-pc.local:5481"]) assert.equal((await s.get({ host, authorization: "Bearer t" })).status, 200, host);
  const r = await s.get({ host: "attacker.example:5481", authorization: "Bearer t" });
  assert.equal(r.status, 403);
  assert.match(await detail(r), /setting `host`/);
});

test("Origin: the server's own and allowed_origins pass (with CORS headers); others get 403", async () => {
  await using s = await setup({ allowed_origins: ["https://viewer.example"] });
  const own = await s.get({ host: "127.0.0.1:5481", origin: "http://localhost:5481" });
  assert.equal(own.status, 200);
  const allowed = await s.get({ host: "127.0.0.1:5481", origin: "https://viewer.example" });
  assert.equal(allowed.status, 200);
  assert.equal(allowed.headers.get("access-control-allow-origin"), "https://viewer.example");
  for (const origin of ["https://evil.example", "http://localhost:9999", "null"]) {
    const r = await s.get({ host: "127.0.0.1:5481", origin });
    assert.equal(r.status, 403, origin);
    assert.match(await detail(r), /allowed_origins/);
  }
  const preflight = await s.get({ host: "127.0.0.1:5481", origin: "https://viewer.example", "access-control-request-method": "POST" }, "/api/v0/execute-algorithm");
  assert.ok([200, 404].includes(preflight.status)); // GET on a POST route: the origin passed
});

test("api_token: Bearer, cookie or ?token= accepted; missing or wrong → 403 naming api_token", async () => {
  await using s = await setup({ api_token: "s3cret" });
  const host = "127.0.0.1:5481";
  assert.equal((await s.get({ host, authorization: "Bearer s3cret" })).status, 200);
  assert.equal((await s.get({ host, cookie: "compox_token=s3cret" })).status, 200);
  assert.equal((await s.get({ host }, "/api/v0/settings?token=s3cret")).status, 200);
  for (const headers of [{ host }, { host, authorization: "Bearer wrong" }] as Record<string, string>[]) {
    const r = await s.get(headers);
    assert.equal(r.status, 403);
    assert.match(await detail(r), /api_token/);
  }
  // /ui/?token= sets the cookie so the UI and EventSource can follow.
  const ui = await s.get({ host }, "/ui/?token=s3cret");
  assert.match(ui.headers.get("set-cookie") ?? "", /compox_token=s3cret; .*HttpOnly/);
});

test("binding a non-loopback host requires an api_token", async () => {
  await using s = await setup();
  await assert.rejects(startServer(s.engine, { host: "0.0.0.0", port: 0 }), /set api_token/);
});

test("a busy port is explained, naming another Compox Desktop when it is one", async () => {
  await using s = await setup();
  const first = await startServer(s.engine, { host: "127.0.0.1", port: 0 });
  try {
    await assert.rejects(startServer(s.engine, { host: "127.0.0.1", port: first.port }), /already used by another Compox Desktop/);
  } finally {
    await first.close();
  }
});
