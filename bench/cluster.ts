// Cluster-mode benchmark (`npm run bench:cluster`): the latency cluster mode adds to a no-op
// execution (submitted over HTTP, done when COMPLETED arrives on the SSE stream) over the desktop
// mode, measured in the same run on the same machine, and the throughput of 1 and 2 workers. The
// services are real: redis-server, PostgreSQL (npm run setup:system) and s3rver.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ChildProcess } from "node:child_process";
import { startClusterServices } from "../src-main/engine/testing/cluster-services.js";
import { serveProcess, workerProcess } from "../src-main/server/testing/serve-process.js";
import { BURST, latencies, pct, prepare, ROUNDS, stopAll, throughput } from "./service-measures.js";

const root = fileURLToPath(new URL("..", import.meta.url));

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "compox-bench-cluster-"));
const rows: string[] = [];
try {
  // The desktop: one process, SQLite and files.
  const desktop = await serveProcess(path.join(scratch, "desktop"));
  let desktopMs: number[];
  let desktopRate: number;
  try {
    const s = await prepare(desktop.url, path.join(scratch, "src-d"));
    desktopMs = await latencies(s);
    desktopRate = await throughput(s);
    s.watcher.close();
  } finally {
    await stopAll([desktop.child]);
  }

  await using services = await startClusterServices();
  const env = services.env;
  const api = await serveProcess(path.join(scratch, "api"), { env });
  const children: ChildProcess[] = [api.child];
  try {
    children.push((await workerProcess(path.join(scratch, "w1"), { env, args: ["--name", "w1"] })).child);
    const s = await prepare(api.url, path.join(scratch, "src-c"));
    const clusterMs = await latencies(s);
    const oneWorker = await throughput(s);
    children.push((await workerProcess(path.join(scratch, "w2"), { env, args: ["--name", "w2"] })).child);
    await new Promise((r) => setTimeout(r, 500));
    const twoWorkers = await throughput(s);
    s.watcher.close();

    const added = pct(clusterMs, 0.5) - pct(desktopMs, 0.5);
    rows.push(
      `| no-op execution, HTTP + SSE, p50 | ${pct(clusterMs, 0.5).toFixed(1)} ms | desktop ${pct(desktopMs, 0.5).toFixed(1)} ms | ${(pct(clusterMs, 0.5) / pct(desktopMs, 0.5)).toFixed(2)}× | added ${added.toFixed(1)} ms (goal ≤ 5 ms: ${added <= 5 ? "✓" : "✗"}) |`,
      `| no-op execution, HTTP + SSE, p99 | ${pct(clusterMs, 0.99).toFixed(1)} ms | desktop ${pct(desktopMs, 0.99).toFixed(1)} ms | ${(pct(clusterMs, 0.99) / pct(desktopMs, 0.99)).toFixed(2)}× | |`,
      `| ${BURST} no-op executions, 4 clients, 1 worker | ${oneWorker.toFixed(0)} /s | desktop ${desktopRate.toFixed(0)} /s | ${(oneWorker / desktopRate).toFixed(2)}× | one machine's desktop mode does the same with no services |`,
      `| ${BURST} no-op executions, 4 clients, 2 workers | ${twoWorkers.toFixed(0)} /s | 1 worker ${oneWorker.toFixed(0)} /s | ${(twoWorkers / oneWorker).toFixed(2)}× | here both workers share ${os.cpus().length} cores with the API node and the services |`,
    );
  } finally {
    await stopAll(children);
  }
} finally {
  fs.rmSync(scratch, { recursive: true, force: true });
}

const machine = `${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? "CPU"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const table = `# Cluster mode benchmark\n\n${new Date().toISOString().slice(0, 10)}, ${machine}; 1 API node, Redis, PostgreSQL and s3rver on the same machine. ${ROUNDS} sequential executions for latency (after 20 warm-up), ${BURST} for throughput.\n\n| what | cluster | baseline | cluster ÷ baseline | note |\n|---|---|---|---|---|\n${rows.join("\n")}\n`;
fs.mkdirSync(path.join(root, "bench", "results"), { recursive: true });
fs.writeFileSync(path.join(root, "bench", "results", "cluster.md"), table);
console.log(table);
