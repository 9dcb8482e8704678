// createApi(engine): the whole HTTP API as a Hono app (a plain Request → Response function), so
// tests call it without a socket and `serve.ts` puts it on one.
import fs from "node:fs";
import path from "node:path";
import { Hono } from "hono";
import { setCookie } from "hono/cookie";
import { getPath } from "hono/utils/url";
import type { ServerInfo } from "../contract/api.js";
import { CompoxError, errorBodyOf } from "../contract/errors.js";
import { redactUrlsIn } from "../contract/redact.js";
import { diskFullError, isDiskFull, type Engine, appRoot } from "../engine/index.js";
import { openApiDocument } from "./openapi.js";
import { createRouter, jsonLimits, type Router } from "./router.js";
import { algorithmRoutes } from "./routes/algorithms.js";
import { eventRoutes } from "./routes/events.js";
import { executionRoutes } from "./routes/executions.js";
import { fileRoutes } from "./routes/files.js";
import { measureRoutes } from "./routes/measure.js";
import { settingsRoutes } from "./routes/settings.js";
import { trainingRoutes } from "./routes/training.js";
import { security, TOKEN_COOKIE } from "./security.js";

export interface ApiOptions {
  /** The port the server listens on: its own browser origins use it. */
  port?: () => number;
  /** Folder of the built UI (default: dist/renderer). */
  uiDir?: string;
  /** SSE keep-alive interval (tests shorten it). */
  keepAliveMs?: number;
  /** Aborted when the server is shutting down: event streams end, so the requests in flight can finish. */
  draining?: AbortSignal;
}

function version(): string {
  return (JSON.parse(fs.readFileSync(path.join(appRoot(), "package.json"), "utf8")) as { version: string }).version;
}

const MIME: Record<string, string> = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png", ".json": "application/json", ".map": "application/json" };

function metaRoutes(r: Router, engine: Engine, uiDir: string): void {
  r.route("info", (c) => {
    if ((c.req.header("accept") ?? "").includes("text/html")) return c.redirect("/ui/");
    const gpus = engine.gpus();
    const info: ServerInfo = {
      name: "Compox Desktop",
      tags: ["compox", "compox-desktop"],
      group: "compox",
      organization: "Compox Desktop",
      domain: "image-analysis",
      version: version(),
      cuda_available: gpus.cudaDevices > 0 ? true : null,
      cuda_capable_devices_count: gpus.cudaDevices > 0 ? gpus.cudaDevices : null,
    };
    return info;
  });
  r.route("favicon", (c) =>
    c.body(new Uint8Array(fs.readFileSync(path.join(appRoot(), "assets", "icon.png"))), 200, { "content-type": "image/png", "cache-control": "max-age=86400" }),
  );
  r.route("ui", (c) => c.redirect("/ui/"));
  r.route("uiFile", (c) => {
    const token = c.req.query("token");
    if (token && token === engine.settings.api_token) setCookie(c, TOKEN_COOKIE, token, { httpOnly: true, sameSite: "Strict", path: "/" });
    let rel: string;
    try {
      rel = decodeURIComponent(new URL(c.req.url).pathname.replace(/^\/ui\/?/, "")) || "index.html";
    } catch {
      return c.json({ detail: "Not Found (the path's percent-encoding is malformed)", code: "not_found", retryable: false }, 404);
    }
    const file = path.resolve(uiDir, rel);
    const inside = file.startsWith(path.resolve(uiDir) + path.sep);
    const target = inside && fs.existsSync(file) && fs.statSync(file).isFile() ? file : path.join(uiDir, "index.html");
    if (!fs.existsSync(target))
      return c.html("<!doctype html><title>Compox Desktop</title><h1>Compox Desktop</h1><p>The window's UI is not built in this version yet. The HTTP API is at <a href=\"/openapi.json\">/openapi.json</a>.</p>", 200);
    return c.body(fs.readFileSync(target), 200, { "content-type": MIME[path.extname(target)] ?? "application/octet-stream" });
  });
}

/** Builds the API over an engine. */
export function createApi(engine: Engine, opts: ApiOptions = {}): Hono {
  // Compox's own test suite builds URLs such as http://host//api/v0/...: collapse leading slashes.
  const app = new Hono({ getPath: (req) => getPath(req).replace(/^\/{2,}/, "/") });
  const router = createRouter(app);
  app.use("*", security({ settings: () => engine.settings, port: opts.port ?? (() => engine.settings.port) }));
  app.use("*", jsonLimits(() => ({ maxMb: engine.settings.max_json_body_mb, maxDepth: engine.settings.max_json_depth })));
  metaRoutes(router, engine, opts.uiDir ?? path.join(appRoot(), "dist", "renderer"));
  algorithmRoutes(router, engine);
  fileRoutes(router, engine);
  measureRoutes(router, engine);
  executionRoutes(router, engine);
  trainingRoutes(router, engine);
  eventRoutes(router, engine, opts.keepAliveMs, opts.draining);
  settingsRoutes(router, engine);
  // Built on first request: turning every schema into JSON Schema is start-up time nobody waits for.
  let doc: Record<string, unknown> | undefined;
  router.route("openapi", () => (doc ??= openApiDocument(version())));
  router.assertComplete();

  app.notFound((c) => c.json({ detail: "Not Found", code: "not_found", retryable: false }, 404));
  app.onError((err, c) => {
    // Our own errors say what to fix (even a 5xx such as a missing Python); an unexpected one is
    // logged and hidden, as Compox 3.2 hides every 5xx.
    if (err instanceof CompoxError) return c.json(err.toJSON(), err.status as 400);
    // An aborted upload or a client that went away: nothing useful to answer.
    if ((err as NodeJS.ErrnoException).code === "ABORT_ERR" || err.name === "AbortError") return c.json({ detail: "request aborted", code: "invalid_request", retryable: false }, 400);
    if (isDiskFull(err)) return c.json(diskFullError(engine.dataDir).toJSON(), 507);
    if (err instanceof URIError) return c.json({ detail: `the URL's percent-encoding is malformed (${err.message}); encode names as UTF-8`, code: "invalid_request", retryable: false }, 422);
    // Logged whole for whoever debugs it, but never with a service password in it.
    console.error(`${c.req.method} ${new URL(c.req.url).pathname} failed: ${redactUrlsIn(err.stack ?? String(err))}`);
    return c.json(errorBodyOf(err), 500);
  });
  return app;
}
