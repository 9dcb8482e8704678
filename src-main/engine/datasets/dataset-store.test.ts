import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import type { CompoxError } from "../../contract/errors.js";
import { openDb } from "../store/db.js";
import { needsSkimage, SKIMAGE_DATA } from "../testing/system-needs.js";
import { eventually } from "../testing/eventually.js";
import { tempDir } from "../testing/temp-algorithm.js";
import { DatasetStore } from "./dataset-store.js";
import { encodeTiff } from "./tiff-writer.js";

const fixture = fileURLToPath(new URL("./__fixtures__/h5py_all_dtypes.h5", import.meta.url));
const SKIMAGE = SKIMAGE_DATA;

function setup(expiryDays = 7) {
  const dir = tempDir();
  const db = openDb(dir.path);
  let now = new Date(2026, 0, 1);
  const store = new DatasetStore({ db, dir: path.join(dir.path, "datasets"), now: () => now, expiryDays: () => expiryDays });
  return {
    store,
    dir: dir.path,
    advance(ms: number) {
      now = new Date(now.getTime() + ms);
    },
    [Symbol.dispose]() {
      db.raw.close();
      dir[Symbol.dispose]();
    },
  };
}

test("an uploaded HDF5 stream is stored under a UUIDv1 with its keys", async () => {
  using t = setup();
  const info = await t.store.putStream(fs.createReadStream(fixture), { maxBytes: 1e9 });
  assert.match(info.file_id, /^[0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.deepEqual(info.keys.image, { shape: [3, 4], dtype: "uint8" });
  assert.equal(info.size, fs.statSync(fixture).size);
  const back = await t.store.read(info.file_id, ["image"]);
  assert.deepEqual([...(back.image?.data ?? [])], Array.from({ length: 12 }, (_, i) => i));
  assert.deepEqual((await t.store.list()).map((d) => d.file_id), [info.file_id]);
});

test("invalid and truncated HDF5 are refused with Compox's message, leaving nothing behind", async () => {
  using t = setup();
  const bad = [Buffer.from("definitely not hdf5"), fs.readFileSync(fixture).subarray(0, 1000)];
  for (const body of bad) {
    await assert.rejects(t.store.putStream(Readable.from([body]), { maxBytes: 1e9 }), (e: CompoxError) => e.code === "invalid_hdf5" && e.message === "The provided file is not a valid hdf5 file.");
  }
  assert.deepEqual((await t.store.list()), []);
  assert.deepEqual(fs.readdirSync(path.join(t.dir, "datasets", "tmp")), []);
});

test("uploads over the limit are refused while streaming", async () => {
  using t = setup();
  await assert.rejects(t.store.putStream(fs.createReadStream(fixture), { maxBytes: 100 }), (e: CompoxError) => e.code === "upload_too_large" && /max_upload_mb/.test(e.message));
  assert.deepEqual(fs.readdirSync(path.join(t.dir, "datasets", "tmp")), []);
});

test("datasets expire after dataset_expiry_days; 0 means never", async () => {
  using t = setup(7);
  const a = await t.store.putArrays({ image: { dtype: "uint8", shape: [1], data: new Uint8Array([1]) } });
  const kept = await t.store.putArrays({ image: { dtype: "uint8", shape: [1], data: new Uint8Array([2]) } });
  t.advance(6 * 24 * 3600e3);
  assert.equal((await t.store.sweepExpired()), 0);
  t.advance(2 * 24 * 3600e3);
  assert.equal((await t.store.sweepExpired(new Set([kept.file_id]))), 1);
  assert.equal((await t.store.get(a.file_id)), undefined);
  assert.ok(!fs.existsSync(t.store.pathOf(a.file_id)));
  using never = setup(0);
  const n = await never.store.putArrays({ image: { dtype: "uint8", shape: [1], data: new Uint8Array([1]) } });
  assert.equal(n.expires, null);
  never.advance(1e12);
  assert.equal(await never.store.sweepExpired(), 0);
});

test("delete removes the record at once and the file soon after, and reports a second delete", async () => {
  using t = setup();
  const a = await t.store.putArrays({ image: { dtype: "uint8", shape: [1], data: new Uint8Array([1]) } });
  const file = t.store.pathOf(a.file_id);
  assert.equal((await t.store.delete(a.file_id)), true);
  assert.equal((await t.store.get(a.file_id)), undefined);
  assert.equal(fs.existsSync(file), false, "moved out of the store at once");
  assert.equal((await t.store.delete(a.file_id)), false);
  assert.equal((await t.store.get("../../etc/passwd")), undefined);
  const tmp = path.join(t.dir, "datasets", "tmp");
  for (let i = 0; i < 100 && fs.readdirSync(tmp).length > 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(fs.readdirSync(tmp), [], "and unlinked off the request path");
});

test("a large upload arriving in small, uneven chunks is stored byte for byte", async () => {
  using t = setup();
  const data = new Uint8Array(9 * 2 ** 20 + 7).map((_, i) => (i * 31) % 256);
  await t.store.putArrays({ image: { dtype: "uint8", shape: [data.length], data } });
  const [info] = (await t.store.list());
  const bytes = fs.readFileSync(t.store.pathOf(info!.file_id));
  const chunks = function* () {
    for (let at = 0, n = 1; at < bytes.length; at += n, n = (n * 7 + 13) % 70000 + 1) yield bytes.subarray(at, at + n);
  };
  const again = await t.store.putStream(Readable.from(chunks()), { maxBytes: 1e9 });
  assert.deepEqual(fs.readFileSync(t.store.pathOf(again.file_id)), bytes);
  assert.deepEqual((await t.store.read(again.file_id)).image?.data, data);
});

test("PNG, JPEG and multi-page TIFF import: grey H×W, colour 3×H×W, alpha kept as a fourth channel, 16-bit kept", { skip: needsSkimage }, async () => {
  using t = setup();
  const limits = { maxPages: 10000, maxPixels: 1e9 };
  const [camera] = await t.store.importImage(fs.readFileSync(`${SKIMAGE}/camera.png`), "camera.png", limits);
  assert.deepEqual(camera?.keys.image, { shape: [512, 512], dtype: "uint8" });
  const [astro] = await t.store.importImage(fs.readFileSync(`${SKIMAGE}/astronaut.png`), "astronaut.png", limits);
  assert.deepEqual(astro?.keys.image, { shape: [3, 512, 512], dtype: "uint8" });
  const [logo] = await t.store.importImage(fs.readFileSync(`${SKIMAGE}/logo.png`), "logo.png", limits); // RGBA: every channel kept
  assert.deepEqual(logo?.keys.image?.shape, [4, 500, 500]);
  const [jpeg] = await t.store.importImage(fs.readFileSync(`${SKIMAGE}/hubble_deep_field.jpg`), "hubble.jpg", limits);
  assert.deepEqual(jpeg?.keys.image?.shape, [3, 872, 1000]);
  const stack = await t.store.importImage(fs.readFileSync(`${SKIMAGE}/_blobs_3d_fiji_skeleton.tif`), "blobs.tif", limits);
  assert.equal(stack.length, 30);
  assert.deepEqual(stack[0]?.keys.image, { shape: [32, 32], dtype: "uint8" });
  const [u16] = await t.store.importImage(fs.readFileSync(`${SKIMAGE}/chessboard_GRAY_U16.tif`), "u16.tif", limits);
  assert.deepEqual(u16?.keys.image, { shape: [200, 200], dtype: "uint16" });
  // Pixel values survive: the camera's first row equals what sharp decodes straight from the PNG.
  const arr = (await t.store.read(camera?.file_id ?? ""))["image"];
  const sharp = (await import("sharp")).default;
  const raw = await sharp(`${SKIMAGE}/camera.png`).toColourspace("b-w").raw().toBuffer();
  assert.deepEqual([...(arr?.data ?? []).slice(0, 512)], [...raw.subarray(0, 512)]);
  await assert.rejects(t.store.importImage(Buffer.from("nope"), "x.png", limits), (e: CompoxError) => e.code === "invalid_image" && /x\.png/.test(e.message));
});

test("an import stops when its client goes, and leaves none of its pages behind", async () => {
  using t = setup();
  const limits = { maxPages: 10000, maxPixels: 1e9 };
  const tiff = encodeTiff(Array.from({ length: 500 }, () => ({ width: 8, height: 4, channels: 1 as const, data: new Uint8Array(32) })));
  const client = new AbortController();
  const importing = t.store.importImage(tiff, "long.tif", limits, client.signal);
  await eventually(async () => (await t.store.list()).length > 0, "the first page to be stored");
  client.abort();
  await assert.rejects(importing, (e: Error) => e.name === "AbortError");
  assert.deepEqual((await t.store.list()), []);
  await eventually(() => fs.readdirSync(path.dirname(t.store.tempPath())).length === 0, "the removed pages' files to be unlinked");
});
