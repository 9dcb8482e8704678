// NumPy's .npy format (versions 1–3), read into float32: the test tensors of bioimage.io
// packages. C order only; the dtypes numbers come in (little- or big-endian, bool, ints, floats).

export interface NpyArray {
  shape: number[];
  data: Float32Array;
}

const MAGIC = "\x93NUMPY";

/** Parses `bytes` as a .npy file; throws saying what is wrong with it. */
export function readNpy(bytes: Uint8Array, name = "the .npy file"): NpyArray {
  const text = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  if (bytes.length < 10 || text(0, 6) !== MAGIC) throw new Error(`${name} is not a NumPy .npy file (no \\x93NUMPY magic)`);
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(bytes.subarray(start, start + headerLength));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) throw new Error(`${name}: its header is not one NumPy writes: ${header.trim()}`);
  if (fortran === "True") throw new Error(`${name} is in Fortran order; save it in C order (np.ascontiguousarray)`);
  const shape = shapeText
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const offset = start + headerLength;
  const read = reader(descr, view, name);
  if (offset + count * read.size > bytes.length) throw new Error(`${name} is cut short: ${count} values of ${descr} need ${count * read.size} bytes, it has ${bytes.length - offset}`);
  const data = new Float32Array(count);
  for (let i = 0; i < count; i++) data[i] = read.at(offset + i * read.size);
  return { shape, data };
}

function reader(descr: string, view: DataView, name: string): { size: number; at: (offset: number) => number } {
  const little = descr[0] !== ">";
  const kind = descr.slice(1);
  switch (kind) {
    case "f4":
      return { size: 4, at: (o) => view.getFloat32(o, little) };
    case "f8":
      return { size: 8, at: (o) => view.getFloat64(o, little) };
    case "u1":
    case "b1":
      return { size: 1, at: (o) => view.getUint8(o) };
    case "i1":
      return { size: 1, at: (o) => view.getInt8(o) };
    case "u2":
      return { size: 2, at: (o) => view.getUint16(o, little) };
    case "i2":
      return { size: 2, at: (o) => view.getInt16(o, little) };
    case "u4":
      return { size: 4, at: (o) => view.getUint32(o, little) };
    case "i4":
      return { size: 4, at: (o) => view.getInt32(o, little) };
    case "i8":
      return { size: 8, at: (o) => Number(view.getBigInt64(o, little)) };
    case "u8":
      return { size: 8, at: (o) => Number(view.getBigUint64(o, little)) };
    default:
      throw new Error(`${name} holds ${descr} values, which Compox Desktop does not read; save it as float32`);
  }
}
