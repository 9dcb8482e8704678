// One suite, every record store (SQLite and PostgreSQL): the repositories behave the same on
// each. A behaviour only one store has is a bug in the port.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ExecutionRecord, TrainingRecord } from "../../contract/records.js";
import { DatasetStore } from "../datasets/dataset-store.js";
import { RECORD_STORES } from "../testing/record-stores.js";
import { tempDir } from "../testing/temp-algorithm.js";
import { AlgorithmsRepo } from "./algorithms-repo.js";
import { DeploysRepo } from "./deploys-repo.js";
import { ExecutionsRepo } from "./executions-repo.js";
import { JobWorkers } from "./job-workers.js";
import { LogStore } from "./log-store.js";
import { TrainingRepo } from "./training-repo.js";

const execution: ExecutionRecord = {
  execution_id: "e1", algorithm_id: "a", algorithm_minor_version: "0", input_dataset_ids: ["d1"], execution_device_override: null,
  resolved_execution_device: "cpu", additional_parameters: { w: 1.5, nested: { k: [1, 2] } }, session_token: "s", checkpoint_id: null, output_dataset_ids: [],
  status: "PENDING", progress: 0, time_started: "t", time_completed: "", log: "", algorithm_name: "demo",
};

const training: TrainingRecord = {
  training_id: "t1", algorithm_id: "a", status: "PENDING", progress: 0, time_started: "t", time_completed: "", log: "", training_data: ["s1"],
  additional_parameters: { lr: 0.1 }, state: {}, tags: ["x"], checkpoint_id: null, algorithm_minor_version: "0", output_checkpoint_ids: [], algorithm_name: "demo",
};

for (const store of RECORD_STORES) {
  const name = (what: string) => `${store.name}: ${what}`;

  test(name("executions: progress, logs, status, paging newest first, filters, pruning"), { skip: store.skip }, async () => {
    await using s = await store.open();
    const repo = new ExecutionsRepo(s.db, new LogStore(s.db, () => 1 << 20));
    await repo.insert(execution, 1000);
    await repo.insert({ ...execution, execution_id: "e2" }, 5000);
    await repo.setProgress("e1", 0.5);
    assert.equal((await repo.get("e1"))?.progress, 0.5);
    await repo.appendLog("e1", "one");
    await repo.appendLog("e1", "two ünïcode");
    const e1 = (await repo.get("e1"))!;
    assert.equal(e1.log, "one\ntwo ünïcode\n");
    assert.deepEqual(e1.additional_parameters, execution.additional_parameters);
    assert.equal(e1.algorithm_name, "demo");
    assert.equal(Object.keys(e1).includes("rowid"), false, "no store-internal column leaks into records");
    assert.deepEqual([...(await repo.activeInputIds())], ["d1"]);
    assert.deepEqual((await repo.unfinished()).sort(), ["e1", "e2"]);
    assert.equal((await repo.pruneBefore(2000)), 0, "unfinished records are kept");
    assert.equal((await repo.setStatus("e2", "RUNNING", { progress: 0.25 })), true);
    assert.equal((await repo.get("e2"))?.progress, 0.25);
    assert.equal((await repo.setStatus("e1", "COMPLETED", { progress: 1, time_completed: "t2", output_dataset_ids: ["o"] })), true);
    assert.deepEqual((await repo.get("e1"))?.output_dataset_ids, ["o"]);
    assert.equal((await repo.get("e1"))?.time_completed, "t2");
    // An end is written once: no later write moves the record, whatever it says.
    assert.equal((await repo.setStatus("e1", "FAILED", { time_completed: "t3", output_dataset_ids: [] })), false);
    assert.deepEqual([(await repo.get("e1"))?.status, (await repo.get("e1"))?.time_completed, (await repo.get("e1"))?.output_dataset_ids], ["COMPLETED", "t2", ["o"]]);
    assert.equal((await repo.setStatus("e2", "FAILED")), true);
    assert.equal((await repo.setStatus("e2", "COMPLETED")), false, "a FAILED job never becomes COMPLETED");
    assert.equal((await repo.get("e2"))?.status, "FAILED");
    assert.deepEqual((await repo.list({ limit: 1 })).map((r) => r.execution_id), ["e2"]);
    assert.deepEqual((await repo.list({ before: "e2" })).map((r) => r.execution_id), ["e1"]);
    assert.deepEqual((await repo.list({ status: "COMPLETED" })).map((r) => r.execution_id), ["e1"]);
    assert.deepEqual((await repo.list({ algorithm_id: "other" })), []);
    assert.equal((await repo.pruneBefore(2000)), 1);
    assert.equal((await repo.get("e1")), undefined);
  });

  test(name("workers: who holds each unfinished job, and how many wait"), { skip: store.skip }, async () => {
    await using s = await store.open();
    const logs = new LogStore(s.db, () => 1 << 20);
    const executions = new ExecutionsRepo(s.db, logs);
    const trainings = new TrainingRepo(s.db, logs);
    const workers = new JobWorkers(s.db);
    await executions.insert(execution, 1);
    await executions.insert({ ...execution, execution_id: "e2" }, 2);
    await trainings.insert(training, 3);
    assert.equal((await workers.pending()), 3);
    await workers.set("execution", "e1", "gpu-1");
    await workers.set("training", "t1", "gpu-2");
    assert.deepEqual((await workers.waitingSince(10)), [{ kind: "execution", id: "e2" }], "PENDING and held by no worker");
    assert.deepEqual((await workers.waitingSince(1)), [], "only those recorded by then");
    assert.deepEqual([(await workers.isWaiting("execution", "e2")), (await workers.isWaiting("execution", "e1")), (await workers.isWaiting("training", "t1"))], [true, false, false]);
    await executions.setStatus("e2", "RUNNING");
    assert.equal((await workers.isWaiting("execution", "e2")), false, "a started job waits no more");
    assert.equal((await workers.pending()), 2);
    assert.deepEqual((await workers.held()), [
      { kind: "execution", id: "e1", worker: "gpu-1" },
      { kind: "training", id: "t1", worker: "gpu-2" },
    ]);
    assert.equal((await executions.get("e1"))?.worker, "gpu-1");
    assert.equal((await executions.get("e2"))?.worker, undefined, "no worker yet: no field");
    assert.equal((await trainings.get("t1"))?.worker, "gpu-2");
    await executions.setStatus("e1", "COMPLETED");
    assert.deepEqual((await workers.held()).map((h) => h.id), ["t1"], "finished jobs are nobody's concern");
    assert.equal((await workers.claim("execution", "e2", "gpu-3")), "RUNNING", "a worker takes an unfinished job");
    assert.equal((await executions.get("e2"))?.worker, "gpu-3");
    assert.equal((await workers.claim("execution", "e1", "gpu-3")), undefined, "an ended job cannot be taken");
    assert.equal((await executions.get("e1"))?.worker, "gpu-1", "and keeps its worker");
    assert.equal((await workers.claim("benchmark", "none", "gpu-3")), undefined);
  });

  test(name("logs keep head and tail over their budget, and resume after a restart"), { skip: store.skip }, async () => {
    await using s = await store.open();
    let logs = new LogStore(s.db, () => 8 * 1024);
    for (let i = 0; i < 400; i++) (await logs.append("j", `line ${String(i).padStart(4, "0")} ${"x".repeat(40)}`));
    const lines = (await logs.read("j")).trimEnd().split("\n");
    assert.match(lines[0]!, /^line 0000 /);
    assert.match(lines.at(-1)!, /^line 0399 /);
    const marker = lines.findIndex((l) => l.startsWith("[…"));
    const cut = Number(/\[… (\d+)/.exec(lines[marker]!)?.[1]);
    assert.equal(marker + cut + (lines.length - marker - 1), 400, "head + cut + tail = every line");
    await logs.append("k", "é".repeat(10_000));
    assert.ok(Buffer.byteLength((await logs.read("k"))) <= 4 * 1024, "a huge line is cut to half the budget (counted in bytes)");
    logs = new LogStore((await s.reopen()), () => 8 * 1024);
    for (let i = 0; i < 200; i++) (await logs.append("j", `after restart ${i} ${"y".repeat(30)}`));
    const text = (await logs.read("j"));
    assert.ok(Buffer.byteLength(text) <= 8 * 1024 + 200);
    assert.match(text, /^line 0000 /);
    assert.match(text, /after restart 199 y+\n$/);
    await logs.pruneOrphans();
    assert.equal((await logs.read("j")), "", "no record owns job j");
  });

  test(name("algorithms: lines, versions, modules, assets; a transaction that throws leaves nothing"), { skip: store.skip }, async () => {
    await using s = await store.open();
    const repo = new AlgorithmsRepo(s.db);
    const config = { algorithm_type: "Image2Image" } as never;
    await s.db.transaction(async (tx) => {
      const inTx = new AlgorithmsRepo(tx);
      await inTx.insertLine({ algorithm_id: "a", name: "Demo", major: 1, latest_minor: 0, created_at: "t" });
      await inTx.upsertModule({ module_id: "m", blob_id: "b".repeat(64), language: "ts", entry_point: "Runner.ts" });
      await inTx.upsertModule({ module_id: "m", blob_id: "b".repeat(64), language: "ts", entry_point: "Runner.ts" });
      await inTx.insertVersion({ algorithm_id: "a", minor: 0, module_id: "m", config, pyproject: "p", created_at: "t", updated_at: "t" });
      await inTx.insertAssets("a", 0, [{ path: "files/w.bin", asset_id: "c".repeat(64), size: 5_000_000_000 }]);
    }, { exclusive: true });
    assert.equal((await repo.findLine("DEMO", 1))?.algorithm_id, "a", "names are found whatever their case");
    const runnable = (await repo.runnable("a", null));
    assert.deepEqual([runnable?.line.name, runnable?.line.latest_minor, runnable?.version.minor, runnable?.version.module_id, runnable?.language], ["Demo", 0, 0, "m", "ts"], "the latest minor, with its module's language");
    assert.deepEqual(runnable?.version.config, config);
    assert.equal((await repo.runnable("a", 0))?.version.pyproject, "p");
    assert.equal((await repo.runnable("a", 7)), undefined);
    assert.equal((await repo.runnable("nope", null)), undefined);
    assert.deepEqual((await repo.minors("a")), [0]);
    assert.deepEqual((await repo.assets("a", 0)), [{ path: "files/w.bin", asset_id: "c".repeat(64), size: 5_000_000_000 }], "sizes past 2³² stay exact");
    assert.equal((await repo.isBlobReferenced("c".repeat(64))), true);
    assert.equal((await repo.updateMetadata("a", 0, config, "p", "t2")), false, "unchanged metadata is no update");
    assert.equal((await repo.updateMetadata("a", 0, config, "p2", "t2")), true);
    await assert.rejects(
      s.db.transaction(async (tx) => {
        await new AlgorithmsRepo(tx).setLatestMinor("a", 7);
        await tx.transaction((inner) => new AlgorithmsRepo(inner).insertLine({ algorithm_id: "b", name: "B", major: 1, latest_minor: 0, created_at: "t" }));
        throw new Error("deploy failed");
      }),
      /deploy failed/,
    );
    assert.equal((await repo.getLine("a"))?.latest_minor, 0, "rolled back");
    assert.equal((await repo.getLine("b")), undefined, "the nested part rolled back too");
    await repo.deleteVersion("a", 0);
    assert.deepEqual((await repo.assets("a", 0)), [], "assets go with their version");
    assert.deepEqual((await repo.takeOrphanModules()), ["b".repeat(64)]);
    await repo.deleteLine("a");
    assert.deepEqual((await repo.listLines()), []);
  });

  test(name("trainings, samples and checkpoints with their files"), { skip: store.skip }, async () => {
    await using s = await store.open();
    const repo = new TrainingRepo(s.db, new LogStore(s.db, () => 1 << 20));
    await repo.insertSample({ sample_id: "s1", files: [{ input: ["i"], target: ["t"] }], tags: ["a"], time_created: "t" }, 1);
    assert.deepEqual((await repo.getSample("s1"))?.files, [{ input: ["i"], target: ["t"] }]);
    assert.deepEqual([...(await repo.sampleDatasetIds())].sort(), ["i", "t"]);
    await repo.insert(training, 1);
    await repo.insert({ ...training, training_id: "t2" }, 2);
    await repo.setState("t1", { loss: 0.25 });
    await repo.setProgress("t1", 0.5);
    await repo.insertCheckpoint({ checkpoint_id: "c1", training_id: "t1", parent_algorithm_id: "a", parent_checkpoint_id: null, algorithm_minor_version: "0", created_at: "t", properties: { acc: 0.9 }, tags: ["x"] }, { "files/model.json": "d".repeat(64) });
    await repo.setStatus("t1", "COMPLETED", { progress: 1, time_completed: "t3" });
    const t1 = (await repo.get("t1"))!;
    assert.deepEqual([t1.state, t1.progress, t1.status, t1.output_checkpoint_ids], [{ loss: 0.25 }, 1, "COMPLETED", ["c1"]]);
    assert.deepEqual((await repo.list({ limit: 1 })).map((t) => t.training_id), ["t2"], "newest first");
    assert.deepEqual((await repo.list({ before: "t2" })).map((t) => t.training_id), ["t1"]);
    assert.deepEqual((await repo.unfinished()), ["t2"]);
    assert.deepEqual(await repo.failedIds(), []);
    await repo.insert({ ...training, training_id: "t3" }, 3);
    await repo.setStatus("t3", "FAILED");
    assert.deepEqual(await repo.failedIds(), ["t3"], "the failed ones only");
    assert.deepEqual((await repo.checkpointFiles("c1")), { "files/model.json": "d".repeat(64) });
    assert.deepEqual((await repo.listCheckpoints()).map((c) => c.checkpoint_id), ["c1"]);
    assert.deepEqual((await repo.deleteCheckpoint("c1")), ["d".repeat(64)]);
    assert.equal((await repo.isBlobReferenced("d".repeat(64))), false);
    assert.equal((await repo.deleteSample("s1")), true);
    assert.equal((await repo.deleteSample("s1")), false);
  });

  test(name("deploy records: an interrupted deploy fails with its error"), { skip: store.skip }, async () => {
    await using s = await store.open();
    const repo = new DeploysRepo(s.db);
    await repo.insert("d1", "/algs/x", "t", 1);
    await repo.setStatus("d1", "RUNNING");
    assert.equal((await repo.failUnfinished("t2", { detail: "interrupted", code: "deploy_failed" })), 1);
    const d = (await repo.get("d1"))!;
    assert.equal(d.status, "FAILED");
    assert.equal(d.time_completed, "t2");
  });

  test(name("datasets: stored, listed newest first, replaced in place, deleted"), { skip: store.skip }, async () => {
    await using s = await store.open();
    using dir = tempDir();
    let clock = 1_700_000_000_000;
    const datasets = new DatasetStore({ db: s.db, dir: dir.path, now: () => new Date((clock += 1000)), expiryDays: () => 7 });
    const a = await datasets.putArrays({ image: { dtype: "uint8", shape: [2, 2], data: new Uint8Array([1, 2, 3, 4]) } }, "a.png");
    const b = await datasets.putArrays({ image: { dtype: "float32", shape: [1, 3], data: new Float32Array([0.5, 1, 2]) } }, null);
    assert.deepEqual((await datasets.list()).map((d) => d.file_id), [b.file_id, a.file_id]);
    assert.deepEqual((await datasets.list(10, b.file_id)).map((d) => d.file_id), [a.file_id]);
    assert.deepEqual((await datasets.require(a.file_id)).keys.image, { shape: [2, 2], dtype: "uint8" });
    assert.deepEqual((await datasets.missing([a.file_id, "nope"])), ["nope"]);
    assert.equal((await datasets.delete(a.file_id)), true);
    assert.equal((await datasets.get(a.file_id)), undefined);
  });

  test(name("transactions: a write from outside is not part of one (a rollback leaves it); a job's writes land in order"), { skip: store.skip }, async () => {
    await using s = await store.open();
    const repo = new DeploysRepo(s.db);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const failing = s.db.transaction(async (tx) => {
      await new DeploysRepo(tx).insert("inside", "p", "t", 1);
      entered();
      await held;
      throw new Error("rolled back");
    });
    await inside;
    // Sent while the transaction is open; it must neither join it nor be lost with it.
    const outside = repo.insert("outside", "p", "t", 2);
    release();
    await assert.rejects(failing, /rolled back/);
    await outside;
    assert.equal(await repo.get("inside"), undefined, "the transaction's own write is rolled back");
    assert.equal((await repo.get("outside"))?.status, "PENDING", "the outside write stays");

    // Many writes of one log, sent without waiting, read back in the order they were sent.
    const logs = new LogStore(s.db, () => 1 << 20);
    await Promise.all(Array.from({ length: 40 }, (_, i) => logs.append("j", `line ${i}`)));
    assert.deepEqual((await logs.read("j")).trimEnd().split("\n"), Array.from({ length: 40 }, (_, i) => `line ${i}`));
  });
}
