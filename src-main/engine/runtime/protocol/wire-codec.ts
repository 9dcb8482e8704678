// How a message becomes one line on a runner's pipes. Python runners speak JSON. Node runners
// send V8-serialized messages (typed arrays in session items survive) as base64, one per line:
// Node's own IPC channel would throw inside the engine on a runner that writes garbage to it.
import v8 from "node:v8";
import type { Message } from "./protocol.js";

export interface WireCodec {
  encode(m: Message): string;
  /** The value in one line; throws when the line is not one. */
  decode(line: string): unknown;
}

export const JSON_CODEC: WireCodec = {
  encode: (m) => `${JSON.stringify(m)}\n`,
  decode: (line) => JSON.parse(line),
};

export const V8_CODEC: WireCodec = {
  encode: (m) => `${v8.serialize(m).toString("base64")}\n`,
  decode: (line) => {
    if (!/^[A-Za-z0-9+/]+=*$/.test(line)) throw new Error("not base64");
    return v8.deserialize(Buffer.from(line, "base64"));
  },
};
