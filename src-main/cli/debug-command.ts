// `compox debug run`: Compox's local debugging of an algorithm folder, without a server —
// Python's compox.algorithm_debug with Compox Desktop's shim on the path.
import { spawn } from "node:child_process";
import path from "node:path";
import type { Command } from "commander";
import { CompoxError } from "../contract/errors.js";
import { loadSettings, findPython, pythonRunnerDir } from "../engine/index.js";
import type { CommandContext } from "./program.js";

interface DebugOptions {
  algo: string;
  data: string;
  device: string;
  param: string[];
  out?: string;
}

export function registerDebug(program: Command, ctx: CommandContext): void {
  program
    .command("debug")
    .description("debug a Python algorithm locally, without a server (Compox's compox.algorithm_debug)")
    .command("run")
    .description("run the folder's Runner on images in memory and print (or save) its outputs")
    .option("--algo <dir>", "algorithm folder", ".")
    .requiredOption("--data <path>", "a folder of PNG/TIFF/JPEG slices, a TIFF, PNG, JPEG, .npy or .h5 file")
    .option("--device <device>", "device to run on (cpu/cuda)", "cpu")
    .option("-p, --param <key=value>", "algorithm parameter, value read as JSON (repeatable)", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option("--out <dir>", "also write each output to this folder as output_NNN.h5")
    .action(async (opts: DebugOptions, cmd: Command) => {
      const dataDir = ctx.dataDir(cmd);
      const settings = loadSettings({ dataDir, env: ctx.io.env, flags: {} });
      const python = findPython(settings.python);
      if (!python.chosen) throw new CompoxError("invalid_request", `needs a Python 3 with numpy and h5py (${python.tried.map((t) => `${t.command}: ${t.problem}`).join("; ")}); \`compox doctor\` checks`);
      const resolve = (p: string) => path.resolve(ctx.io.cwd, p);
      const args = ["-m", "compox.algorithm_debug", "run", "--algo", resolve(opts.algo), "--data", resolve(opts.data), "--device", opts.device, ...opts.param.flatMap((p) => ["--param", p]), ...(opts.out ? ["--out", resolve(opts.out)] : [])];
      const child = spawn(python.chosen.command, args, { cwd: ctx.io.cwd, env: { ...process.env, ...ctx.io.env, PYTHONPATH: [pythonRunnerDir(), ctx.io.env.PYTHONPATH].filter(Boolean).join(path.delimiter) } });
      child.stdout.on("data", (d: Buffer) => ctx.io.stdout(d.toString()));
      child.stderr.on("data", (d: Buffer) => ctx.io.stderr(d.toString()));
      const code = await new Promise<number>((done) => child.on("close", (c) => done(c ?? 1)));
      if (code !== 0) ctx.state.exitCode = code;
    });
}
