// Phase cross-correlation with subpixel refinement by upsampled matrix-multiply DFT (Guizar-Sicairos
// et al. 2008), step for step scikit-image's `phase_cross_correlation` (normalization "phase").
import { fft2d, toComplex, type Complex } from "./fft2d.js";
import { correlateWasm } from "./fft-wasm.js";

const EPS = 2.220446049250313e-16;

/** numpy.fft.fftfreq(n, d). */
function fftfreq(n: number, d: number): Float64Array {
  const out = new Float64Array(n);
  const half = Math.floor((n - 1) / 2) + 1;
  for (let i = 0; i < n; i++) out[i] = (i < half ? i : i - n) / (d * n);
  return out;
}

/** The upsampled DFT's kernel along one axis of length n: region × n complex values. */
function dftKernel(n: number, region: number, up: number, off: number): Complex {
  const freq = fftfreq(n, up);
  const k = new Float64Array(2 * region * n);
  for (let a = 0; a < region; a++)
    for (let j = 0; j < n; j++) {
      const angle = -2 * Math.PI * (a - off) * freq[j]!;
      k[2 * (a * n + j)] = Math.cos(angle);
      k[2 * (a * n + j) + 1] = Math.sin(angle);
    }
  return k;
}

/** tmp[b, y] = Σ_x kx[b, x] · data[y, x] (region × h complex): the large product, in JavaScript. */
export function dftRowsJs(data: Complex, h: number, w: number, kx: Complex, region: number): Complex {
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
  return tmp;
}

/** Σ_y Σ_x ky[a,y] · kx[b,x] · data[y,x] over a region × region grid around `offsets`. */
function upsampledDft(c: Correlation, h: number, w: number, region: number, up: number, offsets: [number, number]): Complex {
  const kx = dftKernel(w, region, up, offsets[1]);
  const ky = dftKernel(h, region, up, offsets[0]);
  // First along x: tmp[b, y] = Σ_x kx[b, x] data[y, x]; then along y: out[a, b] = Σ_y ky[a, y] tmp[b, y].
  const tmp = c.dftRows(kx, region);
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

/**
 * What the subpixel step needs from the spectra: the peak of the cross-correlation (flat index)
 * and the upsampled DFT's large product over the conjugated cross-power spectrum.
 */
export interface Correlation {
  peak: number;
  dftRows(kx: Complex, region: number): Complex;
}

/** The cross-correlation in JavaScript (any size; fft.js + Bluestein). */
function correlateJs(reference: ArrayLike<number>, moving: ArrayLike<number>, h: number, w: number): Correlation {
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
  const peak = argmaxAbs(fft2d(product, h, w, true));
  for (let i = 1; i < product.length; i += 2) product[i] = -product[i]!;
  return { peak, dftRows: (kx, region) => dftRowsJs(product, h, w, kx, region) };
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
 * 1/`upsampleFactor` of a pixel. Power-of-two sizes run on the WebAssembly kernel where it is
 * available; other sizes, and `engine: "js"`, on the JavaScript path.
 */
export function phaseCrossCorrelation(reference: ArrayLike<number>, moving: ArrayLike<number>, h: number, w: number, upsampleFactor = 1, engine: "wasm" | "js" = "wasm"): [number, number] {
  const c = (engine === "wasm" ? correlateWasm(reference, moving, h, w, 100 * EPS) : undefined) ?? correlateJs(reference, moving, h, w);
  const peak = c.peak;
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
    const upsampled = upsampledDft(c, h, w, region, up, offsets);
    const best = argmaxAbs(upsampled);
    const maxima = [Math.floor(best / region) - dftshift, (best % region) - dftshift];
    shifts = [shifts[0] + maxima[0]! / up, shifts[1] + maxima[1]! / up];
  }
  return [h === 1 ? 0 : shifts[0], w === 1 ? 0 : shifts[1]];
}
