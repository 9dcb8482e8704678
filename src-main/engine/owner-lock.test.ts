import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import type { CompoxError } from "../contract/errors.js";
import { acquireOwnerLock, processStartTicks, readOwner } from "./owner-lock.js";
import { tempDir } from "./testing/temp-algorithm.js";
import { eventually } from "./testing/eventually.js";

test("an owner.json whose PID now belongs to another process does not block; a live owner does, by name", { skip: process.platform !== "linux" && "reads start times from /proc" }, async () => {
  using dir = tempDir();
  const other = spawn(process.execPath, ["-e", "setTimeout(() => {}, 20000)"]);
  try {
    const pid = other.pid as number;
    const ticks = await eventually(() => processStartTicks(pid), `process ${pid} in /proc`);
    assert.ok(ticks > 0);
    // Left by a crash: the PID was reused by an unrelated process that started later.
    fs.writeFileSync(path.join(dir.path, "owner.json"), JSON.stringify({ pid, startTicks: ticks - 1, started: "2026-01-01T00:00:00Z" }));
    assert.equal(readOwner(dir.path), undefined);
    const lock = acquireOwnerLock(dir.path);
    lock.release();
    // Really taken.
    fs.writeFileSync(path.join(dir.path, "owner.json"), JSON.stringify({ pid, startTicks: ticks, started: "2026-01-01T00:00:00Z", url: "http://127.0.0.1:5999" }));
    assert.throws(() => acquireOwnerLock(dir.path), (e: CompoxError) => e.code === "data_dir_in_use" && /another Compox Desktop \(pid \d+, http:\/\/127\.0\.0\.1:5999, started 2026-01-01T00:00:00Z\) is running on .*; stop it or use another --data-dir/.test(e.message));
  } finally {
    other.kill();
  }
});
