import assert from "node:assert/strict";
import { test } from "node:test";
import type { CompoxError } from "../../contract/errors.js";
import type { EngineEvent } from "../../contract/records.js";
import { testEngine, waitForEnd, waitForTraining, type TestEngine } from "../testing/test-engine.js";

const TRAINABLE = `import { BaseRunner } from "compox";
export class Runner extends BaseRunner {
  async loadAssets() { this.model = JSON.parse(new TextDecoder().decode(await this.fetchAsset("files/model.json"))); }
  inference() { return ["model=" + this.model.value]; }
  async train(sampleIds, args) {
    const samples = await this.getTrainingDataset(sampleIds);
    let sum = 0;
    for (const s of samples) for (const f of s.files) {
      const [input] = await this.fetchData(f.input);
      sum += Number(input.image.data[0]);
    }
    for (let epoch = 1; epoch <= args.epochs; epoch++) {
      this.checkStop();
      await this.setState({ epoch, loss: 1 / epoch });
      this.setProgress(epoch / args.epochs);
      if (args.mode === "slow") await new Promise((r) => setTimeout(r, 100));
    }
    if (args.mode === "none") return;
    const path = args.mode === "wrong" ? "files/other.json" : "files/model.json";
    await this.saveCheckpoint({ [path]: new TextEncoder().encode(JSON.stringify({ value: sum })) }, { samples: samples.length });
  }
}`;
const PARAMS = `trainable = true
training_parameters = [
  { name = "epochs", config = { type = "int_range", default = 3, min = 1, max = 1000, step = 1 } },
  { name = "mode", config = { type = "string_enum", default = "ok", options = ["ok", "none", "wrong", "slow"] } },
]`;

async function setup(t: TestEngine) {
  const algorithm_id = await t.deploy("trainme", TRAINABLE, { type: "Generic", extra: PARAMS, files: { "files/model.json": JSON.stringify({ value: "shipped" }) } });
  const [a, b] = await t.images(2);
  const { sample_id } = (await t.engine.createSample({ files: [{ input: [a ?? ""], target: [b ?? ""] }], tags: ["demo"] }));
  return { algorithm_id, sample_id };
}

test("train: RUNNING → COMPLETED with a checkpoint; state streams; the checkpoint replaces the asset in executions", async () => {
  await using t = await testEngine();
  const { algorithm_id, sample_id } = await setup(t);
  const events: EngineEvent[] = [];
  t.engine.onEvent((e) => events.push(e));
  const { training_id } = (await t.engine.train({ algorithm_id, training_data: [sample_id], additional_parameters: { epochs: 4 }, tags: ["v1"] }));
  const rec = await waitForTraining(t.engine, training_id);
  assert.equal(rec.status, "COMPLETED", rec.log);
  assert.deepEqual(rec.state, { epoch: 4, loss: 0.25 });
  assert.equal(rec.output_checkpoint_ids.length, 1);
  const states = events.filter((e) => e.type === "state").map((e) => (e as { state: Record<string, unknown> }).state.epoch);
  assert.deepEqual(states, [1, 2, 3, 4]);
  const checkpoint = (await t.engine.getCheckpoint(rec.output_checkpoint_ids[0] ?? ""));
  assert.deepEqual([checkpoint.training_id, checkpoint.parent_algorithm_id, checkpoint.properties, checkpoint.tags], [training_id, algorithm_id, { samples: 1 }, ["v1"]]);
  assert.deepEqual((await t.engine.listCheckpoints({ positive_tags: ["v1"] })).map((c) => c.checkpoint_id), [checkpoint.checkpoint_id]);
  const plain = await waitForEnd(t.engine, (await t.engine.execute({ algorithm_id, input_dataset_ids: [] })).execution_id);
  const withCheckpoint = await waitForEnd(t.engine, (await t.engine.execute({ algorithm_id, input_dataset_ids: [], checkpoint_id: checkpoint.checkpoint_id })).execution_id);
  assert.deepEqual(plain.output_dataset_ids, ["model=shipped"]);
  assert.deepEqual(withCheckpoint.output_dataset_ids, ["model=0"]); // the first input pixel is 0
  // A training can start from a checkpoint; its checkpoints record the parent.
  const next = await waitForTraining(t.engine, (await t.engine.train({ algorithm_id, training_data: [sample_id], checkpoint_id: checkpoint.checkpoint_id })).training_id);
  assert.equal((await t.engine.getCheckpoint(next.output_checkpoint_ids[0] ?? "")).parent_checkpoint_id, checkpoint.checkpoint_id);
});

test("a new checkpoint is loaded into the warm runner (no new process); each run gets its own checkpoint's files", async () => {
  await using t = await testEngine({ settings: { max_loaded_runners: 4 } });
  const runner = TRAINABLE.replace('inference() { return ["model=" + this.model.value]; }', 'inference() { return ["model=" + this.model.value + " pid=" + process.pid]; }');
  const algorithm_id = await t.deploy("warm", runner, { type: "Generic", extra: PARAMS, files: { "files/model.json": JSON.stringify({ value: "shipped" }) } });
  const images = await t.images(2);
  // Two samples whose first pixels differ (0 and 10): two checkpoints with different values.
  const checkpoints: string[] = [];
  for (const image of images) {
    const { sample_id } = await t.engine.createSample({ files: [{ input: [image], target: [] }] });
    const done = await waitForTraining(t.engine, (await t.engine.train({ algorithm_id, training_data: [sample_id] })).training_id);
    assert.equal(done.status, "COMPLETED", done.log);
    checkpoints.push(done.output_checkpoint_ids[0]!);
  }
  const run = async (checkpoint_id?: string) => {
    const rec = await waitForEnd(t.engine, (await t.engine.execute({ algorithm_id, input_dataset_ids: [], checkpoint_id })).execution_id);
    assert.equal(rec.status, "COMPLETED", rec.log);
    const [, model, pid] = /^model=(\S+) pid=(\d+)$/.exec(rec.output_dataset_ids[0]!)!;
    return { model, pid };
  };
  const runs = [await run(checkpoints[0]), await run(checkpoints[1]), await run(), await run(checkpoints[0])];
  assert.deepEqual(runs.map((r) => r.model), ["0", "10", "shipped", "0"], "each run sees its own checkpoint's files (or the shipped ones)");
  assert.equal(new Set(runs.map((r) => r.pid)).size, 1, `one runner process served them all: ${runs.map((r) => r.pid).join(", ")}`);
});

test("training failures: no checkpoint saved, a checkpoint file that is not an asset; 404s and not trainable", async () => {
  await using t = await testEngine();
  const { algorithm_id, sample_id } = await setup(t);
  const none = await waitForTraining(t.engine, (await t.engine.train({ algorithm_id, training_data: [sample_id], additional_parameters: { mode: "none" } })).training_id);
  assert.equal(none.status, "FAILED");
  assert.match(none.log, /training finished without saving a checkpoint/);
  const wrong = await waitForTraining(t.engine, (await t.engine.train({ algorithm_id, training_data: [sample_id], additional_parameters: { mode: "wrong" } })).training_id);
  assert.equal(wrong.status, "FAILED");
  assert.match(wrong.log, /files\/other\.json is not an asset of the algorithm; .* use one of files\/model\.json/);
  const code = async (fn: () => unknown) => {
    try {
      await fn();
      return "ok";
    } catch (e) {
      return (e as CompoxError).code;
    }
  };
  assert.equal(await code(async () => (await t.engine.train({ algorithm_id, training_data: ["nope"] }))), "sample_not_found");
  assert.equal(await code(async () => (await t.engine.createSample({ files: [{ input: ["00000000-0000-1000-8000-000000000000"], target: [] }] }))), "sample_input_files_not_found");
  assert.equal(await code(async () => (await t.engine.train({ algorithm_id, training_data: [sample_id], checkpoint_id: "nope" }))), "checkpoint_not_found");
  const plain = await t.deploy("plain", 'import { BaseRunner } from "compox";\nexport class Runner extends BaseRunner {}\n', { type: "Generic" });
  // As Compox 3.x: accepted, then FAILED saying why.
  const { training_id } = (await t.engine.train({ algorithm_id: plain, training_data: [sample_id] }));
  const rec = await waitForTraining(t.engine, training_id, 10000);
  assert.equal(rec.status, "FAILED");
  assert.match(rec.log, /does not declare itself trainable/);
  assert.match(rec.log, /does not implement train\(\)/);
});

test("stop mid-training ends STOPPED; samples keep their datasets from expiring", async () => {
  await using t = await testEngine();
  const { algorithm_id, sample_id } = await setup(t);
  const { training_id } = (await t.engine.train({ algorithm_id, training_data: [sample_id], additional_parameters: { epochs: 100, mode: "slow" } }));
  for (let i = 0; i < 300 && (await t.engine.getTraining(training_id)).state.epoch === undefined; i++) await new Promise((r) => setTimeout(r, 20));
  await t.engine.stopTraining(training_id);
  const rec = await waitForTraining(t.engine, training_id, 10000);
  assert.equal(rec.status, "STOPPED", rec.log);
  await assert.rejects(() => t.engine.stopTraining(training_id), (e: CompoxError) => e.code === "training_not_stoppable");
  const files = (await t.engine.getSample(sample_id)).files.flatMap((f) => [...f.input, ...f.target]);
  assert.ok(files.length === 2);
  await t.engine.deleteSample(sample_id);
  await assert.rejects(() => t.engine.getSample(sample_id), /not found/);
});
