import assert from "node:assert/strict";
import { test } from "node:test";
import { tempDir } from "../testing/temp-algorithm.js";
import { openDb } from "./db.js";
import { LogStore } from "./log-store.js";

test("a log over its budget keeps its head and tail and says what was cut", async () => {
  using dir = tempDir();
  const db = openDb(dir.path);
  const logs = new LogStore(db, () => 8 * 1024);
  for (let i = 0; i < 1000; i++) (await logs.append("j", `line ${String(i).padStart(4, "0")} ${"x".repeat(40)}`));
  const text = (await logs.read("j"));
  assert.ok(Buffer.byteLength(text) <= 8 * 1024 + 200, `${Buffer.byteLength(text)} bytes`);
  const lines = text.trimEnd().split("\n");
  assert.match(lines[0] ?? "", /^line 0000 /);
  assert.match(lines.at(-1) ?? "", /^line 0999 /);
  const marker = lines.findIndex((l) => l.startsWith("[…"));
  assert.match(lines[marker] ?? "", /^\[… (\d+) log lines \(\d+ KB\) cut here: .*max_log_kb/);
  const cut = Number(/\[… (\d+)/.exec(lines[marker] ?? "")?.[1]);
  // Nothing else is lost: head + cut + tail = every line, in order on each side of the marker.
  assert.equal(marker + cut + (lines.length - marker - 1), 1000);
  assert.match(lines[marker - 1] ?? "", new RegExp(`^line ${String(marker - 1).padStart(4, "0")} `));
  assert.match(lines[marker + 1] ?? "", new RegExp(`^line ${String(marker + cut).padStart(4, "0")} `));
  // The table holds only what is shown: appends deleted what they cut.
  assert.equal((await db.column("SELECT COUNT(*) FROM job_logs WHERE job_id = 'j'"))[0], lines.length - 1);
  await db.close();
});

test("a huge line is cut to half the budget; a log is resumed after a restart; orphans are pruned", async () => {
  using dir = tempDir();
  let db = openDb(dir.path);
  let logs = new LogStore(db, () => 8 * 1024);
  await logs.append("j", "é".repeat(100_000));
  const first = (await logs.read("j"));
  assert.ok(Buffer.byteLength(first) <= 4 * 1024, `${Buffer.byteLength(first)} bytes`);
  assert.match(first, /^é+… \(this line was 195 KB; cut to the first \d KB: setting max_log_kb\)\n$/);
  await db.close();
  // After a restart the store rebuilds its counts from the table and goes on cutting.
  db = openDb(dir.path);
  logs = new LogStore(db, () => 8 * 1024);
  for (let i = 0; i < 500; i++) (await logs.append("j", `after restart ${i} ${"y".repeat(30)}`));
  const text = (await logs.read("j"));
  assert.ok(Buffer.byteLength(text) <= 8 * 1024 + 200);
  assert.match(text, /^é+…/);
  assert.match(text, /after restart 499 y+\n$/);
  await logs.pruneOrphans();
  assert.equal((await logs.read("j")), "", "no record owns job j");
  await db.close();
});

test("two writers of one log (two processes in a cluster) both keep their lines, in order", async () => {
  using dir = tempDir();
  const db = openDb(dir.path);
  const a = new LogStore(db, () => 1 << 20);
  const b = new LogStore(db, () => 1 << 20);
  await a.append("j", "one (from a)");
  await b.append("j", "two (from b)");
  // a still believes it wrote the last line: its next line must not take b's place.
  await a.append("j", "three (from a)");
  assert.equal(await b.read("j"), "one (from a)\ntwo (from b)\nthree (from a)\n");
  await db.close();
});
