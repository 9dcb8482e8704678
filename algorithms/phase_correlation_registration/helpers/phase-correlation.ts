// Phase cross-correlation with subpixel refinement by upsampled matrix-multiply DFT (Guizar-Sicairos
// et al. 2008), step for step scikit-image's `phase_cross_correlation` (normalization "phase").
import { fft2d, toComplex, type Complex } from "./fft2d.js";

const EPS = 2.220446049250313e-16;

/** numpy.fft.fftfreq(n, d). */
function fftfreq(n: number, d: number): Float64Array {
  const out = new Float64Array(n);
  const half = Math.floor((n - 1) / 2) + 1;
  for (let i = 0; i < n; i++) out[i] = (i < half ? i : i - n) / (d * n);
  return out;
}

/** Σ_y Σ_x ky[a,y] · kx[b,x] · data[y,x] over a region × region grid around `offsets`. */
function upsampledDft(data: Complex, h: number, w: number, region: number, up: number, offsets: [number, number]): Complex {
  const kernel = (n: number, off: number) => {
    const freq = fftfreq(n, up);
    const k = new Float64Array(2 * region * n);
    for (let a = 0; a < region; a++)
      for (let j = 0; j < n; j++) {
        const angle = -2 * Math.PI * (a - off) * freq[j]!;
        k[2 * (a * n + j)] = Math.cos(angle);
        k[2 * (a * n + j) + 1] = Math.sin(angle);
      }
    return k;
  };
  const kx = kernel(w, offsets[1]);
  const ky = kernel(h, offsets[0]);
  // First along x: tmp[b, y] = Σ_x kx[b, x] data[y, x]; then along y: out[a, b] = Σ_y ky[a, y] tmp[b, y].
  // Real and imaginary parts in separate arrays keep the hot loop to plain strided reads.
  const n = h * w;
  const dRe = new Float64Array(n);
  const dIm = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    dRe[i] = data[2 * i]!;
    dIm[i] = data[2 * i + 1]!;
  }
  const tmp = new Float64Array(2 * region * h);
  const kRe = new Float64Array(w);
  const kIm = new Float64Array(w);
  for (let b = 0; b < region; b++) {
    for (let x = 0; x < w; x++) {
      kRe[x] = kx[2 * (b * w + x)]!;
      kIm[x] = kx[2 * (b * w + x) + 1]!;
    }
    for (let y = 0; y < h; y++) {
      const o = y * w;
      let re = 0;
      let im = 0;
      for (let x = 0; x < w; x++) {
        const kr = kRe[x]!;
        const ki = kIm[x]!;
        const dr = dRe[o + x]!;
        const di = dIm[o + x]!;
        re += kr * dr - ki * di;
        im += kr * di + ki * dr;
      }
      tmp[2 * (b * h + y)] = re;
      tmp[2 * (b * h + y) + 1] = im;
    }
  }
  const out = new Float64Array(2 * region * region);
  for (let a = 0; a < region; a++)
    for (let b = 0; b < region; b++) {
      let re = 0, im = 0;
      for (let y = 0; y < h; y++) {
        const kr = ky[2 * (a * h + y)]!, ki = ky[2 * (a * h + y) + 1]!, tr = tmp[2 * (b * h + y)]!, ti = tmp[2 * (b * h + y) + 1]!;
        re += kr * tr - ki * ti;
        im += kr * ti + ki * tr;
      }
      out[2 * (a * region + b)] = re;
      out[2 * (a * region + b) + 1] = im;
    }
  return out;
}

function argmaxAbs(c: Complex): number {
  let best = 0;
  let bestV = -1;
  for (let i = 0; i < c.length / 2; i++) {
    const re = c[2 * i]!;
    const im = c[2 * i + 1]!;
    const v = re * re + im * im; // argmax of |c|² is argmax of |c|
    if (v > bestV) {
      bestV = v;
      best = i;
    }
  }
  return best;
}

/**
 * The (row, column) shift that registers `moving` onto `reference` (both h×w), to
 * 1/`upsampleFactor` of a pixel.
 */
export function phaseCrossCorrelation(reference: ArrayLike<number>, moving: ArrayLike<number>, h: number, w: number, upsampleFactor = 1): [number, number] {
  const src = fft2d(toComplex(reference), h, w);
  const target = fft2d(toComplex(moving), h, w);
  const product = new Float64Array(src.length);
  for (let i = 0; i < src.length; i += 2) {
    const ar = src[i]!, ai = src[i + 1]!, br = target[i]!, bi = -target[i + 1]!;
    const re = ar * br - ai * bi;
    const im = ar * bi + ai * br;
    const mag = Math.max(Math.sqrt(re * re + im * im), 100 * EPS);
    product[i] = re / mag;
    product[i + 1] = im / mag;
  }
  const cc = fft2d(product, h, w, true);
  const peak = argmaxAbs(cc);
  const shape = [h, w];
  let shifts = [Math.floor(peak / w), peak % w].map((s, ax) => (s > Math.trunc(shape[ax]! / 2) ? s - shape[ax]! : s)) as [number, number];
  if (upsampleFactor > 1) {
    const up = upsampleFactor;
    // NumPy rounds half to even.
    const roundHalfEven = (x: number) => {
      const r = Math.round(x);
      return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
    };
    shifts = shifts.map((s) => roundHalfEven(s * up) / up) as [number, number];
    const region = Math.ceil(up * 1.5);
    const dftshift = Math.trunc(region / 2);
    const offsets = shifts.map((s) => dftshift - s * up) as [number, number];
    const conj = Float64Array.from(product);
    for (let i = 1; i < conj.length; i += 2) conj[i] = -conj[i]!;
    const upsampled = upsampledDft(conj, h, w, region, up, offsets);
    const best = argmaxAbs(upsampled);
    const maxima = [Math.floor(best / region) - dftshift, (best % region) - dftshift];
    shifts = [shifts[0] + maxima[0]! / up, shifts[1] + maxima[1]! / up];
  }
  return [h === 1 ? 0 : shifts[0], w === 1 ? 0 : shifts[1]];
}
