// A thin layer over Hono: each endpoint of the table (contract/endpoints.ts) gets its handler, its
// params, query and JSON body parsed with the table's schemas (the way Compox clients send them),
// and its JSON answer typed by the table.
import type { Context, Handler, Hono, MiddlewareHandler } from "hono";
import { z } from "zod";
import { ENDPOINTS, type Endpoint, type EndpointName, type Endpoints, type HandlerInput } from "../contract/endpoints.js";
import { CompoxError } from "../contract/errors.js";
import { DEFAULT_SETTINGS } from "../contract/settings.js";
import { readBody } from "./streams.js";

/** A route's handler: it gets what the router parsed (path params, query, JSON body) and answers
 * with the endpoint's JSON (checked against its schema's type) or a Response of its own. */
export type RouteHandler<E extends Endpoint> = (c: Context, input: HandlerInput<E>) => RouteResult<E> | Promise<RouteResult<E>>;
type RouteResult<E extends Endpoint> = Response | (E["response"] extends z.ZodType ? z.input<E["response"]> : never);

export interface Router {
  /** Registers the handler of endpoint `name` (contract/endpoints.ts). */
  route<N extends EndpointName>(name: N, handler: RouteHandler<Endpoints[N]>): void;
  /** Throws naming the endpoints of the table that have no handler (checked at start-up). */
  assertComplete(): void;
}

/** Creates a router that registers the table's endpoints on `app`. */
export function createRouter(app: Hono): Router {
  const done = new Set<EndpointName>();
  return {
    route(name, handler) {
      const ep: Endpoint = ENDPOINTS[name];
      if (done.has(name)) throw new Error(`endpoint ${name} is registered twice`);
      done.add(name);
      const names = [...ep.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
      const h: Handler = async (c) => {
        const input = {
          params: Object.fromEntries(names.map((n) => [n, param(c, n)])),
          query: ep.query ? query(c, ep.query) : undefined,
          body: ep.body && ep.body !== "binary" ? await jsonBody(c, ep.body) : undefined,
        } as HandlerInput<typeof ep>;
        const out = await (handler as RouteHandler<Endpoint>)(c, input);
        return out instanceof Response ? out : c.json(out as object);
      };
      app.on(ep.method.toUpperCase(), ep.match ?? ep.path.replace(/\{(\w+)\}/g, ":$1"), h);
    },
    assertComplete() {
      const missing = (Object.keys(ENDPOINTS) as EndpointName[]).filter((n) => !done.has(n));
      if (missing.length > 0) throw new Error(`endpoints without a handler: ${missing.join(", ")} (contract/endpoints.ts lists them; server/routes/ registers them)`);
    },
  };
}

function invalid(where: string, error: z.ZodError): CompoxError {
  const lines = error.issues.map((i) => `${i.path.join(".") || where}: ${i.message}`);
  return new CompoxError("invalid_request", `invalid ${where}: ${lines.join("; ")}`, { errors: error.issues.map((i) => ({ loc: [where, ...i.path.map(String)], msg: i.message })) });
}

export interface JsonLimits {
  /** Setting max_json_body_mb. */
  maxMb: number;
  /** Setting max_json_depth. */
  maxDepth: number;
}

/** Middleware that puts the current JSON limits where `jsonBody` finds them. */
export function jsonLimits(get: () => JsonLimits): MiddlewareHandler {
  return async (c, next) => {
    c.set("jsonLimits" as never, get() as never);
    await next();
  };
}

/** How deeply arrays and objects nest in JSON text (a scan: nothing is parsed). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 92) i++; // backslash: skip the escaped character
      else if (ch === 34) inString = false;
    } else if (ch === 34) inString = true;
    else if (ch === 123 || ch === 91) max = Math.max(max, ++depth);
    else if (ch === 125 || ch === 93) depth--;
  }
  return max;
}

/** Parses the JSON body whatever its Content-Type (Compox clients often send none). */
export async function jsonBody<T extends z.ZodType>(c: Context, schema: T): Promise<z.output<T>> {
  const limits = (c.get("jsonLimits" as never) as JsonLimits | undefined) ?? { maxMb: DEFAULT_SETTINGS.max_json_body_mb, maxDepth: DEFAULT_SETTINGS.max_json_depth };
  const text = (await readBody(c, limits.maxMb, "max_json_body_mb")).toString("utf8");
  const depth = jsonDepth(text);
  if (depth > limits.maxDepth)
    throw new CompoxError("invalid_request", `the request body nests ${depth} levels deep, more than max_json_depth (${limits.maxDepth}); send flatter JSON or raise the setting`, { setting: "max_json_depth" });
  let raw: unknown;
  try {
    raw = text.trim() === "" ? {} : JSON.parse(text);
  } catch (err) {
    throw new CompoxError("invalid_request", `the request body is not valid JSON: ${(err as Error).message}`);
  }
  const r = schema.safeParse(raw);
  if (!r.success) throw invalid("body", r.error);
  return r.data;
}

/** Parses the query string; repeated keys become arrays where the schema wants arrays. */
export function query<T extends z.ZodObject>(c: Context, schema: T): z.output<T> {
  const all = c.req.queries();
  const raw: Record<string, unknown> = {};
  for (const [key, values] of Object.entries(all)) {
    const field = schema.shape[key] as z.ZodType | undefined;
    const wantsArray = field !== undefined && unwrap(field) instanceof z.ZodArray;
    raw[key] = wantsArray ? values : values[values.length - 1];
  }
  const r = schema.safeParse(raw);
  if (!r.success) throw invalid("query", r.error);
  return r.data;
}

function unwrap(t: z.ZodType): z.ZodType {
  let cur = t as z.ZodType & { unwrap?: () => z.ZodType };
  while (typeof cur.unwrap === "function" && !(cur instanceof z.ZodArray)) cur = cur.unwrap() as typeof cur;
  return cur;
}

/** A path parameter (Hono decodes it). */
export function param(c: Context, name: string): string {
  return c.req.param(name) ?? "";
}
