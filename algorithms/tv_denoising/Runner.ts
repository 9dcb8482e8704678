import { Image2ImageRunner, halfToFloat, type Args, type NDArray } from "compox";
import { denoiseTvChambolle } from "./helpers/chambolle.js";
import { minMaxScale, minMaxScaleInPlace } from "./helpers/normalize.js";

/** TV denoising of each image of the stack (or of the stack as one volume). */
export class Runner extends Image2ImageRunner {
  override async inference(images: NDArray, args: Args): Promise<NDArray> {
    const weight = Number(args.denoising_weight);
    const maxNumIter = Number(args.max_num_iter);
    const eps = Number(args.eps);
    const values = images.dtype === "float16" ? Float32Array.from(images.data as Uint16Array, halfToFloat) : (images.data as ArrayLike<number>);
    const scaled = minMaxScale(values);
    const [n = 1, ...inner] = images.shape;
    let result: Float32Array = new Float32Array(0);
    // Each iteration checks for a stop (it reaches this synchronous loop) and reports progress, so
    // even one large image moves the bar; done ones count whole.
    const progressFrom = (done: number, of: number) => (i: number) => this.setProgress((done + (i + 1) / maxNumIter) / of);
    if (args.volumetric && inner.length === 2) {
      this.logMessage(`denoising a ${n}×${inner.join("×")} volume, weight ${weight}`);
      // Copied out: a large volume's result is a view of the kernel's whole memory (5× the volume).
      result = new Float32Array(denoiseTvChambolle(scaled, images.shape, { weight, eps, maxNumIter, onIteration: progressFrom(0, 1) }));
    } else {
      // A colour image (3×H×W) is denoised per channel, as skimage does with a channel axis.
      const planes = inner.length === 3 ? inner[0]! : 1;
      const planeShape = inner.length === 3 ? inner.slice(1) : inner;
      const per = planeShape.reduce((a, b) => a * b, 1);
      const one = n * planes === 1;
      if (!one) result = new Float32Array(scaled.length);
      for (let k = 0; k < n; k++) {
        for (let c = 0; c < planes; c++) {
          const offset = (k * planes + c) * per;
          const onIteration = progressFrom(k * planes + c, n * planes);
          const denoised = denoiseTvChambolle(scaled.subarray(offset, offset + per), planeShape, { weight, eps, maxNumIter, onIteration });
          if (one) result = denoised; // one image: its own array, not copied
          else result.set(denoised, offset);
        }
        this.logMessage(`image ${k + 1} of ${n} denoised`);
        this.setProgress((k + 1) / n);
      }
    }
    return { dtype: "float32", shape: [...images.shape], data: minMaxScaleInPlace(result) };
  }
}
