import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { isViolation, LineDecoder, type Violation } from "./message-decoder.js";
import type { Message } from "./protocol.js";

const messageArb: fc.Arbitrary<Message> = fc.oneof(
  fc.record({ kind: fc.constant("event" as const), jobId: fc.option(fc.uuid(), { nil: null }), event: fc.record({ type: fc.constant("log" as const), level: fc.constantFrom("INFO" as const, "ERROR" as const), message: fc.string({ unit: "grapheme" }), time: fc.nat() }) }),
  fc.record({ kind: fc.constant("event" as const), jobId: fc.uuid(), event: fc.record({ type: fc.constant("progress" as const), value: fc.double({ noNaN: true, noDefaultInfinity: true }) }) }), // the protocol carries finite progress (JSON has no Infinity)
  fc.record({ kind: fc.constant("call" as const), id: fc.nat(), method: fc.string(), args: fc.jsonValue() }),
  fc.record({ kind: fc.constant("result" as const), id: fc.nat(), ok: fc.constant(true as const), value: fc.jsonValue() }),
);

/** Feeds `bytes` in pieces cut at `cuts`, then ends the stream. */
function decodeAll(bytes: Buffer, cuts: number[], max = 1 << 20): { out: (Message | Violation)[]; end: Violation | undefined } {
  const d = new LineDecoder(max);
  const out: (Message | Violation)[] = [];
  let at = 0;
  for (const c of [...cuts.map((x) => x % (bytes.length + 1))].sort((a, b) => a - b)) {
    out.push(...d.push(bytes.subarray(at, c)));
    at = c;
  }
  out.push(...d.push(bytes.subarray(at)));
  return { out, end: d.end() };
}

test("messages split anywhere into chunks decode to the same messages", () => {
  fc.assert(
    fc.property(fc.array(messageArb, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 6 }), (messages, cuts) => {
      const bytes = Buffer.from(messages.map((m) => `${JSON.stringify(m)}\n`).join(""));
      const { out, end } = decodeAll(bytes, cuts);
      assert.equal(end, undefined);
      assert.deepEqual(out, JSON.parse(JSON.stringify(messages)));
    }),
  );
});

test("garbage, truncated and oversized input never throws: it ends in exactly one violation", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 400 }), fc.array(fc.nat(), { maxLength: 5 }), (garbage, cuts) => {
      const { out, end } = decodeAll(Buffer.from(garbage), cuts, 64);
      const violations = [...out.filter(isViolation), ...(end ? [end] : [])];
      assert.ok(violations.length <= 1);
      if (violations.length === 1) assert.ok(out.indexOf(violations[0] as Violation) === -1 || out.at(-1) === violations[0]);
    }),
  );
  fc.assert(
    fc.property(messageArb, fc.nat(), (m, cut) => {
      const line = JSON.stringify(m);
      const at = cut % line.length;
      const { out, end } = decodeAll(Buffer.from(line.slice(0, at)), []);
      assert.deepEqual(out, []);
      if (at > 0) assert.match(end?.reason ?? "", new RegExp(`cut off after ${Buffer.byteLength(line.slice(0, at))} bytes`));
    }),
  );
});

test("each kind of bad line is named", () => {
  const reason = (text: string, max = 1024) => {
    const { out, end } = decodeAll(Buffer.from(text), [3], max);
    return (out.find(isViolation) ?? end)?.reason;
  };
  assert.match(reason("not json\n") ?? "", /not JSON \("not json"\)/);
  assert.match(reason('{"kind":"bogus"}\n') ?? "", /a message with "kind"/);
  assert.match(reason('{"kind":"event","jobId":null,"event":{"type":"log","level":"LOUD","message":"x","time":1}}\n') ?? "", /"event.level"/);
  assert.match(reason("[1,2]\n") ?? "", /wrong shape|kind/);
  assert.match(reason(`${"x".repeat(5000)}\n`) ?? "", /a message over/);
  // Refused as soon as the limit passes, with no newline in sight.
  const d = new LineDecoder(1000);
  assert.deepEqual(d.push(Buffer.alloc(999, 120)), []);
  assert.match((d.push(Buffer.alloc(2, 120))[0] as Violation).reason, /over/);
  assert.deepEqual(d.push(Buffer.from('{"kind":"event"}\n')), []);
});
