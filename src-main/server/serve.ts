// Puts the API on a socket: binds (loopback by default), explains a busy port, and closes cleanly.
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { serve } from "@hono/node-server";
import { CompoxError } from "../contract/errors.js";
import type { Engine } from "../engine/index.js";
import { createApi, type ApiOptions } from "./app.js";
import { isLoopbackName } from "./security.js";

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Says who holds a busy port: another Compox Desktop, or some other program. */
async function whoHolds(port: number): Promise<string> {
  try {
    const r = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1500), headers: { accept: "application/json" } });
    const body = (await r.json()) as { name?: string };
    if (body.name === "Compox Desktop") return `port ${port} is already used by another Compox Desktop (http://127.0.0.1:${port}/ui/); use that one, or start this one with --port <other>`;
  } catch {
    // not an HTTP server we know
  }
  return `port ${port} is already in use by another program; start with --port <other> (or set port in settings.toml)`;
}

/** Serves the engine's API on `host:port` (port 0 picks a free one). */
export async function startServer(engine: Engine, opts: { host: string; port: number; graceMs?: number } & Omit<ApiOptions, "port" | "draining">): Promise<RunningServer> {
  const bracketed = opts.host.includes(":") && !opts.host.startsWith("[") ? `[${opts.host}]` : opts.host;
  if (!isLoopbackName(bracketed) && !engine.settings.api_token)
    throw new CompoxError("forbidden", `binding to the non-loopback host "${opts.host}" exposes this computer's algorithms and data: set api_token (setting, COMPOX_API_TOKEN or settings.toml) first`);
  let port = opts.port;
  const draining = new AbortController();
  const app = createApi(engine, { ...opts, port: () => port, draining: draining.signal });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: opts.port, hostname: opts.host }) as Server;
    s.once("listening", () => resolve(s));
    s.once("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EADDRINUSE") void whoHolds(opts.port).then((why) => reject(new CompoxError("invalid_request", why)));
      else reject(err);
    });
  });
  port = (server.address() as AddressInfo).port;
  // Slow uploads are fine; a client that never finishes its headers is not.
  server.headersTimeout = 60_000;
  server.requestTimeout = 3_600_000;
  const url = `http://${bracketed === "0.0.0.0" ? "127.0.0.1" : bracketed}:${port}`;
  return {
    url,
    port,
    // No new connections; event streams end; requests in flight get `graceMs` (default 10 s) to
    // finish, then what is left is cut.
    close: () =>
      new Promise<void>((resolve) => {
        const cut = setTimeout(() => server.closeAllConnections(), opts.graceMs ?? 10_000);
        server.close(() => {
          clearTimeout(cut);
          resolve();
        });
        draining.abort();
        server.closeIdleConnections();
      }),
  };
}
