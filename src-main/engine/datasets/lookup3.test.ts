import assert from "node:assert/strict";
import { test } from "node:test";
import { lookup3 } from "./lookup3.js";

test("lookup3 gives the values of Jenkins' own test vectors (HDF5 checksums depend on it)", () => {
  const text = new TextEncoder().encode("Four score and seven years ago");
  assert.equal(lookup3(new Uint8Array(0)), 0xdeadbeef);
  assert.equal(lookup3(text), 0x17770551);
  assert.equal(lookup3(text, 1), 0xcd628161);
  // Every tail length (1–12 bytes after the 12-byte blocks) goes through its own branch.
  const seen = new Set(Array.from({ length: 30 }, (_, n) => lookup3(text.subarray(0, n))));
  assert.equal(seen.size, 30);
});
