// A baseline TIFF writer: uncompressed, one strip per page, grey or RGB, any number of pages, in
// the samples' own type — 8 to 64-bit integers, signed or not, and 32/64-bit floats — so data
// leaves as it came. sharp reads TIFF well but writes only 8-bit, and stacks of 16-bit or float
// slices are the common case in microscopy and CT.

/** The sample types a page may hold. */
export type TiffSamples = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | BigInt64Array | BigUint64Array | Float32Array | Float64Array;

export interface TiffPage {
  width: number;
  height: number;
  channels: 1 | 3;
  /** Interleaved samples (RGBRGB… for colour). */
  data: TiffSamples;
}

/** TIFF's SampleFormat: 1 unsigned integer, 2 signed integer, 3 float. */
function sampleFormat(data: TiffSamples): 1 | 2 | 3 {
  if (data instanceof Float32Array || data instanceof Float64Array) return 3;
  if (data instanceof Int8Array || data instanceof Int16Array || data instanceof Int32Array || data instanceof BigInt64Array) return 2;
  return 1;
}

/** The samples as little-endian bytes (the byte order the header declares). */
function bytesOf(data: TiffSamples): Buffer {
  const copy = Buffer.from(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 || data.BYTES_PER_ELEMENT === 1) return copy;
  // A big-endian machine: swap each sample's bytes.
  const n = data.BYTES_PER_ELEMENT;
  for (let i = 0; i < copy.length; i += n) copy.subarray(i, i + n).reverse();
  return copy;
}

const SHORT = 3;
const LONG = 4;

/** Encodes pages as one little-endian TIFF file. */
export function encodeTiff(pages: readonly TiffPage[]): Buffer {
  if (pages.length === 0) throw new Error("a TIFF needs at least one page");
  const parts: Buffer[] = [];
  let offset = 8;
  const header = Buffer.alloc(8);
  header.write("II", 0, "latin1");
  header.writeUInt16LE(42, 2);
  parts.push(header);
  let patchNext = (value: number) => header.writeUInt32LE(value, 4);

  for (const page of pages) {
    const bits = page.data.BYTES_PER_ELEMENT * 8;
    if (page.data.length !== page.width * page.height * page.channels) throw new Error(`page data has ${page.data.length} samples, expected ${page.width * page.height * page.channels}`);
    const pixels = bytesOf(page.data);
    const dataOffset = offset;
    parts.push(pixels);
    offset += pixels.length + (pixels.length % 2); // IFDs start on a word boundary
    if (pixels.length % 2) parts.push(Buffer.alloc(1));

    // Values wider than 4 bytes (per-channel arrays of RGB) live after the IFD.
    const perChannel = (v: number) => Array.from({ length: page.channels }, () => v);
    const entries: [number, number, number[]][] = [
      [256, LONG, [page.width]],
      [257, LONG, [page.height]],
      [258, SHORT, perChannel(bits)],
      [259, SHORT, [1]],
      [262, SHORT, [page.channels === 3 ? 2 : 1]],
      [273, LONG, [dataOffset]],
      [277, SHORT, [page.channels]],
      [278, LONG, [page.height]],
      [279, LONG, [pixels.length]],
      [284, SHORT, [1]],
      [339, SHORT, perChannel(sampleFormat(page.data))],
    ];
    const ifdSize = 2 + entries.length * 12 + 4;
    const ifd = Buffer.alloc(ifdSize);
    const extra: Buffer[] = [];
    let extraOffset = offset + ifdSize;
    ifd.writeUInt16LE(entries.length, 0);
    entries.forEach(([tag, type, values], i) => {
      const at = 2 + i * 12;
      ifd.writeUInt16LE(tag, at);
      ifd.writeUInt16LE(type, at + 2);
      ifd.writeUInt32LE(values.length, at + 4);
      const size = type === SHORT ? 2 : 4;
      const out = values.length * size <= 4 ? ifd.subarray(at + 8, at + 12) : Buffer.alloc(values.length * size);
      values.forEach((v, j) => (type === SHORT ? out.writeUInt16LE(v, j * size) : out.writeUInt32LE(v, j * size)));
      if (out.length > 4) {
        ifd.writeUInt32LE(extraOffset, at + 8);
        extra.push(out);
        extraOffset += out.length;
      }
    });
    patchNext(offset);
    const nextAt = 2 + entries.length * 12;
    patchNext = (value: number) => ifd.writeUInt32LE(value, nextAt);
    parts.push(ifd, ...extra);
    offset = extraOffset;
  }
  return Buffer.concat(parts);
}
