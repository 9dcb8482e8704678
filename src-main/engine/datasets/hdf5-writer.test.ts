import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import type { NDArray } from "../../contract/ndarray.js";
import { needsPython, PYTHON } from "../testing/system-needs.js";
import { tempDir } from "../testing/temp-algorithm.js";
import { inspectHdf5, keysOfArrays, readHdf5, writeHdf5 } from "./hdf5.js";
import { hdf5Layout } from "./hdf5-writer.js";

const LONG = "k".repeat(300);
const items: Record<string, NDArray> = {
  image: { dtype: "float32", shape: [2, 3], data: Float32Array.from([0, 1, 2, 3, 4, 5.5]) },
  Mask: { dtype: "bool", shape: [3], data: Uint8Array.from([1, 0, 1]) },
  größe: { dtype: "float64", shape: [1], data: Float64Array.from([Math.PI]) },
  scalar: { dtype: "int16", shape: [], data: Int16Array.from([-3]) },
  empty: { dtype: "uint8", shape: [0, 4], data: new Uint8Array(0) },
  [LONG]: { dtype: "int64", shape: [2], data: BigInt64Array.from([-5n, 2n ** 40n]) },
};

test("a file of arrays is metadata, then each array's bytes as they are, and its size is the superblock's end of file", () => {
  const { meta, data, size } = hdf5Layout(Object.entries(items));
  assert.deepEqual([...meta.subarray(0, 9)], [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a, 2]);
  assert.equal(Number(new DataView(meta.buffer, meta.byteOffset).getBigUint64(28, true)), size);
  assert.equal(size, meta.length + data.reduce((n, d) => n + d.byteLength, 0));
  assert.equal(data[0], items.image!.data); // no copy
});

test("what the writer writes, h5wasm reads back: every value, and the keys it reports are keysOfArrays'", async () => {
  using dir = tempDir();
  const file = path.join(dir.path, "ours.h5");
  await writeHdf5(file, items);
  assert.deepEqual(await inspectHdf5(file), keysOfArrays(items));
  assert.deepEqual(Object.keys(keysOfArrays(items)!), Object.keys(await inspectHdf5(file)), "listed in HDF5's name order");
  const back = await readHdf5(file);
  for (const [key, a] of Object.entries(items)) assert.deepEqual(back[key], a, key);
});

test("the writer's files open in h5py (libhdf5 checks every checksum) with the same values, dtypes and marks", { skip: needsPython }, async () => {
  using dir = tempDir();
  const file = path.join(dir.path, "ours.h5");
  await writeHdf5(file, { ...items, half: { dtype: "float16", shape: [2], data: Uint16Array.from([0x3c00, 0xc000]) } });
  const script = "import h5py,sys,json\nf=h5py.File(sys.argv[1],'r')\nprint(json.dumps({k:[str(f[k].dtype),list(f[k].shape),[float(x) for x in f[k][()].ravel()],{a:v.decode() for a,v in f[k].attrs.items()}] for k in f}))";
  const out = JSON.parse(execFileSync(PYTHON!, ["-c", script, file], { encoding: "utf8" })) as Record<string, unknown>;
  assert.deepEqual(out, {
    image: ["float32", [2, 3], [0, 1, 2, 3, 4, 5.5], {}],
    Mask: ["uint8", [3], [1, 0, 1], { compox_dtype: "bool" }],
    größe: ["float64", [1], [Math.PI], {}],
    scalar: ["int16", [], [-3], {}],
    empty: ["uint8", [0, 4], [], {}],
    [LONG]: ["int64", [2], [-5, 2 ** 40], {}],
    half: ["float32", [2], [1, -2], { compox_dtype: "float16" }],
  });
});

test("a file with text is written by h5wasm (the writer takes arrays only), and reads back", async () => {
  using dir = tempDir();
  const file = path.join(dir.path, "text.h5");
  await writeHdf5(file, { region_names: ["a", "b"], image: items.image! });
  assert.equal(keysOfArrays({ region_names: ["a", "b"] }), undefined);
  const keys = await inspectHdf5(file);
  assert.deepEqual(keys.region_names, { shape: [2], dtype: "str", values: ["a", "b"] });
  assert.deepEqual((await readHdf5(file, ["image"])).image, items.image);
  assert.ok(fs.statSync(file).size > 0);
});
