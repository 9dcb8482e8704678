// Request and response bodies as streams: uploads go to disk as they arrive (bounded memory), and
// downloads are streamed from disk.
import fs from "node:fs";
import type { ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { RESPONSE_ALREADY_SENT } from "@hono/node-server/utils/response";
import type { Context } from "hono";
import { CompoxError } from "../contract/errors.js";
import { corsHeaders } from "./security.js";

type BodySetting = "max_upload_mb" | "max_json_body_mb";

/** The error for a body over `setting` (`what`: "declares N MB, over" or "exceeds"); uploads keep their own code, 413 either way. */
function overLimit(setting: BodySetting, what: string, maxMb: number): CompoxError {
  const upload = setting === "max_upload_mb";
  return new CompoxError(upload ? "upload_too_large" : "limit_exceeded", `${upload ? "the upload" : "the request body"} ${what} ${setting} (${maxMb} MB); raise the setting to accept larger ${upload ? "files" : "bodies"}`, { setting });
}

/** Refuses a request whose declared Content-Length is over the limit, before reading it. */
export function checkDeclaredSize(c: Context, maxMb: number, setting: BodySetting = "max_upload_mb"): void {
  const declared = Number(c.req.header("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared > maxMb * 2 ** 20) throw overLimit(setting, `declares ${Math.round(declared / 2 ** 20)} MB, over`, maxMb);
}

/** The request body as a Node stream (the socket itself under @hono/node-server). */
export function bodyStream(c: Context): Readable {
  const incoming = (c.env as { incoming?: Readable } | undefined)?.incoming;
  if (incoming) return incoming;
  const body = c.req.raw.body;
  return body ? Readable.fromWeb(body as import("node:stream/web").ReadableStream) : Readable.from([]);
}

/** Reads a whole (small) body, refusing one over `maxMb` as soon as it passes it. */
export async function readBody(c: Context, maxMb: number, setting: BodySetting = "max_upload_mb"): Promise<Buffer> {
  checkDeclaredSize(c, maxMb, setting);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of bodyStream(c)) {
    size += (chunk as Buffer).length;
    if (size > maxMb * 2 ** 20) throw overLimit(setting, "exceeds", maxMb);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Read size of downloads: fewer, larger socket writes than the 64 KB default. */
const DOWNLOAD_CHUNK = 1 << 20;

/**
 * Streams a file as the response; the file closes when the client goes away. Under
 * @hono/node-server the file is piped straight into Node's response (no web-stream hops), with
 * the CORS headers the security middleware would have added (a request that reached a handler
 * with an Origin passed its checks). Without a socket (tests) it is a web stream.
 */
export function fileResponse(c: Context, file: string, headers: Record<string, string>): Response {
  const size = fs.statSync(file).size;
  const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
  if (outgoing) {
    const origin = c.req.header("origin");
    outgoing.writeHead(200, { ...(origin ? corsHeaders(origin) : {}), "content-length": String(size), ...headers });
    pipeline(fs.createReadStream(file, { highWaterMark: DOWNLOAD_CHUNK }), outgoing).catch(() => {}); // a client that left ends the pipe
    return RESPONSE_ALREADY_SENT;
  }
  const stream = Readable.toWeb(fs.createReadStream(file, { highWaterMark: DOWNLOAD_CHUNK })) as ReadableStream;
  return new Response(stream, { status: 200, headers: { "content-length": String(size), ...headers } });
}

/** A Content-Disposition for `name`, which may hold anything a dataset id or key may (quotes,
 * newlines, non-ASCII): an ASCII fallback plus the exact name percent-encoded (RFC 6266). */
export function attachment(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%;]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}
