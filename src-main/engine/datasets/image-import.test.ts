// Import keeps the data: files written by tifffile and Pillow come back with their dtype, every
// channel (channels first) and their exact values; what cannot be represented is refused by name.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { CompoxError } from "../../contract/errors.js";
import type { NDArray } from "../../contract/ndarray.js";
import { needsTifffile, PYTHON } from "../testing/system-needs.js";
import { tempDir } from "../testing/temp-algorithm.js";
import { testEngine } from "../testing/test-engine.js";
import { readHdf5 } from "./hdf5.js";
import { openImage, type ImportLimits } from "./image-import.js";
import { encodeTiff } from "./tiff-writer.js";

const limits: ImportLimits = { maxPages: 10000, maxPixels: 1e9 };
const script = fileURLToPath(new URL("./__fixtures__/make_import_roundtrip.py", import.meta.url));

async function pagesOf(bytes: Buffer, name: string, within = limits): Promise<NDArray[]> {
  const out: NDArray[] = [];
  for await (const page of (await openImage(bytes, name, within)).pages) out.push(page);
  return out;
}

test("TIFF and PNG files written by tifffile and Pillow import with their dtype, channels and values", { skip: needsTifffile }, async () => {
  using dir = tempDir();
  execFileSync(PYTHON ?? "python3", [script, dir.path], { stdio: "pipe" });
  const expected = await readHdf5(path.join(dir.path, "expected.h5"));
  const files = fs.readdirSync(dir.path).filter((f) => f !== "expected.h5");
  assert.ok(files.length >= 25, files.join(", "));
  for (const file of files) {
    const pages = await pagesOf(fs.readFileSync(path.join(dir.path, file)), file);
    const want = pages.length > 1 ? pages.map((_, i) => expected[`${file} [${i + 1}]`]) : [expected[file]];
    assert.equal(pages.length, want.length, `${file}: pages`);
    pages.forEach((got, i) => {
      const w = want[i];
      assert.ok(w, `${file}: nothing expected for page ${i + 1}`);
      assert.equal(got.dtype, w.dtype, `${file}: dtype`);
      assert.deepEqual(got.shape, w.shape, `${file}: shape`);
      assert.deepEqual(Buffer.from(got.data.buffer, got.data.byteOffset, got.data.byteLength), Buffer.from(w.data.buffer, w.data.byteOffset, w.data.byteLength), `${file}: values`);
    });
  }
});

test("a 1,000-page TIFF is counted and decoded page by page; max_import_pages and max_image_megapixels are named", async () => {
  const page = { width: 8, height: 4, channels: 1 as const, data: new Uint16Array(32) };
  const many = encodeTiff(Array.from({ length: 1000 }, (_, i) => ({ ...page, data: new Uint16Array(32).fill(i) })));
  const { count, pages } = await openImage(many, "many.tif", limits);
  assert.equal(count, 1000);
  let n = 0;
  for await (const p of pages) assert.equal((p.data as Uint16Array)[5], n++);
  assert.equal(n, 1000);
  await assert.rejects(openImage(many, "many.tif", { ...limits, maxPages: 999 }), (e: CompoxError) => e.code === "limit_exceeded" && /many\.tif has more than 999 pages, over max_import_pages/.test(e.message));
  await assert.rejects(openImage(many, "many.tif", { ...limits, maxPixels: 31 }), (e: CompoxError) => e.code === "limit_exceeded" && /page 1 is \[1, 4, 8\].*max_image_megapixels/.test(e.message));
});

test("a damaged TIFF is an invalid_image naming the page, never a crash", async () => {
  const good = encodeTiff([{ width: 4, height: 4, channels: 1, data: new Uint8Array(16) }]);
  const cut = good.subarray(0, 12);
  await assert.rejects(pagesOf(cut, "cut.tif"), (e: CompoxError) => e.code === "invalid_image" && /cut\.tif/.test(e.message));
  // A page chain that loops back to itself.
  const loop = Buffer.from(good);
  const ifd = loop.readUInt32LE(4);
  const entries = loop.readUInt16LE(ifd);
  loop.writeUInt32LE(ifd, ifd + 2 + entries * 12);
  await assert.rejects(openImage(loop, "loop.tif", limits), (e: CompoxError) => e.code === "invalid_image" && /loops back to page 1/.test(e.message));
});

test("a TIFF's physical pixel size (ImageJ unit, OME-XML, centimetre resolutions) comes with every page, into the stored file and its info", async () => {
  const fixture = (f: string) => fs.readFileSync(fileURLToPath(new URL(`./__fixtures__/${f}`, import.meta.url)));
  const pages = async (f: string) => {
    const out: NDArray[] = [];
    for await (const p of (await openImage(fixture(f), f, limits)).pages) out.push(p);
    return out;
  };
  assert.deepEqual((await pages("pixel_size_imagej.tif"))[0]!.pixel_size, { x: 0.65, y: 0.5, unit: "µm" });
  const ome = await pages("pixel_size_ome.ome.tif");
  assert.deepEqual(ome.map((p) => p.pixel_size), Array(3).fill({ x: 120, y: 120, unit: "nm" }), "stated once, on page 1: every page has it");
  assert.deepEqual((await pages("pixel_size_cm.tif"))[0]!.pixel_size, { x: 2, y: 2, unit: "µm" }, "5000 pixels per cm");
  const plain = encodeTiff([{ width: 2, height: 2, channels: 1, data: new Uint8Array(4) }]);
  for await (const p of (await openImage(plain, "plain.tif", limits)).pages) assert.equal(p.pixel_size, undefined, "none stated: none made up");

  await using t = await testEngine();
  const [info] = await t.engine.importImage(fixture("pixel_size_imagej.tif"), "cells.tif");
  assert.deepEqual(info!.keys.image!.pixel_size, { x: 0.65, y: 0.5, unit: "µm" }, "in the dataset's info, without reading the file back");
  const file = await t.engine.datasetPath(info!.file_id);
  const { inspectHdf5 } = await import("./hdf5.js");
  assert.deepEqual((await inspectHdf5(file)).image!.pixel_size, { x: 0.65, y: 0.5, unit: "µm" }, "and in the file, as its compox_pixel_size attribute");
  if (PYTHON) assert.equal(execFileSync(PYTHON, ["-c", "import sys, h5py; print(h5py.File(sys.argv[1])['image'].attrs['compox_pixel_size'].decode())", file], { encoding: "utf8" }).trim(), "0.65 0.5 um", "h5py reads it");
});
