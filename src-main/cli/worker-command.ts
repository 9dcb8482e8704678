// `compox worker`: a cluster worker. It runs executions, trainings and benchmarks from the queues
// of its devices (and sessions pinned to it) with the same runner processes as the desktop, and
// says it is alive every few seconds; SIGINT/SIGTERM stop it: no new job is taken, running ones
// have worker_shutdown_grace_s to finish, then end FAILED "interrupted".
import os from "node:os";
import type { Command } from "commander";
import { CompoxError } from "../contract/errors.js";
import type { Settings } from "../contract/settings.js";
import { createEngine, loadSettings, type Logger, detectGpus } from "../engine/index.js";
import { clusterSettingsOf, withClusterOptions, type ClusterFlags } from "./cluster-options.js";
import type { CommandContext } from "./program.js";

export interface WorkerFlags {
  concurrency?: string;
  devices?: string;
  name?: string;
}

const DEVICES = ["cpu", "gpu"];

/** Adds --concurrency, --devices and --name to `cmd`. */
export function withWorkerOptions(cmd: Command): Command {
  return cmd
    .option("--concurrency <n>", "jobs run at once (default: max_concurrent_executions)")
    .option("--devices <list>", "devices to take jobs for: cpu, gpu or cpu,gpu (default: cpu, and gpu when one is found)")
    .option("--name <name>", "this worker's name, unique in the cluster and kept across restarts (default: the host name)");
}

/** --concurrency as the setting it overrides. */
export function workerSettingsOf(opts: WorkerFlags): Record<string, string | undefined> {
  return { max_concurrent_executions: opts.concurrency };
}

/** The worker's name, devices and concurrency, checked. */
export function workerOptionsOf(opts: WorkerFlags, settings: Settings, gpus = () => detectGpus().cudaDevices): { name: string; devices: string[]; concurrency: number } {
  const devices = opts.devices ? opts.devices.split(",").map((d) => d.trim().toLowerCase()).filter(Boolean) : ["cpu", ...(gpus() > 0 ? ["gpu"] : [])];
  const unknown = devices.filter((d) => !DEVICES.includes(d));
  if (unknown.length > 0 || devices.length === 0) throw new CompoxError("invalid_request", `--devices ${opts.devices}: use cpu, gpu or cpu,gpu`);
  // A worker that took gpu jobs without a GPU would run them on the CPU and record them as cuda.
  if (opts.devices && devices.includes("gpu") && gpus() === 0)
    throw new CompoxError("device_not_supported", `--devices ${opts.devices}: no CUDA device is found on this machine (nvidia-smi finds none); leave gpu out, or run this worker where a GPU is`);
  const name = opts.name ?? os.hostname();
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(name)) throw new CompoxError("invalid_request", `--name "${name}": use 1 to 64 letters, digits, '.', '_' or '-'`);
  return { name, devices, concurrency: settings.max_concurrent_executions };
}

export function registerWorker(program: Command, ctx: CommandContext): void {
  const worker = program.command("worker").description("cluster mode: run jobs from the queue (executions, trainings, benchmarks)");
  withWorkerOptions(withClusterOptions(worker)).action(async (opts: WorkerFlags & ClusterFlags, cmd: Command) => {
    const dataDir = ctx.dataDir(cmd);
    const settings = loadSettings({ dataDir, env: ctx.io.env, flags: { ...clusterSettingsOf(opts), ...workerSettingsOf(opts) } });
    const logger: Logger = { info: (m) => ctx.io.stderr(`${m}\n`), warn: (m) => ctx.io.stderr(`warning: ${m}\n`), error: (m) => ctx.io.stderr(`error: ${m}\n`) };
    const engine = await createEngine({ dataDir, settings, logger, servesApi: false });
    const options = workerOptionsOf(opts, settings);
    try {
      await engine.startWorker(options);
    } catch (err) {
      await engine.close();
      throw err;
    }
    const stopped = new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        ctx.io.stderr(`\n${signal}: stopping worker ${options.name}: it takes no new jobs; running ones have ${settings.worker_shutdown_grace_s} s to finish (worker_shutdown_grace_s), then end FAILED "interrupted"…\n`);
        void engine.close().then(resolve);
      };
      process.once("SIGINT", () => stop("SIGINT"));
      process.once("SIGTERM", () => stop("SIGTERM"));
    });
    ctx.print(cmd, `worker ${options.name} is running jobs for ${options.devices.join(", ")}, ${options.concurrency} at a time (data directory ${dataDir}). Press Ctrl+C to stop.`, { worker: options.name, devices: options.devices, concurrency: options.concurrency, data_dir: dataDir });
    await stopped;
  });
}
