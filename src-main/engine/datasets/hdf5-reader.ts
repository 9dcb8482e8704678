// Finds where the root-level datasets of an HDF5 file keep their bytes, when they keep them
// plainly — contiguous, uncompressed, little-endian numbers, as h5py writes by default and
// hdf5-writer.ts writes — so they can be read straight into typed arrays. Both group layouts are
// walked: the symbol table (B-tree, symbol nodes, local heap: h5py's default) and compact link
// messages (superblock 2 and later). Anything else — chunks, filters, external storage, shared or
// committed types, dense link or attribute storage, links other than hard ones — is "not plain",
// and h5wasm reads the file instead (hdf5.ts), with its checks. Every offset is checked against
// the file's size; a malformed file is "not plain" too, and h5wasm then says what is wrong.
import fs from "node:fs";
import type { DType } from "../../contract/ndarray.js";

/** A dataset stored plainly: its bytes are `bytes` bytes at `offset` of the file. */
export interface PlainDataset {
  dtype: DType;
  /** Bytes per stored element (float16 marked by compox_dtype is stored as 4-byte float32). */
  size: number;
  shape: number[];
  offset: number;
  bytes: number;
}

class NotPlain extends Error {}
const notPlain = (why: string): never => {
  throw new NotPlain(why);
};

const UNDEFINED = 0xffff_ffff_ffff_ffffn;
const MAX_NODES = 10_000;

/** Reads the file's metadata with bounds checks. */
class Source {
  private readonly head: Buffer;
  constructor(
    private readonly fd: number,
    readonly size: number,
  ) {
    this.head = Buffer.alloc(Math.min(size, 64 * 1024));
    fs.readSync(fd, this.head, 0, this.head.length, 0);
  }
  /** `length` bytes at `offset`. */
  at(offset: number, length: number): Buffer {
    if (!Number.isSafeInteger(offset) || offset < 0 || length < 0 || offset + length > this.size) notPlain(`${length} bytes at ${offset} lie outside the file`);
    if (offset + length <= this.head.length) return this.head.subarray(offset, offset + length);
    const b = Buffer.alloc(length);
    fs.readSync(this.fd, b, 0, length, offset);
    return b;
  }
  /** An address (8 bytes), or undefined for HDF5's undefined address. */
  address(b: Buffer, at: number): number | undefined {
    const v = b.readBigUInt64LE(at);
    if (v === UNDEFINED) return undefined;
    if (v > BigInt(this.size)) notPlain(`address ${v} lies outside the file`);
    return Number(v);
  }
}

interface Message {
  type: number;
  flags: number;
  body: Buffer;
}

/** The header messages of the object at `address` (version 1 or 2 headers, continuations followed). */
function messagesAt(src: Source, address: number): Message[] {
  const out: Message[] = [];
  const first = src.at(address, 16);
  const blocks: { at: number; length: number; v2: boolean; creationOrder: boolean }[] = [];
  if (first.toString("latin1", 0, 4) === "OHDR") {
    const flags = first[5]!;
    let at = address + 6 + (flags & 0x20 ? 16 : 0) + (flags & 0x10 ? 4 : 0);
    const width = 1 << (flags & 0x03);
    const sizeField = src.at(at, width);
    const length = width === 8 ? Number(sizeField.readBigUInt64LE(0)) : sizeField.readUIntLE(0, width);
    at += width;
    blocks.push({ at, length, v2: true, creationOrder: (flags & 0x04) !== 0 });
  } else {
    if (first[0] !== 1) notPlain(`object header version ${first[0]}`);
    blocks.push({ at: address + 16, length: first.readUInt32LE(8), v2: false, creationOrder: false });
  }
  for (let i = 0; i < blocks.length; i++) {
    if (i > MAX_NODES) notPlain("too many header continuations");
    const { at, length, v2, creationOrder } = blocks[i]!;
    const block = src.at(at, length);
    const prefix = v2 ? 4 + (creationOrder ? 2 : 0) : 8;
    let p = v2 && i > 0 ? 4 : 0; // a v2 continuation block starts with "OCHK"
    const end = v2 ? block.length - (i > 0 ? 4 : 0) : block.length;
    while (p + prefix <= end) {
      const type = v2 ? block[p]! : block.readUInt16LE(p);
      const size = v2 ? block.readUInt16LE(p + 1) : block.readUInt16LE(p + 2);
      const flags = v2 ? block[p + 3]! : block[p + 4]!;
      const body = block.subarray(p + prefix, p + prefix + size);
      if (body.length !== size) notPlain("a header message runs past its block");
      if (type === 0x10) blocks.push({ at: src.address(body, 0) ?? notPlain("a continuation without an address"), length: Number(body.readBigUInt64LE(8)), v2, creationOrder });
      else out.push({ type, flags, body });
      p += prefix + (v2 ? size : Math.ceil(size / 8) * 8);
    }
  }
  return out;
}

/** The hard links of the root group: name → object header address. */
function rootLinks(src: Source): Map<string, number> {
  const sb = src.at(0, 16);
  if (sb.toString("latin1", 0, 8) !== "\x89HDF\r\n\x1a\n") notPlain("no superblock at the start (a user block?)");
  const version = sb[8]!;
  let root: number;
  if (version >= 2) {
    const b = src.at(0, 48);
    if (b[9] !== 8 || b[10] !== 8) notPlain("offsets and lengths other than 8 bytes");
    root = src.address(b, 36) ?? notPlain("no root group");
  } else {
    const b = src.at(0, 96 + (version === 1 ? 4 : 0));
    if (b[13] !== 8 || b[14] !== 8) notPlain("offsets and lengths other than 8 bytes");
    const entry = 24 + (version === 1 ? 4 : 0) + 32; // after the K values, flags and four addresses
    if (src.address(b, entry - 32) !== 0) notPlain("a base address other than 0");
    root = src.address(b, entry + 8) ?? notPlain("no root group");
  }
  const links = new Map<string, number>();
  for (const m of messagesAt(src, root)) {
    if (m.type === 0x11) symbolTable(src, src.address(m.body, 0), src.address(m.body, 8), links);
    else if (m.type === 0x02 && src.address(m.body, 2 + (m.body[1]! & 1 ? 8 : 0)) !== undefined) notPlain("links kept in a fractal heap");
    else if (m.type === 0x06) {
      const [name, address] = linkMessage(src, m.body);
      links.set(name, address);
    }
  }
  return links;
}

/** A link message's name and target; only hard links are plain. */
function linkMessage(src: Source, b: Buffer): [string, number] {
  const flags = b[1]!;
  let p = 2;
  if (flags & 0x08 && b[p++] !== 0) notPlain("a soft or external link");
  if (flags & 0x04) p += 8;
  const utf8 = flags & 0x10 ? b[p++] === 1 : false;
  const width = 1 << (flags & 0x03);
  const length = width === 8 ? Number(b.readBigUInt64LE(p)) : b.readUIntLE(p, width);
  p += width;
  const name = b.toString(utf8 ? "utf8" : "latin1", p, p + length);
  return [name, src.address(b, p + length) ?? notPlain(`link "${name}" without a target`)];
}

/** Walks a version 1 group B-tree and its symbol nodes, naming entries from the local heap. */
function symbolTable(src: Source, tree: number | undefined, heap: number | undefined, links: Map<string, number>): void {
  if (tree === undefined || heap === undefined) notPlain("a symbol table without its B-tree or heap");
  const h = src.at(heap!, 32);
  if (h.toString("latin1", 0, 4) !== "HEAP") notPlain("no local heap where the symbol table says");
  const data = src.at(src.address(h, 24) ?? notPlain("a local heap without data"), Number(h.readBigUInt64LE(8)));
  const nameAt = (offset: number) => {
    const end = data.indexOf(0, offset);
    if (offset >= data.length || end < 0) notPlain("a name outside the local heap");
    return data.toString("utf8", offset, end);
  };
  const pending = [tree!];
  let visited = 0;
  while (pending.length > 0) {
    if (++visited > MAX_NODES) notPlain("too many B-tree nodes");
    const at = pending.pop()!;
    const head = src.at(at, 24);
    if (head.toString("latin1", 0, 4) !== "TREE" || head[4] !== 0) notPlain("not a group B-tree node");
    const level = head[5]!;
    const used = head.readUInt16LE(6);
    const body = src.at(at + 24, used * 16 + 8);
    for (let i = 0; i < used; i++) {
      const child = src.address(body, 8 + i * 16) ?? notPlain("a B-tree entry without a child");
      if (level > 0) pending.push(child);
      else {
        const node = src.at(child, 8);
        if (node.toString("latin1", 0, 4) !== "SNOD") notPlain("not a symbol table node");
        const count = node.readUInt16LE(6);
        const entries = src.at(child + 8, count * 40);
        for (let e = 0; e < count; e++) links.set(nameAt(Number(entries.readBigUInt64LE(e * 40))), src.address(entries, e * 40 + 8) ?? notPlain("an entry without an object"));
      }
    }
  }
}

/** The dtype of a datatype message, when it is a plain little-endian IEEE float or integer. */
function dtypeOf(b: Buffer): { dtype: DType; size: number } {
  const cls = b[0]! & 0x0f;
  const bits = b[1]!;
  const size = b.readUInt32LE(4);
  if (bits & 0x01) notPlain("big-endian numbers");
  if (cls === 0) {
    const signed = (bits & 0x08) !== 0;
    const dtype = `${signed ? "int" : "uint"}${size * 8}`;
    if (!["uint8", "int8", "uint16", "int16", "uint32", "int32", "int64"].includes(dtype) || b.readUInt16LE(8) !== 0 || b.readUInt16LE(10) !== size * 8) notPlain(`integer type ${dtype}`);
    return { dtype: dtype as DType, size };
  }
  if (cls === 1) {
    const ieee = { 2: [15, 10, 5, 15], 4: [31, 23, 8, 127], 8: [63, 52, 11, 1023] }[size];
    const standard = ieee && (bits & 0x70) === 0x20 && b[2] === ieee[0] && b.readUInt16LE(8) === 0 && b.readUInt16LE(10) === size * 8;
    if (!standard || b[12] !== ieee[1] || b[13] !== ieee[2] || b[14] !== 0 || b[15] !== ieee[1] || b.readUInt32LE(16) !== ieee[3]) notPlain(`a ${size}-byte float that is not IEEE`);
    return { dtype: size === 2 ? "float16" : size === 4 ? "float32" : "float64", size };
  }
  return notPlain(`datatype class ${cls}`);
}

/** The value of a compox_dtype attribute, if the message is one (a fixed-length string). */
function compoxMark(b: Buffer): string | undefined {
  const version = b[0]!;
  const nameSize = b.readUInt16LE(2);
  const typeSize = b.readUInt16LE(4);
  const spaceSize = b.readUInt16LE(6);
  const pad = (n: number) => (version === 1 ? Math.ceil(n / 8) * 8 : n);
  let p = version === 3 ? 9 : 8;
  const name = b.toString("latin1", p, p + nameSize).replace(/\0+$/, "");
  if (name !== "compox_dtype") return undefined;
  p += pad(nameSize);
  if ((b[p]! & 0x0f) !== 3) notPlain("a compox_dtype attribute that is not a fixed-length string");
  const length = b.readUInt32LE(p + 4);
  p += pad(typeSize) + pad(spaceSize);
  return b.toString("latin1", p, p + length).replace(/\0+$/, "");
}

/** The dtype a stored one stands for: bool is stored as uint8 and float16 as float32, marked by a
 * compox_dtype attribute (hdf5-writer.ts and h5wasm's path write it; both readers read it here). */
export function markedDtype(stored: DType, mark: unknown): DType {
  if (mark === "bool" && stored === "uint8") return "bool";
  if (mark === "float16" && stored === "float32") return "float16";
  return stored;
}

/** The dataset at `address`, if it is stored plainly (else throws NotPlain). */
function dataset(src: Source, address: number): PlainDataset {
  let shape: number[] | undefined;
  let type: { dtype: DType; size: number } | undefined;
  let place: { offset: number; bytes: number } | undefined;
  let mark: string | undefined;
  for (const m of messagesAt(src, address)) {
    if (m.flags & 0x02 && m.type !== 0x0c) notPlain("a shared header message");
    const b = m.body;
    if (m.type === 0x01) {
      const [version, rank, flags] = [b[0]!, b[1]!, b[2]!];
      if (version === 2 && b[3] === 2) notPlain("a null dataspace");
      const at = version === 1 ? 8 : 4;
      shape = Array.from({ length: rank }, (_, i) => Number(b.readBigUInt64LE(at + i * 8)));
      if (flags & 0x02) notPlain("a permuted dataspace");
    } else if (m.type === 0x03) type = dtypeOf(b);
    else if (m.type === 0x08) {
      if (b[0]! < 3 || b[1] !== 1) notPlain(b[0]! < 3 ? "an old layout message" : "chunked or compact storage");
      const offset = src.address(b, 2);
      if (offset === undefined) notPlain("data never written (fill values)");
      place = { offset: offset!, bytes: Number(b.readBigUInt64LE(10)) };
    } else if (m.type === 0x07 || m.type === 0x0b) notPlain(m.type === 0x07 ? "external storage" : "filters");
    else if (m.type === 0x15 && src.address(b, 2 + (b[1]! & 1 ? 8 : 0)) !== undefined) notPlain("attributes kept in a fractal heap");
    else if (m.type === 0x0c) mark = compoxMark(b) ?? mark;
  }
  if (!shape || !type || !place) return notPlain("not a dataset of numbers");
  const count = shape.reduce((a, c) => a * c, 1);
  if (place.bytes !== count * type.size || place.offset + place.bytes > src.size) notPlain("data that does not match its shape");
  return { dtype: markedDtype(type.dtype, mark), size: type.size, shape, ...place };
}

/**
 * The root-level datasets of an open file (`keys`, or all), when every one asked for is stored
 * plainly; undefined otherwise (h5wasm reads the file then).
 */
export function plainDatasets(fd: number, keys?: readonly string[]): Map<string, PlainDataset> | undefined {
  try {
    const src = new Source(fd, fs.fstatSync(fd).size);
    const links = rootLinks(src);
    const out = new Map<string, PlainDataset>();
    for (const name of keys ?? links.keys()) out.set(name, dataset(src, links.get(name) ?? notPlain(`no "${name}"`)));
    return out;
  } catch (err) {
    if (err instanceof NotPlain || err instanceof RangeError) return undefined;
    throw err;
  }
}
