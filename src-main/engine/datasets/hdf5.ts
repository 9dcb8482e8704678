// HDF5 datasets through h5wasm: flat root-level datasets, one per schema field (SPEC section 5).
// h5wasm reads float16 only as raw bytes and can create neither float16 nor enum types, so we
// write float16 widened to float32 (exact) and bool as uint8, each with a `compox_dtype`
// attribute that restores the dtype when read here; h5py sees the same numbers.
import type { Dataset } from "h5wasm/node";
import { floatToHalf, halfToFloat } from "../../contract/float16.js";
import { DTYPES, TYPED_ARRAY, ndarrayProblem, type DType, type NDArray } from "../../contract/ndarray.js";

export interface KeyInfo {
  shape: number[];
  /** "str" for a string dataset (Compox writes names and text that way), else the array dtype. */
  dtype: DType | "str";
  /** A string dataset's values, when it holds at most MAX_LISTED_STRINGS. */
  values?: string[];
}

/** Text values of a dataset item, as Compox 3.2 writes them: one string or a list of strings. */
export type StringValue = string | string[];

const MAX_LISTED_STRINGS = 1024;
const STRING = 3;

const H5_DTYPE: Record<Exclude<DType, "bool">, string> = {
  uint8: "<B",
  int8: "<b",
  uint16: "<H",
  int16: "<h",
  uint32: "<I",
  int32: "<i",
  int64: "<q",
  float16: "<e",
  float32: "<f",
  float64: "<d",
};
const INTEGER = 0;
const FLOAT = 1;
const ENUM = 8;

/** The h5wasm module, loaded on first use: instantiating it costs about 30 MB (about 600 MB under
 * tsx, which transforms its 4 MB file), which a runner process that never touches a dataset should
 * not pay for. */
async function h5() {
  const h5wasm = (await import("h5wasm/node")).default;
  const module = await h5wasm.ready;
  return { module, File: h5wasm.File, Dataset: h5wasm.Dataset };
}

/** Maps a dataset's HDF5 type to one of our dtypes, or undefined when unsupported. */
function dtypeOf(ds: Dataset): DType | undefined {
  const m = ds.metadata;
  if (m.type === ENUM && m.enum_type && Object.keys(m.enum_type.members).length === 2 && m.enum_type.members.FALSE === 0 && m.enum_type.members.TRUE === 1) return "bool";
  const marked = ds.attrs.compox_dtype?.value;
  if (m.type === INTEGER) {
    const name = `${m.signed ? "int" : "uint"}${m.size * 8}`;
    if (marked === "bool" && name === "uint8") return "bool";
    return (DTYPES as readonly string[]).includes(name) ? (name as DType) : undefined;
  }
  if (m.type === FLOAT) {
    if (marked === "float16" && m.size === 4) return "float16";
    return ({ 2: "float16", 4: "float32", 8: "float64" } as const)[m.size as 2 | 4 | 8];
  }
  return undefined;
}

/** Reads a dataset's bytes as stored (used where h5wasm has no typed container). */
function rawBytes(module: Awaited<ReturnType<typeof h5>>["module"], ds: Dataset): Uint8Array {
  const m = ds.metadata;
  const nbytes = m.size * m.total_size;
  const ptr = module._malloc(Math.max(1, nbytes));
  try {
    module.get_dataset_data(ds.file_id, ds.path, null, null, null, BigInt(ptr));
    return module.HEAPU8.slice(ptr, ptr + nbytes);
  } finally {
    module._free(ptr);
  }
}

/** Shapes and dtypes of the root-level datasets; throws when the file is not HDF5. */
export async function inspectHdf5(file: string): Promise<Record<string, KeyInfo>> {
  const { File, Dataset } = await h5();
  const f = new File(file, "r");
  try {
    const out: Record<string, KeyInfo> = {};
    for (const key of f.keys()) {
      const entity = f.get(key);
      if (!(entity instanceof Dataset)) continue;
      if (entity.metadata.type === STRING) {
        const shape = entity.shape ?? [];
        const info: KeyInfo = { shape, dtype: "str" };
        if (shape.reduce((a, b) => a * b, 1) <= MAX_LISTED_STRINGS) info.values = stringsOf(entity.value);
        out[key] = info;
        continue;
      }
      const dtype = dtypeOf(entity);
      if (dtype) out[key] = { shape: entity.shape ?? [], dtype };
    }
    return out;
  } finally {
    f.close();
  }
}

function stringsOf(value: unknown): string[] {
  return (Array.isArray(value) ? value : [value]).map((v) => String(v));
}

/** Reads the root-level string datasets: a scalar as a string, an array as a list. */
export async function readHdf5Strings(file: string): Promise<Record<string, StringValue>> {
  const { File, Dataset } = await h5();
  const f = new File(file, "r");
  try {
    const out: Record<string, StringValue> = {};
    for (const key of f.keys()) {
      const ds = f.get(key);
      if (!(ds instanceof Dataset) || ds.metadata.type !== STRING) continue;
      out[key] = (ds.shape ?? []).length === 0 ? String(ds.value) : stringsOf(ds.value);
    }
    return out;
  } finally {
    f.close();
  }
}

/** Reads root-level datasets (all, or the given keys) as NDArrays. */
export async function readHdf5(file: string, keys?: readonly string[]): Promise<Record<string, NDArray>> {
  const { module, File, Dataset } = await h5();
  const f = new File(file, "r");
  try {
    const out: Record<string, NDArray> = {};
    for (const key of keys ?? f.keys()) {
      const ds = f.get(key);
      if (!(ds instanceof Dataset)) {
        if (keys) throw new Error(`no dataset "${key}" in the file (it has ${f.keys().join(", ") || "none"})`);
        continue;
      }
      const dtype = dtypeOf(ds);
      if (!dtype) {
        if (keys) throw new Error(`dataset "${key}" has an unsupported type (${ds.dtype}); use one of ${DTYPES.join(", ")}`);
        continue;
      }
      const shape = ds.shape ?? [];
      const ctor = TYPED_ARRAY[dtype];
      let data;
      if (dtype === "float16" && ds.metadata.size === 4) {
        data = Uint16Array.from(ds.value as Float32Array, floatToHalf);
      } else if (dtype === "float16" || dtype === "bool") {
        const bytes = rawBytes(module, ds);
        data = new ctor(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength / ctor.BYTES_PER_ELEMENT);
      } else {
        const value = ds.value as ArrayBufferView | number | bigint;
        if (typeof value === "number" || typeof value === "bigint") {
          data = new ctor(1); // a 0-d (scalar) dataset
          (data as unknown as (number | bigint)[])[0] = value;
        }
        else data = value instanceof ctor ? value : new ctor(value.buffer as ArrayBuffer, value.byteOffset, value.byteLength / ctor.BYTES_PER_ELEMENT);
      }
      out[key] = { dtype, shape, data } as NDArray;
    }
    return out;
  } finally {
    f.close();
  }
}

/**
 * One 2-D plane of `key`: the whole dataset when it is 2-D, else plane `index` along its first
 * axis, read alone (an HDF5 hyperslab) so a volume is never read whole.
 */
export async function readHdf5Plane(file: string, key: string, index: number): Promise<{ h: number; w: number; depth: number; values: ArrayLike<number> }> {
  const { File, Dataset } = await h5();
  const f = new File(file, "r");
  let dims: [number, number, number];
  try {
    const ds = f.get(key);
    if (!(ds instanceof Dataset)) throw new Error(`no dataset "${key}" in the file`);
    const shape = ds.shape ?? [];
    if (shape.length < 2 || shape.length > 3) throw new Error(`"${key}" has shape [${shape.join(", ")}]: planes are read from 2-D and 3-D datasets`);
    dims = shape.length === 2 ? [1, shape[0]!, shape[1]!] : [shape[0]!, shape[1]!, shape[2]!];
    if (!Number.isInteger(index) || index < 0 || index >= dims[0]) throw new Error(`slice ${index} is out of range: "${key}" has ${dims[0]} plane(s)`);
    const dtype = dtypeOf(ds);
    if (dtype && dtype !== "float16" && dtype !== "bool") {
      const raw = (shape.length === 2 ? ds.value : ds.slice([[index, index + 1], [], []])) as ArrayLike<number | bigint>;
      const values = raw instanceof BigInt64Array || raw instanceof BigUint64Array ? Float64Array.from(raw, Number) : (raw as ArrayLike<number>);
      return { h: dims[1], w: dims[2], depth: dims[0], values };
    }
  } finally {
    f.close();
  }
  // Types h5wasm cannot slice into a typed array: read whole, through readHdf5's conversions.
  const [depth, h, w] = dims;
  const all = (await readHdf5(file, [key]))[key]!;
  const values = all.dtype === "float16" ? Float32Array.from(all.data as Uint16Array, halfToFloat) : (all.data as Uint8Array);
  return { h, w, depth, values: values.subarray(index * h * w, (index + 1) * h * w) };
}

const isText = (v: unknown): v is StringValue => typeof v === "string" || (Array.isArray(v) && v.every((x) => typeof x === "string"));

/** Writes NDArrays (and strings, as UTF-8 string datasets) as root-level datasets of a new file
 * (caller renames it into place). */
export async function writeHdf5(file: string, items: Readonly<Record<string, NDArray | StringValue>>): Promise<void> {
  for (const [key, arr] of Object.entries(items)) {
    const problem = isText(arr) ? undefined : ndarrayProblem(arr);
    if (problem) throw new Error(`"${key}": ${problem}`);
  }
  const { File } = await h5();
  const f = new File(file, "w");
  try {
    for (const [key, arr] of Object.entries(items)) {
      if (isText(arr)) {
        f.create_dataset({ name: key, data: arr, ...(Array.isArray(arr) ? { shape: [arr.length], dtype: "S" } : {}) });
        continue;
      }
      const shape = arr.shape;
      if (arr.dtype === "float16") {
        const ds = f.create_dataset({ name: key, data: Float32Array.from(arr.data as Uint16Array, halfToFloat), shape, dtype: "<f" });
        ds.create_attribute("compox_dtype", "float16");
        continue;
      }
      const dtype = arr.dtype === "bool" ? "<B" : H5_DTYPE[arr.dtype];
      const ds = f.create_dataset({ name: key, data: arr.data, shape, dtype });
      if (arr.dtype === "bool") ds.create_attribute("compox_dtype", "bool");
    }
  } finally {
    f.close();
  }
}
