// One suite, both runner processes: the TypeScript runner (node-runner/) and the Python one
// (python/). Each behaviour is written once as a pair of algorithms that do the same thing in
// each language, and checked with the same assertions: progress and logs, a stop that reaches a
// synchronous loop, sessions, assets, training and checkpoints, and the shapes of failures. A
// behaviour only one runner has is a bug in the runner protocol.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { EngineEvent } from "../../contract/records.js";
import { eventually } from "../testing/eventually.js";
import { needsPython } from "../testing/system-needs.js";
import { testEngine, waitForEnd, waitForTraining, type TestEngine } from "../testing/test-engine.js";

type Behaviour = "steps" | "busy" | "counter" | "assets" | "fails" | "exits";

interface RunnerKind {
  name: string;
  language: "ts" | "py";
  skip: string | false;
  /** Each behaviour's Runner source. */
  source: Record<Behaviour, string>;
  /** How the language's own error report shows in a log (a stack trace, a traceback). */
  trace: RegExp;
}

const ts = (body: string) => `import { BaseRunner } from "compox";\nlet loads = 0;\nexport class Runner extends BaseRunner {\n${body}\n}\n`;
const py = (body: string) => `import json\nimport os\nfrom compox.algorithm_utils.BaseRunner import BaseRunner\n\nLOADS = [0]\n\n\nclass Runner(BaseRunner):\n${body}\n`;

const KINDS: RunnerKind[] = [
  {
    name: "TypeScript runner",
    language: "ts",
    skip: false,
    trace: /^\s+at .*Runner/m,
    source: {
      steps: ts(`  inference() { for (let i = 1; i <= 4; i++) { this.logMessage("step " + i); this.setProgress(i / 4); } return []; }`),
      busy: ts(`  inference() { this.logMessage("busy"); for (;;) this.checkStop(); }`),
      counter: ts(`  async inference() { const n = Number((await this.loadItemFromSession("n")) ?? 0) + 1; await this.saveItemToSession(n, "n"); return ["n=" + n]; }`),
      assets: ts(`  async loadAssets() { loads++; this.model = JSON.parse(new TextDecoder().decode(await this.fetchAsset("files/model.json"))); }
  inference() { return ["value=" + this.model.value, "loads=" + loads]; }
  async train(sampleIds) {
    const samples = await this.getTrainingDataset(sampleIds);
    this.setProgress(0.5);
    await this.saveCheckpoint({ "files/model.json": new TextEncoder().encode(JSON.stringify({ value: samples.length * 10 })) }, { samples: samples.length });
  }`),
      fails: ts(`  inference() { throw new Error("bad voxel spacing"); }`),
      exits: ts(`  inference() { process.exit(3); }`),
    },
  },
  {
    name: "Python runner",
    language: "py",
    skip: needsPython,
    trace: /Traceback \(most recent call last\)/,
    source: {
      steps: py(`    def inference(self, data, args={}):
        for i in range(1, 5):
            self.log_message(f"step {i}")
            self.set_progress(i / 4)
        return []`),
      busy: py(`    def inference(self, data, args={}):
        self.log_message("busy")
        while True:
            self.check_stop()`),
      counter: py(`    def inference(self, data, args={}):
        try:
            n = self.load_item_from_session("n") + 1
        except KeyError:  # as in Compox: a key not saved yet
            n = 1
        self.save_item_to_session(n, "n")
        return [f"n={n}"]`),
      assets: py(`    def load_assets(self):
        LOADS[0] += 1
        self.model = json.loads(self.fetch_asset("files/model.json").read())

    def inference(self, data, args={}):
        return [f"value={self.model['value']}", f"loads={LOADS[0]}"]

    def train(self, training_sample_ids, args={}):
        samples = list(self.get_training_dataset(training_sample_ids))
        self.set_progress(0.5)
        import io
        self.save_checkpoint({"files/model.json": io.BytesIO(json.dumps({"value": len(samples) * 10}).encode())}, {"samples": len(samples)})`),
      fails: py(`    def inference(self, data, args={}):
        raise ValueError("bad voxel spacing")`),
      exits: py(`    def inference(self, data, args={}):
        os._exit(3)`),
    },
  },
];

for (const kind of KINDS) {
  const opts = { skip: kind.skip };
  const name = (what: string) => `${kind.name}: ${what}`;
  const deploy = (t: TestEngine, behaviour: Behaviour, extra = "", files: Record<string, string> = {}) =>
    t.deploy(`${behaviour}_${kind.language}`, kind.source[behaviour], { type: "Generic", language: kind.language, extra, files });
  const run = async (t: TestEngine, algorithm_id: string, more: { session_token?: string; checkpoint_id?: string } = {}) =>
    waitForEnd(t.engine, (await t.engine.execute({ algorithm_id, input_dataset_ids: [], ...more })).execution_id, 60000);

  test(name("log lines and progress arrive live and in order, progress only rising"), opts, async () => {
    await using t = await testEngine();
    const algorithm_id = await deploy(t, "steps");
    const events: EngineEvent[] = [];
    const off = t.engine.onEvent((e) => events.push(e));
    const rec = await run(t, algorithm_id);
    off();
    assert.equal(rec.status, "COMPLETED", rec.log);
    const mine = events.filter((e) => "execution_id" in e && e.execution_id === rec.execution_id);
    const steps = mine.flatMap((e) => (e.type === "log" ? [/INFO (step \d)$/.exec(e.line.trim())?.[1]] : [])).filter(Boolean);
    assert.deepEqual(steps, ["step 1", "step 2", "step 3", "step 4"]);
    const progress = mine.flatMap((e) => (e.type === "progress" ? [e.progress] : []));
    assert.deepEqual(progress, [...progress].sort((a, b) => a - b), "progress never goes back");
    // Progress is throttled on the way (both runners alike): the first value and the end always show.
    assert.deepEqual([progress[0], progress.at(-1)], [0.25, 1], `progress events: ${progress.join(", ")}`);
    assert.match(rec.log, /step 1[\s\S]*step 2[\s\S]*step 3[\s\S]*step 4/);
  });

  test(name("a stop reaches a synchronous busy loop: STOPPED, never killed"), opts, async () => {
    await using t = await testEngine({ stopGraceMs: 20000 });
    const algorithm_id = await deploy(t, "busy");
    const { execution_id } = await t.engine.execute({ algorithm_id, input_dataset_ids: [] });
    await eventually(async () => /busy/.test((await t.engine.getExecution(execution_id)).log), "the loop to start", 60000);
    await t.engine.stopExecution(execution_id);
    const rec = await waitForEnd(t.engine, execution_id, 15000);
    assert.equal(rec.status, "STOPPED", rec.log);
    assert.doesNotMatch(rec.log, /killed/, "check_stop / checkStop ended the loop; the grace was never used");
  });

  test(name("a session carries items between executions with its token, and only with it"), opts, async () => {
    await using t = await testEngine();
    const algorithm_id = await deploy(t, "counter");
    assert.deepEqual((await run(t, algorithm_id, { session_token: "a" })).output_dataset_ids, ["n=1"]);
    assert.deepEqual((await run(t, algorithm_id, { session_token: "a" })).output_dataset_ids, ["n=2"]);
    assert.deepEqual((await run(t, algorithm_id, { session_token: "b" })).output_dataset_ids, ["n=1"]);
  });

  test(name("assets load once per runner; a training's checkpoint replaces them for the executions that name it"), opts, async () => {
    await using t = await testEngine();
    const algorithm_id = await deploy(t, "assets", "trainable = true", { "files/model.json": JSON.stringify({ value: 7 }) });
    assert.deepEqual((await run(t, algorithm_id)).output_dataset_ids, ["value=7", "loads=1"]);
    assert.deepEqual((await run(t, algorithm_id)).output_dataset_ids, ["value=7", "loads=1"], "the warm runner keeps its assets");
    const [a, b] = await t.images(2);
    const { sample_id } = await t.engine.createSample({ files: [{ input: [a!], target: [b!] }] });
    const training = await waitForTraining(t.engine, (await t.engine.train({ algorithm_id, training_data: [sample_id, sample_id] })).training_id, 60000);
    assert.equal(training.status, "COMPLETED", training.log);
    const [checkpoint_id] = training.output_checkpoint_ids;
    assert.ok(checkpoint_id);
    const [value] = (await run(t, algorithm_id, { checkpoint_id })).output_dataset_ids;
    assert.equal(value, "value=20");
    assert.equal((await run(t, algorithm_id)).output_dataset_ids[0], "value=7", "without the checkpoint, the shipped assets again");
  });

  test(name("failures: an error fails its job with the message and the language's trace; a dead process says how it died; the next job runs"), opts, async () => {
    await using t = await testEngine();
    const failing = await deploy(t, "fails");
    const failed = await run(t, failing);
    assert.equal(failed.status, "FAILED");
    assert.equal(failed.progress, 1);
    assert.notEqual(failed.time_completed, "");
    assert.match(failed.log, /ERROR execution failed: .*bad voxel spacing/);
    assert.match(failed.log, kind.trace);
    const exiting = await deploy(t, "exits");
    const died = await run(t, exiting);
    assert.equal(died.status, "FAILED");
    assert.match(died.log, /the runner process exited with code 3/);
    const steps = await deploy(t, "steps");
    assert.equal((await run(t, steps)).status, "COMPLETED", "the engine keeps serving");
  });
}
