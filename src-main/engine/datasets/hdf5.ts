// HDF5 datasets through h5wasm: flat root-level datasets, one per schema field (SPEC section 5).
// h5wasm reads float16 only as raw bytes and can create neither float16 nor enum types, so we
// write float16 widened to float32 (exact) and bool as uint8, each with a `compox_dtype`
// attribute that restores the dtype when read here; h5py sees the same numbers.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Dataset } from "h5wasm/node";
import { CompoxError } from "../../contract/errors.js";
import { floatToHalf, halfToFloat } from "../../contract/float16.js";
import { DTYPES, TYPED_ARRAY, ndarrayProblem, type DType, type NDArray, type PixelSize } from "../../contract/ndarray.js";
import { confinedTo } from "./hdf5-confinement.js";
import { markedDtype, plainDatasets } from "./hdf5-reader.js";
import { writeNativeHdf5, writesNatively } from "./hdf5-writer.js";
import { parsePixelSizeAttribute, pixelSizeAttribute } from "./pixel-size.js";
import { BlockMeans, clipRegion, reductionFactor, type Plane, type Region, type Sampling } from "./plane.js";

export interface KeyInfo {
  shape: number[];
  /** "str" for a string dataset (Compox writes names and text that way), else the array dtype. */
  dtype: DType | "str";
  /** A string dataset's values, when it holds at most MAX_LISTED_STRINGS. */
  values?: string[];
  /** The physical pixel size of its last two axes (the compox_pixel_size attribute), when known. */
  pixel_size?: PixelSize;
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
  return { module, File: h5wasm.File, Dataset: h5wasm.Dataset, Group: h5wasm.Group };
}
type H5 = Awaited<ReturnType<typeof h5>>;
type H5File = InstanceType<H5["File"]>;

/** Opens `file`, runs `fn` on it and closes it, confined to that one file (hdf5-confinement.ts):
 * an HDF5 that reaches for another file is refused with a 422 naming what it reached for (`fn`'s
 * own CompoxError, which may name the dataset, wins over the generic one). */
async function withHdf5<T>(file: string, mode: "r" | "w", fn: (f: H5File, lib: H5, refused: readonly string[]) => T): Promise<T> {
  const lib = await h5();
  const run = confinedTo(file, (refused) => {
    const f = new lib.File(file, mode);
    try {
      return fn(f, lib, refused);
    } finally {
      f.close();
    }
  });
  if (run.error instanceof CompoxError) throw run.error;
  if (run.refused.length > 0) throw reachesOutside(path.basename(file), run.refused[0]!);
  if (run.error !== undefined) throw run.error;
  return run.value as T;
}

const reachesOutside = (what: string, target: string) =>
  new CompoxError("invalid_hdf5", `${what} keeps its data in another file (${target}): external storage, external links and virtual datasets are refused; save the data into the file itself (h5py: write the dataset without external=, or copy it with h5py's copy)`, { feature: "external data", target });

/** Maps a dataset's HDF5 type to one of our dtypes, or undefined when unsupported. */
function dtypeOf(ds: Dataset): DType | undefined {
  const m = ds.metadata;
  if (m.type === ENUM && m.enum_type && Object.keys(m.enum_type.members).length === 2 && m.enum_type.members.FALSE === 0 && m.enum_type.members.TRUE === 1) return "bool";
  let stored: string | undefined;
  if (m.type === INTEGER) stored = `${m.signed ? "int" : "uint"}${m.size * 8}`;
  else if (m.type === FLOAT) stored = ({ 2: "float16", 4: "float32", 8: "float64" } as Record<number, string>)[m.size];
  return stored && (DTYPES as readonly string[]).includes(stored) ? markedDtype(stored as DType, ds.attrs.compox_dtype?.value) : undefined;
}

/** Reads a dataset's bytes as stored (all of it, or a hyperslab), where h5wasm has no typed container. */
function rawBytes(module: H5["module"], ds: Dataset, box?: { offset: number[]; count: number[]; stride?: number[] }): Uint8Array {
  const m = ds.metadata;
  const nbytes = m.size * (box ? box.count.reduce((a, b) => a * b, 1) : m.total_size);
  const ptr = module._malloc(Math.max(1, nbytes));
  if (!ptr) throw new CompoxError("dataset_unsuitable", `reading ${Math.round(nbytes / 2 ** 20)} MB at once does not fit in memory; read a smaller part`);
  try {
    const big = (a: number[]) => a.map(BigInt);
    module.get_dataset_data(ds.file_id, ds.path, box ? big(box.count) : null, box ? big(box.offset) : null, box ? big(box.stride ?? box.count.map(() => 1)) : null, BigInt(ptr));
    return module.HEAPU8.slice(ptr, ptr + nbytes);
  } finally {
    module._free(ptr);
  }
}

/** Stored bytes of `dtype` (as dtypeOf names it for `ds`) as numbers. */
function numbersOf(bytes: Uint8Array, ds: Dataset, dtype: DType): ArrayLike<number> {
  const buffer = bytes.buffer as ArrayBuffer;
  if (dtype === "float16") return ds.metadata.size === 4 ? new Float32Array(buffer) : Float32Array.from(new Uint16Array(buffer), halfToFloat);
  if (dtype === "bool") return bytes;
  if (dtype === "int64") return Float64Array.from(new BigInt64Array(buffer), Number);
  const ctor = TYPED_ARRAY[dtype] as unknown as new (b: ArrayBuffer) => ArrayLike<number>;
  return new ctor(buffer);
}

/** Objects walked at most when checking that a file holds its own data (groups nest, hard links may cycle). */
const MAX_OBJECTS = 10_000;
const MAX_DEPTH = 32;

/**
 * Refuses a file that names data elsewhere: an external link anywhere in it, a virtual dataset, or
 * a dataset whose raw data lives in an external file (found by reading its first element, which
 * opens that file: the confinement refuses the open and records it).
 */
function checkSelfContained(f: H5File, lib: H5, refused: readonly string[]): void {
  let seen = 0;
  const walk = (group: InstanceType<H5["Group"]>, prefix: string, depth: number) => {
    if (depth > MAX_DEPTH) throw new CompoxError("invalid_hdf5", `groups nest deeper than ${MAX_DEPTH} levels at ${prefix}; Compox datasets are root-level datasets`);
    for (const name of group.keys()) {
      if (++seen > MAX_OBJECTS) throw new CompoxError("invalid_hdf5", `the file holds more than ${MAX_OBJECTS} objects; Compox datasets are root-level datasets`);
      const where = `${prefix}${name}`;
      const entity = group.get(name);
      const link = entity as { type?: string; filename?: string; obj_path?: string } | null;
      if (link?.type === "ExternalLink") throw reachesOutside(`"${where}" is an external link that`, `${link.filename}:${link.obj_path}`);
      if (entity instanceof lib.Group) walk(entity, `${where}/`, depth + 1);
      if (!(entity instanceof lib.Dataset)) continue;
      const m = entity.metadata;
      const source = m.virtual_sources?.[0];
      if (source) throw reachesOutside(`"${where}" is a virtual dataset that`, `${source.file_name}:${source.dset_name}`);
      if (m.chunks !== null || m.total_size === 0) continue; // external storage is contiguous only
      const before = refused.length;
      try {
        const shape = m.shape ?? [];
        // A scalar is read whole: HDF5 selects no hyperslab of a scalar dataspace (and says so on stderr).
        rawBytes(lib.module, entity, shape.length === 0 ? undefined : { offset: shape.map(() => 0), count: shape.map(() => 1) });
      } catch {
        // A read error other than a refused open is a matter for whoever reads the data.
      }
      if (refused.length > before) throw reachesOutside(`"${where}"`, refused[before]!);
    }
  };
  walk(f as unknown as InstanceType<H5["Group"]>, "", 0);
}

/** Shapes and dtypes of the root-level datasets; throws when the file is not HDF5, or names data
 * outside itself (422 invalid_hdf5 naming the dataset and the file it reaches for). */
export async function inspectHdf5(file: string): Promise<Record<string, KeyInfo>> {
  return withHdf5(file, "r", (f, lib, refused) => {
    checkSelfContained(f, lib, refused);
    const out: Record<string, KeyInfo> = {};
    for (const key of f.keys()) {
      const entity = f.get(key);
      if (!(entity instanceof lib.Dataset)) continue;
      if (entity.metadata.type === STRING) {
        const shape = entity.shape ?? [];
        const info: KeyInfo = { shape, dtype: "str" };
        if (shape.reduce((a, b) => a * b, 1) <= MAX_LISTED_STRINGS) info.values = stringsOf(entity.value);
        out[key] = info;
        continue;
      }
      const dtype = dtypeOf(entity);
      const pixelSize = parsePixelSizeAttribute(entity.attrs.compox_pixel_size?.value);
      if (dtype) out[key] = { shape: entity.shape ?? [], dtype, ...(pixelSize && { pixel_size: pixelSize }) };
    }
    return out;
  });
}

function stringsOf(value: unknown): string[] {
  return (Array.isArray(value) ? value : [value]).map((v) => String(v));
}

/** Reads the root-level string datasets: a scalar as a string, an array as a list. */
export async function readHdf5Strings(file: string): Promise<Record<string, StringValue>> {
  return withHdf5(file, "r", (f, { Dataset }) => {
    const out: Record<string, StringValue> = {};
    for (const key of f.keys()) {
      const ds = f.get(key);
      if (!(ds instanceof Dataset) || ds.metadata.type !== STRING) continue;
      out[key] = (ds.shape ?? []).length === 0 ? String(ds.value) : stringsOf(ds.value);
    }
    return out;
  });
}

/** The largest array read whole: past it, typed arrays and the WebAssembly heap give out. */
const MAX_ARRAY_BYTES = 2 ** 31;

/** Reads the datasets straight from the file when hdf5-reader.ts finds them all stored plainly
 * (one read per array, no copy through h5wasm's heap); undefined otherwise. */
function readPlain(file: string, keys?: readonly string[]): Record<string, NDArray> | undefined {
  const fd = fs.openSync(file, "r");
  try {
    const plain = plainDatasets(fd, keys);
    if (!plain) return undefined;
    const out: Record<string, NDArray> = {};
    for (const [key, ds] of plain) {
      if (ds.bytes > MAX_ARRAY_BYTES) return undefined; // h5wasm's path refuses it, naming the key
      const stored = ds.dtype === "float16" && ds.size === 4 ? "float32" : ds.dtype;
      const data = new TYPED_ARRAY[stored](ds.bytes / ds.size);
      const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      for (let done = 0; done < bytes.length; ) {
        const n = fs.readSync(fd, bytes, done, bytes.length - done, ds.offset + done);
        if (n === 0) return undefined;
        done += n;
      }
      out[key] = { dtype: ds.dtype, shape: ds.shape, data: stored === ds.dtype ? data : Uint16Array.from(data as Float32Array, floatToHalf) } as NDArray;
    }
    return out;
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads root-level datasets (all, or the given keys) as NDArrays. */
export async function readHdf5(file: string, keys?: readonly string[]): Promise<Record<string, NDArray>> {
  const plain = os.endianness() === "LE" ? readPlain(file, keys) : undefined;
  if (plain) return plain;
  return withHdf5(file, "r", (f, { module, Dataset }) => {
    const out: Record<string, NDArray> = {};
    for (const key of keys ?? f.keys()) {
      const ds = f.get(key);
      if (!(ds instanceof Dataset)) {
        if (keys) throw new CompoxError("invalid_request", `no dataset "${key}" in the file (it has ${f.keys().join(", ") || "none"})`, { key });
        continue;
      }
      const dtype = dtypeOf(ds);
      if (!dtype) {
        if (keys) throw new CompoxError("dataset_unsuitable", `dataset "${key}" has type ${ds.metadata.type === STRING ? "string" : ds.dtype}, which is not an array of numbers; use one of ${DTYPES.join(", ")}`, { key });
        continue;
      }
      const shape = ds.shape ?? [];
      const bytes = ds.metadata.size * ds.metadata.total_size;
      if (bytes > MAX_ARRAY_BYTES) throw new CompoxError("dataset_unsuitable", `"${key}" [${shape.join(", ")}] is ${Math.round(bytes / 2 ** 20)} MB, over the ${MAX_ARRAY_BYTES / 2 ** 20} MB an array may have when read whole; split it into smaller datasets`, { key });
      const ctor = TYPED_ARRAY[dtype];
      let data;
      if (dtype === "float16" && ds.metadata.size === 4) {
        data = Uint16Array.from(ds.value as Float32Array, floatToHalf);
      } else if (dtype === "float16" || dtype === "bool") {
        const raw = rawBytes(module, ds);
        data = new ctor(raw.buffer as ArrayBuffer, raw.byteOffset, raw.byteLength / ctor.BYTES_PER_ELEMENT);
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
  });
}

/** What readHdf5Plane sends back: the plane (reduced), the region of it, and how it was read. */
export interface PlaneRead extends Plane {
  region: Region;
  /** Planes along the first axis (1 for a 2-D dataset). */
  depth: number;
  sampling: Sampling;
}

/** Bytes read at once when a plane is reduced by block means. */
const STRIP_BYTES = 64 << 20;

/** A 2-D or 3-D numeric dataset's plane `index`: checked, with its geometry (`what`: why it is read). */
function planeDataset(ds: unknown, DatasetClass: H5["Dataset"], key: string, index: number, what: string) {
  if (!(ds instanceof DatasetClass)) throw new CompoxError("invalid_request", `no dataset "${key}" in the file`);
  const shape = ds.shape ?? [];
  if (shape.length < 2 || shape.length > 3) throw new CompoxError("dataset_unsuitable", `"${key}" has shape [${shape.join(", ")}]: planes are read from 2-D and 3-D datasets`);
  const [depth, h, w] = shape.length === 2 ? [1, shape[0]!, shape[1]!] : [shape[0]!, shape[1]!, shape[2]!];
  if (!Number.isInteger(index) || index < 0 || index >= depth) throw new CompoxError("invalid_request", `slice ${index} is out of range: "${key}" has ${depth} plane(s), numbered from 0`);
  const dtype = dtypeOf(ds);
  if (!dtype) throw new CompoxError("dataset_unsuitable", `"${key}" has type ${ds.dtype}, which cannot be ${what}; planes are read from numeric datasets`);
  return { ds, depth, h, w, dtype, lead: shape.length === 3 ? [index] : [] };
}

/** Plane `index` of a 2-D or 3-D numeric dataset in its own dtype, whole (exports that keep the
 * data as it is; float16 comes as float32, which holds every half value exactly). */
export async function readHdf5ExactPlane(file: string, key: string, index: number): Promise<NDArray> {
  return withHdf5(file, "r", (f, { module, Dataset }) => {
    const { ds, h, w, dtype, lead } = planeDataset(f.get(key), Dataset, key, index, "exported");
    const bytes = rawBytes(module, ds, { offset: [...lead, 0, 0], count: [...lead.map(() => 1), h, w] });
    if (dtype === "float16") return { dtype: "float32", shape: [h, w], data: Float32Array.from(numbersOf(bytes, ds, dtype)) };
    const ctor = TYPED_ARRAY[dtype] as unknown as new (b: ArrayBuffer) => NDArray["data"];
    return { dtype, shape: [h, w], data: new ctor(bytes.buffer as ArrayBuffer) } as NDArray;
  });
}

/**
 * One 2-D plane of `key` (the dataset when 2-D, else plane `index` along its first axis), or its
 * `region`, reduced to at most `maxSize` on a side. Reads only what it needs: every f-th pixel
 * for nearest sampling, strips of rows for block means; a mean over more than `maxMeanPixels`
 * pixels is sampled instead (the answer says so), so no plane is ever read whole.
 */
export async function readHdf5Plane(file: string, key: string, index: number, opts: { maxSize: number; sampling: Sampling; region?: Region; maxMeanPixels: number }): Promise<PlaneRead> {
  return withHdf5(file, "r", (f, { module, Dataset }) => {
    const { ds, depth, h, w, dtype, lead } = planeDataset(f.get(key), Dataset, key, index, "drawn");
    const region = clipRegion(opts.region ?? { x: 0, y: 0, w, h }, h, w);
    if (region.w === 0 || region.h === 0) throw new CompoxError("invalid_request", `the region lies outside the ${h}×${w} plane`);
    const factor = reductionFactor(region.h, region.w, opts.maxSize);
    const sampling = opts.sampling === "mean" && factor > 1 && region.w * region.h > opts.maxMeanPixels ? "nearest" : opts.sampling;
    const read = (y: number, rows: number, cols: number, stride: number) =>
      numbersOf(rawBytes(module, ds, { offset: [...lead, y, region.x], count: [...lead.map(() => 1), rows, cols], stride: [...lead.map(() => 1), stride, stride] }), ds, dtype);
    if (factor === 1 || sampling === "nearest") {
      const rows = Math.ceil(region.h / factor);
      const cols = Math.ceil(region.w / factor);
      return { shape: [rows, cols], factor, data: Float32Array.from(read(region.y, rows, cols, factor)), region, depth, sampling };
    }
    const means = new BlockMeans(region.h, region.w, factor);
    // Strips of whole blocks, within the byte budget.
    const strip = Math.max(factor, Math.floor(STRIP_BYTES / (region.w * ds.metadata.size) / factor) * factor);
    for (let y = 0; y < region.h; y += strip) {
      const rows = Math.min(strip, region.h - y);
      means.add(read(region.y + y, rows, region.w, 1), y, rows);
    }
    return { ...means.result(), region, depth, sampling };
  });
}

/** What inspectHdf5 would report for a file writeHdf5 writes from arrays only (listed in HDF5's
 * name order), so a writer that just wrote them need not read them back; undefined with strings. */
export function keysOfArrays(items: Readonly<Record<string, NDArray | StringValue>>): Record<string, KeyInfo> | undefined {
  const names = Object.keys(items).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const out: Record<string, KeyInfo> = {};
  for (const name of names) {
    const a = items[name]!;
    if (isText(a)) return undefined;
    out[name] = { shape: [...a.shape], dtype: a.dtype, ...(a.pixel_size && { pixel_size: a.pixel_size }) };
  }
  return out;
}

const isText = (v: unknown): v is StringValue => typeof v === "string" || (Array.isArray(v) && v.every((x) => typeof x === "string"));

/** Writes NDArrays (and strings, as UTF-8 string datasets) as root-level datasets of a new file
 * (caller renames it into place); files of arrays only are written by hdf5-writer.ts. */
export async function writeHdf5(file: string, items: Readonly<Record<string, NDArray | StringValue>>): Promise<void> {
  const entries = Object.entries(items);
  for (const [key, arr] of entries) {
    const problem = isText(arr) ? undefined : ndarrayProblem(arr);
    if (problem) throw new Error(`"${key}": ${problem}`);
  }
  if (entries.every(([key, value]) => writesNatively(key, value))) return writeNativeHdf5(file, entries as [string, NDArray][]);
  await withHdf5(file, "w", (f) => {
    for (const [key, arr] of entries) {
      if (isText(arr)) {
        f.create_dataset({ name: key, data: arr, ...(Array.isArray(arr) ? { shape: [arr.length], dtype: "S" } : {}) });
        continue;
      }
      const shape = arr.shape;
      if (arr.dtype === "float16") {
        const ds = f.create_dataset({ name: key, data: Float32Array.from(arr.data as Uint16Array, halfToFloat), shape, dtype: "<f" });
        ds.create_attribute("compox_dtype", "float16");
        if (arr.pixel_size) ds.create_attribute("compox_pixel_size", pixelSizeAttribute(arr.pixel_size));
        continue;
      }
      const dtype = arr.dtype === "bool" ? "<B" : H5_DTYPE[arr.dtype];
      const ds = f.create_dataset({ name: key, data: arr.data, shape, dtype });
      if (arr.dtype === "bool") ds.create_attribute("compox_dtype", "bool");
      if (arr.pixel_size) ds.create_attribute("compox_pixel_size", pixelSizeAttribute(arr.pixel_size));
    }
  });
}
