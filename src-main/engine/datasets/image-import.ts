// Decodes PNG, JPEG and (multi-page) TIFF into image arrays with sharp, one per page:
// grey → H×W, colour → 3×H×W (alpha dropped), 8- and 16-bit depth kept (SPEC section 5).
import type { Metadata } from "sharp";
import { sharp } from "./image-export.js";
import { CompoxError } from "../../contract/errors.js";
import type { NDArray } from "../../contract/ndarray.js";

/** Interleaved H×W×3 → planar 3×H×W, as Compox's image schema wants colour images. */
function toPlanar<T extends Uint8Array | Uint16Array>(src: T, pixels: number, make: (n: number) => T): T {
  const out = make(pixels * 3);
  for (let i = 0; i < pixels; i++) {
    out[i] = src[i * 3] as number;
    out[pixels + i] = src[i * 3 + 1] as number;
    out[2 * pixels + i] = src[i * 3 + 2] as number;
  }
  return out;
}

/** Decodes every page of an image file; throws `invalid_image` naming the file when it cannot. */
export async function decodeImage(bytes: Buffer, name = "image"): Promise<NDArray[]> {
  let meta: Metadata;
  try {
    meta = await sharp()(bytes).metadata();
  } catch (err) {
    throw new CompoxError("invalid_image", `${name}: cannot be read as PNG, JPEG or TIFF (${(err as Error).message})`);
  }
  if (!["png", "jpeg", "tiff"].includes(meta.format ?? "")) throw new CompoxError("invalid_image", `${name}: ${meta.format ?? "unknown"} images are not supported; use PNG, JPEG or TIFF`);
  const channels = (meta.channels ?? 1) - (meta.hasAlpha ? 1 : 0);
  const grey = channels === 1;
  const wide = meta.depth === "ushort";
  const out: NDArray[] = [];
  for (let page = 0; page < (meta.pages ?? 1); page++) {
    try {
      const img = sharp()(bytes, { page })
        .removeAlpha()
        .toColourspace(grey ? (wide ? "grey16" : "b-w") : wide ? "rgb16" : "srgb");
      const { data, info } = await img.raw({ depth: wide ? "ushort" : "uchar" }).toBuffer({ resolveWithObject: true });
      const pixels = info.width * info.height;
      const typed = wide ? new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2).slice() : new Uint8Array(data);
      if (grey) out.push({ dtype: wide ? "uint16" : "uint8", shape: [info.height, info.width], data: typed });
      else {
        const planar = wide ? toPlanar(typed as Uint16Array, pixels, (n) => new Uint16Array(n)) : toPlanar(typed as Uint8Array, pixels, (n) => new Uint8Array(n));
        out.push({ dtype: wide ? "uint16" : "uint8", shape: [3, info.height, info.width], data: planar });
      }
    } catch (err) {
      throw new CompoxError("invalid_image", `${name}: page ${page + 1} cannot be decoded (${(err as Error).message})`);
    }
  }
  return out;
}
