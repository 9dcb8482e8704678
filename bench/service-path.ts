// The service path before and after a change, in the same run on the same machine
// (`npm run bench:service-path -- <base rev>`, default HEAD~1): a no-op execution's latency over
// HTTP + SSE and the throughput of 4 clients on the desktop, and the latency a cluster adds (one
// API node and one worker over Redis, PostgreSQL and s3rver). The trees run in alternating passes
// (base, this, base, this, …; BENCH_PASSES, default 3) and the samples of all passes are pooled.
import { execFileSync, execSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startClusterServices } from "../src-main/engine/testing/cluster-services.js";
import { serveProcess, workerProcess } from "../src-main/server/testing/serve-process.js";
import { latencies, pct, prepare, stopAll, throughput } from "./service-measures.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const baseRev = process.argv[2] ?? "HEAD~1";
const ROUNDS = 60;
/** Passes per tree, alternating (the machine's speed drifts from minute to minute). */
const PASSES = Number(process.env.BENCH_PASSES ?? 3);

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "compox-bench-path-"));

/**
 * A built copy of a tree in the scratch folder (sharing node_modules): `rev`, or with none this
 * working tree as it is (tracked and untracked files, ignored ones left out). Both trees run from
 * the same kind of place: run from the repository itself, "after" measured 15% slower in cluster
 * mode on this machine than the same commit copied beside "before".
 */
function checkout(name: string, rev?: string): string {
  const dir = path.join(scratch, name);
  fs.mkdirSync(dir);
  if (rev) execSync(`git archive ${rev} | tar -x -C ${dir}`, { cwd: root, stdio: "inherit" });
  else execSync(`git ls-files -z -co --exclude-standard | tar --null -T - -cf - | tar -x -C ${dir}`, { cwd: root, stdio: "inherit" });
  fs.symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"));
  execFileSync(process.execPath, ["scripts/build.mjs"], { cwd: dir, stdio: "ignore" });
  return dir;
}

interface Samples {
  desktop: number[];
  rate: number[];
  cluster: number[];
}

async function measure(tree: string, label: string, into: Samples): Promise<void> {
  const data = fs.mkdtempSync(path.join(scratch, `${label}-`));
  const desktop = await serveProcess(path.join(data, "desktop"), { root: tree });
  try {
    const s = await prepare(desktop.url, path.join(data, "src-d"));
    into.desktop.push(...(await latencies(s, ROUNDS)));
    into.rate.push(await throughput(s, 200));
    s.watcher.close();
  } finally {
    await stopAll([desktop.child]);
  }
  await using services = await startClusterServices();
  const api = await serveProcess(path.join(data, "api"), { env: services.env, root: tree });
  const children = [api.child];
  try {
    children.push((await workerProcess(path.join(data, "w1"), { env: services.env, args: ["--name", "w1"], root: tree })).child);
    const s = await prepare(api.url, path.join(data, "src-c"));
    into.cluster.push(...(await latencies(s, ROUNDS)));
    s.watcher.close();
  } finally {
    await stopAll(children);
  }
}

const rows: string[] = [];
try {
  const base = checkout("base", baseRev);
  const here = checkout("this");
  const before: Samples = { desktop: [], rate: [], cluster: [] };
  const after: Samples = { desktop: [], rate: [], cluster: [] };
  for (let pass = 0; pass < PASSES; pass++) {
    await measure(base, `base${pass}`, before);
    await measure(here, `this${pass}`, after);
  }
  const median = (xs: number[]) => pct(xs, 0.5);
  const row = (what: string, b: number, a: number, unit: string, digits = 1) => `| ${what} | ${b.toFixed(digits)} ${unit} | ${a.toFixed(digits)} ${unit} | ${(a / b).toFixed(2)}× |`;
  rows.push(
    row("desktop no-op execution, HTTP + SSE, p50", median(before.desktop), median(after.desktop), "ms"),
    row("desktop no-op execution, HTTP + SSE, p99", pct(before.desktop, 0.99), pct(after.desktop, 0.99), "ms"),
    row("desktop, 200 no-op executions from 4 clients", median(before.rate), median(after.rate), "/s", 0),
    row("cluster no-op execution, HTTP + SSE, p50", median(before.cluster), median(after.cluster), "ms"),
    row("cluster no-op execution, HTTP + SSE, p99", pct(before.cluster, 0.99), pct(after.cluster, 0.99), "ms"),
    row("cluster added latency (cluster p50 − desktop p50)", median(before.cluster) - median(before.desktop), median(after.cluster) - median(after.desktop), "ms"),
  );
} finally {
  fs.rmSync(scratch, { recursive: true, force: true });
}

const rev = (r: string) => execSync(`git rev-parse --short ${r}`, { cwd: root }).toString().trim();
const machine = `${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? "CPU"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const table = `# The service path before and after\n\n${new Date().toISOString().slice(0, 10)}, ${machine}. Before: ${rev(baseRev)}; after: this tree (${rev("HEAD")} and its changes). ${ROUNDS} executions per pass after 20 warm-up, ${PASSES} alternating passes per tree, pooled; the services on the same machine.\n\n| what | before | after | after ÷ before |\n|---|---|---|---|\n${rows.join("\n")}\n`;
fs.writeFileSync(path.join(root, "bench", "results", "service-path.md"), table);
console.log(table);
