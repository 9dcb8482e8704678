// The compressions and predictors of TIFF strips and tiles that scientific writers use (tifffile,
// ImageJ, libtiff): none, LZW, Deflate and PackBits; horizontal differencing and the floating-point
// predictor. Each takes the stored bytes and returns the decoded bytes, with the size the caller
// expects: a stream that decodes to more is cut there (a bomb costs no more than its page).
import zlib from "node:zlib";

export const COMPRESSION_NAMES: Record<number, string> = { 1: "none", 5: "LZW", 7: "JPEG", 8: "Deflate", 32946: "Deflate", 32773: "PackBits", 34712: "JPEG 2000", 50000: "Zstandard" };

/** Decodes TIFF's LZW (MSB-first codes of 9–12 bits, early change) into at most `expected` bytes. */
export function decodeLzw(input: Uint8Array, expected: number): Uint8Array {
  const out = new Uint8Array(expected);
  let n = 0;
  // The table as (prefix code, last byte, length) triples; strings are rebuilt backwards.
  const prefix = new Int32Array(4096);
  const suffix = new Uint8Array(4096);
  const length = new Uint16Array(4096);
  for (let i = 0; i < 256; i++) {
    prefix[i] = -1;
    suffix[i] = i;
    length[i] = 1;
  }
  let next = 258;
  let width = 9;
  let old = -1;
  let bitPos = 0;
  const totalBits = input.length * 8;
  /** Writes the string of `code`, back to front, clipped at `expected`. */
  const emit = (code: number): void => {
    const len = length[code]!;
    let c = code;
    for (let i = n + len - 1; i >= n; i--) {
      if (i < expected) out[i] = suffix[c]!;
      c = prefix[c]!;
    }
    n = Math.min(n + len, expected);
  };
  const firstByte = (code: number): number => {
    let c = code;
    while (prefix[c]! >= 0) c = prefix[c]!;
    return suffix[c]!;
  };
  while (bitPos + width <= totalBits && n < expected) {
    let code = 0;
    for (let i = 0; i < width; i++) {
      const bit = (input[(bitPos + i) >> 3]! >> (7 - ((bitPos + i) & 7))) & 1;
      code = (code << 1) | bit;
    }
    bitPos += width;
    if (code === 257) break; // end of information
    if (code === 256) {
      next = 258;
      width = 9;
      old = -1;
      continue;
    }
    if (old === -1) {
      if (code > 255) throw new Error("LZW data is corrupt (a first code past the byte range)");
      emit(code);
      old = code;
      continue;
    }
    if (code < next) {
      emit(code);
      addEntry(old, firstByte(code));
    } else if (code === next) {
      addEntry(old, firstByte(old));
      emit(code);
    } else throw new Error(`LZW data is corrupt (code ${code} before it was defined)`);
    old = code;
    // Early change: the width grows one code before the table fills it.
    if (next + 1 >= 1 << width && width < 12) width++;
  }
  return n === expected ? out : out.subarray(0, n);

  function addEntry(base: number, byte: number): void {
    if (next >= 4096) return;
    prefix[next] = base;
    suffix[next] = byte;
    length[next] = length[base]! + 1;
    next++;
  }
}

/** Decodes PackBits runs into at most `expected` bytes. */
export function decodePackBits(input: Uint8Array, expected: number): Uint8Array {
  const out = new Uint8Array(expected);
  let i = 0;
  let n = 0;
  while (i < input.length && n < expected) {
    const h = (input[i++]! << 24) >> 24;
    if (h >= 0) {
      const count = Math.min(h + 1, expected - n, input.length - i);
      out.set(input.subarray(i, i + count), n);
      i += h + 1;
      n += count;
    } else if (h !== -128) {
      const count = Math.min(1 - h, expected - n);
      out.fill(input[i++] ?? 0, n, n + count);
      n += count;
    }
  }
  return n === expected ? out : out.subarray(0, n);
}

/** The decoded bytes of one strip or tile; throws naming the compression when it is not one of ours. */
export function decompress(compression: number, input: Uint8Array, expected: number): Uint8Array {
  switch (compression) {
    case 1:
      return input.subarray(0, expected);
    case 5:
      return decodeLzw(input, expected);
    case 8:
    case 32946:
      return new Uint8Array(zlib.inflateSync(input, { maxOutputLength: Math.max(1, expected) }));
    case 32773:
      return decodePackBits(input, expected);
    default:
      throw new Error(`compression ${COMPRESSION_NAMES[compression] ?? compression} is not supported`);
  }
}

/** Undoes horizontal differencing (predictor 2) on rows of `width` pixels of `samples` little-endian integers of `bytes` each. */
export function undoHorizontal(data: Uint8Array, width: number, samples: number, bytes: number): void {
  const row = width * samples;
  const view = bytes === 1 ? data : bytes === 2 ? new Uint16Array(data.buffer, data.byteOffset, data.byteLength >> 1) : bytes === 4 ? new Uint32Array(data.buffer, data.byteOffset, data.byteLength >> 2) : new BigUint64Array(data.buffer, data.byteOffset, data.byteLength >> 3);
  const rows = Math.floor(view.length / row);
  if (view instanceof BigUint64Array) {
    for (let r = 0; r < rows; r++) for (let i = r * row + samples; i < (r + 1) * row; i++) view[i] = BigInt.asUintN(64, view[i]! + view[i - samples]!);
    return;
  }
  const mask = bytes === 4 ? 0xffffffff : (1 << (bytes * 8)) - 1;
  for (let r = 0; r < rows; r++) for (let i = r * row + samples; i < (r + 1) * row; i++) view[i] = (view[i]! + view[i - samples]!) & mask;
}

/** Undoes the floating-point predictor (3): per row, bytes differenced, then the bytes of each value
 * regrouped from most significant plane first; the result is little-endian. */
export function undoFloatingPoint(data: Uint8Array, width: number, samples: number, bytes: number): Uint8Array {
  const rowBytes = width * samples * bytes;
  const out = new Uint8Array(data.length);
  const values = width * samples;
  for (let r = 0; r + rowBytes <= data.length; r += rowBytes) {
    const row = data.subarray(r, r + rowBytes);
    for (let i = samples; i < rowBytes; i++) row[i] = (row[i]! + row[i - samples]!) & 0xff;
    for (let v = 0; v < values; v++) for (let b = 0; b < bytes; b++) out[r + v * bytes + (bytes - 1 - b)] = row[b * values + v]!;
  }
  return out;
}
