// What an algorithm starts ends with its job, its stop, or its runner (process-group.ts).
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { eventually } from "../testing/eventually.js";
import { tempDir } from "../testing/temp-algorithm.js";
import { testEngine, waitForEnd, waitForStatus } from "../testing/test-engine.js";
import { OWN_GROUP } from "./process-group.js";

/** Whether `pid` runs (a zombie, killed but not yet reaped, does not). */
function running(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

// Starts `sleep 300` and writes its pid to the file named by the `pid_file` parameter; `stay`
// then loops until stopped.
const SPAWNER = `import { BaseRunner } from "compox";
import { spawn } from "node:child_process";
import fs from "node:fs";
export class Runner extends BaseRunner {
  async inference(_data, args) {
    const child = spawn("sleep", ["300"], { stdio: "ignore" });
    fs.writeFileSync(args.pid_file, String(child.pid));
    this.logMessage("started sleep");
    if (!args.stay) return [];
    for (;;) { this.checkStop(); await new Promise((r) => setTimeout(r, 10)); }
  }
}`;

const skip = OWN_GROUP && fs.existsSync("/proc/self/stat") ? false : "process groups read through /proc (Linux)";

test("a process a job starts and leaves running ends when the job ends, and with a stop", { skip }, async () => {
  await using t = await testEngine();
  using dir = tempDir();
  const id = await t.deploy("spawner", SPAWNER, { type: "Generic" });
  const pidOf = async (file: string) => Number(await eventually(() => fs.existsSync(file) && fs.readFileSync(file, "utf8"), `${file} to be written`));

  const done = path.join(dir.path, "done.pid");
  const a = (await t.engine.execute({ algorithm_id: id, input_dataset_ids: [], additional_parameters: { pid_file: done } })).execution_id;
  const ra = await waitForEnd(t.engine, a, 20000);
  assert.equal(ra.status, "COMPLETED", ra.log);
  const leftover = await pidOf(done);
  await eventually(() => !running(leftover), `sleep ${leftover} to end with its job`);
  assert.match((await t.engine.getExecution(a)).log, /ended 1 process\(es\) the job started and left running/);

  const stopped = path.join(dir.path, "stopped.pid");
  const b = (await t.engine.execute({ algorithm_id: id, input_dataset_ids: [], additional_parameters: { pid_file: stopped, stay: true } })).execution_id;
  await waitForStatus(t.engine, b, "RUNNING");
  const child = await pidOf(stopped);
  assert.ok(running(child), "the job's child runs while the job does");
  await t.engine.stopExecution(b);
  assert.equal((await waitForEnd(t.engine, b, 10000)).status, "STOPPED");
  await eventually(() => !running(child), `sleep ${child} to end with the stop`);
});
