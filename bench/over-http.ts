// The over-HTTP rows of `npm run bench`: what a companion app sees (submit to a warm runner, the
// end from the event stream, outputs downloaded) and the label loop of the Train view.
import fs from "node:fs";
import path from "node:path";
import type { CompoxClient } from "../src-main/contract/client.js";
import type { NDArray } from "../src-main/contract/ndarray.js";
import { parseCompoxTime } from "../src-main/contract/time.js";
import { writeHdf5 } from "../src-main/engine/datasets/hdf5.js";
import { twoClassImage } from "../algorithms/tests/synthetic-two-class.js";
import { classify, compileForest, fitClassifier } from "../algorithms/pixel_classifier/helpers/classifier.js";
import { INPUTS, REPEATS, median, pct, rowOf, time } from "./compare.js";
import { download } from "./plain-http.js";
import type { Row } from "./report.js";
import type { SkimageBaseline } from "./skimage-baseline.js";

/**
 * What a user sees: the bundled algorithm over HTTP on a warm runner, its outputs downloaded,
 * against the same scikit-image call alone, imported and warmed (no I/O on its side); and the
 * server's own record time (submitted → completed, input read and output written) against Compox's
 * data path (h5py read, scikit-image, h5py write + fsync). The three alternate, after a warm-up.
 */
export async function overHttpBenches(client: CompoxClient, dir: string, whenEnded: (id: string) => Promise<void>, sk: SkimageBaseline): Promise<Row[]> {
  const byName = new Map((await client.listAlgorithms({})).map((a) => [a.algorithm_name, a.algorithm_id]));
  let n = 0;
  const upload = async (image: NDArray) => {
    const file = path.join(dir, `input-${n++}.h5`);
    await writeHdf5(file, { image });
    return { id: (await client.uploadFile(new Uint8Array(fs.readFileSync(file)))).file_id, file };
  };
  /** Runs `name` once; resolves to the record's own time (seconds, millisecond resolution). */
  const run = (name: string, inputs: string[], params: Record<string, unknown>) => async () => {
    const { execution_id } = await client.execute({ algorithm_id: byName.get(name) ?? name, input_dataset_ids: inputs, additional_parameters: params });
    await whenEnded(execution_id);
    const rec = await client.getExecution(execution_id);
    if (rec.status !== "COMPLETED") throw new Error(`${name} ended ${rec.status}: ${rec.log}`);
    for (const out of rec.output_dataset_ids) await download(`${client.baseUrl}/api/v0/files/${out}`);
    return (parseCompoxTime(rec.time_completed).getTime() - parseCompoxTime(rec.time_started).getTime()) / 1000;
  };
  const rows: Row[] = [];
  const both = async (name: string, ours: () => Promise<number>, skimage: () => Promise<number>, dataPath: () => Promise<number>, targets: [number, number]) => {
    const [seen, record, warm, compox] = [[], [], [], []] as number[][] as [number[], number[], number[], number[]];
    await ours();
    await skimage();
    await dataPath();
    for (let i = 0; i < REPEATS; i++) {
      const t = performance.now();
      record.push(await ours());
      seen.push((performance.now() - t) / 1000);
      warm.push(await skimage());
      compox.push(await dataPath());
    }
    rows.push(rowOf(`${name} over HTTP`, seen, warm, ["ours", "skimage warm"], targets[0]));
    rows.push(rowOf(`${name}, record time vs Compox's data path`, record, compox, ["ours", "h5py + skimage + h5py"], targets[1]));
  };
  const { tv, big, a, b, pair } = INPUTS();
  const tvIn = await upload(tv);
  await both("TV 1024²", run("tv_denoising", [tvIn.id], { denoising_weight: 0.1 }), sk.seconds("tv", tv, { weight: 0.1 }), sk.dataPath("tv", [tvIn.file], { weight: 0.1 }), [0.5, 0.3]);
  const bigIn = await upload(big);
  await both("Otsu 2048²", run("threshold_segmentation", [bigIn.id], { thresholding_algorithm: "otsu" }), sk.seconds("thresholds", big, { methods: ["otsu"] }), sk.dataPath("thresholds", [bigIn.file], { methods: ["otsu"] }), [1.0, 1.0]);
  const pairIn = [await upload({ dtype: "float32", shape: [1024, 1024], data: a }), await upload({ dtype: "float32", shape: [1024, 1024], data: b })];
  const reg = { upsample_factor: 20 };
  await both("registration 1024² (upsample 20)", run("phase_correlation_registration", pairIn.map((p) => p.id), reg), sk.seconds("registration", pair, reg), sk.dataPath("registration", pairIn.map((p) => p.file), reg), [1.0, 1.0]);
  return rows;
}

/**
 * The interactive-training loop of the Train view (issue: stroke → prediction in under 2 s on a
 * 512² image with a few hundred labelled pixels): upload the strokes, make the sample, train with
 * labels = sparse, run the checkpoint on the image and download the prediction, over HTTP;
 * against the same fit and prediction in this process (no I/O, no runner processes). The goal is
 * per stroke, median and p95 of 4× the usual repeats (a stroke is short).
 */
export async function labelLoopBench(client: CompoxClient, dir: string, whenEnded: (id: string) => Promise<void>, repeats = REPEATS): Promise<Row> {
  const alg = await client.getAlgorithm("pixel_classifier", "1");
  const s = twoClassImage(512, 512, 3);
  const strokes = s.labels.map((v, i) => (i % 500 === 0 ? v : 0));
  const file = (name: string) => path.join(dir, name);
  await writeHdf5(file("label-image.h5"), { image: { dtype: "float32", shape: [512, 512], data: s.image } });
  await writeHdf5(file("label-mask.h5"), { mask: { dtype: "uint8", shape: [512, 512], data: strokes } });
  const image = (await client.uploadFile(new Uint8Array(fs.readFileSync(file("label-image.h5"))))).file_id;
  const loop = async () => {
    const mask = (await client.uploadFile(new Uint8Array(fs.readFileSync(file("label-mask.h5"))))).file_id;
    const { sample_id } = await client.createSample([{ input: [image], target: [mask] }]);
    const { training_id } = await client.train({ algorithm_id: alg.algorithm_id, training_data: [sample_id], additional_parameters: { labels: "sparse" } });
    await whenEnded(training_id);
    const t = await client.getTraining(training_id);
    const checkpoint_id = t.output_checkpoint_ids[0];
    if (t.status !== "COMPLETED" || !checkpoint_id) throw new Error(`training ${t.status}: ${t.log}`);
    const { execution_id } = await client.execute({ algorithm_id: alg.algorithm_id, input_dataset_ids: [image], checkpoint_id });
    await whenEnded(execution_id);
    const e = await client.getExecution(execution_id);
    if (e.status !== "COMPLETED") throw new Error(`prediction ${e.status}: ${e.log}`);
    await (await client.request("GET", `/api/v0/files/${e.output_dataset_ids[0]}`)).arrayBuffer();
  };
  const inProcess = () => {
    const model = fitClassifier([{ ...s, labels: strokes }], { labels: "sparse", seed: 1 });
    classify(compileForest(model), model, s.image, 512, 512);
  };
  const [ours, theirs]: [number[], number[]] = [[], []];
  await loop();
  inProcess();
  for (let i = 0; i < repeats * 4; i++) {
    ours.push(await time(loop));
    theirs.push(await time(inProcess));
  }
  const row = rowOf("label loop 512² (stroke → prediction) over HTTP", ours, theirs, ["ours", "in-process fit + predict"]);
  const p95 = pct(ours, 0.95);
  return { ...row, goal: { text: "≤ 250 ms per stroke, p50 and p95", met: median(ours) <= 0.25 && p95 <= 0.25 }, note: `p95 ${(p95 * 1000).toFixed(0)} ms` };
}
