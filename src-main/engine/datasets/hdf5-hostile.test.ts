// HDF5 files that point outside themselves or declare far more than they hold (hardening round 3).
// The fixtures are real files written by h5py (__fixtures__/make_hostile_h5.py).
import assert from "node:assert/strict";
import fs from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { CompoxError } from "../../contract/errors.js";
import { inspectHdf5, readHdf5, readHdf5Plane, readHdf5Strings } from "./hdf5.js";

const fixture = (name: string) => fileURLToPath(new URL(`./__fixtures__/${name}`, import.meta.url));

/** Asserts a 422 invalid_hdf5 whose message names each of `words`. */
async function refused(p: Promise<unknown>, ...words: string[]): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof CompoxError, String(err));
    assert.equal(err.code, "invalid_hdf5");
    for (const w of words) assert.ok(err.message.includes(w), `"${w}" in: ${err.message}`);
    return true;
  });
}

test("a dataset whose raw data is /etc/passwd is refused at inspection, naming the dataset and the file", async () => {
  await refused(inspectHdf5(fixture("external_storage.h5")), '"image"', "/etc/passwd");
});

test("every read of a file with external storage is refused, not just the inspection", async () => {
  const file = fixture("external_storage.h5");
  await refused(readHdf5(file), "/etc/passwd");
  await refused(readHdf5(file, ["image"]), "/etc/passwd");
  await refused(readHdf5Plane(file, "image", 0, { maxSize: 64, sampling: "mean", maxMeanPixels: 1e9 }), "/etc/passwd");
});

test("external links (at the root or in a group) and virtual datasets are refused", async () => {
  await refused(inspectHdf5(fixture("external_link.h5")), "external link", "/tmp/compox-elsewhere.h5");
  await refused(inspectHdf5(fixture("virtual.h5")), "virtual dataset", "/tmp/compox-vds-source.h5");
});

test("a self-contained file still reads, and opens outside h5wasm's work are not confined", async () => {
  const file = fixture("h5py_all_dtypes.h5");
  assert.deepEqual((await inspectHdf5(file)).image?.shape, [3, 4]);
  assert.deepEqual(Object.keys(await readHdf5Strings(file)), []);
  const fd = fs.openSync("/etc/hostname", "r");
  fs.closeSync(fd);
});

test("a 900-megapixel plane declared by a 1.4 KB file is sampled, not read whole", async () => {
  const file = fixture("huge_gzip.h5");
  assert.deepEqual((await inspectHdf5(file)).image, { shape: [30000, 30000], dtype: "uint8" });
  const plane = await readHdf5Plane(file, "image", 0, { maxSize: 512, sampling: "mean", maxMeanPixels: 64e6 });
  assert.equal(plane.sampling, "nearest");
  assert.equal(plane.factor, 59);
  assert.deepEqual(plane.shape, [509, 509]);
  // A region within the budget is averaged.
  const region = await readHdf5Plane(file, "image", 0, { maxSize: 100, sampling: "mean", region: { x: 29000, y: 100, w: 2000, h: 400 }, maxMeanPixels: 64e6 });
  assert.deepEqual([region.sampling, region.region, region.shape, region.factor], ["mean", { x: 29000, y: 100, w: 1000, h: 400 }, [40, 100], 10]);
});

test("the engine reads planes in its worker thread: the same values, and its errors keep their codes", async () => {
  const { PlaneReader } = await import("./plane-reader.js");
  const reader = new PlaneReader();
  try {
    const opts = { maxSize: 512, sampling: "mean" as const, maxMeanPixels: 64e6 };
    const inWorker = await reader.read(fixture("huge_gzip.h5"), "image", 0, opts);
    const here = await readHdf5Plane(fixture("huge_gzip.h5"), "image", 0, opts);
    assert.deepEqual(inWorker, here);
    await refused(reader.read(fixture("external_storage.h5"), "image", 0, opts), "/etc/passwd");
    await assert.rejects(reader.read(fixture("huge_gzip.h5"), "image", 3, opts), (e: CompoxError) => e instanceof CompoxError && e.code === "invalid_request" && /slice 3 is out of range/.test(e.message));
  } finally {
    await reader.close();
  }
});
