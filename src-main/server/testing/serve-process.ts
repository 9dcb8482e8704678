// Test and benchmark support: `compox serve` (or `compox worker`) from dist/ as a real process.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../..", import.meta.url));

export interface ProcessOptions {
  /** Added to the environment (COMPOX_* settings, AWS_* credentials). */
  env?: Record<string, string>;
  /** Arguments after the command's own. */
  args?: string[];
  /** Another checkout to run (with its own dist/), e.g. the base of a before/after benchmark. */
  root?: string;
}

/** Runs `compox --json <command> …` on `dataDir`; resolves with the JSON line it prints once ready. */
async function cliProcess(command: string[], dataDir: string, opts: ProcessOptions): Promise<{ ready: Record<string, unknown>; child: ChildProcess; stderr: () => string }> {
  const tree = opts.root ?? root;
  if (!fs.existsSync(path.join(tree, "dist", "cli.mjs"))) throw new Error(`${tree}/dist/ is missing: run \`npm run build\` there`);
  const child = spawn(process.execPath, [path.join(tree, "bin", "compox.mjs"), "--json", ...command, "--data-dir", dataDir, ...(opts.args ?? [])], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, COMPOX_DATA_DIR: "", ...opts.env },
  });
  let out = "";
  let err = "";
  child.stderr?.on("data", (d: Buffer) => (err = (err + d.toString()).slice(-8000)));
  // Resolved as the line arrives (the cold-start bench times this), or after 30 s.
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 30000);
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      if (!out.includes("}")) return;
      clearTimeout(timer);
      resolve();
    });
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
  });
  if (!out.includes("}")) {
    child.kill("SIGKILL");
    throw new Error(`compox ${command.join(" ")} did not start within 30 s:\n${err}`);
  }
  return { ready: JSON.parse(out) as Record<string, unknown>, child, stderr: () => err };
}

/** Starts `compox serve` on a free port; resolves with its URL once it listens. */
export async function serveProcess(dataDir: string, opts: ProcessOptions = {}): Promise<{ url: string; child: ChildProcess; stderr: () => string }> {
  const { ready, child, stderr } = await cliProcess(["serve", "--port", "0"], dataDir, opts);
  return { url: ready.url as string, child, stderr };
}

/** Starts `compox worker` (cluster mode: give the COMPOX_* URLs in `env`); resolves once it takes jobs. */
export async function workerProcess(dataDir: string, opts: ProcessOptions = {}): Promise<{ name: string; child: ChildProcess; stderr: () => string }> {
  const { ready, child, stderr } = await cliProcess(["worker"], dataDir, opts);
  return { name: ready.worker as string, child, stderr };
}
