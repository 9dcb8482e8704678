// Trains and applies the pixel classifier: a random forest (ml-random-forest) on per-pixel
// features. The model is plain JSON, stored as the asset files/model.json (and so as checkpoints).
import { RandomForestClassifier } from "ml-random-forest";
import { cachedPixelFeatures } from "./features.js";

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
    const { data, count } = cachedPixelFeatures(item.image, item.h, item.w, sigmas);
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
  // Through JSON now: the model is what files/model.json will hold (plain arrays, no Matrix objects).
  return { version: 1, sigmas, classes: [...byClass.keys()].sort((a, b) => a - b), forest: JSON.parse(JSON.stringify(forest.toJSON())) as unknown };
}

/** Loads a model with ml-random-forest (what `compileForest` must agree with). */
export function loadForest(model: PixelModel): RandomForestClassifier {
  checkVersion(model);
  return RandomForestClassifier.load(model.forest as never);
}

function checkVersion(model: PixelModel): void {
  if (model.version !== 1) throw new Error(`files/model.json has version ${model.version}; this algorithm reads version 1`);
}

/** The forest as flat arrays: predicting a pixel walks them over its feature row, with no row
 * objects (ml-random-forest's predict builds a matrix view per tree: ~10× slower on images). */
export interface CompiledForest {
  trees: { feature: Int32Array; threshold: Float64Array; left: Int32Array; right: Int32Array; leaf: Int32Array }[];
}

interface TreeNodeJson {
  splitColumn?: number;
  splitValue?: number;
  left?: TreeNodeJson;
  right?: TreeNodeJson;
  distribution?: number[][];
}

/** Flattens the model's trees, mapping each tree's columns back to feature indexes. */
export function compileForest(model: PixelModel): CompiledForest {
  checkVersion(model);
  const base = (model.forest as { baseModel: { estimators: { root: TreeNodeJson }[]; indexes: number[][] } }).baseModel;
  return {
    trees: base.estimators.map((estimator, t) => {
      const columns = base.indexes[t] ?? [];
      const nodes: TreeNodeJson[] = [];
      const collect = (n: TreeNodeJson) => {
        nodes.push(n);
        if (n.left && n.right) {
          collect(n.left);
          collect(n.right);
        }
      };
      collect(estimator.root);
      const index = new Map(nodes.map((n, i) => [n, i]));
      const tree = { feature: new Int32Array(nodes.length), threshold: new Float64Array(nodes.length), left: new Int32Array(nodes.length), right: new Int32Array(nodes.length), leaf: new Int32Array(nodes.length) };
      nodes.forEach((n, i) => {
        if (n.left && n.right) {
          tree.feature[i] = columns[n.splitColumn ?? 0] ?? 0;
          tree.threshold[i] = n.splitValue ?? 0;
          tree.left[i] = index.get(n.left) ?? 0;
          tree.right[i] = index.get(n.right) ?? 0;
        } else {
          // ml-cart's leaf: the class with the highest share, the first of equals.
          const d = n.distribution?.[0] ?? [];
          let best = 0;
          for (let c = 1; c < d.length; c++) if ((d[c] ?? 0) > (d[best] ?? 0)) best = c;
          tree.feature[i] = -1;
          tree.leaf[i] = best;
        }
      });
      return tree;
    }),
  };
}

/** The class of every pixel of an image: the trees' majority vote (ties to the class that reached
 * the count first, as ml-random-forest's mode). */
export function classify(forest: CompiledForest, model: PixelModel, image: Float32Array, h: number, w: number): Uint8Array {
  const { data, count } = cachedPixelFeatures(image, h, w, model.sigmas);
  const out = new Uint8Array(h * w);
  const votes = new Int32Array(256);
  const seen: number[] = [];
  for (let p = 0; p < h * w; p++) {
    const row = p * count;
    let winner = 0;
    let most = 0;
    for (const t of forest.trees) {
      let n = 0;
      while (t.feature[n]! >= 0) n = data[row + t.feature[n]!]! < t.threshold[n]! ? t.left[n]! : t.right[n]!;
      const c = t.leaf[n]!;
      if (votes[c] === 0) seen.push(c);
      const v = ++votes[c]!;
      if (v > most) {
        most = v;
        winner = c;
      }
    }
    out[p] = winner;
    for (const c of seen) votes[c] = 0;
    seen.length = 0;
  }
  return out;
}
