// A thin layer over Hono: each route is registered with its OpenAPI description (from the same zod
// schemas that validate it), and request bodies are parsed the way Compox clients send them.
import type { Context, Handler, Hono, MiddlewareHandler } from "hono";
import { z } from "zod";
import { CompoxError } from "../contract/errors.js";
import { DEFAULT_SETTINGS } from "../contract/settings.js";
import { readBody } from "./streams.js";

export type Method = "get" | "post" | "put" | "patch" | "delete";

export interface RouteDoc {
  method: Method;
  /** OpenAPI-style path: `/api/v0/executions/{id}`. */
  path: string;
  summary: string;
  tags: string[];
  query?: z.ZodObject;
  /** A JSON body schema, or "binary" for raw uploads. */
  body?: z.ZodType | "binary";
  /** A JSON response schema, or the media type of a non-JSON response. */
  response?: z.ZodType | "application/zip" | "application/octet-stream" | "image/png" | "text/event-stream" | "text/html";
  /** Error statuses the route documents. */
  errors?: number[];
  /** Hono pattern when it differs from `path` (wildcards). */
  match?: string;
}

export interface Router {
  route(doc: RouteDoc, handler: Handler): void;
  docs: RouteDoc[];
}

/** Creates a router that registers on `app` and remembers each route's description. */
export function createRouter(app: Hono): Router {
  const docs: RouteDoc[] = [];
  return {
    docs,
    route(doc, handler) {
      docs.push(doc);
      app.on(doc.method.toUpperCase(), doc.match ?? doc.path.replace(/\{(\w+)\}/g, ":$1"), handler);
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
