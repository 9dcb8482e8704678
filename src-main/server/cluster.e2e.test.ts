// Cluster mode with real processes and sockets: Redis, PostgreSQL and s3rver; two API nodes
// (`compox serve`) and two workers (`compox worker`). 40 executions from 4 clients all complete on
// both workers; a session stays on its worker; SSE clients of the node that did not take a job
// see it live; stop works across nodes; a worker killed with -9 mid-job leaves its job FAILED
// "worker lost" (never RUNNING); an API node restarts without losing anything; and the Python
// companion examples work against the cluster unchanged.
import assert from "node:assert/strict";
import { execFile, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { CompoxClient } from "../contract/client.js";
import { isTerminal, type EngineEvent, type ExecutionRecord } from "../contract/records.js";
import { needsClusterServices, startClusterServices } from "../engine/testing/cluster-services.js";
import { needsPython, PYTHON } from "../engine/testing/system-needs.js";
import { pyproject, tempDir, writeFiles } from "../engine/testing/temp-algorithm.js";
import { COUNTING_RUNNER } from "../engine/testing/ticking-runner.js";
import { serveProcess, workerProcess } from "./testing/serve-process.js";

const root = fileURLToPath(new URL("../..", import.meta.url));


/** The processes' stderr, for a failure's message. */
const logs: (() => string)[] = [];

async function waitFor(client: CompoxClient, id: string, done: (r: ExecutionRecord) => boolean, timeoutMs: number): Promise<ExecutionRecord> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rec = await client.getExecution(id);
    if (done(rec)) return rec;
    if (Date.now() > deadline) throw new Error(`execution ${id} is ${rec.status} (worker ${rec.worker}) after ${timeoutMs} ms; log:\n${rec.log}\nprocesses' stderr:\n${logs.map((l) => l()).join("\n---\n")}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stop(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill(signal);
  await exited;
}

test("a cluster of 2 API nodes and 2 workers: throughput, sessions, SSE, stop, a killed worker, a restarted API node", { skip: needsClusterServices, timeout: 300_000 }, async () => {
  await using services = await startClusterServices();
  using dirs = tempDir("compox-cluster-");
  const dir = (name: string) => path.join(dirs.path, name);
  const env = services.env;
  const children: ChildProcess[] = [];
  try {
    const [a, b] = await Promise.all([serveProcess(dir("api-a"), { env }), serveProcess(dir("api-b"), { env })]);
    children.push(a.child, b.child);
    logs.push(a.stderr, b.stderr);
    const workers = new Map<string, ChildProcess>();
    for (const name of ["wa", "wb"]) {
      const w = await workerProcess(dir(name), { env, args: ["--name", name, "--concurrency", "2"] });
      workers.set(w.name, w.child);
      children.push(w.child);
      logs.push(w.stderr);
    }
    const A = new CompoxClient(a.url);
    const B = new CompoxClient(b.url);
    const work = writeFiles(dir("src/work"), { "pyproject.toml": pyproject("work", "1.0", "").replace("Image2Image", "Generic"), "Runner.ts": COUNTING_RUNNER });
    const { algorithm_id } = await A.deployLocal(work);
    assert.ok((await B.listAlgorithms({})).some((x) => x.algorithm_id === algorithm_id), "a deploy on one API node is visible on the other at once");

    // SSE on B sees what A accepted.
    const seenOnB: EngineEvent[] = [];
    const unsubscribe = B.events((e) => seenOnB.push(e), { since: 0 });

    // 40 executions from 4 clients, spread over both API nodes.
    const clients = [A, B, A, B];
    const ids = (await Promise.all(clients.map(async (client) => {
      const mine: string[] = [];
      for (let i = 0; i < 10; i++) mine.push((await client.execute({ algorithm_id, input_dataset_ids: [], additional_parameters: { ms: 100 } })).execution_id);
      return mine;
    }))).flat();
    assert.equal(new Set(ids).size, 40);
    const done = await Promise.all(ids.map((id, i) => waitFor(clients[i % 2]!, id, (r) => isTerminal(r.status), 120_000)));
    assert.deepEqual(done.filter((r) => r.status !== "COMPLETED").map((r) => `${r.execution_id} ${r.status}: ${r.log}`), [], "none lost, none failed");
    assert.deepEqual(new Set(done.map((r) => r.worker)), new Set(["wa", "wb"]), "both workers used");
    const acceptedByA = ids.filter((_, i) => i % 2 === 0);
    for (const id of acceptedByA) assert.ok(seenOnB.some((e) => e.type === "status" && "execution_id" in e && e.execution_id === id && e.status === "COMPLETED"), `B's SSE saw ${id} complete`);
    assert.ok(seenOnB.some((e) => e.type === "log" && "execution_id" in e && acceptedByA.includes(e.execution_id)), "and its log lines");
    unsubscribe();

    // A session across executions and nodes stays on its worker.
    const session: ExecutionRecord[] = [];
    for (const client of [A, B, A]) session.push(await waitFor(client, (await client.execute({ algorithm_id, input_dataset_ids: [], session_token: "lab-session" })).execution_id, (r) => isTerminal(r.status), 60_000));
    assert.deepEqual(session.map((r) => /count (\d+)/.exec(r.log)?.[1]), ["1", "2", "3"]);
    assert.equal(new Set(session.map((r) => r.worker)).size, 1);

    // Stop, asked of the node that did not take the job.
    const long = (await A.execute({ algorithm_id, input_dataset_ids: [], additional_parameters: { ms: 60_000 } })).execution_id;
    await waitFor(B, long, (r) => r.status === "RUNNING", 60_000);
    const stopAt = Date.now();
    await B.stopExecution(long);
    assert.equal((await waitFor(A, long, (r) => isTerminal(r.status), 15_000)).status, "STOPPED");
    assert.ok(Date.now() - stopAt < 5000, `STOPPED ${Date.now() - stopAt} ms after the request`);

    // A worker killed with -9 mid-job: its job ends FAILED "worker lost", never stuck RUNNING.
    const doomed = (await B.execute({ algorithm_id, input_dataset_ids: [], additional_parameters: { ms: 60_000 } })).execution_id;
    const taken = await waitFor(B, doomed, (r) => r.status === "RUNNING", 60_000);
    const victim = taken.worker!;
    await stop(workers.get(victim)!, "SIGKILL");
    const lost = await waitFor(A, doomed, (r) => isTerminal(r.status), 30_000);
    assert.equal(lost.status, "FAILED");
    assert.match(lost.log, new RegExp(`worker lost: ${victim} stopped answering`));
    const survivor = [...workers.keys()].find((n) => n !== victim)!;
    const after = await waitFor(A, (await A.execute({ algorithm_id, input_dataset_ids: [] })).execution_id, (r) => isTerminal(r.status), 60_000);
    assert.deepEqual([after.status, after.worker], ["COMPLETED", survivor], "the other worker goes on");

    // An API node restarts: the work it accepted before is still there, and it serves again.
    await stop(a.child);
    const whileDown = (await B.execute({ algorithm_id, input_dataset_ids: [] })).execution_id;
    const again = await serveProcess(dir("api-a"), { env });
    children.push(again.child);
    const A2 = new CompoxClient(again.url);
    assert.equal((await waitFor(A2, whileDown, (r) => isTerminal(r.status), 60_000)).status, "COMPLETED");
    assert.equal((await A2.getExecution(ids[0]!)).status, "COMPLETED");
    assert.equal((await waitFor(A2, (await A2.execute({ algorithm_id, input_dataset_ids: [] })).execution_id, (r) => isTerminal(r.status), 60_000)).status, "COMPLETED");

  } finally {
    await Promise.all(children.map((c) => stop(c)));
  }
});

test("the Python companion examples work against a cluster unchanged", { skip: needsClusterServices || needsPython, timeout: 300_000 }, async () => {
  await using services = await startClusterServices();
  using dirs = tempDir("compox-cluster-py-");
  const env = services.env;
  const api = await serveProcess(path.join(dirs.path, "api"), { env });
  const worker = await workerProcess(path.join(dirs.path, "worker"), { env, args: ["--name", "py-worker"] });
  try {
    const py = promisify(execFile);
    const { stdout } = await py(PYTHON!, [path.join(root, "examples", "companion_client.py"), "--server", api.url, "--algorithm", "tv_denoising/1", "--slices", "3"], { timeout: 120_000 });
    assert.match(stdout, /progress 1\.00 COMPLETED/);
    assert.equal((stdout.match(/^output .*: image \(64, 64\) \w+$/gm) ?? []).length, 3, stdout);
    assert.match(stdout, /deleted inputs and outputs/);
    const training = await py(PYTHON!, [path.join(root, "examples", "companion_training.py"), "--server", api.url], { timeout: 180_000 });
    assert.match(training.stdout, /^training COMPLETED 1\.00 /m);
    assert.ok(Number(/: ([\d.]+) of pixels right/.exec(training.stdout)?.[1]) > 0.9, training.stdout);
  } finally {
    await stop(worker.child);
    await stop(api.child);
  }
});
