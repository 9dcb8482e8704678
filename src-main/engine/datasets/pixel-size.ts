// Physical pixel sizes: read from what microscopy TIFFs carry (OME-XML's PhysicalSizeX/Y, ImageJ's
// unit with the resolution tags, or resolution tags in centimetres), and kept in our HDF5 files as
// one string attribute of the dataset, `compox_pixel_size` = "<x> <y> <unit>" (ASCII: µm as um).
import type { PixelSize } from "../../contract/ndarray.js";

/** What a TIFF page says about its pixel size: its ImageDescription and resolution fields. */
export interface TiffResolution {
  description?: string;
  /** Pixels per resolution unit. */
  xResolution?: number;
  yResolution?: number;
  /** 1 none, 2 inch, 3 centimetre (TIFF's ResolutionUnit). */
  resolutionUnit?: number;
}

/** OME's and ImageJ's ways of writing units, as the unit shown. */
const UNITS: Record<string, string> = { µm: "µm", um: "µm", micron: "µm", microns: "µm", "\u03bcm": "µm", micrometer: "µm", nm: "nm", nanometer: "nm", mm: "mm", millimeter: "mm", cm: "cm", m: "m", Å: "Å", angstrom: "Å", pm: "pm" };

const unitOf = (raw: string | undefined) => (raw === undefined ? "µm" : UNITS[raw.trim().toLowerCase()] ?? UNITS[raw.trim()]);
const positive = (v: number) => Number.isFinite(v) && v > 0;

/** The pixel size a TIFF's first page states, if it states one a microscope would (inch resolutions
 * are print settings, 72 dpi mostly, and are ignored). */
export function pixelSizeFromTiff(t: TiffResolution): PixelSize | undefined {
  const d = t.description ?? "";
  // OME-XML: <Pixels PhysicalSizeX="0.65" PhysicalSizeXUnit="µm" …> (unit default µm).
  const pixels = /<(?:\w+:)?Pixels\b[^>]*>/.exec(d)?.[0];
  if (pixels) {
    const attr = (name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(pixels)?.[1];
    const [x, y] = [Number(attr("PhysicalSizeX")), Number(attr("PhysicalSizeY") ?? attr("PhysicalSizeX"))];
    const [ux, uy] = [unitOf(attr("PhysicalSizeXUnit")), unitOf(attr("PhysicalSizeYUnit") ?? attr("PhysicalSizeXUnit"))];
    if (positive(x) && positive(y) && ux && ux === uy) return { x, y, unit: ux };
  }
  const [xr, yr] = [t.xResolution ?? NaN, t.yResolution ?? t.xResolution ?? NaN];
  if (!positive(xr) || !positive(yr)) return undefined;
  // Resolutions are ratios of 32-bit integers: 9 significant digits are all they hold (1/0.65 comes back as 0.65).
  const per = (n: number, r: number) => Number((n / r).toPrecision(9));
  // ImageJ: "ImageJ=1.53…\nunit=micron\n…" with the resolution in pixels per that unit.
  const imagej = /^ImageJ=/.test(d) ? /^unit=(.+)$/m.exec(d)?.[1] : undefined;
  const unit = imagej === undefined ? undefined : unitOf(imagej.replace(/\\u00B5/i, "µ"));
  if (unit) return { x: per(1, xr), y: per(1, yr), unit };
  if (t.resolutionUnit === 3) return { x: per(1e4, xr), y: per(1e4, yr), unit: "µm" };
  return undefined;
}

/** The attribute's value for `p`. */
export function pixelSizeAttribute(p: PixelSize): string {
  return `${p.x} ${p.y} ${p.unit === "µm" ? "um" : p.unit === "Å" ? "A" : p.unit}`;
}

/** The pixel size an attribute value states, if it is one. */
export function parsePixelSizeAttribute(value: unknown): PixelSize | undefined {
  const m = typeof value === "string" ? /^(\S+) (\S+) (\S+)$/.exec(value.trim()) : null;
  if (!m) return undefined;
  const [x, y] = [Number(m[1]), Number(m[2])];
  const unit = m[3] === "um" ? "µm" : m[3] === "A" ? "Å" : m[3]!;
  return positive(x) && positive(y) ? { x, y, unit } : undefined;
}
