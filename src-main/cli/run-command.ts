// `compox run`: import inputs, execute, show a progress bar and the log, write the outputs.
// It talks HTTP to the Compox Desktop that owns the data directory, or, when none runs, to an
// engine of its own through the same API in-process — one code path either way.
import fs from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { CompoxClient } from "../contract/client.js";
import { CompoxError } from "../contract/errors.js";
import { isTerminal, type EngineEvent, type ExecutionRecord } from "../contract/records.js";
import { createEngine, loadSettings, readOwner } from "../engine/index.js";
import { createApi } from "../server/app.js";
import { parseAlgorithmRef, type CommandContext } from "./program.js";

interface RunOptions {
  param: string[];
  out: string;
  device?: string;
}

const IMAGE_EXT = /\.(png|jpe?g|tiff?)$/i;

/** `k=v` → [k, v] with v parsed as JSON when it is JSON (numbers, lists), else the string. */
export function parseParam(kv: string): [string, unknown] {
  const eq = kv.indexOf("=");
  if (eq <= 0) throw new CompoxError("invalid_request", `--param ${kv}: write name=value, e.g. --param denoising_weight=0.2`);
  const raw = kv.slice(eq + 1);
  try {
    return [kv.slice(0, eq), JSON.parse(raw)];
  } catch {
    return [kv.slice(0, eq), raw];
  }
}

/** A one-line progress bar. */
export function progressBar(p: number, width = 30): string {
  const filled = Math.round(Math.max(0, Math.min(1, p)) * width);
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${Math.round(p * 100)}%`.padEnd(width + 8);
}

async function uploadInputs(client: CompoxClient, files: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const file of files) {
    if (!fs.existsSync(file)) throw new CompoxError("invalid_request", `input ${file} does not exist`);
    const bytes = fs.readFileSync(file);
    if (IMAGE_EXT.test(file)) ids.push(...(await client.importImage(bytes, path.basename(file))).file_ids);
    else ids.push((await client.uploadFile(bytes)).file_id);
  }
  return ids;
}

/** Writes each output dataset as HDF5, plus per image-like key a TIFF of its values in their own
 * type (a stack as pages) and, for a 2-D key, a PNG picture of it. */
async function writeOutputs(client: CompoxClient, rec: ExecutionRecord, outDir: string): Promise<string[]> {
  fs.mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const [i, id] of rec.output_dataset_ids.entries()) {
    let info;
    try {
      info = await client.fileInfo(id);
    } catch {
      continue; // a Generic runner's output that is not a dataset: printed, not written
    }
    const stem = path.join(outDir, `output-${String(i + 1).padStart(3, "0")}`);
    fs.writeFileSync(`${stem}.h5`, await client.downloadFile(id));
    written.push(`${stem}.h5`);
    for (const [key, k] of Object.entries(info.keys)) {
      if (k.shape.length < 2) continue;
      const tiff = `${stem}-${key}.tif`;
      fs.writeFileSync(tiff, await client.exportFile(id, "tiff", key));
      written.push(tiff);
      const picture = k.shape.length === 2 || (k.shape.length === 3 && k.shape[0] === 3);
      if (!picture) continue;
      const png = `${stem}-${key}.png`;
      fs.writeFileSync(png, await client.exportFile(id, "png", key));
      written.push(png);
    }
  }
  return written;
}

export function registerRun(program: Command, ctx: CommandContext): void {
  program
    .command("run")
    .description("run an algorithm on image or HDF5 files and write its outputs")
    .argument("<name[/major]>", "algorithm, e.g. tv_denoising or tv_denoising/1")
    .argument("<inputs...>", "PNG/JPEG/TIFF (one dataset per page) or HDF5 files")
    .option("--param <name=value>", "a parameter (repeatable); values are JSON or text", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option("--out <dir>", "where to write outputs", "compox-output")
    .option("--device <device>", "execution_device_override (cpu, gpu, mps)")
    .action(async (ref: string, inputs: string[], opts: RunOptions, cmd: Command) => {
      const { name, major } = parseAlgorithmRef(ref, false);
      const params = Object.fromEntries(opts.param.map(parseParam));
      const dataDir = ctx.dataDir(cmd);
      const settings = loadSettings({ dataDir, env: ctx.io.env });
      const owner = readOwner(dataDir);
      let client: CompoxClient;
      let close = async () => {};
      if (owner?.url) {
        client = new CompoxClient(owner.url, { token: settings.api_token });
        ctx.io.stderr(`using the Compox Desktop at ${owner.url}\n`);
      } else {
        const engine = await createEngine({ dataDir, settings });
        const app = createApi(engine);
        client = new CompoxClient("http://127.0.0.1/", { fetch: (input, init) => Promise.resolve(app.request(String(input), init)), headers: { host: "127.0.0.1" }, token: settings.api_token });
        close = () => engine.close();
      }
      try {
        const alg = await client.getAlgorithm(name, major);
        const ids = await uploadInputs(client, inputs.map((f) => path.resolve(ctx.io.cwd, f)));
        const json = Boolean(ctx.globals(cmd).json);
        let last = -1;
        const tty = !json && process.stderr.isTTY;
        const stopEvents = client.events(
          (e: EngineEvent) => {
            if (json || !("execution_id" in e)) return;
            if (e.type === "log") ctx.io.stderr(`${tty ? "\r\x1b[K" : ""}${e.line}\n`);
            if (e.type === "progress" || e.type === "status") {
              const pct = Math.round(e.progress * 100);
              if (tty) ctx.io.stderr(`\r${progressBar(e.progress)}`);
              else if (pct >= last + 10 || (pct === 100 && last < 100)) ctx.io.stderr(`${progressBar(e.progress)}\n`);
              last = Math.max(last, pct);
            }
          },
          {},
        );
        const { execution_id } = await client.execute({ algorithm_id: alg.algorithm_id, input_dataset_ids: ids, additional_parameters: params, execution_device_override: opts.device });
        let rec = await client.getExecution(execution_id);
        while (!isTerminal(rec.status)) {
          await new Promise((r) => setTimeout(r, 100));
          rec = await client.getExecution(execution_id);
        }
        stopEvents();
        if (tty) ctx.io.stderr("\n");
        const written = rec.status === "COMPLETED" ? await writeOutputs(client, rec, path.resolve(ctx.io.cwd, opts.out)) : [];
        const human = rec.status === "COMPLETED"
          ? `${alg.algorithm_name} ${alg.algorithm_version}.${rec.algorithm_minor_version} completed: ${rec.output_dataset_ids.length} output(s)\n${written.map((w) => `  ${w}`).join("\n") || rec.output_dataset_ids.map((o) => `  ${o}`).join("\n")}`
          : `${alg.algorithm_name} ${rec.status}\n${rec.log.split("\n").filter((l) => /ERROR/.test(l)).slice(0, 3).join("\n")}`;
        ctx.print(cmd, human, { execution: rec, written });
        if (rec.status !== "COMPLETED") ctx.state.exitCode = 1;
      } finally {
        await close();
      }
    });
}
