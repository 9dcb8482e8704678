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
import { Redis } from "ioredis";
import type { SettingsInput } from "../src-main/contract/settings.js";
import { PgDb } from "../src-main/engine/store/postgres/pg-db.js";
import { BURST, latencies, pct, prepare, ROUNDS, stopAll, throughput } from "./service-measures.js";

/** Commands Redis has run (INFO commandstats, every client) and transactions PostgreSQL has ended in the cluster's database. */
async function serviceCounts(settings: SettingsInput): Promise<{ redis: number; db: number }> {
  const redis = new Redis(String(settings.queue_url));
  const db = new PgDb(String(settings.database_url));
  try {
    const stats = await redis.info("commandstats");
    const commands = [...stats.matchAll(/calls=(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
    // A busy backend reports its counts at most once a second, an idle one within 10 s.
    await new Promise((r) => setTimeout(r, 11_000));
    const row = await db.get<{ n: number }>("SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()");
    return { redis: commands, db: Number(row?.n ?? 0) };
  } finally {
    redis.disconnect();
    await db.close();
  }
}

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
    await latencies(s, 0, 20); // warm-up, outside the counts
    // What one job costs the services: counted over the measured executions, less what the nodes
    // do anyway (heartbeats, the reaper, the reconciler) over as long a time with no job.
    const before = await serviceCounts(services.settings);
    const t0 = performance.now();
    const clusterMs = await latencies(s, ROUNDS, 0);
    const busyMs = performance.now() - t0;
    const during = await serviceCounts(services.settings);
    await new Promise((r) => setTimeout(r, busyMs));
    const idle = await serviceCounts(services.settings);
    const perJob = (k: "redis" | "db") => (during[k] - before[k] - (idle[k] - during[k])) / ROUNDS;
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
      `| Redis commands per no-op execution | ${perJob("redis").toFixed(1)} | | | every node's, less the background over as long with no job |`,
      `| database transactions per no-op execution | ${perJob("db").toFixed(1)} | | | each statement outside a transaction is one; less the background |`,
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
