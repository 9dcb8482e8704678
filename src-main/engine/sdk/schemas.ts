// The data schemas of SPEC section 3 as zod schemas over NDArray fields. Authors may build their own
// with `ndarray()` and `z.object`.
import { z } from "zod";
import { DTYPES, ndarrayProblem, type DatasetValue, type DType, type NDArray } from "../../contract/ndarray.js";

export interface NDArrayConstraints {
  dtypes?: readonly DType[];
  /** Allowed numbers of dimensions. */
  ndim?: readonly number[];
  /** An extra rule; returns what is wrong, or undefined. */
  check?: (a: NDArray) => string | undefined;
}

/** A zod schema for one NDArray field. */
export function ndarray(c: NDArrayConstraints = {}) {
  return z.custom<NDArray>().superRefine((value, ctx) => {
    const a = value as NDArray | undefined;
    if (!a || typeof a !== "object" || !Array.isArray(a.shape) || !ArrayBuffer.isView(a.data)) {
      ctx.addIssue({ code: "custom", message: "must be an NDArray {dtype, shape, data}" });
      return;
    }
    const problem =
      ndarrayProblem(a) ??
      (c.dtypes && !c.dtypes.includes(a.dtype) ? `dtype ${a.dtype} is not allowed here; use ${c.dtypes.join(", ")}` : undefined) ??
      (c.ndim && !c.ndim.includes(a.shape.length) ? `has ${a.shape.length} dimensions [${a.shape.join(", ")}]; expected ${c.ndim.join(" or ")}` : undefined) ??
      c.check?.(a);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });
}

const IMAGE_DTYPES = ["uint8", "uint16", "float16", "float32", "float64"] as const;
const FLOATS = ["float16", "float32", "float64"] as const;
const square3 = (a: NDArray) => (a.shape[0] === 3 && a.shape[1] === 3 ? undefined : `must be 3×3, is [${a.shape.join(", ")}]`);

/** Anything: one array under `data`. */
export const GenericSchema = z.object({ data: ndarray() });

/** A 2-D image, or a colour image 3×H×W. */
export const ImageSchema = z.object({
  image: ndarray({
    dtypes: IMAGE_DTYPES,
    ndim: [2, 3],
    check: (a) => (a.shape.length === 3 && a.shape[0] !== 3 ? `a 3-D image must be 3×H×W (colour), is [${a.shape.join(", ")}]` : undefined),
  }),
  mask: ndarray().optional(),
  points: ndarray().optional(),
});

export const VolumeSchema = z.object({
  volume: ndarray({ ndim: [3] }),
  mask: ndarray().optional(),
  points: ndarray().optional(),
  stats: ndarray().optional(),
});

export const SegmentationSchema = z.object({ mask: ndarray() });

/** Text as Compox stores it; an empty list is how Compox writes "no points". */
const strings = () => z.array(z.string());

export const AlignmentSchema = z.object({
  points1: z.union([ndarray(), strings()]).optional(),
  points2: z.union([ndarray(), strings()]).optional(),
  confidence: z.union([ndarray(), strings()]).optional(),
  transform_matrix: ndarray({ dtypes: FLOATS, ndim: [2], check: square3 }),
  translation_matrix: ndarray({ dtypes: FLOATS, ndim: [2], check: square3 }),
});

export const EmbeddingSchema = z.object({
  features: ndarray(),
  input_size: ndarray({ ndim: [1] }),
  original_size: ndarray({ ndim: [1] }),
});

/** Named regions of one image: region i is `region_names[i]`, its mask `region_masks[i]` (R×H×W). */
export const MultiRegionSegmentationSchema = z
  .object({
    region_names: strings(),
    region_masks: z.union([ndarray({ ndim: [3] }), strings().max(0)]),
  })
  .superRefine((v, ctx) => {
    const count = Array.isArray(v.region_masks) ? 0 : (v.region_masks.shape[0] ?? 0);
    if (count !== v.region_names.length) ctx.addIssue({ code: "custom", path: ["region_names"], message: `Number of region names (${v.region_names.length}) must match number of region masks (${count}).` });
  });

export const MeshSchema = z.object({
  vertices: ndarray({ dtypes: FLOATS, ndim: [2], check: (a) => (a.shape[1] === 3 ? undefined : "must be N×3") }),
  faces: ndarray({ dtypes: ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32"], ndim: [2], check: (a) => (a.shape[1] === 3 ? undefined : "must be N×3") }),
});

export type DataSchema = z.ZodType<Record<string, DatasetValue | undefined>>;
export { DTYPES };
