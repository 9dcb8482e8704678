// Turns dataset arrays into pictures and files: contrast-stretched PNG previews, PNG exports that
// keep 8- or 16-bit depth (a rendering for anything else), and TIFF exports that keep the data in
// its own type (multi-page for stacks).
import type Sharp from "sharp";
import { lazyRequire } from "../lazy-require.js";
import { CompoxError } from "../../contract/errors.js";
import { halfToFloat } from "../../contract/float16.js";
import type { NDArray } from "../../contract/ndarray.js";
import { encodeTiff, type TiffPage, type TiffSamples } from "./tiff-writer.js";

/** sharp (libvips), loaded when the first image is decoded or drawn. */
export const sharp = lazyRequire<typeof Sharp>("sharp");

/** Keys tried, in order, when a preview names none. */
const IMAGE_KEYS = ["image", "mask", "volume", "data", "features"];

/** The key to show: the requested one, else the first image-like key present. */
export function pickKey(items: Record<string, { shape: readonly number[] }>, key?: string): string {
  if (key) {
    if (!items[key]) throw new CompoxError("invalid_request", `the dataset has no key "${key}"; it has ${Object.keys(items).join(", ")}`);
    return key;
  }
  const found = IMAGE_KEYS.find((k) => items[k] && items[k].shape.length >= 2) ?? Object.keys(items).find((k) => (items[k]?.shape.length ?? 0) >= 2);
  if (!found) throw new CompoxError("invalid_request", `the dataset has no image-like key (2-D or more): ${Object.keys(items).join(", ")}`);
  return found;
}

/**
 * Refuses, before anything is read, an array that cannot become a picture: an empty axis, or more
 * pixels than max_image_megapixels (`pixels` counts one plane, or every plane for a TIFF).
 */
export function checkPictureShape(shape: readonly number[], maxMegapixels: number, allPlanes = false): void {
  const dims = `[${shape.join(", ")}]`;
  if (shape.length < 2) throw new CompoxError("dataset_unsuitable", `cannot show a ${shape.length}-D array ${dims} as a picture: give a 2-D (or deeper) key`);
  if (shape.some((d) => d === 0)) throw new CompoxError("dataset_unsuitable", `the array ${dims} has an empty axis: there is nothing to show`);
  const plane = (shape.at(-2) as number) * (shape.at(-1) as number);
  const pixels = allPlanes ? shape.reduce((a, b) => a * b, 1) : shape.length === 3 && shape[0] === 3 ? plane * 3 : plane;
  if (pixels > maxMegapixels * 1e6)
    throw new CompoxError("dataset_unsuitable", `the array ${dims} has ${Math.round(pixels / 1e6)} million pixels${allPlanes ? " in all" : " in a plane"}, over max_image_megapixels (${maxMegapixels}); export it as HDF5 (format=h5) or raise the setting`, { setting: "max_image_megapixels" });
}

/** Runs a sharp pipeline; its refusals (sizes, limits) become a 422 instead of a crash. */
async function encoded(make: () => Promise<Buffer>): Promise<Buffer> {
  try {
    return await make();
  } catch (err) {
    throw new CompoxError("dataset_unsuitable", `the picture could not be encoded: ${(err as Error).message}; export the dataset as HDF5 (format=h5) instead`);
  }
}

function asNumbers(a: NDArray): Float64Array {
  if (a.dtype === "float16") return Float64Array.from(a.data as Uint16Array, halfToFloat);
  if (a.dtype === "int64") return Float64Array.from(a.data as BigInt64Array, Number);
  return Float64Array.from(a.data as ArrayLike<number>);
}

interface Plane {
  /** 1 (grey) or 3 (colour) channels, interleaved. */
  channels: 1 | 3;
  width: number;
  height: number;
  values: Float64Array;
}

/** The 2-D picture at `slice`: H×W; 3×H×W colour; N×H×W and deeper take plane `slice` of axis 0. */
export function planeOf(a: NDArray, slice = 0): Plane {
  const shape = a.shape;
  if (shape.length < 2) throw new CompoxError("invalid_request", `cannot show a ${shape.length}-D array [${shape.join(", ")}] as a picture`);
  const h = shape.at(-2) as number;
  const w = shape.at(-1) as number;
  const values = asNumbers(a);
  if (shape.length === 3 && shape[0] === 3) {
    const out = new Float64Array(h * w * 3);
    for (let i = 0; i < h * w; i++) for (let c = 0; c < 3; c++) out[i * 3 + c] = values[c * h * w + i] as number;
    return { channels: 3, width: w, height: h, values: out };
  }
  const planes = values.length / (h * w);
  if (!Number.isInteger(slice) || slice < 0 || slice >= planes) throw new CompoxError("invalid_request", `slice ${slice} is out of range: the array has ${planes} plane(s)`);
  return { channels: 1, width: w, height: h, values: values.subarray(slice * h * w, (slice + 1) * h * w) };
}

/** Min-max stretch to 0…255 (NaN → 0; a constant image → mid grey unless it is 0). */
export function stretch(values: Float64Array): Uint8Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (Number.isFinite(v)) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  const out = new Uint8Array(values.length);
  if (!(hi > lo)) {
    if (hi > 0) out.fill(255);
    return out;
  }
  const k = 255 / (hi - lo);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    out[i] = Number.isFinite(v) ? Math.round((v - lo) * k) : 0;
  }
  return out;
}

/** A contrast-stretched PNG no larger than `maxSize` on its longer side. */
export async function previewPng(a: NDArray, opts: { slice?: number; maxSize?: number } = {}): Promise<Buffer> {
  const p = planeOf(a, opts.slice ?? 0);
  const max = opts.maxSize ?? 512;
  let img = sharp()(stretch(p.values), { raw: { width: p.width, height: p.height, channels: p.channels }, limitInputPixels: false });
  if (Math.max(p.width, p.height) > max) img = img.resize({ width: max, height: max, fit: "inside", kernel: p.width < 64 ? "nearest" : "lanczos3" });
  return encoded(() => img.png().toBuffer());
}

/** Pixel data at export depth: uint8 and uint16 keep their values; others are stretched to 8 bits. */
function exportPixels(a: NDArray, p: Plane): { data: Uint8Array | Uint16Array; depth: "uchar" | "ushort" } {
  if (a.dtype === "uint16") return { data: Uint16Array.from(p.values), depth: "ushort" };
  if (a.dtype === "uint8" || a.dtype === "bool") return { data: Uint8Array.from(p.values, (v) => (a.dtype === "bool" ? v * 255 : v)), depth: "uchar" };
  return { data: stretch(p.values), depth: "uchar" };
}

/** One page as PNG, 16-bit when the array is uint16. */
export async function exportPng(a: NDArray, slice = 0): Promise<Buffer> {
  const p = planeOf(a, slice);
  const { data, depth } = exportPixels(a, p);
  // sharp takes a Uint16Array as 16-bit input.
  const img = sharp()(data, { raw: { width: p.width, height: p.height, channels: p.channels }, limitInputPixels: false });
  return encoded(() => (depth === "ushort" ? img.toColourspace(p.channels === 1 ? "grey16" : "rgb16") : img).png().toBuffer());
}

/** An array's samples as TIFF keeps them: its own type (float16 widened to float32, which holds
 * each half value exactly; bool as 0/1 bytes). */
function tiffSamples(a: NDArray): TiffSamples {
  if (a.dtype === "float16") return Float32Array.from(a.data as Uint16Array, halfToFloat);
  return a.data;
}

/** Plane `slice` of `a` as a TIFF page in the array's own type (a colour 3×H×W image is one RGB page). */
export function tiffPage(a: NDArray, slice = 0): TiffPage {
  const shape = a.shape;
  if (shape.length < 2) throw new CompoxError("invalid_request", `cannot write a ${shape.length}-D array [${shape.join(", ")}] as a TIFF page`);
  const h = shape.at(-2) as number;
  const w = shape.at(-1) as number;
  const samples = tiffSamples(a);
  if (shape.length === 3 && shape[0] === 3) {
    // Channels first in the array, interleaved in the page (RGBRGB…).
    const out = new (samples.constructor as new (n: number) => TiffSamples)(h * w * 3) as unknown as (number | bigint)[];
    const from = samples as unknown as ArrayLike<number | bigint>;
    for (let i = 0; i < h * w; i++) for (let c = 0; c < 3; c++) out[i * 3 + c] = from[c * h * w + i]!;
    return { width: w, height: h, channels: 3, data: out as unknown as TiffSamples };
  }
  const planes = samples.length / (h * w);
  if (!Number.isInteger(slice) || slice < 0 || slice >= planes) throw new CompoxError("invalid_request", `slice ${slice} is out of range: the array has ${planes} plane(s)`);
  return { width: w, height: h, channels: 1, data: samples.subarray(slice * h * w, (slice + 1) * h * w) };
}

/** Every plane as a TIFF page (a colour 3×H×W image is one RGB page), in the array's own type. */
export function tiffPagesOf(a: NDArray): TiffPage[] {
  const h = a.shape.at(-2) ?? 0;
  const w = a.shape.at(-1) ?? 0;
  const colour = a.shape.length === 3 && a.shape[0] === 3;
  const pages = colour ? 1 : Math.max(1, a.data.length / (h * w));
  return Array.from({ length: pages }, (_, i) => tiffPage(a, i));
}

/** Every plane as a page of one TIFF, in the array's own type. */
export function exportTiff(a: NDArray): Buffer {
  return encodeTiff(tiffPagesOf(a));
}
