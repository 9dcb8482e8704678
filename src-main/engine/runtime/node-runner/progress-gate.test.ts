import assert from "node:assert/strict";
import { test } from "node:test";
import { ProgressGate } from "./progress-gate.js";

test("the progress gate passes rises at most once per interval, never a fall, always the end", () => {
  let t = 0;
  const gate = new ProgressGate(20, () => t);
  assert.equal(gate.pass(0.1), true);
  assert.equal(gate.pass(0.2), false, "too soon");
  t = 25;
  assert.equal(gate.pass(0.05), false, "lower than sent");
  assert.equal(gate.pass(0.3), true);
  assert.equal(gate.pass(1), true, "the end passes at once");
  assert.equal(gate.pass(1), false, "once");
});
