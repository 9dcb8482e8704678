import { Image2SegmentationRunner, halfToFloat, type Args, type NDArray } from "compox";
import type { RandomForestClassifier } from "ml-random-forest";
import { classify, loadForest, type PixelModel } from "./helpers/classifier.js";

const SCALE: Record<string, number> = { uint8: 255, uint16: 65535 };

/** Labels every pixel with the class the trained random forest predicts (mask values 1…K). */
export class Runner extends Image2SegmentationRunner {
  model!: PixelModel;
  forest!: RandomForestClassifier;

  override async loadAssets(): Promise<void> {
    this.model = JSON.parse(new TextDecoder().decode(await this.fetchAsset("files/model.json"))) as PixelModel;
    this.forest = loadForest(this.model);
  }

  override async inference(images: NDArray, _args: Args): Promise<NDArray> {
    const [n = 1, h = 0, w = 0] = images.shape;
    if (images.shape.length !== 3) throw new Error(`the pixel classifier takes grey 2-D images, got shape [${images.shape.slice(1).join(", ")}]`);
    const per = h * w;
    const scale = SCALE[images.dtype] ?? 1;
    const out = new Uint8Array(n * per);
    for (let k = 0; k < n; k++) {
      const slice = (images.data as Float32Array).subarray(k * per, (k + 1) * per);
      const plane = images.dtype === "float16" ? Float32Array.from(slice, halfToFloat) : Float32Array.from(slice, (v) => Number(v) / scale);
      out.set(classify(this.forest, this.model, plane, h, w), k * per);
      this.logMessage(`image ${k + 1} of ${n} classified`);
      this.setProgress((k + 1) / n);
      this.checkStop();
    }
    return { dtype: "uint8", shape: [...images.shape], data: out };
  }
}
