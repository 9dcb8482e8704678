// Two nodes' dataset and blob stores over one record store and one shared object store: what one
// node writes, the other fetches on first use; copies of deleted datasets are swept.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { BlobStore } from "../blobs/blob-store.js";
import { DatasetStore } from "../datasets/dataset-store.js";
import { openDb } from "../store/db.js";
import { eventually } from "../testing/eventually.js";
import { tempDir } from "../testing/temp-algorithm.js";
import { FileObjectStore } from "./file-object-store.js";

test("a dataset written on one node is read on another; deleted there, its copy is swept", async () => {
  using dir = tempDir();
  const db = openDb(path.join(dir.path, "records"));
  const shared = new FileObjectStore(path.join(dir.path, "shared"));
  const node = (name: string) => new DatasetStore({ db, dir: path.join(dir.path, name), now: () => new Date(), expiryDays: () => 0, shared });
  const [a, b] = [node("a"), node("b")];
  const info = await a.putArrays({ image: { dtype: "uint16", shape: [2, 3], data: new Uint16Array([1, 2, 3, 4, 5, 6]) } }, "x.tif");
  assert.ok(!fs.existsSync(b.pathOf(info.file_id)), "no copy on b yet");
  assert.deepEqual([...((await b.read(info.file_id)).image!.data as Uint16Array)], [1, 2, 3, 4, 5, 6]);
  assert.ok(fs.existsSync(b.pathOf(info.file_id)), "b keeps a copy");
  assert.equal(await a.delete(info.file_id), true);
  // The shared object goes off the request path.
  await eventually(async () => !(await shared.has(`datasets/${info.file_id}.h5`)), "the shared copy to be deleted");
  assert.equal(await b.sweepStaleCopies(), 1);
  assert.ok(!fs.existsSync(b.pathOf(info.file_id)));
  await assert.rejects(b.localPath(info.file_id), /not found/);
  await db.close();
});

test("blobs are published before records name them, and fetched where they are missing", async () => {
  using dir = tempDir();
  const shared = new FileObjectStore(path.join(dir.path, "shared"));
  const a = new BlobStore(path.join(dir.path, "a"), shared);
  const b = new BlobStore(path.join(dir.path, "b"), shared);
  const { id } = a.putBuffer(Buffer.from("module bytes"));
  await assert.rejects(b.fetch([id]), /is in no store/, "not published yet");
  await a.publish();
  await b.fetch([id]);
  assert.equal(b.read(id).toString(), "module bytes");
  a.delete(id);
  await eventually(async () => !(await shared.has(`blobs/${id}`)), "the shared blob to be deleted");
});
