import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { BlobStore, sha256 } from "./blob-store.js";

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "compox-blobs-"));
}

test("identical content is stored once under its SHA-256", async () => {
  const dir = tempDir();
  const store = new BlobStore(dir);
  const a = store.putBuffer(Buffer.from("hello"));
  const b = store.putBuffer(Buffer.from("hello"));
  assert.equal(a.id, sha256("hello"));
  assert.equal(a.id, b.id);
  const src = path.join(dir, "src.bin");
  fs.writeFileSync(src, "hello");
  const c = await store.putFile(src);
  assert.equal(c.id, a.id);
  assert.equal(c.size, 5);
  assert.equal(store.read(a.id).toString(), "hello");
  assert.deepEqual(fs.readdirSync(path.join(dir, "tmp")), []);
  fs.rmSync(dir, { recursive: true });
});

test("a failed streamed write leaves no blob and no temp file", async () => {
  const dir = tempDir();
  const store = new BlobStore(dir);
  await assert.rejects(store.putFile(path.join(dir, "missing.bin")));
  assert.deepEqual(fs.readdirSync(path.join(dir, "tmp")), []);
  assert.throws(() => store.pathOf("../etc/passwd"), /not a blob id/);
  fs.rmSync(dir, { recursive: true });
});
