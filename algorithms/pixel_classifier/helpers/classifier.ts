// Trains and applies the pixel classifier: a random forest (ml-random-forest) on per-pixel
// features. The model is plain JSON, stored as the asset files/model.json (and so as checkpoints).
import { RandomForestClassifier } from "ml-random-forest";
import { pixelFeatures } from "./features.js";

export interface PixelModel {
  version: 1;
  sigmas: number[];
  classes: number[];
  forest: unknown;
}

/** How to read target masks: "dense" = every value is a class (0 too: what segmentation
 * algorithms output); "sparse" = 0 is unlabelled, 1…K are classes (painted strokes, ilastik). */
export type LabelMode = "dense" | "sparse";

export interface LabelledImage {
  image: Float32Array;
  /** Class values per pixel (0 = unlabelled in sparse mode). */
  labels: ArrayLike<number>;
  h: number;
  w: number;
}

export interface FitOptions {
  sigmas?: number[];
  nEstimators?: number;
  maxDepth?: number;
  /** Labelled pixels drawn per class (training time grows with it). */
  samplesPerClass?: number;
  seed?: number;
  /** Default "dense". */
  labels?: LabelMode;
}

/** Fits a forest on the labelled pixels of the images. */
export function fitClassifier(items: readonly LabelledImage[], opts: FitOptions = {}): PixelModel {
  const sigmas = opts.sigmas ?? [1, 2, 4];
  const sparse = opts.labels === "sparse";
  const byClass = new Map<number, number[][]>();
  let seed = opts.seed ?? 1;
  const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  for (const item of items) {
    const { data, count } = pixelFeatures(item.image, item.h, item.w, sigmas);
    for (let i = 0; i < item.h * item.w; i++) {
      const label = Number(item.labels[i]);
      if (sparse ? label > 0 : Number.isFinite(label)) {
        const list = byClass.get(label) ?? [];
        list.push(Array.from(data.subarray(i * count, (i + 1) * count)));
        byClass.set(label, list);
      }
    }
  }
  if (byClass.size < 2) {
    const how = sparse ? "labels = sparse: mask values 1, 2, … are classes and 0 is unlabelled" : "labels = dense: every mask value is a class";
    throw new Error(`training needs pixels of at least two classes (${how}); found ${byClass.size}${byClass.size === 1 ? ` (only ${[...byClass.keys()][0]})` : ""}`);
  }
  const X: number[][] = [];
  const y: number[] = [];
  const per = opts.samplesPerClass ?? 1500;
  for (const [label, rows] of [...byClass].sort((a, b) => a[0] - b[0])) {
    // A fair sample of each class, so a large class does not drown a small one.
    for (let k = 0; k < Math.min(per, rows.length); k++) {
      X.push(rows[Math.floor(rand() * rows.length)]!);
      y.push(label);
    }
  }
  const forest = new RandomForestClassifier({ nEstimators: opts.nEstimators ?? 15, seed: opts.seed ?? 1, maxFeatures: 0.6, replacement: true, treeOptions: { maxDepth: opts.maxDepth ?? 10 }, noOOB: true } as never);
  forest.train(X, y);
  return { version: 1, sigmas, classes: [...byClass.keys()].sort((a, b) => a - b), forest: forest.toJSON() };
}

/** Loads a model for prediction. */
export function loadForest(model: PixelModel): RandomForestClassifier {
  if (model.version !== 1) throw new Error(`files/model.json has version ${model.version}; this algorithm reads version 1`);
  return RandomForestClassifier.load(model.forest as never);
}

/** The class of every pixel of an image. */
export function classify(forest: RandomForestClassifier, model: PixelModel, image: Float32Array, h: number, w: number): Uint8Array {
  const { data, count } = pixelFeatures(image, h, w, model.sigmas);
  const rows: number[][] = [];
  for (let i = 0; i < h * w; i++) rows.push(Array.from(data.subarray(i * count, (i + 1) * count)));
  return Uint8Array.from(forest.predict(rows));
}
