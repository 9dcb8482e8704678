// The `compox` command line: thin commands over the engine. Human-readable output by default,
// `--json` for scripts; every failure is one message saying what to fix, and exit code 1.
import fs from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline/promises";
import { Command, CommanderError, Option } from "commander";
import { ALGORITHM_TYPES } from "../contract/algorithm-config.js";
import type { Algorithm, DeployResult } from "../contract/algorithm.js";
import { ApiError } from "../contract/client.js";
import { CompoxError, ConfigError, type Problem } from "../contract/errors.js";
import { createEngine, loadSettings, resolveDataDir, type Engine, algorithmFoldersIn, appRoot, bundledAlgorithmsDir } from "../engine/index.js";
import { registerDebug } from "./debug-command.js";
import { registerDoctor } from "./doctor-command.js";
import { registerRun } from "./run-command.js";
import { scaffoldAlgorithm, type ScaffoldLanguage } from "./scaffold.js";
import { registerServe } from "./serve-command.js";
import { registerWorker } from "./worker-command.js";

export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Reads one line of user input (confirmation prompts). */
  readLine: (prompt: string) => Promise<string>;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface GlobalOptions {
  dataDir?: string;
  json?: boolean;
}

/** Parses `name/major` (major defaults to 1 when omitted, as `run` allows). */
export function parseAlgorithmRef(ref: string, requireMajor = true): { name: string; major: number } {
  const m = /^([^/]+)(?:\/(\d+))?$/.exec(ref);
  if (!m || (requireMajor && m[2] === undefined))
    throw new CompoxError("invalid_request", `"${ref}" is not <name>/<major>, e.g. tv_denoising/1`);
  return { name: m[1] as string, major: m[2] === undefined ? 1 : Number(m[2]) };
}

export function problemLines(problems: readonly Problem[], indent = "  "): string {
  return problems.map((p) => `${indent}${p.file}${p.path ? `: ${p.path}` : ""}: ${p.message}`).join("\n");
}

export function describeDeploy(r: DeployResult): string {
  const v = `${r.algorithm_major_version}.${r.algorithm_minor_version}`;
  const what = { created: `deployed v${v} (new)`, new_minor: `deployed v${v}`, metadata_updated: `unchanged v${v} (metadata updated)`, unchanged: `unchanged v${v}` }[r.outcome];
  return `${r.algorithm_name}: ${what}`;
}

function algorithmTable(algs: readonly Algorithm[]): string {
  if (algs.length === 0) return "No algorithms deployed. Deploy one with: compox deploy-algorithms <folder>";
  const rows = algs.map((a) => [
    a.algorithm_name,
    `${a.algorithm_version}.${a.latest_algorithm_minor_version}`,
    a.algorithm_minor_versions.join(","),
    a.algorithm_type,
    a.supported_devices.join(","),
    a.algorithm_id,
  ]);
  const header = ["NAME", "VERSION", "MINORS", "TYPE", "DEVICES", "ID"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  return [header, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ").trimEnd()).join("\n");
}

/** What a command reports besides its output. */
export interface RunState {
  exitCode: number;
}

/** What command modules get: IO, the exit state and the shared helpers. */
export interface CommandContext {
  io: CliIO;
  state: RunState;
  globals(cmd: Command): GlobalOptions;
  print(cmd: Command, human: string, json: unknown): void;
  dataDir(cmd: Command): string;
}

/** Builds the commander program; each command opens an engine and always closes it. */
function buildProgram(io: CliIO, state: RunState): Command {
  const program = new Command("compox")
    .description("Compox Desktop: run image-analysis algorithms locally")
    .option("--data-dir <dir>", "data directory (default: COMPOX_DATA_DIR or the per-OS folder)")
    .option("--json", "machine-readable output")
    .showHelpAfterError("(add --help for usage)")
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride();

  const globals = (cmd: Command): GlobalOptions => cmd.optsWithGlobals<GlobalOptions>();
  const print = (cmd: Command, human: string, json: unknown) => io.stdout(`${globals(cmd).json ? JSON.stringify(json, null, 2) : human}\n`);

  const dataDir = (cmd: Command) => resolveDataDir({ flag: globals(cmd).dataDir, env: io.env });
  const ctx: CommandContext = { io, state, globals, print, dataDir };

  async function withEngine<T>(cmd: Command, fn: (engine: Engine) => Promise<T> | T): Promise<T> {
    const settings = loadSettings({ dataDir: dataDir(cmd), env: io.env });
    const engine = await createEngine({ dataDir: dataDir(cmd), settings, role: "store" });
    try {
      return await fn(engine);
    } finally {
      await engine.close();
    }
  }

  program
    .command("deploy-algorithms")
    .description("deploy algorithm folders (or .zip files); without folders, every bundled algorithm")
    .argument("[folders...]", "algorithm folders or zips")
    .option("--name <name>", "keep only folders of this name (repeatable)", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option("--config <file>", "Compox server YAML: accepted for compatibility and ignored")
    .option("--force", "deploy a bioimage.io model package that fails its reproduction test, marked unverified")
    .action(async (folders: string[], opts: { name: string[]; config?: string; force?: boolean }, cmd: Command) => {
      if (opts.config) io.stderr(`warning: --config ${opts.config} is ignored: Compox Desktop reads settings.toml in the data directory\n`);
      let targets = folders.length > 0 ? folders.map((f) => path.resolve(io.cwd, f)) : algorithmFoldersIn(bundledAlgorithmsDir());
      if (opts.name.length > 0) {
        const wanted = new Set(opts.name.map((n) => n.toLowerCase()));
        targets = targets.filter((t) => wanted.has(path.basename(t).replace(/\.zip$/i, "").toLowerCase()));
      }
      if (targets.length === 0) {
        if (folders.length > 0 || opts.name.length > 0) throw new CompoxError("invalid_request", "no algorithm folders to deploy: name one, e.g. compox deploy-algorithms ./my_algorithm");
        print(cmd, "no bundled algorithms to deploy", []);
        return;
      }
      const results: ({ path: string } & ({ ok: true; result: DeployResult } | { ok: false; error: ReturnType<CompoxError["toJSON"]> }))[] = [];
      await withEngine(cmd, async (engine) => {
        for (const target of targets) {
          try {
            results.push({ path: target, ok: true, result: await engine.deploy(target, { force: opts.force }) });
          } catch (err) {
            if (!(err instanceof CompoxError)) throw err;
            results.push({ path: target, ok: false, error: err.toJSON() });
          }
        }
      });
      const human = results
        .map((r) => {
          if (!r.ok) {
            const problems = (r.error.details?.errors as Problem[] | undefined) ?? [];
            return `✗ ${r.path}: cannot deploy\n${problems.length ? problemLines(problems) : `  ${r.error.detail}`}`;
          }
          const warnings = r.result.warnings.length ? `\n${problemLines(r.result.warnings, "  warning: ")}` : "";
          return `${r.result.changed ? "✓" : "="} ${describeDeploy(r.result)}${warnings}`;
        })
        .join("\n");
      print(cmd, human, results);
      if (results.some((r) => !r.ok)) state.exitCode = 1;
    });

  program
    .command("list")
    .description("list deployed algorithms (--json: exactly what GET /api/v0/algorithm/all returns)")
    .action(async (_opts: unknown, cmd: Command) => {
      const algs = await withEngine(cmd, (engine) => engine.listAlgorithms());
      print(cmd, algorithmTable(algs), algs);
    });

  program
    .command("export")
    .description("export an algorithm folder as a zip")
    .argument("<name/major>", "algorithm, e.g. tv_denoising/1")
    .option("--minor <m>", "minor version (default: latest)")
    .option("--out <file>", "output zip (default: <name>-<major>.<minor>.zip)")
    .action(async (ref: string, opts: { minor?: string; out?: string }, cmd: Command) => {
      const { name, major } = parseAlgorithmRef(ref);
      const zip = await withEngine(cmd, async (engine) => await engine.exportAlgorithm(name, major, opts.minor === undefined ? undefined : Number(opts.minor)));
      const out = path.resolve(io.cwd, opts.out ?? zip.filename);
      fs.writeFileSync(out, zip.bytes);
      print(cmd, `exported ${zip.filename} → ${out}`, { path: out, size: zip.bytes.length });
    });

  program
    .command("remove")
    .description("remove an algorithm line, or one minor version of it")
    .argument("<name/major>", "algorithm, e.g. tv_denoising/1")
    .option("--minor <m>", "remove only this minor version")
    .option("--force", "remove even when its pyproject.toml says removable = false (asks first)")
    .option("-y, --yes", "do not ask for confirmation")
    .action(async (ref: string, opts: { minor?: string; force?: boolean; yes?: boolean }, cmd: Command) => {
      const { name, major } = parseAlgorithmRef(ref);
      const minor = opts.minor === undefined ? undefined : Number(opts.minor);
      const removed = await withEngine(cmd, async (engine) => {
        const alg = await engine.getAlgorithm(name, major);
        if (!alg.removable && opts.force && !opts.yes) {
          const what = minor === undefined ? `all of ${alg.algorithm_name} ${major}` : `${alg.algorithm_name} ${major}.${minor}`;
          const answer = await io.readLine(`${alg.algorithm_name} ${major} is marked not removable. Remove ${what} anyway? [y/N] `);
          if (!/^y(es)?$/i.test(answer.trim())) throw new CompoxError("invalid_request", "cancelled: nothing was removed");
        }
        return { algorithm: alg.algorithm_name, major, ...(await engine.removeAlgorithm(alg.algorithm_id, { minor, force: opts.force ?? false })) };
      });
      print(cmd, `removed ${removed.algorithm} ${major} (minor versions ${removed.removed_minor_versions.join(", ")})`, removed);
    });

  program
    .command("new")
    .description("create a new algorithm folder that deploys and runs as generated")
    .argument("<name>", "algorithm name (no spaces)")
    .addOption(new Option("--type <algorithm_type>", "algorithm type").choices([...ALGORITHM_TYPES]).makeOptionMandatory())
    .addOption(new Option("--lang <lang>", "language of the Runner").choices(["ts", "py"]).default("ts"))
    .option("--dir <parent>", "create it under this folder (default: the current folder)")
    .action((name: string, opts: { type: string; lang: ScaffoldLanguage; dir?: string }, cmd: Command) => {
      const dir = scaffoldAlgorithm({
        name,
        type: opts.type,
        lang: opts.lang,
        parent: path.resolve(io.cwd, opts.dir ?? "."),
        sdkTypes: path.join(appRoot(), "dist", "sdk", "compox.d.ts"),
      });
      print(cmd, `created ${dir}\nnext: compox deploy-algorithms ${path.relative(io.cwd, dir) || "."}`, { path: dir });
    });

  registerServe(program, ctx);
  registerWorker(program, ctx);
  registerRun(program, ctx);
  registerDoctor(program, ctx);
  registerDebug(program, ctx);
  return program;
}

/** Runs the CLI; returns the exit code instead of exiting, so tests can call it. */
export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  const state: RunState = { exitCode: 0 };
  const program = buildProgram(io, state);
  try {
    await program.parseAsync(argv, { from: "user" });
    return state.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    const json = argv.includes("--json");
    if (err instanceof ApiError) {
      if (json) io.stdout(`${JSON.stringify({ detail: err.message, code: err.code, details: err.details }, null, 2)}\n`);
      else io.stderr(`error: ${err.message}\n`);
      return 1;
    }
    if (err instanceof CompoxError) {
      if (json) io.stdout(`${JSON.stringify(err.toJSON(), null, 2)}\n`);
      else if (err instanceof ConfigError) io.stderr(`error:\n${problemLines(err.problems)}\n`);
      else io.stderr(`error: ${err.message}\n`);
      return 1;
    }
    io.stderr(`unexpected error: ${(err as Error).stack ?? String(err)}\n`);
    return 2;
  }
}

/** The real process's IO. */
export function processIO(): CliIO {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    readLine: async (prompt) => {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return await rl.question(prompt);
      } finally {
        rl.close();
      }
    },
    env: process.env,
    cwd: process.cwd(),
  };
}
