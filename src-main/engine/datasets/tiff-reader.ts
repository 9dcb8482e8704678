// Reads TIFF (classic and BigTIFF, either byte order) page by page into arrays that keep what the
// file holds: every sample format (uint8/16/32, int8/16/32/64, float16/32/64, 1-bit as 0/1) and
// every channel (a channel axis first: C×H×W). The page chain is walked one page at a time, so an
// import is linear in the page count and holds one page in memory; what cannot be represented is
// refused naming the page and the field, never converted.
import { CompoxError } from "../../contract/errors.js";
import type { DType, NDArray } from "../../contract/ndarray.js";
import { DTYPES, TYPED_ARRAY } from "../../contract/ndarray.js";
import type { TiffResolution } from "./pixel-size.js";
import { COMPRESSION_NAMES, decompress, undoFloatingPoint, undoHorizontal } from "./tiff-codecs.js";

/** Whether `bytes` start like a TIFF (II*\0, MM\0*, or their BigTIFF forms). */
export function isTiff(bytes: Uint8Array): boolean {
  const le = bytes[0] === 0x49 && bytes[1] === 0x49 && (bytes[2] === 42 || bytes[2] === 43) && bytes[3] === 0;
  const be = bytes[0] === 0x4d && bytes[1] === 0x4d && bytes[2] === 0 && (bytes[3] === 42 || bytes[3] === 43);
  return le || be;
}

/** The fields of one page that decoding needs. */
export interface TiffPageInfo {
  width: number;
  height: number;
  samples: number;
  bits: number;
  /** 1 unsigned, 2 signed, 3 float (TIFF's SampleFormat). */
  format: number;
  compression: number;
  predictor: number;
  /** 1 interleaved (chunky), 2 one plane per sample. */
  planar: number;
  rowsPerStrip: number;
  tile?: { width: number; height: number };
  offsets: number[];
  counts: number[];
  /** What the page says of its pixels' physical size (pixel-size.ts reads it). */
  resolution: TiffResolution;
}

const TYPE_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 16: 8, 17: 8, 18: 8 };
/** Fields read for the pixel size, not for decoding: ImageDescription (ASCII), X/YResolution (RATIONAL), ResolutionUnit. */
const META = { description: 270, xResolution: 282, yResolution: 283, resolutionUnit: 296 } as const;
const TAG = { width: 256, height: 257, bits: 258, compression: 259, stripOffsets: 273, samples: 277, rowsPerStrip: 278, stripCounts: 279, planar: 284, predictor: 317, tileWidth: 322, tileHeight: 323, tileOffsets: 324, tileCounts: 325, format: 339 } as const;

/** The dtype of TIFF samples, or why there is none. */
export function dtypeOfSamples(format: number, bits: number): DType | string {
  if (bits === 1 && format === 1) return "uint8";
  const name = ({ 1: "uint", 2: "int", 3: "float" } as Record<number, string>)[format];
  if (!name) return `SampleFormat ${format} (complex or undefined samples)`;
  const dtype = `${name}${bits}`;
  // "bool" cannot come out of `${name}${bits}`: every other dataset dtype can.
  return DTYPES.find((d) => d === dtype) ?? `${bits}-bit ${name === "uint" ? "unsigned" : name === "int" ? "signed" : "float"} samples`;
}

export class TiffReader {
  private readonly view: DataView;
  private readonly le: boolean;
  private readonly big: boolean;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly name: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (!isTiff(bytes)) throw this.error("is not a TIFF file");
    this.le = bytes[0] === 0x49;
    this.big = this.view.getUint16(2, this.le) === 43;
  }

  private error(message: string): CompoxError {
    return new CompoxError("invalid_image", `${this.name}: ${message}`);
  }

  private offset(at: number): number {
    if (at + (this.big ? 8 : 4) > this.bytes.length) throw this.error(`is cut short (an offset at byte ${at} lies past its end)`);
    return this.big ? Number(this.view.getBigUint64(at, this.le)) : this.view.getUint32(at, this.le);
  }

  /** The pages, one at a time: each page's fields are read only when the page is reached. */
  *pages(maxPages: number): Generator<TiffPageInfo> {
    const seen = new Set<number>();
    let at = this.offset(this.big ? 8 : 4);
    for (let index = 0; at !== 0; index++) {
      if (seen.has(at)) throw this.error(`its page chain loops back to page ${[...seen].indexOf(at) + 1}`);
      if (index >= maxPages) throw new CompoxError("limit_exceeded", `${this.name} has more than ${maxPages} pages, over max_import_pages; raise the setting or split the file`, { setting: "max_import_pages", limit: maxPages });
      seen.add(at);
      const { info, next } = this.readIfd(at, index + 1);
      yield info;
      at = next;
    }
  }

  /** One pixel-size field into `into` (an ASCII description, a RATIONAL resolution, the unit). */
  private readMeta(into: TiffResolution, tag: number, type: number, base: number, n: number): void {
    if (tag === META.description && type === 2) into.description = Buffer.from(this.bytes.subarray(base, base + n)).toString("utf8").replace(/\0+$/, "");
    else if ((tag === META.xResolution || tag === META.yResolution) && type === 5) {
      const ratio = this.view.getUint32(base, this.le) / this.view.getUint32(base + 4, this.le);
      into[tag === META.xResolution ? "xResolution" : "yResolution"] = ratio;
    } else if (tag === META.resolutionUnit && type === 3) into.resolutionUnit = this.view.getUint16(base, this.le);
  }

  private readIfd(at: number, page: number): { info: TiffPageInfo; next: number } {
    const entrySize = this.big ? 20 : 12;
    const countSize = this.big ? 8 : 2;
    if (at + countSize > this.bytes.length) throw this.error(`page ${page} lies past the end of the file`);
    const count = this.big ? Number(this.view.getBigUint64(at, this.le)) : this.view.getUint16(at, this.le);
    const tags = new Map<number, number[]>();
    const resolution: TiffResolution = {};
    for (let i = 0; i < count; i++) {
      const e = at + countSize + i * entrySize;
      if (e + entrySize > this.bytes.length) throw this.error(`page ${page}'s fields run past the end of the file`);
      const tag = this.view.getUint16(e, this.le);
      const type = this.view.getUint16(e + 2, this.le);
      const n = this.big ? Number(this.view.getBigUint64(e + 4, this.le)) : this.view.getUint32(e + 4, this.le);
      const size = TYPE_SIZE[type];
      const meta = (Object.values(META) as number[]).includes(tag);
      if (!size || !(meta || (Object.values(TAG) as number[]).includes(tag))) continue; // only the fields decoding needs, and the pixel size's
      const inline = size * n <= (this.big ? 8 : 4);
      const base = inline ? e + (this.big ? 12 : 8) : this.offset(e + (this.big ? 12 : 8));
      if (base + size * n > this.bytes.length) {
        if (meta) continue; // a broken description or resolution loses the pixel size, not the image
        throw this.error(`page ${page}: field ${tag} lies past the end of the file`);
      }
      if (meta) {
        this.readMeta(resolution, tag, type, base, n);
        continue;
      }
      const values: number[] = [];
      for (let k = 0; k < n; k++) {
        const p = base + k * size;
        values.push(size === 1 ? this.view.getUint8(p) : size === 2 ? this.view.getUint16(p, this.le) : size === 4 ? this.view.getUint32(p, this.le) : Number(this.view.getBigUint64(p, this.le)));
      }
      tags.set(tag, values);
    }
    const next = this.offset(at + countSize + count * entrySize);
    const one = (tag: number, fallback?: number): number => {
      const v = tags.get(tag)?.[0] ?? fallback;
      if (v === undefined) throw this.error(`page ${page} has no field ${tag} (${Object.entries(TAG).find(([, t]) => t === tag)?.[0]}), which every TIFF page needs`);
      return v;
    };
    const same = (tag: number, fallback: number, what: string): number => {
      const vs = tags.get(tag) ?? [fallback];
      if (vs.some((v) => v !== vs[0])) throw this.error(`page ${page} mixes ${what} across its channels (${vs.join(", ")}); save every channel alike`);
      return vs[0]!;
    };
    const height = one(TAG.height);
    const tiled = tags.has(TAG.tileOffsets);
    const info: TiffPageInfo = {
      width: one(TAG.width),
      height,
      samples: one(TAG.samples, 1),
      bits: same(TAG.bits, 1, "bit depths"),
      format: same(TAG.format, 1, "sample formats"),
      compression: one(TAG.compression, 1),
      predictor: one(TAG.predictor, 1),
      planar: one(TAG.planar, 1),
      rowsPerStrip: Math.min(height, one(TAG.rowsPerStrip, height) || height),
      tile: tiled ? { width: one(TAG.tileWidth), height: one(TAG.tileHeight) } : undefined,
      offsets: tags.get(tiled ? TAG.tileOffsets : TAG.stripOffsets) ?? [],
      counts: tags.get(tiled ? TAG.tileCounts : TAG.stripCounts) ?? [],
      resolution,
    };
    return { info, next };
  }

  /** Decodes one page into an H×W (one sample) or C×H×W array of the page's own dtype. */
  decode(p: TiffPageInfo, page: number): NDArray {
    const dtype = dtypeOfSamples(p.format, p.bits);
    if (!dtype.match(/^(u?int|float)\d+$/)) throw this.error(`page ${page} has ${dtype}, which no dataset dtype holds; save it as 8/16/32-bit integers or 32/64-bit floats`);
    const bitLevel = p.bits === 1;
    if (bitLevel && p.samples !== 1) throw this.error(`page ${page} has ${p.samples} channels of 1 bit; save it as 8-bit`);
    if (p.predictor !== 1 && p.predictor !== 2 && p.predictor !== 3) throw this.error(`page ${page} uses predictor ${p.predictor}, which TIFF does not define`);
    if (p.offsets.length === 0 || p.offsets.length !== p.counts.length) throw this.error(`page ${page} names ${p.offsets.length} data blocks and ${p.counts.length} sizes; the file is damaged`);
    const bytes = bitLevel ? 1 : p.bits / 8;
    const { width: w, height: h, samples: s } = p;
    const page_ = new Uint8Array(w * h * s * bytes);
    // Planes decoded per block: all samples interleaved (chunky) or one (planar).
    const perBlock = p.planar === 2 ? 1 : s;
    const blockW = p.tile?.width ?? w;
    const blockH = p.tile?.height ?? p.rowsPerStrip;
    const across = Math.ceil(w / blockW);
    const down = Math.ceil(h / blockH);
    const planes = p.planar === 2 ? s : 1;
    if (p.offsets.length < across * down * planes) throw this.error(`page ${page} has ${p.offsets.length} data blocks where its size needs ${across * down * planes}; the file is damaged`);
    const rowBytes = bitLevel ? Math.ceil(blockW / 8) : blockW * perBlock * bytes;
    for (let plane = 0; plane < planes; plane++)
      for (let by = 0; by < down; by++)
        for (let bx = 0; bx < across; bx++) {
          const k = plane * across * down + by * across + bx;
          const rows = p.tile ? blockH : Math.min(blockH, h - by * blockH);
          const block = this.block(p, k, rows * rowBytes, blockW, perBlock, bytes, page);
          const cols = Math.min(blockW, w - bx * blockW);
          for (let r = 0; r < rows && by * blockH + r < h; r++) {
            const y = by * blockH + r;
            if (bitLevel) {
              for (let x = 0; x < cols; x++) page_[y * w + bx * blockW + x] = (block[r * rowBytes + (x >> 3)]! >> (7 - (x & 7))) & 1;
              continue;
            }
            const src = block.subarray(r * rowBytes, r * rowBytes + cols * perBlock * bytes);
            // Chunky pages stay interleaved here (H×W×C) and are made planar below.
            const dst = p.planar === 2 ? (plane * h * w + y * w + bx * blockW) * bytes : (y * w + bx * blockW) * s * bytes;
            page_.set(src, dst);
          }
        }
    const ctor = TYPED_ARRAY[dtype as DType] as unknown as new (b: ArrayBuffer) => ArrayLike<number | bigint> & { [i: number]: number | bigint };
    let data = new ctor(page_.buffer);
    if (s > 1 && p.planar !== 2) {
      const planar = new ctor(new ArrayBuffer(page_.byteLength));
      const pixels = w * h;
      for (let i = 0; i < pixels; i++) for (let c = 0; c < s; c++) planar[c * pixels + i] = data[i * s + c]!;
      data = planar;
    }
    return { dtype: dtype as DType, shape: s > 1 ? [s, h, w] : [h, w], data } as unknown as NDArray;
  }

  /** One strip or tile, decompressed, little-endian, predictor undone. */
  private block(p: TiffPageInfo, k: number, expected: number, blockW: number, samples: number, bytes: number, page: number): Uint8Array {
    const start = p.offsets[k]!;
    const end = start + p.counts[k]!;
    if (end > this.bytes.length) throw this.error(`page ${page}: data block ${k + 1} lies past the end of the file (it is cut short)`);
    let out: Uint8Array;
    try {
      out = decompress(p.compression, this.bytes.subarray(start, end), expected);
    } catch (err) {
      const name = COMPRESSION_NAMES[p.compression] ?? `compression ${p.compression}`;
      throw this.error(`page ${page}: ${(err as Error).message.startsWith("compression") ? `${name} compression is not supported; save it uncompressed, LZW, Deflate or PackBits` : `its ${name} data is corrupt (${(err as Error).message})`}`);
    }
    if (out.length < expected) throw this.error(`page ${page}: data block ${k + 1} holds ${out.length} bytes where its size needs ${expected}; the file is damaged`);
    out = out.slice(0, expected); // a copy: predictors work in place, and the file's bytes stay as read
    if (p.predictor === 3) return undoFloatingPoint(out, blockW, samples, bytes);
    if (!this.le && bytes > 1) swapBytes(out, bytes);
    if (p.predictor === 2) undoHorizontal(out, blockW, samples, bytes);
    return out;
  }
}

/** Reverses the bytes of each `size`-byte value in place (big-endian → little-endian). */
function swapBytes(data: Uint8Array, size: number): void {
  for (let i = 0; i + size <= data.length; i += size)
    for (let a = i, b = i + size - 1; a < b; a++, b--) {
      const t = data[a]!;
      data[a] = data[b]!;
      data[b] = t;
    }
}
