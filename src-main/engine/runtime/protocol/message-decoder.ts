// Decodes what a runner process sends. A runner is the algorithm author's code: it may write
// anything to its channel, stop mid-line when killed, or send lines of any size. Nothing it sends
// may throw in the engine: each problem becomes a `Violation` the host turns into the job's failure.
import { z } from "zod";
import type { Message } from "./protocol.js";
import { JSON_CODEC, type WireCodec } from "./wire-codec.js";

const WireErrorSchema = z.object({ name: z.string(), message: z.string(), stack: z.string().optional(), code: z.string().optional() });
const EventSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("log"), level: z.enum(["INFO", "WARNING", "ERROR", "DEBUG"]), message: z.string(), time: z.number() }),
  z.object({ type: z.literal("progress"), value: z.number() }),
]);
const id = z.number().int().nonnegative();

/** The messages a runner may send (the runner's half of protocol.ts's `Message`). */
export const RunnerMessageSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("call"), id, method: z.string(), args: z.unknown() }),
  z.discriminatedUnion("ok", [z.object({ kind: z.literal("result"), id, ok: z.literal(true), value: z.unknown() }), z.object({ kind: z.literal("result"), id, ok: z.literal(false), error: WireErrorSchema })]),
  z.object({ kind: z.literal("event"), jobId: z.string().nullable(), event: EventSchema }),
]);

export interface Violation {
  reason: string;
}

/** Checks one message object; a `Violation` names what is wrong with it. */
function checkMessage(value: unknown): Message | Violation {
  const r = RunnerMessageSchema.safeParse(value);
  if (r.success) return r.data as Message;
  const issue = r.error.issues[0];
  return { reason: `a message with ${issue?.path.length ? `"${issue.path.join(".")}"` : "the wrong shape"}: ${issue?.message ?? "invalid"}` };
}

function preview(text: string): string {
  const cut = text.length > 60 ? `${text.slice(0, 60)}…` : text;
  return JSON.stringify(cut);
}

/** Parses one line into a message, or says why it is not one. */
export function decodeLine(line: string, codec: WireCodec = JSON_CODEC): Message | Violation {
  let value: unknown;
  try {
    value = codec.decode(line);
  } catch {
    return { reason: `a line that is not ${codec === JSON_CODEC ? "JSON" : "a message"} (${preview(line)})` };
  }
  return checkMessage(value);
}

export function isViolation(m: Message | Violation): m is Violation {
  return "reason" in m && !("kind" in m);
}

/**
 * Splits a byte stream into JSON-line messages. Lines longer than `maxLineBytes` are refused as
 * soon as they pass the limit, without holding them whole; a line cut off by the end of the
 * stream is reported by `end()`.
 */
export class LineDecoder {
  private parts: Buffer[] = [];
  private size = 0;
  private broken = false;

  constructor(
    private readonly maxLineBytes: number,
    private readonly codec: WireCodec = JSON_CODEC,
  ) {}

  /** Decodes every complete line in `chunk`; after the first violation the rest is ignored. */
  push(chunk: Buffer): (Message | Violation)[] {
    if (this.broken) return [];
    const out: (Message | Violation)[] = [];
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      const piece = chunk.subarray(start, nl === -1 ? chunk.length : nl);
      this.size += piece.length;
      if (this.size > this.maxLineBytes) {
        this.broken = true;
        out.push({ reason: `a message over ${Math.round(this.maxLineBytes / 2 ** 20)} MB` });
        return out;
      }
      if (piece.length > 0) this.parts.push(piece);
      if (nl === -1) return out;
      const line = Buffer.concat(this.parts, this.size).toString("utf8");
      this.parts = [];
      this.size = 0;
      start = nl + 1;
      if (line.trim() === "") continue;
      const m = decodeLine(line, this.codec);
      out.push(m);
      if (isViolation(m)) {
        this.broken = true;
        return out;
      }
    }
  }

  /** The stream ended: a violation when it stopped in the middle of a line. */
  end(): Violation | undefined {
    if (this.broken || this.size === 0) return undefined;
    return { reason: `a message cut off after ${this.size} bytes` };
  }
}
