// AssemblyScript, shared by the kernels that need it: the minimum and maximum of float32 values
// (NaN skipped, as the JavaScript paths' comparisons skip it).

let MIN: f32 = 0;
let MAX: f32 = 0;

/** Minimum and maximum of float32 values, NaN skipped (as the JavaScript path does); read with lo() and hi(). */
export function minMaxF32(src: usize, n: i32): void {
  let lo = f32x4.splat(Infinity);
  let hi = f32x4.splat(-Infinity);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(src + (<usize>i << 2));
    lo = f32x4.pmin(lo, v); // v < lo ? v : lo
    hi = f32x4.pmax(hi, v); // hi < v ? v : hi
  }
  let l = Mathf.min(Mathf.min(f32x4.extract_lane(lo, 0), f32x4.extract_lane(lo, 1)), Mathf.min(f32x4.extract_lane(lo, 2), f32x4.extract_lane(lo, 3)));
  let h = Mathf.max(Mathf.max(f32x4.extract_lane(hi, 0), f32x4.extract_lane(hi, 1)), Mathf.max(f32x4.extract_lane(hi, 2), f32x4.extract_lane(hi, 3)));
  // (lanes never hold NaN: they start at ±Infinity and only take values that compared)
  for (; i < n; i++) {
    const v = load<f32>(src + (<usize>i << 2));
    if (v < l) l = v;
    if (v > h) h = v;
  }
  MIN = l;
  MAX = h;
}

export function lo(): f32 {
  return MIN;
}

export function hi(): f32 {
  return MAX;
}
