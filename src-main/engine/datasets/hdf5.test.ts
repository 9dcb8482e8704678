import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { halfToFloat } from "../../contract/float16.js";
import { DTYPES, TYPED_ARRAY, type DType, type NDArray } from "../../contract/ndarray.js";
import { needsPython, PYTHON } from "../testing/system-needs.js";
import { tempDir } from "../testing/temp-algorithm.js";
import { inspectHdf5, readHdf5, readHdf5Plane, writeHdf5 } from "./hdf5.js";

const fixture = fileURLToPath(new URL("./__fixtures__/h5py_all_dtypes.h5", import.meta.url));
const PY = PYTHON ?? "python3";

/** The values the fixture script writes: arange(-12, 12) cast to the dtype (unsigned wraps, as NumPy). */
function expected(dtype: DType): number[] {
  const values = Array.from({ length: 24 }, (_, i) => i - 12);
  if (dtype === "bool") return Array.from({ length: 24 }, (_, i) => (i % 3 === 0 ? 1 : 0));
  if (dtype.startsWith("uint")) {
    const bits = Number(dtype.slice(4));
    return values.map((v) => (v < 0 ? v + 2 ** bits : v));
  }
  return values;
}


test("every dtype written by h5py reads back with its values and shape", async () => {
  const all = await readHdf5(fixture);
  for (const dtype of DTYPES) {
    const a = all[dtype];
    assert.ok(a, dtype);
    assert.equal(a.dtype, dtype);
    assert.deepEqual(a.shape, [2, 3, 4]);
    assert.ok(a.data instanceof TYPED_ARRAY[dtype], `${dtype} container`);
    const got = dtype === "float16" ? [...(a.data as Uint16Array)].map(halfToFloat) : [...a.data].map(Number);
    assert.deepEqual(got, expected(dtype), dtype);
  }
  assert.deepEqual([...(all.float16_special?.data as Uint16Array)].map(halfToFloat), [0.5, -2, 65504, Infinity]);
  const info = await inspectHdf5(fixture);
  assert.deepEqual(info.image, { shape: [3, 4], dtype: "uint8" });
});

test("write → read round-trips every dtype and N-d shapes", async () => {
  using dir = tempDir();
  const items: Record<string, NDArray> = {};
  for (const dtype of DTYPES) {
    const Ctor = TYPED_ARRAY[dtype];
    const data = dtype === "int64" ? new BigInt64Array([1n, -2n, 3n, 2n ** 40n, 5n, 6n]) : new Ctor([0, 1, 2, 3, 1, 0] as never);
    items[dtype] = { dtype, shape: [1, 2, 3], data } as NDArray;
  }
  items.scalarish = { dtype: "float32", shape: [1], data: new Float32Array([1.5]) };
  items.big4d = { dtype: "uint16", shape: [2, 2, 2, 2], data: new Uint16Array(16).map((_, i) => i * 1000) };
  const file = path.join(dir.path, "rt.h5");
  await writeHdf5(file, items);
  const back = await readHdf5(file);
  for (const [key, a] of Object.entries(items)) {
    assert.equal(back[key]?.dtype, a.dtype, key);
    assert.deepEqual(back[key]?.shape, a.shape, key);
    assert.deepEqual([...(back[key]?.data ?? [])], [...a.data], key);
  }
  const only = await readHdf5(file, ["float32"]);
  assert.deepEqual(Object.keys(only), ["float32"]);
  await assert.rejects(readHdf5(file, ["nope"]), /no dataset "nope"/);
});

test("writeHdf5 refuses arrays whose data does not match dtype and shape", async () => {
  using dir = tempDir();
  await assert.rejects(writeHdf5(path.join(dir.path, "x.h5"), { image: { dtype: "uint8", shape: [2, 2], data: new Uint8Array(3) } }), /"image": shape \[2, 2\] needs 4 elements/);
  await assert.rejects(writeHdf5(path.join(dir.path, "x.h5"), { image: { dtype: "float32", shape: [1], data: new Uint8Array(1) } }), /needs a Float32Array/);
});

test("files written here read identically in h5py", { skip: needsPython }, async () => {
  using dir = tempDir();
  const file = path.join(dir.path, "ours.h5");
  await writeHdf5(file, {
    f16: { dtype: "float16", shape: [3], data: new Uint16Array([0x3800, 0xc000, 0x3c00]) },
    i64: { dtype: "int64", shape: [2], data: new BigInt64Array([-5n, 2n ** 40n]) },
    img: { dtype: "uint16", shape: [2, 2], data: new Uint16Array([1, 2, 3, 65535]) },
    m: { dtype: "bool", shape: [3], data: new Uint8Array([1, 0, 1]) },
  });
  const script = "import h5py,sys,json\nf=h5py.File(sys.argv[1],'r')\nprint(json.dumps({k:[str(f[k].dtype),list(f[k].shape),[float(x) for x in f[k][()].ravel()]] for k in f}))";
  const out = JSON.parse(execFileSync(PY, ["-c", script, file], { encoding: "utf8" })) as Record<string, [string, number[], number[]]>;
  assert.deepEqual(out.f16, ["float32", [3], [0.5, -2, 1]]); // widened exactly: h5wasm cannot create float16
  assert.deepEqual(out.i64, ["int64", [2], [-5, 2 ** 40]]);
  assert.deepEqual(out.img, ["uint16", [2, 2], [1, 2, 3, 65535]]);
  assert.deepEqual(out.m, ["uint8", [3], [1, 0, 1]]);
  assert.ok(fs.statSync(file).size > 0);
});

test("a plane that fits is sent as it is; a larger one by block means, or every f-th pixel for labels", async () => {
  using dir = tempDir();
  const file = path.join(dir.path, "plane.h5");
  await writeHdf5(file, { small: { dtype: "uint8", shape: [2, 3], data: new Uint8Array([1, 2, 3, 4, 5, 6]) }, image: { dtype: "float32", shape: [3, 5], data: new Float32Array([0, 1, 2, 3, 4, 10, 11, 12, 13, 14, 20, 21, 22, 23, 24]) } });
  const plane = (key: string, maxSize: number, sampling: "mean" | "nearest") => readHdf5Plane(file, key, 0, { maxSize, sampling, maxMeanPixels: 1e9 });
  const small = await plane("small", 16, "mean");
  assert.deepEqual([small.shape, small.factor, [...small.data]], [[2, 3], 1, [1, 2, 3, 4, 5, 6]]);
  // 3×5 to at most 2 on a side: factor 3, a 1×2 result; the right block has only 2 columns.
  const mean = await plane("image", 2, "mean");
  assert.deepEqual([mean.shape, mean.factor], [[1, 2], 3]);
  assert.deepEqual([...mean.data], [(0 + 1 + 2 + 10 + 11 + 12 + 20 + 21 + 22) / 9, (3 + 4 + 13 + 14 + 23 + 24) / 6]);
  const nearest = await plane("image", 2, "nearest");
  assert.deepEqual([...nearest.data], [0, 3]);
});
