// 2-D complex FFTs of any size on top of fft.js (a fast radix-4 FFT for powers of two): other
// lengths go through Bluestein's chirp-z transform, itself three power-of-two FFTs.
import FFT from "fft.js";

/** Interleaved complex data: [re0, im0, re1, im1, …]. */
export type Complex = Float64Array;

const nextPow2 = (n: number) => 2 ** Math.ceil(Math.log2(Math.max(2, n)));

/** A 1-D transform of length n (forward, unnormalized; inverse scaled by 1/n like NumPy). */
export class Fft1d {
  private readonly fft: FFT;
  private readonly direct: boolean;
  private readonly m: number;
  private chirp?: Float64Array;
  private chirpFft?: Complex;
  private readonly a: Complex;
  private readonly b: Complex;

  constructor(readonly n: number) {
    this.direct = n >= 2 && (n & (n - 1)) === 0;
    this.m = this.direct ? n : nextPow2(2 * n - 1);
    this.fft = new FFT(this.m);
    this.a = new Float64Array(2 * this.m);
    this.b = new Float64Array(2 * n);
    if (!this.direct) this.prepareChirp();
  }

  /** Transforms `data` (interleaved, length 2n) into `out`. */
  forward(data: Complex, out: Complex): void {
    if (this.n === 1) {
      out[0] = data[0]!;
      out[1] = data[1]!;
    } else if (this.direct) this.fft.transform(out, data);
    else this.bluestein(data, out);
  }

  /** Inverse transform, scaled by 1/n. */
  inverse(data: Complex, out: Complex): void {
    const n = this.n;
    // ifft(x) = conj(fft(conj(x))) / n
    for (let i = 0; i < 2 * n; i++) this.b[i] = i & 1 ? -data[i]! : data[i]!;
    const tmp = new Float64Array(2 * n);
    this.forward(this.b, tmp);
    for (let i = 0; i < n; i++) {
      out[2 * i] = tmp[2 * i]! / n;
      out[2 * i + 1] = -tmp[2 * i + 1]! / n;
    }
  }

  private prepareChirp(): void {
    const { n, m } = this;
    const chirp = new Float64Array(2 * n); // w_k = exp(-iπ k²/n)
    for (let k = 0; k < n; k++) {
      const angle = (Math.PI * ((k * k) % (2 * n))) / n;
      chirp[2 * k] = Math.cos(angle);
      chirp[2 * k + 1] = -Math.sin(angle);
    }
    const b = new Float64Array(2 * m);
    for (let k = 0; k < n; k++) {
      b[2 * k] = chirp[2 * k]!;
      b[2 * k + 1] = -chirp[2 * k + 1]!;
      if (k > 0) {
        b[2 * (m - k)] = chirp[2 * k]!;
        b[2 * (m - k) + 1] = -chirp[2 * k + 1]!;
      }
    }
    this.chirp = chirp;
    this.chirpFft = new Float64Array(2 * m);
    this.fft.transform(this.chirpFft, b);
  }

  private bluestein(data: Complex, out: Complex): void {
    const { n, m, a } = this;
    const chirp = this.chirp as Float64Array;
    a.fill(0);
    multiplyInto(a, data, chirp, n);
    const fa = new Float64Array(2 * m);
    this.fft.transform(fa, a);
    multiplyInto(fa, fa, this.chirpFft as Complex, m);
    const conv = new Float64Array(2 * m);
    this.fft.inverseTransform(conv, fa);
    multiplyInto(out, conv, chirp, n);
  }
}

/** out[k] = x[k] · y[k] for the first n complex values (out may be x). */
function multiplyInto(out: Complex, x: Complex, y: Complex, n: number): void {
  for (let k = 0; k < n; k++) {
    const xr = x[2 * k]!, xi = x[2 * k + 1]!, yr = y[2 * k]!, yi = y[2 * k + 1]!;
    out[2 * k] = xr * yr - xi * yi;
    out[2 * k + 1] = xr * yi + xi * yr;
  }
}

/** 2-D FFT of an h×w complex array (rows, then columns); `inverse` scales by 1/(h·w). */
export function fft2d(data: Complex, h: number, w: number, inverse = false): Complex {
  const rows = new Fft1d(w);
  const cols = new Fft1d(h);
  const out = new Float64Array(2 * h * w);
  const line = new Float64Array(2 * Math.max(h, w));
  const res = new Float64Array(2 * Math.max(h, w));
  for (let y = 0; y < h; y++) {
    const src = data.subarray(2 * y * w, 2 * (y + 1) * w);
    const dst = out.subarray(2 * y * w, 2 * (y + 1) * w);
    if (inverse) rows.inverse(src, dst);
    else rows.forward(src, dst);
  }
  for (let x = 0; x < w; x++) {
    for (let y = 0; y < h; y++) {
      line[2 * y] = out[2 * (y * w + x)]!;
      line[2 * y + 1] = out[2 * (y * w + x) + 1]!;
    }
    if (inverse) cols.inverse(line.subarray(0, 2 * h), res);
    else cols.forward(line.subarray(0, 2 * h), res);
    for (let y = 0; y < h; y++) {
      out[2 * (y * w + x)] = res[2 * y]!;
      out[2 * (y * w + x) + 1] = res[2 * y + 1]!;
    }
  }
  return out;
}

/** Real image → interleaved complex. */
export function toComplex(image: ArrayLike<number>): Complex {
  const out = new Float64Array(2 * image.length);
  for (let i = 0; i < image.length; i++) out[2 * i] = image[i]!;
  return out;
}
