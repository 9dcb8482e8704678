import assert from "node:assert/strict";
import { test } from "node:test";
import { decideVersion, sameAssets } from "./versioning.js";

const content = { module_id: "m1", assets: { "files/a.bin": "h1" } };

test("no line yet: the line starts at the version's own minor", () => {
  assert.deepEqual(decideVersion(undefined, content, 3), { kind: "create_line", minor: 3 });
});

test("identical module and assets: no-op on the latest minor", () => {
  assert.deepEqual(decideVersion({ ...content, minor: 3 }, { module_id: "m1", assets: { "files/a.bin": "h1" } }, 0), { kind: "unchanged", minor: 3 });
});

test("module change: latest + 1, whatever the version's minor says", () => {
  assert.deepEqual(decideVersion({ ...content, minor: 3 }, { ...content, module_id: "m2" }, 9), { kind: "add_minor", minor: 4 });
});

test("asset-only change (content, added or removed path): latest + 1", () => {
  const latest = { ...content, minor: 4 };
  assert.equal(decideVersion(latest, { module_id: "m1", assets: { "files/a.bin": "h2" } }, 0).kind, "add_minor");
  assert.equal(decideVersion(latest, { module_id: "m1", assets: { "files/a.bin": "h1", "files/b": "h3" } }, 0).kind, "add_minor");
  assert.equal(decideVersion(latest, { module_id: "m1", assets: {} }, 0).kind, "add_minor");
  assert.equal(decideVersion(latest, { module_id: "m1", assets: { "files/b.bin": "h1" } }, 0).kind, "add_minor");
});

test("sameAssets compares paths and contents", () => {
  assert.ok(sameAssets({}, {}));
  assert.ok(sameAssets({ a: "1", b: "2" }, { b: "2", a: "1" }));
  assert.ok(!sameAssets({ a: "1" }, { a: "1", b: "2" }));
});
