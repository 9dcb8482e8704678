// Test support: a process that deploys a slow algorithm, starts an execution, prints its id once
// it runs, and waits to be killed (the restart-after-crash test kills it with SIGKILL).
import path from "node:path";
import { createEngine } from "../engine.js";
import { writeFiles, pyproject } from "./temp-algorithm.js";

const [dataDir, srcDir] = process.argv.slice(2) as [string, string];
const engine = await createEngine({ dataDir, gpus: () => ({ cudaDevices: 0 }) });
const dir = writeFiles(path.join(srcDir, "slow"), {
  "pyproject.toml": pyproject("slow", "1.0").replace("Image2Image", "Generic"),
  "Runner.ts": `import { BaseRunner } from "compox";
export class Runner extends BaseRunner {
  async inference() { for (;;) { this.checkStop(); await new Promise((r) => setTimeout(r, 20)); } }
}`,
});
const { algorithm_id } = await engine.deploy(dir);
const kept = await engine.createDataset({ image: { dtype: "uint8", shape: [2], data: new Uint8Array([1, 2]) } });
const { execution_id } = await engine.execute({ algorithm_id, input_dataset_ids: [kept.file_id] });
let printed = false;
const timer = setInterval(() => {
  void engine.getExecution(execution_id).then((rec) => {
    if (rec.status !== "RUNNING" || printed) return;
    printed = true;
    clearInterval(timer);
    process.stdout.write(`${JSON.stringify({ execution_id, dataset_id: kept.file_id })}\n`);
  });
}, 20);
