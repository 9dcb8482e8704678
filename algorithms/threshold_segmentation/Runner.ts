import { Image2SegmentationRunner, halfToFloat, type Args, type NDArray } from "compox";
import { thresholdLocal } from "./helpers/local-threshold.js";
import { ImageStats, METHODS, thresholdOf, type Method } from "./helpers/thresholds.js";

/** One threshold per image (or per pixel for "local"); mask = image > threshold. */
export class Runner extends Image2SegmentationRunner {
  override async inference(images: NDArray, args: Args): Promise<NDArray> {
    const method = String(args.thresholding_algorithm) as Method;
    if (!METHODS.includes(method)) throw new Error(`unknown thresholding_algorithm "${method}"; use one of ${METHODS.join(", ")}`);
    const [n = 1, ...inner] = images.shape;
    const per = inner.reduce((a, b) => a * b, 1);
    const integer = !images.dtype.startsWith("float");
    const values = images.dtype === "float16" ? Float32Array.from(images.data as Uint16Array, halfToFloat) : (images.data as ArrayLike<number>);
    const float32 = images.dtype === "float32" || images.dtype === "float16";
    const mask = new Uint8Array(images.data.length);
    for (let k = 0; k < n; k++) {
      const image = (values as Float32Array).subarray(k * per, (k + 1) * per);
      if (method === "local") {
        if (inner.length !== 2) throw new Error("the local method needs 2-D images");
        const t = thresholdLocal(image, inner[0]!, inner[1]!, Number(args.block_size), Number(args.offset));
        for (let i = 0; i < per; i++) mask[k * per + i] = image[i]! > t[i]! ? 1 : 0;
        this.logMessage(`image ${k + 1} of ${n}: local threshold, block ${args.block_size}`);
      } else {
        const stats = new ImageStats(image, integer, float32);
        const t = thresholdOf(method, stats);
        stats.maskAbove(t, mask.subarray(k * per, (k + 1) * per));
        this.logMessage(`image ${k + 1} of ${n}: ${method} threshold ${t}`);
      }
      this.setProgress((k + 1) / n);
      this.checkStop();
    }
    return { dtype: "uint8", shape: [...images.shape], data: mask };
  }
}
