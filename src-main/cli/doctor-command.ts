// `compox doctor`: what this machine offers Compox Desktop, and what to fix.
import fs from "node:fs";
import net from "node:net";
import type { Command } from "commander";
import { loadSettings, readOwner, detectGpus, findPython, checkClusterServices, clusterConfigOf } from "../engine/index.js";
import { clusterSettingsOf, withClusterOptions, type ClusterFlags } from "./cluster-options.js";
import type { CommandContext } from "./program.js";
import { redactUrlsIn } from "../contract/redact.js";

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

function portFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once("error", () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
}

async function onnxProviders(): Promise<Check> {
  try {
    const ort = (await import("onnxruntime-node" as string)) as { listSupportedBackends?: () => { name: string }[] };
    const backends = ort.listSupportedBackends?.().map((b) => b.name) ?? ["cpu"];
    const cuda = backends.includes("cuda");
    return { name: "onnxruntime", ok: true, detail: `execution providers: ${backends.join(", ")}${cuda ? "" : " (for CUDA: install onnxruntime-node's CUDA files on a machine with internet and an NVIDIA driver: ONNXRUNTIME_NODE_INSTALL_CUDA=v12 npm rebuild onnxruntime-node)"}` };
  } catch {
    return { name: "onnxruntime", ok: false, detail: "onnxruntime-node is not installed: ONNX algorithms cannot run (npm install onnxruntime-node)" };
  }
}

export function registerDoctor(program: Command, ctx: CommandContext): void {
  const doctor = program.command("doctor").description("check the port, data directory, Python, onnxruntime and GPU (and, in cluster mode, Redis, PostgreSQL and the storage)");
  withClusterOptions(doctor).action(async (opts: ClusterFlags, cmd: Command) => {
      const dataDir = ctx.dataDir(cmd);
      const checks: Check[] = [];
      let settings;
      try {
        settings = loadSettings({ dataDir, env: ctx.io.env, flags: clusterSettingsOf(opts) });
        const cluster = clusterConfigOf(settings);
        checks.push({ name: "settings", ok: true, detail: cluster.mode === "cluster" ? "valid: cluster mode" : "valid" });
        if (cluster.mode === "cluster") for (const c of await checkClusterServices(cluster)) checks.push({ name: c.service, ok: !c.problem, detail: `${c.where}${c.problem ? `: ${c.problem}` : " answers"}` });
      } catch (err) {
        checks.push({ name: "settings", ok: false, detail: (err as Error).message });
      }
      const owner = readOwner(dataDir);
      let writable = true;
      try {
        fs.mkdirSync(dataDir, { recursive: true });
        fs.accessSync(dataDir, fs.constants.W_OK);
      } catch {
        writable = false;
      }
      checks.push({ name: "data directory", ok: writable, detail: `${dataDir}${writable ? "" : " is not writable: choose another with --data-dir or COMPOX_DATA_DIR"}${owner ? ` (in use by pid ${owner.pid}${owner.url ? ` at ${owner.url}` : ""})` : ""}` });
      if (settings) {
        const free = await portFree(settings.port, settings.host);
        checks.push({ name: "port", ok: free || Boolean(owner?.url), detail: free ? `${settings.host}:${settings.port} is free` : owner?.url ? `${settings.port} is used by this data directory's Compox Desktop` : `${settings.host}:${settings.port} is in use by another program: use --port or set port in settings.toml` });
      }
      const py = findPython(settings?.python);
      checks.push(
        py.chosen
          ? { name: "python", ok: true, detail: `${py.chosen.command}: Python ${py.chosen.version}` }
          : { name: "python", ok: false, detail: `no interpreter with numpy and h5py: ${py.tried.map((t) => `${t.command}: ${t.problem}`).join("; ")}. Python algorithms need one (set the python setting)` },
      );
      checks.push(await onnxProviders());
      const gpus = detectGpus();
      checks.push({ name: "gpu", ok: true, detail: gpus.cudaDevices > 0 ? `${gpus.cudaDevices} CUDA device(s)` : "no CUDA device found: algorithms asking for gpu run on cpu" });
      // Service URLs may carry passwords: none is printed.
      for (const c of checks) c.detail = redactUrlsIn(c.detail);
      const human = checks.map((c) => `${c.ok ? "✓" : "✗"} ${c.name.padEnd(15)} ${c.detail}`).join("\n");
      ctx.print(cmd, human, checks);
      if (checks.some((c) => !c.ok && c.name !== "onnxruntime" && c.name !== "python")) ctx.state.exitCode = 1;
    });
}
