import { Image2ImageRunner, halfToFloat, type Args, type NDArray } from "compox";
import type { InferenceSession } from "onnxruntime-node";
import { createSession, runPlane } from "./helpers/session.js";
import { cut, paste, tiles } from "./helpers/tiling.js";

/** Values of each dtype scaled to the model's 0–1 range (floats are taken as they are). */
const SCALE: Record<string, number> = { uint8: 255, uint16: 65535, int8: 127, int16: 32767, uint32: 4294967295, int32: 2147483647 };

/** A small CNN denoiser run with onnxruntime, tile by tile with overlap. */
export class Runner extends Image2ImageRunner {
  session!: InferenceSession;

  override async loadAssets(): Promise<void> {
    const { session, provider, warning } = await createSession(await this.fetchAsset("files/model.onnx"), this.device);
    this.session = session;
    if (warning) this.logMessage(warning, "WARNING");
    this.logMessage(`model loaded on ${provider}`);
  }

  override async inference(images: NDArray, args: Args): Promise<NDArray> {
    const [n = 1, ...inner] = images.shape;
    if (inner.length !== 2) throw new Error(`the ONNX denoiser takes grey 2-D images, got images of shape [${inner.join(", ")}]`);
    const [h, w] = inner as [number, number];
    const scale = SCALE[images.dtype] ?? 1;
    const per = h * w;
    const out = new Float32Array(n * per);
    const size = Number(args.tile_size);
    const margin = Number(args.tile_overlap);
    const all = tiles(h, w, size, margin);
    for (let k = 0; k < n; k++) {
      const slice = (images.data as Float32Array).subarray(k * per, (k + 1) * per);
      const plane = images.dtype === "float16" ? Float32Array.from(slice, halfToFloat) : Float32Array.from(slice);
      if (scale !== 1) for (let i = 0; i < per; i++) plane[i]! /= scale;
      const result = out.subarray(k * per, (k + 1) * per);
      for (const [j, t] of all.entries()) {
        paste(result, w, t, await runPlane(this.session, cut(plane, w, t), t.h, t.w));
        this.setProgress((k + (j + 1) / all.length) / n);
        this.checkStop();
      }
      this.logMessage(`image ${k + 1} of ${n} denoised in ${all.length} tile(s)`);
    }
    return { dtype: "float32", shape: [...images.shape], data: out };
  }
}
