// What the service-path benchmarks measure, shared by bench/cluster.ts and bench/service-path.ts:
// a no-op execution submitted over HTTP and done when COMPLETED arrives on the SSE stream, one at
// a time (latency) and from 4 clients at once (throughput).
import { once } from "node:events";
import path from "node:path";
import type { ChildProcess } from "node:child_process";
import { CompoxClient } from "../src-main/contract/client.js";
import { pyproject, writeFiles } from "../src-main/engine/testing/temp-algorithm.js";
import { watchExecutions, type ExecutionWatch } from "./execution-watch.js";

export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 100);
export const BURST = Number(process.env.BENCH_BURST ?? 400);

/** The p-th percentile (0…1) of `xs`. */
export const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;

const NOOP = 'import { BaseRunner } from "compox";\nexport class Runner extends BaseRunner { inference() { return []; } }\n';

export interface Setup {
  client: CompoxClient;
  algorithm: string;
  watcher: ExecutionWatch;
}

/** Deploys the no-op algorithm on the server at `url` (its folder written under `src`) and follows its events. */
export async function prepare(url: string, src: string): Promise<Setup> {
  const client = new CompoxClient(url);
  const { algorithm_id } = await client.deployLocal(writeFiles(path.join(src, "noop"), { "pyproject.toml": pyproject("noop", "1.0", "").replace("Image2Image", "Generic"), "Runner.ts": NOOP }));
  const watcher = watchExecutions(client);
  await new Promise((r) => setTimeout(r, 300));
  return { client, algorithm: algorithm_id, watcher };
}

const runOne = async ({ client, algorithm, watcher }: Setup) => watcher.ended((await client.execute({ algorithm_id: algorithm, input_dataset_ids: [] })).execution_id);

/** Per-execution latency in ms, one at a time, after `warmup` unmeasured ones. */
export async function latencies(s: Setup, rounds = ROUNDS, warmup = 20): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await runOne(s);
  const out: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    await runOne(s);
    out.push(performance.now() - t0);
  }
  return out;
}

/** Executions per second from 4 concurrent clients. */
export async function throughput(s: Setup, total = BURST): Promise<number> {
  let left = total;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (left-- > 0) await runOne(s);
    }),
  );
  return total / ((performance.now() - t0) / 1000);
}

/** SIGTERM to each process still running; resolves once all have exited. */
export async function stopAll(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(async (c) => {
      if (c.exitCode !== null) return;
      const exited = once(c, "exit");
      c.kill("SIGTERM");
      await exited;
    }),
  );
}
