// Host, Origin and token checks (SPEC section 6 "Security"): on by default, every rejection a 403
// whose message names the setting to change.
import type { MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import type { Settings } from "../contract/settings.js";

export const TOKEN_COOKIE = "compox_token";
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

/** Splits a Host header into name and port (`[::1]:5481` → `[::1]`, `5481`). */
export function splitHost(host: string): { name: string; port: string } {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host.trim().toLowerCase());
  return { name: m?.[1] ?? "", port: m?.[2] ?? "" };
}

export function isLoopbackName(name: string): boolean {
  return LOOPBACK.has(name.toLowerCase());
}

export interface SecurityOptions {
  settings: () => Settings;
  /** The port the server listens on (its own origins use it). */
  port: () => number;
}

const forbid = (detail: string) =>
  new Response(JSON.stringify({ detail, code: "forbidden", retryable: false }), { status: 403, headers: { "content-type": "application/json" } });

/** The CORS headers of an answer to an Origin that passed the checks below. */
export function corsHeaders(origin: string): Record<string, string> {
  return { "Access-Control-Allow-Origin": origin, Vary: "Origin", "Access-Control-Allow-Credentials": "true" };
}

/** Rejects foreign Hosts (DNS rebinding), foreign browser Origins, and requests without the token. */
export function security(opts: SecurityOptions): MiddlewareHandler {
  return async (c, next) => {
    const s = opts.settings();
    const host = c.req.header("host") ?? "";
    const { name } = splitHost(host);
    if (!isLoopbackName(name) && name !== s.host.toLowerCase())
      return forbid(`Host "${host}" is not accepted: Compox Desktop answers loopback names (127.0.0.1, localhost, [::1]) and the configured host "${s.host}" (setting \`host\`)`);

    const origin = c.req.header("origin");
    if (origin) {
      let own: boolean;
      try {
        const u = new URL(origin);
        own = isLoopbackName(u.hostname) && u.port === String(opts.port());
      } catch {
        own = false;
      }
      if (!own && !s.allowed_origins.includes(origin))
        return forbid(`Origin "${origin}" is not allowed: add it to the setting \`allowed_origins\` to let that web page call this server`);
      for (const [k, v] of Object.entries(corsHeaders(origin))) c.header(k, v);
      if (c.req.method === "OPTIONS") {
        c.header("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS");
        c.header("Access-Control-Allow-Headers", c.req.header("access-control-request-headers") ?? "authorization, content-type");
        return c.body(null, 204);
      }
    }

    if (s.api_token) {
      const bearer = /^Bearer\s+(.+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
      const given = bearer ?? getCookie(c, TOKEN_COOKIE) ?? c.req.query("token");
      if (given !== s.api_token)
        return forbid("this server requires its API token (setting `api_token`): send `Authorization: Bearer <token>`, or open /ui/?token=<token> once in a browser");
    }
    await next();
  };
}
