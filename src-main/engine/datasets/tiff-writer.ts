// A baseline TIFF writer: uncompressed, one strip per page, grey or RGB, any number of pages, in
// the samples' own type — 8 to 64-bit integers, signed or not, and 32/64-bit floats — so data
// leaves as it came. sharp reads TIFF well but writes only 8-bit, and stacks of 16-bit or float
// slices are the common case in microscopy and CT. A page's physical pixel size is written as
// ImageJ writes it, which ImageJ/Fiji, tifffile and our reader read back.
import type { PixelSize } from "../../contract/ndarray.js";

/** The sample types a page may hold. */
export type TiffSamples = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | BigInt64Array | BigUint64Array | Float32Array | Float64Array;

export interface TiffPage {
  width: number;
  height: number;
  channels: 1 | 3;
  /** Interleaved samples (RGBRGB… for colour). */
  data: TiffSamples;
  /** Written as resolution tags (pixels per unit) with ImageJ's `unit` in the first page's description. */
  pixelSize?: PixelSize;
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

const ASCII = 2;
const SHORT = 3;
const LONG = 4;
const RATIONAL = 5;

/** ImageJ's names of units (ASCII): µm is "micron". */
const IMAGEJ_UNIT: Record<string, string> = { µm: "micron", Å: "angstrom" };

/** 1 / `size` as a TIFF rational (numerator, denominator), exact to 6 significant decimals of `size`. */
function perUnit(size: number): [number, number] {
  let scale = 1e6;
  while (size * scale > 4e9 && scale > 1) scale /= 10;
  return [scale, Math.max(1, Math.round(size * scale))];
}

/** The tags stating a page's pixel size: resolutions with no TIFF unit (ImageJ's way), and on the first page ImageJ's unit. */
function pixelSizeTags(p: PixelSize | undefined, first: boolean): [number, number, (number | string)[]][] {
  if (!p) return [];
  return [
    ...(first ? [[270, ASCII, [`ImageJ=1.11a\nunit=${IMAGEJ_UNIT[p.unit] ?? p.unit}\n\0`]] as [number, number, string[]]] : []),
    [282, RATIONAL, perUnit(p.x)],
    [283, RATIONAL, perUnit(p.y)],
    [296, SHORT, [1]],
  ];
}

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

  for (const [index, page] of pages.entries()) {
    const bits = page.data.BYTES_PER_ELEMENT * 8;
    if (page.data.length !== page.width * page.height * page.channels) throw new Error(`page data has ${page.data.length} samples, expected ${page.width * page.height * page.channels}`);
    const pixels = bytesOf(page.data);
    const dataOffset = offset;
    parts.push(pixels);
    offset += pixels.length + (pixels.length % 2); // IFDs start on a word boundary
    if (pixels.length % 2) parts.push(Buffer.alloc(1));

    // Values wider than 4 bytes (per-channel arrays of RGB) live after the IFD.
    const perChannel = (v: number) => Array.from({ length: page.channels }, () => v);
    const entries: [number, number, (number | string)[]][] = [
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
      ...pixelSizeTags(page.pixelSize, index === 0),
    ];
    entries.sort((a, b) => a[0] - b[0]); // TIFF wants its fields in tag order
    const ifdSize = 2 + entries.length * 12 + 4;
    const ifd = Buffer.alloc(ifdSize);
    const extra: Buffer[] = [];
    let extraOffset = offset + ifdSize;
    ifd.writeUInt16LE(entries.length, 0);
    entries.forEach(([tag, type, values], i) => {
      const at = 2 + i * 12;
      ifd.writeUInt16LE(tag, at);
      ifd.writeUInt16LE(type, at + 2);
      const text = type === ASCII ? Buffer.from(String(values[0]), "latin1") : undefined;
      ifd.writeUInt32LE(text ? text.length : type === RATIONAL ? values.length / 2 : values.length, at + 4);
      const size = type === SHORT ? 2 : 4;
      const length = text ? text.length : values.length * size;
      const out = length <= 4 ? ifd.subarray(at + 8, at + 12) : Buffer.alloc(length + (length % 2));
      if (text) text.copy(out);
      else values.forEach((v, j) => (type === SHORT ? out.writeUInt16LE(Number(v), j * size) : out.writeUInt32LE(Number(v), j * size)));
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
