// `compox serve`: the owner engine, the HTTP API and the UI on one port; bundled algorithms are
// deployed at every start (a no-op when unchanged); SIGINT/SIGTERM shut down gracefully. In
// cluster mode it is an API node (jobs go to the workers), a worker too with --with-worker.
import type { Command } from "commander";
import { createEngine, deployBundled, loadSettings, type Logger } from "../engine/index.js";
import { startServer, type RunningServer } from "../server/serve.js";
import { clusterSettingsOf, withClusterOptions, type ClusterFlags } from "./cluster-options.js";
import { describeDeploy, type CommandContext } from "./program.js";
import { withWorkerOptions, workerOptionsOf, workerSettingsOf, type WorkerFlags } from "./worker-command.js";

export interface ServeOptions extends ClusterFlags, WorkerFlags {
  port?: string;
  host?: string;
  withWorker?: boolean;
}

export function registerServe(program: Command, ctx: CommandContext): void {
  const serve = program
    .command("serve")
    .description("run the engine, the HTTP API (/api/v0) and the UI (/ui/)")
    .option("--port <port>", "port (default 5481; 0 picks a free one)")
    .option("--host <host>", "address to bind (default 127.0.0.1; others need api_token)")
    .option("--with-worker", "cluster mode: run jobs here too, as a worker (see compox worker)");
  withWorkerOptions(withClusterOptions(serve)).action(async (opts: ServeOptions, cmd: Command) => {
      const dataDir = ctx.dataDir(cmd);
      const settings = loadSettings({ dataDir, env: ctx.io.env, flags: { port: opts.port, host: opts.host, ...clusterSettingsOf(opts), ...workerSettingsOf(opts) } });
      const logger: Logger = { info: (m) => ctx.io.stderr(`${m}\n`), warn: (m) => ctx.io.stderr(`warning: ${m}\n`), error: (m) => ctx.io.stderr(`error: ${m}\n`) };
      const engine = await createEngine({ dataDir, settings, logger });
      let server: RunningServer | undefined;
      try {
        if (opts.withWorker) await engine.startWorker(workerOptionsOf(opts, settings));
        await engine.ready();
        if (engine.mode === "cluster") ctx.io.stderr(`cluster mode: an API node${opts.withWorker ? " and a worker" : " (jobs run on the workers: compox worker)"}\n`);
        ctx.io.stderr(`data directory: ${dataDir}\nbundled algorithms:\n`);
        await deployBundled(engine, (r) => ctx.io.stderr(`  ${"error" in r ? `✗ ${r.folder}: ${r.error}` : describeDeploy(r)}\n`));
        server = await startServer(engine, { host: settings.host, port: settings.port });
        engine.announceUrl(server.url);
      } catch (err) {
        await engine.close();
        throw err;
      }
      const running = server;
      // The signal handlers come before the URL is printed: whoever reads it may stop us at once.
      const stopped = new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          ctx.io.stderr(`\n${signal}: stopping (running work is recorded as interrupted)…\n`);
          void running
            .close()
            .then(() => engine.close())
            .then(resolve);
        };
        process.once("SIGINT", () => stop("SIGINT"));
        process.once("SIGTERM", () => stop("SIGTERM"));
      });
      ctx.print(cmd, `Compox Desktop is serving ${server.url}\n  UI:  ${server.url}/ui/\n  API: ${server.url}/openapi.json\nPress Ctrl+C to stop.`, { url: server.url, ui: `${server.url}/ui/`, data_dir: dataDir });
      await stopped;
    });
}
