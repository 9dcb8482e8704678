// The Runner of a deployed bioimage.io model (the engine generates `class Runner extends
// BioimageioRunner` when it imports a package): its description and weights are assets under
// files/model/, and each input image runs through predict() — whole-image preprocessing, tiles
// with the model's halo, postprocessing — giving its first output as an image.
import { halfToFloat } from "../../../contract/float16.js";
import type { NDArray } from "../../../contract/ndarray.js";
import type { Args } from "../runners.js";
import { Image2ImageRunner } from "../typed-runners.js";
import { currentContext } from "../context.js";
import { readDescription, type ModelDescription } from "./description.js";
import { predict, type LoadedModel } from "./predict.js";
import { loadWeights, runnableWeights, unrunnableWeights, type RunnableFormat } from "./weights.js";
import type { Tensor } from "./tensor.js";

/** An image (channels first: C×H×W, or Z×H×W, or H×W) as a tensor of the input's axes: leading
 * axes it lacks (batch, a single channel) get size 1. */
export function imageToTensor(image: { shape: readonly number[]; data: Float32Array }, axes: readonly { id: string; type: string; size?: unknown }[], what: string): Tensor {
  const free = axes.filter((a) => a.type !== "batch");
  if (image.shape.length > free.length) throw new Error(`${what}: an image of shape [${image.shape.join(", ")}] has more axes than the model's input (${axes.map((a) => a.id).join(", ")})`);
  const missing = free.length - image.shape.length;
  let next = 0;
  const shape = axes.map((a) => {
    if (a.type === "batch") return 1;
    const k = free.indexOf(a);
    return k < missing ? 1 : image.shape[next++]!;
  });
  axes.forEach((a, k) => {
    if (a.type === "channel" && typeof a.size === "number" && shape[k] !== a.size)
      throw new Error(`${what}: the model takes ${a.size} channel(s), the image has ${shape[k]} (shape [${image.shape.join(", ")}], channels first)`);
  });
  return { data: image.data, shape, axes: axes.map((a) => a.id) };
}

/** A model output as an image: the batch axis dropped, and every other axis of length 1 but y and
 * x (a single channel, a z of 1 that the model adds: the expand_output_shape example). */
export function tensorToImage(t: Tensor): NDArray {
  const shape = t.shape.filter((n, k) => !(t.axes[k] === "batch" || (n === 1 && t.axes[k] !== "y" && t.axes[k] !== "x")));
  return { dtype: "float32", shape, data: t.data };
}

export class BioimageioRunner extends Image2ImageRunner {
  /** The description's path among the assets; the generated Runner sets it. */
  protected description = "files/model/bioimageio.yaml";
  /** The weights to run (the ones the import verified); the generated Runner sets it. */
  protected weights: RunnableFormat = "onnx";
  private desc!: ModelDescription;
  private model!: LoadedModel;

  override async loadAssets(): Promise<void> {
    const text = new TextDecoder().decode(await this.fetchAsset(this.description));
    this.desc = readDescription(text, this.description.replace(/^files\/model\//, ""));
    const weights = runnableWeights(this.desc, this.weights);
    if (!weights) throw new Error(`${this.description}: ${unrunnableWeights(this.desc, this.weights)}`);
    // PyTorch weights run in the engine's Python (looked for only then).
    const python = weights.format === "onnx" ? undefined : await currentContext().python();
    const { model, provider, warning } = await loadWeights(weights, (file) => this.fetchAsset(`files/model/${file}`), this.device, python);
    this.model = model;
    if (warning) this.logMessage(warning, "WARNING");
    const kind = { onnx: "ONNX", torchscript: "TorchScript", pytorch_state_dict: "PyTorch state dict" }[weights.format];
    this.logMessage(`${this.desc.name} ${this.desc.version} loaded (${kind} weights on ${provider})`);
  }

  override async inference(images: NDArray, args: Args): Promise<NDArray> {
    const [n = 1, ...inner] = images.shape;
    const per = inner.reduce((a, b) => a * b, 1);
    const outs: NDArray[] = [];
    for (let k = 0; k < n; k++) {
      const slice = (images.data as ArrayLike<number> & { subarray(a: number, b: number): ArrayLike<number> }).subarray(k * per, (k + 1) * per);
      const data = images.dtype === "float16" ? Float32Array.from(slice as Uint16Array, halfToFloat) : Float32Array.from(slice as ArrayLike<number>);
      const input = imageToTensor({ shape: inner, data }, this.desc.inputs[0]!.axes, `image ${k + 1}`);
      const [output] = await predict(this.desc, this.model, [input], {
        tile: args.tile_size === undefined ? undefined : Number(args.tile_size),
        onProgress: (f) => this.setProgress((k + f) / n),
        checkStop: () => this.checkStop(),
      });
      outs.push(tensorToImage(output!));
    }
    const shape = outs[0]!.shape;
    const all = new Float32Array(n * outs[0]!.data.length);
    outs.forEach((o, k) => all.set(o.data as Float32Array, k * o.data.length));
    return { dtype: "float32", shape: [n, ...shape], data: all };
  }
}
