import assert from "node:assert/strict";
import { test } from "node:test";
import { LabelBuffer } from "./label-strokes.js";

test("strokes paint discs along a line; erasing writes 0; counts per class", () => {
  const b = new LabelBuffer(20, 10);
  b.begin();
  b.paintLine(2, 5, 17, 5, 1.5, 1);
  assert.ok(b.end());
  assert.equal(b.data[5 * 20 + 2], 1);
  assert.equal(b.data[5 * 20 + 10], 1, "the segment between the points is filled");
  assert.equal(b.data[0], 0);
  b.begin();
  b.paintLine(10, 5, 10, 5, 1, 0);
  b.end();
  assert.equal(b.data[5 * 20 + 10], 0);
  b.begin();
  b.paintLine(0, 0, 0, 0, 0.5, 2);
  b.end();
  assert.equal(b.counts().get(2), 1);
});

test("undo and redo whole strokes; a stroke after undo drops the redo; no-op strokes are not steps", () => {
  const b = new LabelBuffer(8, 8);
  b.begin();
  b.paintLine(1, 1, 6, 1, 1, 1);
  b.end();
  const afterFirst = b.data.slice();
  b.begin();
  b.paintLine(1, 6, 6, 6, 1, 2);
  b.end();
  assert.ok(b.undo());
  assert.deepEqual(b.data, afterFirst);
  assert.ok(b.redo());
  assert.equal(b.counts().get(2)! > 0, true);
  b.undo();
  b.begin();
  b.paintLine(4, 4, 4, 4, 1, 3);
  b.end();
  assert.equal(b.canRedo(), false);
  b.begin();
  b.end();
  b.undo();
  b.undo();
  assert.equal(b.canUndo(), false);
  assert.deepEqual([...b.counts()], []);
});
