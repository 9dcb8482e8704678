import { Image2AlignmentRunner, halfToFloat, type Args, type NDArray } from "compox";
import { phaseCrossCorrelation } from "./helpers/phase-correlation.js";

/** N images in → N−1 translation homographies, each mapping image k onto image k−1. */
export class Runner extends Image2AlignmentRunner {
  override async inference(images: NDArray, args: Args): Promise<NDArray> {
    const [n = 0, h = 0, w = 0] = images.shape;
    if (images.shape.length !== 3) throw new Error(`registration needs grey 2-D images, got a stack of shape [${images.shape.join(", ")}]`);
    if (n < 2) throw new Error("registration needs at least two images");
    const up = Number(args.upsample_factor);
    const values = images.dtype === "float16" ? Float32Array.from(images.data as Uint16Array, halfToFloat) : (images.data as ArrayLike<number>);
    const per = h * w;
    const out = new Float64Array((n - 1) * 9);
    for (let k = 1; k < n; k++) {
      const reference = (values as Float32Array).subarray((k - 1) * per, k * per);
      const moving = (values as Float32Array).subarray(k * per, (k + 1) * per);
      const [dy, dx] = phaseCrossCorrelation(reference, moving, h, w, up);
      out.set([1, 0, dx, 0, 1, dy, 0, 0, 1], (k - 1) * 9);
      this.logMessage(`image ${k + 1} → ${k}: shift (x ${dx.toFixed(3)}, y ${dy.toFixed(3)}) px`);
      this.setProgress(k / (n - 1));
      this.checkStop();
    }
    return { dtype: "float64", shape: [n - 1, 3, 3], data: out };
  }
}
