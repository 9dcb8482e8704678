import { Image2ImageRunner, halfToFloat, type Args, type NDArray } from "compox";
import { denoiseTvChambolle } from "./helpers/chambolle.js";
import { minMaxScale, minMaxScaleInPlace } from "./helpers/normalize.js";

/** TV denoising of each image of the stack (or of the stack as one volume). */
export class Runner extends Image2ImageRunner {
  override async inference(images: NDArray, args: Args): Promise<NDArray> {
    const weight = Number(args.denoising_weight);
    const maxNumIter = Number(args.max_num_iter);
    const eps = Number(args.eps);
    const [n = 1, ...inner] = images.shape;
    // Each iteration checks for a stop (it reaches this synchronous loop) and reports progress, so
    // even one large image moves the bar; done ones count whole.
    const progressFrom = (done: number, of: number) => (i: number) => this.setProgress((done + (i + 1) / maxNumIter) / of);
    const volume = Boolean(args.volumetric) && inner.length === 2;
    // A colour image (3×H×W) is denoised per channel, as skimage does with a channel axis.
    const planes = volume ? 1 : inner.length === 3 ? inner[0]! : 1;
    const planeShape = volume ? images.shape : inner.length === 3 ? inner.slice(1) : inner;
    if (volume) this.logMessage(`denoising a ${n}×${inner.join("×")} volume, weight ${weight}`);
    // The scaling is over the whole stack: where one call denoises all of it, the kernel scales
    // its own copies (float32 data needs no conversion first).
    if ((volume || n * planes === 1) && images.dtype === "float32") {
      const out = denoiseTvChambolle(images.data as Float32Array, planeShape, { weight, eps, maxNumIter, onIteration: progressFrom(0, 1), scale01: true });
      this.setProgress(1);
      // Copied out of a volume's: its result is a view of the kernel's whole memory (5× the volume).
      return { dtype: "float32", shape: [...images.shape], data: volume ? new Float32Array(out) : out };
    }
    const values = images.dtype === "float16" ? Float32Array.from(images.data as Uint16Array, halfToFloat) : (images.data as ArrayLike<number>);
    const scaled = minMaxScale(values);
    if (volume) return { dtype: "float32", shape: [...images.shape], data: minMaxScaleInPlace(new Float32Array(denoiseTvChambolle(scaled, planeShape, { weight, eps, maxNumIter, onIteration: progressFrom(0, 1) }))) };
    const result = new Float32Array(scaled.length);
    const per = planeShape.reduce((a, b) => a * b, 1);
    for (let k = 0; k < n; k++) {
      for (let c = 0; c < planes; c++) {
        const offset = (k * planes + c) * per;
        result.set(denoiseTvChambolle(scaled.subarray(offset, offset + per), planeShape, { weight, eps, maxNumIter, onIteration: progressFrom(k * planes + c, n * planes) }), offset);
      }
      this.logMessage(`image ${k + 1} of ${n} denoised`);
      this.setProgress((k + 1) / n);
    }
    return { dtype: "float32", shape: [...images.shape], data: minMaxScaleInPlace(result) };
  }
}
