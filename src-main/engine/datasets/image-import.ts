// Decodes image files into arrays that keep their data (SPEC section 5): TIFF through our own
// reader (every sample format and channel, page by page), PNG and JPEG through sharp (8 or 16 bits,
// every channel, alpha included). One channel → H×W; several → C×H×W. A TIFF's physical pixel size
// (OME-XML, ImageJ, centimetre resolutions) comes with each page.
import type { Metadata } from "sharp";
import { sharp } from "./image-export.js";
import { CompoxError } from "../../contract/errors.js";
import type { NDArray, PixelSize } from "../../contract/ndarray.js";
import { pixelSizeFromTiff } from "./pixel-size.js";
import { isTiff, TiffReader, type TiffPageInfo } from "./tiff-reader.js";

export interface ImportLimits {
  /** Pages a file may have (setting max_import_pages). */
  maxPages: number;
  /** Samples one page may have, all channels counted (setting max_image_megapixels × 10⁶). */
  maxPixels: number;
}

/** An image file's pages, decoded one at a time as they are asked for. */
export interface ImagePages {
  count: number;
  pages: AsyncIterable<NDArray>;
}

function checkPixels(name: string, page: number, shape: readonly number[], limits: ImportLimits): void {
  const samples = shape.reduce((a, b) => a * b, 1);
  if (samples > limits.maxPixels)
    throw new CompoxError("limit_exceeded", `${name}: page ${page} is [${shape.join(", ")}], ${Math.round(samples / 1e6)} million samples, over max_image_megapixels (${limits.maxPixels / 1e6}); raise the setting or import a smaller image`, { setting: "max_image_megapixels" });
}

/** Opens an image file for decoding; throws `invalid_image` naming the file when it cannot. */
export async function openImage(bytes: Buffer, name: string, limits: ImportLimits): Promise<ImagePages> {
  if (isTiff(bytes)) {
    const reader = new TiffReader(bytes, name);
    // The chain is walked once to count (fields only, no pixels), then again page by page.
    let count = 0;
    for (const info of reader.pages(limits.maxPages)) checkPixels(name, ++count, [info.samples, info.height, info.width], limits);
    async function* pages(): AsyncGenerator<NDArray> {
      let page = 0;
      // OME-XML and ImageJ state the pixel size once, on the first page: it holds for every page.
      let pixelSize: PixelSize | undefined;
      for (const info of reader.pages(limits.maxPages)) {
        if (++page === 1) pixelSize = pixelSizeFromTiff(info.resolution);
        const array = await tiffPage(reader, info, page, bytes, name);
        yield pixelSize ? { ...array, pixel_size: pixelSize } : array;
      }
    }
    return { count, pages: pages() };
  }
  const page = await decodeWithSharp(bytes, name, 0, limits);
  return { count: 1, pages: (async function* () { yield page; })() };
}

/** A TIFF page; one whose compression only libvips reads (JPEG, say) goes through sharp when its
 * samples are ones sharp gives back exactly (8 or 16-bit unsigned, 1 to 4 channels). */
async function tiffPage(reader: TiffReader, info: TiffPageInfo, page: number, bytes: Buffer, name: string): Promise<NDArray> {
  try {
    return reader.decode(info, page);
  } catch (err) {
    const exact = info.format === 1 && (info.bits === 8 || info.bits === 16) && info.samples <= 4;
    if (!(err instanceof CompoxError) || !/compression is not supported/.test(err.message) || !exact) throw err;
    return decodeWithSharp(bytes, name, page - 1, { maxPages: Infinity, maxPixels: Infinity });
  }
}

/** One page through sharp, at its own depth and with all of its channels. */
async function decodeWithSharp(bytes: Buffer, name: string, page: number, limits: ImportLimits): Promise<NDArray> {
  let meta: Metadata;
  try {
    meta = await sharp()(bytes).metadata();
  } catch (err) {
    throw new CompoxError("invalid_image", `${name}: cannot be read as PNG, JPEG or TIFF (${(err as Error).message})`);
  }
  if (!["png", "jpeg", "tiff"].includes(meta.format ?? "")) throw new CompoxError("invalid_image", `${name}: ${meta.format ?? "unknown"} images are not supported; use PNG, JPEG or TIFF`);
  if (meta.depth !== "uchar" && meta.depth !== "ushort") throw new CompoxError("invalid_image", `${name}: ${meta.depth} samples in a ${meta.format} file cannot be read exactly; save it as TIFF`);
  const channels = meta.channels ?? 1;
  checkPixels(name, page + 1, [channels, meta.height ?? 0, meta.width ?? 0], limits);
  const wide = meta.depth === "ushort";
  const colour = channels - (meta.hasAlpha ? 1 : 0) > 1;
  try {
    // Without a colourspace named, sharp's raw output is sRGB: name the file's own.
    const space = colour ? (wide ? "rgb16" : "srgb") : wide ? "grey16" : "b-w";
    const depth = wide ? "ushort" : "uchar";
    const raw = async (img: ReturnType<ReturnType<typeof sharp>>) => {
      const { data, info } = await img.raw({ depth }).toBuffer({ resolveWithObject: true });
      return { data: wide ? new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2).slice() : new Uint8Array(data), info };
    };
    const open = () => sharp()(bytes, { page, limitInputPixels: false });
    const { data: typed, info } = await raw(open().toColourspace(space));
    if (!colour && meta.hasAlpha) {
      // libvips' grey colourspace drops alpha: take it as a channel of its own.
      const alpha = (await raw(open().extractChannel("alpha"))).data;
      const both = wide ? new Uint16Array(typed.length * 2) : new Uint8Array(typed.length * 2);
      both.set(typed);
      both.set(alpha, typed.length);
      return { dtype: wide ? "uint16" : "uint8", shape: [2, info.height, info.width], data: both } as NDArray;
    }
    const c = info.channels;
    if (c === 1) return { dtype: wide ? "uint16" : "uint8", shape: [info.height, info.width], data: typed } as NDArray;
    const pixels = info.width * info.height;
    const planar = wide ? new Uint16Array(pixels * c) : new Uint8Array(pixels * c);
    for (let i = 0; i < pixels; i++) for (let k = 0; k < c; k++) planar[k * pixels + i] = typed[i * c + k]!;
    return { dtype: wide ? "uint16" : "uint8", shape: [c, info.height, info.width], data: planar } as NDArray;
  } catch (err) {
    throw new CompoxError("invalid_image", `${name}: page ${page + 1} cannot be decoded (${(err as Error).message})`);
  }
}
