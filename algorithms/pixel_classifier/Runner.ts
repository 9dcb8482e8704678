import { Image2SegmentationRunner, halfToFloat, type Args, type NDArray } from "compox";
import { classify, compileForest, fitClassifier, type CompiledForest, type LabelledImage, type PixelModel } from "./helpers/classifier.js";

const SCALE: Record<string, number> = { uint8: 255, uint16: 65535 };

/** An image's values as float32 in [0, 1] for integer types (float images as they are). A loop:
 * Float32Array.from with a mapping function took 29 ms for 512², a tenth of a label-loop stroke. */
function grey(data: NDArray["data"], dtype: NDArray["dtype"]): Float32Array {
  if (dtype === "float32") return data as Float32Array;
  const out = new Float32Array(data.length);
  if (dtype === "float16") for (let i = 0; i < out.length; i++) out[i] = halfToFloat((data as Uint16Array)[i]!);
  else {
    const scale = SCALE[dtype] ?? 1;
    for (let i = 0; i < out.length; i++) out[i] = Number(data[i]) / scale;
  }
  return out;
}

/** Labels every pixel with the class the trained random forest predicts (mask values 1…K). */
export class Runner extends Image2SegmentationRunner {
  model!: PixelModel;
  forest!: CompiledForest;

  override async loadAssets(): Promise<void> {
    this.model = JSON.parse(new TextDecoder().decode(await this.fetchAsset("files/model.json"))) as PixelModel;
    this.forest = compileForest(this.model);
  }

  /** Fits a new forest on the samples (input key `image`, target key `mask`; `labels` says whether 0 is a class). */
  override async train(sampleIds: string[], args: Args): Promise<void> {
    const samples = await this.getTrainingDataset(sampleIds);
    const items: LabelledImage[] = [];
    for (const [k, sample] of samples.entries()) {
      for (const f of sample.files) {
        for (const [i, inputId] of f.input.entries()) {
          const [input] = await this.fetchData([inputId], undefined, "image");
          // Label masks come as `mask`, or as `image` when imported from a PNG/TIFF.
          const [target] = await this.fetchData([f.target[i] ?? f.target[0] ?? ""]);
          const image = input?.image;
          const mask = target?.mask ?? target?.image;
          if (!image || !mask || image.shape.length !== 2) throw new Error(`sample ${sample.sample_id}: needs a 2-D \`image\` input and a \`mask\` (or label image) target`);
          items.push({ image: grey(image.data, image.dtype), labels: mask.data as ArrayLike<number>, h: image.shape[0]!, w: image.shape[1]! });
          await this.setState({ images_loaded: items.length });
        }
      }
      this.setProgress((0.5 * (k + 1)) / samples.length);
    }
    this.logMessage(`fitting a forest of ${args.n_estimators} trees on ${items.length} image(s)`);
    const labels = args.labels === "sparse" ? "sparse" : "dense";
    const model = fitClassifier(items, { nEstimators: Number(args.n_estimators), maxDepth: Number(args.max_depth), seed: 1, labels });
    this.checkStop();
    await this.setState({ images_loaded: items.length, trees: Number(args.n_estimators) });
    await this.saveCheckpoint({ "files/model.json": new TextEncoder().encode(JSON.stringify(model)) }, { classes: model.classes, images: items.length, labels });
    this.setProgress(1);
  }

  override async inference(images: NDArray, _args: Args): Promise<NDArray> {
    const [n = 1, h = 0, w = 0] = images.shape;
    if (images.shape.length !== 3) throw new Error(`the pixel classifier takes grey 2-D images, got shape [${images.shape.slice(1).join(", ")}]`);
    const per = h * w;
    const out = new Uint8Array(n * per);
    for (let k = 0; k < n; k++) {
      const plane = grey(images.data.subarray(k * per, (k + 1) * per), images.dtype);
      out.set(classify(this.forest, this.model, plane, h, w), k * per);
      this.logMessage(`image ${k + 1} of ${n} classified`);
      this.setProgress((k + 1) / n);
      this.checkStop();
    }
    return { dtype: "uint8", shape: [...images.shape], data: out };
  }
}
