// Stacking and splitting on axis 0: what the typed runners' default pre/post-processing does.
import { TYPED_ARRAY, sizeOf, type NDArray, type TypedArray } from "../../contract/ndarray.js";

/** Stacks arrays of one dtype and shape into a new leading axis. */
export function stack(arrays: readonly NDArray[]): NDArray {
  const first = arrays[0];
  if (!first) throw new Error("nothing to stack: no input datasets");
  for (const [i, a] of arrays.entries()) {
    if (a.dtype !== first.dtype || a.shape.join("x") !== first.shape.join("x"))
      throw new Error(`input ${i + 1} is ${a.dtype} [${a.shape.join(", ")}] but input 1 is ${first.dtype} [${first.shape.join(", ")}]; all inputs must share dtype and shape to be stacked`);
  }
  const n = sizeOf(first.shape);
  const data = new TYPED_ARRAY[first.dtype](n * arrays.length) as TypedArray;
  arrays.forEach((a, i) => (data as Uint8Array).set(a.data as Uint8Array, i * n));
  return { dtype: first.dtype, shape: [arrays.length, ...first.shape], data };
}

/** Splits an array on axis 0 into `count` arrays (views, not copies). */
export function split(array: NDArray, count: number, what = "output"): NDArray[] {
  if (!array || !Array.isArray(array.shape) || !ArrayBuffer.isView(array.data))
    throw new Error(`inference must return an NDArray {dtype, shape, data}; got ${typeof array}`);
  if (array.shape[0] !== count)
    throw new Error(`inference returned ${array.shape[0] ?? 0} ${what}s (shape [${array.shape.join(", ")}]) for ${count} inputs; the default postprocess splits axis 0 and needs exactly one per input`);
  const inner = array.shape.slice(1);
  const n = sizeOf(inner);
  return Array.from({ length: count }, (_, i) => ({ dtype: array.dtype, shape: [...inner], data: array.data.subarray(i * n, (i + 1) * n) as TypedArray }));
}
