import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { needsPython, PYTHON } from "../testing/system-needs.js";
import { tempDir } from "../testing/temp-algorithm.js";
import { readHdf5, writeHdf5 } from "./hdf5.js";
import { plainDatasets } from "./hdf5-reader.js";

const fixture = (name: string) => fileURLToPath(new URL(`./__fixtures__/${name}`, import.meta.url));

function plain(file: string, keys?: string[]) {
  const fd = fs.openSync(file, "r");
  try {
    return plainDatasets(fd, keys);
  } finally {
    fs.closeSync(fd);
  }
}

test("h5py's default layout (symbol table, version 1 headers) is found plain, and read straight from the file", async () => {
  const keys = ["uint8", "int16", "int64", "float16", "float32", "float64"];
  const found = plain(fixture("h5py_all_dtypes.h5"), keys);
  assert.deepEqual([...(found?.keys() ?? [])], keys);
  assert.deepEqual(found?.get("float32")?.shape, [2, 3, 4]);
  const back = await readHdf5(fixture("h5py_all_dtypes.h5"), keys);
  const arange = Array.from({ length: 24 }, (_, i) => i - 12);
  assert.deepEqual([...(back.int16?.data as Int16Array)], arange);
  assert.deepEqual([...(back.float32?.data as Float32Array)], arange);
  assert.deepEqual([...(back.uint8?.data as Uint8Array)], arange.map((v) => (v + 256) % 256));
  assert.deepEqual([...(back.int64?.data as BigInt64Array)], arange.map(BigInt));
  assert.equal(back.float16?.data.constructor, Uint16Array);
  // h5py's bool is an enum type: not plain, so a read of every key goes through h5wasm.
  assert.equal(plain(fixture("h5py_all_dtypes.h5")), undefined);
});

test("what points outside the file, is compressed or is not a dataset is never plain: h5wasm reads (and refuses) it", async () => {
  for (const name of ["external_storage.h5", "virtual.h5", "huge_gzip.h5", "external_link.h5", "odd_keys.h5"]) assert.equal(plain(fixture(name), ["image"]), undefined, name);
  assert.equal(plain(fixture("external_link.h5"), ["safe"]), undefined, "a file with an external link anywhere");
  await assert.rejects(readHdf5(fixture("external_storage.h5"), ["image"]), /another file/);
});

test("the writer's files (superblock 2, compact links) are plain", async () => {
  using dir = tempDir();
  const file = path.join(dir.path, "ours.h5");
  await writeHdf5(file, { image: { dtype: "float32", shape: [3], data: Float32Array.from([1, 2, 3]) }, m: { dtype: "bool", shape: [2], data: Uint8Array.from([1, 0]) } });
  assert.deepEqual([...(plain(file)?.entries() ?? [])].map(([k, d]) => [k, d.dtype, d.shape]), [["image", "float32", [3]], ["m", "bool", [2]]]);
});

test("many datasets (a B-tree of several levels), libver latest, continued headers, dense attributes and chunks, as h5py writes them", { skip: needsPython }, async () => {
  using dir = tempDir();
  const script = [
    "import h5py, numpy as np, sys",
    "with h5py.File(sys.argv[1] + '/many.h5', 'w') as f:",
    "    for i in range(600): f.create_dataset(f'd{i:03}', data=np.arange(i, i + 5, dtype=np.float64))",
    "with h5py.File(sys.argv[1] + '/latest.h5', 'w', libver='latest') as f:",
    "    d = f.create_dataset('image', data=np.arange(12, dtype=np.uint16).reshape(3, 4))",
    "    e = f.create_dataset('dense', data=np.arange(3, dtype=np.uint8))",
    "    for a in range(40): e.attrs[f'note{a}'] = 'x' * 50",
    "with h5py.File(sys.argv[1] + '/grown.h5', 'w') as f:",
    "    d = f.create_dataset('image', data=np.arange(6, dtype=np.int32))",
    "    f.create_dataset('other', data=np.zeros(3))",
    "    for a in range(12): d.attrs[f'note{a}'] = 'x' * 200",

    "    f.create_dataset('chunked', data=np.zeros((4, 4)), chunks=(2, 2))",
  ].join("\n");
  execFileSync(PYTHON!, ["-c", script, dir.path]);
  const many = await readHdf5(path.join(dir.path, "many.h5"));
  assert.ok(plain(path.join(dir.path, "many.h5")), "600 datasets, all plain");
  assert.equal(Object.keys(many).length, 600);
  for (const i of [0, 7, 8, 299, 599]) assert.deepEqual([...(many[`d${String(i).padStart(3, "0")}`]?.data as Float64Array)], [i, i + 1, i + 2, i + 3, i + 4]);
  const latest = path.join(dir.path, "latest.h5");
  assert.deepEqual(plain(latest, ["image"])?.get("image")?.shape, [3, 4]);
  assert.deepEqual([...((await readHdf5(latest, ["image"])).image?.data as Uint16Array)], Array.from({ length: 12 }, (_, i) => i));
  assert.equal(plain(latest, ["chunked"]), undefined);
  assert.equal(plain(latest, ["dense"]), undefined);
  assert.deepEqual([...((await readHdf5(latest, ["dense"])).dense?.data as Uint8Array)], [0, 1, 2]);
  // Attributes added after the file grew: the header continues elsewhere in the file.
  const grown = path.join(dir.path, "grown.h5");
  assert.ok(plain(grown, ["image"]));
  assert.deepEqual([...((await readHdf5(grown, ["image"])).image?.data as Int32Array)], [0, 1, 2, 3, 4, 5]);
});
