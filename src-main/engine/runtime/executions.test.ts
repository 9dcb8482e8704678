import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import Database from "better-sqlite3";
import type { CompoxError } from "../../contract/errors.js";
import { isTerminal, type EngineEvent } from "../../contract/records.js";
import { tempDir } from "../testing/temp-algorithm.js";
import { testEngine, waitForEnd, waitForStatus } from "../testing/test-engine.js";
import { eventually } from "../testing/eventually.js";

const DOUBLE = `import { Image2ImageRunner } from "compox";
export class Runner extends Image2ImageRunner {
  async inference(images, args) {
    const out = new Float32Array(images.data.length);
    const n = images.shape[0];
    const per = out.length / n;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < per; j++) out[i * per + j] = images.data[i * per + j] * args.gain;
      this.logMessage("image " + (i + 1) + " of " + n);
      this.setProgress((i + 1) / n);
    }
    return { dtype: "float32", shape: images.shape, data: out };
  }
}`;
const GAIN = `additional_parameters = [ { name = "gain", config = { type = "float_range", default = 2.0, min = 0.0, max = 10.0, step = 0.5 } } ]`;

test("10 images: live progress and log events, 10 outputs with the right shapes", async () => {
  await using t = await testEngine();
  const algorithmId = await t.deploy("double", DOUBLE, { extra: GAIN });
  const inputs = await t.images(10, 6, 7);
  const events: EngineEvent[] = [];
  const off = t.engine.onEvent((e) => events.push(e));
  const { execution_id } = (await t.engine.execute({ algorithm_id: algorithmId, input_dataset_ids: inputs, additional_parameters: { gain: "3" } }));
  const rec = await waitForEnd(t.engine, execution_id);
  off();
  assert.equal(rec.status, "COMPLETED", rec.log);
  assert.equal(rec.progress, 1);
  assert.equal(rec.output_dataset_ids.length, 10);
  assert.deepEqual(rec.additional_parameters, { gain: 3 });
  assert.match(rec.session_token, /^[0-9a-f-]{36}$/);
  assert.notEqual(rec.time_completed, "");
  for (const [i, id] of rec.output_dataset_ids.entries()) {
    const out = await t.engine.readDataset(id);
    const inp = await t.engine.readDataset(inputs[i] ?? "");
    assert.equal(out.image?.dtype, "float32");
    assert.deepEqual(out.image?.shape, [6, 7]);
    assert.deepEqual([...(out.image?.data ?? [])], [...(inp.image?.data ?? [])].map((v) => Number(v) * 3));
  }
  // Events: PENDING → STARTED → RUNNING → COMPLETED, ten log lines in order, progress never falls.
  const mine = events.filter((e) => "execution_id" in e && e.execution_id === execution_id);
  assert.deepEqual(mine.filter((e) => e.type === "status").map((e) => (e as { status: string }).status), ["PENDING", "STARTED", "RUNNING", "COMPLETED"]);
  const logs = mine.filter((e) => e.type === "log").map((e) => (e as { line: string }).line);
  assert.deepEqual(logs.map((l) => /image (\d+) of 10/.exec(l)?.[1]).filter(Boolean), ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"]);
  const progress = mine.filter((e) => e.type === "progress").map((e) => (e as { progress: number }).progress);
  // Rises closer than 20 ms apart are merged (a tight loop must not flood the channel); the end always arrives.
  assert.ok(progress.length >= 1 && progress.length <= 10);
  assert.equal(progress.at(-1), 1);
  assert.ok(progress.every((p, i) => i === 0 || p >= (progress[i - 1] ?? 0)));
  // The log is in the record too, in Compox's "{time} {LEVEL} {message}" form.
  assert.match(rec.log, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6} INFO image 1 of 10$/m);
});

test("validation: datasets first (404), then algorithm (404), parameters (422), device (422)", async () => {
  await using t = await testEngine();
  const algorithmId = await t.deploy("double", DOUBLE, { extra: GAIN });
  const [input] = await t.images(1);
  const code = async (fn: () => unknown) => {
    try {
      await fn();
    } catch (e) {
      return `${(e as CompoxError).status} ${(e as CompoxError).code}: ${(e as Error).message}`;
    }
    return "ok";
  };
  assert.match(await code(async () => (await t.engine.execute({ algorithm_id: "nope", input_dataset_ids: ["00000000-0000-1000-8000-000000000000"] }))), /^404 dataset_not_found/);
  assert.match(await code(async () => (await t.engine.execute({ algorithm_id: "nope", input_dataset_ids: [input ?? ""] }))), /^404 algorithm_not_found/);
  assert.match(await code(async () => (await t.engine.execute({ algorithm_id: algorithmId, input_dataset_ids: [input ?? ""], additional_parameters: { gain: 11 } }))), /^422 parameters_invalid: .*gain: got 11; 11 is outside \[0, 10\]/);
  // An override the algorithm does not support runs on its default device, with a warning (Compox 3.2).
  for (const override of ["gpu", "cuda:0"]) {
    const unsupported = await waitForEnd(t.engine, (await t.engine.execute({ algorithm_id: algorithmId, input_dataset_ids: [input ?? ""], execution_device_override: override })).execution_id);
    assert.equal(unsupported.status, "COMPLETED", unsupported.log);
    assert.equal(unsupported.resolved_execution_device, "cpu");
    assert.match(unsupported.log, new RegExp(`WARNING execution_device_override "${override}" is not one of double's supported devices \\(cpu\\): running on its default device cpu`));
  }
  assert.match(await code(async () => (await t.engine.execute({ algorithm_id: algorithmId, input_dataset_ids: [input ?? ""], algorithm_minor_version: "7" }))), /^404 algorithm_not_found: .*no minor version 7/);
  // Undeclared parameters pass through with a warning in the log.
  const { execution_id } = (await t.engine.execute({ algorithm_id: algorithmId, input_dataset_ids: [input ?? ""], additional_parameters: { extra: 1 }, session_token: "mine" }));
  const rec = await waitForEnd(t.engine, execution_id);
  assert.equal(rec.status, "COMPLETED", rec.log);
  assert.equal(rec.session_token, "mine");
  assert.deepEqual(rec.additional_parameters, { gain: 2, extra: 1 });
  assert.match(rec.log, /WARNING parameter "extra" is not declared/);
});

test("a count mismatch in the default postprocess fails with a clear error", async () => {
  await using t = await testEngine();
  const id = await t.deploy("bad", `import { Image2ImageRunner } from "compox";
export class Runner extends Image2ImageRunner {
  inference(images) { return { dtype: images.dtype, shape: [1, ...images.shape.slice(1)], data: images.data.subarray(0, images.data.length / images.shape[0]) }; }
}`);
  const rec = await waitForEnd(t.engine, (await t.engine.execute({ algorithm_id: id, input_dataset_ids: await t.images(3) })).execution_id);
  assert.equal(rec.status, "FAILED");
  assert.match(rec.log, /ERROR execution failed: inference returned 1 images \(shape \[1, 4, 5\]\) for 3 inputs/);
});

test("each typed runner's default pre/post-processing", async () => {
  await using t = await testEngine();
  const inputs = await t.images(3, 4, 5);
  const run = async (type: string, body: string) => {
    const id = await t.deploy(`t_${type}`, `import { ${type}Runner } from "compox";\nexport class Runner extends ${type}Runner {\n${body}\n}`, { type });
    const rec = await waitForEnd(t.engine, (await t.engine.execute({ algorithm_id: id, input_dataset_ids: inputs })).execution_id);
    assert.equal(rec.status, "COMPLETED", `${type}: ${rec.log}`);
    return Promise.all(rec.output_dataset_ids.map((o) => t.engine.readDataset(o)));
  };
  const seg = await run("Image2Segmentation", "inference(x) { return { dtype: 'uint8', shape: x.shape, data: x.data.map((v) => v > 20 ? 1 : 0) }; }");
  assert.equal(seg.length, 3);
  assert.deepEqual(seg[0]?.mask?.shape, [4, 5]);
  const emb = await run("Image2Embedding", "inference(x) { return { dtype: 'float32', shape: [x.shape[0], 8], data: new Float32Array(x.shape[0] * 8).fill(0.5) }; }");
  assert.deepEqual(emb[0]?.features?.shape, [8]);
  assert.deepEqual([...(emb[0]?.original_size?.data ?? [])].map(Number), [4, 5]);
  const ali = await run("Image2Alignment", "inference(x) { const n = x.shape[0] - 1; const d = new Float64Array(n * 9); for (let k = 0; k < n; k++) { d.set([1, 0, k + 0.5, 0, 1, -k, 0, 0, 1], k * 9); } return { dtype: 'float64', shape: [n, 3, 3], data: d }; }");
  assert.equal(ali.length, 2);
  assert.deepEqual([...(ali[1]?.transform_matrix?.data ?? [])], [1, 0, 1.5, 0, 1, -1, 0, 0, 1]);
  assert.deepEqual([...(ali[1]?.translation_matrix?.data ?? [])], [1, 0, 1.5, 0, 1, -1, 0, 0, 1]);
  // Segmentation2Segmentation reads `mask` from its inputs.
  const maskIds = await Promise.all([0, 1].map(async () => (await t.engine.createDataset({ mask: { dtype: "uint8", shape: [2, 2], data: new Uint8Array([0, 1, 1, 0]) } })).file_id));
  const id = await t.deploy("s2s", `import { Segmentation2SegmentationRunner } from "compox";\nexport class Runner extends Segmentation2SegmentationRunner { inference(m) { return { ...m, data: m.data.map((v) => 1 - v) }; } }`, { type: "Segmentation2Segmentation" });
  const rec = await waitForEnd(t.engine, (await t.engine.execute({ algorithm_id: id, input_dataset_ids: maskIds })).execution_id);
  assert.equal(rec.status, "COMPLETED", rec.log);
  assert.deepEqual([...((await t.engine.readDataset(rec.output_dataset_ids[0] ?? "")).mask?.data ?? [])], [1, 0, 0, 1]);
  // An image input to a mask runner names what is missing.
  const wrong = await waitForEnd(t.engine, (await t.engine.execute({ algorithm_id: id, input_dataset_ids: inputs.slice(0, 1) })).execution_id);
  assert.equal(wrong.status, "FAILED");
  assert.match(wrong.log, /does not match the schema: mask: must be an NDArray/);
});

test("every dtype through fetchData/postData; Generic ids are recorded as returned", async () => {
  await using t = await testEngine();
  const dtypes = ["uint8", "int8", "uint16", "int16", "uint32", "int32", "int64", "float16", "float32", "float64", "bool"];
  const id = await t.deploy("echo", `import { BaseRunner, TYPED_ARRAY } from "compox";
export class Runner extends BaseRunner {
  async preprocess(input) { return this.fetchData(input.input_dataset_ids); }
  async inference(items) {
    const ids = await this.postData(items);
    return ["This is Foo!", ...ids];
  }
}`, { type: "Generic" });
  const items: Record<string, { dtype: string; shape: number[]; data: ArrayBufferView }> = {};
  for (const d of dtypes) {
    const { TYPED_ARRAY } = await import("../../contract/ndarray.js");
    const Ctor = TYPED_ARRAY[d as keyof typeof TYPED_ARRAY];
    items[d] = { dtype: d, shape: [2, 3], data: d === "int64" ? new BigInt64Array([1n, 2n, 3n, -4n, 5n, 2n ** 50n]) : new Ctor([0, 1, 1, 0, 1, 1] as never) };
  }
  const input = await t.engine.createDataset(items as never);
  const rec = await waitForEnd(t.engine, (await t.engine.execute({ algorithm_id: id, input_dataset_ids: [input.file_id] })).execution_id);
  assert.equal(rec.status, "COMPLETED", rec.log);
  assert.equal(rec.output_dataset_ids[0], "This is Foo!");
  const out = await t.engine.readDataset(rec.output_dataset_ids[1] ?? "");
  for (const d of dtypes) {
    assert.equal(out[d]?.dtype, d, d);
    assert.deepEqual([...(out[d]?.data ?? [])], Array.from(items[d]?.data as unknown as ArrayLike<unknown>) as never, d);
  }
});

test("assets load once across 10 executions, are locked, and cannot be fetched outside the folder", async () => {
  await using t = await testEngine();
  const id = await t.deploy("assets", `import { BaseRunner } from "compox";
let loads = 0;
export class Runner extends BaseRunner {
  async loadAssets() { loads++; this.weights = await this.fetchAsset("files/w.bin"); this.table = { n: 0 }; }
  async inference(input) {
    this.table.n++; // in-place mutation is allowed
    const out = ["loads=" + loads, "n=" + this.table.n, "w=" + Array.from(this.weights).join(",")];
    try { this.weights = new Uint8Array(1); out.push("reassigned"); } catch (e) { out.push("locked: " + e.message); }
    try { await this.fetchAsset("../../etc/passwd"); out.push("escaped"); } catch (e) { out.push("confined: " + e.message); }
    return out;
  }
}`, { type: "Generic", files: { "files/w.bin": Buffer.from([7, 8, 9]) } });
  let last;
  for (let i = 0; i < 10; i++) last = await waitForEnd(t.engine, (await t.engine.execute({ algorithm_id: id, input_dataset_ids: [] })).execution_id);
  assert.equal(last?.status, "COMPLETED", last?.log);
  const [loads, n, w, locked, confined] = last?.output_dataset_ids ?? [];
  assert.equal(loads, "loads=1");
  assert.equal(n, "n=10");
  assert.equal(w, "w=7,8,9");
  assert.match(locked ?? "", /^locked: "weights" was set in loadAssets and is locked/);
  assert.match(confined ?? "", /^confined: fetchAsset\("\.\.\/\.\.\/etc\/passwd"\): asset paths are relative to the algorithm folder/);
});

test("sessions carry items between two executions with the same token", async () => {
  await using t = await testEngine();
  const id = await t.deploy("sess", `import { BaseRunner } from "compox";
export class Runner extends BaseRunner {
  async inference(input, args) {
    const before = await this.loadItemFromSession("count");
    await this.saveItemToSession({ n: (before?.n ?? 0) + 1, data: new Float32Array([1.5]) }, "count");
    return ["n=" + ((before?.n ?? 0) + 1), "typed=" + (before ? before.data instanceof Float32Array : "none")];
  }
}`, { type: "Generic" });
  const run = async (token?: string) => (await waitForEnd(t.engine, (await t.engine.execute({ algorithm_id: id, input_dataset_ids: [], session_token: token })).execution_id)).output_dataset_ids;
  assert.deepEqual(await run("s1"), ["n=1", "typed=none"]);
  assert.deepEqual(await run("s1"), ["n=2", "typed=true"]);
  assert.deepEqual(await run("s2"), ["n=1", "typed=none"]);
  assert.deepEqual(await run(), ["n=1", "typed=none"]);
});

const COOPERATIVE = `import { BaseRunner } from "compox";
export class Runner extends BaseRunner {
  async inference() {
    for (let i = 0; ; i++) { this.setProgress(Math.min(0.9, i / 1000)); this.checkStop(); await new Promise((r) => setTimeout(r, 10)); }
  }
}`;
// "spinning" is logged after setProgress (which checks for a stop): once the test sees it, no
// check is left before the loop, so a stop cannot end it cooperatively (it did, under load).
const SPINNING = `import { BaseRunner } from "compox";
export class Runner extends BaseRunner {
  inference() { this.setProgress(0.2); this.logMessage("spinning"); while (true) {} }
}`;

test("stop: a cooperative runner stops at checkStop; a while(true) runner is killed after the grace", async () => {
  await using t = await testEngine({ stopGraceMs: 1500 });
  const coop = await t.deploy("coop", COOPERATIVE, { type: "Generic" });
  const spin = await t.deploy("spin", SPINNING, { type: "Generic" });
  const a = (await t.engine.execute({ algorithm_id: coop, input_dataset_ids: [] })).execution_id;
  await waitForStatus(t.engine, a, "RUNNING");
  await eventually(async () => (await t.engine.getExecution(a)).progress > 0, "the loop to report progress");
  await t.engine.stopExecution(a);
  const ra = await waitForEnd(t.engine, a, 5000);
  assert.equal(ra.status, "STOPPED", ra.log);
  assert.equal(ra.progress, 1);
  assert.doesNotMatch(ra.log, /killed/);

  const b = (await t.engine.execute({ algorithm_id: spin, input_dataset_ids: [] })).execution_id;
  await waitForStatus(t.engine, b, "RUNNING");
  await eventually(async () => (await t.engine.getExecution(b)).log.includes("spinning"), "the runner to spin");
  // Timed on the monotonic clock, as the grace's timer is; the log is in the message, since this
  // failed twice under load with no record of why.
  const started = performance.now();
  await t.engine.stopExecution(b);
  const rb = await waitForEnd(t.engine, b, 6000);
  assert.equal(rb.status, "STOPPED", rb.log);
  assert.ok(performance.now() - started >= 1400, `waited for the grace period: ${rb.log}`);
  assert.match(rb.log, /did not stop within 1\.5 s: its process was killed/);
  await assert.rejects(() => t.engine.stopExecution(b), (e: CompoxError) => e.code === "execution_not_stoppable" && e.status === 400);
  // The engine still serves: the same algorithm runs again in a fresh process.
  const c = (await t.engine.execute({ algorithm_id: coop, input_dataset_ids: [] })).execution_id;
  await waitForStatus(t.engine, c, "RUNNING");
  await t.engine.stopExecution(c);
  assert.equal((await waitForEnd(t.engine, c, 5000)).status, "STOPPED");
});

test("stop reaches synchronous code: checkStop() in a busy loop and signal.aborted end STOPPED in well under 1 s", async () => {
  await using t = await testEngine({ stopGraceMs: 5000 });
  const loops = {
    checkStop: "for (;;) { this.checkStop(); }",
    signal: "let n = 0; while (!this.signal.aborted) n++; this.logMessage('saw the stop after ' + (n > 0 ? 'some' : 'no') + ' iterations'); this.checkStop();",
    setProgress: "for (let i = 0; ; i++) this.setProgress((i % 1000) / 1000);",
  };
  for (const [name, loop] of Object.entries(loops)) {
    const id = await t.deploy(`sync_${name}`, `import { BaseRunner } from "compox";\nexport class Runner extends BaseRunner { inference() { this.logMessage("looping"); ${loop} } }`, { type: "Generic" });
    const exec = (await t.engine.execute({ algorithm_id: id, input_dataset_ids: [] })).execution_id;
    await waitForStatus(t.engine, exec, "RUNNING");
    await eventually(async () => (await t.engine.getExecution(exec)).log.includes("looping"), `${name} to loop`);
    const started = Date.now();
    await t.engine.stopExecution(exec);
    const rec = await waitForEnd(t.engine, exec, 6000);
    const took = Date.now() - started;
    assert.equal(rec.status, "STOPPED", `${name}: ${rec.log}`);
    assert.doesNotMatch(rec.log, /killed/, name);
    assert.ok(took < 1000, `${name}: STOPPED after ${took} ms`);
  }
});

test("crash isolation: throw, process.exit and runaway allocation end FAILED with the reason", async () => {
  await using t = await testEngine({ runnerMemoryMb: 400 });
  const cases: [string, string, RegExp][] = [
    // The stack is source-mapped to the author's Runner.ts.
    ["thrower", `throw new Error("bad pixels in slice 3");`, /execution failed: bad pixels in slice 3\n.*\n\s+at .*Runner\.ts:2:/],
    ["exiter", `process.exit(3);`, /execution failed: the runner process exited with code 3/],
    ["hog", `const keep = []; for (;;) keep.push(new Array(1e5).fill(Math.random()));`, /execution failed: the runner process ran out of memory/],
  ];
  for (const [name, body, expected] of cases) {
    const id = await t.deploy(name, `import { BaseRunner } from "compox";\nexport class Runner extends BaseRunner { inference() { ${body} } }`, { type: "Generic" });
    const rec = await waitForEnd(t.engine, (await t.engine.execute({ algorithm_id: id, input_dataset_ids: [] })).execution_id, 60000);
    assert.equal(rec.status, "FAILED", name);
    assert.match(rec.log, expected, name);
  }
  // Still healthy.
  const ok = await t.deploy("ok", `import { BaseRunner } from "compox";\nexport class Runner extends BaseRunner { inference() { return ["fine"]; } }`, { type: "Generic" });
  const rec = await waitForEnd(t.engine, (await t.engine.execute({ algorithm_id: ok, input_dataset_ids: [] })).execution_id);
  assert.deepEqual(rec.output_dataset_ids, ["fine"]);
});

test("a queued execution can be stopped before it starts; FIFO order under max_concurrent_executions", async () => {
  await using t = await testEngine({ settings: { max_concurrent_executions: 1, max_loaded_runners: 1 } });
  const coop = await t.deploy("coop", COOPERATIVE, { type: "Generic" });
  const first = (await t.engine.execute({ algorithm_id: coop, input_dataset_ids: [] })).execution_id;
  const second = (await t.engine.execute({ algorithm_id: coop, input_dataset_ids: [] })).execution_id;
  await waitForStatus(t.engine, first, "RUNNING");
  assert.equal((await t.engine.getExecution(second)).status, "PENDING");
  await t.engine.stopExecution(second);
  assert.equal((await waitForEnd(t.engine, second, 2000)).status, "STOPPED");
  await t.engine.stopExecution(first);
  assert.equal((await waitForEnd(t.engine, first, 5000)).status, "STOPPED");
});

test("algorithms import Node built-ins and the application's shipped packages at run time", async () => {
  await using t = await testEngine();
  const id = await t.deploy("imports", `import { BaseRunner } from "compox";
import { z } from "zod";
import os from "node:os";
import { helper } from "./helpers/deep/helper.js";
export class Runner extends BaseRunner {
  inference() { return [z.string().parse("zod ok"), typeof os.cpus, helper()]; }
}`, { type: "Generic", files: { "helpers/deep/helper.ts": "export const helper = (): string => 'helper ok';\n" } });
  const rec = await waitForEnd(t.engine, (await t.engine.execute({ algorithm_id: id, input_dataset_ids: [] })).execution_id);
  assert.deepEqual(rec.output_dataset_ids, ["zod ok", "function", "helper ok"], rec.log);
});

test("a runner that logs 20 MB keeps a bounded log: first and last lines, and what was cut", async () => {
  await using t = await testEngine({ settings: { max_log_kb: 64 } });
  const id = await t.deploy("chatty", `import { BaseRunner } from "compox";
export class Runner extends BaseRunner { inference() { const pad = "z".repeat(1000); for (let i = 0; i < 20000; i++) this.logMessage("line " + i + " " + pad); return []; } }`, { type: "Generic" });
  const rec = await waitForEnd(t.engine, (await t.engine.execute({ algorithm_id: id, input_dataset_ids: [] })).execution_id, 60000);
  assert.equal(rec.status, "COMPLETED");
  assert.ok(rec.log.length < 70 * 1024, `${rec.log.length} characters`);
  assert.match(rec.log, /INFO line 0 z+\n/);
  assert.match(rec.log, /INFO line 19999 z+\n/);
  assert.match(rec.log, /\[… \d+ log lines \(\d+ KB\) cut here/);
  assert.ok(JSON.stringify((await t.engine.listExecutions({ limit: 50 }))).length < 80 * 1024);
});

test("a TS runner that writes garbage to its message channel fails only its own execution", async () => {
  await using t = await testEngine();
  for (const fd of [3, 4]) {
    const id = await t.deploy(`garbage${fd}`, `import { BaseRunner } from "compox";
import fs from "node:fs";
export class Runner extends BaseRunner { async inference() { fs.writeSync(${fd}, Buffer.from("\\x00\\x00\\x00\\x08garbage!\\n")); await new Promise((r) => setTimeout(r, 3000)); return ["survived"]; } }`, { type: "Generic" });
    const rec = await waitForEnd(t.engine, (await t.engine.execute({ algorithm_id: id, input_dataset_ids: [] })).execution_id, 20000);
    if (fd === 4) {
      assert.equal(rec.status, "FAILED", rec.log);
      assert.match(rec.log, /broke its message protocol: it sent a line that is not a message/);
    } else assert.deepEqual(rec.output_dataset_ids, ["survived"], "the engine never reads its own end of fd 3");
  }
  const ok = await t.deploy("ok", `import { BaseRunner } from "compox";\nexport class Runner extends BaseRunner { inference() { return ["fine"]; } }`, { type: "Generic" });
  assert.deepEqual((await waitForEnd(t.engine, (await t.engine.execute({ algorithm_id: ok, input_dataset_ids: [] })).execution_id)).output_dataset_ids, ["fine"]);
});

test("a record keeps its algorithm's name after the algorithm is removed", async () => {
  await using t = await testEngine();
  const algorithmId = await t.deploy("short_lived", DOUBLE, { extra: GAIN });
  const { execution_id } = (await t.engine.execute({ algorithm_id: algorithmId, input_dataset_ids: await t.images(1, 4, 4) }));
  assert.equal((await waitForEnd(t.engine, execution_id)).algorithm_name, "short_lived");
  await t.engine.removeAlgorithm(algorithmId, { force: true });
  const rec = (await t.engine.getExecution(execution_id));
  assert.equal(rec.algorithm_name, "short_lived");
  assert.equal(rec.algorithm_id, algorithmId);
});

test("an end written elsewhere stands: a job failed by another node never reads COMPLETED, and no second end is announced", async () => {
  await using t = await testEngine({ settings: { max_concurrent_executions: 1 } });
  using dir = tempDir();
  const go = path.join(dir.path, "go");
  const id = await t.deploy("waits", `import { BaseRunner } from "compox";
import fs from "node:fs";
export class Runner extends BaseRunner {
  async inference(_d, args) { while (!fs.existsSync(args.go)) { this.checkStop(); await new Promise((r) => setTimeout(r, 10)); } return []; }
}`, { type: "Generic" });
  const events: EngineEvent[] = [];
  const off = t.engine.onEvent((e) => events.push(e));
  const a = (await t.engine.execute({ algorithm_id: id, input_dataset_ids: [], additional_parameters: { go } })).execution_id;
  await waitForStatus(t.engine, a, "RUNNING");
  // Another node (its reaper) fails the job while this one still runs it.
  const db = new Database(path.join(t.dataDir, "compox.db"));
  db.prepare("UPDATE executions SET status = 'FAILED' WHERE execution_id = ?").run(a);
  db.close();
  fs.writeFileSync(go, "");
  // One slot: the next job runs only once the first has ended here.
  const b = (await t.engine.execute({ algorithm_id: id, input_dataset_ids: [], additional_parameters: { go } })).execution_id;
  assert.equal((await waitForEnd(t.engine, b, 20000)).status, "COMPLETED");
  off();
  assert.equal((await t.engine.getExecution(a)).status, "FAILED");
  const ends = events.filter((e) => e.type === "status" && "execution_id" in e && e.execution_id === a && isTerminal(e.status));
  assert.deepEqual(ends, [], "no end announced for a job that had ended elsewhere");
});
