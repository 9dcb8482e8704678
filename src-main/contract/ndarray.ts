// N-dimensional arrays as runners see them: row-major, the same layout as NumPy and HDF5.

export const DTYPES = ["uint8", "int8", "uint16", "int16", "uint32", "int32", "int64", "float16", "float32", "float64", "bool"] as const;
export type DType = (typeof DTYPES)[number];

export type TypedArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | BigInt64Array | Float32Array | Float64Array;

/** The physical size of one pixel along x and y, in `unit` (µm, nm, mm, …): what a scale bar shows. */
export interface PixelSize {
  x: number;
  y: number;
  unit: string;
}

export interface NDArray {
  dtype: DType;
  shape: number[];
  data: TypedArray;
  /** The physical pixel size of its last two axes, when known (read from a TIFF or OME-TIFF at import, kept in the file). */
  pixel_size?: PixelSize;
}

/** A value of a dataset item: an array, or text as Compox 3.2 stores names (a string or a list). */
export type DatasetValue = NDArray | string | string[];

/** The typed array that holds each dtype (float16 as raw IEEE half bits, bool as 0/1 bytes). */
export const TYPED_ARRAY = {
  uint8: Uint8Array,
  int8: Int8Array,
  uint16: Uint16Array,
  int16: Int16Array,
  uint32: Uint32Array,
  int32: Int32Array,
  int64: BigInt64Array,
  float16: Uint16Array,
  float32: Float32Array,
  float64: Float64Array,
  bool: Uint8Array,
} as const;

/** Number of elements of a shape (1 for a scalar's []). */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Does `data` have the container and length that `dtype` and `shape` require? */
export function ndarrayProblem(a: NDArray): string | undefined {
  const ctor = TYPED_ARRAY[a.dtype];
  if (!ctor) return `unknown dtype "${a.dtype}"; use one of ${DTYPES.join(", ")}`;
  if (!(a.data instanceof ctor)) return `dtype ${a.dtype} needs a ${ctor.name}, got ${a.data?.constructor?.name ?? typeof a.data}`;
  if (!a.shape.every((d) => Number.isInteger(d) && d >= 0)) return `shape [${a.shape.join(", ")}] must be whole numbers ≥ 0`;
  if (a.data.length !== sizeOf(a.shape)) return `shape [${a.shape.join(", ")}] needs ${sizeOf(a.shape)} elements, data has ${a.data.length}`;
  return undefined;
}

/** Creates a zero-filled array. */
export function zeros(dtype: DType, shape: readonly number[]): NDArray {
  return { dtype, shape: [...shape], data: new TYPED_ARRAY[dtype](sizeOf(shape)) };
}
