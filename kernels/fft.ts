// AssemblyScript: the float64 FFT work of phase cross-correlation — power-of-two 2-D complex FFTs
// (rows in place, then columns batched across a strip of columns so every butterfly streams
// contiguous memory), the cross-power spectrum of two real images packed into one complex
// transform, and the upsampled DFT's large matrix product. Compiled by scripts/build-kernels.mjs
// into algorithms/phase_correlation_registration/helpers/fft-kernel.wasm.ts; driven by
// helpers/fft-wasm.ts. A complex number is one v128 [re, im]; pointers are byte offsets.
//
// Twiddle tables are written by the caller (Math.cos/sin in float64): for a length n, entry k < n/2
// holds two vectors, [c, c] and [−s, s] for w = c + i·s, so b·w = b·[c, c] + swap(b)·[−s, s].

@inline function cmul(b: v128, wc: v128, ws: v128): v128 {
  return f64x2.add(f64x2.mul(b, wc), f64x2.mul(v128.shuffle<f64>(b, b, 1, 0), ws));
}

/** Swaps the 16-byte elements i and bitreverse(i) of `n` elements spaced `stride` bytes apart, `bytes` bytes each. */
function bitReverse(p: usize, n: i32, stride: usize, bytes: usize): void {
  let j = 0;
  for (let i = 0; i < n - 1; i++) {
    if (i < j) {
      const a = p + <usize>i * stride;
      const b = p + <usize>j * stride;
      for (let o: usize = 0; o < bytes; o += 16) {
        const t = v128.load(a + o);
        v128.store(a + o, v128.load(b + o));
        v128.store(b + o, t);
      }
    }
    let m = n >> 1;
    while (m >= 1 && (j & m) != 0) {
      j ^= m;
      m >>= 1;
    }
    j |= m;
  }
}

// Stages go in pairs (radix 2²): one pass over the data does the butterflies of sizes 2m and 4m,
// with twiddles w(2m)^j, w(4m)^j and w(4m)^(j+m), all entries of the length-n table. A length of
// an odd power of two starts with one plain radix-2 stage.

/** The two stages' butterflies on the four values q, q + mb, q + 2mb, q + 3mb, in place. */
@inline function butterfly4(q: usize, mb: usize, w1c: v128, w1s: v128, w2c: v128, w2s: v128, w3c: v128, w3s: v128): void {
  const a0 = v128.load(q);
  const a1 = cmul(v128.load(q + mb), w1c, w1s);
  const a2 = v128.load(q + 2 * mb);
  const a3 = cmul(v128.load(q + 3 * mb), w1c, w1s);
  const b0 = f64x2.add(a0, a1);
  const b1 = f64x2.sub(a0, a1);
  const c2 = cmul(f64x2.add(a2, a3), w2c, w2s);
  const c3 = cmul(f64x2.sub(a2, a3), w3c, w3s);
  v128.store(q, f64x2.add(b0, c2));
  v128.store(q + 2 * mb, f64x2.sub(b0, c2));
  v128.store(q + mb, f64x2.add(b1, c3));
  v128.store(q + 3 * mb, f64x2.sub(b1, c3));
}

/** In-place FFT of each of `rows` rows of n complex values (n a power of two; table for n). */
export function fftRows(p: usize, rows: i32, n: i32, tw: usize): void {
  const rowBytes = <usize>n << 4;
  for (let r = 0; r < rows; r++) {
    const row = p + <usize>r * rowBytes;
    bitReverse(row, n, 16, 16);
    let m = 1;
    if ((ctz(n) & 1) != 0) {
      // size-2 stage: twiddle 1
      for (let a = row; a < row + rowBytes; a += 32) {
        const x = v128.load(a);
        const y = v128.load(a, 16);
        v128.store(a, f64x2.add(x, y));
        v128.store(a, f64x2.sub(x, y), 16);
      }
      m = 2;
    }
    for (; m * 4 <= n; m <<= 2) {
      const step1 = <usize>(n / (2 * m)) << 5;
      const step2 = <usize>(n / (4 * m)) << 5;
      const mb = <usize>m << 4;
      for (let g = 0; g < n; g += 4 * m) {
        let a = row + (<usize>g << 4);
        let t1 = tw;
        let t2 = tw;
        let t3 = tw + <usize>m * step2;
        for (let j = 0; j < m; j++) {
          butterfly4(a, mb, v128.load(t1), v128.load(t1, 16), v128.load(t2), v128.load(t2, 16), v128.load(t3), v128.load(t3, 16));
          a += 16;
          t1 += step1;
          t2 += step2;
          t3 += step2;
        }
      }
    }
  }
}

/** In-place FFT along columns [c0, c1) of an h×w complex array (h a power of two; table for h):
 * threads take disjoint column ranges. */
export function fftCols(p: usize, h: i32, w: i32, tw: usize, c0: i32, c1: i32): void {
  const rowBytes = <usize>w << 4;
  bitReverse(p + (<usize>c0 << 4), h, rowBytes, <usize>(c1 - c0) << 4);
  // A strip of columns through all stages stays in cache (64 columns × 1024 rows = 1 MB).
  const STRIP = 64;
  for (let x0 = c0; x0 < c1; x0 += STRIP) {
    const span = <usize>min(STRIP, c1 - x0) << 4;
    const base = p + (<usize>x0 << 4);
    let m = 1;
    if ((ctz(h) & 1) != 0) {
      for (let y = 0; y < h; y += 2) {
        const a = base + <usize>y * rowBytes;
        for (let o: usize = 0; o < span; o += 16) {
          const x = v128.load(a + o);
          const v = v128.load(a + rowBytes + o);
          v128.store(a + o, f64x2.add(x, v));
          v128.store(a + rowBytes + o, f64x2.sub(x, v));
        }
      }
      m = 2;
    }
    for (; m * 4 <= h; m <<= 2) {
      const step1 = <usize>(h / (2 * m)) << 5;
      const step2 = <usize>(h / (4 * m)) << 5;
      const mb = <usize>m * rowBytes;
      for (let g = 0; g < h; g += 4 * m) {
        let t1 = tw;
        let t2 = tw;
        let t3 = tw + <usize>m * step2;
        for (let j = 0; j < m; j++) {
          const w1c = v128.load(t1);
          const w1s = v128.load(t1, 16);
          const w2c = v128.load(t2);
          const w2s = v128.load(t2, 16);
          const w3c = v128.load(t3);
          const w3s = v128.load(t3, 16);
          const a = base + <usize>(g + j) * rowBytes;
          for (let o: usize = 0; o < span; o += 16) butterfly4(a + o, mb, w1c, w1s, w2c, w2s, w3c, w3s);
          t1 += step1;
          t2 += step2;
          t3 += step2;
        }
      }
    }
  }
}

/**
 * z = FFT(a + i·b) of two real h×w images → out = A·conj(B) / max(|A·conj(B)|, floor), with
 * A[k] = (z[k] + conj(z[−k]))/2 and B[k] = (z[k] − conj(z[−k]))/(2i): two real transforms for
 * the price of one complex one. Written conjugated, as the upsampled DFT wants it; and since
 * |FFT(conj p)| = n·|IFFT(p)|, a forward transform of it finds the cross-correlation's peak.
 * Written twice, to `out` and `copy` (the copy is transformed in place, `out` kept for the
 * upsampled DFT), for rows [y0, y1): threads take disjoint row ranges (z is only read).
 */
export function crossPower(z: usize, out: usize, copy: usize, h: i32, w: i32, floor: f64, y0: i32, y1: i32): void {
  for (let y = y0; y < y1; y++) {
    const ny = y == 0 ? 0 : h - y;
    for (let x = 0; x < w; x++) {
      const nx = x == 0 ? 0 : w - x;
      const p = z + (<usize>(y * w + x) << 4);
      const q = z + (<usize>(ny * w + nx) << 4);
      const zr = load<f64>(p);
      const zi = load<f64>(p, 8);
      const cr = load<f64>(q);
      const ci = -load<f64>(q, 8);
      const ar = (zr + cr) * 0.5;
      const ai = (zi + ci) * 0.5;
      // (z − conj(z[−k])) / (2i) = (d_i − i·d_r) / 2 for d = z − conj(z[−k])
      const br = (zi - ci) * 0.5;
      const bi = -(zr - cr) * 0.5;
      // A · conj(B)
      const re = ar * br + ai * bi;
      const im = ai * br - ar * bi;
      const mag = max(Math.sqrt(re * re + im * im), floor);
      const at = <usize>(y * w + x) << 4;
      store<f64>(out + at, re / mag);
      store<f64>(out + at, -im / mag, 8);
      store<f64>(copy + at, re / mag);
      store<f64>(copy + at, -im / mag, 8);
    }
  }
}

/**
 * tmp[b, y] = Σ_x k[b, x] · d[y, x] for b < region, y < h: the upsampled DFT's first, large
 * product (d: h × w complex, tmp: region × h complex). Each kernel entry is stored as two
 * vectors, [kr, kr] and [ki, ki], so the inner loop needs no lane moves. For data rows
 * [y0, y1): threads take disjoint ranges.
 */
export function dftRows(d: usize, k: usize, tmp: usize, h: i32, w: i32, region: i32, y0: i32, y1: i32): void {
  const rowBytes = <usize>w << 4;
  const kRowBytes = <usize>w << 5;
  for (let y = y0; y < y1; y++) {
    const row = d + <usize>y * rowBytes;
    // Two kernel rows per pass over the data row: each data load serves both.
    for (let b = 0; b < region; b += 2) {
      const two = b + 1 < region;
      const k0 = k + <usize>b * kRowBytes;
      const k1 = two ? k0 + kRowBytes : k0;
      let re0 = f64x2.splat(0);
      let im0 = f64x2.splat(0);
      let re1 = f64x2.splat(0);
      let im1 = f64x2.splat(0);
      let kk: usize = 0;
      for (let o: usize = 0; o < rowBytes; o += 16) {
        const v = v128.load(row + o);
        const s = v128.shuffle<f64>(v, v, 1, 0);
        // (kr + i·ki)(dr + i·di): lanes [kr·dr, kr·di] and [ki·di, ki·dr]
        re0 = f64x2.add(re0, f64x2.mul(v, v128.load(k0 + kk)));
        im0 = f64x2.add(im0, f64x2.mul(s, v128.load(k0 + kk, 16)));
        re1 = f64x2.add(re1, f64x2.mul(v, v128.load(k1 + kk)));
        im1 = f64x2.add(im1, f64x2.mul(s, v128.load(k1 + kk, 16)));
        kk += 32;
      }
      const o0 = tmp + (<usize>(b * h + y) << 4);
      store<f64>(o0, f64x2.extract_lane(re0, 0) - f64x2.extract_lane(im0, 0));
      store<f64>(o0, f64x2.extract_lane(re0, 1) + f64x2.extract_lane(im0, 1), 8);
      if (two) {
        const o1 = tmp + (<usize>((b + 1) * h + y) << 4);
        store<f64>(o1, f64x2.extract_lane(re1, 0) - f64x2.extract_lane(im1, 0));
        store<f64>(o1, f64x2.extract_lane(re1, 1) + f64x2.extract_lane(im1, 1), 8);
      }
    }
  }
}
