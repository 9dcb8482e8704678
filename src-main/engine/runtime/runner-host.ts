// The engine's side of one runner process: spawns it, loads the algorithm, runs one job at a time,
// forwards its events, and kills it when asked or when it misbehaves. A crash here never reaches
// the engine: it becomes the job's failure.
import { spawn, type ChildProcess } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import fs from "node:fs";
import { descendants, endDescendants, killGroup, OWN_GROUP } from "./process-group.js";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { createHash } from "node:crypto";
import type { BundleImports } from "../deploy/bundle-cache.js";
import { isShippedPackage } from "../deploy/bundler.js";
import { appRoot } from "../app-paths.js";
import { isViolation, LineDecoder, type Violation } from "./protocol/message-decoder.js";
import { JSON_CODEC, V8_CODEC, type WireCodec } from "./protocol/wire-codec.js";
import { Rpc, type EngineMethods, type BenchmarkSpec, type ExecuteSpec, type LoadSpec, type Message, type RunnerEvent, type RunnerMethods, type TrainSpec } from "./protocol/protocol.js";

export interface RunnerHostOptions {
  /** Handles the runner's calls to the engine (datasets, sessions). */
  engine: EngineMethods;
  /** Receives log and progress events, tagged with the job they belong to. */
  onEvent: (jobId: string | null, event: RunnerEvent) => void;
  /** Called once when the process ends for any reason. */
  onExit?: (reason: string) => void;
  /** Resident-memory limit of the process in MB; past it the process is killed. */
  memoryMb?: number;
  /** A Python runner: the interpreter to start (else a Node runner process). */
  python?: string;
}

/** The Python runner's entry and its `compox` package, from source or from dist/. */
export function pythonRunnerDir(): string {
  const fromSource = import.meta.url.endsWith(".ts");
  return fromSource ? path.join(appRoot(), "src-main", "engine", "runtime", "python") : path.join(appRoot(), "dist", "python");
}

/** The largest message a runner may send; runners cut long log lines well below it. */
export const MAX_MESSAGE_BYTES = 32 * 2 ** 20;

interface RunnerProcess {
  child: ChildProcess;
  send: (m: Message) => void;
  /** Every message, checked: `Violation`s for what is not a message of the protocol. */
  onMessage: (fn: (m: Message | Violation) => void) => void;
  disconnect: () => void;
}

/** Messages both ways as lines on the child's fds 3 (to it) and 4 (from it), checked as they come. */
function pipeChannel(child: ChildProcess, codec: WireCodec): RunnerProcess {
  const toRunner = child.stdio[3] as Writable;
  const fromRunner = child.stdio[4] as Readable;
  toRunner.on("error", () => {}); // a dead runner: the exit handler reports it
  return {
    child,
    send: (m) => void (toRunner.writable && toRunner.write(codec.encode(m))),
    onMessage: (fn) => {
      const decoder = new LineDecoder(MAX_MESSAGE_BYTES, codec);
      fromRunner.on("data", (chunk: Buffer) => decoder.push(chunk).forEach(fn));
      // The channel ends when the process does; one that closes it and lives on can never answer.
      fromRunner.on("end", () => {
        const cut = decoder.end();
        setTimeout(() => fn(cut ?? { reason: "nothing more: it closed its message channel" }), 1000).unref();
      });
      fromRunner.on("error", () => {}); // the exit handler reports a dead runner
    },
    disconnect: () => toRunner.end(),
  };
}

const PIPES = ["ignore", "pipe", "pipe", "pipe", "pipe"] as const;

/** A runner process: Python (JSON lines) or Node (V8-serialized lines), on fds 3 and 4. */
function startProcess(opts: RunnerHostOptions): RunnerProcess {
  if (opts.python) {
    const dir = pythonRunnerDir();
    const child = spawn(opts.python, ["-u", path.join(dir, "runner_main.py")], {
      env: { ...process.env, PYTHONPATH: [dir, process.env.PYTHONPATH].filter(Boolean).join(path.delimiter), PYTHONDONTWRITEBYTECODE: "1" },
      stdio: [...PIPES],
      detached: OWN_GROUP,
    });
    return pipeChannel(child, JSON_CODEC);
  }
  const { entry, execArgv } = runnerEntry();
  // No --max-old-space-size: the watchdog bounds the whole process instead, typed-array and
  // WebAssembly memory included. --expose-gc: an idle runner collects after each job (runner-worker.ts).
  const child = spawn(process.execPath, [...execArgv, "--expose-gc", "--enable-source-maps", entry], {
    // In the Electron app process.execPath is Electron itself: run it as plain Node (fork did so implicitly).
    env: { ...process.env, ...(process.versions.electron ? { ELECTRON_RUN_AS_NODE: "1" } : {}) },
    stdio: [...PIPES],
    detached: OWN_GROUP,
  });
  return pipeChannel(child, V8_CODEC);
}

/** How the runner process is started: from source under tsx (tests, dev) or from dist/. */
function runnerEntry(): { entry: string; execArgv: string[]; sdk: string } {
  const root = appRoot();
  const fromSource = import.meta.url.endsWith(".ts");
  if (fromSource) {
    const here = path.join(root, "src-main", "engine");
    return { entry: path.join(here, "runtime", "node-runner", "runner-main.ts"), execArgv: ["--import", "tsx"], sdk: path.join(here, "sdk", "index.ts") };
  }
  const dist = path.join(root, "dist");
  return { entry: path.join(dist, "runner.mjs"), execArgv: [], sdk: path.join(dist, "sdk", "compox.mjs") };
}

/**
 * Where a TS/JS bundle's shipped imports point: `compox` at this application's SDK, the shipped
 * packages at the application's own node_modules (resolved as this module would import them).
 * Written into the bundle as absolute URLs, so the runner process needs no module resolve hook
 * (a hook costs a thread of its own, ~11 MB per runner process).
 */
export function runnerImports(): BundleImports {
  const sdk = pathToFileURL(runnerEntry().sdk).href;
  return {
    key: createHash("sha256").update(sdk).digest("hex").slice(0, 12),
    resolve: (spec) => (spec === "compox" ? sdk : isShippedPackage(spec) ? import.meta.resolve(spec) : undefined),
  };
}

export class RunnerHost {
  private readonly child: ChildProcess;
  private readonly rpc: Rpc<RunnerMethods, EngineMethods>;
  private exitReason: string | undefined;
  private outOfMemory = false;
  private readonly exited: Promise<string>;
  /** The job now running in the process, if any. */
  currentJob: string | undefined;
  /** Processes the algorithm started while loading (they stay for every job). */
  private loadedProcesses: ReadonlySet<number> = new Set();
  private readonly disconnect: () => void;
  private readonly sendRaw: (m: Message) => void;

  constructor(private readonly opts: RunnerHostOptions) {
    const proc = startProcess(opts);
    this.child = proc.child;
    this.disconnect = proc.disconnect;
    this.sendRaw = proc.send;
    // Native code and C extensions write straight to the descriptors: keep it in the job's log.
    for (const [stream, level] of [[this.child.stdout, "INFO"], [this.child.stderr, "WARNING"]] as const) {
      stream?.setEncoding("utf8");
      stream?.on("data", (chunk: string) => {
        if (chunk.includes("heap out of memory")) this.outOfMemory = true;
        for (const line of chunk.split(/\r?\n/)) if (line.trim()) opts.onEvent(this.currentJob ?? null, { type: "log", level, message: line, time: Date.now() });
      });
    }
    this.rpc = new Rpc<RunnerMethods, EngineMethods>(proc.send, opts.engine);
    proc.onMessage((m) => {
      if (isViolation(m)) {
        // A process that is already ending may leave a cut-off line: its exit reason says why.
        if (this.alive) void this.kill(`the runner broke its message protocol: it sent ${m.reason}; its process was ended and a fresh one serves the next job`);
        return;
      }
      if (m.kind === "event") opts.onEvent(m.jobId, m.event);
      else this.rpc.dispatch(m);
    });
    const limit = (opts.memoryMb ?? 8192) * 2 ** 20;
    const watchdog = setInterval(() => {
      const rss = this.rssBytes();
      if (rss !== undefined && rss > limit) void this.kill(`the runner process ran out of memory (over ${opts.memoryMb ?? 8192} MB)`);
    }, 200);
    watchdog.unref();
    this.exited = new Promise((resolve) => {
      this.child.on("exit", (code, signal) => {
        clearInterval(watchdog);
        killGroup(this.child.pid); // what the runner started dies with it
        const reason = this.exitReason ?? (this.outOfMemory ? "the runner process ran out of memory" : describeExit(code, signal));
        this.exitReason = reason;
        this.rpc.failAll(new Error(reason));
        opts.onExit?.(reason);
        resolve(reason);
      });
      this.child.on("error", (err) => {
        this.exitReason ??= `runner process failed to start: ${err.message}`;
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.exitReason === undefined;
  }

  /** Loads the algorithm (imports the bundle, runs loadAssets); rejects if it fails or the process dies. */
  async load(spec: LoadSpec): Promise<{ locked: string[] }> {
    const loaded = await this.raceExit(this.rpc.call("load", spec));
    // What loading started (a helper process the algorithm keeps, e.g. PyTorch for TorchScript
    // weights) lives as long as the runner; what a job starts ends with the job.
    this.loadedProcesses = new Set(descendants(this.child.pid));
    return loaded;
  }

  /** Runs one job; rejects with the runner's error, or the reason the process ended. */
  async execute(spec: ExecuteSpec): Promise<{ outputIds: string[] }> {
    this.currentJob = spec.jobId;
    try {
      return await this.raceExit(this.rpc.call("execute", spec));
    } finally {
      this.jobEnded();
    }
  }

  /** Runs one training job (the runner's train()). */
  async train(spec: TrainSpec): Promise<void> {
    this.currentJob = spec.jobId;
    try {
      await this.raceExit(this.rpc.call("train", spec));
    } finally {
      this.jobEnded();
    }
  }

  /** Runs the runner's benchmark(args); resolves with the dict it returned. */
  async benchmark(spec: BenchmarkSpec): Promise<Record<string, unknown>> {
    this.currentJob = spec.jobId;
    try {
      return (await this.raceExit(this.rpc.call("benchmark", spec))).data;
    } finally {
      this.jobEnded();
    }
  }

  /** A job is over: what it started and left running ends with it. */
  private jobEnded(): void {
    const job = this.currentJob ?? null;
    this.currentJob = undefined;
    const ended = endDescendants(this.child.pid, this.loadedProcesses);
    if (ended > 0) this.opts.onEvent(job, { type: "log", level: "WARNING", message: `ended ${ended} process(es) the job started and left running`, time: Date.now() });
  }

  /** Asks the running job to stop (aborts its signal). */
  requestStop(jobId: string): void {
    this.sendRaw({ kind: "stop", jobId });
  }

  /** Kills the process; `reason` becomes the failure of a job still running. */
  kill(reason: string): Promise<string> {
    if (this.alive) {
      this.exitReason = reason;
      this.child.kill("SIGKILL");
      killGroup(this.child.pid);
    }
    return this.exited;
  }

  /** Ends the process politely (disconnect), then by force after a grace period. */
  async close(graceMs = 2000): Promise<void> {
    if (!this.alive) return;
    this.exitReason = "runner unloaded";
    this.disconnect();
    const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** Resident memory of the process in bytes (Linux), for the memory watchdog. */
  rssBytes(): number | undefined {
    try {
      const pages = Number(fs.readFileSync(`/proc/${this.child.pid}/statm`, "utf8").split(" ")[1]);
      return pages * 4096;
    } catch {
      return undefined;
    }
  }

  private raceExit<T>(p: Promise<T>): Promise<T> {
    return Promise.race([p, this.exited.then((reason) => Promise.reject(new Error(reason)))]);
  }
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `the runner process was killed (${signal})`;
  return `the runner process exited with code ${code}`;
}
