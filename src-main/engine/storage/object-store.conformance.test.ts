// One suite, every object store (a shared folder and S3 through s3rver): keys round-trip byte for
// byte, missing keys say so, deletes are idempotent, large files go up in parts.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { text } from "node:stream/consumers";
import { test } from "node:test";
import { startS3 } from "../testing/s3.js";
import { tempDir } from "../testing/temp-algorithm.js";
import { FileObjectStore } from "./file-object-store.js";
import { blobKey, datasetKey, type ObjectStore } from "./object-store.js";
import { S3ObjectStore } from "./s3-object-store.js";

const STORES: { name: string; open(): Promise<{ store: ObjectStore; [Symbol.asyncDispose](): Promise<void> }> }[] = [
  {
    name: "shared folder",
    async open() {
      const dir = tempDir("compox-objects-");
      return { store: new FileObjectStore(dir.path), [Symbol.asyncDispose]: async () => dir[Symbol.dispose]() };
    },
  },
  {
    name: "S3 (s3rver)",
    async open() {
      const s3 = await startS3();
      const store = new S3ObjectStore(s3.target);
      return { store, [Symbol.asyncDispose]: async () => (store.close(), await s3[Symbol.asyncDispose]()) };
    },
  },
];

for (const kind of STORES) {
  test(`${kind.name}: put, has, get, stream and delete round-trip; missing keys say so`, { timeout: 60_000 }, async () => {
    await using opened = await kind.open();
    const { store } = opened;
    using dir = tempDir();
    await store.check();
    const file = path.join(dir.path, "in.h5");
    // 40 MB of non-repeating bytes: more than two upload parts.
    const bytes = Buffer.alloc(40 * 2 ** 20);
    for (let i = 0; i < bytes.length; i += 4) bytes.writeUInt32LE((i * 2654435761) >>> 0, i);
    fs.writeFileSync(file, bytes);
    const key = datasetKey("0f1e2d3c-aaaa-11ee-8000-000000000001");
    assert.equal(await store.has(key), false);
    assert.equal(await store.getFile(key, path.join(dir.path, "none")), false);
    assert.equal(await store.stream(key), undefined);
    await store.putFile(key, file);
    assert.equal(await store.has(key), true);
    const back = path.join(dir.path, "deep", "out.h5");
    assert.equal(await store.getFile(key, back), true);
    assert.ok(fs.readFileSync(back).equals(bytes), "byte for byte");
    assert.deepEqual(fs.readdirSync(path.dirname(back)), ["out.h5"], "no temp file left behind");
    fs.writeFileSync(file, "small");
    await store.putFile(blobKey("ab".repeat(32)), file);
    assert.equal(await text((await store.stream(blobKey("ab".repeat(32))))!), "small");
    await store.delete(key);
    await store.delete(key);
    assert.equal(await store.has(key), false);
  });
}
