import assert from "node:assert/strict";
import { test } from "node:test";
import AdmZip from "adm-zip";
import { ApiError, CompoxClient } from "../contract/client.js";
import { isTerminal, type TrainingRecord } from "../contract/records.js";
import { testEngine } from "../engine/testing/test-engine.js";
import { createApi } from "./app.js";

const TRAINABLE = `import { BaseRunner } from "compox";
export class Runner extends BaseRunner {
  inference() { return ["ok"]; }
  async train(ids) {
    const samples = await this.getTrainingDataset(ids);
    await this.setState({ loss: 0.5 });
    await this.saveCheckpoint({ "files/w.txt": new TextEncoder().encode("trained on " + samples.length) }, { note: "api" });
  }
}`;

async function status(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "ok";
  } catch (e) {
    return `${(e as ApiError).status} ${(e as ApiError).code}`;
  }
}

test("samples, train-algorithm, training records, checkpoints and export with a checkpoint over the API", async () => {
  await using t = await testEngine();
  const app = createApi(t.engine);
  const client = new CompoxClient("http://127.0.0.1:5481/", { fetch: (i, init) => Promise.resolve(app.request(String(i), init)), headers: { host: "127.0.0.1:5481" }, validate: true });
  const algorithm_id = await t.deploy("trainer", TRAINABLE, { type: "Generic", extra: "trainable = true", files: { "files/w.txt": "shipped" } });
  const [a, b] = await t.images(2);
  assert.equal(await status(client.createSample([{ input: ["00000000-0000-1000-8000-000000000000"], target: [] }])), "404 sample_input_files_not_found");
  const { sample_id } = await client.createSample([{ input: [a ?? ""], target: [b ?? ""] }], ["cells"]);
  assert.deepEqual((await client.listSamples({ positive_tags: ["cells"] })).map((s) => s.sample_id), [sample_id]);
  assert.deepEqual(await client.listSamples({ negative_tags: ["cells"] }), []);
  assert.equal(await status(client.train({ algorithm_id, training_data: ["nope"] })), "404 sample_not_found");
  assert.equal(await status(client.train({ algorithm_id: "nope", training_data: [sample_id] })), "404 algorithm_not_found");
  const { training_id } = await client.train({ algorithm_id, training_data: [sample_id], tags: ["run1"] });
  let rec: TrainingRecord;
  do {
    await new Promise((r) => setTimeout(r, 25));
    rec = await client.getTraining(training_id);
  } while (!isTerminal(rec.status));
  assert.equal(rec.status, "COMPLETED", rec.log);
  assert.deepEqual(rec.state, { loss: 0.5 });
  assert.equal(typeof rec.algorithm_minor_version, "string");
  const [checkpoint] = await client.listCheckpoints({ positive_tags: ["run1"] });
  assert.deepEqual(checkpoint?.properties, { note: "api" });
  assert.equal((await client.getCheckpoint(checkpoint?.checkpoint_id ?? "")).training_id, training_id);
  assert.equal(await status(client.stopTraining(training_id)), "400 training_not_stoppable");
  assert.equal((await client.listTrainings({ algorithm_id })).length, 1);
  assert.equal((await client.listTrainings({ status: "COMPLETED" })).length, 1);
  assert.equal((await client.listTrainings({ status: "FAILED" })).length, 0);
  assert.equal((await client.listTrainings({ before: training_id })).length, 0);
  // Export with the checkpoint carries its files in place of the assets.
  const zip = await app.request(`/api/v0/algorithm/trainer/1/export?checkpoint_id=${checkpoint?.checkpoint_id}`, { headers: { host: "127.0.0.1:5481" } });
  assert.equal(new AdmZip(Buffer.from(await zip.arrayBuffer())).readAsText("files/w.txt"), "trained on 1");
  assert.equal(await status(client.deleteCheckpoint(checkpoint?.checkpoint_id ?? "")), "ok");
  assert.equal(await status(client.getCheckpoint(checkpoint?.checkpoint_id ?? "")), "404 checkpoint_not_found");
  assert.equal(await status(client.deleteSample(sample_id)), "ok");
  assert.equal(await status(client.deleteSample(sample_id)), "404 sample_not_found");
});
