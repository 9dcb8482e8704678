// The Runner of a deployed bioimage.io model (the engine generates `class Runner extends
// BioimageioRunner` when it imports a package): its description and weights are assets under
// files/model/, and each input image runs through predict() — whole-image preprocessing, tiles
// with the model's halo, postprocessing — giving its first output as an image.
import { halfToFloat } from "../../../contract/float16.js";
import type { NDArray } from "../../../contract/ndarray.js";
import type { Args, InputData } from "../runners.js";
import { Image2ImageRunner } from "../typed-runners.js";
import { currentContext } from "../context.js";
import { readDescription, type ModelDescription } from "./description.js";
import { predict, type LoadedModel } from "./predict.js";
import { loadWeights, runnableWeights, unrunnableWeights, type RunnableFormat } from "./weights.js";
import { permute, type Tensor } from "./tensor.js";

/** The model's axes but batch in an image's order: channel first, then the others (z, t, …) in
 * the model's order, then y and x. */
function imageOrder(axes: readonly { id: string; type: string }[]): string[] {
  const rank = (a: { id: string; type: string }) => (a.type === "channel" ? 0 : a.id === "y" ? 2 : a.id === "x" ? 3 : 1);
  return axes
    .filter((a) => a.type !== "batch")
    .sort((a, b) => rank(a) - rank(b))
    .map((a) => a.id);
}

/** An image (channels first: C×H×W, or Z×H×W, or H×W) as a tensor of the input's axes, in the
 * model's order (b y x c models get their channels moved last): leading axes the image lacks
 * (a single channel, a z of 1) and batch get size 1. */
export function imageToTensor(image: { shape: readonly number[]; data: Float32Array }, axes: readonly { id: string; type: string; size?: unknown }[], what: string): Tensor {
  const order = imageOrder(axes);
  if (image.shape.length > order.length) throw new Error(`${what}: an image of shape [${image.shape.join(", ")}] has more axes than the model's input (${axes.map((a) => a.id).join(", ")})`);
  const missing = order.length - image.shape.length;
  const shape = order.map((_, k) => (k < missing ? 1 : image.shape[k - missing]!));
  axes.forEach((a) => {
    const n = shape[order.indexOf(a.id)];
    if (a.type === "channel" && typeof a.size === "number" && n !== a.size) throw new Error(`${what}: the model takes ${a.size} channel(s), the image has ${n} (shape [${image.shape.join(", ")}], channels first)`);
  });
  return permute({ data: image.data, shape, axes: order }, axes.map((a) => a.id));
}

/** A model output as an image: channels first, then z, y, x; the batch axis dropped, and every
 * other axis of length 1 but y and x (a single channel, a z of 1 that the model adds: the
 * expand_output_shape example). */
export function tensorToImage(t: Tensor, axes: readonly { id: string; type: string }[]): NDArray {
  const image = permute(t, imageOrder(axes).filter((id) => t.axes.includes(id) && (t.shape[t.axes.indexOf(id)] !== 1 || id === "y" || id === "x")));
  return { dtype: "float32", shape: image.shape, data: image.data };
}

/** An array in a tensor's axes without batch (or with fewer leading axes of 1) as that tensor, float32. */
function arrayToTensor(array: NDArray, axes: readonly { id: string; type: string; size?: unknown }[], what: string): Tensor {
  const data = array.dtype === "float16" ? Float32Array.from(array.data as Uint16Array, halfToFloat) : Float32Array.from(array.data as ArrayLike<number>);
  return imageToTensor({ shape: array.shape, data }, axes, what);
}

/** A tensor as an array in its axes without batch (a Generic model's output). */
const tensorToArray = (t: Tensor): NDArray => ({ dtype: "float32", shape: t.shape.filter((_, k) => t.axes[k] !== "batch"), data: t.data });

export class BioimageioRunner extends Image2ImageRunner {
  /** The description's path among the assets; the generated Runner sets it. */
  protected description = "files/model/bioimageio.yaml";
  /** The weights to run (the ones the import verified); the generated Runner sets it. */
  protected weights: RunnableFormat = "onnx";
  private desc!: ModelDescription;
  /** Loaded weights by format: the verified ones at load, others when a run asks for them. */
  private models!: Map<RunnableFormat, LoadedModel>;

  override async loadAssets(): Promise<void> {
    const text = new TextDecoder().decode(await this.fetchAsset(this.description));
    this.desc = readDescription(text, this.description.replace(/^files\/model\//, ""));
    this.models = new Map([[this.weights, await this.load(this.weights)]]);
  }

  private async load(format: RunnableFormat): Promise<LoadedModel> {
    const weights = runnableWeights(this.desc, format);
    if (!weights) throw new Error(`${this.description}: ${unrunnableWeights(this.desc, format)}`);
    // PyTorch weights run in the engine's Python (looked for only then).
    const python = weights.format === "onnx" ? undefined : await currentContext().python();
    const { model, provider, warning } = await loadWeights(this.desc, weights, (file) => this.fetchAsset(`files/model/${file}`), this.device, python);
    if (warning) this.logMessage(warning, "WARNING");
    const kind = { onnx: "ONNX", torchscript: "TorchScript", pytorch_state_dict: "PyTorch state dict" }[weights.format];
    this.logMessage(`${this.desc.name} ${this.desc.version} loaded (${kind} weights on ${provider}${format === this.weights ? "" : "; not the format the import verified"})`);
    return model;
  }

  /** The weights a run asks for (`weights_format`, "default" for the verified ones), loaded once. */
  private async modelFor(args: Args): Promise<LoadedModel> {
    const asked = args.weights_format === undefined || args.weights_format === "default" ? this.weights : (String(args.weights_format) as RunnableFormat);
    let model = this.models.get(asked);
    if (!model) this.models.set(asked, (model = await this.load(asked)));
    return model;
  }

  /** Runs one sample (one tensor per input) with the run's tile size and halo; `part` and `parts` place its progress among the run's. */
  private async predictOne(inputs: Tensor[], args: Args, part: number, parts: number): Promise<Tensor[]> {
    const num = (v: unknown) => (v === undefined || v === null || v === "" ? undefined : Number(v));
    let told = false;
    return predict(this.desc, await this.modelFor(args), inputs, {
      tile: num(args.tile_size),
      halo: num(args.halo),
      onProgress: (f, _done, total) => {
        if (!told && total > 1 && part === 0) this.logMessage(`running in ${total} tiles`);
        told = true;
        this.setProgress((part + f) / parts);
      },
      checkStop: () => this.checkStop(),
    });
  }

  /** A model with several inputs or outputs is Generic: each input dataset holds one key per input
   * tensor id, each output dataset one key per output tensor id (arrays without the batch axis). */
  override async run(inputData: InputData, args: Args): Promise<string[]> {
    if (this.desc.inputs.length === 1 && this.desc.outputs.length === 1) return super.run(inputData, args);
    const ids = inputData.input_dataset_ids;
    const items: Record<string, NDArray>[] = [];
    for (const [k, id] of ids.entries()) {
      const [data] = await this.fetchData([id]);
      const tensors = this.desc.inputs.map((t) => {
        const array = data![t.id];
        if (!array) throw new Error(`dataset ${id} has no "${t.id}": this model takes ${this.desc.inputs.map((x) => `"${x.id}"`).join(" and ")}, one key per input`);
        return arrayToTensor(array, t.axes, `dataset ${id}, "${t.id}"`);
      });
      const outputs = await this.predictOne(tensors, args, k, ids.length);
      items.push(Object.fromEntries(outputs.map((t, o) => [this.desc.outputs[o]!.id, tensorToArray(t)])));
    }
    return this.postData(items);
  }

  override async inference(images: NDArray, args: Args): Promise<NDArray> {
    const [n = 1, ...inner] = images.shape;
    const per = inner.reduce((a, b) => a * b, 1);
    const outs: NDArray[] = [];
    for (let k = 0; k < n; k++) {
      const slice = (images.data as ArrayLike<number> & { subarray(a: number, b: number): ArrayLike<number> }).subarray(k * per, (k + 1) * per);
      const input = arrayToTensor({ dtype: images.dtype, shape: inner, data: slice } as NDArray, this.desc.inputs[0]!.axes, `image ${k + 1}`);
      const [output] = await this.predictOne([input], args, k, n);
      outs.push(tensorToImage(output!, this.desc.outputs[0]!.axes));
    }
    const shape = outs[0]!.shape;
    const all = new Float32Array(n * outs[0]!.data.length);
    outs.forEach((o, k) => all.set(o.data as Float32Array, k * o.data.length));
    return { dtype: "float32", shape: [n, ...shape], data: all };
  }
}
