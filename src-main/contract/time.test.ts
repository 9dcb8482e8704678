import assert from "node:assert/strict";
import { test } from "node:test";
import { formatCompoxTime, parseCompoxTime } from "./time.js";

test("times use Compox's format and round-trip", () => {
  const d = new Date(2026, 10, 25, 7, 5, 3, 42);
  const s = formatCompoxTime(d);
  assert.equal(s, "2026-11-25 07:05:03.042000");
  assert.equal(parseCompoxTime(s).getTime(), d.getTime());
  assert.ok(Number.isNaN(parseCompoxTime("yesterday").getTime()));
});
