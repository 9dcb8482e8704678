import assert from "node:assert/strict";
import { test } from "node:test";
import { SessionCache } from "./session-cache.js";

const limits = { maxSessions: 5, maxItems: 5, expireHours: 24 };

test("items are stored as copies", () => {
  const c = new SessionCache(() => limits);
  const obj = { a: [1, 2], t: new Float32Array([1, 2]) };
  c.save("s", "k", obj);
  obj.a.push(3);
  const back = c.load("s", "k") as typeof obj;
  assert.deepEqual(back.a, [1, 2]);
  assert.ok(back.t instanceof Float32Array);
  assert.equal(c.load("s", "missing"), undefined);
  c.remove("s", "k");
  assert.equal(c.load("s", "k"), undefined);
});

test("a sixth session evicts the oldest; a sixth item evicts the oldest item", () => {
  const c = new SessionCache(() => limits);
  for (let i = 1; i <= 6; i++) c.save(`s${i}`, "k", i);
  assert.deepEqual(c.tokens(), ["s2", "s3", "s4", "s5", "s6"]);
  for (let i = 1; i <= 6; i++) c.save("s6", `k${i}`, i);
  assert.equal(c.load("s6", "k"), undefined);
  assert.equal(c.load("s6", "k1"), undefined);
  assert.equal(c.load("s6", "k6"), 6);
});

test("sessions expire 24 h after creation, however often used", () => {
  let now = 0;
  const c = new SessionCache(() => limits, () => now);
  c.save("s", "k", 1);
  now = 23.9 * 3600e3;
  c.save("s", "k2", 2);
  assert.equal(c.load("s", "k"), 1);
  now = 24 * 3600e3;
  assert.equal(c.load("s", "k2"), undefined);
  assert.deepEqual(c.tokens(), []);
});
